import { z } from 'zod';
import type { IDataObject } from 'n8n-workflow';

import type { GenerationRequest, MediaKind, MediaRole, SeedanceGateway } from './gateways/gateway';
import { MEDIA_KIND } from './gateways/gateway';
import type { MediaEntry } from './media';
import type { MediaFacts } from './media-probe';
import { mediaLabel, ROLE_LABELS } from './media';

/**
 * Every documented limit, checked before any paid request. A check that fails yields one
 * line: the field, what is wrong, and how to fix it. All lines of an item are reported
 * together, so a user fixes everything in one go.
 *
 * Limits come from the gateways' Seedance guides; per-file limits (formats, sizes, the
 * audio-needs-a-visual rule) from the upstream Ark API both gateways forward to.
 */

export interface GenerationParameters {
	model: unknown;
	prompt: unknown;
	duration: unknown;
	resolution: unknown;
	ratio: unknown;
	generateAudio: unknown;
	watermark: unknown;
	returnLastFrame: unknown;
	seed: unknown;
	additionalBodyFields: unknown;
	serviceTier?: unknown;
	executionExpiresAfter?: unknown;
}

export const MAX_BYTES: Record<MediaKind, number> = {
	image: 30 * 1024 * 1024,
	video: 50 * 1024 * 1024,
	audio: 15 * 1024 * 1024,
};
/** Ark's limit on a whole request body; data URLs count towards it. */
const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

export const ACCEPTED_MIME: Record<MediaKind, { types: string[]; hint: string }> = {
	image: {
		types: ['image/jpeg', 'image/png', 'image/webp', 'image/bmp', 'image/tiff', 'image/gif'],
		hint: 'JPEG, PNG, WebP, BMP, TIFF or GIF',
	},
	video: { types: ['video/mp4', 'video/quicktime'], hint: 'MP4 or MOV' },
	audio: {
		types: ['audio/mpeg', 'audio/mp3', 'audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave'],
		hint: 'MP3 or WAV',
	},
};

/**
 * What Ark's create page (https://www.volcengine.com/docs/82379/1520757) allows of each file,
 * read from the file itself: images and reference videos 300–6000 px a side with an aspect
 * ratio (width ÷ height) of 0.4–2.5; reference videos at 24–60 frames per second; reference
 * videos and audios 2–15 s each, 15 s together.
 */
const FILE_LIMITS = {
	sides: { min: 300, max: 6000 },
	aspect: { min: 0.4, max: 2.5 },
	framesPerSecond: { min: 24, max: 60 },
	seconds: { min: 2, max: 15, total: 15 },
};
const SEED_RANGE = { min: -1, max: 2 ** 32 - 1 };

function megabytes(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function list(values: readonly string[]): string {
	return values.join(', ');
}

function dataUrlMime(url: string): string | undefined {
	return /^data:([^;,]+)[;,]/i.exec(url)?.[1]?.toLowerCase();
}

function checkUrl(url: string, kind: MediaKind): string | undefined {
	if (url === '') return 'URL is empty. Enter a public http(s) URL, or switch Source to Binary File.';
	if (/^data:/i.test(url)) {
		const mime = dataUrlMime(url);
		if (!/^data:[^,]*;base64,./i.test(url)) {
			return 'data URL is not base64 encoded. Use the form data:<mime type>;base64,<data>.';
		}
		if (!mime || !ACCEPTED_MIME[kind].types.includes(mime)) {
			return `data URL has type "${mime ?? 'none'}", which does not fit this role. Use ${ACCEPTED_MIME[kind].hint}.`;
		}
		return undefined;
	}
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return `"${url.slice(0, 80)}" is not a valid URL. Use a full address such as https://example.com/file.jpg.`;
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		return `URL uses "${parsed.protocol}", which the gateway cannot fetch. Use an http(s) URL, or switch Source to Binary File.`;
	}
	return undefined;
}

function seconds(value: number): string {
	return `${Number(value.toFixed(1))} s`;
}

/** The length of a reference clip: the one the user typed, else the one in the file's header. */
function clipSeconds(entry: { durationSeconds?: number; facts?: MediaFacts }): number | undefined {
	return entry.durationSeconds ?? entry.facts?.durationSeconds;
}

