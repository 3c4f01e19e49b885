import type { IDataObject } from 'n8n-workflow';

/**
 * Which tasks a Seedance Trigger has already started its workflow for, so that Ark's retries, a
 * replayed callback or a late one never start a second run for the same task.
 *
 * Where it lives:
 * - In the workflow's static data (`getWorkflowStaticData('node')`). n8n loads it from the
 *   database for each webhook call and saves it once the node's webhook() has returned (cli
 *   `webhooks/live-webhooks.ts`: `saveStaticData(workflow)` in the response callback), on the
 *   process that took the call, so it holds across processes and restarts.
 * - In this process's memory as well: calls that arrive together each load their own copy from
 *   the database, so a second call could not see the first one's claim there yet. The memory is
 *   one JavaScript thread, so a claim is a check-and-set no other call of this process can come
 *   between. n8n saves the whole static data of a call, not a change, so of two calls saved in
 *   either order the last would drop the other's claim: each claim is therefore also written
 *   into the static data of this process's other calls not yet saved.
 *
 * Bounded: at most REMEMBERED_TASKS task IDs, the most recently finished. When older ones are let
 * go (LET_GO at a time), `floor` keeps the latest finish time let go, and a task that finished at
 * or before it counts as delivered. So "once per task" holds whatever the bound; the price is that a first callback
 * arriving after REMEMBERED_TASKS later-finished tasks were delivered is not started.
 */

export const REMEMBERED_TASKS = 1000;
/** How many are let go at once when the log is full, so that it is sorted once per this many claims. */
const LET_GO = 100;

/** The node's static data, as it is stored: task ID → finish time (Unix seconds), and the floor. */
interface DeliveredLog {
	delivered: Record<string, number>;
	floor: number | null;
}

function logOf(staticData: IDataObject): DeliveredLog {
	const delivered = staticData.delivered;
	const floor = staticData.floor;
	return {
		delivered: delivered && typeof delivered === 'object' && !Array.isArray(delivered) ? (delivered as Record<string, number>) : {},
		floor: typeof floor === 'number' && Number.isFinite(floor) ? floor : null,
	};
}

const has = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

/** Adds tasks to a call's log (those it lacks), letting the oldest go when it is full. */
function add(staticData: IDataObject, tasks: Iterable<[string, number]>): void {
	const { delivered, floor } = logOf(staticData);
	let added = false;
	for (const [id, at] of tasks) {
		if (has(delivered, id)) continue;
		delivered[id] = at;
		added = true;
	}
	if (!added) return;
	const ids = Object.keys(delivered);
	if (ids.length <= REMEMBERED_TASKS) {
		// Set again: n8n saves static data only once a property of it was set (n8n-workflow
		// ObservableObject), and an object this node made is not observed inside.
		staticData.delivered = delivered;
		return;
	}
	const entries = ids.map((id): [string, number] => [id, delivered[id]]);
	entries.sort(([idA, a], [idB, b]) => a - b || (idA < idB ? -1 : idA > idB ? 1 : 0));
	let newFloor = floor;
	for (const [, at] of entries.splice(0, entries.length - (REMEMBERED_TASKS - LET_GO))) newFloor = newFloor === null ? at : Math.max(newFloor, at);
	staticData.delivered = Object.fromEntries(entries);
	if (newFloor !== null) staticData.floor = newFloor;
}

/**
 * What this process knows per workflow and trigger node: its claims (task ID → finish time, oldest
 * first), and the static data objects of its recent calls, which n8n saves after each call.
 */
interface Scope {
	claims: Map<string, number>;
	open: IDataObject[];
}

const scopes = new Map<string, Scope>();
const MAX_SCOPES = 200;
/** Calls of one trigger whose saves carry every claim this process makes while they are open. */
const MAX_OPEN_CALLS = 64;

function scopeOf(key: string): Scope {
	let scope = scopes.get(key);
	if (!scope) {
		if (scopes.size >= MAX_SCOPES) scopes.delete(scopes.keys().next().value as string);
		scopes.set(key, (scope = { claims: new Map(), open: [] }));
	}
	return scope;
}

/**
 * Whether the task is known to be delivered, before asking the gateway anything. Also opens the
 * call: this process's claims that its copy of the static data lacks (made after it was loaded)
 * are added, and later claims will be too, so its save drops none of them.
 */
export function knownDelivered(staticData: IDataObject, key: string, taskId: string): boolean {
	const scope = scopeOf(key);
	if (!scope.open.includes(staticData)) {
		add(staticData, scope.claims);
		scope.open.push(staticData);
		if (scope.open.length > MAX_OPEN_CALLS) scope.open.shift();
	}
	return has(logOf(staticData).delivered, taskId) || scope.claims.has(taskId);
}

/**
 * Claims the task for one run: true when this call is the one to start the workflow. Synchronous
 * (no await between the check and the set). The claim goes into this call's static data and into
 * that of this process's other open calls, so whichever n8n saves last holds it.
 */
export function claimDelivery(staticData: IDataObject, key: string, taskId: string, finishedAt: number): boolean {
	if (knownDelivered(staticData, key, taskId)) return false;
	const { floor } = logOf(staticData);
	if (floor !== null && finishedAt <= floor) return false;
	const scope = scopeOf(key);
	scope.claims.set(taskId, finishedAt);
	if (scope.claims.size > REMEMBERED_TASKS) scope.claims.delete(scope.claims.keys().next().value as string);
	for (const open of scope.open) add(open, [[taskId, finishedAt]]);
	return true;
}

/** For tests: forget this process's claims (as a restart does). */
export function forgetClaims(): void {
	scopes.clear();
}
