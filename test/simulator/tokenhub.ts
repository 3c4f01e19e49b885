/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
// TokenHub gateway (https://tokenhub.store/api/v1), from its Seedance 2.0 guide:
// POST /videos/generations and GET /videos/generations/{id}.

import {
	modelList,
	admitTask,
	ApiError,
	checkBoolean,
	checkMediaLimits,
	checkMediaUrl,
	countContent,
	createTask,
	emptyCounts,
	isRecord,
	newUuid,
	SENSITIVE_ERROR,
	signedUrl,
	taskPhase,
	unixSeconds,
} from './core';
import type { GatewayModule, GatewayRequest, MediaCounts, Reply, SimState } from './core';
import type { SimTask } from './types';

export const TOKENHUB_PREFIX = '/tokenhub/api/v1';

const MODELS = ['doubao-seedance-2.0', 'doubao-seedance-2.0-fast'];
const RESOLUTIONS = ['480p', '720p'];
const ASPECT_RATIOS = ['adaptive', '16:9', '9:16', '1:1', '4:3', '3:4', '21:9'];

function invalid(param: string, message: string): ApiError {
	return new ApiError(400, message, param, 'InvalidParameter');
}

/** Counts top-level `<kind>_url` / `<kind>_urls` media fields (each URL checked). */
function countTopLevel(body: Record<string, unknown>, kind: 'image' | 'video' | 'audio', counts: MediaCounts): void {
	const single = `${kind}_url`;
	const plural = `${kind}_urls`;
	let n = 0;
	if (body[single] !== undefined) {
		checkMediaUrl(body[single], single);
		n++;
	}
	const list = body[plural];
	if (list !== undefined) {
		if (!Array.isArray(list)) throw invalid(plural, `${plural} must be an array of URLs`);
		if (kind !== 'image' && list.length > 3) throw invalid(plural, `${plural} accepts at most 3 URLs`);
		list.forEach((u: unknown, i) => checkMediaUrl(u, `${plural}[${i}]`));
		n += list.length;
	}
	if (kind === 'image') counts.images += n;
	else if (kind === 'video') counts.videos += n;
	else counts.audios += n;
}

function validateCreate(body: unknown): Record<string, unknown> {
	if (!isRecord(body)) throw invalid('body', 'request body must be a JSON object');
	if (typeof body.model !== 'string' || body.model === '') throw invalid('model', 'model is required');
	if (!MODELS.includes(body.model)) throw invalid('model', `model ${body.model} is not supported`);
	if (typeof body.prompt !== 'string' || body.prompt.trim() === '') throw invalid('prompt', 'prompt is required');
	if (body.duration !== undefined) {
		const d = body.duration;
		if (typeof d !== 'number' || !Number.isFinite(d) || d < 4 || d > 15) {
			throw invalid('duration', 'duration must be a number between 4 and 15');
		}
	}
	if (body.resolution !== undefined && !RESOLUTIONS.includes(body.resolution as string)) {
		throw invalid('resolution', `resolution must be one of ${RESOLUTIONS.join(', ')}`);
	}
	if (body.aspect_ratio !== undefined && !ASPECT_RATIOS.includes(body.aspect_ratio as string)) {
		throw invalid('aspect_ratio', `aspect_ratio must be one of ${ASPECT_RATIOS.join(', ')}`);
	}
	if (body.video_durations !== undefined) {
		const v = body.video_durations;
		if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && x > 0)) {
			throw invalid('video_durations', 'video_durations must be an array of positive numbers');
		}
		// Paired with the reference videos by position, so the lengths must match.
		const videos = Array.isArray(body.content) ? body.content.filter((item) => isRecord(item) && item.type === 'video_url').length : 0;
		if (v.length !== videos) {
			throw invalid('video_durations', `video_durations has ${v.length} entries but content has ${videos} reference videos; give one duration per video`);
		}
	}
	if (body.input_video_duration !== undefined) {
		const v = body.input_video_duration;
		if (typeof v !== 'number' || !(v > 0)) {
			throw invalid('input_video_duration', 'input_video_duration must be a positive number');
		}
	}
	checkBoolean(body, 'generate_audio');
	checkBoolean(body, 'watermark');

	const counts = emptyCounts();
	countTopLevel(body, 'image', counts);
	countTopLevel(body, 'video', counts);
	countTopLevel(body, 'audio', counts);
	countContent(body.content, counts);
	checkMediaLimits(counts);
	return body;
}

