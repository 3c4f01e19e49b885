// Ark: the native Seedance task API of BytePlus ModelArk (https://ark.ap-southeast.bytepluses.com/api/v3)
// and Volcengine Ark (https://ark.cn-beijing.volces.com/api/v3), played from the vendors' own pages:
//   create  POST   /contents/generations/tasks        https://www.volcengine.com/docs/82379/1520757
//                                                     (BytePlus: https://docs.byteplus.com/en/docs/ModelArk/1520757)
//   get     GET    /contents/generations/tasks/{id}   https://www.volcengine.com/docs/82379/1521309
//   list    GET    /contents/generations/tasks        https://www.volcengine.com/docs/82379/1521675
//   delete  DELETE /contents/generations/tasks/{id}   https://www.volcengine.com/docs/82379/1521720
//   errors  {error:{code,message,param,type}}         https://docs.byteplus.com/en/docs/ModelArk/1299023
// Also the official SDKs' task object (byteplus-sdk/byteplus-python-sdk-v2,
// byteplussdkarkruntime/types/content_generation/content_generation_task.py).
//
// Where the docs are silent the simulator picks an answer and says so here:
// - an unknown task id (never made, deleted, older than 7 days) is 404 ResourceNotFound;
// - DELETE of a running or a cancelled task is 400 InvalidParameter whose message says why
//   (the docs only say "not supported");
// - the per-account queue cap answers 429 RateLimitExceeded (the docs give the cap, 120 queued
//   tasks, not the answer); the queueCap knob counts queued and running tasks, as for the others;
// - `ratio: "adaptive"` resolves to 16:9 and `duration: -1` to 5 s (the real model chooses);
// - the list is newest first; page_size defaults to 10;
// - knobs (setArkListQuirks) make the list misbehave as a gateway in front of Ark might: pages
//   capped below page_size, pages repeated, short pages, a total that lies or is missing;
// - reference video/audio durations and image sizes are not checked (the simulator never
//   fetches the media); a data: URL's declared format is.

import * as crypto from 'node:crypto';

import {
	admitTask,
	ApiError,
	createTask,
	isRecord,
	SENSITIVE_ERROR,
	signedUrl,
	taskPhase,
	unixSeconds,
} from './core';
import type { GatewayModule, GatewayRequest, Reply, SimState } from './core';
import type { ArkListQuirks, SimTask } from './types';
import { arkStatusChanged, startArkCallbacks } from './ark-callbacks';

export const ARK_PREFIX = '/ark/api/v3';

const TASKS_ROUTE = '/contents/generations/tasks';
const DAY_MS = 24 * 60 * 60 * 1000;
/** "Only historical data from the last 7 days can be queried" (get and list pages); ids are kept 7 days (create page). */
const KEPT_MS = 7 * DAY_MS;
/** "cancelled: ... automatically deleted after 24h" (get page). */
const CANCELLED_KEPT_MS = DAY_MS;
const FPS = 24;

// ---------------------------------------------------------------------------
// Models, from the create page (model capabilities; resolution, ratio, duration, frames,
// service_tier and generate_audio notes). Both regions' ids: Volcengine's doubao-*, BytePlus's
// dreamina-seedance-2-0-* and seedance-1-*.

type PixelTable = 'seedance1' | 'seedance2';

interface ModelSpec {
	family: string;
	resolutions: readonly string[];
	defaultResolution: string;
	minDuration: number;
	maxDuration: number;
	/** duration -1: the model picks (2.0, 2.0 fast, 1.5 pro). */
	autoDuration: boolean;
	/** `frames` instead of `duration` (1.0 models only). */
	frames: boolean;
	/** service_tier flex (offline, half price); "seedance 2.0 & 2.0 fast do not support offline inference". */
	flex: boolean;
	firstFrame: boolean;
	firstLastFrame: boolean;
	/** Most reference images (multimodal reference / reference-image scenario); 0 = none. */
	referenceImages: number;
	/** Reference videos and audios ("only seedance 2.0 & 2.0 fast support input video / audio"). */
	referenceMedia: boolean;
	/** Most reference videos and audios (3 each on 2.0). */
	referenceVideos: number;
	referenceAudios: number;
	/** Audio may be the only reference (not on 2.0: "audio cannot be the only reference"). */
	audioOnly: boolean;
	/** generate_audio ("only seedance 2.0 & 2.0 fast, seedance 1.5 pro"). */
	audio: boolean;
	/** ratio adaptive for text-to-video too (2.0, 1.5 pro); 1.0 models only in the first(/last) frame scenarios. */
	adaptiveAlways: boolean;
	pixels: PixelTable;
}

const HD = ['480p', '720p', '1080p'] as const;

