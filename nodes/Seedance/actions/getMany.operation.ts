import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { Batch } from '../batch';
import type { SeedanceGateway, TaskListQuery } from '../gateways/gateway';
import { TERMINAL_STATUSES } from '../gateways/gateway';
import { taskToJson } from '../output';
import { fetchTaskListPage, walkTaskList } from '../task-list';
import type { DeliverySettings } from './shared';
import { itemScope, readDeliveryOptions } from './shared';

/**
 * Get Many: the gateway's recent tasks, page after page up to a limit (n8n's Return All /
 * Limit), for gateways that document a list. This is how a user finds every paid task after
 * anything went wrong.
 */

const STATUSES = [...TERMINAL_STATUSES, 'queued', 'running'];

export const description = updateDisplayOptions({ show: { operation: ['getMany'] } }, [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Model',
				name: 'model',
				type: 'string',
				default: '',
				placeholder: 'e.g. seedance-1-5-pro-251215',
				description: 'Only tasks of this model',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: STATUSES.map((status) => ({ name: status[0].toUpperCase() + status.slice(1), value: status })),
				default: 'succeeded',
				description: 'Only tasks with this status',
			},
			{
				displayName: 'Task IDs',
				name: 'taskIds',
				type: 'string',
				default: '',
				placeholder: 'e.g. cgt-2025…, cgt-2025…',
				description: 'Only these tasks, separated by commas (the task IDs of one batch, for example)',
			},
		],
	},
]);

export interface PreparedList {
	limit: number;
	filters: Omit<TaskListQuery, 'pageNum' | 'pageSize'>;
	settings: DeliverySettings;
}

export async function prepare(this: IExecuteFunctions, _gateway: SeedanceGateway, itemIndex: number): Promise<PreparedList> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Number.POSITIVE_INFINITY : Math.floor(Number(this.getNodeParameter('limit', itemIndex, 50)));
	if (!(limit >= 1)) {
		throw new NodeOperationError(this.getNode(), 'Limit must be a whole number of 1 or more', { itemIndex, description: 'Set Limit, or switch on Return All.' });
	}
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const taskIds = String(filters.taskIds ?? '')
		.split(',')
		.map((id) => id.trim())
		.filter(Boolean);
	return {
		limit,
		filters: {
			status: filters.status ? String(filters.status) : undefined,
			model: filters.model ? String(filters.model).trim() : undefined,
			taskIds: taskIds.length ? taskIds : undefined,
		},
		settings: readDeliveryOptions(this, itemIndex),
	};
}

export async function execute(
	this: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
	batch: Batch,
	{ limit, filters, settings }: PreparedList,
): Promise<INodeExecutionData[]> {
	const scope = itemScope(this, gateway, itemIndex, batch, settings);
	if (!gateway.listRequest({ ...filters, pageNum: 1, pageSize: 1 })) {
		throw new NodeOperationError(this.getNode(), `${gateway.displayName} documents no task list`, {
			itemIndex,
			description: 'Choose another operation; Get Many is offered for gateways that list their tasks (Ark).',
		});
	}
	const fetchPage = async (pageNum: number, pageSize: number) => await fetchTaskListPage(scope, filters, pageNum, pageSize);
	const walk = await walkTaskList(fetchPage, { limit });
	if (walk.stoppedBy === 'page cap') {
		const message = `Get Many stopped after ${walk.pages} pages of ${gateway.displayName}'s task list (${walk.tasks.length} tasks); narrow it with Filters to see the rest.`;
		this.logger.warn(message, { itemIndex });
		this.addExecutionHints({ message, location: 'outputPane' });
	}
	return walk.tasks.map((task) => ({ json: taskToJson(task) }));
}
