import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { SeedanceGateway } from '../gateways/gateway';
import { getGateway } from '../gateways';
import { taskOfError } from '../task-errors';
import * as create from './create.operation';
import * as get from './get.operation';
import * as wait from './wait.operation';

type OperationExecute = (
	this: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
) => Promise<INodeExecutionData>;

const operations: Record<string, OperationExecute> = {
	create: create.execute,
	get: get.execute,
	wait: wait.execute,
};

/** n8n shows the item of an error from its context; errors we did not make get wrapped. */
function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number) {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context = { ...error.context, itemIndex };
		return error;
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

/** The item loop: one task per input item, pairedItem on every output, continueOnFail honoured. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const execute = operations[operation];
			if (!execute) {
				throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, { itemIndex });
			}
			const gateway = getGateway(this.getNodeParameter('provider', itemIndex) as string);
			const output = await execute.call(this, gateway, itemIndex);
			returnData.push({ ...output, pairedItem: { item: itemIndex } });
		} catch (error) {
			if (this.continueOnFail()) {
				returnData.push({
					json: { ...taskOfError(error), error: (error as Error).message },
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			throw asNodeError(this, error, itemIndex);
		}
	}
	return [returnData];
}