const SEEDANCE_2: ModelSpec = {
	family: 'seedance 2.0',
	resolutions: HD,
	defaultResolution: '720p',
	minDuration: 4,
	maxDuration: 15,
	autoDuration: true,
	frames: false,
	flex: false,
	firstFrame: true,
	firstLastFrame: true,
	referenceImages: 9,
	referenceMedia: true,
	referenceVideos: 3,
	referenceAudios: 3,
	audioOnly: false,
	audio: true,
	adaptiveAlways: true,
	pixels: 'seedance2',
};

const SPECS: Record<string, ModelSpec> = {
	'2.0': SEEDANCE_2,
	'2.0-fast': { ...SEEDANCE_2, family: 'seedance 2.0 fast', resolutions: ['480p', '720p'] },
	'1.5-pro': {
		...SEEDANCE_2,
		family: 'seedance 1.5 pro',
		maxDuration: 12,
		flex: true,
		referenceImages: 0,
		referenceMedia: false,
	},
	'1.0-pro': {
		family: 'seedance 1.0 pro',
		resolutions: HD,
		defaultResolution: '1080p',
		minDuration: 2,
		maxDuration: 12,
		autoDuration: false,
		frames: true,
		flex: true,
		firstFrame: true,
		firstLastFrame: true,
		referenceImages: 0,
		referenceMedia: false,
		referenceVideos: 0,
		referenceAudios: 0,
		audioOnly: false,
		audio: false,
		adaptiveAlways: false,
		pixels: 'seedance1',
	},
	// Newer models, with the limits SECONDHAND sources report (no official page could be read):
	// Seedance 2.5 4–30 s, 480p/720p, up to 30 images, 10 videos, 10 audios, audio-only references
	// (docs.laozhang.ai, developer.civitai.com/orchestration/recipes/seedance, docs.comfy.org);
	// 2.0 mini as 2.0 at 480p/720p (public client code). The node knows neither's limits: these are
	// what refuses a bad request to them.
	'2.5': { ...SEEDANCE_2, family: 'seedance 2.5', resolutions: ['480p', '720p'], maxDuration: 30, referenceImages: 30, referenceVideos: 10, referenceAudios: 10, audioOnly: true },
	'2.0-mini': { ...SEEDANCE_2, family: 'seedance 2.0 mini', resolutions: ['480p', '720p'] },
};
SPECS['1.0-pro-fast'] = { ...SPECS['1.0-pro'], family: 'seedance 1.0 pro fast', firstLastFrame: false };
SPECS['1.0-lite-t2v'] = { ...SPECS['1.0-pro'], family: 'seedance 1.0 lite t2v', defaultResolution: '720p', firstFrame: false, firstLastFrame: false };
SPECS['1.0-lite-i2v'] = { ...SPECS['1.0-pro'], family: 'seedance 1.0 lite i2v', defaultResolution: '720p', referenceImages: 4 };

const MODEL_FAMILY: Record<string, string> = {
	'doubao-seedance-2-0-260128': '2.0',
	'dreamina-seedance-2-0-260128': '2.0',
	'doubao-seedance-2-0-fast-260128': '2.0-fast',
	'dreamina-seedance-2-0-fast-260128': '2.0-fast',
	'doubao-seedance-1-5-pro-251215': '1.5-pro',
	'seedance-1-5-pro-251215': '1.5-pro',
	'doubao-seedance-1-0-pro-250528': '1.0-pro',
	'seedance-1-0-pro-250528': '1.0-pro',
	'doubao-seedance-1-0-pro-fast-251015': '1.0-pro-fast',
	'seedance-1-0-pro-fast-251015': '1.0-pro-fast',
	'doubao-seedance-1-0-lite-t2v-250428': '1.0-lite-t2v',
	'seedance-1-0-lite-t2v-250428': '1.0-lite-t2v',
	'doubao-seedance-1-0-lite-i2v-250428': '1.0-lite-i2v',
	'seedance-1-0-lite-i2v-250428': '1.0-lite-i2v',
	'doubao-seedance-2-5-260628': '2.5',
	'dreamina-seedance-2-5-260628': '2.5',
	'doubao-seedance-2-0-mini-260615': '2.0-mini',
	'dreamina-seedance-2-0-mini-260615': '2.0-mini',
};

export const ARK_MODELS: readonly string[] = Object.keys(MODEL_FAMILY);

function specOf(model: string): ModelSpec | undefined {
	const family = MODEL_FAMILY[model];
	return family === undefined ? undefined : SPECS[family];
}

const RATIOS = ['16:9', '4:3', '1:1', '3:4', '9:16', '21:9'] as const;
const STATUSES = ['queued', 'running', 'cancelled', 'succeeded', 'failed', 'expired'] as const;
const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'bmp', 'tiff', 'gif', 'heic', 'heif'];
const AUDIO_FORMATS = ['wav', 'mp3', 'mpeg'];

