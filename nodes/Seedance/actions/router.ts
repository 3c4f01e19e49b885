import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { Batch } from '../batch';
import { DEFAULT_CREATE_CONCURRENCY, startBatch } from '../batch';
import { type SeedanceGateway, TERMINAL_STATUSES, type TaskStatus } from '../gateways/gateway';
import { getGateway, listsTasks } from '../gateways';
import type { CreateLedger } from '../create-ledger';
import { openLedger } from '../create-ledger';
import { isToolCall, keepsRaw, omitRaw, toolResult } from '../output';
import { asNodeError, errorMessage, taskOfError } from '../task-errors';
import * as create from './create';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as wait from './wait.operation';
import { hasStillRunningOutput, sendsUnfinishedToSecondOutput } from './shared';

interface Operation {
	/** Reads every parameter of one item and checks it; run for every item before anything is sent. */
	prepare: (this: IExecuteFunctions, gateway: SeedanceGateway, itemIndex: number) => Promise<unknown>;
	/** Checks the prepared items of a run together (a budget), before anything is sent. */
	checkRun?: (this: IExecuteFunctions, items: Array<{ itemIndex: number; prepared: never }>) => void;
	execute: (
		this: IExecuteFunctions,
		gateway: SeedanceGateway,
		itemIndex: number,
		batch: Batch,
		prepared: never,
	) => Promise<INodeExecutionData | INodeExecutionData[]>;
}

const operations: Record<string, Operation> = { create, get, getMany, wait, delete: del } as Record<string, Operation>;

/** What one input item gave: output items (Get Many lists several), or an error. */
type Outcome = { output: INodeExecutionData[] } | { error: unknown };

interface PreparedItem {
	operation: Operation;
	gateway: SeedanceGateway;
	data: unknown;
}

function prepareItem(ctx: IExecuteFunctions, itemIndex: number) {
	const name = ctx.getNodeParameter('operation', itemIndex) as string;
	const operation = operations[name];
	if (!operation) {
		throw new NodeOperationError(ctx.getNode(), `The operation "${name}" is not supported`, { itemIndex });
	}
	const gateway = getGateway(ctx.getNodeParameter('provider', itemIndex) as string);
	return { operation, gateway };
}

/**
 * The other items of a failed run that may have a paid task, from the run's ledger (which also
 * knows the creates whose answer was lost), each with what to do to get it back.
 */
function otherPaidTasks(ledger: CreateLedger, outcomes: Outcome[], prepared: Array<PreparedItem | undefined>, except: number): string {
	const statusOf = (itemIndex: number) => {
		const outcome = outcomes[itemIndex];
		const task = !outcome ? undefined : 'output' in outcome ? outcome.output[0]?.json : taskOfError(outcome.error);
		return (task?.status as string | undefined) ?? 'unknown';
	};
	// The failed item's own error names its task, or says its create's outcome is unknown.
	const others = ledger.maybePaid().filter((task) => task.itemIndex !== except);
	const withId = others.filter((task) => task.taskId);
	const withoutId = others.filter((task) => !task.taskId);
	const parts: string[] = [];
	if (withId.length) {
		parts.push(
			`Other tasks of this run may be paid for and keep running on the gateway; fetch them with the Wait operation: ${withId
				.map((task) => `item ${task.itemIndex}: ${task.taskId} (${statusOf(task.itemIndex)})`)
				.join('; ')}`,
		);
	}
	if (withoutId.length) {
		const gateway = prepared[withoutId[0].itemIndex]?.gateway;
		const find = gateway && listsTasks(gateway)
			? `Find them with this node's Get Many operation (${gateway.displayName}'s recent tasks, newest first)`
			: `Find them in your ${gateway?.displayName ?? 'gateway'} console (task history)`;
		parts.push(
			`The create requests of item${withoutId.length === 1 ? '' : 's'} ${withoutId.map((task) => task.itemIndex).join(', ')} had an unknown outcome (${withoutId
				.map((task) => `item ${task.itemIndex}: ${task.unknownOutcome}`)
				.join('; ')}), so their tasks may exist and be paid for. ${find} before running them again, so you do not pay twice.`,
		);
	}
	return parts.join('\n\n');
}

