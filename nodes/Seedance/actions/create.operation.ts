import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { Batch, ItemScope } from '../batch';
import { fingerprintOf } from '../create-ledger';
import type { GatewayRequest, GenerationRequest, NormalisedTask, SeedanceGateway } from '../gateways/gateway';
import { GATEWAYS, listsTasks } from '../gateways';
import type { MediaEntry } from '../media';
import { mediaProperty, readMediaEntries, toMediaInputs } from '../media';
import type { CostEstimate } from '../pricing';
import { currencySymbol, describeResolutionPrices, estimateCost, runOverBudget } from '../pricing';
import { fetchTask, waitForTask } from '../polling';
import type { TaskTracker } from '../task-errors';
import { asNodeError, guardPaidTask } from '../task-errors';
import { callGateway, createOutcome, gatewayHttpError, retryAfterMs } from '../transport';
import type { GenerationParameters } from '../validation';
import { validateGeneration } from '../validation';
import type { DeliverySettings } from './shared';
import { deliverTask, deliveryOptions, itemScope, readDeliveryOptions, trackTask } from './shared';

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
			options: caps.resolutions.map((value) => ({
				name: value,
				value,
				description: describeResolutionPrices(gateway.priceList({}), value),
			})),
			default: defaultResolution,
			description: 'Output resolution. Not every model offers every resolution; each option shows what a second costs.',
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