function checkFacts(kind: MediaKind, facts: MediaFacts, what: string): string[] {
	const problems: string[] = [];
	const { width, height, durationSeconds } = facts;
	if (kind !== 'audio' && width !== undefined && height !== undefined) {
		const { sides, aspect } = FILE_LIMITS;
		if (Math.min(width, height) < sides.min || Math.max(width, height) > sides.max) {
			problems.push(`${what} is ${width}×${height} px; each side must be ${sides.min} to ${sides.max} px. Use a ${Math.min(width, height) < sides.min ? 'larger' : 'smaller'} ${kind}.`);
		}
		const ratio = width / Math.max(height, 1);
		if (ratio < aspect.min || ratio > aspect.max) {
			problems.push(`${what} is ${width}×${height} px, an aspect ratio of ${ratio.toFixed(2)}; width ÷ height must be ${aspect.min} to ${aspect.max}. Crop it.`);
		}
	}
	const { framesPerSecond: fps } = facts;
	if (kind === 'video' && fps !== undefined && (fps < FILE_LIMITS.framesPerSecond.min || fps > FILE_LIMITS.framesPerSecond.max)) {
		const { min, max } = FILE_LIMITS.framesPerSecond;
		problems.push(`${what} runs at ${fps} frames per second; a reference video must run at ${min} to ${max}. Convert it, e.g. to 30 fps.`);
	}
	if (kind !== 'image' && durationSeconds !== undefined) {
		const { min, max } = FILE_LIMITS.seconds;
		if (durationSeconds < min || durationSeconds > max) {
			problems.push(`${what} lasts ${seconds(durationSeconds)}; a reference ${kind} must last ${min} to ${max} s. ${durationSeconds < min ? 'Use a longer clip' : 'Trim it'}.`);
		}
	}
	return problems;
}

function mediaEntrySchema(gateway: SeedanceGateway) {
	return z
		.object({
			position: z.number(),
			role: z.string(),
			source: z.string(),
			url: z.string().optional(),
			binaryProperty: z.string().optional(),
			durationSeconds: z.number().optional(),
			binary: z
				.object({
					found: z.boolean(),
					mimeType: z.string().optional(),
					bytes: z.number().optional(),
					fileName: z.string().optional(),
				})
				.optional(),
			facts: z.object({ width: z.number().optional(), height: z.number().optional(), durationSeconds: z.number().optional(), framesPerSecond: z.number().optional() }).optional(),
		})
		.superRefine((entry, ctx) => {
			const problem = (message: string) => ctx.addIssue({ code: 'custom', message });
			const kind = MEDIA_KIND[entry.role as MediaRole];
			if (!kind) {
				problem(`role "${entry.role}" is unknown. Choose one of: ${list(Object.values(ROLE_LABELS))}.`);
				return;
			}
			if (entry.source === 'url') {
				const urlProblem = checkUrl(entry.url ?? '', kind);
				if (urlProblem) problem(urlProblem);
			} else if (entry.source === 'binary') {
				if (!entry.binaryProperty) {
					problem('Source Binary Field is empty. Enter the name of the binary field that holds the file, e.g. data.');
				} else if (!entry.binary?.found) {
					problem(
						`the input item has no binary field "${entry.binaryProperty}". Check the field name, or the node before this one.`,
					);
				} else {
					const mime = (entry.binary.mimeType ?? '').toLowerCase();
					if (!ACCEPTED_MIME[kind].types.includes(mime)) {
						problem(
							`binary field "${entry.binaryProperty}" holds "${mime || 'unknown type'}", which does not fit the role ${ROLE_LABELS[entry.role as MediaRole]}. Use ${ACCEPTED_MIME[kind].hint}.`,
						);
					}
					if ((entry.binary.bytes ?? 0) > MAX_BYTES[kind]) {
						problem(
							`binary field "${entry.binaryProperty}" is ${megabytes(entry.binary.bytes ?? 0)}; the limit for ${kind} files is ${megabytes(MAX_BYTES[kind])}. Use a smaller file or a URL.`,
						);
					}
					if ((entry.binary.bytes ?? 0) === 0) {
						problem(`binary field "${entry.binaryProperty}" is empty. Check the node that produced it.`);
					}
				}
			} else {
				problem(`source "${entry.source}" is unknown. Choose URL or Binary File.`);
			}
			if (entry.durationSeconds !== undefined && entry.role === 'reference_video') {
				const { min, max } = FILE_LIMITS.seconds;
				if (!(entry.durationSeconds >= min && entry.durationSeconds <= max)) {
					problem(`Video Duration ${entry.durationSeconds} s is outside ${min}–${max} s. Use a reference clip of ${min} to ${max} seconds.`);
				}
			}
			if (entry.facts) {
				const what = entry.source === 'binary' ? `binary field "${entry.binaryProperty}"` : 'the data URL';
				// A length the user typed is checked above; the file's own is checked only without it.
				const facts = entry.durationSeconds === undefined ? entry.facts : { ...entry.facts, durationSeconds: undefined };
				for (const message of checkFacts(kind, facts, what)) problem(message);
			}
			const inline = entry.source === 'binary' || /^data:/i.test(entry.url ?? '');
			if (inline && gateway.capabilities.media.urlOnly?.includes(kind)) {
				problem(
					`${gateway.displayName} fetches reference ${kind}s itself and takes them only as URLs, not as inline files. Put the ${kind} at a public http(s) URL and set Source to URL.`,
				);
			}
		});
}

