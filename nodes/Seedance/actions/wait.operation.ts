import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { Batch } from '../batch';
import type { SeedanceGateway } from '../gateways/gateway';
import { waitForTask } from '../polling';
import { deliverTask, deliveryOptions, readDeliveryOptions, readTaskId, taskIdProperty } from './shared';

export const description = updateDisplayOptions({ show: { operation: ['wait'] } }, [
	taskIdProperty,
	deliveryOptions,
]);

/** Polls an existing task until it is finished, then delivers it like Create does. */
export async function execute(
	this: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
	batch: Batch,
): Promise<INodeExecutionData> {
	const taskId = readTaskId(this, itemIndex);
	const { wait } = readDeliveryOptions(this, itemIndex);
	const result = await waitForTask(this, gateway, taskId, wait, itemIndex, batch);
	return await deliverTask(this, gateway, result, itemIndex, batch, true);
}
