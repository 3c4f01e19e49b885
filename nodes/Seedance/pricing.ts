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
