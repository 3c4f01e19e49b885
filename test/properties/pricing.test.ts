import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';

import { AIHUBMIX_BODY_FIELDS } from '../../nodes/Seedance/gateways/aihubmix';
import { ARK_BODY_FIELDS } from '../../nodes/Seedance/gateways/ark';
import type { GenerationRequest, MediaInput, MediaRole, SeedanceGateway } from '../../nodes/Seedance/gateways/gateway';
import { getGateway } from '../../nodes/Seedance/gateways';
import { TOKENHUB_BODY_FIELDS } from '../../nodes/Seedance/gateways/tokenhub';
import type { CostEstimate } from '../../nodes/Seedance/pricing';
import { billedFactsOf, capRefusal, checkable, costOfTokens, estimateCost, runOverBudget } from '../../nodes/Seedance/pricing';
import { arkOutput } from '../simulator/ark';
import type { SimTask } from '../simulator/types';
import { fuzzRuns, InvariantReport } from './fuzz';

/**
 * Invariants of the pricing (issue 16, points 4 and 5), over generated billed bodies of every
 * gateway and price table, built by the node's own adapters (every model, resolution, ratio,
 * duration, audio, tier and media mix the capabilities offer), then changed the ways a user's
 * Additional Body Fields can change them:
 * 1. estimate = cost of its estimated tokens (token gateways): the amount equals what
 *    costOfTokens charges for exactly those tokens, priced from the task object Ark reports
 *    (with and without the create body to fall back on); and the tokens are the simulated Ark's
 *    usage.completion_tokens for every body it accepts.
 * 2. adding a field (priced, price-neutral or unknown; or a content entry) never lowers an
 *    estimate that a cap can check: the new one is higher or equal, or cannot be checked (so a
 *    cap refuses it). The exceptions are Ark's documented cheaper requests, `frames` (it replaces
 *    the duration) and `service_tier: flex` (half price on 1.x), which must then equal the cost
 *    of their own tokens at the rate rateFor picks.
 * 3. a body with a field (or content entry) the price list does not know is refused under any
 *    cap, per item and per run, and the refusal names it.
 */

const PRICE_LISTS: Array<[string, string]> = [
	['tokenhub', 'tokenhub'],
	['aihubmix', 'aihubmix'],
	['ark', 'ark-byteplus'],
	['ark', 'ark-volcengine'],
];

const KNOWN = new Set([ARK_BODY_FIELDS, TOKENHUB_BODY_FIELDS, AIHUBMIX_BODY_FIELDS].flatMap((fields) => [...fields.priced, ...fields.neutral]));
const ROLES: MediaRole[] = ['first_frame', 'last_frame', 'reference_image', 'reference_video', 'reference_audio'];

interface Case {
	/** The gateway's name (its adapter is `gateway`, kept out of fast-check's counterexamples). */
	name: string;
	priceList: string;
	request: GenerationRequest;
}

const adapter = (c: Case): SeedanceGateway => getGateway(c.name);

const videoSeconds = fc.option(fc.double({ min: 2, max: 15, noNaN: true }), { nil: undefined });
const entry = (role: MediaRole, index: number, seconds?: number): MediaInput => ({
	role,
	url: `https://example.com/${role}/${index}`,
	...(role === 'reference_video' && seconds !== undefined ? { durationSeconds: seconds } : {}),
});
/** Media as Ark's scenarios allow them (none, a first frame, first + last, references), or any mix (the other gateways allow more). */
const mediaArb: fc.Arbitrary<MediaInput[]> = fc.oneof(
	{ weight: 3, arbitrary: fc.constant<MediaInput[]>([]) },
	{ weight: 1, arbitrary: fc.constant<MediaInput[]>([entry('first_frame', 0)]) },
	{ weight: 1, arbitrary: fc.constant<MediaInput[]>([entry('first_frame', 0), entry('last_frame', 1)]) },
	{
		weight: 2,
		arbitrary: fc
			.array(fc.tuple(fc.constantFrom<MediaRole>('reference_image', 'reference_video', 'reference_audio'), videoSeconds), { minLength: 1, maxLength: 4 })
			.map((entries) => entries.map(([role, seconds], index) => entry(role, index, seconds))),
	},
	{
		weight: 1,
		arbitrary: fc
			.array(fc.tuple(fc.constantFrom(...ROLES), videoSeconds), { maxLength: 4 })
			.map((entries) => entries.map(([role, seconds], index) => entry(role, index, seconds))),
	},
);

