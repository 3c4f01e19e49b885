import type { IDataObject } from 'n8n-workflow';

import type { BilledRequest, GenerationRequest, NormalisedTask, SeedanceGateway, TaskListQuery } from './gateway';
import { modelsSoldBy } from '../models';
import type { BodyFields } from './shared';
import {
	buildContentArray,
	CONTENT_TYPES,
	firstNumber,
	firstString,
	normaliseStatus,
	parseOpenAiStyleError,
	PRICE_NEUTRAL_FIELDS,
	readContentBody,
	taskError,
} from './shared';

/**
 * Ark: ByteDance's own Seedance task API, on BytePlus ModelArk (international, USD) and
 * Volcengine Ark (China, CNY). Every fact below is from the vendors' pages:
 * - create  POST /contents/generations/tasks: https://docs.byteplus.com/en/docs/ModelArk/1520757
 *           (Volcengine: https://www.volcengine.com/docs/82379/1520757): `content` holds one
 *           `{type: 'text'}` entry and role-tagged `image_url` / `video_url` / `audio_url` entries;
 *           `ratio`, `resolution`, `duration`, `generate_audio`, `seed`, `watermark`,
 *           `return_last_frame`, `service_tier` (default | flex; not on 2.0 / 2.0 fast),
 *           `execution_expires_after` (3600–259200 s, default 172800), `callback_url`.
 *           First frame, first + last frame and multimodal reference are three scenarios that do
 *           not mix; audio is never the only reference.
 * - get     GET /contents/generations/tasks/{id}: https://www.volcengine.com/docs/82379/1521309:
 *           statuses queued, running, succeeded, failed, cancelled, expired; `content.video_url`
 *           (24 h), `content.last_frame_url`, `usage.completion_tokens`, `error {code, message}`.
 * - list    GET /contents/generations/tasks?page_num&page_size&filter.status&filter.model&filter.task_ids
 *           (last 7 days): https://www.volcengine.com/docs/82379/1521675; answers `{items, total}`.
 * - delete  DELETE /contents/generations/tasks/{id}: https://www.volcengine.com/docs/82379/1521720:
 *           a queued task is cancelled, a finished one deleted, a running one cannot be.
 * - errors  `{error: {code, message, param, type}}`: https://docs.byteplus.com/en/docs/ModelArk/1299023
 * Model ids: Volcengine's doubao-seedance-*, BytePlus's dreamina-seedance-2-0-* and seedance-1-*.
 * Each model's own limits (durations, resolutions, roles, Flex) are its family's (models/), the
 * same on every gateway that sells it; Ark adds its 2–15 s range and the scenario rule.
 */

const HD = ['480p', '720p', '1080p'];

/** BytePlus's IDs first, then Volcengine's, each model with its family's limits. */
const MODELS = modelsSoldBy(['byteplus', 'volcengine'], { duration: { min: 2, max: 15 }, resolutions: HD });

export const ARK_REGIONS: Record<string, string> = {
	byteplus: 'https://ark.ap-southeast.bytepluses.com/api/v3',
	volcengine: 'https://ark.cn-beijing.volces.com/api/v3',
};

const TASKS = '/contents/generations/tasks';

/**
 * The create body's fields, as the create page documents them: the ones Ark bills on (output
 * tokens from resolution, ratio and duration or frames; the rate from the model, reference
 * videos, generate_audio and service_tier) and the ones that do not change the price. Others
 * (draft, tools, ...) are unpriced: refused while a cap is set.
 */
export const ARK_BODY_FIELDS: BodyFields = {
	priced: ['model', 'content', 'resolution', 'ratio', 'duration', 'frames', 'generate_audio', 'service_tier'],
	neutral: [...PRICE_NEUTRAL_FIELDS, 'execution_expires_after', 'safety_identifier'],
	contentTypes: CONTENT_TYPES,
};

/**
 * Advice for Ark's own error codes (common error codes: https://docs.byteplus.com/en/docs/ModelArk/1299023).
 * A moderation refusal at create is a 400 and no task; the privacy filter answers "the input
 * image 'content[1]' may contain real person" (live reports, 2026).
 */
const ADVICE: Array<[RegExp, string]> = [
	[/^InputImageSensitiveContentDetected\.PrivacyInformation/i, "Ark's privacy filter takes an input image for a photo of a real person, which Seedance refuses. Use an image without a real person (an illustrated or generated character), or an asset from Ark's asset library (asset://)."],
	[/^InputImageSensitiveContentDetected/i, "Ark's moderation refused an input image. Use a different image."],
	[/^InputTextSensitiveContentDetected/i, "Ark's moderation refused the prompt. Reword it."],
	[/^Input(Video|Audio)SensitiveContentDetected/i, "Ark's moderation refused a reference video or audio. Use a different file."],
	[/^OutputVideoSensitiveContentDetected/i, "Ark's moderation blocked the generated video. Change the prompt or media and create a new task."],
	[/^ModelNotOpen/i, 'This account has not activated the model. Activate it in the Ark console (model activation), then run again.'],
	[/^SetLimitExceeded/i, "The account's own spending limit for this model is reached. Raise it in the Ark console, or wait for it to reset."],
	[/^InvalidEndpointOrModel/i, 'Ark does not know this model ID, or this key has no access to it. Check the ID for the region (BytePlus: dreamina-seedance-… and seedance-1-…; Volcengine: doubao-seedance-…) and that the model is activated in the Ark console.'],
];

