import type { ModelSpec, SeedanceGateway } from '../gateways/gateway';

/**
 * The upstream rules of each Seedance model family, once, for every gateway that sells it.
 *
 * A model's limits belong to the model, not to the gateway: TokenHub's `doubao-seedance-2.0`,
 * AIHubMix's `doubao-seedance-2-0-260128`, BytePlus's `dreamina-seedance-2-0-260128` and
 * Volcengine's `doubao-seedance-2-0-260128` are one model, Seedance 2.0, and refuse the same
 * requests. Each gateway adapter then adds only what is its own (its duration range, its
 * resolutions, its ratios, its fields); a model's limits there are the family's within the
 * gateway's (modelsSoldBy).
 *
 * An ID with no family here (a model newer than the node) gets only the checks that are true of
 * every model (validation.ts); its numeric limits are left to the gateway, whose refusal of a
 * create costs nothing.
 *
 * Sources:
 * - Ark's create page, the upstream API every gateway forwards to
 *   (https://docs.byteplus.com/en/docs/ModelArk/1520757, https://www.volcengine.com/docs/82379/1520757):
 *   per model its resolutions, durations (2.0 and 2.0 fast 4–15 s, 1.5 pro 4–12 s, the 1.0 models
 *   2–12 s), its scenarios (text, first frame, first + last frame, multimodal reference: reference
 *   images only on 2.0 (1–9) and 1.0 lite i2v (1–4), reference videos and audios (at most 3 each)
 *   only on 2.0 and 2.0 fast, no last frame on 1.0 pro fast, no image on 1.0 lite t2v; audio never
 *   the only reference), Flex not on 2.0; and the per-file limits below.
 * - That the 1.x models refuse reference media, on AIHubMix too: AIhubmix/aihubmix-media-adapters,
 *   README.md ("SeeDance 1.x (1.0 Pro / 1.0 Pro Fast / 1.5 Pro): first_frame only — no
 *   reference_image. Upstream maps reference_image→r2v, which 1.x rejects (`task_type r2v does not
 *   support model …`)"), CHANGELOG.md 0.2.0 and src/seed.ts; the same error quoted by public
 *   clients of Ark ("The parameter task_type specified in the request is not valid: the specified
 *   task_type r2v does not support model doubao-seedance-1-5-pro").
 * - AIHubMix's own production config for Seedance 2.0 takes 4–15 s
 *   (AIhubmix/aihubmix-media-adapters, tests/parity-aihubmix-video.test.ts, MODEL_CONFIGS
 *   'seedance-2.0'), as Ark's page says, within AIHubMix's guide-wide 2–15 s.
 */

/**
 * What Ark's create page allows of each file, read from the file itself: images and reference
 * videos 300–6000 px a side with width ÷ height 0.4–2.5; reference videos at 24–60 frames per
 * second; reference videos and audios 2–15 s each, 15 s together.
 */
export interface FileLimits {
	sides: { min: number; max: number };
	aspect: { min: number; max: number };
	framesPerSecond: { min: number; max: number };
	seconds: { min: number; max: number; total: number };
}

export const ARK_FILE_LIMITS: FileLimits = {
	sides: { min: 300, max: 6000 },
	aspect: { min: 0.4, max: 2.5 },
	framesPerSecond: { min: 24, max: 60 },
	seconds: { min: 2, max: 15, total: 15 },
};

/** Who sells a model under an ID of its own: the two gateways and Ark's two regions. */
export type Seller = 'tokenhub' | 'aihubmix' | 'byteplus' | 'volcengine';

/** A model's upstream limits: the same on every gateway that sells it (a gateway may only narrow them). */
export interface ModelLimits {
	resolutions: readonly string[];
	duration: { min: number; max: number };
	/** Whether it takes a first frame, and a last frame (with the first). */
	firstFrame: boolean;
	lastFrame: boolean;
	/** Most reference images, videos, audios: 0 when the model takes none (an r2v task it refuses). */
	referenceImages: number;
	referenceVideos: number;
	referenceAudios: number;
	/** Most images of any role together. */
	images: number;
	/** Audio cannot be the only reference (it needs an image or a video). */
	audioNeedsVisual: boolean;
	/** Whether it runs on Ark's flex (offline, cheaper) service tier. */
	flexTier: boolean;
	files: FileLimits;
}