/** A request as the node would send it, for any gateway, price table and model the capabilities list. */
const caseArb: fc.Arbitrary<Case> = fc.constantFrom(...PRICE_LISTS).chain(([name, priceList]) => {
	const gateway = getGateway(name);
	const caps = gateway.capabilities;
	// Each region's own model ids: Volcengine's doubao-*, BytePlus's dreamina-* and seedance-*.
	const models = caps.models.filter((model) => name !== 'ark' || model.id.startsWith('doubao-') === (priceList === 'ark-volcengine'));
	return fc.constantFrom(...models).chain((model) => {
		const { min, max } = model.duration ?? caps.duration;
		return fc
			.record({
				resolution: fc.constantFrom(...model.resolutions),
				ratio: fc.constantFrom(...caps.ratios),
				duration: caps.duration.integer ? fc.integer({ min, max }) : fc.oneof(fc.integer({ min, max }), fc.double({ min, max, noNaN: true })),
				generateAudio: fc.boolean(),
				watermark: fc.boolean(),
				returnLastFrame: caps.supportsReturnLastFrame ? fc.boolean() : fc.constant(false),
				seed: caps.supportsSeed ? fc.option(fc.integer({ min: -1, max: 2 ** 32 - 1 }), { nil: undefined }) : fc.constant(undefined),
				serviceTier: caps.serviceTier ? fc.constantFrom(undefined, 'default', ...(model.flexTier ? ['flex'] : [])) : fc.constant(undefined),
				executionExpiresAfter: caps.serviceTier ? fc.option(fc.integer({ min: 3600, max: 259200 }), { nil: undefined }) : fc.constant(undefined),
				media: mediaArb,
			})
			.map((fields) => ({ name, priceList, request: { ...fields, model: model.id, prompt: 'A generated case', additionalBodyFields: {} } }));
	});
});

const bodyOf = (c: Case): IDataObject => adapter(c).buildCreateRequest(c.request).body ?? {};
const costOf = (c: Case, body: IDataObject): CostEstimate => estimateCost(c.priceList, adapter(c).readBilledRequest(body));
/** What a cap compares: the amount, or "cannot be checked" (refused under any cap). */
const level = (cost: CostEstimate) => (checkable(cost) ? (cost.amount as number) : Infinity);

/** The tokens the simulated Ark reports for a body it accepts (input video tokens left out, as in the estimate); undefined when it refuses it. */
function simulatedTokens(body: IDataObject): number | undefined {
	try {
		return arkOutput({ body, model: body.model } as unknown as SimTask).tokens;
	} catch {
		return undefined;
	}
}

/** The finished task object Ark answers for a body, as its get page shows one. */
function arkTask(body: IDataObject, tokens: number): IDataObject {
	return {
		id: 'cgt-generated',
		model: body.model,
		status: 'succeeded',
		resolution: body.resolution,
		ratio: body.ratio === 'adaptive' ? '16:9' : body.ratio,
		...(body.frames !== undefined ? { frames: body.frames } : { duration: body.duration }),
		service_tier: body.service_tier ?? 'default',
		generate_audio: body.generate_audio !== false,
		usage: { completion_tokens: tokens, total_tokens: tokens },
	};
}

/** |estimate − cost of exactly its tokens|, from the task Ark reports, with and without the create body's facts. */
function usageGap(c: Case, body: IDataObject, cost: CostEstimate): number {
	const task = adapter(c).parseTask(arkTask(body, cost.tokens as number));
	const billed = adapter(c).readBilledRequest(body);
	const withCreate = costOfTokens(c.priceList, billedFactsOf(adapter(c), task, billed), task.completionTokens);
	expect(withCreate).not.toBeNull();
	let gap = Math.abs((withCreate?.amount as number) - (cost.amount as number));
	if (!billed.referenceVideos.length) {
		// Looked up by ID (Get, Wait): the task's own fields alone.
		const alone = costOfTokens(c.priceList, billedFactsOf(adapter(c), task), task.completionTokens);
		gap = Math.max(gap, Math.abs((alone?.amount as number) - (cost.amount as number)));
	}
	return gap;
}

