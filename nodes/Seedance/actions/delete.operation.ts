import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { Batch, ItemScope } from '../batch';
import type { NormalisedTask, SeedanceGateway } from '../gateways/gateway';
import { fetchTask, isTerminal } from '../polling';
import { callGateway, DEFAULT_REQUEST_TIMEOUT_SECONDS, gatewayHttpError, type GatewayResponse } from '../transport';
import { readTaskId, taskIdProperty, trackTask } from './shared';

export const description = updateDisplayOptions({ show: { operation: ['delete'] } }, [taskIdProperty]);

export async function prepare(this: IExecuteFunctions, _gateway: SeedanceGateway, itemIndex: number) {
	return { taskId: readTaskId(this, itemIndex) };
}

/** What a Delete did: Ark cancels a queued task (and keeps it 24 h) and deletes a finished one. */
export type DeleteAction = 'cancelled' | 'deleted';

/** One look at the task after the DELETE: gone (404), still there, or no clear answer. */
async function lookAfter(scope: ItemScope, taskId: string): Promise<{ gone: true } | { task: NormalisedTask } | null> {
	const { gateway, batch } = scope;
	const response = await batch.statusChecks.run(async () => await callGateway(scope, gateway.taskRequest(taskId)));
	if (response.networkError) return null;
	if (response.statusCode === 404) return { gone: true };
	const body = response.body;
	if (response.statusCode >= 300 || body === null || typeof body !== 'object' || Array.isArray(body)) return null;
	return { task: { ...gateway.parseTask(body as IDataObject, taskId), taskId } };
}

/** A refusal that is about the request itself (not the key, a missing task, a rate limit or a fault). */
function isRefusal(response: GatewayResponse): boolean {
	return response.statusCode >= 400 && response.statusCode < 500 && ![401, 402, 403, 404, 429].includes(response.statusCode);
}

/** Where the gateway keeps a cancelled task for a while (Ark: 24 h, then removes it). */
function cancelledKept(gateway: SeedanceGateway): string {
	return gateway.name === 'ark' ? `${gateway.displayName} removes a cancelled task 24 hours after it was cancelled` : `${gateway.displayName} keeps it as cancelled`;
}

/**
 * Cancels a queued task or deletes a finished one, where the gateway offers it. The task is
 * read first (free), so that the output says what happened rather than what was asked:
 * Ark cancels a queued task and keeps it 24 hours, deletes a succeeded, failed or expired one,
 * and refuses a running or a cancelled one. After the DELETE the task is read again: gone means
 * deleted, status cancelled means cancelled; without a clear answer, the status before decides.
 */
export async function execute(
	this: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
	batch: Batch,
	{ taskId }: { taskId: string },
): Promise<INodeExecutionData> {
	const request = gateway.deleteRequest(taskId);
	if (!request) {
		throw new NodeOperationError(this.getNode(), `${gateway.displayName} has no way to cancel or delete a task`, {
			itemIndex,
			description: 'Choose another operation, or let the task finish.',
		});
	}
	const scope: ItemScope = { ctx: this, gateway, itemIndex, batch, requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000 };
	const name = gateway.displayName;
	const before = await fetchTask(scope, trackTask(scope, taskId));

	const response = await batch.statusChecks.run(async () => await callGateway(scope, request));
	if (response.networkError) {
		throw new NodeApiError(this.getNode(), { message: response.networkError.message }, {
			message: `No answer from ${name} while deleting task ${taskId}: ${response.networkError.message}`,
			description: 'The task may or may not have been cancelled or deleted; Get shows which. Running Delete again does no harm.',
			itemIndex,
		});
	}
	if (response.statusCode >= 400) {
		if (isRefusal(response)) {
			// Why it was refused, from the task's status now (a queued task may have started meanwhile).
			const now = await lookAfter(scope, taskId);
			const status = now && 'task' in now ? now.task.status : before.status;
			if (status === 'running') {
				throw new NodeApiError(this.getNode(), { message: `${name} refused to delete running task ${taskId}` }, {
					message: `Task ${taskId} is running on ${name}, and a running task cannot be cancelled or deleted`,
					description: `Wait until it has finished (the Wait operation waits for it), then delete it. Only a queued task can be cancelled; a cancelled task cannot be deleted, ${cancelledKept(gateway)}.`,
					httpCode: String(response.statusCode),
					itemIndex,
				});
			}
			if (status === 'cancelled') {
				throw new NodeApiError(this.getNode(), { message: `${name} refused to delete cancelled task ${taskId}` }, {
					message: `Task ${taskId} is already cancelled on ${name}, and a cancelled task cannot be deleted`,
					description: `Nothing is left to do: it will not run, and ${cancelledKept(gateway)} (Get finds it until then).`,
					httpCode: String(response.statusCode),
					itemIndex,
				});
			}
		}
		throw gatewayHttpError(this.getNode(), gateway, response, itemIndex, `deleting task ${taskId}`);
	}

	const after = await lookAfter(scope, taskId);
	let task = before;
	let action: DeleteAction = isTerminal(before) ? 'deleted' : 'cancelled';
	if (after && 'gone' in after) action = 'deleted';
	else if (after) {
		task = after.task;
		if (after.task.status === 'cancelled') action = 'cancelled';
	}
	return {
		json: {
			taskId,
			provider: gateway.name,
			action,
			cancelled: action === 'cancelled',
			deleted: action === 'deleted',
			// A cancelled task's status now; a deleted one's status when it was deleted.
			status: task.status,
			statusBefore: before.status,
			raw: task.raw,
		},
	};
}