/**
 * Output width × height per resolution and ratio: the create page's table "不同宽高比对应的宽高像素值"
 * (https://www.volcengine.com/docs/82379/1520757), one column for the seedance 1.0 series and one
 * for seedance 1.5 pro, 2.0 and 2.0 fast.
 */
export const ARK_PIXELS: Record<PixelTable, Record<string, Record<string, [number, number]>>> = {
	seedance1: {
		'480p': { '16:9': [864, 480], '4:3': [736, 544], '1:1': [640, 640], '3:4': [544, 736], '9:16': [480, 864], '21:9': [960, 416] },
		'720p': { '16:9': [1248, 704], '4:3': [1120, 832], '1:1': [960, 960], '3:4': [832, 1120], '9:16': [704, 1248], '21:9': [1504, 640] },
		'1080p': { '16:9': [1920, 1088], '4:3': [1664, 1248], '1:1': [1440, 1440], '3:4': [1248, 1664], '9:16': [1088, 1920], '21:9': [2176, 928] },
	},
	seedance2: {
		'480p': { '16:9': [864, 496], '4:3': [752, 560], '1:1': [640, 640], '3:4': [560, 752], '9:16': [496, 864], '21:9': [992, 432] },
		'720p': { '16:9': [1280, 720], '4:3': [1112, 834], '1:1': [960, 960], '3:4': [834, 1112], '9:16': [720, 1280], '21:9': [1470, 630] },
		'1080p': { '16:9': [1920, 1080], '4:3': [1664, 1248], '1:1': [1440, 1440], '3:4': [1248, 1664], '9:16': [1080, 1920], '21:9': [2206, 946] },
	},
};

/**
 * usage.completion_tokens = width × height × frames / 1024, where a `duration` of d seconds is
 * 24·d + 1 frames. The "width × height × fps × duration / 1024" formula of the price pages with
 * the one extra frame matches two live answers: 720p 16:9 5 s = 1280×720×121/1024 = 108900 and
 * 720p 16:9 4 s = 1280×720×97/1024 = 87300. Rounded down (no live figure shows the rounding).
 * Input reference video seconds, which Seedance 2.0 also bills, are not counted here.
 */
export function arkCompletionTokens(width: number, height: number, frames: number): number {
	return Math.floor((width * height * frames) / 1024);
}

// ---------------------------------------------------------------------------
// Errors, in Ark's words (common error codes page). The message ends with a request id, as Ark's do.

function requestId(): string {
	const t = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
	return `0217${t}${crypto.randomBytes(12).toString('hex')}`;
}

function invalid(param: string, detail: string): ApiError {
	const sentence = /[.)]$/.test(detail) ? detail : `${detail}.`;
	return new ApiError(400, `The parameter \`${param}\` specified in the request is not valid: ${sentence}`, param, 'InvalidParameter', 'BadRequest');
}

function missing(param: string, detail = ''): ApiError {
	return new ApiError(
		400,
		`The request failed because it is missing one or multiple required parameters: \`${param}\`${detail ? ` (${detail})` : ''}.`,
		param,
		'MissingParameter',
		'BadRequest',
	);
}

function taskNotFound(id: string): ApiError {
	return new ApiError(404, `The specified task ${id} is not found (tasks are kept 7 days; deleted tasks are gone).`, 'id', 'ResourceNotFound', 'NotFound');
}

const TYPE_BY_STATUS: Record<number, string> = {
	400: 'BadRequest',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'NotFound',
	429: 'TooManyRequests',
};

// ---------------------------------------------------------------------------
// Create: validation

type Scenario = 'text' | 'first_frame' | 'first_last_frame' | 'reference';

interface MediaItem {
	index: number;
	role: string | undefined;
}

function checkUrl(value: unknown, param: string, kind: 'image' | 'video' | 'audio'): void {
	if (typeof value !== 'string' || value.length === 0) throw missing(param, 'a URL');
	// Knob: an image whose URL says "sim-real-person" meets Ark's privacy filter, a 400 and no task.
	if (kind === 'image' && value.includes('sim-real-person')) {
		const item = param.replace(/\.image_url\.url$/, '');
		throw new ApiError(400, `The request failed because the input image '${item}' may contain real person. Request id: ${requestId()}`, param, 'InputImageSensitiveContentDetected.PrivacyInformation', 'BadRequest');
	}
	if (value.startsWith('asset://')) return;
	const data = /^data:([^;,]*)(;base64)?,/i.exec(value);
	if (data) {
		// "data:image/<format>;base64,<data>", the format in lower case; videos take URLs only.
		if (kind === 'video') throw invalid(param, 'a reference video must be a URL or an asset:// id, not base64');
		const [type, format] = data[1].split('/');
		const formats = kind === 'image' ? IMAGE_FORMATS : AUDIO_FORMATS;
		if (type !== kind || format === undefined || !formats.includes(format) || data[2] === undefined) {
			throw invalid(param, `a base64 ${kind} must be data:${kind}/<${formats.join('|')}>;base64,<data> (format in lower case)`);
		}
		checkInlineFile(Buffer.from(value.slice(data[0].length), 'base64'), param, kind);
		return;
	}
	let ok = false;
	try {
		const u = new URL(value);
		ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
	} catch {
		ok = false;
	}
	if (!ok) throw invalid(param, 'must be an http(s) URL, a base64 data URL or an asset:// id');
}

