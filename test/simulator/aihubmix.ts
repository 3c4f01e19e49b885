// AIHubMix gateway (https://aihubmix.com/v1), from its Seedance guide and the
// OpenAI-compatible video reference: POST /videos, GET /videos/{id},
// GET /videos/{id}/content, DELETE /videos/{id}.
//
// The create bodies it accepts are exactly the shapes a source shows:
// - the Seedance guide (docs.aihubmix.com, Seedance page): top-level `model`, `prompt`, `duration`
//   and, with media, `content` holding only the media entries; a text-only request without `content`;
// - AIHubMix's own client (AIhubmix/aihubmix-media-adapters, src/adapters/video.ts, and
//   tests/parity-aihubmix-video.test.ts, "what their production app's create-task sends"):
//   top-level `prompt` and `content[0] = {type: 'text', text: <the same prompt>}`, then the media.
// So a top-level prompt is always required (AIHubMix's documented 400 prompt_missing), and a text
// entry, if any, is the one first entry of `content` and repeats the prompt. Any other shape (a
// text entry later, two of them, one that differs from the prompt) is refused here with
// invalid_parameter: no source shows what AIHubMix does with it, so the simulator does not guess.
//
// Each model's own limits are the upstream (Ark) model's, which AIHubMix forwards to: durations,
// resolutions (AIHubMix's guide: 480p/720p for the 2.0 models), and the 1.x models refusing
// reference media with Ark's own words ("The parameter task_type specified in the request is not
// valid: the specified task_type r2v does not support model doubao-seedance-1-5-pro", quoted by
// public clients; AIhubmix/aihubmix-media-adapters README.md: 1.x is first frame only). Seedance
// 2.5 (doubao-seedance-2-5-260628, in a public catalogue of AIHubMix's models) has the limits the
// SECONDHAND sources report: 4–30 s, 480p/720p, up to 30 images, 10 videos, 10 audios, audio-only
// references allowed (docs.laozhang.ai, developer.civitai.com, docs.comfy.org); the node does not
// know them, so these are what refuses a bad request to it.
//
// Where a finished task's inline video URL sits (knob aihubmixInlineVideoUrl) follows the places
// AIHubMix's own client reads (normalizeVideoResponse): `video_url` by default; a prompt marker
// [sim:url-at=data.video_url] or [sim:url-at=unsigned_urls] moves it (and turns it on).

