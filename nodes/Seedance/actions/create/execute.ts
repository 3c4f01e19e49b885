import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Batch } from '../../batch';
import type { SeedanceGateway } from '../../gateways/gateway';
import { waitForTask } from '../../polling';
import { guardPaidTask } from '../../task-errors';
import { deliverTask, itemScope } from '../shared';
import type { PreparedCreate } from './prepare';
import { obtainTask, RETRYABLE_TASK_STATUSES } from './submit';

export async function execute(
	this: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
	batch: Batch,
	prepared: PreparedCreate,
): Promise<INodeExecutionData> {
	const { settings } = prepared;
	const scope = itemScope(this, gateway, itemIndex, batch, settings);
	const { cost } = prepared;
	// An amount and its currency, whatever the price list's currency; estimatedCostUsd where it is USD.
	const extra: IDataObject = {
		estimatedCost: cost.amount,
		costCurrency: cost.currency,
		...(cost.currency === 'USD' ? { estimatedCostUsd: cost.amount } : {}),
		costBasis: cost.basis,
	};
	const tracker = await obtainTask(scope, prepared, extra);
	return await guardPaidTask(this.getNode(), tracker, itemIndex, async () => {
		if (!prepared.waitForCompletion) return { json: tracker.json() };
		const result = await waitForTask(scope, tracker, settings.wait);
		// A task the gateway failed may be created afresh by a retry: a new attempt.
		if (RETRYABLE_TASK_STATUSES.includes(result.task.status)) batch.ledger.retire(itemIndex);
		return await deliverTask(scope, tracker, result, settings, true);
	});
}
