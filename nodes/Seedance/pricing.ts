import type { BilledRequest } from './gateways/gateway';
import { OUTPUT_FPS, OUTPUT_PIXELS, PRICES } from './prices';

export interface CostEstimate {
	/** USD, rounded to the cent's tenth; null when the request cannot be priced, or is priced in CNY. */
	usd: number | null;
	/** The estimate in `currency` (what the caps compare). */
	amount: number | null;
	currency: 'USD' | 'CNY';
	/** How the figure was reached, for the output and for messages. */
	basis: string;
	/** False when a billed input (a reference video's length) was not given, so `usd` is a lower bound. */
	complete: boolean;
}

function unpriced(basis: string, currency: 'USD' | 'CNY' = 'USD'): CostEstimate {
	return { usd: null, amount: null, currency, basis, complete: false };
}

function priced(amount: number, currency: 'USD' | 'CNY', basis: string, complete = true): CostEstimate {
	const rounded = Math.round(amount * 1000) / 1000;
	return { usd: currency === 'USD' ? rounded : null, amount: rounded, currency, basis, complete };
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

/** The output tokens of a video: width × height × frames / 1024 (Ark's published formula). */
export function outputTokens(model: string, resolution: string, ratio: string, duration: number): number | null {
	const size = outputSize(model, resolution, ratio);
	if (!size) return null;
	return Math.floor((size[0] * size[1] * (OUTPUT_FPS * duration + 1)) / 1024);
}

/**
 * The one place that turns a request into money, from the gateway's published price table.
 * It reads the body as sent (see SeedanceGateway.readBilledRequest), merged fields included.
 */
export function estimateCost(gatewayName: string, billed: BilledRequest): CostEstimate {
	const table = PRICES[gatewayName];
	const { model, duration, resolution, referenceVideos } = billed;
	const currency = table?.currency ?? 'USD';
	if (typeof model !== 'string' || typeof resolution !== 'string') {
		return unpriced('the request has no model or resolution the price table knows');
	}
	if (typeof duration !== 'number' || !Number.isFinite(duration) || duration <= 0) {
		return unpriced(`the request's duration (${JSON.stringify(duration) ?? 'none'}) is not a number of seconds`);
	}
	if (table?.perMillionTokens) {
		const price = table.perMillionTokens[model];
		if (price === undefined) return unpriced(`no published price for ${model}`, currency);
		const ratio = typeof billed.ratio === 'string' ? billed.ratio : '16:9';
		const tokens = outputTokens(model, resolution, ratio, duration);
		if (tokens === null) return unpriced(`no output size for ${resolution} at ${ratio}`, currency);
		const withVideo = referenceVideos.length > 0 && price.withVideoInput !== undefined;
		let perMillion = withVideo ? (price.withVideoInput as number) : resolution === '1080p' && price.at1080p ? price.at1080p : price.perMillion;
		if (billed.generateAudio === false && price.silent !== undefined) perMillion = price.silent;
		if (billed.serviceTier === 'flex' && price.flexHalf) perMillion /= 2;
		const basis = `${tokens} output tokens × ${currencySymbol(currency)}${perMillion}/M tokens${withVideo ? ' (plus the reference videos\' tokens)' : ''}`;
		// Input video tokens are billed too, and cannot be counted here: a floor, not an estimate.
		return priced((tokens / 1e6) * perMillion, currency, basis, !withVideo);
	}
	const special = referenceVideos.length ? table?.withReferenceVideoPerSecond?.[model]?.[resolution] : undefined;
	const rate = special ?? table?.perSecond[model]?.[resolution];
	if (rate === undefined) return unpriced(`no published price for ${model} at ${resolution}`);
	let seconds = duration;
	let basis = `${duration} s × $${rate}/s`;
	let complete = true;
	if (table.billsInputVideoSeconds && referenceVideos.length) {
		const inputSeconds = referenceVideos.reduce((sum, entry) => sum + (entry.durationSeconds ?? 0), 0);
		complete = referenceVideos.every((entry) => entry.durationSeconds !== undefined);
		seconds += inputSeconds;
		basis = `(${inputSeconds} s input video + ${duration} s output) × $${rate}/s`;
	}
	if (special !== undefined) basis += ' (reference-video rate)';
	return priced(seconds * rate, currency, basis, complete);
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
		const [model, price] = Object.entries(tokens)[0];
		const perSecond = (tokensPerSecond(model, resolution) / 1e6) * (resolution === '1080p' && price.at1080p ? price.at1080p : price.perMillion);
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

/** Why a run's items together may not be sent under `maxCostUsd`, or undefined when they may. */
export function runOverBudget(items: ItemCost[], maxCostUsd: number): { message: string; fix: string } | undefined {
	if (!(maxCostUsd > 0) || !items.length) return undefined;
	const unpriced = items.filter(({ cost }) => cost.amount === null || !cost.complete);
	if (unpriced.length) {
		return {
			message: `the cost of item${unpriced.length === 1 ? '' : 's'} ${unpriced.map(({ itemIndex }) => itemIndex).join(', ')} cannot be estimated (${unpriced[0].cost.basis}), and Max Cost per Run is set`,
			fix: 'Pick models from the list and give reference videos a duration, or set Max Cost per Run to 0.',
		};
	}
	const total = items.reduce((sum, { cost }) => sum + (cost.amount as number), 0);
	if (total <= maxCostUsd) return undefined;
	const symbol = currencySymbol(items[0].cost.currency);
	const largest = [...items]
		.sort((a, b) => (b.cost.amount as number) - (a.cost.amount as number))
		.slice(0, 3)
		.map(({ itemIndex, cost }) => `item ${itemIndex} ${symbol}${(cost.amount as number).toFixed(2)}`);
	return {
		message: `the ${items.length} items are estimated at ${symbol}${total.toFixed(2)} together, over Max Cost per Run (${symbol}${maxCostUsd.toFixed(2)}); largest: ${largest.join(', ')}`,
		fix: 'Send fewer items, lower durations or resolutions, pick a cheaper model, or raise the limit.',
	};
}

/** What the tokens a gateway reported cost, for gateways that bill tokens (Ark's usage.completion_tokens). */
export function costOfTokens(priceList: string | undefined, model: string | null, tokens: number | null): { amount: number; currency: 'USD' | 'CNY' } | null {
	const table = priceList ? PRICES[priceList] : undefined;
	const perMillion = model ? table?.perMillionTokens?.[model]?.perMillion : undefined;
	if (tokens === null || perMillion === undefined) return null;
	return { amount: Math.round((tokens / 1e6) * perMillion * 1000) / 1000, currency: table?.currency ?? 'USD' };
}

export const currencySymbol = (currency: 'USD' | 'CNY') => (currency === 'USD' ? '$' : '¥');
