import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { Batch } from '../batch';
import type { SeedanceGateway } from '../gateways/gateway';
import { fetchTask } from '../polling';
import { deliverTask, deliveryOptions, readTaskId, taskIdProperty } from './shared';

export const description = updateDisplayOptions({ show: { operation: ['get'] } }, [
	taskIdProperty,
	deliveryOptions,
]);

/** One status check. A failed task is reported in the output, not thrown: this is a lookup. */
export async function execute(
	this: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData> {
	const taskId = readTaskId(this, itemIndex);
	const task = await fetchTask(this, gateway, taskId, itemIndex, batch);
	return await deliverTask(this, gateway, { task, timedOut: false }, itemIndex, batch, false);
}