function buildSchema(gateway: SeedanceGateway, model: string) {
	const caps = gateway.capabilities;
	const known = caps.models.find((candidate) => candidate.id === model);
	// An id the table does not know (a newer model) gets the gateway-wide limits.
	const resolutions = known?.resolutions ?? caps.resolutions;
	// A model with its own durations (Ark's per model) is held to them.
	const { min, max } = known?.duration ?? caps.duration;

	const prompt = z
		.string({ invalid_type_error: 'must be text. Map a text field or type the prompt.' })
		.refine((value) => value.trim().length > 0, {
			message: 'is empty. Describe the video to generate, e.g. "A red fox runs through snow, cinematic".',
		})
		.refine((value) => caps.prompt.maxLength === undefined || value.length <= caps.prompt.maxLength, {
			message: `is longer than ${caps.prompt.maxLength} characters, the ${gateway.displayName} limit. Shorten it.`,
		});

	const duration = z
		.number({ invalid_type_error: 'must be a number of seconds.' })
		.refine((value) => Number.isFinite(value) && value >= min && value <= max, {
			message: `must be between ${min} and ${max} seconds on ${gateway.displayName}.`,
		})
		.refine((value) => !caps.duration.integer || Number.isInteger(value), {
			message: `must be a whole number of seconds on ${gateway.displayName}.`,
		});

	return z
		.object({
			model: z
				.string({ invalid_type_error: 'must be a model ID (text).' })
				.refine((value) => value.trim().length > 0 && !/\s/.test(value.trim()), {
					message: `is empty or contains spaces. Pick a model, or type an ID such as ${caps.defaultModel}.`,
				}),
			prompt,
			duration,
			resolution: z.string().refine((value) => resolutions.includes(value), {
				message: known
					? `"{value}" is not offered by ${model}. Use one of: ${list(resolutions)}.`
					: `must be one of: ${list(resolutions)}.`,
			}),
			ratio: z.string().refine((value) => caps.ratios.includes(value), {
				message: `must be one of: ${list(caps.ratios)} on ${gateway.displayName}.`,
			}),
			generateAudio: z.boolean({ invalid_type_error: 'must be true or false.' }),
			watermark: z.boolean({ invalid_type_error: 'must be true or false.' }),
			returnLastFrame: z.boolean({ invalid_type_error: 'must be true or false.' }),
			seed: z
				.number({ invalid_type_error: 'must be a whole number.' })
				.int({ message: 'must be a whole number.' })
				.min(SEED_RANGE.min, { message: `must be at least ${SEED_RANGE.min} (-1 means random).` })
				.max(SEED_RANGE.max, { message: `must be at most ${SEED_RANGE.max}.` })
				.optional(),
			additionalBodyFields: z.record(z.unknown(), {
				invalid_type_error: 'must be a JSON object, e.g. {"callback_url": "https://example.com/hook"}.',
			}),
			serviceTier: z
				.enum(['default', 'flex'], { errorMap: () => ({ message: 'must be Default or Flex.' }) })
				.refine((value) => value !== 'flex' || known?.flexTier !== false, {
					message: `Flex is not offered for ${model}: the Seedance 2.0 models run on the default tier only. Choose Default, or a 1.x model.`,
				})
				.optional(),
			executionExpiresAfter: z
				.number({ invalid_type_error: 'must be a number of seconds.' })
				.refine((value) => !caps.executionExpiry || (Number.isInteger(value) && value >= caps.executionExpiry.min && value <= caps.executionExpiry.max), {
					message: `must be a whole number of seconds from ${caps.executionExpiry?.min} to ${caps.executionExpiry?.max} on ${gateway.displayName}.`,
				})
				.optional(),
			media: z.array(mediaEntrySchema(gateway)),
		})
		.superRefine((request, ctx) => {
			const problem = (message: string) => ctx.addIssue({ code: 'custom', path: ['media'], message });
			const count = (roles: string[]) => request.media.filter((entry) => roles.includes(entry.role)).length;
			const firstFrames = count(['first_frame']);
			const lastFrames = count(['last_frame']);
			const images = count(['first_frame', 'last_frame', 'reference_image']);
			const videos = count(['reference_video']);
			const audios = count(['reference_audio']);
			const { maxImages, maxVideos, maxAudios } = caps.media;
			if (firstFrames > 1) problem(`has ${firstFrames} first frames; a video has one. Keep one First Frame entry.`);
			if (lastFrames > 1) problem(`has ${lastFrames} last frames; a video has one. Keep one Last Frame entry.`);
			if (lastFrames > 0 && firstFrames === 0) {
				problem('has a last frame but no first frame. Add a First Frame entry, or change the role to Reference Image.');
			}
			const referenceImages = count(['reference_image']);
			if (caps.exclusiveScenarios && firstFrames + lastFrames > 0 && referenceImages + videos + audios > 0) {
				problem(
					`mixes a first or last frame with reference media. On ${gateway.displayName}, first frame, first + last frame and multimodal reference are separate scenarios: keep the frames, or change them to Reference Image.`,
				);
			}
			if (known?.referenceImages === 0 && referenceImages > 0) {
				problem(`has reference images, which ${model} does not take. Use a Seedance 2.0 model, or a First Frame.`);
			} else if (known?.referenceImages !== undefined && referenceImages > known.referenceImages) {
				problem(`has ${referenceImages} reference images; ${model} takes at most ${known.referenceImages}.`);
			}
			if (known?.referenceMedia === false && videos + audios > 0) {
				problem(`has reference videos or audios, which ${model} does not take. Use a Seedance 2.0 model.`);
			}
			if (images > maxImages) problem(`has ${images} images; the limit is ${maxImages} (first, last and reference images together). Remove ${images - maxImages}.`);
			if (videos > maxVideos) problem(`has ${videos} reference videos; the limit is ${maxVideos}. Remove ${videos - maxVideos}.`);
			if (audios > maxAudios) problem(`has ${audios} reference audios; the limit is ${maxAudios}. Remove ${audios - maxAudios}.`);
			if (audios > 0 && images + videos === 0) {
				problem('has reference audio only. Add at least one image or reference video; audio cannot be the only reference.');
			}
			for (const [role, kind] of [['reference_video', 'videos'], ['reference_audio', 'audios']]) {
				const total = request.media
					.filter((entry) => entry.role === role)
					.reduce((sum, entry) => sum + (clipSeconds(entry) ?? 0), 0);
				if (total > FILE_LIMITS.seconds.total) {
					problem(`reference ${kind} last ${seconds(total)} together; the limit is ${FILE_LIMITS.seconds.total} s. Trim or remove one.`);
				}
			}
			if (caps.usesReferenceVideoDurations) {
				// The gateway pairs its list of durations with the videos by position: all or none.
				const references = request.media.map((entry, index) => ({ entry, index })).filter(({ entry }) => entry.role === 'reference_video');
				const timed = references.filter(({ entry }) => entry.durationSeconds !== undefined);
				if (timed.length > 0 && timed.length < references.length) {
					for (const { entry, index } of references) {
						if (entry.durationSeconds !== undefined) continue;
						ctx.addIssue({
							code: 'custom',
							path: ['media', index],
							message: `Video Duration is missing while another reference video has one. ${gateway.displayName} pairs durations with videos by position, so set Video Duration on every reference video, or on none.`,
						});
					}
				}
			}
			const inlineBytes = request.media.reduce((sum, entry) => sum + Math.ceil(((entry.binary?.bytes ?? 0) * 4) / 3), 0)
				+ request.media.reduce((sum, entry) => sum + (/^data:/i.test(entry.url ?? '') ? (entry.url ?? '').length : 0), 0);
			if (inlineBytes > MAX_REQUEST_BYTES) {
				problem(`sends ${megabytes(inlineBytes)} of inline files; a request may carry at most ${megabytes(MAX_REQUEST_BYTES)}. Use URLs for the large files.`);
			}
		});
}

