import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { ItemScope } from '../Seedance/batch';
import { startBatch } from '../Seedance/batch';
import { openLedger } from '../Seedance/create-ledger';
import { arkGateway } from '../Seedance/gateways/ark';
import type { NormalisedTask, TaskStatus } from '../Seedance/gateways/gateway';
import { TERMINAL_STATUSES } from '../Seedance/gateways/gateway';
import { seedanceApiKeyTest } from '../Seedance/methods/credentialTest';
import { omitRaw, simplifyField, taskToJson } from '../Seedance/output';
import { fetchTask } from '../Seedance/polling';
import { asNodeError, errorMessage, guardPaidTask, taskOfError, TaskTracker } from '../Seedance/task-errors';
import { binaryPropertyNameOption, deliverTask, downloadVideoOption, readDeliveryOptions } from '../Seedance/actions/shared';
import { bodyBytes, checkWithArk, finishedAt, readCallback } from './callback';
import { claimDelivery, knownDelivered } from './delivered';

/**
 * Starts a workflow when an Ark video task finishes, from the callback Ark sends to the task's
 * callback_url (the Production URL of this node, set in the Seedance node's Create).
 *
 * webhook() runs on the process that receives the call (a main or webhook process): it reads
 * the task ID from the body, asks Ark for the task with the credential, and starts the workflow
 * once per task that Ark says reached one of the chosen final statuses. Every other call (a task
 * this account does not have, a forged or repeated status, an unfinished task, a body that is
 * too big or not a task) is answered the same way, 200 with no body, and starts nothing.
 *
 * execute() is the trigger's step in the run it started (on a worker in queue mode): it turns
 * the task into the Get operation's output and downloads the video, so the callback is answered
 * before any download and the download happens where the workflow runs.
 */

const FINAL_STATUSES: TaskStatus[] = ['succeeded', 'failed', 'expired', 'cancelled'];

/** Answers to the caller: nothing a caller could learn from but "received" or "try again". */
const RECEIVED = 200;
const TRY_AGAIN = 503;

interface Decision {
	answer: number;
	item?: INodeExecutionData;
}

async function decide(ctx: IWebhookFunctions): Promise<Decision> {
	const ignore = (reason: string, level: 'debug' | 'warn' = 'debug', taskId?: string): Decision => {
		ctx.logger[level](`Seedance Trigger: callback ignored, ${reason}`, { taskId });
		return { answer: RECEIVED };
	};
	const read = readCallback(ctx.getBodyData(), bodyBytes(ctx));
	if ('ignored' in read) return ignore(read.ignored);
	const { taskId } = read;
	if (read.saysUnfinished) return ignore('its body says the task is not finished', 'debug', taskId);

	// A test call (Listen for Test Event) is never remembered: the same task may be sent again.
	const production = ctx.getMode() !== 'manual';
	const staticData = ctx.getWorkflowStaticData('node');
	const scope = `${ctx.getWorkflow().id ?? ''}\u0000${ctx.getNode().name}`;
	if (production && knownDelivered(staticData, scope, taskId)) return ignore('the workflow already started for this task', 'debug', taskId);

	const checked = await checkWithArk(ctx, taskId);
	if ('retryLater' in checked) {
		ctx.logger.info(`Seedance Trigger: could not check task ${taskId} with Ark (${checked.retryLater}); asked the caller to try again`, { taskId });
		return { answer: TRY_AGAIN };
	}
	if ('ignored' in checked) return ignore(checked.ignored, checked.ignored.includes('credential') ? 'warn' : 'debug', taskId);
	const task: NormalisedTask = checked.task;
	if (!TERMINAL_STATUSES.includes(task.status)) return ignore(`Ark says the task is ${task.status}`, 'debug', taskId);
	const statuses = ctx.getNodeParameter('statuses', FINAL_STATUSES) as string[];
	if (!statuses.includes(task.status)) return ignore(`the task ${task.status}, which is not a chosen status`, 'debug', taskId);
	if (production && !claimDelivery(staticData, scope, taskId, finishedAt(task))) {
		return ignore('the workflow already started for this task', 'debug', taskId);
	}
	ctx.logger.info(`Seedance Trigger: task ${taskId} ${task.status} on Ark, starting the workflow`, { taskId, status: task.status });
	return { answer: RECEIVED, item: { json: taskToJson(task) } };
}

