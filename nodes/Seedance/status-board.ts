import type { ItemScope } from './batch';
import type { NormalisedTask } from './gateways/gateway';
import { fetchTaskListPage, walkTaskList } from './task-list';

/**
 * The waiting tasks of a run, checked together where the gateway's list takes task IDs as a
 * filter (Ark): each poll of each task is planned on a shared tick, and at a tick one list request
 * per group of IDs answers every task due then. 200 waiting tasks cost about 2 requests per
 * interval instead of 200.
 *
 * Ticks align by themselves: a task due at `t` joins a planned tick from half its delay earlier
 * (it is checked a little early) to GRACE_MS later, else plans a tick of its own. After one shared
 * tick every task it answered is due at the same time again.
 *
 * A task the list does not return, or a list that fails, gets `undefined`: the caller then checks
 * it with its single GET and that GET's fault handling, so nothing is lost or failed because of
 * the list.
 */

/** How long a tick waits for the tasks planned on it, from the first one that arrives. */
const GRACE_MS = 250;
/** Keeps a list request's URL well under common proxy limits (about 4 KB). */
const MAX_LIST_PATH_CHARS = 3_800;

interface Tick {
	at: number;
	planned: Set<string>;
	arrived: Map<string, (task: NormalisedTask | undefined) => void>;
	fired: boolean;
}

export class StatusBoard {
	private readonly ticks: Tick[] = [];

	/** The time of the tick that will check `taskId`, due at `due` and allowed `early` ms sooner. */
	plan(taskId: string, due: number, early: number): number {
		const joined = this.ticks.find((tick) => !tick.fired && tick.at >= due - early && tick.at <= due + GRACE_MS);
		const tick = joined ?? this.newTick(due);
		tick.planned.add(taskId);
		return tick.at;
	}

	/** The task as the list sees it at its tick, or undefined when the list did not answer for it. */
	async check(scope: ItemScope, taskId: string, at: number): Promise<NormalisedTask | undefined> {
		const tick = this.ticks.find((candidate) => candidate.at === at && !candidate.fired);
		if (!tick) return undefined;
		const answer = new Promise<NormalisedTask | undefined>((resolve) => tick.arrived.set(taskId, resolve));
		if (tick.arrived.size === 1) void this.fireAfterGrace(scope, tick);
		if ([...tick.planned].every((id) => tick.arrived.has(id))) void this.fire(scope, tick);
		return await answer;
	}

	/** The task will not come to its tick (its wait ended): the others do not wait for it. */
	unplan(taskId: string, at: number): void {
		this.ticks.find((tick) => tick.at === at)?.planned.delete(taskId);
	}

	private newTick(at: number): Tick {
		const tick: Tick = { at, planned: new Set(), arrived: new Map(), fired: false };
		this.ticks.push(tick);
		return tick;
	}

	private async fireAfterGrace(scope: ItemScope, tick: Tick): Promise<void> {
		try {
			await scope.batch.sleep(GRACE_MS);
		} catch {
			// The run stopped: answer the tasks that came, they stop on their own.
		}
		await this.fire(scope, tick);
	}

	private async fire(scope: ItemScope, tick: Tick): Promise<void> {
		if (tick.fired) return;
		tick.fired = true;
		this.ticks.splice(this.ticks.indexOf(tick), 1);
		const waiting = new Map(tick.arrived);
		await Promise.all(
			groupsOf(scope, [...waiting.keys()]).map(async (taskIds) => {
				const found = await listed(scope, taskIds);
				for (const taskId of taskIds) waiting.get(taskId)?.(found.get(taskId));
			}),
		);
	}
}

/** Task IDs in groups whose list request stays under the URL budget. */
function groupsOf(scope: ItemScope, taskIds: string[]): string[][] {
	const groups: string[][] = [];
	let group: string[] = [];
	for (const taskId of taskIds) {
		const candidate = [...group, taskId];
		const request = scope.gateway.listRequest({ taskIds: candidate, pageNum: 1, pageSize: candidate.length });
		if (group.length && (request?.path.length ?? 0) > MAX_LIST_PATH_CHARS) {
			groups.push(group);
			group = [taskId];
		} else {
			group = candidate;
		}
	}
	if (group.length) groups.push(group);
	return groups;
}

/** The tasks of one group as the list returns them (page after page if it pages); empty on any failure. */
async function listed(scope: ItemScope, taskIds: string[]): Promise<Map<string, NormalisedTask>> {
	const wanted = new Set(taskIds);
	try {
		const walk = await walkTaskList(async (pageNum, pageSize) => await fetchTaskListPage(scope, { taskIds }, pageNum, pageSize), {
			limit: taskIds.length,
			pageSize: taskIds.length,
			maxPages: 20,
		});
		return new Map(walk.tasks.filter((task) => wanted.has(task.taskId)).map((task) => [task.taskId, task]));
	} catch {
		// Each task is checked with its own GET instead.
		return new Map();
	}
}
