import type { IDataObject } from 'n8n-workflow';

import type { ModelLimits } from '../models';

/**
 * The one seam between the node and a video gateway. Operations, validation, polling and
 * download only ever talk to this interface, so a new gateway is one adapter module
 * (plus its credential) registered in ./index.ts.
 */

export type MediaRole =
	| 'first_frame'
	| 'last_frame'
	| 'reference_image'
	| 'reference_video'
	| 'reference_audio';

export type MediaKind = 'image' | 'video' | 'audio';

export const MEDIA_KIND: Record<MediaRole, MediaKind> = {
	first_frame: 'image',
	last_frame: 'image',
	reference_image: 'image',
	reference_video: 'video',
	reference_audio: 'audio',
};

/** One media entry, resolved to a URL (http(s) or a data URL built from binary data). */
export interface MediaInput {
	role: MediaRole;
	url: string;
	/** Seconds of a reference video, for gateways that bill input video time. */
	durationSeconds?: number;
}

/** A generation request in the node's own terms, already validated. */
export interface GenerationRequest {
	model: string;
	prompt: string;
	duration: number;
	resolution: string;
	ratio: string;
	generateAudio: boolean;
	watermark: boolean;
	returnLastFrame: boolean;
	seed?: number;
	media: MediaInput[];
	/** Extra body fields the user asked to merge in (e.g. callback_url); they win over ours. */
	additionalBodyFields: IDataObject;
	/** `default` or `flex` (offline, cheaper), where the gateway has service tiers. */
	serviceTier?: string;
	/** Seconds after which the gateway gives up a task that has not finished, where it has this. */
	executionExpiresAfter?: number;
	/** Where the gateway POSTs the task when its status changes (a Seedance Trigger's Production URL), where it calls back (Ark). */
	callbackUrl?: string;
}

/** Normalised task status. `unknown` keeps polling going on a status value no doc lists. */
export type TaskStatus =
	| 'queued'
	| 'running'
	| 'succeeded'
	| 'failed'
	| 'cancelled'
	| 'expired'
	| 'unknown';

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];

/** The one output shape for every gateway. */
export interface NormalisedTask {
	taskId: string;
	provider: string;
	model: string | null;
	status: TaskStatus;
	/** The status word the gateway used, for users who compare with its docs. */
	gatewayStatus: string | null;
	videoUrl: string | null;
	coverImageUrl: string | null;
	lastFrameUrl: string | null;
	videoDuration: number | null;
	/** Percent done, where the gateway reports it. */
	progress: number | null;
	/** Output tokens billed, where the gateway bills tokens and reports them (Ark). */
	completionTokens: number | null;
	errorCode: string | null;
	errorMessage: string | null;
	raw: IDataObject;
}

export interface GatewayRequest {
	method: 'GET' | 'POST' | 'DELETE';
	/** Path below the credential's base URL, starting with '/'. */
	path: string;
	body?: IDataObject;
}

/**
 * A model as one gateway sells it: its family's upstream limits (models/) within the gateway's
 * own (its duration range, its resolutions). Built by modelsSoldBy; an ID the gateway's list does
 * not have is a model the node does not know, checked only for what is true of every model.
 */
export interface ModelSpec extends ModelLimits {
	id: string;
	/** The model family's name, e.g. `Seedance 2.0` (the same model on every gateway). */
	family: string;
}

/** What a gateway accepts, as data: the UI and the validation are generated from it. */
export interface GatewayCapabilities {
	models: ModelSpec[];
	defaultModel: string;
	prompt: { maxLength?: number };
	duration: { min: number; max: number; default: number; integer: boolean };
	resolutions: string[];
	defaultResolution: string;
	/** Aspect ratios accepted; the adapter maps them to its own field name. */
	ratios: string[];
	defaultRatio: string;
	generateAudioDefault: boolean;
	supportsReturnLastFrame: boolean;
	supportsSeed: boolean;
	/** Whether a reference video's duration is sent (and billed) by this gateway. */
	usesReferenceVideoDurations: boolean;
	/**
	 * Kinds of file the gateway fetches itself and takes no inline file of. (How many files of each
	 * kind is the model's rule: ModelSpec.)
	 */
	media: { urlOnly?: MediaKind[] };
	/** Whether first frame, first + last frame and multimodal reference are separate scenarios (for the models it knows). */
	exclusiveScenarios?: boolean;
	/** Service tiers (default / flex) and a task expiry, where the gateway offers them. */
	serviceTier?: boolean;
	executionExpiry?: { min: number; max: number; default: number };
	/** Whether a task can carry a callback URL the gateway POSTs the task to on each status change (Ark's callback_url). */
	callbacks?: boolean;
}

