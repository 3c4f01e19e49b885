import type { BilledRequest } from './gateways/gateway';
import { PRICES } from './prices';

export interface CostEstimate {
	/** USD, rounded to the cent's tenth; null when the request cannot be priced. */
	usd: number | null;
	/** How the figure was reached, for the output and for messages. */
	basis: string;
	/** False when a billed input (a reference video's length) was not given, so `usd` is a lower bound. */
	complete: boolean;
}

function unpriced(basis: string): CostEstimate {
	return { usd: null, basis, complete: false };
}

/**
 * The one place that turns a request into money, from the gateway's published price table.
 * It reads the body as sent (see SeedanceGateway.readBilledRequest), merged fields included.
 */
export function estimateCost(gatewayName: string, billed: BilledRequest): CostEstimate {
	const table = PRICES[gatewayName];
	const { model, duration, resolution, referenceVideos } = billed;
	if (typeof model !== 'string' || typeof resolution !== 'string') {
		return unpriced('the request has no model or resolution the price table knows');
	}
	if (typeof duration !== 'number' || !Number.isFinite(duration) || duration <= 0) {
		return unpriced(`the request's duration (${JSON.stringify(duration) ?? 'none'}) is not a number of seconds`);
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
	return { usd: Math.round(seconds * rate * 1000) / 1000, basis, complete };
}

// Three decimals below 10 cents ($0.006/s), else as published ($0.154/s, $0.20/s).
const rate = (usd: number) => `$${usd < 0.1 ? usd.toFixed(3) : usd.toFixed(3).replace(/0$/, '')}/s`;

/** What a second of video costs with `model`, per resolution, for the model list. */
export function describeModelPrices(gatewayName: string, model: string): string {
	const prices = PRICES[gatewayName]?.perSecond[model];
	if (!prices) return 'price unknown';
	return Object.entries(prices)
		.map(([resolution, usd]) => `${rate(usd)} ${resolution}`)
		.join(', ');
}

/** What a second of video costs at `resolution`, per model, for the Resolution options. */
export function describeResolutionPrices(gatewayName: string, resolution: string): string {
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
	const unpriced = items.filter(({ cost }) => cost.usd === null || !cost.complete);
	if (unpriced.length) {
		return {
			message: `the cost of item${unpriced.length === 1 ? '' : 's'} ${unpriced.map(({ itemIndex }) => itemIndex).join(', ')} cannot be estimated (${unpriced[0].cost.basis}), and Max Cost per Run is set`,
			fix: 'Pick models from the list and give reference videos a duration, or set Max Cost per Run to 0.',
		};
	}
	const total = items.reduce((sum, { cost }) => sum + (cost.usd as number), 0);
	if (total <= maxCostUsd) return undefined;
	const largest = [...items]
		.sort((a, b) => (b.cost.usd as number) - (a.cost.usd as number))
		.slice(0, 3)
		.map(({ itemIndex, cost }) => `item ${itemIndex} $${(cost.usd as number).toFixed(2)}`);
	return {
		message: `the ${items.length} items are estimated at $${total.toFixed(2)} together, over Max Cost per Run ($${maxCostUsd.toFixed(2)}); largest: ${largest.join(', ')}`,
		fix: 'Send fewer items, lower durations or resolutions, pick a cheaper model, or raise the limit.',
	};
}
