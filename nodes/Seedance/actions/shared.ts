import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Batch, ItemScope } from '../batch';
import type { BilledRequest, SeedanceGateway } from '../gateways/gateway';
import { downloadVideo } from '../download';
import { isToolCall, taskToJson } from '../output';
import type { WaitResult, WaitSettings } from '../polling';
import { TaskTracker } from '../task-errors';
import { billedFactsOf, costOfTokens } from '../pricing';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../transport';

/** Parameters and the finishing step that Create, Get and Wait share. */

export const DEFAULT_POLL_INTERVAL_SECONDS = 15;
export const DEFAULT_TIMEOUT_MINUTES = 30;

/** The durable loop's switch: unfinished tasks leave by a second output instead of waiting here. */
export const stillRunningOutputProperty: INodeProperties = {
	displayName: 'Send Unfinished Tasks to a Second Output',
	name: 'stillRunningOutput',
	type: 'boolean',
	default: false,
	description:
		'Whether tasks that are not finished go to a second output, "Still Running", to loop back through an n8n Wait node (which survives restarts). Finished tasks go to the first output, "Done".',
};

/** Whether the node is set up with a "Still Running" output (its outputs follow this setting). */
export function hasStillRunningOutput(ctx: IExecuteFunctions): boolean {
	const operation = ctx.getNodeParameter('operation', 0, '') as string;
	return ['get', 'wait'].includes(operation) && ctx.getNodeParameter('stillRunningOutput', 0, false) === true;
}

/** Whether unfinished tasks leave by that output: never as an AI Agent's tool, which reads only the first. */
export function sendsUnfinishedToSecondOutput(ctx: IExecuteFunctions): boolean {
	return !isToolCall(ctx) && hasStillRunningOutput(ctx);
}

export const taskIdProperty: INodeProperties = {
	displayName: 'Task ID',
	name: 'taskId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. {{ $json.taskId }}',
	description: 'The ID of a task made by the Create operation (its "taskId" output field)',
};

const waiting = ['create', 'wait'];

/** Shared with the Seedance Trigger, which delivers a finished task the same way. */
export const downloadVideoOption: INodeProperties = {
	displayName: 'Download Video',
	name: 'downloadVideo',
	type: 'boolean',
	default: true,
	description: 'Whether to download a finished video into binary data. Video URLs expire after 24 hours.',
};

export const binaryPropertyNameOption: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	hint: 'The name of the output binary field to put the video in',
};

/** Settings for waiting and delivering; each shows for the operations that use it. */
export const deliveryOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		downloadVideoOption,
		{
			displayName: 'Max Cost per Run',
			name: 'maxCostPerRunUsd',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 0,
			description:
				'Refuse the whole run before any request if the estimated costs of all its items add up to more. Checked on the bodies as sent. In the currency of the price list: USD, or CNY for Volcengine Ark. 0 means no limit.',
			displayOptions: { show: { '/operation': ['create'] } },
		},
		{
			displayName: 'Max Tasks Created at Once',
			name: 'maxConcurrentCreates',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 50 },
			default: 5,
			description:
				'How many items may send their create request at the same time. All items then wait together, so a batch takes about as long as its slowest video.',
			displayOptions: { show: { '/operation': ['create'] } },
		},
		{
			displayName: 'On Timeout',
			name: 'onTimeout',
			type: 'options',
			options: [
				{ name: 'Fail', value: 'error', description: 'Stop with an error that names the task' },
				{
					name: 'Output the Task',
					value: 'output',
					description: 'Output the task ID and last status (timedOut: true) so a later Wait node can pick it up',
				},
			],
			default: 'error',
			displayOptions: { show: { '/operation': waiting } },
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollIntervalSeconds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 600 },
			default: DEFAULT_POLL_INTERVAL_SECONDS,
			description: 'Longest time between two status checks. The first checks come sooner.',
			displayOptions: { show: { '/operation': waiting } },
		},
		binaryPropertyNameOption,
		{
			displayName: 'Request Timeout (Seconds)',
			name: 'requestTimeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 600 },
			default: 60,
			description:
				'How long one request may go unanswered. A status check that times out is retried; a create that times out is reported, never resent.',
		},
		{
			displayName: 'Timeout (Minutes)',
			name: 'timeoutMinutes',
			type: 'number',
			typeOptions: { minValue: 0.1, maxValue: 1440, numberPrecision: 1 },
			default: DEFAULT_TIMEOUT_MINUTES,
			description: 'How long to wait for the task. Seedance jobs take from tens of seconds to over 10 minutes (1080p with audio).',
			displayOptions: { show: { '/operation': waiting } },
		},
	],
};

interface DeliveryOptionValues {
	downloadVideo?: boolean;
	binaryPropertyName?: string;
	pollIntervalSeconds?: number;
	timeoutMinutes?: number;
	onTimeout?: 'error' | 'output';
	requestTimeoutSeconds?: number;
}

export interface DeliverySettings {
	wait: WaitSettings;
	downloadVideo: boolean;
	binaryPropertyName: string;
	onTimeout: 'error' | 'output';
	requestTimeoutMs: number;
	/** The price table of the credential's gateway and region, to price the tokens a task used. */
	priceList?: string;
	/** Create only: the billed facts of the body the node priced, where the task does not report them (reference videos). */
	billed?: BilledRequest;
}

