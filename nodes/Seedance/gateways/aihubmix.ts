import type { IDataObject } from 'n8n-workflow';

import type { GatewayError, GenerationRequest, NormalisedTask, SeedanceGateway } from './gateway';
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
 * The request fields of AIHubMix's Seedance guide: the ones billed on (output seconds × the rate
 * for model and resolution, higher with a reference video in `content`), and the ones that do
 * not change the price.
 */
export const AIHUBMIX_BODY_FIELDS: BodyFields = {
	priced: ['model', 'duration', 'resolution', 'content'],
	neutral: [...PRICE_NEUTRAL_FIELDS, 'prompt', 'ratio', 'generate_audio'],
	contentTypes: CONTENT_TYPES,
};

/**
 * Error codes AIHubMix answers before it routes a request anywhere, so no task exists and nothing
 * was charged, whatever the status. `no_valid_channel_error` is a one-api style router's answer
 * when no channel serves the model (for this key, or for this request shape): its channel
 * selector returns it as HTTP 500 before any upstream call (a one-api fork's
 * DefaultChannelSelector.SelectChannel: `NewErrorWithStatusCode(http.StatusInternalServerError,
 * "no_valid_channel_error", ...)` when no channel is found; public code, repository not
 * identified). AIHubMix answered exactly this to a public probe of Seedance with a Sora-style body:
 * HTTP 500 `{"error": {"message": "no_valid_channel_error (tid: …)", "type": "Aihubmix_api_error"}}`,
 * and no task ID (secondhand: a public smoke-test report). It carries no `code`, so parseError
 * takes it from the message's start.
 */
const REFUSAL_CODES = ['no_valid_channel_error'];

function parseError(body: unknown): GatewayError {
	const parsed = parseOpenAiStyleError(body);
	const message = (parsed.message ?? '').toLowerCase();
	const named = firstString(body, ['error.code']) === null ? REFUSAL_CODES.find((code) => message.startsWith(code)) : undefined;
	return named ? { code: named, message: parsed.message } : parsed;
}

/**
 * AIHubMix (https://aihubmix.com/v1), from its Seedance guide and its OpenAI-compatible
 * video API: POST /videos, GET /videos/{id}, GET /videos/{id}/content (needs the key).
 *
 * The create body is the one AIHubMix's own clients send, not only the guide's: AIHubMix's
 * public request builder (AIhubmix/aihubmix-media-adapters, src/adapters/video.ts,
 * buildSeedanceContent / buildVideoRequest) always sends the prompt twice for `doubao-seedance-*`,
 * as top-level `prompt` and as `content[0] = {type: 'text', text: prompt}`, followed by the media
 * entries with their roles, also for text-only requests; its parity test
 * (tests/parity-aihubmix-video.test.ts) states that this is the body their production app's
 * create-task sends. The Seedance guide (docs.aihubmix.com, Seedance page) shows `content` with
 * the media only, and which one the gateway needs with media attached is not documented, so the
 * node sends what their production client sends; the guide's shape stays a valid one for the
 * simulator. `resolution` is a token (480p/720p/1080p), never WxH (a pixel string is refused,
 * the same file's snapResolutionToken comment says).
 *
 * Reading a task follows the same file's normalizeVideoResponse: the ID in `id`, `task_id`,
 * `data.id`; the status in `status`, `data.status` (`queued`, `in_progress`, `completed`,
 * `failed`); the video URL in `video_url`, `url`, `output_url`, `data.video_url`, `data.url`,
 * `data[0].url`, `unsigned_urls[0]`; the error in `error.message`, `error` (a string),
 * `failure_reason`. A completed task may carry no URL, and an inline URL can expire (24 h) or be
 * refused: the documented content endpoint is then used (download.ts).
 *
 * Each model's own limits (durations, resolutions, which roles) are its family's (models/): the
 * 1.x models refuse reference media here too. AIHubMix adds its own 2–15 s range, its ratios,
 * and 480p/720p only for Seedance 2.0 (its guide's model table).
 */