/**
 * The create page's limits on a file, checked on the base64 files Ark receives (it would fetch a
 * URL and check the same): an image 300–6000 px a side, width ÷ height 0.4–2.5; an audio 2–15 s.
 * Read here from PNG and JPEG frame headers and WAV format chunks, the formats the tests send.
 */
function checkInlineFile(file: Buffer, param: string, kind: 'image' | 'video' | 'audio'): void {
	if (kind === 'image') {
		let size: [number, number] | undefined;
		if (file.length >= 24 && file.toString('latin1', 1, 4) === 'PNG') size = [file.readUInt32BE(16), file.readUInt32BE(20)];
		for (let i = 2; !size && i + 9 < file.length; i++) {
			if (file[i] === 0xff && file[i + 1] >= 0xc0 && file[i + 1] <= 0xc2) size = [file.readUInt16BE(i + 7), file.readUInt16BE(i + 5)];
		}
		if (!size) return;
		const [w, h] = size;
		if (w < 300 || h < 300 || w > 6000 || h > 6000) throw invalid(param, `image is ${w}x${h}; width and height must be within [300, 6000] px`);
		if (w / h < 0.4 || w / h > 2.5) throw invalid(param, `image aspect ratio ${(w / h).toFixed(2)} is outside [0.4, 2.5]`);
	}
	if (kind === 'audio' && file.length >= 44 && file.toString('latin1', 8, 12) === 'WAVE') {
		const seconds = file.readUInt32LE(40) / file.readUInt32LE(28);
		if (seconds < 2 || seconds > 15) throw invalid(param, `audio lasts ${seconds.toFixed(1)} s; each audio must last [2, 15] s`);
	}
}

const ROLES: Record<string, readonly string[]> = {
	image_url: ['first_frame', 'last_frame', 'reference_image'],
	video_url: ['reference_video'],
	audio_url: ['reference_audio'],
};

interface ParsedContent {
	prompt: string;
	images: MediaItem[];
	videos: MediaItem[];
	audios: MediaItem[];
}

function parseContent(content: unknown): ParsedContent {
	if (content === undefined || content === null) throw missing('content');
	if (!Array.isArray(content)) throw invalid('content', 'must be an array of content entries');
	if (content.length === 0) throw missing('content', 'at least one entry');
	const parsed: ParsedContent = { prompt: '', images: [], videos: [], audios: [] };
	let texts = 0;
	content.forEach((item: unknown, index) => {
		const p = `content[${index}]`;
		if (!isRecord(item)) throw invalid(p, 'must be an object');
		const type = item.type;
		if (type === 'text') {
			texts++;
			if (texts > 1) throw invalid(p, 'content takes at most one text entry');
			if (typeof item.text !== 'string') throw invalid(`${p}.text`, 'must be a string');
			parsed.prompt = item.text;
			return;
		}
		if (typeof type !== 'string' || !(type in ROLES)) {
			throw invalid(`${p}.type`, 'must be one of text, image_url, video_url, audio_url');
		}
		const kind = type === 'image_url' ? 'image' : type === 'video_url' ? 'video' : 'audio';
		const media = item[type];
		if (!isRecord(media)) throw missing(`${p}.${type}`, 'an object with a url');
		checkUrl(media.url, `${p}.${type}.url`, kind);
		const role = item.role;
		if (role === undefined) {
			// Only an image may go without a role: then it is the first frame.
			if (kind !== 'image') throw missing(`${p}.role`, `${ROLES[type][0]} for ${type}`);
		} else if (typeof role !== 'string' || !ROLES[type].includes(role)) {
			throw invalid(`${p}.role`, `must be ${ROLES[type].join(' or ')} for ${type}`);
		}
		const entry = { index, role: role as string | undefined };
		if (kind === 'image') parsed.images.push(entry);
		else if (kind === 'video') parsed.videos.push(entry);
		else parsed.audios.push(entry);
	});
	return parsed;
}

