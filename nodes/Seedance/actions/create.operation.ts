import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { Batch } from '../batch';
import type { GatewayRequest, SeedanceGateway } from '../gateways/gateway';
import { GATEWAYS } from '../gateways';
import { mediaProperty, readMediaEntries, toMediaInputs } from '../media';
import type { CostEstimate } from '../pricing';
import { estimateCost } from '../pricing';
import { taskToJson } from '../output';
import { waitForTask } from '../polling';
import { withTask, taskOfError } from '../task-errors';
import { callGateway, gatewayHttpError, retryAfterMs } from '../transport';
import type { GenerationParameters } from '../validation';
import { validateGeneration } from '../validation';
import { deliverTask, deliveryOptions, readDeliveryOptions } from './shared';

const generateAudioField = {
	displayName: 'Generate Audio',
	name: 'generateAudio',
	type: 'boolean' as const,
	description: 'Whether to generate a soundtrack (speech, effects, music) with the video',
};

/** Fields whose choices differ per gateway, generated from each gateway's capabilities. */
function gatewayFields(gateway: SeedanceGateway): INodeProperties[] {
	const caps = gateway.capabilities;
	const show = { displayOptions: { show: { provider: [gateway.name] } } };
	// Plain identifiers, so n8n's lint can see each field has a default.
	const { defaultModel, defaultResolution, defaultRatio, generateAudioDefault } = caps;
	const defaultDuration = caps.duration.default;
	return [
		{
			displayName: 'Model Name or ID',
			name: 'model',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getModels', loadOptionsDependsOn: ['provider'] },
			default: defaultModel,
			description:
				'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			...show,
		},
		{
			displayName: 'Duration (Seconds)',
			name: 'duration',
			type: 'number',
			typeOptions: { minValue: caps.duration.min, maxValue: caps.duration.max },
			default: defaultDuration,
			description: `Length of the video, ${caps.duration.min} to ${caps.duration.max} seconds`,
			...show,
		},
		{
			displayName: 'Resolution',
			name: 'resolution',
			type: 'options',
			options: caps.resolutions.map((value) => ({ name: value, value })),
			default: defaultResolution,
			description: 'Output resolution. Not every model offers every resolution.',
			...show,
		},
		{
			displayName: 'Aspect Ratio',
			name: 'ratio',
			type: 'options',
			options: caps.ratios.map((value) => ({
				name: value === 'adaptive' ? 'Adaptive (Follow the Input)' : value,
				value,
			})),
			default: defaultRatio,
			...show,
		},
		// Two literal variants: n8n's lint wants a literal boolean default, and the gateways differ.
		generateAudioDefault
			? { ...generateAudioField, default: true, ...show }
			: { ...generateAudioField, default: false, ...show },
	];
}

const providersWith = (capability: 'supportsReturnLastFrame' | 'supportsSeed') =>
	GATEWAYS.filter((gateway) => gateway.capabilities[capability]).map((gateway) => gateway.name);

const properties: INodeProperties[] = [
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'e.g. A golden retriever running on a sunny beach, cinematic slow motion',
		description:
			'What the video shows. Structure helps: subject, action, setting, camera and style. AIHubMix accepts up to 4000 characters.',
	},
	...GATEWAYS.flatMap(gatewayFields),
	mediaProperty,
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the video is ready (and download it). Turn off to return the task ID at once and use the Wait operation later.',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Additional Body Fields',
				name: 'additionalBodyFields',
				type: 'json',
				default: '{}',
				description:
					'A JSON object merged into the request body, for parameters the node does not offer yet, e.g. {"callback_url": "https://example.com/hook"}',
			},
			{
				displayName: 'Max Cost per Video (USD)',
				name: 'maxCostUsd',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 0,
				description:
					"Refuse the item before any request if its estimated cost, from the gateway's published prices, is higher. 0 means no limit.",
			},
			{
				displayName: 'Return Last Frame',
				name: 'returnLastFrame',
				type: 'boolean',
				default: false,
				description: 'Whether to return the last frame as an image URL, to chain into the next video as its first frame',
				displayOptions: { show: { '/provider': providersWith('supportsReturnLastFrame') } },
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				default: -1,
				description: 'Same seed and inputs give a similar video; -1 picks one at random',
				displayOptions: { show: { '/provider': providersWith('supportsSeed') } },
			},
			{
				displayName: 'Watermark',
				name: 'watermark',
				type: 'boolean',
				default: false,
				description: 'Whether to add the provider watermark to the video',
			},
		],
	},
	deliveryOptions,
];

export const description = updateDisplayOptions({ show: { operation: ['create'] } }, properties);

/**
 * Reads and checks one item and builds its request. The router runs this for every item
 * before any item is created, so one bad item in a batch costs nothing at all.
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
	};
	const { entries, buffers } = await readMediaEntries(this, itemIndex);
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
	const request = { ...validation.request, media: toMediaInputs(entries, buffers) };
	const cost = estimateCost(gateway.name, request);
	checkSpendCap(this, gateway, cost, Number(additional.maxCostUsd ?? 0), itemIndex);

	return { request: gateway.buildCreateRequest(request), cost };
}

/** Retries only a 429: the gateway said it did not take the request, so nothing was paid. */
const MAX_RATE_LIMITED_ATTEMPTS = 4;

