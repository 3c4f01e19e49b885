import type { BilledRequest, NormalisedTask, SeedanceGateway } from './gateways/gateway';
import { OUTPUT_FPS, OUTPUT_PIXELS, PRICES } from './prices';
import type { PriceTable } from './prices';

export type Currency = 'USD' | 'CNY';

export interface CostEstimate {
	/** The estimate in `currency`, rounded to the tenth of a cent (what the caps compare); null when the request cannot be priced. */
	amount: number | null;
	currency: Currency;
	/** `amount` when the currency is USD, else null (kept for consumers of USD figures). */
	usd: number | null;
	/** How the figure was reached, for the output and for messages. */
	basis: string;
	/** False when a billed input was not counted (see `uncounted`), so `amount` is a lower bound. */
	complete: boolean;
	/**
	 * What was billed but not counted, when `complete` is false: the seconds of reference videos
	 * without a length (`videos`, where they are in the body), or their tokens (Ark).
	 */
	uncounted?: { kind: 'input video seconds' | 'input video tokens'; videos: string[] };
	/** Output tokens estimated, for gateways that bill tokens (Ark). */
	tokens?: number;
	/**
	 * Body fields the price list does not know (merged through Additional Body Fields). The
	 * amount leaves them out, so it cannot be checked against a cap.
	 */
	unpricedFields: string[];
}

/** Whether a cap can be checked against the estimate: priced, complete, and every field known. */
export const checkable = (cost: CostEstimate): boolean => cost.amount !== null && cost.complete && cost.unpricedFields.length === 0;

function unpriced(basis: string, currency: Currency, unpricedFields: string[]): CostEstimate {
	return { usd: null, amount: null, currency, basis: withUnpriced(basis, unpricedFields), complete: false, unpricedFields };
}

const round = (amount: number) => Math.round(amount * 1000) / 1000;

function withUnpriced(basis: string, fields: string[]): string {
	return fields.length ? `${basis}; not counted: ${fields.join(', ')} (not in the price list)` : basis;
}

function outputSize(model: string, resolution: string, ratio: string): [number, number] | undefined {
	const table = /seedance-1-0/.test(model) ? OUTPUT_PIXELS.seedance1 : OUTPUT_PIXELS.seedance2;
	return table[resolution]?.[ratio === 'adaptive' ? '16:9' : ratio];
}

/** Tokens per second of output, for showing a token price as a price per second. */
function tokensPerSecond(model: string, resolution: string): number {
	const size = outputSize(model, resolution, '16:9');
	return size ? (size[0] * size[1] * OUTPUT_FPS) / 1024 : 0;
}

/** The output tokens of a video: width × height × frames / 1024 (Ark's published formula), a d-second video having 24·d + 1 frames. */
export function outputTokens(model: string, resolution: string, ratio: string, duration: number): number | null {
	return tokensOfFrames(model, resolution, ratio, OUTPUT_FPS * duration + 1);
}

function tokensOfFrames(model: string, resolution: string, ratio: string, frames: number): number | null {
	const size = outputSize(model, resolution, ratio);
	if (!size) return null;
	return Math.floor((size[0] * size[1] * frames) / 1024);
}

/** The facts a rate depends on. `referenceVideos` undefined: not known (a task looked up by ID). */
export type RateFacts = Pick<BilledRequest, 'model' | 'resolution' | 'generateAudio' | 'serviceTier'> & {
	referenceVideos?: BilledRequest['referenceVideos'];
};

/** A price per unit, as picked by rateFor. */
export type Rate =
	| { unit: 'token'; perMillion: number; currency: Currency; withVideo: boolean; note: string }
	| { unit: 'second'; perSecond: number; currency: Currency; referenceVideoRate: boolean }
	| { unit: 'none'; currency: Currency; why: string };

/**
 * The one place that picks a rate from a price table, for the estimate and for the cost of the
 * tokens a task used alike: by model, and where the table has variants, by resolution (1080p),
 * reference videos, generated audio (silent) and service tier (flex).
 */
export function rateFor(table: PriceTable | undefined, facts: RateFacts): Rate {
	const currency = table?.currency ?? 'USD';
	const { model, resolution } = facts;
	if (typeof model !== 'string' || typeof resolution !== 'string') {
		return { unit: 'none', currency, why: 'the request has no model or resolution the price table knows' };
	}
	const videos = facts.referenceVideos?.length ?? 0;
	if (table?.perMillionTokens) {
		const price = table.perMillionTokens[model];
		if (price === undefined) return { unit: 'none', currency, why: `no published price for ${model}` };
		const withVideo = videos > 0 && price.withVideoInput !== undefined;
		let perMillion = withVideo ? (price.withVideoInput as number) : resolution === '1080p' && price.at1080p ? price.at1080p : price.perMillion;
		if (facts.generateAudio === false && price.silent !== undefined) perMillion = price.silent;
		if (facts.serviceTier === 'flex' && price.flexHalf) perMillion /= 2;
		const note = facts.referenceVideos === undefined && price.withVideoInput !== undefined ? ' (no reference video assumed)' : '';
		return { unit: 'token', perMillion, currency, withVideo, note };
	}
	const special = videos ? table?.withReferenceVideoPerSecond?.[model]?.[resolution] : undefined;
	const perSecond = special ?? table?.perSecond[model]?.[resolution];
	if (perSecond === undefined) return { unit: 'none', currency, why: `no published price for ${model} at ${resolution}` };
	return { unit: 'second', perSecond, currency, referenceVideoRate: special !== undefined };
}