/** The create page's scenarios: text, first frame, first+last frame, multimodal reference; the last three do not mix. */
function scenarioOf(c: ParsedContent, model: string, spec: ModelSpec): Scenario {
	const unroled = c.images.filter((i) => i.role === undefined);
	if (unroled.length > 0 && c.images.length > 1) {
		throw missing(`content[${unroled[0].index}].role`, 'with more than one image every image needs a role');
	}
	const firsts = c.images.filter((i) => i.role === 'first_frame' || i.role === undefined).length;
	const lasts = c.images.filter((i) => i.role === 'last_frame').length;
	const refImages = c.images.filter((i) => i.role === 'reference_image').length;
	const frames = firsts + lasts > 0;
	const reference = refImages + c.videos.length + c.audios.length > 0;
	if (frames && reference) {
		throw invalid(
			'content',
			'first frame, first+last frame and multimodal reference (reference_image / reference_video / reference_audio) are three scenarios that cannot be mixed in one request; ' +
				'to steer the first or last frame in reference mode, describe it in the prompt',
		);
	}
	if (firsts > 1) throw invalid('content', 'at most one first_frame image');
	if (lasts > 1) throw invalid('content', 'at most one last_frame image');
	if (lasts > 0 && firsts === 0) throw invalid('content', 'a last_frame image needs a first_frame image');

	if (reference) {
		// A model without reference media refuses the r2v task (which Ark derives from `content`) in
		// these words, quoted by public clients; param is the simulator's choice, the field the user sent.
		if (spec.referenceImages === 0 && !spec.referenceMedia) {
			const detail = `the specified task_type r2v does not support model ${model.replace(/-\d{6}$/, '')}.`;
			throw new ApiError(400, `The parameter \`task_type\` specified in the request is not valid: ${detail}`, 'content', 'InvalidParameter', 'BadRequest');
		}
		if (refImages > 0 && spec.referenceImages === 0) throw invalid('content', `${model} does not support reference images`);
		if ((c.videos.length > 0 || c.audios.length > 0) && !spec.referenceMedia) {
			throw invalid('content', `${model} does not support reference videos or audios (only seedance 2.0 and 2.0 fast do)`);
		}
		if (refImages > spec.referenceImages) throw invalid('content', `${model} takes 1 to ${spec.referenceImages} reference images, got ${refImages}`);
		if (c.videos.length > spec.referenceVideos) throw invalid('content', `at most ${spec.referenceVideos} reference videos, got ${c.videos.length}`);
		if (c.audios.length > spec.referenceAudios) throw invalid('content', `at most ${spec.referenceAudios} reference audios, got ${c.audios.length}`);
		if (c.audios.length > 0 && refImages === 0 && c.videos.length === 0 && !spec.audioOnly) {
			throw invalid('content', 'audio cannot be the only reference media: add at least one reference image or video');
		}
		return 'reference';
	}
	if (lasts > 0) {
		if (!spec.firstLastFrame) throw invalid('content', `${model} does not support first+last frame generation`);
		return 'first_last_frame';
	}
	if (firsts > 0) {
		if (!spec.firstFrame) throw invalid('content', `${model} is text-to-video only and takes no image`);
		return 'first_frame';
	}
	if (c.prompt.trim() === '') throw missing('content', 'a text entry with a prompt when no image, video or audio is given');
	return 'text';
}

function isInteger(v: unknown): v is number {
	return typeof v === 'number' && Number.isInteger(v);
}

function checkBool(body: Record<string, unknown>, field: string): void {
	if (body[field] !== undefined && typeof body[field] !== 'boolean') throw invalid(field, 'must be a boolean');
}

function defaultRatio(spec: ModelSpec, scenario: Scenario): string {
	if (spec.adaptiveAlways) return 'adaptive';
	if (scenario === 'reference') return '16:9';
	return scenario === 'text' ? '16:9' : 'adaptive';
}

/** What a create body settles to; recomputed from the stored body whenever the task is shown. */
interface Settled {
	spec: ModelSpec;
	scenario: Scenario;
	resolution: string;
	/** As asked (may be adaptive). */
	ratio: string;
	duration?: number;
	frames?: number;
	serviceTier: string;
	expiresAfter: number;
	generateAudio: boolean;
}