export const aiHubMixGateway: SeedanceGateway = {
	name: 'aihubmix',
	displayName: 'AIHubMix',
	credentialType: 'aiHubMixApi',
	defaultBaseUrl: 'https://aihubmix.com/v1',
	baseUrl: (credentials: IDataObject) => credentials.baseUrl,
	priceList: () => 'aihubmix',
	capabilities: {
		models: modelsSoldBy(['aihubmix'], {
			duration: { min: 2, max: 15 },
			resolutions: ['480p', '720p', '1080p'],
			familyResolutions: { 'seedance-2.0': ['480p', '720p'] },
		}),
		defaultModel: 'doubao-seedance-2-0-260128',
		prompt: { maxLength: 4000 },
		duration: { min: 2, max: 15, default: 5, integer: true },
		resolutions: ['480p', '720p', '1080p'],
		defaultResolution: '720p',
		ratios: ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'],
		defaultRatio: '16:9',
		generateAudioDefault: false,
		supportsReturnLastFrame: true,
		supportsSeed: true,
		usesReferenceVideoDurations: false,
		media: {},
	},

	buildCreateRequest(request: GenerationRequest) {
		const body: IDataObject = {
			model: request.model,
			prompt: request.prompt,
			duration: request.duration,
			ratio: request.ratio,
			resolution: request.resolution,
			generate_audio: request.generateAudio,
			watermark: request.watermark,
		};
		if (request.returnLastFrame) body.return_last_frame = true;
		if (request.seed !== undefined) body.seed = request.seed;
		// As AIHubMix's own client: the prompt first, as a text entry, then the media (see above).
		body.content = [{ type: 'text', text: request.prompt }, ...buildContentArray(request.media)];
		return { method: 'POST', path: '/videos', body: { ...body, ...request.additionalBodyFields } };
	},

	readBilledRequest(body: IDataObject) {
		return readContentBody(body, AIHUBMIX_BODY_FIELDS);
	},

	taskRequest(taskId: string) {
		return { method: 'GET', path: `/videos/${encodeURIComponent(taskId)}` };
	},

	parseTask(raw: IDataObject, fallbackTaskId?: string): NormalisedTask {
		const gatewayStatus = firstString(raw, ['status', 'data.status']);
		// An error member, or a failure reason without one (normalizeVideoResponse reads both).
		const error = raw.error === undefined && typeof raw.failure_reason === 'string' ? { code: null, message: raw.failure_reason } : taskError(raw);
		return {
			taskId: firstString(raw, ['id', 'video_id', 'task_id', 'data.id', 'data.task_id']) ?? fallbackTaskId ?? '',
			provider: 'aihubmix',
			model: firstString(raw, ['model']),
			status: normaliseStatus(gatewayStatus),
			gatewayStatus,
			videoUrl: firstString(raw, [
				'video_url',
				'url',
				'output_url',
				'data.video_url',
				'data.url',
				'content.video_url',
				'data.0.video_url',
				'data.0.url',
				'unsigned_urls.0',
			]),
			coverImageUrl: firstString(raw, ['cover_image_url', 'content.cover_image_url']),
			lastFrameUrl: firstString(raw, ['last_frame_url', 'content.last_frame_url']),
			videoDuration: firstNumber(raw, ['seconds', 'duration']),
			progress: firstNumber(raw, ['progress']),
			completionTokens: null,
			errorCode: error.code,
			errorMessage: error.message,
			raw,
		};
	},

	contentRequest(taskId: string) {
		return { method: 'GET', path: `/videos/${encodeURIComponent(taskId)}/content` };
	},

	parseError,

	refusalCodes: REFUSAL_CODES,

	adviceFor: (code: string) =>
		code === 'no_valid_channel_error'
			? 'AIHubMix found no channel that serves this model for this key (a model ID it does not route, a request it cannot route, or every channel for the model down right now), so it made no task. Check the model ID against the Model list; if it is right, run again later.'
			: undefined,

	// No task list is documented.
	listRequest() {
		return null;
	},

	parseTaskList() {
		return { tasks: [], total: null };
	},

	modelsRequest() {
		return { method: 'GET', path: '/models' };
	},

	deleteRequest(taskId: string) {
		return { method: 'DELETE', path: `/videos/${encodeURIComponent(taskId)}` };
	},
};