/** Read before anything is sent, like every parameter: nothing can fail to read once a task is paid. */
/** As an AI Agent's tool the defaults suit a conversation: no download, a short wait, no error on timeout. */
const TOOL_DEFAULTS = { downloadVideo: false, timeoutMinutes: 5, onTimeout: 'output' as const };

export function readDeliveryOptions(ctx: IExecuteFunctions, itemIndex: number): DeliverySettings {
	const set = ctx.getNodeParameter('options', itemIndex, {}) as DeliveryOptionValues;
	// A copy: the values n8n returned are not ours to change.
	const options: DeliveryOptionValues = { ...(isToolCall(ctx) ? TOOL_DEFAULTS : {}), ...set };
	// A task still running at the timeout leaves by the "Still Running" output, not as an error.
	if (sendsUnfinishedToSecondOutput(ctx)) options.onTimeout = 'output';
	const requestTimeoutSeconds = Number(options.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS);
	return {
		wait: {
			pollIntervalMs: Math.max(1, options.pollIntervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS) * 1000,
			timeoutMs: Math.max(0, options.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES) * 60_000,
		},
		downloadVideo: options.downloadVideo ?? true,
		binaryPropertyName: (options.binaryPropertyName ?? 'data').trim() || 'data',
		onTimeout: options.onTimeout ?? 'error',
		requestTimeoutMs: (requestTimeoutSeconds > 0 ? requestTimeoutSeconds : DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000,
	};
}

export function readTaskId(ctx: IExecuteFunctions, itemIndex: number): string {
	const taskId = String(ctx.getNodeParameter('taskId', itemIndex, '') ?? '').trim();
	if (!taskId) {
		throw new NodeOperationError(ctx.getNode(), 'Task ID is empty', {
			itemIndex,
			description: 'Map the "taskId" field of a Create output, e.g. {{ $json.taskId }}.',
		});
	}
	return taskId;
}

/** What Get and Wait read before anything is sent. */
export interface PreparedLookup {
	taskId: string;
	settings: DeliverySettings;
}

export async function prepareLookup(this: IExecuteFunctions, gateway: SeedanceGateway, itemIndex: number): Promise<PreparedLookup> {
	const settings = readDeliveryOptions(this, itemIndex);
	settings.priceList = gateway.priceList(await this.getCredentials(gateway.credentialType, itemIndex));
	return { taskId: readTaskId(this, itemIndex), settings };
}

export function itemScope(ctx: IExecuteFunctions, gateway: SeedanceGateway, itemIndex: number, batch: Batch, settings: DeliverySettings): ItemScope {
	return { ctx, gateway, itemIndex, batch, requestTimeoutMs: settings.requestTimeoutMs };
}

/** A tracker for a task of this item, logging to n8n's logger. */
export function trackTask(scope: ItemScope, taskId: string, extra: IDataObject = {}): TaskTracker {
	return new TaskTracker(scope.gateway, taskId, extra, { logger: scope.ctx.logger, itemIndex: scope.itemIndex });
}

/**
 * Turns a finished (or timed-out) wait into the output item: an error for a failed task or a
 * timeout the user wants to fail on, the video as binary data when it succeeded.
 */
export async function deliverTask(
	scope: ItemScope,
	tracker: TaskTracker,
	result: Pick<WaitResult, 'task' | 'timedOut' | 'fault'>,
	settings: DeliverySettings,
	failOnTaskFailure: boolean,
): Promise<INodeExecutionData> {
	const { ctx, gateway, itemIndex, batch } = scope;
	const { task, timedOut, fault } = result;
	// Where the gateway reports the tokens it billed, what they cost.
	const billed = costOfTokens(settings.priceList, billedFactsOf(gateway, task, settings.billed), task.completionTokens);
	const json = taskToJson(task, {
		timedOut,
		...tracker.extra,
		...(billed ? { costFromUsage: billed.amount, costFromUsageCurrency: billed.currency } : {}),
	});
	if (timedOut) {
		if (settings.onTimeout === 'output') return { json };
		const minutes = settings.wait.timeoutMs / 60_000;
		throw new NodeOperationError(
			ctx.getNode(),
			`Task ${task.taskId} is not finished after ${minutes} minutes`,
			{
				itemIndex,
				description: `${fault ? `Its last status checks failed (${fault}). ` : ''}The task keeps running on ${gateway.displayName}. Raise Options > Timeout, or set On Timeout to "Output the Task" and add a Wait operation later with task ID ${task.taskId}.`,
			},
		);
	}
	if (task.status !== 'succeeded') {
		if (!failOnTaskFailure) return { json };
		const reason = [task.errorCode, task.errorMessage].filter(Boolean).join(': ') || 'no reason given';
		throw new NodeApiError(
			ctx.getNode(),
			{ message: reason, code: task.errorCode },
			{
				message: `Seedance task ${task.taskId} ${task.status} on ${gateway.displayName}: ${reason}`,
				description:
					(task.errorCode ? gateway.adviceFor?.(task.errorCode) : undefined) ??
					(task.status === 'expired'
						? 'The gateway gave up on the task before it finished. Create it again, maybe with a shorter duration or lower resolution.'
						: 'The gateway did not produce a video. Change the prompt or media (sensitive content is a common cause) and create a new task.'),
				itemIndex,
			},
		);
	}
	if (!settings.downloadVideo) return { json };
	const binary = await batch.downloads.run(async () => await downloadVideo(scope, tracker, task));
	return { json, binary: { [settings.binaryPropertyName]: binary } };
}