function settle(body: Record<string, unknown>, model: string, spec: ModelSpec, c: ParsedContent): Settled {
	const scenario = scenarioOf(c, model, spec);

	const resolution = body.resolution ?? spec.defaultResolution;
	if (typeof resolution !== 'string' || !spec.resolutions.includes(resolution)) {
		throw invalid('resolution', `${model} supports ${spec.resolutions.join(', ')}; got ${String(resolution)}`);
	}
	if (resolution === '1080p' && scenario === 'reference' && spec.referenceImages === 4) {
		throw invalid('resolution', '1080p is not supported in the seedance 1.0 lite reference-image scenario');
	}

	const ratio = body.ratio ?? defaultRatio(spec, scenario);
	if (typeof ratio !== 'string' || !(ratio === 'adaptive' || (RATIOS as readonly string[]).includes(ratio))) {
		throw invalid('ratio', `must be one of ${RATIOS.join(', ')}, adaptive`);
	}
	if (ratio === 'adaptive' && !spec.adaptiveAlways && !(scenario === 'first_frame' || scenario === 'first_last_frame')) {
		throw invalid('ratio', `adaptive is supported by ${model} only with a first frame (or first and last frame)`);
	}

	let duration: number | undefined;
	let frames: number | undefined;
	if (body.frames !== undefined) {
		if (!spec.frames) throw invalid('frames', `${model} does not support frames; give duration`);
		const f = body.frames;
		if (!isInteger(f) || f < 29 || f > 289 || (f - 25) % 4 !== 0) throw invalid('frames', 'must be an integer 25 + 4n in [29, 289]');
		frames = f;
	} else {
		const d = body.duration ?? 5;
		const auto = spec.autoDuration && d === -1;
		if (!auto && (!isInteger(d) || d < spec.minDuration || d > spec.maxDuration)) {
			throw invalid('duration', `${model} takes a whole number of seconds in [${spec.minDuration}, ${spec.maxDuration}]${spec.autoDuration ? ' or -1' : ''}; got ${String(d)}`);
		}
		duration = auto ? 5 : (d as number);
	}

	if (body.seed !== undefined && (!isInteger(body.seed) || body.seed < -1 || body.seed > 0xffffffff)) {
		throw invalid('seed', 'must be an integer in [-1, 4294967295]');
	}
	for (const field of ['watermark', 'return_last_frame', 'generate_audio', 'camera_fixed', 'draft']) checkBool(body, field);

	const serviceTier = body.service_tier ?? 'default';
	if (serviceTier !== 'default' && serviceTier !== 'flex') throw invalid('service_tier', 'must be default or flex');
	if (serviceTier === 'flex' && !spec.flex) {
		throw invalid('service_tier', `${model} does not support the flex (offline inference) service tier; use default`);
	}

	const expiresAfter = body.execution_expires_after ?? 172800;
	if (!isInteger(expiresAfter) || expiresAfter < 3600 || expiresAfter > 259200) {
		throw invalid('execution_expires_after', 'must be an integer number of seconds in [3600, 259200]');
	}

	if (body.callback_url !== undefined) {
		let ok = false;
		try {
			const u = new URL(String(body.callback_url));
			ok = typeof body.callback_url === 'string' && (u.protocol === 'http:' || u.protocol === 'https:');
		} catch {
			ok = false;
		}
		if (!ok) throw invalid('callback_url', 'must be an http(s) URL');
	}

	return {
		spec,
		scenario,
		resolution,
		ratio,
		duration,
		frames,
		serviceTier,
		expiresAfter,
		generateAudio: spec.audio && body.generate_audio !== false,
	};
}

function validateCreate(body: unknown): { model: string; settled: Settled; prompt: string } {
	if (!isRecord(body)) throw invalid('body', 'the request body must be a JSON object');
	const model = body.model;
	if (model === undefined || model === '') throw missing('model');
	if (typeof model !== 'string') throw invalid('model', 'must be a string');
	const spec = specOf(model);
	if (!spec) {
		throw new ApiError(
			404,
			`The model or endpoint ${model} does not exist or you do not have access to it.`,
			'model',
			'InvalidEndpointOrModel.NotFound',
			'NotFound',
		);
	}
	const content = parseContent(body.content);
	return { model, settled: settle(body, model, spec, content), prompt: content.prompt };
}

// ---------------------------------------------------------------------------
// The task object

function newTaskId(state: SimState): string {
	for (;;) {
		const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
		const id = `cgt-${stamp}-${crypto.randomBytes(4).readUInt32BE(0).toString(36).padStart(5, '0').slice(-5)}`;
		if (!state.tasks.has(id)) return id;
	}
}

/** What each task's create body settled to, kept from the create. */
const SETTLED = new WeakMap<SimTask, Settled>();

function settledOf(task: SimTask): Settled {
	const known = SETTLED.get(task);
	if (known) return known;
	// A task this module did not create (a test's hand-made one): its body settles as at create.
	const settled = settle(task.body, task.model, specOf(task.model)!, parseContent(task.body.content));
	SETTLED.set(task, settled);
	return settled;
}

type ArkStatus = (typeof STATUSES)[number];

function statusOf(task: SimTask, now: number): ArkStatus {
	if (task.cancelledAt !== undefined) return 'cancelled';
	const phase = taskPhase(task, now);
	if (phase !== 'done') return phase;
	return task.outcome === 'fail' ? 'failed' : task.outcome === 'expire' ? 'expired' : 'succeeded';
}

/** A seed of -1 (or none) is a random one; derived from the id so every read shows the same. */
function seedOf(task: SimTask): number {
	const s = task.body.seed;
	if (isInteger(s) && s >= 0) return s;
	return crypto.createHash('sha256').update(task.id).digest().readUInt32BE(0) % 100000;
}

