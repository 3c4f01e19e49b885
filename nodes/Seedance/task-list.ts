import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { ItemScope } from './batch';
import type { NormalisedTask, TaskListPage, TaskListQuery } from './gateways/gateway';
import { callGateway, gatewayHttpError } from './transport';

/** A gateway's task list, walked page after page: Get Many, and the batch status checks. */

/** The page size asked for (Ark takes 1–500); the same on every page of a walk. */
export const PAGE_SIZE = 100;
/**
 * The last resort against a list that never ends: Ark takes page_num 1–500, so no honest walk
 * needs more pages (500 × 100 tasks, more than an account can make in Ark's 7 days of list).
 */
export const MAX_PAGES = 500;

/**
 * One page of the list. A gateway without a list, no answer or an HTTP error is an error here;
 * listing costs nothing, so the caller decides whether to report it or to fall back.
 */
export async function fetchTaskListPage(
	scope: ItemScope,
	filters: Omit<TaskListQuery, 'pageNum' | 'pageSize'>,
	pageNum: number,
	pageSize: number,
): Promise<TaskListPage> {
	const { ctx, gateway, itemIndex, batch } = scope;
	const request = gateway.listRequest({ ...filters, pageNum, pageSize });
	if (!request) throw new NodeApiError(ctx.getNode(), { message: 'no task list' }, { message: `${gateway.displayName} documents no task list`, itemIndex });
	const response = await batch.statusChecks.run(async () => await callGateway(scope, request));
	if (response.networkError) {
		throw new NodeApiError(ctx.getNode(), { message: response.networkError.message }, {
			message: `No answer from ${gateway.displayName} while listing tasks (page ${pageNum}): ${response.networkError.message}`,
			description: 'Listing costs nothing; run it again.',
			itemIndex,
		});
	}
	if (response.statusCode >= 400) throw gatewayHttpError(ctx.getNode(), gateway, response, itemIndex, `listing tasks (page ${pageNum})`);
	const body = response.body;
	return gateway.parseTaskList((body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as IDataObject);
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