export interface ModelFamily extends ModelLimits {
	/** A stable name for code, e.g. `seedance-2.0`. */
	slug: string;
	/** For messages, e.g. `Seedance 1.5 pro`. */
	name: string;
	/** The ID each seller sells the family under. */
	soldAs: ReadonlyArray<{ seller: Seller; id: string }>;
}

const HD = ['480p', '720p', '1080p'] as const;

const SEEDANCE_2: Omit<ModelFamily, 'slug' | 'name' | 'soldAs'> = {
	resolutions: HD,
	duration: { min: 4, max: 15 },
	firstFrame: true,
	lastFrame: true,
	referenceImages: 9,
	referenceVideos: 3,
	referenceAudios: 3,
	images: 9,
	audioNeedsVisual: true,
	flexTier: false,
	files: ARK_FILE_LIMITS,
};

/** The 1.x models: first frame (and first + last), no reference media (r2v), Flex allowed. */
const SEEDANCE_1: Omit<ModelFamily, 'slug' | 'name' | 'soldAs'> = {
	resolutions: HD,
	duration: { min: 2, max: 12 },
	firstFrame: true,
	lastFrame: true,
	referenceImages: 0,
	referenceVideos: 0,
	referenceAudios: 0,
	images: 2,
	audioNeedsVisual: true,
	flexTier: true,
	files: ARK_FILE_LIMITS,
};

/** Every family, in the order the model lists show them. */
export const FAMILIES: readonly ModelFamily[] = [
	{
		...SEEDANCE_2,
		slug: 'seedance-2.0',
		name: 'Seedance 2.0',
		soldAs: [
			{ seller: 'tokenhub', id: 'doubao-seedance-2.0' },
			{ seller: 'aihubmix', id: 'doubao-seedance-2-0-260128' },
			{ seller: 'byteplus', id: 'dreamina-seedance-2-0-260128' },
			{ seller: 'volcengine', id: 'doubao-seedance-2-0-260128' },
		],
	},
	{
		...SEEDANCE_2,
		slug: 'seedance-2.0-fast',
		name: 'Seedance 2.0 fast',
		soldAs: [
			{ seller: 'tokenhub', id: 'doubao-seedance-2.0-fast' },
			{ seller: 'aihubmix', id: 'doubao-seedance-2-0-fast-260128' },
			{ seller: 'byteplus', id: 'dreamina-seedance-2-0-fast-260128' },
			{ seller: 'volcengine', id: 'doubao-seedance-2-0-fast-260128' },
		],
		resolutions: ['480p', '720p'],
	},
	{
		...SEEDANCE_1,
		slug: 'seedance-1.5-pro',
		name: 'Seedance 1.5 pro',
		soldAs: [
			{ seller: 'aihubmix', id: 'doubao-seedance-1-5-pro-251215' },
			{ seller: 'byteplus', id: 'seedance-1-5-pro-251215' },
			{ seller: 'volcengine', id: 'doubao-seedance-1-5-pro-251215' },
		],
		duration: { min: 4, max: 12 },
	},
	{
		...SEEDANCE_1,
		slug: 'seedance-1.0-pro',
		name: 'Seedance 1.0 pro',
		soldAs: [
			{ seller: 'aihubmix', id: 'doubao-seedance-1-0-pro-250528' },
			{ seller: 'byteplus', id: 'seedance-1-0-pro-250528' },
			{ seller: 'volcengine', id: 'doubao-seedance-1-0-pro-250528' },
		],
	},
	{
		...SEEDANCE_1,
		slug: 'seedance-1.0-pro-fast',
		name: 'Seedance 1.0 pro fast',
		soldAs: [
			{ seller: 'aihubmix', id: 'doubao-seedance-1-0-pro-fast-251015' },
			{ seller: 'byteplus', id: 'seedance-1-0-pro-fast-251015' },
			{ seller: 'volcengine', id: 'doubao-seedance-1-0-pro-fast-251015' },
		],
		lastFrame: false,
		images: 1,
	},
	{
		...SEEDANCE_1,
		slug: 'seedance-1.0-lite-t2v',
		name: 'Seedance 1.0 lite t2v',
		soldAs: [
			{ seller: 'byteplus', id: 'seedance-1-0-lite-t2v-250428' },
			{ seller: 'volcengine', id: 'doubao-seedance-1-0-lite-t2v-250428' },
		],
		firstFrame: false,
		lastFrame: false,
		images: 0,
	},
	{
		...SEEDANCE_1,
		slug: 'seedance-1.0-lite-i2v',
		name: 'Seedance 1.0 lite i2v',
		soldAs: [
			{ seller: 'byteplus', id: 'seedance-1-0-lite-i2v-250428' },
			{ seller: 'volcengine', id: 'doubao-seedance-1-0-lite-i2v-250428' },
		],
		referenceImages: 4,
		images: 4,
	},
];

