import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { GenerationRequest, SeedanceGateway } from '../../gateways/gateway';
import type { MediaEntry } from '../../media';
import { readMediaEntries, toMediaInputs } from '../../media';
import type { CostEstimate } from '../../pricing';
import { capRefusal, estimateCost, runOverBudget } from '../../pricing';
import type { GenerationParameters } from '../../validation';
import { validateGeneration } from '../../validation';
import type { DeliverySettings } from '../shared';
import { readDeliveryOptions } from '../shared';

/** Reading, checking and pricing one item's request, before anything is sent. */

export interface PreparedCreate {
	generation: Omit<GenerationRequest, 'media'>;
	/** Media as checked; binary files are loaded only when the create is sent. */
	entries: MediaEntry[];
	cost: CostEstimate;
	settings: DeliverySettings;
	waitForCompletion: boolean;
}

/**
 * Reads and checks one item: every parameter it will need, so nothing can fail to read once a
 * task is paid. The router runs this for every item before any item is created, so one bad
 * item in a batch costs nothing at all.
 */
export async function prepare(
	this: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
): Promise<PreparedCreate> {
	const additional = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	const parameters: GenerationParameters = {
		model: this.getNodeParameter('model', itemIndex, ''),
		prompt: this.getNodeParameter('prompt', itemIndex, ''),
		duration: this.getNodeParameter('duration', itemIndex, gateway.capabilities.duration.default),
		resolution: this.getNodeParameter('resolution', itemIndex, gateway.capabilities.defaultResolution),
		ratio: this.getNodeParameter('ratio', itemIndex, gateway.capabilities.defaultRatio),
		generateAudio: this.getNodeParameter('generateAudio', itemIndex, gateway.capabilities.generateAudioDefault),
		watermark: additional.watermark ?? false,
		returnLastFrame: gateway.capabilities.supportsReturnLastFrame ? (additional.returnLastFrame ?? false) : false,
		seed: gateway.capabilities.supportsSeed && additional.seed !== -1 ? additional.seed : undefined,
		additionalBodyFields: additional.additionalBodyFields ?? {},
		...(gateway.capabilities.serviceTier
			? { serviceTier: additional.serviceTier, executionExpiresAfter: additional.executionExpiresAfter }
			: {}),
		// Ark's only (its field shows for Ark alone); an empty field is no callback.
		...(gateway.capabilities.callbacks && additional.callbackUrl !== undefined && additional.callbackUrl !== ''
			? { callbackUrl: additional.callbackUrl }
			: {}),
	};
	const waitForCompletion = this.getNodeParameter('waitForCompletion', itemIndex, true) as boolean;
	const settings = readDeliveryOptions(this, itemIndex);
	const entries = await readMediaEntries(this, itemIndex);
	const validation = validateGeneration(gateway, parameters, entries);
	if (!validation.valid) {
		const { problems } = validation;
		throw new NodeOperationError(
			this.getNode(),
			`Item ${itemIndex} cannot be sent to ${gateway.displayName} (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join(' ')}`,
			{
				itemIndex,
				description: `Nothing was sent, so nothing was charged. Fix: ${problems.map((problem) => `\n- ${problem}`).join('')}`,
			},
		);
	}
	// Priced on the body as it will be sent, Additional Body Fields merged in, from the price
	// list of the credential's gateway (and region).
	const preview = gateway.buildCreateRequest({ ...validation.request, media: await toMediaInputs(entries) });
	settings.priceList = gateway.priceList(await this.getCredentials(gateway.credentialType, itemIndex));
	// Kept to price the tokens the task reports, where the task does not repeat what was billed.
	settings.billed = gateway.readBilledRequest(preview.body ?? {});
	const cost = estimateCost(settings.priceList, settings.billed);
	checkSpendCap(this, gateway, cost, Number(additional.maxCostUsd ?? 0), itemIndex);
	return { generation: validation.request, entries, cost, settings, waitForCompletion };
}

/** Max Cost per Run: the run's items together, refused whole before any request. */
export function checkRun(this: IExecuteFunctions, items: Array<{ itemIndex: number; prepared: PreparedCreate }>): void {
	const maxCostPerRunUsd = Number(this.getNodeParameter('options.maxCostPerRunUsd', 0, 0));
	const problem = runOverBudget(items.map(({ itemIndex, prepared }) => ({ itemIndex, cost: prepared.cost })), maxCostPerRunUsd);
	if (problem) {
		throw new NodeOperationError(this.getNode(), `Run not sent: ${problem.message}`, {
			itemIndex: items[0].itemIndex,
			description: `Nothing was sent, so nothing was charged. ${problem.fix}`,
		});
	}
}

/** Max Cost per Video: refused before any request when the estimate is over it, or cannot be made. */
function checkSpendCap(ctx: IExecuteFunctions, gateway: SeedanceGateway, cost: CostEstimate, maxCost: number, itemIndex: number) {
	const problem = capRefusal(gateway.displayName, cost, maxCost, 'Max Cost per Video');
	if (!problem) return;
	throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex} not sent: ${problem.message}`, {
		itemIndex,
		description: `Nothing was sent, so nothing was charged. ${problem.fix}`,
	});
}