/** Money for a number of tokens at a token rate: the estimate and the cost of usage both come from here. */
function priceTokens(tokens: number, perMillion: number): number {
	return round((tokens / 1e6) * perMillion);
}

const ofSeconds = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/**
 * The one place that turns a request into money, from the gateway's published price table.
 * It reads the body as sent (see SeedanceGateway.readBilledRequest), merged fields included.
 */
export function estimateCost(gatewayName: string, billed: BilledRequest): CostEstimate {
	const table = PRICES[gatewayName];
	const { model, duration, resolution, referenceVideos } = billed;
	const fields = billed.unpricedFields ?? [];
	const price = rateFor(table, billed);
	const currency = price.currency;
	if (price.unit === 'none') return unpriced(price.why, currency, fields);
	const { frames } = billed;
	if (price.unit === 'token' && frames !== undefined) {
		// `frames` replaces `duration` (Ark's 1.0 models): width × height × frames / 1024.
		if (!ofSeconds(frames) || !Number.isInteger(frames)) {
			return unpriced(`the request's frames (${JSON.stringify(frames) ?? 'none'}) is not a number of frames`, currency, fields);
		}
	} else if (!ofSeconds(duration)) {
		return unpriced(`the request's duration (${JSON.stringify(duration) ?? 'none'}) is not a number of seconds`, currency, fields);
	}
	if (price.unit === 'token') {
		const ratio = typeof billed.ratio === 'string' ? billed.ratio : '16:9';
		const tokens =
			frames !== undefined
				? tokensOfFrames(model as string, resolution as string, ratio, frames as number)
				: outputTokens(model as string, resolution as string, ratio, duration as number);
		if (tokens === null) return unpriced(`no output size for ${resolution as string} at ${ratio}`, currency, fields);
		const basis = `${tokens} output tokens${frames !== undefined ? ` (frames: ${frames as number})` : ''} × ${currencySymbol(currency)}${price.perMillion}/M tokens${price.withVideo ? " (plus the reference videos' tokens)" : ''}`;
		// Input video tokens are billed too, and cannot be counted here: a floor, not an estimate.
		return {
			...priced(priceTokens(tokens, price.perMillion), currency, withUnpriced(basis, fields), fields),
			tokens,
			...(price.withVideo ? { complete: false, uncounted: { kind: 'input video tokens' as const, videos: sources(referenceVideos) } } : {}),
		};
	}
	const seconds = duration as number;
	let basis = `${seconds} s × $${price.perSecond}/s`;
	let total = seconds;
	let uncounted: string[] = [];
	const stated = billed.statedInputVideo;
	if (table.billsInputVideoSeconds && (referenceVideos.length || stated)) {
		if (stated && !(typeof stated.seconds === 'number' && Number.isFinite(stated.seconds) && stated.seconds >= 0)) {
			return unpriced(`${stated.field} (${JSON.stringify(stated.seconds)}) is not a number of seconds`, currency, fields);
		}
		// The larger of the lengths the body states, each video's or the total: never below either.
		const each = referenceVideos.reduce((sum, entry) => sum + (entry.durationSeconds ?? 0), 0);
		const inputSeconds = Math.max(each, (stated?.seconds as number | undefined) ?? 0);
		if (!stated) uncounted = sources(referenceVideos.filter((entry) => entry.durationSeconds === undefined));
		total += inputSeconds;
		// Where the input seconds were read, when not (only) from the media list's videos.
		const from = [...new Set([...sources(referenceVideos).map((source) => source.replace(/\[\d+\]$/, '')), ...(stated ? [stated.field] : [])])].filter(
			(field) => field !== 'content',
		);
		basis = `(${inputSeconds} s input video${from.length ? ` from ${from.join(', ')}` : ''} + ${seconds} s output) × $${price.perSecond}/s`;
	}
	if (price.referenceVideoRate) basis += ' (reference-video rate)';
	return {
		...priced(round(total * price.perSecond), currency, withUnpriced(basis, fields), fields),
		...(uncounted.length ? { complete: false, uncounted: { kind: 'input video seconds' as const, videos: uncounted } } : {}),
	};
}

