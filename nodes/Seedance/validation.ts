import { z } from 'zod';
import type { IDataObject } from 'n8n-workflow';

import type { GenerationRequest, MediaKind, MediaRole, ModelSpec, SeedanceGateway } from './gateways/gateway';
import { MEDIA_KIND } from './gateways/gateway';
import type { MediaEntry } from './media';
import type { MediaFacts } from './media-probe';
import { mediaLabel, ROLE_LABELS } from './media';
import type { FileLimits } from './models';
import { knownModel } from './models';

/**
 * Every documented limit, checked before any paid request. A check that fails yields one
 * line: the field, what is wrong, and how to fix it. All lines of an item are reported
 * together, so a user fixes everything in one go.
 *
 * What is checked depends on whether the node knows the model:
 * - for every model, what is true of every model: a prompt (within the gateway's length), known
 *   roles with at most one first and one last frame (a last frame with a first), URL and data URL
 *   forms, file types per role, file sizes in bytes, the request's size, the gateway's own fields
 *   (seed, service tier, task expiry, TokenHub's video durations), Additional Body Fields a JSON
 *   object;
 * - for a model the node knows (its family, models/), also its own limits on that gateway:
 *   durations, resolutions, ratios, which roles and how many, audio needing a visual, the
 *   per-file limits (sides, aspect, frame rate, clip seconds), Ark's scenarios, Flex.
 * A model the node does not know (newer than it) has its numeric limits left to the gateway: a
 * gateway refuses a create for free, while a wrong local refusal would block the user.
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
	callbackUrl?: unknown;
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

/** A model's per-file limits (FileLimits, from Ark's create page), checked on what a file's header says. */
function checkFacts(kind: MediaKind, facts: MediaFacts, what: string, limits: FileLimits): string[] {
	const problems: string[] = [];
	const { width, height, durationSeconds } = facts;
	if (kind !== 'audio' && width !== undefined && height !== undefined) {
		const { sides, aspect } = limits;
		if (Math.min(width, height) < sides.min || Math.max(width, height) > sides.max) {
			problems.push(`${what} is ${width}×${height} px; each side must be ${sides.min} to ${sides.max} px. Use a ${Math.min(width, height) < sides.min ? 'larger' : 'smaller'} ${kind}.`);
		}
		const ratio = width / Math.max(height, 1);
		if (ratio < aspect.min || ratio > aspect.max) {
			problems.push(`${what} is ${width}×${height} px, an aspect ratio of ${ratio.toFixed(2)}; width ÷ height must be ${aspect.min} to ${aspect.max}. Crop it.`);
		}
	}
	const { framesPerSecond: fps } = facts;
	if (kind === 'video' && fps !== undefined && (fps < limits.framesPerSecond.min || fps > limits.framesPerSecond.max)) {
		const { min, max } = limits.framesPerSecond;
		problems.push(`${what} runs at ${fps} frames per second; a reference video must run at ${min} to ${max}. Convert it, e.g. to 30 fps.`);
	}
	if (kind !== 'image' && durationSeconds !== undefined) {
		const { min, max } = limits.seconds;
		if (durationSeconds < min || durationSeconds > max) {
			problems.push(`${what} lasts ${seconds(durationSeconds)}; a reference ${kind} must last ${min} to ${max} s. ${durationSeconds < min ? 'Use a longer clip' : 'Trim it'}.`);
		}
	}
	return problems;
}