/** Width × height of the output, and its usage.completion_tokens. */
export function arkOutput(task: SimTask): { width: number; height: number; frames: number; tokens: number } {
	const s = settledOf(task);
	const ratio = s.ratio === 'adaptive' ? '16:9' : s.ratio;
	const [width, height] = ARK_PIXELS[s.spec.pixels][s.resolution][ratio];
	const frames = s.frames ?? FPS * (s.duration as number) + 1;
	return { width, height, frames, tokens: arkCompletionTokens(width, height, frames) };
}

export function taskObject(state: SimState, task: SimTask, now: number): Record<string, unknown> {
	const s = settledOf(task);
	const status = statusOf(task, now);
	const updated =
		status === 'cancelled'
			? task.cancelledAt!
			: status === 'queued'
				? task.createdAt
				: status === 'running'
					? task.createdAt + task.queuedMs
					: task.createdAt + task.jobMs;
	const out: Record<string, unknown> = { id: task.id, model: task.model, status, error: null };
	if (status === 'failed') out.error = { ...SENSITIVE_ERROR };
	if (status === 'succeeded') {
		const content: Record<string, unknown> = { video_url: signedUrl(state, `/ark/videos/${task.id}.mp4`) };
		if (task.body.return_last_frame === true) content.last_frame_url = signedUrl(state, `/ark/frames/${task.id}.png`);
		out.content = content;
		const { tokens } = arkOutput(task);
		// "Video generation models do not count input tokens, so total_tokens = completion_tokens."
		out.usage = { completion_tokens: tokens, total_tokens: tokens };
	}
	Object.assign(out, {
		created_at: unixSeconds(task.createdAt),
		updated_at: unixSeconds(updated),
		seed: seedOf(task),
		resolution: s.resolution,
		ratio: s.ratio === 'adaptive' ? '16:9' : s.ratio,
		// "duration and frames: only one is returned."
		...(s.frames !== undefined ? { frames: s.frames } : { duration: s.duration }),
		framespersecond: FPS,
		service_tier: s.serviceTier,
		execution_expires_after: s.expiresAfter,
	});
	if (s.spec.audio) out.generate_audio = s.generateAudio;
	return out;
}

/** A task the API still knows: made here, under 7 days old, not a cancelled one past its 24 hours. */
function visible(task: SimTask, now: number): boolean {
	if (task.gateway !== 'ark' || now - task.createdAt >= KEPT_MS) return false;
	return task.cancelledAt === undefined || now - task.cancelledAt < CANCELLED_KEPT_MS;
}

function findTask(state: SimState, id: string, now: number): SimTask {
	const task = state.tasks.get(id);
	if (!task || !visible(task, now)) throw taskNotFound(id);
	return task;
}

// ---------------------------------------------------------------------------
// List

function pageParam(query: URLSearchParams, name: string, fallback: number): number {
	const raw = query.get(name);
	if (raw === null) return fallback;
	const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
	if (!(n >= 1 && n <= 500)) throw invalid(name, 'must be an integer in [1, 500]');
	return n;
}

/** An honest list: the docs' paging, (page_num − 1) × page_size, and the true total. */
export const NO_QUIRKS: ArkListQuirks = { pageSizeCap: 0, repeatPages: [], shortPages: [], totalOffset: 0, omitTotal: false, overlap: 0 };
const QUIRKS = new WeakMap<SimState, ArkListQuirks>();

/** Knob: how this simulator's list misbehaves (merged; null = honest again). */
export function setArkListQuirks(state: SimState, quirks: Partial<ArkListQuirks> | null): void {
	if (quirks === null) QUIRKS.delete(state);
	else QUIRKS.set(state, { ...(QUIRKS.get(state) ?? NO_QUIRKS), ...quirks });
}

/**
 * One page of a list of matches, newest first, as the list serves it: page_num and page_size
 * as Ark's docs place them, then the quirks. Pure, so a unit test can page any list the same way.
 */
export function arkListPage<T>(matches: readonly T[], pageNum: number, pageSize: number, quirks: ArkListQuirks = NO_QUIRKS): { items: T[]; total?: number } {
	const size = quirks.pageSizeCap > 0 ? Math.min(pageSize, quirks.pageSizeCap) : pageSize;
	const itemsOf = (n: number): T[] => {
		if (n > 1 && quirks.repeatPages.includes(n)) return itemsOf(n - 1);
		const start = Math.max(0, (n - 1) * (size - quirks.overlap));
		const page = matches.slice(start, start + size);
		return quirks.shortPages.includes(n) && page.length > 1 ? page.slice(0, Math.ceil(page.length / 2)) : page;
	};
	const items = itemsOf(pageNum);
	return quirks.omitTotal ? { items } : { items, total: Math.max(0, matches.length + quirks.totalOffset) };
}