const sources = (videos: BilledRequest['referenceVideos']) => videos.map((video, index) => video.source ?? `reference video ${index + 1}`);

function priced(amount: number, currency: Currency, basis: string, unpricedFields: string[]): CostEstimate {
	return { usd: currency === 'USD' ? amount : null, amount, currency, basis, complete: true, unpricedFields };
}

// Three decimals below 10 cents ($0.006/s), else as published ($0.154/s, $0.20/s).
const rate = (usd: number) => `$${usd < 0.1 ? usd.toFixed(3) : usd.toFixed(3).replace(/0$/, '')}/s`;

/** What a second of video costs with `model`, per resolution, for the model list. */
export function describeModelPrices(gatewayName: string, model: string): string {
	const tokenPrice = PRICES[gatewayName]?.perMillionTokens?.[model];
	if (tokenPrice) {
		const perSecond = (resolution: string) => (tokensPerSecond(model, resolution) / 1e6) * tokenPrice.perMillion;
		const symbol = currencySymbol(PRICES[gatewayName].currency ?? 'USD');
		return `${symbol}${tokenPrice.perMillion}/M tokens ≈ ${symbol}${perSecond('720p').toFixed(3)}/s at 720p 16:9`;
	}
	const prices = PRICES[gatewayName]?.perSecond[model];
	if (!prices) return 'price unknown';
	return Object.entries(prices)
		.map(([resolution, usd]) => `${rate(usd)} ${resolution}`)
		.join(', ');
}

/** What a second of video costs at `resolution`, per model, for the Resolution options. */
export function describeResolutionPrices(gatewayName: string, resolution: string): string {
	const tokens = PRICES[gatewayName]?.perMillionTokens;
	if (tokens) {
		const symbol = currencySymbol(PRICES[gatewayName].currency ?? 'USD');
		const [model] = Object.keys(tokens);
		const price = rateFor(PRICES[gatewayName], { model, resolution, referenceVideos: [] });
		const perSecond = (tokensPerSecond(model, resolution) / 1e6) * (price.unit === 'token' ? price.perMillion : 0);
		return `Billed by output tokens: ≈ ${symbol}${perSecond.toFixed(3)}/s on ${model} at 16:9`;
	}
	const table = PRICES[gatewayName]?.perSecond ?? {};
	const offers = Object.entries(table).filter(([, prices]) => prices[resolution] !== undefined);
	if (!offers.length) return 'No published price at this resolution';
	return offers.map(([model, prices]) => `${rate(prices[resolution])} on ${model}`).join(', ');
}

export interface ItemCost {
	itemIndex: number;
	cost: CostEstimate;
}

const money = (currency: Currency, amount: number) => `${currencySymbol(currency)}${amount.toFixed(2)}`;
const fieldList = (fields: string[]) => `${fields.length === 1 ? 'field' : 'fields'} ${fields.map((field) => `"${field}"`).join(', ')}`;

/**
 * Why one item may not be sent under a per-item cap (`maxCost` in the estimate's currency;
 * `capLabel` names the cap, e.g. "Max Cost per Video"), or undefined when it may: refused when
 * the estimate is over the cap, or when the cap cannot be checked (no price, a billed input
 * not counted, or a body field the price list does not know). A cap of 0 is no cap.
 */
export function capRefusal(gatewayDisplayName: string, cost: CostEstimate, maxCost: number, capLabel: string): { message: string; fix: string } | undefined {
	if (!(maxCost > 0)) return undefined;
	if (cost.amount === null) {
		return {
			message: `its cost cannot be estimated (${cost.basis}), and ${capLabel} is set`,
			fix: `Pick a model from the list, check the model, duration and resolution in Additional Body Fields, or set ${capLabel} to 0.`,
		};
	}
	if (cost.unpricedFields.length) {
		return {
			message: `the body ${fieldList(cost.unpricedFields)} cannot be priced, so ${capLabel} cannot be checked`,
			fix: `${gatewayDisplayName}'s price list does not say what ${cost.unpricedFields.length === 1 ? 'it costs' : 'they cost'}. Remove ${cost.unpricedFields.length === 1 ? 'it' : 'them'} from Additional Body Fields, or set ${capLabel} to 0 to send the item without a cap.`,
		};
	}
	if (!cost.complete) {
		if (cost.uncounted?.kind === 'input video tokens') {
			return {
				message: `${gatewayDisplayName} also bills the reference videos' own tokens, which cannot be counted before the task runs, so ${capLabel} cannot be checked`,
				fix: `Remove the reference videos, or set ${capLabel} to 0 (the output's costFromUsage then shows what the tokens cost).`,
			};
		}
		// Videos of the media list lack a Video Duration; merged ones lack a length in the body.
		const merged = (cost.uncounted?.videos ?? []).filter((source) => !source.startsWith('content['));
		if (merged.length) {
			return {
				message: `${gatewayDisplayName} bills reference video seconds, and the reference video${merged.length === 1 ? '' : 's'} ${merged.join(', ')} in the request body ${merged.length === 1 ? 'has' : 'have'} no length, so ${capLabel} cannot be checked`,
				fix: 'Give each merged video its length in video_durations (or the total in input_video_duration), in Additional Body Fields.',
			};
		}
		return {
			message: `${gatewayDisplayName} bills reference video seconds, and a reference video has no Video Duration, so ${capLabel} cannot be checked`,
			fix: 'Set Video Duration (Seconds) on each reference video.',
		};
	}
	if (cost.amount > maxCost) {
		return {
			message: `estimated cost ${money(cost.currency, cost.amount)} (${cost.basis}) is over ${capLabel} (${money(cost.currency, maxCost)})`,
			fix: 'Lower the duration or resolution (Additional Body Fields count too), pick a cheaper model, or raise the limit.',
		};
	}
	return undefined;
}

