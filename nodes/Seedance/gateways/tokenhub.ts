import type { IDataObject } from 'n8n-workflow';

import type { GenerationRequest, NormalisedTask, SeedanceGateway } from './gateway';
import { modelsSoldBy } from '../models';
import type { BodyFields } from './shared';
import {
	buildContentArray,
	CONTENT_TYPES,
	firstNumber,
	firstString,
	isSeconds,
	normaliseStatus,
	parseOpenAiStyleError,
	PRICE_NEUTRAL_FIELDS,
	readContentBody,
	taskError,
} from './shared';

/**
 * The create fields of TokenHub's guide: the ones billed on ((input video seconds + output
 * seconds) × the rate for model and resolution), and the ones that do not change the price.
 */
export const TOKENHUB_BODY_FIELDS: BodyFields = {
	priced: ['model', 'duration', 'resolution', 'content', 'video_url', 'video_urls', 'video_durations', 'input_video_duration'],
	neutral: [...PRICE_NEUTRAL_FIELDS, 'prompt', 'aspect_ratio', 'generate_audio', 'image_url', 'image_urls', 'audio_url', 'audio_urls'],
	contentTypes: CONTENT_TYPES,
};

/**
 * TokenHub (https://tokenhub.store/api/v1), from its Seedance guide:
 * POST /videos/generations, GET /videos/generations/{id}; finished tasks carry
 * `data[0].video_url` and `data[0].cover_image_url` on the provider's CDN.
 *
 * Media go in the documented `content` array, because only it carries roles
 * (first/last frame vs reference); `video_durations` is added since TokenHub bills
 * input video seconds.
 */
export const tokenHubGateway: SeedanceGateway = {
	name: 'tokenhub',
	displayName: 'TokenHub',
	credentialType: 'tokenHubApi',
	defaultBaseUrl: 'https://tokenhub.store/api/v1',
	baseUrl: (credentials: IDataObject) => credentials.baseUrl,
	priceList: () => 'tokenhub',
	capabilities: {
		// Seedance 2.0 and 2.0 fast, with their family's limits (models/) within TokenHub's 4–15 s and 480p/720p.
		models: modelsSoldBy(['tokenhub'], { duration: { min: 4, max: 15 }, resolutions: ['480p', '720p'] }),
		defaultModel: 'doubao-seedance-2.0',
		prompt: {},
		duration: { min: 4, max: 15, default: 5, integer: false },
		resolutions: ['480p', '720p'],
		defaultResolution: '720p',
		ratios: ['adaptive', '16:9', '9:16', '1:1', '4:3', '3:4', '21:9'],
		defaultRatio: 'adaptive',
		generateAudioDefault: true,
		supportsReturnLastFrame: false,
		supportsSeed: false,
		usesReferenceVideoDurations: true,
		media: {},
	},

	buildCreateRequest(request: GenerationRequest) {
		const body: IDataObject = {
			model: request.model,
			prompt: request.prompt,
			duration: request.duration,
			resolution: request.resolution,
			aspect_ratio: request.ratio,
			generate_audio: request.generateAudio,
			watermark: request.watermark,
		};
		if (request.media.length) body.content = buildContentArray(request.media);
		const videoDurations = request.media
			.filter((entry) => entry.role === 'reference_video' && entry.durationSeconds !== undefined)
			.map((entry) => entry.durationSeconds as number);
		if (videoDurations.length) body.video_durations = videoDurations;
		return {
			method: 'POST',
			path: '/videos/generations',
			body: { ...body, ...request.additionalBodyFields },
		};
	},

	readBilledRequest(body: IDataObject) {
		const billed = readContentBody(body, TOKENHUB_BODY_FIELDS);
		// Reference videos come in `content`, or as the guide's top-level video_url / video_urls;
		// every one is billed for its seconds.
		const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
		const videos = [
			...billed.referenceVideos.map((video) => video.source as string),
			...list(body.video_url).map(() => 'video_url'),
			...list(body.video_urls).map((_, index) => `video_urls[${index}]`),
		];
		// video_durations pairs with the videos by position; a length with no video is counted too,
		// since TokenHub bills the seconds it is told.
		const durations = list(body.video_durations);
		const referenceVideos = Array.from({ length: Math.max(videos.length, durations.length) }, (_, index) => ({
			source: videos[index] ?? `video_durations[${index}]`,
			...(isSeconds(durations[index]) ? { durationSeconds: durations[index] } : {}),
		}));
		return {
			...billed,
			referenceVideos,
			...(body.input_video_duration !== undefined ? { statedInputVideo: { field: 'input_video_duration', seconds: body.input_video_duration } } : {}),
		};
	},

	taskRequest(taskId: string) {
		return { method: 'GET', path: `/videos/generations/${encodeURIComponent(taskId)}` };
	},

	parseTask(raw: IDataObject, fallbackTaskId?: string): NormalisedTask {
		const gatewayStatus = firstString(raw, ['status']);
		const error = taskError(raw);
		return {
			taskId: firstString(raw, ['id', 'task_id']) ?? fallbackTaskId ?? '',
			provider: 'tokenhub',
			model: firstString(raw, ['model']),
			status: normaliseStatus(gatewayStatus),
			gatewayStatus,
			videoUrl: firstString(raw, ['data.0.video_url', 'content.video_url', 'video_url']),
			coverImageUrl: firstString(raw, ['data.0.cover_image_url', 'cover_image_url']),
			lastFrameUrl: firstString(raw, [
				'data.0.last_frame_url',
				'content.last_frame_url',
				'last_frame_url',
			]),
			videoDuration: firstNumber(raw, ['usage.video_duration', 'duration']),
			progress: firstNumber(raw, ['progress']),
			completionTokens: null,
			errorCode: error.code,
			errorMessage: error.message,
			raw,
		};
	},

	contentRequest() {
		// TokenHub always returns a CDN URL; there is no content endpoint.
		return null;
	},

	parseError: parseOpenAiStyleError,

	// No task list is documented.
	listRequest() {
		return null;
	},

	parseTaskList() {
		return { tasks: [], total: null };
	},

	// Not in TokenHub's guide; OpenAI-compatible gateways serve it. The node falls back to the
	// table above when it is missing or lists no Seedance model.
	modelsRequest() {
		return { method: 'GET', path: '/models' };
	},

	// TokenHub's guide documents no cancel or delete call.
	deleteRequest() {
		return null;
	},
};