const FIELD_LABELS: Record<string, string> = {
	model: 'Model',
	prompt: 'Prompt',
	duration: 'Duration (Seconds)',
	resolution: 'Resolution',
	ratio: 'Aspect Ratio',
	generateAudio: 'Generate Audio',
	watermark: 'Watermark',
	returnLastFrame: 'Return Last Frame',
	serviceTier: 'Service Tier',
	executionExpiresAfter: 'Task Expires After (Seconds)',
	seed: 'Seed',
	additionalBodyFields: 'Additional Body Fields',
	media: 'Media',
};

export type ValidationResult =
	| { valid: true; request: Omit<GenerationRequest, 'media'> }
	| { valid: false; problems: string[] };

function parseAdditionalBodyFields(value: unknown): unknown {
	if (typeof value !== 'string') return value ?? {};
	if (value.trim() === '') return {};
	try {
		return JSON.parse(value);
	} catch {
		return 'not JSON';
	}
}

/**
 * Checks one item's generation parameters against `gateway`: the request to send, or every
 * problem found.
 */
export function validateGeneration(
	gateway: SeedanceGateway,
	parameters: GenerationParameters,
	media: MediaEntry[],
): ValidationResult {
	const model = typeof parameters.model === 'string' ? parameters.model.trim() : parameters.model;
	const input = {
		...parameters,
		model,
		duration: typeof parameters.duration === 'string' && parameters.duration.trim() !== '' ? Number(parameters.duration) : parameters.duration,
		seed: parameters.seed === '' || parameters.seed === null ? undefined : parameters.seed,
		additionalBodyFields: parseAdditionalBodyFields(parameters.additionalBodyFields),
		media,
	};
	const result = buildSchema(gateway, typeof model === 'string' ? model : '').safeParse(input);
	if (!result.success) {
		const problems = result.error.issues.map((issue) => {
			const [field, index] = issue.path;
			const label =
				field === 'media' && typeof index === 'number'
					? mediaLabel(media[index])
					: FIELD_LABELS[String(field)] ?? String(field);
			const value = issue.path.length === 1 ? (input as Record<string, unknown>)[String(field)] : undefined;
			const separator = typeof index === 'number' ? ': ' : ' ';
			return `${label}${separator}${issue.message.replace('{value}', String(value))}`;
		});
		return { valid: false, problems };
	}
	const data = result.data;
	const request = {
		model: data.model,
		prompt: data.prompt,
		duration: data.duration,
		resolution: data.resolution,
		ratio: data.ratio,
		generateAudio: data.generateAudio,
		watermark: data.watermark,
		returnLastFrame: data.returnLastFrame,
		seed: data.seed,
		additionalBodyFields: data.additionalBodyFields as IDataObject,
		serviceTier: data.serviceTier,
		executionExpiresAfter: data.executionExpiresAfter,
	};
	return { valid: true, request };
}
