import type { IDataObject } from 'n8n-workflow';

import type { GenerationRequest, NormalisedTask, SeedanceGateway } from './gateway';
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
 * AIHubMix (https://aihubmix.com/v1), from its Seedance guide and its OpenAI-compatible
 * video API: POST /videos, GET /videos/{id}, GET /videos/{id}/content (needs the key).
 * A completed task may or may not carry a URL (undocumented for Seedance), so the
 * content endpoint is the fallback.
 */
export const aiHubMixGateway: SeedanceGateway = {
	name: 'aihubmix',
	displayName: 'AIHubMix',
	credentialType: 'aiHubMixApi',
	defaultBaseUrl: 'https://aihubmix.com/v1',
	baseUrl: (credentials: IDataObject) => credentials.baseUrl,
	priceList: () => 'aihubmix',
	capabilities: {
		models: [
			{ id: 'doubao-seedance-2-0-260128', resolutions: ['480p', '720p'] },
			{ id: 'doubao-seedance-2-0-fast-260128', resolutions: ['480p', '720p'] },
			{ id: 'doubao-seedance-1-5-pro-251215', resolutions: ['480p', '720p', '1080p'] },
			{ id: 'doubao-seedance-1-0-pro-250528', resolutions: ['480p', '720p', '1080p'] },
			{ id: 'doubao-seedance-1-0-pro-fast-251015', resolutions: ['480p', '720p', '1080p'] },
		],
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
		media: { maxImages: 9, maxVideos: 3, maxAudios: 3 },
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
		if (request.media.length) body.content = buildContentArray(request.media);
		return { method: 'POST', path: '/videos', body: { ...body, ...request.additionalBodyFields } };
	},

	readBilledRequest(body: IDataObject) {
		return readContentBody(body, AIHUBMIX_BODY_FIELDS);
	},

	taskRequest(taskId: string) {
		return { method: 'GET', path: `/videos/${encodeURIComponent(taskId)}` };
	},

	parseTask(raw: IDataObject, fallbackTaskId?: string): NormalisedTask {
		const gatewayStatus = firstString(raw, ['status']);
		const error = taskError(raw);
		return {
			taskId: firstString(raw, ['id', 'video_id', 'task_id']) ?? fallbackTaskId ?? '',
			provider: 'aihubmix',
			model: firstString(raw, ['model']),
			status: normaliseStatus(gatewayStatus),
			gatewayStatus,
			videoUrl: firstString(raw, [
				'video_url',
				'url',
				'output_url',
				'content.video_url',
				'data.0.video_url',
				'data.0.url',
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

	parseError: parseOpenAiStyleError,

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