/** What a gateway adds of its own to every model it sells. */
export interface GatewayModelRules {
	/** The gateway's own duration range (its guide's); a model's is the family's within it. */
	duration: { min: number; max: number };
	/** The resolutions the gateway offers at all. */
	resolutions: readonly string[];
	/** Fewer resolutions for a family where the gateway's guide lists fewer (by family slug). */
	familyResolutions?: Record<string, readonly string[]>;
}

function resolve(family: ModelFamily, id: string, rules: GatewayModelRules): ModelSpec {
	const narrower = rules.familyResolutions?.[family.slug];
	return {
		id,
		family: family.name,
		resolutions: family.resolutions.filter((value) => rules.resolutions.includes(value) && (!narrower || narrower.includes(value))),
		duration: { min: Math.max(family.duration.min, rules.duration.min), max: Math.min(family.duration.max, rules.duration.max) },
		firstFrame: family.firstFrame,
		lastFrame: family.lastFrame,
		referenceImages: family.referenceImages,
		referenceVideos: family.referenceVideos,
		referenceAudios: family.referenceAudios,
		images: family.images,
		audioNeedsVisual: family.audioNeedsVisual,
		flexTier: family.flexTier,
		files: family.files,
	};
}

/** The models a gateway sells (sellers in order, families in order), each with its limits there. */
export function modelsSoldBy(sellers: readonly Seller[], rules: GatewayModelRules): ModelSpec[] {
	return sellers.flatMap((seller) =>
		FAMILIES.flatMap((family) => family.soldAs.filter((sale) => sale.seller === seller).map((sale) => resolve(family, sale.id, rules))),
	);
}

/** The family an ID belongs to at one of its sellers, or undefined (a model newer than the node). */
export function familyOf(sellers: readonly Seller[], id: string): ModelFamily | undefined {
	return FAMILIES.find((family) => family.soldAs.some((sale) => sale.id === id && sellers.includes(sale.seller)));
}

/** The model as `gateway` sells it, or undefined when the node does not know it. */
export function knownModel(gateway: SeedanceGateway, id: unknown): ModelSpec | undefined {
	return typeof id === 'string' ? gateway.capabilities.models.find((model) => model.id === id) : undefined;
}

/**
 * The sentence a gateway's refusal of a create gets when the model is not one the node knows:
 * its limits were not checked here, the gateway's words say what was wrong. Empty otherwise.
 */
export function unknownModelNote(gateway: SeedanceGateway, model: unknown): string {
	if (typeof model !== 'string' || model === '' || knownModel(gateway, model)) return '';
	return ` Model ${model} is not known to this node; its limits were left to ${gateway.displayName}.`;
}

/**
 * Newer models seen in public code and resellers' docs, whose limits no official page that could
 * be read here states: SECONDHAND. The node checks none of these figures (the gateway does); they
 * are shown in the Model list's description so a user knows what is reported.
 */
export interface ReportedModel {
	name: string;
	reported: string;
	sources: readonly string[];
}

const SEEDANCE_2_5: ReportedModel = {
	name: 'Seedance 2.5',
	reported: '4–30 s, 480p and 720p, up to 30 images, 10 videos and 10 audios, audio-only references allowed',
	sources: ['docs.laozhang.ai (seedance2 page)', 'developer.civitai.com/orchestration/recipes/seedance', 'docs.comfy.org'],
};
const SEEDANCE_2_0_MINI: ReportedModel = {
	name: 'Seedance 2.0 mini',
	reported: '4–15 s, 480p and 720p, the roles of Seedance 2.0 (first frame, first + last frame, multimodal reference)',
	sources: ['public client code listing it with the reference-media models (BytePlus and Volcengine clients)'],
};

export const REPORTED_MODELS: Readonly<Record<string, ReportedModel>> = {
	'dreamina-seedance-2-5-260628': SEEDANCE_2_5,
	'doubao-seedance-2-5-260628': SEEDANCE_2_5,
	'dreamina-seedance-2-0-mini-260615': SEEDANCE_2_0_MINI,
	'doubao-seedance-2-0-mini-260615': SEEDANCE_2_0_MINI,
};
