import type { IDataObject } from 'n8n-workflow';

import type { BilledRequest, GatewayError, MediaInput, MediaKind, TaskStatus } from './gateway';
import { MEDIA_KIND } from './gateway';

/** Read the first present value among dotted paths (`data.0.video_url`), since gateways vary. */
function lookup(raw: unknown, path: string): unknown {
	let value: unknown = raw;
	for (const key of path.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

export function firstString(raw: unknown, paths: string[]): string | null {
	for (const path of paths) {
		const value = lookup(raw, path);
		if (typeof value === 'string' && value !== '') return value;
		if (typeof value === 'number') return String(value);
	}
	return null;
}

export function firstNumber(raw: unknown, paths: string[]): number | null {
	for (const path of paths) {
		const value = lookup(raw, path);
		const number = typeof value === 'string' ? Number(value) : value;
		if (typeof number === 'number' && Number.isFinite(number)) return number;
	}
	return null;
}

/**
 * Status words seen across TokenHub, AIHubMix (OpenAI video objects) and native Ark.
 * Anything else is `unknown`, which keeps a wait going instead of failing a paid task.
 */
const STATUS_ALIASES: Record<string, TaskStatus> = {
	queued: 'queued',
	pending: 'queued',
	submitted: 'queued',
	running: 'running',
	in_progress: 'running',
	processing: 'running',
	succeeded: 'succeeded',
	completed: 'succeeded',
	success: 'succeeded',
	failed: 'failed',
	error: 'failed',
	cancelled: 'cancelled',
	canceled: 'cancelled',
	expired: 'expired',
};

export function normaliseStatus(word: string | null): TaskStatus {
	if (!word) return 'unknown';
	return STATUS_ALIASES[word.toLowerCase()] ?? 'unknown';
}

/** Both gateways answer errors in the OpenAI envelope `{error: {message, code, type}}`. */
export function parseOpenAiStyleError(body: unknown): GatewayError {
	const error = lookup(body, 'error');
	if (typeof error === 'string') return { code: null, message: error };
	return {
		code: firstString(body, ['error.code', 'error.type', 'code']),
		message: firstString(body, ['error.message', 'message', 'failure_reason']),
	};
}

const CONTENT_TYPE: Record<MediaKind, string> = {
	image: 'image_url',
	video: 'video_url',
	audio: 'audio_url',
};

/** The documented `content` array: `{type: 'image_url', image_url: {url}, role}` and siblings. */
export function buildContentArray(media: MediaInput[]): IDataObject[] {
	return media.map((entry) => {
		const type = CONTENT_TYPE[MEDIA_KIND[entry.role]];
		return { type, [type]: { url: entry.url }, role: entry.role };
	});
}

export function taskError(raw: IDataObject): GatewayError {
	const parsed = parseOpenAiStyleError(raw);
	// A task object's `code`/`message` top-level fields are not errors unless it failed;
	// only the `error` member counts here.
	return raw.error ? parsed : { code: null, message: null };
}

/**
 * The body fields an adapter knows: the ones its price list reads (`priced`), the ones known
 * not to change a price (`neutral`), and the `content` entry types it knows. Anything else in a
 * body can only have been merged through Additional Body Fields, and is reported as unpriced.
 */
export interface BodyFields {
	priced: readonly string[];
	neutral: readonly string[];
	contentTypes: readonly string[];
}

/** Fields no gateway bills on: they change the video or the delivery, never the price. */
export const PRICE_NEUTRAL_FIELDS: readonly string[] = ['watermark', 'seed', 'callback_url', 'return_last_frame', 'camera_fixed'];

/** Media entry types of the documented `content` array (and Ark's prompt entry). */
export const CONTENT_TYPES: readonly string[] = ['text', 'image_url', 'video_url', 'audio_url'];

/** The top-level fields and `content` entries of `body` that `fields` does not list. */
export function unknownFields(body: IDataObject, fields: BodyFields): string[] {
	const known = new Set([...fields.priced, ...fields.neutral]);
	const unknown = Object.keys(body).filter((key) => !known.has(key) && body[key] !== undefined);
	if (Array.isArray(body.content)) {
		body.content.forEach((entry: unknown, index) => {
			const type = entry !== null && typeof entry === 'object' ? (entry as IDataObject).type : undefined;
			if (typeof type !== 'string' || !fields.contentTypes.includes(type)) {
				unknown.push(`content[${index}] (type ${JSON.stringify(type) ?? 'none'})`);
			}
		});
	} else if (body.content !== undefined) {
		unknown.push('content');
	}
	return unknown;
}

/** A length in seconds as a body states it: a finite number, not negative. */
export const isSeconds = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * The billed fields of a body that carries media in the `content` array, and the fields the
 * adapter does not know.
 */
export function readContentBody(body: IDataObject, fields: BodyFields): BilledRequest {
	const content = Array.isArray(body.content) ? (body.content as unknown[]) : [];
	const referenceVideos = content.flatMap((entry, index) =>
		entry !== null && typeof entry === 'object' && (entry as IDataObject).type === 'video_url' ? [{ source: `content[${index}]` }] : [],
	);
	return {
		model: body.model,
		duration: body.duration,
		resolution: body.resolution,
		referenceVideos,
		unpricedFields: unknownFields(body, fields),
	};
}
