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

/** Ways the simulated Ark's task list can misbehave, for Get Many's tests; all off by default. */
export interface ArkListQuirks {
	/** Most items a page holds whatever page_size asks (a gateway's own cap); pages sit at (page_num − 1) × this. 0 = none. */
	pageSizeCap: number;
	/** Pages (page_num) that answer the page before them again instead of their own items. */
	repeatPages: number[];
	/** Pages that leave out the second half of their items (listed on no other page), though more follow. */
	shortPages: number[];
	/** Added to `total`, which then lies (never below 0). */
	totalOffset: number;
	/** No `total` in the answer. */
	omitTotal: boolean;
	/** Each page after the first starts this many items early, as when tasks are made during a walk. */
	overlap: number;
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
	/** Only requests whose JSON body contains this text (one item's prompt, say). */
	bodyIncludes?: string;
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

/** How the simulated Ark sends callbacks (ark-callbacks.ts); Ark's own behaviour by default. */
export interface ArkCallbackKnobs {
	/** Send callbacks at all (to loopback URLs only). */
	enabled: boolean;
	/** How long a try may go unanswered before it is not acknowledged (Ark: 5 s). */
	timeoutMs: number;
	/** Tries after the first, while none is acknowledged (Ark: 3). */
	retries: number;
	/** Pause after a try that was not acknowledged. */
	retryDelayMs: number;
	/** Hold every callback back, in order, until releaseArkCallbacks(). */
	held: boolean;
}

/** One try of one callback, as the simulated Ark made it. */
export interface ArkCallbackAttempt {
	taskId: string;
	status: string;
	url: string;
	/** 1 for the first try; 0 for a URL that was not called (not loopback). */
	attempt: number;
	sentAt: number;
	ms: number;
	outcome: 'acked' | 'refused' | 'timeout' | 'error' | 'skipped';
	statusCode?: number;
}

/** Callbacks Ark never sent, for the tests of a callback receiver. */
export type ArkCallbackForgery = 'forged-unknown' | 'forged-status' | 'repeat' | 'late' | 'oversized' | 'malformed' | 'not-a-task';

export interface CallbackAnswer {
	status: number;
	body: string;
	ms: number;
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
	/** Sets the Ark list's quirks (merged with the current ones; reset() turns them all off). */
	setArkList(quirks: Partial<ArkListQuirks>): void;
	/** Sets how Ark's callbacks are sent (merged; reset() restores Ark's behaviour). */
	setArkCallbacks(knobs: Partial<ArkCallbackKnobs>): void;
	/** Every callback try the simulated Ark made, in order. */
	arkCallbacks: ArkCallbackAttempt[];
	/** Sends the callbacks held back (knob `held`), in order, and stops holding. */
	releaseArkCallbacks(): void;
	/** Resolves once no callback is held, waiting for a retry, or in flight. */
	arkCallbacksSettled(): Promise<void>;
	/** POSTs a callback Ark did not send (forged, repeated, late, oversized, malformed) to `url`. */
	sendArkCallback(url: string, kind: ArkCallbackForgery, taskId?: string): Promise<CallbackAnswer>;
	injectFault(fault: FaultSpec): void;
	reset(): void;
	close(): Promise<void>;
}