import {
	modelList,
	admitTask,
	ApiError,
	checkBoolean,
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
import type { GatewayModule, GatewayRequest, MediaCounts, Reply, SimState } from './core';
import type { SimTask } from './types';

export const AIHUBMIX_PREFIX = '/aihubmix/v1';

const HD = ['480p', '720p', '1080p'];

interface SimModel {
	resolutions: string[];
	duration: { min: number; max: number };
	/** Reference media (an r2v task): the 1.x models refuse it. */
	r2v: boolean;
	lastFrame: boolean;
	images: number;
	videos: number;
	audios: number;
	/** Audio may be the only reference. */
	audioOnly: boolean;
}

const TWO: SimModel = { resolutions: ['480p', '720p'], duration: { min: 4, max: 15 }, r2v: true, lastFrame: true, images: 9, videos: 3, audios: 3, audioOnly: false };
const ONE: SimModel = { resolutions: HD, duration: { min: 2, max: 12 }, r2v: false, lastFrame: true, images: 2, videos: 0, audios: 0, audioOnly: false };
const MODELS: Record<string, SimModel> = {
	'doubao-seedance-2-0-260128': TWO,
	'doubao-seedance-2-0-fast-260128': TWO,
	'doubao-seedance-1-5-pro-251215': { ...ONE, duration: { min: 4, max: 12 } },
	'doubao-seedance-1-0-pro-250528': ONE,
	'doubao-seedance-1-0-pro-fast-251015': { ...ONE, lastFrame: false, images: 1 },
	// Secondhand limits (see above); the node has no family for it.
	'doubao-seedance-2-5-260628': { resolutions: ['480p', '720p'], duration: { min: 4, max: 30 }, r2v: true, lastFrame: true, images: 30, videos: 10, audios: 10, audioOnly: true },
};
const RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'];
const DAY_S = 24 * 60 * 60;

function invalid(param: string, message: string, code = 'invalid_parameter'): ApiError {
	return new ApiError(400, message, param, code);
}

/** Ark's wording for a parameter it refuses, which AIHubMix passes on. */
function notValid(param: string, detail: string): ApiError {
	return invalid(param, `The parameter ${param} specified in the request is not valid: ${detail}`);
}

/** The two shapes a source shows: media only, or the prompt as one first text entry, then media. */
function checkTextEntries(content: unknown, prompt: string): void {
	if (!Array.isArray(content)) return;
	content.forEach((item: unknown, i) => {
		if (!isRecord(item) || item.type !== 'text') return;
		if (i !== 0) throw invalid(`content[${i}]`, `content[${i}]: a text entry must be the first entry of content`);
		if (item.text !== prompt) throw invalid('content[0].text', 'content[0].text must repeat the prompt');
	});
}

function validateCreate(body: unknown): Record<string, unknown> {
	if (!isRecord(body)) throw invalid('body', 'request body must be a JSON object');
	const model = body.model;
	if (typeof model !== 'string' || !(model in MODELS)) {
		throw invalid('model', `model ${String(model)} is not supported for video generation`);
	}
	const spec = MODELS[model];
	const prompt = body.prompt;
	if (typeof prompt !== 'string' || prompt.trim() === '') throw invalid('prompt', 'prompt is required', 'prompt_missing');
	// "Characters" counted as code points, so emoji count once.
	if (Array.from(prompt).length > 4000) {
		throw invalid('prompt', 'prompt must be at most 4000 characters', 'prompt_too_long');
	}
	if (body.ratio !== undefined && !RATIOS.includes(body.ratio as string)) {
		throw invalid('ratio', `ratio must be one of ${RATIOS.join(', ')}`);
	}
	if (body.resolution !== undefined && !spec.resolutions.includes(body.resolution as string)) {
		throw invalid(
			'resolution',
			`resolution ${String(body.resolution)} is not supported by ${model} (${spec.resolutions.join(', ')})`,
			'size_not_supported',
		);
	}
	if (body.duration !== undefined) {
		const d = body.duration;
		const { min, max } = spec.duration;
		if (typeof d !== 'number' || !Number.isInteger(d) || d < min || d > max) {
			throw notValid('duration', `${model} takes a whole number of seconds from ${min} to ${max}, got ${String(d)}`);
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
	checkTextEntries(body.content, prompt);
	const counts = emptyCounts();
	countContent(body.content, counts);
	checkModelMedia(model, spec, body.content, counts);
	return body;
}

/** The model's own rules on media (core's checkMediaLimits has 2.0's counts; 2.5 takes more). */
function checkModelMedia(model: string, spec: SimModel, content: unknown, counts: MediaCounts): void {
	const roles = Array.isArray(content) ? content.filter(isRecord).map((item) => item.role) : [];
	const references = roles.filter((role) => typeof role === 'string' && role.startsWith('reference_')).length;
	if (references > 0 && !spec.r2v) {
		// Ark names the model without its date suffix.
		throw notValid('task_type', `the specified task_type r2v does not support model ${model.replace(/-\d{6}$/, '')}`);
	}
	if (counts.firstFrames > 1) throw invalid('content', 'at most 1 first_frame image is allowed');
	if (counts.lastFrames > 1) throw invalid('content', 'at most 1 last_frame image is allowed');
	if (counts.lastFrames > 0 && counts.firstFrames === 0) throw invalid('content', 'a last_frame image requires a first_frame image');
	if (counts.lastFrames > 0 && !spec.lastFrame) throw notValid('task_type', `the specified task_type flf2v does not support model ${model.replace(/-\d{6}$/, '')}`);
	if (counts.images > spec.images) throw invalid('content', `at most ${spec.images} images are allowed`);
	if (counts.videos > spec.videos) throw invalid('content', `at most ${spec.videos} videos are allowed`);
	if (counts.audios > spec.audios) throw invalid('content', `at most ${spec.audios} audios are allowed`);
	if (counts.audios > 0 && counts.images + counts.videos === 0 && !spec.audioOnly) {
		throw invalid('content', 'audio cannot be the only reference media: add at least one image or video');
	}
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
	const at = /\[sim:url-at=(data\.video_url|unsigned_urls)\]/.exec(task.prompt)?.[1];
	const url = signedUrl(state, `/aihubmix/videos/${task.id}.mp4`);
	if (at === 'data.video_url') done.data = { video_url: url };
	else if (at === 'unsigned_urls') done.unsigned_urls = [url];
	else if (state.knobs.aihubmixInlineVideoUrl) done.video_url = url;
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
		// OpenAI-style list; the live one also has chat and image models, and newer Seedance ids
		// (2.5, whose ID a public catalogue of AIHubMix's models lists; a made-up preview the simulator
		// does not serve, as a listed model can be unavailable).
		if (method === 'GET' && route === '/models') {
			return { status: 200, json: modelList([...Object.keys(MODELS), 'doubao-seedance-2-1-preview-261001', 'gpt-4o-mini', 'sora-2']) };
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
