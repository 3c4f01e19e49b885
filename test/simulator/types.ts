// Public types of the gateway simulator. Kept apart from index.ts so the route
// modules can import them without a circular import through index.ts.

export type GatewayName = 'tokenhub' | 'aihubmix' | 'ark';

export interface SimulatorOptions {
	tokenhubKey?: string;
	aihubmixKey?: string;
	/** Bearer key of the simulated Ark (BytePlus ModelArk / Volcengine Ark) API. */
	arkKey?: string;
	queuedMs?: number;
	jobMs?: number;
	latencyMs?: number;
	aihubmixInlineVideoUrl?: boolean;
	/** AIHubMix's /videos/{id}/content answers 302 to a presigned storage URL on the CDN. */
	redirectContent?: boolean;
	/** Task status checks answer 307 to a presigned mirror on another origin (the CDN). */
	redirectStatus?: boolean;
	/** Queued + running tasks a key may have at once (Ark caps an account at 120); 0 = no cap. */
	queueCap?: number;
	/** Tasks the account can still pay for; -1 = unlimited. Then creates are refused (403). */
	balanceTasks?: number;
	port?: number;
}

export interface RecordedRequest {
	server: 'gateway' | 'cdn';
	gateway?: GatewayName;
	method: string;
	path: string;
	headers: Record<string, string | string[] | undefined>;
	body?: unknown;
	at: number;
}

export interface SimTask {
	id: string;
	gateway: GatewayName;
	model: string;
	createdAt: number;
	jobMs: number;
	queuedMs: number;
	outcome: 'succeed' | 'fail' | 'expire';
	body: Record<string, unknown>;
	/** The prompt the steering markers were read from (Ark carries it in content[].text, not body.prompt). */
	prompt: string;
	/** Set when a queued task was cancelled (Ark's DELETE); the task clock then stops counting it. */
	cancelledAt?: number;
	pollCount: number;
}

export interface FaultSpec {
	gateway?: GatewayName;
	method?: string;
	pathIncludes?: string;
	server?: 'gateway' | 'cdn';
	times?: number;
	status?: number;
	body?: unknown;
	headers?: Record<string, string>;
	reset?: boolean;
	hangMs?: number;
	malformedJson?: boolean;
	/** Handle the request normally, then drop the connection instead of answering. */
	lostResponse?: boolean;
	/** Answer normally (full Content-Length), but cut the connection after this many body bytes. */
	truncateAfterBytes?: number;
}

export interface Simulator {
	tokenhubBaseUrl: string;
	aihubmixBaseUrl: string;
	arkBaseUrl: string;
	cdnOrigin: string;
	tokenhubKey: string;
	aihubmixKey: string;
	arkKey: string;
	requests: RecordedRequest[];
	tasks: Map<string, SimTask>;
	mp4: Buffer;
	createRequests(gateway?: GatewayName): RecordedRequest[];
	gatewayRequests(gateway?: GatewayName): RecordedRequest[];
	cdnRequests(): RecordedRequest[];
	set(options: Partial<SimulatorOptions>): void;
	injectFault(fault: FaultSpec): void;
	reset(): void;
	close(): Promise<void>;
}
