import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ItemScope } from './batch';
import type { NormalisedTask } from './gateways/gateway';
import { TERMINAL_STATUSES } from './gateways/gateway';
import type { TaskTracker } from './task-errors';
import { callGateway, gatewayHttpError, RETRY_FLOOR_MS, retryAfterMs, retryDelayMs } from './transport';

export interface WaitSettings {
	pollIntervalMs: number;
	timeoutMs: number;
}

/**
 * How a wait ended: the task finished, or the deadline came first (`timedOut`, with the last
 * status seen; `fault` when status checks were failing then). The operation decides between an
 * output and an error.
 */
export interface WaitResult {
	task: NormalisedTask;
	timedOut: boolean;
	statusChecks: number;
	/** Why the last status checks failed, when the deadline came while riding faults out. */
	fault?: string;
}

/** Consecutive failed status checks tolerated before giving up (the task itself is not lost). */
const MAX_TRANSIENT_FAILURES = 6;
const MAX_BACKOFF_MS = 30_000;

export function isTerminal(task: NormalisedTask): boolean {
	return TERMINAL_STATUSES.includes(task.status);
}

/** A status check that may work if simply tried again: network trouble, 429, 5xx, a garbled body. */
interface TransientFailure {
	reason: string;
	retryAfterMs: number | undefined;
}

async function checkOnce(
	scope: ItemScope,
	taskId: string,
): Promise<{ task: NormalisedTask } | { transient: TransientFailure }> {
	const { gateway, batch } = scope;
	const response = await batch.statusChecks.run(async () => await callGateway(scope, gateway.taskRequest(taskId)));
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
		throw gatewayHttpError(scope.ctx.getNode(), gateway, response, scope.itemIndex, `checking task ${taskId}`);
	}
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		return {
			transient: { reason: `${gateway.displayName} answered ${statusCode} with a body that is not a task`, retryAfterMs: undefined },
		};
	}
	// The id we asked about is the task's id, whatever a confused answer says.
	return { task: { ...gateway.parseTask(body as IDataObject, taskId), taskId } };
}

/** A status the gateway gave: logged once, and a finished task frees its slot in the gateway's queue. */
function observed(scope: ItemScope, tracker: TaskTracker, task: NormalisedTask): NormalisedTask {
	if (isTerminal(task) && !(tracker.last && isTerminal(tracker.last))) scope.batch.taskFinished();
	return tracker.seen(task);
}

/** A status check's result once faults were ridden out: the task, or the deadline came first. */
type Checked = { task: NormalisedTask } | { deadline: true; fault: string };

async function checkRidingOutFaults(scope: ItemScope, tracker: TaskTracker, deadline: number): Promise<Checked> {
	const { taskId, gateway } = tracker;
	for (let failures = 1; ; failures++) {
		const check = await checkOnce(scope, taskId);
		if ('task' in check) return { task: observed(scope, tracker, check.task) };
		// A last check right at the deadline, when there is time for one after the floor.
		const remaining = deadline - Date.now();
		if (remaining < RETRY_FLOOR_MS) return { deadline: true, fault: check.transient.reason };
		const delay = Math.min(retryDelayMs(failures, check.transient.retryAfterMs, MAX_BACKOFF_MS), remaining);
		if (failures >= MAX_TRANSIENT_FAILURES) {
			throw new NodeApiError(
				scope.ctx.getNode(),
				{ message: check.transient.reason },
				{
					message: `Could not check task ${taskId} on ${gateway.displayName}: ${check.transient.reason}`,
					description: 'The task may still finish.',
					itemIndex: scope.itemIndex,
				},
			);
		}
		tracker.rodeOut(check.transient.reason, delay);
		await sleepOrStop(scope, delay, taskId);
	}
}

/**
 * One status check, riding out transient faults for a few tries (a backoff from 1 s, Retry-After
 * honoured, never sooner than 1 s) so that a blip never turns a running task into an error.
 */
export async function fetchTask(scope: ItemScope, tracker: TaskTracker): Promise<NormalisedTask> {
	const checked = await checkRidingOutFaults(scope, tracker, Number.POSITIVE_INFINITY);
	return (checked as { task: NormalisedTask }).task;
}

/** What is known of a task whose status could not be read before the deadline. */
function lastKnown(tracker: TaskTracker): NormalisedTask {
	return (
		tracker.last ?? {
			taskId: tracker.taskId,
			provider: tracker.gateway.name,
			model: null,
			status: 'unknown',
			gatewayStatus: null,
			videoUrl: null,
			coverImageUrl: null,
			lastFrameUrl: null,
			videoDuration: null,
			progress: null,
			completionTokens: null,
			errorCode: null,
			errorMessage: null,
			raw: {},
		}
	);
}

/** Sleeps with n8n's sleep; a cancelled execution or a stopped batch ends the wait at once. */
async function sleepOrStop(scope: ItemScope, ms: number, taskId: string) {
	const { batch } = scope;
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
	throw new NodeOperationError(scope.ctx.getNode(), message, {
		itemIndex: scope.itemIndex,
		description: 'The task keeps running on the gateway.',
	});
}

/**
 * Polls until the task is finished or the timeout passes. The first checks come soon after
 * creation and back off towards the interval, so a short job is seen done quickly and a
 * long one costs about one request per interval. A deadline that comes while status checks are
 * failing is a timeout like any other, with the last status seen.
 */
export async function waitForTask(scope: ItemScope, tracker: TaskTracker, settings: WaitSettings): Promise<WaitResult> {
	const { taskId } = tracker;
	const deadline = Date.now() + settings.timeoutMs;
	const board = scope.batch.statusBoard(scope.gateway);
	let statusChecks = 0;
	let delay = Math.max(RETRY_FLOOR_MS / 2, settings.pollIntervalMs / 2);
	let task = tracker.last;
	const check = async (): Promise<WaitResult | undefined> => {
		statusChecks++;
		const checked = await checkRidingOutFaults(scope, tracker, deadline);
		if ('deadline' in checked) return { task: lastKnown(tracker), timedOut: true, statusChecks, fault: checked.fault };
		task = checked.task;
		return undefined;
	};
	/** Waits `wait` ms (or until the shared tick near it), then checks: through the run's list where it has one. */
	const checkAfter = async (wait: number): Promise<WaitResult | undefined> => {
		const at = board?.plan(taskId, Date.now() + wait, wait / 2);
		if (board && at !== undefined && at <= deadline) {
			// A stopped run never comes to its tick; the tick's grace lets the others go on.
			await sleepOrStop(scope, Math.max(0, at - Date.now()), taskId);
			const listed = await board.check(scope, taskId, at);
			if (listed) {
				statusChecks++;
				task = observed(scope, tracker, { ...listed, taskId });
				return undefined;
			}
			// Not in the list's answer, or the list failed: this task's own GET, with its fault handling.
			return await check();
		}
		if (board && at !== undefined) board.unplan(taskId, at);
		await sleepOrStop(scope, wait, taskId);
		return await check();
	};
	if (!task) {
		const gaveUp = await checkAfter(0);
		if (gaveUp) return gaveUp;
	}
	while (!isTerminal(task as NormalisedTask)) {
		const remaining = deadline - Date.now();
		if (remaining <= 0) return { task: task as NormalisedTask, timedOut: true, statusChecks };
		const gaveUp = await checkAfter(Math.min(delay, remaining));
		if (gaveUp) return gaveUp;
		delay = Math.min(delay * 2, settings.pollIntervalMs);
	}
	return { task: task as NormalisedTask, timedOut: false, statusChecks };
}