const providersWith = (capability: 'supportsReturnLastFrame' | 'supportsSeed' | 'serviceTier') =>
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
				displayName: 'Max Cost per Video',
				name: 'maxCostUsd',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 0,
				description:
					"Refuse the item before any request if its estimated cost, from the gateway's published prices, is higher. In the currency of the price list: USD, or CNY for Volcengine Ark. 0 means no limit.",
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
				displayName: 'Service Tier',
				name: 'serviceTier',
				type: 'options',
				options: [
					{ name: 'Default', value: 'default', description: 'Online: the video as soon as possible' },
					{ name: 'Flex', value: 'flex', description: 'Offline: cheaper and slower; not for the Seedance 2.0 models' },
				],
				default: 'default',
				displayOptions: { show: { '/provider': providersWith('serviceTier') } },
			},
			{
				displayName: 'Task Expires After (Seconds)',
				name: 'executionExpiresAfter',
				type: 'number',
				typeOptions: { minValue: 3600, maxValue: 259200 },
				default: 172800,
				description: 'How long the gateway may keep an unfinished task before it gives up (status expired): 1 hour to 3 days',
				displayOptions: { show: { '/provider': providersWith('serviceTier') } },
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
	const cost = estimateCost(settings.priceList, gateway.readBilledRequest(preview.body ?? {}));
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

/**
 * A 429 says the gateway did not take the request (its queue or rate limit is full), so it is
 * sent again once one of this run's tasks finishes, or after Retry-After (at most a minute, or
 * 5 s without one), until the item's timeout.
 */
const MAX_RATE_LIMIT_WAIT_MS = 60_000;
const QUEUE_FULL_RECHECK_MS = 5_000;
/** A task that ended this way may be created again by a retry: the user asks for a new attempt. */
const RETRYABLE_TASK_STATUSES = ['failed', 'expired'];

function notSentError(scope: ItemScope, reason: string, description = 'Nothing was charged.') {
	return new NodeOperationError(scope.ctx.getNode(), `Item ${scope.itemIndex} was not sent: ${reason}`, {
		itemIndex: scope.itemIndex,
		description,
	});
}

/** The create may or may not have made a task: say so in the message itself, logs show only it. */
function unknownOutcomeError(scope: ItemScope, reason: string, sentNow: boolean) {
	const name = scope.gateway.displayName;
	const message = sentNow
		? `Item ${scope.itemIndex}: the create request's outcome is unknown (${reason}); the task may exist, so it was not sent again`
		: `Item ${scope.itemIndex} was not sent again: an earlier try's create request had an unknown outcome (${reason}), so its task may exist`;
	return new NodeApiError(
		scope.ctx.getNode(),
		// No `code` here: n8n would swap our message for a generic one for ECONNRESET & co.
		{ message: reason },
		{
			message,
			description: listsTasks(scope.gateway)
				? `Find this item's task with this node's Get Many operation (${name}'s recent tasks, newest first) before running it again, so you do not pay twice. If it is there, use the Wait operation with its task ID.`
				: `Check your ${name} console (task history) for this item's task before running it again, so you do not pay twice. If it is there, use the Wait operation with its task ID.`,
			itemIndex: scope.itemIndex,
		},
	);
}

/** Sends the create request: once, except after a 429. Records the outcome for Retry On Fail. */
async function submit(
	scope: ItemScope,
	request: GatewayRequest,
	fingerprint: string,
	deadline: number,
): Promise<NormalisedTask> {
	const { ctx, gateway, itemIndex, batch } = scope;
	for (let attempt = 1; ; attempt++) {
		// Checked right before sending: once a run has stopped it buys nothing more.
		if (batch.signal.aborted) {
			throw notSentError(scope, batch.stopReason ? `the run stopped because ${batch.stopReason}` : 'the execution was canceled');
		}
		if (batch.createsStopped) throw notSentError(scope, `no more tasks are created in this run: ${batch.createsStopped}`);
		const response = await callGateway(scope, request);
		const outcome = createOutcome(response, gateway);
		const reason = response.networkError?.message ?? `${gateway.displayName} answered ${response.statusCode}`;
		if (outcome === 'unknown') {
			batch.ledger.record(itemIndex, { outcome: 'unknown', fingerprint, reason });
			throw unknownOutcomeError(scope, reason, true);
		}
		if (outcome === 'outOfFunds') {
			// Waiting will not help: no further item of this run is sent (the others keep waiting).
			batch.ledger.forget(itemIndex);
			batch.stopCreates(`${gateway.displayName} refused item ${itemIndex} for the account's balance (HTTP ${response.statusCode})`);
			const error = gatewayHttpError(ctx.getNode(), gateway, response, itemIndex, 'creating the task');
			error.description = `${error.description} Nothing was charged for this item, and no further item of this run was sent.`;
			throw error;
		}
		if (outcome === 'refused') {
			batch.ledger.forget(itemIndex);
			if (response.networkError) throw notSentError(scope, `${gateway.displayName} could not be reached (${reason})`);
			const error = gatewayHttpError(ctx.getNode(), gateway, response, itemIndex, 'creating the task');
			error.description = `${error.description} No task was created, so nothing was charged.`;
			throw error;
		}
		if (outcome === 'created') {
			const body = response.body as IDataObject;
			const task = gateway.parseTask(body && typeof body === 'object' ? body : {});
			if (!task.taskId) {
				const answer = `it answered without a task ID: ${JSON.stringify(body).slice(0, 200)}`;
				batch.ledger.record(itemIndex, { outcome: 'unknown', fingerprint, reason: answer });
				throw unknownOutcomeError(scope, answer, true);
			}
			batch.ledger.record(itemIndex, { outcome: 'created', fingerprint, taskId: task.taskId });
			// Some gateways (Ark) answer a create with the ID alone: a task just accepted is queued.
			return task.gatewayStatus ? task : { ...task, status: 'queued' };
		}
		const wait = Math.min(retryAfterMs(response.headers) ?? QUEUE_FULL_RECHECK_MS, MAX_RATE_LIMIT_WAIT_MS);
		if (Date.now() + wait > deadline) {
			const error = gatewayHttpError(ctx.getNode(), gateway, response, itemIndex, 'creating the task');
			error.description = `${error.description} Nothing was charged: ${gateway.displayName} did not take the request before the item's timeout (${attempt} tries).`;
			throw error;
		}
		await batch.waitForCapacity(wait);
	}
}

/**
 * The item's task: created now, or, when an earlier try of this run (n8n's Retry On Fail)
 * already created it or may have, that one. Runs in a create slot; a failure stops the run
 * before the slot passes on, so a failed run sends no further create.
 */
async function obtainTask(scope: ItemScope, prepared: PreparedCreate, extra: IDataObject): Promise<TaskTracker> {
	const { itemIndex, batch } = scope;
	const deadline = Date.now() + prepared.settings.wait.timeoutMs;
	return await batch.creates.run(async () => {
		try {
			return await createOrResume(scope, prepared, extra, deadline);
		} catch (error) {
			batch.itemFailed(itemIndex);
			throw asNodeError(scope.ctx.getNode(), error, itemIndex);
		}
	});
}

/**
 * The request, with its files as data URLs, is built only here and dropped once the create is
 * answered, so no body is held while the batch waits for its videos.
 */
async function createOrResume(scope: ItemScope, prepared: PreparedCreate, extra: IDataObject, deadline: number): Promise<TaskTracker> {
	const { ctx, gateway, itemIndex, batch } = scope;
	const media = await toMediaInputs(
		prepared.entries,
		async (entry) => await ctx.helpers.getBinaryDataBuffer(itemIndex, entry.binaryProperty as string),
	);
	const request = gateway.buildCreateRequest({ ...prepared.generation, media });
	const fingerprint = fingerprintOf(request);
	const previous = batch.ledger.previous(itemIndex, fingerprint);
	if (previous?.outcome === 'unknown') throw unknownOutcomeError(scope, previous.reason, false);
	if (previous?.outcome === 'created') {
		const tracker = trackTask(scope, previous.taskId, extra);
		const task = await guardPaidTask(ctx.getNode(), tracker, itemIndex, async () => await fetchTask(scope, tracker));
		if (!RETRYABLE_TASK_STATUSES.includes(task.status)) return tracker;
		batch.ledger.forget(itemIndex);
	}
	const task = await submit(scope, request, fingerprint, deadline);
	const tracker = trackTask(scope, task.taskId, extra);
	tracker.created(task);
	return tracker;
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
	const symbol = currencySymbol(cost.currency);
	if (cost.amount === null) {
		throw refuse(
			`its cost cannot be estimated (${cost.basis}), and Max Cost per Video is set`,
			'Pick a model from the list, check the model, duration and resolution in Additional Body Fields, or set Max Cost per Video to 0.',
		);
	}
	if (!cost.complete) {
		throw refuse(
			`${gateway.displayName} bills reference video seconds, and a reference video has no Video Duration, so Max Cost per Video cannot be checked`,
			'Set Video Duration (Seconds) on each reference video.',
		);
	}
	if (cost.amount > maxCostUsd) {
		throw refuse(
			`estimated cost ${symbol}${cost.amount.toFixed(2)} (${cost.basis}) is over Max Cost per Video (${symbol}${maxCostUsd.toFixed(2)})`,
			'Lower the duration or resolution (Additional Body Fields count too), pick a cheaper model, or raise the limit.',
		);
	}
}

export async function execute(
	this: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
	batch: Batch,
	prepared: PreparedCreate,
): Promise<INodeExecutionData> {
	const { settings } = prepared;
	const scope = itemScope(this, gateway, itemIndex, batch, settings);
	const { cost } = prepared;
	const extra: IDataObject = {
		estimatedCostUsd: cost.usd,
		costBasis: cost.basis,
		...(cost.currency !== 'USD' ? { estimatedCost: cost.amount, costCurrency: cost.currency } : {}),
	};
	const tracker = await obtainTask(scope, prepared, extra);
	return await guardPaidTask(this.getNode(), tracker, itemIndex, async () => {
		if (!prepared.waitForCompletion) return { json: tracker.json() };
		const result = await waitForTask(scope, tracker, settings.wait);
		// A task the gateway failed may be created afresh by a retry: a new attempt.
		if (RETRYABLE_TASK_STATUSES.includes(result.task.status)) batch.ledger.forget(itemIndex);
		return await deliverTask(scope, tracker, result, settings, true);
	});
}
