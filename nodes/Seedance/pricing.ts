import type { GenerationRequest } from './gateways/gateway';
import { PRICES } from './prices';

export interface CostEstimate {
	/** USD, rounded to the cent's tenth; null when the model or resolution has no published price. */
	usd: number | null;
	/** How the figure was reached, for the output and for messages. */
	basis: string;
	/** False when a billed input (a reference video's length) was not given, so `usd` is a lower bound. */
	complete: boolean;
}

/** The one place that turns a request into money, from the gateway's published price table. */
export function estimateCost(gatewayName: string, request: GenerationRequest): CostEstimate {
	const table = PRICES[gatewayName];
	const referenceVideos = request.media.filter((entry) => entry.role === 'reference_video');
	const special = referenceVideos.length ? table?.withReferenceVideoPerSecond?.[request.model]?.[request.resolution] : undefined;
	const rate = special ?? table?.perSecond[request.model]?.[request.resolution];
	if (rate === undefined) {
		return { usd: null, basis: `no published price for ${request.model} at ${request.resolution}`, complete: false };
	}
	let seconds = request.duration;
	let basis = `${request.duration} s × $${rate}/s`;
	let complete = true;
	if (table.billsInputVideoSeconds && referenceVideos.length) {
		const inputSeconds = referenceVideos.reduce((sum, entry) => sum + (entry.durationSeconds ?? 0), 0);
		complete = referenceVideos.every((entry) => entry.durationSeconds !== undefined);
		seconds += inputSeconds;
		basis = `(${inputSeconds} s input video + ${request.duration} s output) × $${rate}/s`;
	}
	if (special !== undefined) basis += ' (reference-video rate)';
	return { usd: Math.round(seconds * rate * 1000) / 1000, basis, complete };
}
