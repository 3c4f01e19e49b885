// AIHubMix gateway (https://aihubmix.com/v1), from its Seedance guide and the
// OpenAI-compatible video reference: POST /videos, GET /videos/{id},
// GET /videos/{id}/content, DELETE /videos/{id}.

import {
	modelList,
	admitTask,
	ApiError,
	checkBoolean,
	checkMediaLimits,
	countContent,
	createTask,
	emptyCounts,
	isRecord,
	isSucceeded,
	randomHex,
	SENSITIVE_ERROR,
	taskPhase,
	taskProgress,
	unixSeconds,
	signedUrl,
	videoReply,
} from './core';
import type { GatewayModule, GatewayRequest, Reply, SimState } from './core';
import type { SimTask } from './types';

export const AIHUBMIX_PREFIX = '/aihubmix/v1';

const HD = ['480p', '720p', '1080p'];
const MODEL_RESOLUTIONS: Record<string, string[]> = {
	'doubao-seedance-2-0-260128': ['480p', '720p'],
	'doubao-seedance-2-0-fast-260128': ['480p', '720p'],
	'doubao-seedance-1-5-pro-251215': HD,
	'doubao-seedance-1-0-pro-250528': HD,
	'doubao-seedance-1-0-pro-fast-251015': HD,
};
const RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'];
const DAY_S = 24 * 60 * 60;

function invalid(param: string, message: string, code = 'invalid_parameter'): ApiError {
	return new ApiError(400, message, param, code);
}

function validateCreate(body: unknown): Record<string, unknown> {
	if (!isRecord(body)) throw invalid('body', 'request body must be a JSON object');
	const model = body.model;
	if (typeof model !== 'string' || !(model in MODEL_RESOLUTIONS)) {
		throw invalid('model', `model ${String(model)} is not supported for video generation`);
	}
	const prompt = body.prompt;
	if (typeof prompt !== 'string' || prompt.trim() === '') throw invalid('prompt', 'prompt is required', 'prompt_missing');
	// "Characters" counted as code points, so emoji count once.
	if (Array.from(prompt).length > 4000) {
		throw invalid('prompt', 'prompt must be at most 4000 characters', 'prompt_too_long');
	}
	if (body.ratio !== undefined && !RATIOS.includes(body.ratio as string)) {
		throw invalid('ratio', `ratio must be one of ${RATIOS.join(', ')}`);
	}
	if (body.resolution !== undefined && !MODEL_RESOLUTIONS[model].includes(body.resolution as string)) {
		throw invalid(
			'resolution',
			`resolution ${String(body.resolution)} is not supported by ${model} (${MODEL_RESOLUTIONS[model].join(', ')})`,
			'size_not_supported',
		);
	}
	if (body.duration !== undefined) {
		const d = body.duration;
		if (typeof d !== 'number' || !Number.isInteger(d) || d < 2 || d > 15) {
			throw invalid('duration', 'duration must be an integer between 2 and 15');
		}
	}
	if (body.seed !== undefined) {
		const s = body.seed;
		if (typeof s !== 'number' || !Number.isInteger(s) || s < -1 || s > 0xffffffff) {
			throw invalid('seed', 'seed must be an integer between -1 and 4294967295');
		}
	}
	checkBoolean(body, 'generate_audio');
	checkBoolean(body, 'return_last_frame');
	checkBoolean(body, 'watermark');
	const counts = emptyCounts();
	countContent(body.content, counts);
	checkMediaLimits(counts);
	return body;
}

/** AIHubMix ids are base64 JSON; base64url keeps them safe in a path segment. */
function newVideoId(model: string): string {
	return Buffer.from(JSON.stringify({ model, id: `video_${randomHex(12)}` })).toString('base64url');
}

function baseObject(task: SimTask): Record<string, unknown> {
	return {
		id: task.id,
		object: 'video',
		model: task.model,
		created_at: unixSeconds(task.createdAt),
		seconds: String(typeof task.body.duration === 'number' ? task.body.duration : 5),
		size: typeof task.body.resolution === 'string' ? task.body.resolution : '720p',
	};
}