// ---------------------------------------------------------------------------
// What a user may merge: a field absent from the body, with a value of its kind or any JSON.

const url = fc.constant('https://example.com/merged.mp4');
const seconds = fc.oneof(fc.double({ min: 0, max: 30, noNaN: true }), fc.integer({ min: 0, max: 30 }));
const junk = fc.oneof(fc.constant('5'), fc.constant(null), fc.constant(-3), fc.jsonValue());
const VALUES: Record<string, fc.Arbitrary<unknown>> = {
	frames: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 66 }).map((n) => 25 + 4 * n) }, { weight: 1, arbitrary: junk }),
	service_tier: fc.constantFrom('default', 'flex', 'priority'),
	generate_audio: fc.boolean(),
	input_video_duration: fc.oneof({ weight: 4, arbitrary: seconds }, { weight: 1, arbitrary: junk }),
	video_url: url,
	video_urls: fc.oneof(fc.array(url, { maxLength: 3 }), url),
	video_durations: fc.array(fc.oneof({ weight: 4, arbitrary: seconds }, { weight: 1, arbitrary: junk }), { maxLength: 4 }),
	content: fc.constant([{ type: 'video_url', video_url: { url: 'https://example.com/merged.mp4' }, role: 'reference_video' }]),
};
const unknownKey = fc.string({ minLength: 1, maxLength: 12 }).filter((key) => !KNOWN.has(key) && key !== '__proto__');

/** One field to add to `body`: any known field of any gateway it lacks, or an unknown one. */
const additionArb = (body: IDataObject): fc.Arbitrary<[string, unknown]> => {
	const absent = [...KNOWN].filter((key) => !(key in body));
	return fc.oneof(
		{ weight: 4, arbitrary: fc.constantFrom(...absent).chain((key) => fc.tuple(fc.constant(key), VALUES[key] ?? fc.jsonValue())) },
		{ weight: 1, arbitrary: fc.tuple(unknownKey, fc.jsonValue()) },
	);
};

/** Or an entry appended to `content`: a reference video, or a type the price list does not know. */
const entryArb: fc.Arbitrary<IDataObject> = fc.oneof(
	fc.constant({ type: 'video_url', video_url: { url: 'https://example.com/merged.mp4' }, role: 'reference_video' }),
	fc.constant({ type: 'image_url', image_url: { url: 'https://example.com/merged.png' }, role: 'reference_image' }),
	fc.string({ maxLength: 10 }).filter((type) => !['text', 'image_url', 'video_url', 'audio_url'].includes(type)).map((type) => ({ type })),
);

/** Ark's documented cheaper requests: fewer frames than the duration gives, and flex. */
const DISCOUNTS = new Set(['frames', 'service_tier']);

// ---------------------------------------------------------------------------

const reports = {
	usage: new InvariantReport('pricing: estimate = cost of its estimated tokens (Ark)'),
	monotone: new InvariantReport('pricing: adding a field never lowers a checkable estimate'),
	refused: new InvariantReport('pricing: an unknown body field under a cap is refused, named'),
};
afterAll(() => Object.values(reports).forEach((report) => report.write()));
let bySimulator = 0;