/** Why a run's items together may not be sent under `maxCost`, or undefined when they may. */
export function runOverBudget(items: ItemCost[], maxCost: number, capLabel = 'Max Cost per Run'): { message: string; fix: string } | undefined {
	if (!(maxCost > 0) || !items.length) return undefined;
	const unknown = items.filter(({ cost }) => cost.amount === null || !cost.complete);
	if (unknown.length) {
		return {
			message: `the cost of item${unknown.length === 1 ? '' : 's'} ${unknown.map(({ itemIndex }) => itemIndex).join(', ')} cannot be estimated (${unknown[0].cost.basis}), and ${capLabel} is set`,
			fix: `Pick models from the list and give reference videos a duration, or set ${capLabel} to 0.`,
		};
	}
	const unpricedItems = items.filter(({ cost }) => cost.unpricedFields.length);
	if (unpricedItems.length) {
		const [{ cost }] = unpricedItems;
		return {
			message: `the body ${fieldList(cost.unpricedFields)} of item${unpricedItems.length === 1 ? '' : 's'} ${unpricedItems.map(({ itemIndex }) => itemIndex).join(', ')} cannot be priced, so ${capLabel} cannot be checked`,
			fix: `Remove the fields the price list does not know from Additional Body Fields, or set ${capLabel} to 0.`,
		};
	}
	const total = items.reduce((sum, { cost }) => sum + (cost.amount as number), 0);
	if (total <= maxCost) return undefined;
	const { currency } = items[0].cost;
	const largest = [...items]
		.sort((a, b) => (b.cost.amount as number) - (a.cost.amount as number))
		.slice(0, 3)
		.map(({ itemIndex, cost }) => `item ${itemIndex} ${money(currency, cost.amount as number)}`);
	return {
		message: `the ${items.length} items are estimated at ${money(currency, total)} together, over ${capLabel} (${money(currency, maxCost)}); largest: ${largest.join(', ')}`,
		fix: 'Send fewer items, lower durations or resolutions, pick a cheaper model, or raise the limit.',
	};
}

/**
 * The billed facts of a finished task, for pricing the tokens it used: the task's own fields as
 * the gateway reports them, each falling back to the create body's facts the node priced
 * (`created`, on Create). Task objects do not list their inputs, so reference videos come from
 * the create body only; without it they are not known.
 */
export function billedFactsOf(gateway: SeedanceGateway, task: NormalisedTask, created?: BilledRequest): RateFacts {
	const own = gateway.readBilledTask?.(task.raw) ?? {};
	return {
		model: own.model ?? task.model ?? created?.model,
		resolution: own.resolution ?? created?.resolution,
		generateAudio: own.generateAudio ?? created?.generateAudio,
		serviceTier: own.serviceTier ?? created?.serviceTier,
		referenceVideos: created?.referenceVideos,
	};
}

/**
 * What the tokens a gateway reported cost, for gateways that bill tokens (Ark's
 * usage.completion_tokens), at the rate rateFor picks for the task's billed facts: the same
 * rate, and the same rounding, as the estimate, so the exact estimated tokens cost the estimate.
 */
export function costOfTokens(
	priceList: string | undefined,
	facts: RateFacts,
	tokens: number | null,
): { amount: number; currency: Currency; basis: string } | null {
	const table = priceList ? PRICES[priceList] : undefined;
	if (tokens === null || !table?.perMillionTokens) return null;
	const price = rateFor(table, facts);
	if (price.unit !== 'token') return null;
	return {
		amount: priceTokens(tokens, price.perMillion),
		currency: price.currency,
		basis: `${tokens} tokens × ${currencySymbol(price.currency)}${price.perMillion}/M tokens${price.note}`,
	};
}

export const currencySymbol = (currency: Currency) => (currency === 'USD' ? '$' : '¥');
