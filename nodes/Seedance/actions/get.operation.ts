import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { Batch } from '../batch';
import type { SeedanceGateway } from '../gateways/gateway';
import { fetchTask } from '../polling';
import { guardPaidTask } from '../task-errors';
import type { PreparedLookup } from './shared';
import { deliverTask, deliveryOptions, itemScope, prepareLookup, stillRunningOutputProperty, taskIdProperty, trackTask } from './shared';

export const description = updateDisplayOptions({ show: { operation: ['get'] } }, [
	taskIdProperty,
	stillRunningOutputProperty,
	deliveryOptions,
]);

export const prepare = prepareLookup;

/** One status check. A failed task is reported in the output, not thrown: this is a lookup. */
export async function execute(
	this: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
	batch: Batch,
	{ taskId, settings }: PreparedLookup,
): Promise<INodeExecutionData> {
	const scope = itemScope(this, gateway, itemIndex, batch, settings);
	const tracker = trackTask(scope, taskId);
	return await guardPaidTask(this.getNode(), tracker, itemIndex, async () => {
		const task = await fetchTask(scope, tracker);
		return await deliverTask(scope, tracker, { task, timedOut: false }, settings, false);
	});
}