/**
 * What a create body will be billed on, read back from the body actually sent (after the
 * user's Additional Body Fields are merged), so a merged field can never dodge the spend cap.
 * Values are as found in the body; pricing refuses what it cannot price.
 */
export interface BilledRequest {
	model: unknown;
	duration: unknown;
	resolution: unknown;
	/**
	 * Reference videos in the body (in `content`, or in a gateway's own top-level fields), each
	 * with its duration when the body carries one, and where it is (`content[1]`, `video_urls[0]`).
	 */
	referenceVideos: Array<{ durationSeconds?: number; source?: string }>;
	/** A total of input video seconds the body states itself, and its field (TokenHub's `input_video_duration`). */
	statedInputVideo?: { field: string; seconds: unknown };
	/** For gateways that bill output tokens (pixels × frames): the aspect ratio and service tier. */
	ratio?: unknown;
	serviceTier?: unknown;
	generateAudio?: unknown;
	/** Frames of output instead of a duration (Ark's 1.0 models): it replaces `duration`. */
	frames?: unknown;
	/**
	 * Top-level fields of the body, and `content` entries, the adapter does not know: neither a
	 * field it prices nor one it knows to be price-neutral. Only merged fields can be here; the
	 * price of a body with any cannot be checked against a cap.
	 */
	unpricedFields?: string[];
}

/** A page of a gateway's task list (Get Many). */
export interface TaskListQuery {
	pageNum: number;
	pageSize: number;
	status?: string;
	model?: string;
	taskIds?: string[];
}

export interface TaskListPage {
	tasks: NormalisedTask[];
	/** All tasks matching the filters, when the gateway says. */
	total: number | null;
}

export interface GatewayError {
	code: string | null;
	message: string | null;
}

export interface SeedanceGateway {
	/** Value of the node's Provider parameter. */
	name: string;
	displayName: string;
	/** n8n credential type name. */
	credentialType: string;
	/** The credential's default Base URL, for messages. */
	defaultBaseUrl: string;
	/** The Base URL a credential points at (a field, or a region). */
	baseUrl(credentials: IDataObject): unknown;
	/** Which price table applies (prices.ts): the gateway's, or its region's. */
	priceList(credentials: IDataObject): string;
	capabilities: GatewayCapabilities;
	buildCreateRequest(request: GenerationRequest): GatewayRequest;
	/** Reads back from a create body the fields the gateway bills on, and the fields it does not know. */
	readBilledRequest(body: IDataObject): BilledRequest;
	/**
	 * The billed facts a task object reports about itself (Ark: resolution, ratio, duration or
	 * frames, generate_audio, service_tier), for pricing the tokens it used; absent ones are
	 * undefined. Where the gateway reports no tokens, it is not needed.
	 */
	readBilledTask?(raw: IDataObject): Partial<BilledRequest>;
	taskRequest(taskId: string): GatewayRequest;
	/** Turn any task-shaped response (create or get) into the normalised shape. */
	parseTask(raw: IDataObject, fallbackTaskId?: string): NormalisedTask;
	/** Where to fetch the bytes of a finished video when the task carries no URL. */
	contentRequest(taskId: string): GatewayRequest | null;
	/** Read the gateway's error envelope. */
	parseError(body: unknown): GatewayError;
	/** What to do about one of the gateway's own error codes (a refusal or a failed task), where it documents them. */
	adviceFor?(code: string): string | undefined;
	/**
	 * Error codes (as parseError reads them, lower case) that say the gateway made no task, whatever
	 * the HTTP status: a routing refusal before any upstream call, such as AIHubMix's 500
	 * `no_valid_channel_error`. A create answered so is refused (nothing charged, may be sent
	 * again), not of unknown outcome.
	 */
	refusalCodes?: readonly string[];
	/** The gateway's model list (OpenAI-style `{data: [{id}]}`), or null if it has none. */
	modelsRequest(): GatewayRequest | null;
	/** Cancels a queued task or deletes a finished one; null where the gateway has no such call. */
	deleteRequest(taskId: string): GatewayRequest | null;
	/**
	 * Whether the list takes task IDs as a filter (Ark's `filter.task_ids`), so the waiting tasks of a
	 * run are checked together, one list request per group of IDs, instead of one GET each.
	 */
	listsByTaskIds?: boolean;
	/** One page of the recent tasks; null where the gateway documents no list (no Get Many). */
	listRequest(query: TaskListQuery): GatewayRequest | null;
	parseTaskList(body: IDataObject): TaskListPage;
}