function videoObject(state: SimState, task: SimTask, now: number): Record<string, unknown> {
	const phase = taskPhase(task, now);
	const base = baseObject(task);
	if (phase === 'queued') return { ...base, status: 'queued', progress: 0 };
	if (phase === 'running') return { ...base, status: 'in_progress', progress: taskProgress(task, now) };
	if (task.outcome === 'fail') return { ...base, status: 'failed', progress: 100, error: { ...SENSITIVE_ERROR } };
	if (task.outcome === 'expire') {
		return { ...base, status: 'failed', progress: 100, error: { code: 'expired', message: 'The task timed out before completion.' } };
	}
	const completedAt = unixSeconds(task.createdAt + task.jobMs);
	const done: Record<string, unknown> = {
		...base,
		status: 'completed',
		progress: 100,
		completed_at: completedAt,
		expires_at: completedAt + DAY_S,
	};
	if (task.body.return_last_frame === true) done.last_frame_url = signedUrl(state, `/aihubmix/frames/${task.id}.png`);
	if (state.knobs.aihubmixInlineVideoUrl) done.video_url = signedUrl(state, `/aihubmix/videos/${task.id}.mp4`);
	return done;
}

function findTask(state: SimState, id: string): SimTask {
	const task = state.tasks.get(id);
	if (!task || task.gateway !== 'aihubmix') throw new ApiError(404, `video ${id} not found`, 'video_id', 'not_found');
	return task;
}

export const aihubmix: GatewayModule = {
	name: 'aihubmix',
	prefix: AIHUBMIX_PREFIX,
	key: (knobs) => knobs.aihubmixKey,
	errorBody: (err) => ({
		error: {
			message: err.message,
			type: err.type ?? 'invalid_request_error',
			param: err.param ?? null,
			code: err.code ?? (err.status === 400 ? 'invalid_parameter' : null),
		},
	}),
	unauthorized: () => new ApiError(401, 'Invalid token', undefined, undefined, 'authentication_error'),
	isCreate: (method, route) => method === 'POST' && route.replace(/\/$/, '') === '/videos',
	isStatusCheck: (method, route) => method === 'GET' && /^\/videos\/[^/]+\/?$/.test(route),
	handle(req: GatewayRequest): Reply {
		const { state, method, route, now } = req;
		if (aihubmix.isCreate(method, route)) {
			const body = validateCreate(req.body);
			const model = body.model as string;
			admitTask(state, 'aihubmix', now, {
				// AIHubMix's documented codes: 429 "The xx model Too many requests", 403 insufficient_user_quota.
				queueFull: () => new ApiError(429, `The ${model} model Too many requests`, undefined, 'rate_limit_exceeded', 'rate_limit_error'),
				balance: () => new ApiError(403, 'Insufficient account balance', undefined, 'insufficient_user_quota', 'insufficient_user_quota'),
			});
			const task = createTask(state, 'aihubmix', newVideoId(model), model, body, now);
			return { status: 200, json: { ...baseObject(task), status: 'queued', progress: 0 } };
		}
		// OpenAI-style list; the live one also has chat and image models, and newer Seedance ids.
		if (method === 'GET' && route === '/models') {
			return { status: 200, json: modelList([...Object.keys(MODEL_RESOLUTIONS), 'doubao-seedance-2-1-preview-261001', 'gpt-4o-mini', 'sora-2']) };
		}
		const m = /^\/videos\/([^/]+)(\/content)?\/?$/.exec(route);
		if (m) {
			const id = decodeURIComponent(m[1]);
			const content = m[2] !== undefined;
			if (!content && method === 'GET') {
				const task = findTask(state, id);
				task.pollCount++;
				return { status: 200, json: videoObject(state, task, now) };
			}
			if (!content && method === 'DELETE') {
				findTask(state, id);
				state.tasks.delete(id);
				return { status: 200, json: { id, object: 'video.deleted', deleted: true } };
			}
			if (content && (method === 'GET' || method === 'HEAD')) {
				const task = findTask(state, id);
				if (!isSucceeded(task, now)) {
					const status = String(videoObject(state, task, now).status);
					throw new ApiError(409, `video ${id} is not ready for download (status: ${status})`, 'video_id', 'video_not_ready');
				}
				// Many gateways hand the bytes off to object storage with a redirect.
				if (state.knobs.redirectContent) {
					return { status: 302, headers: { Location: signedUrl(state, `/aihubmix/videos/${task.id}.mp4`) } };
				}
				return videoReply(state, task);
			}
		}
		throw new ApiError(404, `no route for ${method} ${route}`, undefined, 'not_found');
	},
};
