import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Batch } from './batch';
import type { NormalisedTask, SeedanceGateway } from './gateways/gateway';
import { TERMINAL_STATUSES } from './gateways/gateway';
import { taskToJson } from './output';
import { withTask } from './task-errors';
import { callGateway, gatewayHttpError, retryAfterMs } from './transport';

export interface WaitSettings {
	pollIntervalMs: number;
	timeoutMs: number;
}

export interface WaitResult {
	task: NormalisedTask;
	timedOut: boolean;
	statusChecks: number;
}

/** Consecutive failed status checks tolerated before giving up (the task itself is not lost). */
const MAX_TRANSIENT_FAILURES = 6;
const FIRST_BACKOFF_MS = 1_000;

function isTerminal(task: NormalisedTask): boolean {
	return TERMINAL_STATUSES.includes(task.status);
}

/** A status check that may work if simply tried again: network trouble, 429, 5xx, a garbled body. */
interface TransientFailure {
	reason: string;
	retryAfterMs: number | undefined;
}

async function checkOnce(
	ctx: IExecuteFunctions,
	gateway: SeedanceGateway,
	taskId: string,
	itemIndex: number,
	last: NormalisedTask | undefined,
	batch: Batch,
): Promise<{ task: NormalisedTask } | { transient: TransientFailure }> {
	const response = await batch.statusChecks.run(
		async () => await callGateway(ctx, gateway, gateway.taskRequest(taskId), itemIndex),
	);
	const { statusCode, body } = response;
	if (response.networkError) {
		return { transient: { reason: response.networkError.message, retryAfterMs: undefined } };
	}
	if (statusCode === 429 || statusCode >= 500) {
		return {
			transient: { reason: `${gateway.displayName} answered ${statusCode}`, retryAfterMs: retryAfterMs(response.headers) },
		};
	}
	if (statusCode >= 400) {
		const error = gatewayHttpError(ctx.getNode(), gateway, response, itemIndex, `checking task ${taskId}`);
		throw last ? withTask(error, taskToJson(last)) : error;
	}
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return {
			transient: { reason: `${gateway.displayName} answered with a body that is not a task`, retryAfterMs: undefined },
		};
	}
	// The id we asked about is the task's id, whatever a confused answer says.
	return { task: { ...gateway.parseTask(body as IDataObject, taskId), taskId } };
}

function lostContactError(
	ctx: IExecuteFunctions,
	gateway: SeedanceGateway,
	taskId: string,
	last: NormalisedTask | undefined,
	reason: string,
	itemIndex: number,
) {
	const lastStatus = last?.status ?? 'unknown';
	const error = new NodeApiError(
		ctx.getNode(),
		{ message: reason },
		{
			message: `Could not check task ${taskId} on ${gateway.displayName} (last known status: ${lastStatus}): ${reason}`,
			description: `The task may still finish and is not lost. Run this node's Get or Wait operation later with task ID ${taskId}.`,
			itemIndex,
		},
	);
	return withTask(error, last ? taskToJson(last) : { taskId, provider: gateway.name, status: lastStatus });
}

/**
 * One status check, riding out transient faults for a few tries (bounded backoff,
 * Retry-After honoured) so that a blip never turns a running task into an error.
 */
export async function fetchTask(
	ctx: IExecuteFunctions,
	gateway: SeedanceGateway,
	taskId: string,
	itemIndex: number,
	batch: Batch,
	last?: NormalisedTask,
	deadline = Number.POSITIVE_INFINITY,
): Promise<NormalisedTask> {
	for (let failures = 0; ; failures++) {
		const check = await checkOnce(ctx, gateway, taskId, itemIndex, last, batch);
		if ('task' in check) return check.task;
		const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** failures, 30_000);
		const delay = check.transient.retryAfterMs ?? backoff;
		if (failures + 1 >= MAX_TRANSIENT_FAILURES || Date.now() + delay > deadline) {
			throw lostContactError(ctx, gateway, taskId, last, check.transient.reason, itemIndex);
		}
		await sleepOrStop(ctx, delay, batch, taskId, last, itemIndex);
	}
}

/** Sleeps with n8n's sleep; a cancelled execution or a stopped batch ends the wait at once. */
async function sleepOrStop(
	ctx: IExecuteFunctions,
	ms: number,
	batch: Batch,
	taskId: string,
	last: NormalisedTask | undefined,
	itemIndex: number,
) {
	try {
		await batch.sleep(ms);
	} catch {
		// Aborted: reported below, with the task that keeps running on the gateway.
	}
	if (!batch.signal.aborted) return;
	// n8n marks a run "canceled" only when the error says "canceled" (US spelling).
	const message = batch.stopReason
		? `Stopped waiting for task ${taskId}: ${batch.stopReason}`
		: `Execution canceled while waiting for task ${taskId}`;
	throw withTask(
		new NodeOperationError(ctx.getNode(), message, {
			itemIndex,
			description: `The task keeps running on the gateway. Use the Get or Wait operation with task ID ${taskId} to fetch it.`,
		}),
		last ? taskToJson(last) : { taskId },
	);
}

/**
 * Polls until the task is finished or the timeout passes. The first checks come soon after
 * creation and back off towards the interval, so a short job is seen done quickly and a
 * long one costs about one request per interval.
 */
export async function waitForTask(
	ctx: IExecuteFunctions,
	gateway: SeedanceGateway,
	taskId: string,
	settings: WaitSettings,
	itemIndex: number,
	batch: Batch,
	initial?: NormalisedTask,
): Promise<WaitResult> {
	const deadline = Date.now() + settings.timeoutMs;
	let task = initial;
	let statusChecks = 0;
	let delay = Math.max(250, settings.pollIntervalMs / 2);
	if (!task) {
		task = await fetchTask(ctx, gateway, taskId, itemIndex, batch, undefined, deadline);
		statusChecks++;
	}
	while (!isTerminal(task)) {
		const remaining = deadline - Date.now();
		if (remaining <= 0) return { task, timedOut: true, statusChecks };
		await sleepOrStop(ctx, Math.min(delay, remaining), batch, taskId, task, itemIndex);
		task = await fetchTask(ctx, gateway, taskId, itemIndex, batch, task, deadline);
		statusChecks++;
		delay = Math.min(delay * 2, settings.pollIntervalMs);
	}
	return { task, timedOut: false, statusChecks };
}