/**
 * The item loop. Every item is checked first; then items run at the same time (creates
 * bounded by Max Tasks Created at Once), so a batch takes about as long as its slowest job.
 * Output keeps item order with pairedItem; Continue On Fail keeps one item's failure from
 * stopping the others.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	// As a tool, a failure is an answer for the agent (one sentence), not a stopped workflow.
	const toolCall = isToolCall(this);
	const continueOnFail = this.continueOnFail() || toolCall;
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	// Read first, like every parameter: nothing may fail to read once a task is paid.
	const withRaw = items.map((_, itemIndex) => keepsRaw(this, itemIndex));
	const stillRunningOutput = sendsUnfinishedToSecondOutput(this);
	const ledger = openLedger(this);
	const batch = startBatch(this, Number(options.maxConcurrentCreates ?? DEFAULT_CREATE_CONCURRENCY), ledger, !continueOnFail);
	const outcomes: Outcome[] = new Array(items.length);

	const prepared: Array<PreparedItem | undefined> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const { operation, gateway } = prepareItem(this, itemIndex);
			const data = await operation.prepare.call(this, gateway, itemIndex);
			prepared[itemIndex] = { operation, gateway, data };
		} catch (error) {
			if (!continueOnFail) throw asNodeError(this.getNode(), error, itemIndex);
			outcomes[itemIndex] = { error };
		}
	}

	for (const operation of new Set(prepared.map((item) => item?.operation))) {
		if (!operation?.checkRun) continue;
		const ofOperation = prepared.flatMap((item, itemIndex) =>
			item?.operation === operation ? [{ itemIndex, prepared: item.data as never }] : [],
		);
		try {
			operation.checkRun.call(this, ofOperation);
		} catch (error) {
			throw asNodeError(this.getNode(), error, ofOperation[0]?.itemIndex ?? 0);
		}
	}

	let firstFailure: number | undefined;
	await Promise.all(
		prepared.map(async (item, itemIndex) => {
			if (!item) return;
			try {
				const output = await item.operation.execute.call(this, item.gateway, itemIndex, batch, item.data as never);
				outcomes[itemIndex] = { output: Array.isArray(output) ? output : [output] };
			} catch (error) {
				outcomes[itemIndex] = { error };
				const task = taskOfError(error);
				this.logger.warn(`Seedance item ${itemIndex} given up: ${errorMessage(error)}`, { itemIndex, taskId: task?.taskId });
				if (continueOnFail || batch.signal.aborted) return;
				firstFailure ??= itemIndex;
				batch.itemFailed(itemIndex);
			}
		}),
	);

	if (!continueOnFail) {
		const failed = batch.failedItem ?? firstFailure ?? outcomes.findIndex((outcome) => outcome && 'error' in outcome);
		if (failed >= 0) {
			const error = asNodeError(this.getNode(), (outcomes[failed] as { error: unknown }).error, failed);
			const others = otherPaidTasks(ledger, outcomes, prepared, failed);
			if (others) {
				error.description = `${error.description ?? ''}\n\n${others}`.trim();
				this.logger.warn(`Seedance run stopped at item ${failed}. ${others}`, { itemIndex: failed });
			}
			throw error;
		}
	}

	const unsaved = outcomes.some(
		(outcome) => 'output' in outcome && outcome.output.some((item) => item.json.videoUrl && !item.binary),
	);
	if (unsaved) {
		this.addExecutionHints({
			message:
				'The video URLs expire 24 hours after a task finishes. Turn on Options > Download Video, or save the videos elsewhere before then.',
			location: 'outputPane',
		});
	}

	const output = outcomes.flatMap((outcome, itemIndex): INodeExecutionData[] => {
		const produced: INodeExecutionData[] =
			'output' in outcome ? outcome.output : [{ json: { ...taskOfError(outcome.error), error: errorMessage(outcome.error) } }];
		return produced.map((item) => {
			const json = toolCall ? toolResult(item.json, withRaw[itemIndex]) : withRaw[itemIndex] ? item.json : omitRaw(item.json);
			return { ...item, json, pairedItem: { item: itemIndex } };
		});
	});
	// As a tool, every task stays in the first output (the one an agent reads), whatever the setting.
	if (toolCall && hasStillRunningOutput(this)) return [output, []];
	if (stillRunningOutput) {
		const unfinished = (item: INodeExecutionData) => !item.json.error && !TERMINAL_STATUSES.includes(item.json.status as TaskStatus);
		const done = output.filter((item) => !unfinished(item));
		if (done.length === output.length) ledger.release();
		return [done, output.filter(unfinished)];
	}
	// n8n tries a node again (Retry On Fail) when it throws or its first item is an error;
	// otherwise this run is over and what it created need not be remembered.
	if (!output[0]?.json.error) ledger.release();
	return [output];
}