function baseObject(task: SimTask): Record<string, unknown> {
	return { id: task.id, object: 'video.generation.task', model: task.model, created: unixSeconds(task.createdAt) };
}

function taskObject(state: SimState, task: SimTask, now: number): Record<string, unknown> {
	const phase = taskPhase(task, now);
	const base = baseObject(task);
	if (phase !== 'done') return { ...base, status: phase };
	if (task.outcome === 'fail') return { ...base, status: 'failed', error: { ...SENSITIVE_ERROR } };
	if (task.outcome === 'expire') {
		return { ...base, status: 'expired', error: { code: 'expired', message: 'The task timed out before completion.' } };
	}
	const data: Record<string, unknown> = {
		video_url: signedUrl(state, `/tokenhub/videos/${task.id}.mp4`),
		cover_image_url: signedUrl(state, `/tokenhub/covers/${task.id}.jpg`),
	};
	// Not documented by TokenHub; offered because native Ark returns it when asked.
	if (task.body.return_last_frame === true) data.last_frame_url = signedUrl(state, `/tokenhub/frames/${task.id}.png`);
	return {
		...base,
		status: 'succeeded',
		data: [data],
		usage: { video_duration: typeof task.body.duration === 'number' ? task.body.duration : 5 },
	};
}

function notFound(): ApiError {
	return new ApiError(404, 'task not found', undefined, 'NotFound');
}

export const tokenhub: GatewayModule = {
	name: 'tokenhub',
	prefix: TOKENHUB_PREFIX,
	key: (knobs) => knobs.tokenhubKey,
	errorBody: (err) => ({
		error: {
			message: err.message,
			type: err.type ?? 'invalid_request_error',
			code: err.code ?? 'InvalidParameter',
			...(err.param !== undefined ? { param: err.param } : {}),
		},
	}),
	// The guide does not show a 401 body; this mirrors the Ark code it fronts.
	unauthorized: () =>
		new ApiError(401, 'The API key in the request is missing or invalid.', undefined, 'AuthenticationError', 'authentication_error'),
	isCreate: (method, route) => method === 'POST' && route.replace(/\/$/, '') === '/videos/generations',
	isStatusCheck: (method, route) => method === 'GET' && /^\/videos\/generations\/[^/]+\/?$/.test(route),
	handle(req: GatewayRequest): Reply {
		const { state, method, route, now } = req;
		if (tokenhub.isCreate(method, route)) {
			const body = validateCreate(req.body);
			admitTask(state, 'tokenhub', now, {
				// As Ark, which TokenHub resells: 429 when the account's queue is full, 403 when it is overdue.
				queueFull: (cap) => new ApiError(429, `Too many tasks queued or running for this account (limit ${cap}); try again when one finishes`, undefined, 'TooManyRequests', 'rate_limit_error'),
				balance: () => new ApiError(403, 'The account has an overdue balance; recharge to continue', undefined, 'AccountOverdueError', 'forbidden'),
			});
			const task = createTask(state, 'tokenhub', newUuid(), body.model as string, body, now);
			// The create answer is always `queued`, even with a zero-length clock.
			return { status: 200, json: { ...baseObject(task), status: 'queued' } };
		}
		if (method === 'GET' && route === '/models') return { status: 200, json: modelList([...MODELS, 'gpt-4o-mini', 'doubao-seedream-4.0']) };
		const m = /^\/videos\/generations\/([^/]+)\/?$/.exec(route);
		if (m && method === 'GET') {
			const task = state.tasks.get(decodeURIComponent(m[1]));
			if (!task || task.gateway !== 'tokenhub') throw notFound();
			task.pollCount++;
			return { status: 200, json: taskObject(state, task, now) };
		}
		throw new ApiError(404, `no route for ${method} ${route}`, undefined, 'NotFound');
	},
};
