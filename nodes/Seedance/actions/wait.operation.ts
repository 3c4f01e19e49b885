import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { Batch } from '../batch';
import type { SeedanceGateway } from '../gateways/gateway';
import { waitForTask } from '../polling';
import { guardPaidTask } from '../task-errors';
import type { PreparedLookup } from './shared';
import {
	deliverTask,
	deliveryOptions,
	itemScope,
	prepareLookup,
	sendsUnfinishedToSecondOutput,
	stillRunningOutputProperty,
	taskIdProperty,
	trackTask,
} from './shared';

export const description = updateDisplayOptions({ show: { operation: ['wait'] } }, [
	taskIdProperty,
	stillRunningOutputProperty,
	deliveryOptions,
]);

export const prepare = prepareLookup;

/** Polls an existing task until it is finished, then delivers it like Create does. */
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
		const result = await waitForTask(scope, tracker, settings.wait);
		// With a Still Running output, Done takes every finished task, failed ones included.
		return await deliverTask(scope, tracker, result, settings, !sendsUnfinishedToSecondOutput(this));
	});
}