function mediaEntrySchema(gateway: SeedanceGateway, known: ModelSpec | undefined) {
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
			// The model's own limits on a file: only for a model the node knows.
			if (known && entry.durationSeconds !== undefined && entry.role === 'reference_video') {
				const { min, max } = known.files.seconds;
				if (!(entry.durationSeconds >= min && entry.durationSeconds <= max)) {
					problem(`Video Duration ${entry.durationSeconds} s is outside ${min}–${max} s. Use a reference clip of ${min} to ${max} seconds.`);
				}
			}
			if (known && entry.facts) {
				const what = entry.source === 'binary' ? `binary field "${entry.binaryProperty}"` : 'the data URL';
				// A length the user typed is checked above; the file's own is checked only without it.
				const facts = entry.durationSeconds === undefined ? entry.facts : { ...entry.facts, durationSeconds: undefined };
				for (const message of checkFacts(kind, facts, what, known.files)) problem(message);
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
	const known = knownModel(gateway, model);
	const name = gateway.displayName;

	const prompt = z
		.string({ invalid_type_error: 'must be text. Map a text field or type the prompt.' })
		.refine((value) => value.trim().length > 0, {
			message: 'is empty. Describe the video to generate, e.g. "A red fox runs through snow, cinematic".',
		})
		.refine((value) => caps.prompt.maxLength === undefined || value.length <= caps.prompt.maxLength, {
			message: `is longer than ${caps.prompt.maxLength} characters, the ${name} limit. Shorten it.`,
		});

	// A known model is held to its durations on this gateway; for any model a duration is a length.
	const duration = known
		? z
				.number({ invalid_type_error: 'must be a number of seconds.' })
				.refine((value) => Number.isFinite(value) && value >= known.duration.min && value <= known.duration.max, {
					// The model is named where its range is narrower than the gateway's own.
					message: `must be between ${known.duration.min} and ${known.duration.max} seconds ${known.duration.min === caps.duration.min && known.duration.max === caps.duration.max ? '' : `for ${model} `}on ${name}.`,
				})
				.refine((value) => !caps.duration.integer || Number.isInteger(value), {
					message: `must be a whole number of seconds on ${name}.`,
				})
		: z.number({ invalid_type_error: 'must be a number of seconds.' }).refine((value) => Number.isFinite(value) && value > 0, {
				message: 'must be a positive number of seconds.',
			});

	const resolution = known
		? z.string().refine((value) => known.resolutions.includes(value), {
				message: `"{value}" is not offered by ${model} on ${name}. Use one of: ${list(known.resolutions)}.`,
			})
		: z.string().refine((value) => value.trim() !== '', { message: `is empty. Use one of: ${list(caps.resolutions)}.` });

	const ratio = known
		? z.string().refine((value) => caps.ratios.includes(value), {
				message: `must be one of: ${list(caps.ratios)} on ${name}.`,
			})
		: z.string().refine((value) => value.trim() !== '', { message: `is empty. Use one of: ${list(caps.ratios)}.` });

	return z
		.object({
			model: z
				.string({ invalid_type_error: 'must be a model ID (text).' })
				.refine((value) => value.trim().length > 0 && !/\s/.test(value.trim()), {
					message: `is empty or contains spaces. Pick a model, or type an ID such as ${caps.defaultModel}.`,
				}),
			prompt,
			duration,
			resolution,
			ratio,
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
					message: `must be a whole number of seconds from ${caps.executionExpiry?.min} to ${caps.executionExpiry?.max} on ${name}.`,
				})
				.optional(),
			callbackUrl: z
				.string({ invalid_type_error: 'must be a URL.' })
				.refine((value) => /^https?:\/\/[^/?#\s]+[^\s]*$/i.test(value.trim()), {
					message: 'must be an http(s) URL, e.g. the Production URL of a Seedance Trigger node.',
				})
				.optional(),
			media: z.array(mediaEntrySchema(gateway, known)),
		})
		.superRefine((request, ctx) => {
			const problem = (message: string) => ctx.addIssue({ code: 'custom', path: ['media'], message });
			const count = (roles: string[]) => request.media.filter((entry) => roles.includes(entry.role)).length;
			const firstFrames = count(['first_frame']);
			const lastFrames = count(['last_frame']);
			const referenceImages = count(['reference_image']);
			const images = firstFrames + lastFrames + referenceImages;
			const videos = count(['reference_video']);
			const audios = count(['reference_audio']);
			// True of every model: a video has one first frame, one last frame, and a last frame ends what a first frame starts.
			if (firstFrames > 1) problem(`has ${firstFrames} first frames; a video has one. Keep one First Frame entry.`);
			if (lastFrames > 1) problem(`has ${lastFrames} last frames; a video has one. Keep one Last Frame entry.`);
			if (lastFrames > 0 && firstFrames === 0) {
				problem('has a last frame but no first frame. Add a First Frame entry, or change the role to Reference Image.');
			}
			if (known) checkModelMedia(known, model, gateway, { firstFrames, lastFrames, referenceImages, images, videos, audios }, problem);
			for (const [role, kind] of [['reference_video', 'videos'], ['reference_audio', 'audios']]) {
				if (!known) continue;
				const total = request.media
					.filter((entry) => entry.role === role)
					.reduce((sum, entry) => sum + (clipSeconds(entry) ?? 0), 0);
				if (total > known.files.seconds.total) {
					problem(`reference ${kind} last ${seconds(total)} together; the limit is ${known.files.seconds.total} s. Trim or remove one.`);
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
							message: `Video Duration is missing while another reference video has one. ${name} pairs durations with videos by position, so set Video Duration on every reference video, or on none.`,
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

interface MediaCounts {
	firstFrames: number;
	lastFrames: number;
	referenceImages: number;
	images: number;
	videos: number;
	audios: number;
}

/** A known model's own rules on media: which roles it takes, how many, and (Ark) which scenarios mix. */
function checkModelMedia(known: ModelSpec, model: string, gateway: SeedanceGateway, counts: MediaCounts, problem: (message: string) => void) {
	const { firstFrames, lastFrames, referenceImages, images, videos, audios } = counts;
	if (!known.firstFrame && firstFrames + lastFrames + referenceImages > 0) {
		problem(`has images, which ${model} does not take (${known.family} is text-to-video only). Remove them, or use a model that takes a first frame.`);
		return;
	}
	if (!known.lastFrame && lastFrames > 0) {
		problem(`has a last frame, which ${model} does not take (${known.family}: first frame only). Remove the Last Frame entry, or use a model with first + last frame.`);
	}
	if (gateway.capabilities.exclusiveScenarios && firstFrames + lastFrames > 0 && referenceImages + videos + audios > 0) {
		problem(
			`mixes a first or last frame with reference media. On ${gateway.displayName}, first frame, first + last frame and multimodal reference are separate scenarios: keep the frames, or change them to Reference Image.`,
		);
	}
	if (known.referenceImages === 0 && referenceImages > 0) {
		problem(`has reference images, which ${model} does not take (${known.family} refuses a reference-media task, r2v). Use a Seedance 2.0 model, or a First Frame.`);
	} else if (referenceImages > known.referenceImages) {
		problem(`has ${referenceImages} reference images; ${model} takes at most ${known.referenceImages}.`);
	}
	if ((known.referenceVideos === 0 && videos > 0) || (known.referenceAudios === 0 && audios > 0)) {
		problem(`has reference videos or audios, which ${model} does not take (${known.family}; only the Seedance 2.0 models take them). Use a Seedance 2.0 model.`);
	} else {
		if (videos > known.referenceVideos) problem(`has ${videos} reference videos; the limit is ${known.referenceVideos}. Remove ${videos - known.referenceVideos}.`);
		if (audios > known.referenceAudios) problem(`has ${audios} reference audios; the limit is ${known.referenceAudios}. Remove ${audios - known.referenceAudios}.`);
	}
	if (images > known.images && known.referenceImages > 0) {
		problem(`has ${images} images; the limit is ${known.images} (first, last and reference images together). Remove ${images - known.images}.`);
	}
	if (known.audioNeedsVisual && audios > 0 && images + videos === 0) {
		problem('has reference audio only. Add at least one image or reference video; audio cannot be the only reference.');
	}
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
	callbackUrl: 'Callback URL',
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
		callbackUrl: data.callbackUrl?.trim(),
	};
	return { valid: true, request };
}