function listTasks(state: SimState, query: URLSearchParams, now: number): Record<string, unknown> {
	const pageNum = pageParam(query, 'page_num', 1);
	const pageSize = pageParam(query, 'page_size', 10);
	const status = query.get('filter.status');
	if (status !== null && !(STATUSES as readonly string[]).includes(status)) {
		throw invalid('filter.status', `must be one of ${STATUSES.join(', ')}`);
	}
	const tier = query.get('filter.service_tier');
	if (tier !== null && tier !== 'default' && tier !== 'flex') throw invalid('filter.service_tier', 'must be default or flex');
	const model = query.get('filter.model');
	const ids = query.getAll('filter.task_ids').filter((id) => id !== '');

	// Newest first; among tasks made in the same millisecond, the later one first.
	const matches = [...state.tasks.values()]
		.reverse()
		.filter((task) => visible(task, now))
		.filter((task) => status === null || statusOf(task, now) === status)
		.filter((task) => model === null || task.model === model)
		.filter((task) => ids.length === 0 || ids.includes(task.id))
		.filter((task) => tier === null || settledOf(task).serviceTier === tier)
		.sort((a, b) => b.createdAt - a.createdAt);
	const { items, total } = arkListPage(matches, pageNum, pageSize, QUIRKS.get(state) ?? NO_QUIRKS);
	return { items: items.map((task) => taskObject(state, task, now)), ...(total === undefined ? {} : { total }) };
}

// ---------------------------------------------------------------------------
// Delete: "queued → cancelled; running → not supported; succeeded, failed, expired → record
// deleted, no longer queryable; cancelled → not supported."

function deleteTask(state: SimState, id: string, now: number): Reply {
	const task = findTask(state, id, now);
	const status = statusOf(task, now);
	if (status === 'queued') {
		task.cancelledAt = now;
		arkStatusChanged(state, task);
	} else if (status === 'running') {
		throw invalid('id', `task ${id} is running, and a running task cannot be cancelled or deleted; wait until it has finished, then delete its record`);
	} else if (status === 'cancelled') {
		throw invalid('id', `task ${id} is already cancelled; a cancelled task cannot be cancelled or deleted again (Ark removes it 24 hours after cancellation)`);
	} else {
		state.tasks.delete(id);
	}
	// "This API has no response parameters."
	return { status: 200, json: {} };
}

// ---------------------------------------------------------------------------

const TASK_ROUTE = /^\/contents\/generations\/tasks\/([^/]+)\/?$/;

export const ark: GatewayModule = {
	name: 'ark',
	prefix: ARK_PREFIX,
	key: (knobs) => knobs.arkKey,
	errorBody: (err) => ({
		error: {
			code: err.code ?? (err.status === 400 ? 'InvalidParameter' : 'NotFound'),
			message: `${err.message} Request id: ${requestId()}`,
			param: err.param ?? '',
			type: err.type ?? TYPE_BY_STATUS[err.status] ?? 'InternalServiceError',
		},
	}),
	unauthorized: () =>
		new ApiError(401, 'The API key or AK/SK in the request is missing or invalid.', undefined, 'AuthenticationError', 'Unauthorized'),
	isCreate: (method, route) => method === 'POST' && route.replace(/\/$/, '') === TASKS_ROUTE,
	// A task, or the list by IDs that checks many tasks at once.
	isStatusCheck: (method, route) => method === 'GET' && (TASK_ROUTE.test(route) || route.replace(/\/$/, '') === TASKS_ROUTE),
	handle(req: GatewayRequest): Reply {
		const { state, method, route, now } = req;
		if (ark.isCreate(method, route)) {
			const { model, settled, prompt } = validateCreate(req.body);
			admitTask(state, 'ark', now, {
				queueFull: (cap) =>
					new ApiError(
						429,
						`The request failed because the number of queued tasks of this account has reached its limit (${cap}). Please try again once some of them have finished.`,
						undefined,
						'RateLimitExceeded',
						'TooManyRequests',
					),
				// The common error codes page: 403 Forbidden AccountOverdueError.
				balance: () =>
					new ApiError(403, 'The request failed because your account has an overdue balance.', undefined, 'AccountOverdueError', 'Forbidden'),
			});
			const task = createTask(state, 'ark', newTaskId(state), model, req.body as Record<string, unknown>, now, prompt);
			SETTLED.set(task, settled);
			startArkCallbacks(state, task);
			return { status: 200, json: { id: task.id } };
		}
		if (method === 'GET' && route.replace(/\/$/, '') === TASKS_ROUTE) {
			return { status: 200, json: listTasks(state, req.query, now) };
		}
		const m = TASK_ROUTE.exec(route);
		if (m && method === 'GET') {
			const task = findTask(state, decodeURIComponent(m[1]), now);
			task.pollCount++;
			return { status: 200, json: taskObject(state, task, now) };
		}
		if (m && method === 'DELETE') return deleteTask(state, decodeURIComponent(m[1]), now);
		throw new ApiError(404, `no route for ${method} ${route}`, undefined, 'NotFound', 'NotFound');
	},
};
