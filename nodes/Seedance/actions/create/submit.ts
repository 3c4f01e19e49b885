import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ItemScope } from '../../batch';
import { fingerprintOf } from '../../create-ledger';
import type { GatewayRequest, NormalisedTask } from '../../gateways/gateway';
import { listsTasks } from '../../gateways';
import { toMediaInputs } from '../../media';
import { unknownModelNote } from '../../models';
import { fetchTask } from '../../polling';
import type { TaskTracker } from '../../task-errors';
import { asNodeError, guardPaidTask } from '../../task-errors';
import { callGateway, createOutcome, gatewayHttpError, RETRY_FLOOR_MS, retryAfterMs, retryDelayMs } from '../../transport';
import { trackTask } from '../shared';
import type { PreparedCreate } from './prepare';

/** Sending the create: once (after a 429, again), recorded in the run's ledger for Retry On Fail. */

/**
 * A 429 says the gateway did not take the request (its queue or rate limit is full), so it is
 * sent again once one of this run's tasks finishes, or after Retry-After (5 s without one), with
 * a backoff from 1 s to a minute and never sooner than 1 s, until the item's timeout.
 */
const MAX_RATE_LIMIT_WAIT_MS = 60_000;
const QUEUE_FULL_RECHECK_MS = 5_000;
/** A task that ended this way may be created again by a retry: the user asks for a new attempt. */
export const RETRYABLE_TASK_STATUSES = ['failed', 'expired'];

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
			// A model the node does not know was checked only for what is true of every model.
			error.description = `${error.description} No task was created, so nothing was charged.${unknownModelNote(gateway, request.body?.model)}`;
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
		const wait = retryDelayMs(attempt, retryAfterMs(response.headers) ?? QUEUE_FULL_RECHECK_MS, MAX_RATE_LIMIT_WAIT_MS);
		if (Date.now() + wait > deadline) {
			const error = gatewayHttpError(ctx.getNode(), gateway, response, itemIndex, 'creating the task');
			error.description = `${error.description} Nothing was charged: ${gateway.displayName} did not take the request before the item's timeout (${attempt} tries).`;
			throw error;
		}
		const pausedAt = Date.now();
		await batch.waitForCapacity(wait);
		// Woken early by a finished task: still never sooner than the floor.
		const early = RETRY_FLOOR_MS - (Date.now() - pausedAt);
		if (early > 0) await batch.sleep(early).catch(() => undefined);
	}
}

/**
 * The item's task: created now, or, when an earlier try of this run (n8n's Retry On Fail)
 * already created it or may have, that one. Runs in a create slot; a failure stops the run
 * before the slot passes on, so a failed run sends no further create.
 */
export async function obtainTask(scope: ItemScope, prepared: PreparedCreate, extra: IDataObject): Promise<TaskTracker> {
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
		batch.ledger.retire(itemIndex);
	}
	const task = await submit(scope, request, fingerprint, deadline);
	const tracker = trackTask(scope, task.taskId, extra);
	tracker.created(task);
	return tracker;
}
