import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { Batch } from '../batch';
import type { SeedanceGateway } from '../gateways/gateway';
import { callGateway, DEFAULT_REQUEST_TIMEOUT_SECONDS, gatewayHttpError } from '../transport';
import { readTaskId, taskIdProperty } from './shared';

export const description = updateDisplayOptions({ show: { operation: ['delete'] } }, [taskIdProperty]);

export async function prepare(this: IExecuteFunctions, _gateway: SeedanceGateway, itemIndex: number) {
	return { taskId: readTaskId(this, itemIndex) };
}

/** Cancels a queued task or deletes a finished one, where the gateway offers it. */
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
	const scope = { ctx: this, gateway, itemIndex, batch, requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000 };
	const response = await batch.statusChecks.run(async () => await callGateway(scope, request));
	if (response.networkError) {
		throw new NodeApiError(this.getNode(), { message: response.networkError.message }, {
			message: `No answer from ${gateway.displayName} while deleting task ${taskId}: ${response.networkError.message}`,
			description: 'Run the operation again; deleting twice does no harm.',
			itemIndex,
		});
	}
	if (response.statusCode >= 400) {
		throw gatewayHttpError(this.getNode(), gateway, response, itemIndex, `deleting task ${taskId}`);
	}
	const raw = (response.body && typeof response.body === 'object' ? response.body : {}) as IDataObject;
	return { json: { taskId, provider: gateway.name, deleted: true, raw } };
}
