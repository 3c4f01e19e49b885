import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { Batch } from '../batch';
import type { NormalisedTask, SeedanceGateway, TaskListPage, TaskListQuery } from '../gateways/gateway';
import { TERMINAL_STATUSES } from '../gateways/gateway';
import { taskToJson } from '../output';
import { callGateway, gatewayHttpError } from '../transport';
import type { DeliverySettings } from './shared';
import { itemScope, readDeliveryOptions } from './shared';

/**
 * Get Many: the gateway's recent tasks, page after page up to a limit (n8n's Return All /
 * Limit), for gateways that document a list. This is how a user finds every paid task after
 * anything went wrong.
 */

const STATUSES = [...TERMINAL_STATUSES, 'queued', 'running'];
/** The page size asked for (Ark takes 1–500); the same on every page of a walk. */
export const PAGE_SIZE = 100;
/**
 * The last resort against a list that never ends: Ark takes page_num 1–500, so no honest walk
 * needs more pages (500 × 100 tasks, more than an account can make in Ark's 7 days of list).
 */
export const MAX_PAGES = 500;

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

/** What a walk of the list found, and why it stopped. */
export interface TaskListWalk {
	tasks: NormalisedTask[];
	pages: number;
	stoppedBy: 'limit' | 'total' | 'empty page' | 'no new task' | 'page cap';
}

/**
 * Walks the list page after page. The page size never changes during a walk, because the
 * gateway places a page at page_num × page_size: a smaller last page would move the offset and
 * list tasks again while skipping others. Limit trims on this side instead. A task is output
 * once, whatever the pages repeat. The walk ends when Limit is reached, when every task the
 * gateway counts (`total`) has been seen, on an empty page, on a page that adds no task not seen
 * before (a gateway repeating itself), or after MAX_PAGES pages. A short page alone does not end
 * it: a gateway may cap its pages below the size asked for while `total` says more follow.
 */
export async function walkTaskList(
	fetchPage: (pageNum: number, pageSize: number) => Promise<TaskListPage>,
	{ limit, pageSize = PAGE_SIZE, maxPages = MAX_PAGES }: { limit: number; pageSize?: number; maxPages?: number },
): Promise<TaskListWalk> {
	const size = Math.max(1, Math.floor(Number.isFinite(limit) ? Math.min(pageSize, limit) : pageSize));
	const seen = new Set<string>();
	const tasks: NormalisedTask[] = [];
	let total: number | null = null;
	for (let pageNum = 1; ; pageNum++) {
		if (tasks.length >= limit) return { tasks, pages: pageNum - 1, stoppedBy: 'limit' };
		if (pageNum > maxPages) return { tasks, pages: pageNum - 1, stoppedBy: 'page cap' };
		const page = await fetchPage(pageNum, size);
		if (page.total !== null) total = page.total;
		let added = 0;
		for (const task of page.tasks) {
			// A task without an ID cannot be told apart from another, fetched or deleted.
			if (!task.taskId || seen.has(task.taskId)) continue;
			seen.add(task.taskId);
			added++;
			if (tasks.length < limit) tasks.push(task);
		}
		if (tasks.length >= limit) return { tasks, pages: pageNum, stoppedBy: 'limit' };
		if (page.tasks.length === 0) return { tasks, pages: pageNum, stoppedBy: 'empty page' };
		if (added === 0) return { tasks, pages: pageNum, stoppedBy: 'no new task' };
		if (total !== null && seen.size >= total) return { tasks, pages: pageNum, stoppedBy: 'total' };
	}
}

export async function execute(
	this: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
	batch: Batch,
	{ limit, filters, settings }: PreparedList,
): Promise<INodeExecutionData[]> {
	const scope = itemScope(this, gateway, itemIndex, batch, settings);
	const fetchPage = async (pageNum: number, pageSize: number): Promise<TaskListPage> => {
		const request = gateway.listRequest({ ...filters, pageNum, pageSize });
		if (!request) {
			throw new NodeOperationError(this.getNode(), `${gateway.displayName} documents no task list`, {
				itemIndex,
				description: 'Choose another operation; Get Many is offered for gateways that list their tasks (Ark).',
			});
		}
		const response = await batch.statusChecks.run(async () => await callGateway(scope, request));
		if (response.networkError) {
			throw new NodeApiError(this.getNode(), { message: response.networkError.message }, {
				message: `No answer from ${gateway.displayName} while listing tasks (page ${pageNum}): ${response.networkError.message}`,
				description: 'Listing costs nothing; run it again.',
				itemIndex,
			});
		}
		if (response.statusCode >= 400) throw gatewayHttpError(this.getNode(), gateway, response, itemIndex, `listing tasks (page ${pageNum})`);
		return gateway.parseTaskList((response.body ?? {}) as IDataObject);
	};
	const walk = await walkTaskList(fetchPage, { limit });
	if (walk.stoppedBy === 'page cap') {
		const message = `Get Many stopped after ${walk.pages} pages of ${gateway.displayName}'s task list (${walk.tasks.length} tasks); narrow it with Filters to see the rest.`;
		this.logger.warn(message, { itemIndex });
		this.addExecutionHints({ message, location: 'outputPane' });
	}
	return walk.tasks.map((task) => ({ json: taskToJson(task) }));
}