function parseTask(raw: IDataObject, fallbackTaskId?: string): NormalisedTask {
	const gatewayStatus = firstString(raw, ['status']);
	const error = taskError(raw);
	return {
		taskId: firstString(raw, ['id']) ?? fallbackTaskId ?? '',
		provider: 'ark',
		model: firstString(raw, ['model']),
		status: normaliseStatus(gatewayStatus),
		gatewayStatus,
		videoUrl: firstString(raw, ['content.video_url']),
		coverImageUrl: null,
		lastFrameUrl: firstString(raw, ['content.last_frame_url']),
		videoDuration: firstNumber(raw, ['duration']),
		progress: null,
		completionTokens: firstNumber(raw, ['usage.completion_tokens']),
		errorCode: error.code,
		errorMessage: error.message,
		raw,
	};
}

export const arkGateway: SeedanceGateway = {
	name: 'ark',
	displayName: 'Ark',
	credentialType: 'arkApi',
	defaultBaseUrl: ARK_REGIONS.byteplus,
	baseUrl: (credentials: IDataObject) =>
		credentials.region === 'custom' ? credentials.baseUrl : (ARK_REGIONS[String(credentials.region ?? 'byteplus')] ?? ARK_REGIONS.byteplus),
	// A custom Base URL (a proxy) is priced with the list its credential names, BytePlus by default.
	priceList: (credentials: IDataObject) =>
		(credentials.region === 'custom' ? credentials.priceRegion : credentials.region) === 'volcengine' ? 'ark-volcengine' : 'ark-byteplus',
	capabilities: {
		models: MODELS,
		defaultModel: 'dreamina-seedance-2-0-260128',
		prompt: {},
		duration: { min: 2, max: 15, default: 5, integer: true },
		resolutions: HD,
		defaultResolution: '720p',
		ratios: ['adaptive', '16:9', '4:3', '1:1', '3:4', '9:16', '21:9'],
		defaultRatio: 'adaptive',
		generateAudioDefault: true,
		supportsReturnLastFrame: true,
		supportsSeed: true,
		usesReferenceVideoDurations: false,
		// Images and audios may be base64; a reference video is a URL (or asset id) Ark fetches.
		media: { urlOnly: ['video'] },
		exclusiveScenarios: true,
		serviceTier: true,
		executionExpiry: { min: 3600, max: 259200, default: 172800 },
		// callback_url: the task object POSTed on each status change (create page).
		callbacks: true,
	},

	buildCreateRequest(request: GenerationRequest) {
		const body: IDataObject = {
			model: request.model,
			content: [{ type: 'text', text: request.prompt }, ...buildContentArray(request.media)],
			ratio: request.ratio,
			resolution: request.resolution,
			duration: request.duration,
			generate_audio: request.generateAudio,
			watermark: request.watermark,
		};
		if (request.returnLastFrame) body.return_last_frame = true;
		if (request.seed !== undefined) body.seed = request.seed;
		if (request.serviceTier) body.service_tier = request.serviceTier;
		if (request.executionExpiresAfter !== undefined) body.execution_expires_after = request.executionExpiresAfter;
		if (request.callbackUrl) body.callback_url = request.callbackUrl;
		return { method: 'POST', path: TASKS, body: { ...body, ...request.additionalBodyFields } };
	},

	readBilledRequest(body: IDataObject) {
		return {
			...readContentBody(body, ARK_BODY_FIELDS),
			ratio: body.ratio,
			serviceTier: body.service_tier,
			generateAudio: body.generate_audio,
			frames: body.frames,
		};
	},

	// The task object carries the billed facts under the create body's names (get page).
	readBilledTask(raw: IDataObject) {
		const facts: Partial<BilledRequest> = {};
		const has = (value: unknown) => value !== undefined && value !== null;
		if (has(raw.model)) facts.model = raw.model;
		if (has(raw.resolution)) facts.resolution = raw.resolution;
		if (has(raw.ratio)) facts.ratio = raw.ratio;
		if (has(raw.duration)) facts.duration = raw.duration;
		if (has(raw.frames)) facts.frames = raw.frames;
		if (has(raw.generate_audio)) facts.generateAudio = raw.generate_audio;
		if (has(raw.service_tier)) facts.serviceTier = raw.service_tier;
		return facts;
	},

	taskRequest(taskId: string) {
		return { method: 'GET', path: `${TASKS}/${encodeURIComponent(taskId)}` };
	},

	parseTask,

	contentRequest() {
		// The task carries the video URL; there is no content endpoint.
		return null;
	},

	parseError: parseOpenAiStyleError,

	adviceFor: (code: string) => ADVICE.find(([pattern]) => pattern.test(code))?.[1],

	// API keys cannot list models (that is the console's account API); the table above is used.
	modelsRequest() {
		return null;
	},

	deleteRequest(taskId: string) {
		return { method: 'DELETE', path: `${TASKS}/${encodeURIComponent(taskId)}` };
	},

	// filter.task_ids, repeated once per ID (https://www.volcengine.com/docs/82379/1521675).
	listsByTaskIds: true,

	listRequest(query: TaskListQuery) {
		const qs = new URLSearchParams({ page_num: String(query.pageNum), page_size: String(query.pageSize) });
		if (query.status) qs.set('filter.status', query.status);
		if (query.model) qs.set('filter.model', query.model);
		for (const id of query.taskIds ?? []) qs.append('filter.task_ids', id);
		return { method: 'GET', path: `${TASKS}?${qs.toString()}` };
	},

	parseTaskList(body: IDataObject) {
		const items = Array.isArray(body.items) ? (body.items as IDataObject[]) : [];
		return { tasks: items.map((item) => parseTask(item)), total: typeof body.total === 'number' ? body.total : null };
	},
};