it('estimate = the cost of exactly its estimated tokens, which are the tokens the simulated Ark reports', () => {
	fc.assert(
		fc.property(
			caseArb.filter((c) => adapter(c).name === 'ark'),
			fc.option(VALUES.frames, { nil: undefined }),
			(c, frames) => {
				// frames is for the 1.0 models (Ark refuses it on the others: no task, nothing billed).
				const body = { ...bodyOf(c), ...(frames !== undefined && /seedance-1-0/.test(c.request.model) ? { frames } : {}) };
				const cost = costOf(c, body);
				if (cost.amount === null) {
					// No published price (Volcengine's 1.x): no cost of usage either. (Or frames that are no number: no tokens to price.)
					if (cost.basis.startsWith('no published price')) expect(costOfTokens(c.priceList, adapter(c).readBilledRequest(body), 1000)).toBeNull();
					reports.usage.saw({ absoluteDifference: 0 });
					return;
				}
				const simulated = simulatedTokens(body);
				if (simulated !== undefined) expect(cost.tokens).toBe(simulated);
				const gap = usageGap(c, body, cost);
				expect(gap).toBe(0);
				if (simulated !== undefined) bySimulator++;
				// The last figure is a running count: cases whose tokens the simulated Ark settled too.
				reports.usage.saw({ absoluteDifference: gap, tokenDifference: simulated === undefined ? 0 : Math.abs(simulated - (cost.tokens as number)), casesCheckedBySimulator: bySimulator });
			},
		),
		fuzzRuns(400),
	);
});

it('adding any field, or content entry, never lowers an estimate a cap can check (Ark frames and flex excepted, and then exact)', () => {
	fc.assert(
		fc.property(
			caseArb.chain((c) => {
				const body = bodyOf(c);
				return fc.tuple(fc.constant(c), fc.constant(body), fc.oneof({ weight: 4, arbitrary: additionArb(body) }, { weight: 1, arbitrary: entryArb.map((entry) => ['content[]', entry] as [string, unknown]) }));
			}),
			([c, body, [key, value]]) => {
				const before = costOf(c, body);
				const after: IDataObject =
					key === 'content[]' ? { ...body, content: [...(Array.isArray(body.content) ? body.content : []), value as IDataObject] } : { ...body, [key]: value as IDataObject };
				const cost = costOf(c, after);
				const drop = level(before) === Infinity ? 0 : Math.max(0, level(before) - level(cost));
				if (drop > 0) {
					// Only Ark's documented cheaper requests may lower it, and then to the cost of their own tokens.
					expect({ gateway: adapter(c).name, key, discount: DISCOUNTS.has(key) }).toEqual({ gateway: 'ark', key, discount: true });
					expect(usageGap(c, after, cost)).toBe(0);
					const simulated = simulatedTokens(after);
					if (simulated !== undefined) expect(cost.tokens).toBe(simulated);
					reports.monotone.saw({ documentedDiscount: 1 });
					return;
				}
				// A field the price list reads changes the basis or leaves the amount as it was; a field it does not know is named.
				if (!KNOWN.has(key) && key !== 'content[]') expect(cost.unpricedFields).toContain(key);
				reports.monotone.saw({ drop, documentedDiscount: 0 });
			},
		),
		fuzzRuns(600),
	);
});

it('a body with a field or content entry the price list does not know is refused under any cap, per item and per run, naming it', () => {
	fc.assert(
		fc.property(
			caseArb,
			fc.oneof(
				fc.tuple(unknownKey, fc.jsonValue()).map(([key, value]) => ({ key, merge: (body: IDataObject): IDataObject => ({ ...body, [key]: value as IDataObject }) })),
				entryArb
					.filter((entry) => !['video_url', 'image_url'].includes(entry.type as string))
					.map((entry) => ({
						key: 'content[',
						merge: (body: IDataObject) => ({ ...body, content: [...(Array.isArray(body.content) ? body.content : []), entry] }),
					})),
			),
			fc.double({ min: 0.01, max: 1e6, noNaN: true }),
			(c, { key, merge }, cap) => {
				const cost = costOf(c, merge(bodyOf(c)));
				const refusal = capRefusal(adapter(c).displayName, cost, cap, 'Max Cost per Video');
				expect(refusal).toBeDefined();
				expect(refusal!.message).toContain(key);
				expect(runOverBudget([{ itemIndex: 0, cost }], cap)).toBeDefined();
				// Without a cap it is sent, the estimate shown and its basis saying what it leaves out.
				expect(capRefusal(adapter(c).displayName, cost, 0, 'Max Cost per Video')).toBeUndefined();
				expect(cost.basis).toContain('not counted');
				reports.refused.saw({ unpricedFields: cost.unpricedFields.length });
			},
		),
		fuzzRuns(400),
	);
});