async function submit(
	ctx: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
	batch: Batch,
	prepared: PreparedCreate,
) {
	let response = await batch.creates.run(async () => await callGateway(ctx, gateway, prepared.request, itemIndex));
	for (let attempt = 1; response.statusCode === 429 && attempt < MAX_RATE_LIMITED_ATTEMPTS; attempt++) {
		await batch.sleep(retryAfterMs(response.headers) ?? 2_000 * 2 ** (attempt - 1)).catch(() => undefined);
		if (batch.signal.aborted) {
			throw new NodeOperationError(ctx.getNode(), `Execution canceled before the task was created (${gateway.displayName} was rate limiting)`, {
				itemIndex,
				description: 'No task was created, so nothing was charged.',
			});
		}
		response = await batch.creates.run(async () => await callGateway(ctx, gateway, prepared.request, itemIndex));
	}
	// No answer, or a 5xx (a gateway timeout may come after the upstream took the task): the
	// outcome is unknown, so never resubmit; say how to check instead.
	if (response.networkError || response.statusCode >= 500) {
		const reason = response.networkError?.message ?? `HTTP ${response.statusCode}`;
		throw new NodeApiError(
			ctx.getNode(),
			// No `code` here: n8n would swap our message for a generic one for ECONNRESET & co.
			{ message: reason },
			{
				message: `No answer from ${gateway.displayName} while creating the task: ${reason}`,
				description: `The task may or may not have been created. Check your ${gateway.displayName} console (task history) before running this item again, so you do not pay twice.`,
				itemIndex,
			},
		);
	}
	if (response.statusCode >= 400) {
		throw gatewayHttpError(ctx.getNode(), gateway, response, itemIndex, 'creating the task');
	}
	const body = response.body as IDataObject;
	const task = gateway.parseTask(body && typeof body === 'object' ? body : {});
	if (!task.taskId) {
		throw new NodeApiError(ctx.getNode(), { message: 'no task id' }, {
			message: `${gateway.displayName} accepted the request but returned no task ID`,
			description: `Check your ${gateway.displayName} console for the task before running again. Response: ${JSON.stringify(body).slice(0, 300)}`,
			itemIndex,
		});
	}
	return task;
}

/** A per-item cap: refused before any request when the estimate is over it, or cannot be made. */
function checkSpendCap(
	ctx: IExecuteFunctions,
	gateway: SeedanceGateway,
	cost: CostEstimate,
	maxCostUsd: number,
	itemIndex: number,
) {
	if (!(maxCostUsd > 0)) return;
	const refuse = (message: string, fix: string) =>
		new NodeOperationError(ctx.getNode(), `Item ${itemIndex} not sent: ${message}`, {
			itemIndex,
			description: `Nothing was sent, so nothing was charged. ${fix}`,
		});
	if (cost.usd === null) {
		throw refuse(`its cost cannot be estimated (${cost.basis}), and Max Cost per Video is set`, 'Pick a model from the list, or set Max Cost per Video to 0.');
	}
	if (!cost.complete) {
		throw refuse(
			`${gateway.displayName} bills reference video seconds, and a reference video has no Video Duration, so Max Cost per Video cannot be checked`,
			'Set Video Duration (Seconds) on each reference video.',
		);
	}
	if (cost.usd > maxCostUsd) {
		throw refuse(
			`estimated cost $${cost.usd.toFixed(2)} (${cost.basis}) is over Max Cost per Video ($${maxCostUsd.toFixed(2)})`,
			'Lower the duration or resolution, pick a cheaper model, or raise the limit.',
		);
	}
}

function costFields(cost: CostEstimate): IDataObject {
	return { estimatedCostUsd: cost.usd, costBasis: cost.basis };
}

export interface PreparedCreate {
	request: GatewayRequest;
	cost: CostEstimate;
}

export async function execute(
	this: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
	batch: Batch,
	prepared?: PreparedCreate,
): Promise<INodeExecutionData> {
	const ready = prepared ?? (await prepare.call(this, gateway, itemIndex));
	const task = await submit(this, gateway, itemIndex, batch, ready);
	const extra = costFields(ready.cost);
	if (!this.getNodeParameter('waitForCompletion', itemIndex, true)) {
		return { json: taskToJson(task, extra) };
	}
	const { wait } = readDeliveryOptions(this, itemIndex);
	try {
		const result = await waitForTask(this, gateway, task.taskId, wait, itemIndex, batch, task);
		return await deliverTask(this, gateway, result, itemIndex, batch, true, extra);
	} catch (error) {
		// Keep the cost next to the task in Continue On Fail output.
		throw withTask(error as object, { ...taskOfError(error), ...extra });
	}
}