export class SeedanceTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Seedance Trigger',
		name: 'seedanceTrigger',
		icon: { light: 'file:../../icons/seedance.svg', dark: 'file:../../icons/seedance.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "Ark tasks: " + ($parameter["statuses"] || []).join(", ") }}',
		description: 'Starts the workflow when an Ark video task finishes, from the callback Ark sends',
		defaults: { name: 'Seedance Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'arkApi', required: true, testedBy: 'seedanceApiKeyTest' }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName:
					"Put this node's Production URL in the Callback URL field of a Seedance node's Create (provider Ark), with Wait for Completion off. Ark calls it when a task's status changes, so this n8n must be reachable from the internet. Each call is checked with Ark before anything starts.",
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Start On',
				name: 'statuses',
				type: 'multiOptions',
				options: [
					{ name: 'Cancelled', value: 'cancelled', description: 'A queued task was cancelled' },
					{ name: 'Expired', value: 'expired', description: 'Ark gave up on the task before it finished' },
					{ name: 'Failed', value: 'failed', description: 'The task ended without a video (e.g. moderation)' },
					{ name: 'Succeeded', value: 'succeeded', description: 'The video is ready' },
				],
				default: ['succeeded', 'failed', 'expired', 'cancelled'],
				required: true,
				description: 'Which final statuses start the workflow. Each task starts it at most once.',
			},
			simplifyField,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					downloadVideoOption,
					binaryPropertyNameOption,
					{
						displayName: 'Request Timeout (Seconds)',
						name: 'requestTimeoutSeconds',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 600 },
						default: 60,
						description: 'How long the video download may go without an answer',
					},
				],
			},
		],
	};

	methods = { credentialTest: { seedanceApiKeyTest } };

	// Ark has no API to register a callback: each task carries its URL (Create's Callback URL), so
	// there is nothing to check, create or delete on Ark's side.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		let decision: Decision;
		try {
			decision = await decide(this);
		} catch (error) {
			this.logger.warn(`Seedance Trigger: callback not handled (${errorMessage(error)}); asked the caller to try again`);
			decision = { answer: TRY_AGAIN };
		}
		// Answered here, the same way whatever the call was, before the run starts.
		this.getResponseObject().status(decision.answer).end();
		return decision.item ? { noWebhookResponse: true, workflowData: [[decision.item]] } : { noWebhookResponse: true };
	}

	/** The trigger's step in the run: the Get operation's output for the task, with its video. */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const batch = startBatch(this, 1, openLedger(this), !this.continueOnFail());
		const output: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
			const settings = readDeliveryOptions(this, itemIndex);
			const taskId = String(items[itemIndex].json.taskId ?? '');
			const tracker = new TaskTracker(arkGateway, taskId, {}, { logger: this.logger, itemIndex });
			try {
				settings.priceList = arkGateway.priceList(await this.getCredentials(arkGateway.credentialType, itemIndex));
				const scope: ItemScope = { ctx: this, gateway: arkGateway, itemIndex, batch, requestTimeoutMs: settings.requestTimeoutMs };
				const raw = items[itemIndex].json.raw;
				const delivered = await guardPaidTask(this.getNode(), tracker, itemIndex, async () => {
					// The task as webhook() read it from Ark; an item from elsewhere is read again.
					const task =
						raw && typeof raw === 'object' && !Array.isArray(raw)
							? tracker.seen({ ...arkGateway.parseTask(raw as IDataObject, taskId), taskId })
							: await fetchTask(scope, tracker);
					return await deliverTask(scope, tracker, { task, timedOut: false }, settings, false);
				});
				output.push({ ...delivered, json: simplify ? omitRaw(delivered.json) : delivered.json, pairedItem: { item: itemIndex } });
			} catch (error) {
				if (!this.continueOnFail()) throw asNodeError(this.getNode(), error, itemIndex);
				output.push({ json: { ...taskOfError(error), error: errorMessage(error) }, pairedItem: { item: itemIndex } });
			}
		}
		if (output.some((item) => item.json.videoUrl && !item.binary)) {
			this.addExecutionHints({
				message: 'The video URLs expire 24 hours after a task finishes. Turn on Options > Download Video, or save the videos elsewhere before then.',
				location: 'outputPane',
			});
		}
		return [output];
	}
}
