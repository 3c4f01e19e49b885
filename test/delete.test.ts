import type { INodeParameters } from 'n8n-workflow';

import { seedArkTask } from './ark-task-list';
import { runSeedance, visibleText } from './seedance-run';
import type { Simulator } from './simulator';
import { startSimulator } from './simulator';

/**
 * Delete on Ark through n8n-core's WorkflowExecute against the simulated Ark, which does what
 * Ark's docs say (https://www.volcengine.com/docs/82379/1521720): a queued task is cancelled and
 * kept 24 hours with status cancelled; a succeeded, failed or expired one is deleted; a running
 * or a cancelled one is refused. The output says which happened, from the task's status.
 */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => await sim.close());
beforeEach(() => sim.reset());

const HOUR = 60 * 60 * 1000;
const remove = async (taskId: string, parameters: INodeParameters = {}) =>
	await runSeedance({ sim, provider: 'ark', parameters: { operation: 'delete', taskId, ...parameters } });
const get = async (taskId: string) =>
	await runSeedance({ sim, provider: 'ark', parameters: { operation: 'get', taskId, options: { downloadVideo: false } } });
const described = (run: Awaited<ReturnType<typeof remove>>) => run.nodeError('Seedance') as (Error & { description?: string; httpCode?: string }) | undefined;

describe('Delete says what Ark did', () => {
	it('a queued task is cancelled, not deleted: Ark keeps it 24 hours as cancelled', async () => {
		const taskId = seedArkTask(sim, 'cgt-queued', { queuedMs: HOUR, jobMs: 2 * HOUR });
		const run = await remove(taskId);
		expect(run.status).toBe('success');
		expect(run.items[0].json).toEqual({
			taskId,
			provider: 'ark',
			action: 'cancelled',
			cancelled: true,
			deleted: false,
			status: 'cancelled',
			statusBefore: 'queued',
		});
		expect((await get(taskId)).items[0].json.status).toBe('cancelled');
		const listed = await runSeedance({ sim, provider: 'ark', parameters: { operation: 'getMany', returnAll: true } });
		expect(listed.items.map((item) => [item.json.taskId, item.json.status])).toEqual([[taskId, 'cancelled']]);
		// 24 hours after the cancellation Ark has removed it.
		sim.tasks.get(taskId)!.cancelledAt! -= 24 * HOUR;
		expect((await get(taskId)).nodeError('Seedance')!.message).toContain('404');
	});

	it.each<['succeed' | 'fail' | 'expire', string]>([
		['succeed', 'succeeded'],
		['fail', 'failed'],
		['expire', 'expired'],
	])('a finished task (%s) is deleted, and Get no longer finds it', async (outcome, status) => {
		const taskId = seedArkTask(sim, `cgt-${outcome}`, { startedMsAgo: 1000, jobMs: 10, outcome });
		const run = await remove(taskId);
		expect(run.items[0].json).toEqual({ taskId, provider: 'ark', action: 'deleted', cancelled: false, deleted: true, status, statusBefore: status });
		expect(sim.tasks.has(taskId)).toBe(false);
		expect((await get(taskId)).nodeError('Seedance')!.message).toContain('404');
	});

	it('Simplify Output off: the task as Ark showed it last (cancelled) as raw', async () => {
		const taskId = seedArkTask(sim, 'cgt-queued-raw', { queuedMs: HOUR, jobMs: 2 * HOUR });
		const run = await remove(taskId, { simplify: false });
		expect(run.items[0].json.raw).toMatchObject({ id: taskId, status: 'cancelled' });
	});

	it('reads the task before and after the one DELETE (free): GET, DELETE, GET', async () => {
		const taskId = seedArkTask(sim, 'cgt-queued-count', { queuedMs: HOUR, jobMs: 2 * HOUR });
		await remove(taskId);
		expect(sim.gatewayRequests('ark').map((request) => request.method)).toEqual(['GET', 'DELETE', 'GET']);
	});
});

describe('Delete refused: the error says why and what to do', () => {
	it('a running task: it is running, wait until it finishes, then delete it', async () => {
		const taskId = seedArkTask(sim, 'cgt-running', { startedMsAgo: 1000, queuedMs: 0, jobMs: HOUR });
		const run = await remove(taskId);
		expect(run.status).toBe('error');
		const error = described(run)!;
		expect(error.message).toBe(`Task ${taskId} is running on Ark, and a running task cannot be cancelled or deleted`);
		expect(error.description).toBe(
			'Wait until it has finished (the Wait operation waits for it), then delete it. Only a queued task can be cancelled; a cancelled task cannot be deleted, Ark removes a cancelled task 24 hours after it was cancelled.',
		);
		expect(visibleText(run)).not.toContain("Check the node's parameters");
		expect(sim.tasks.has(taskId)).toBe(true);
	});

	it('a task read as queued that started before the DELETE arrived: the read after the refusal tells', async () => {
		const taskId = seedArkTask(sim, 'cgt-started', { startedMsAgo: 1000, queuedMs: 0, jobMs: HOUR });
		// The first read still shows it queued; by the DELETE it runs.
		sim.injectFault({ gateway: 'ark', method: 'GET', pathIncludes: taskId, status: 200, body: { id: taskId, status: 'queued' }, times: 1 });
		const run = await remove(taskId);
		expect(described(run)!.message).toBe(`Task ${taskId} is running on Ark, and a running task cannot be cancelled or deleted`);
	});

	it('an already cancelled task: nothing left to do, Ark removes it after 24 hours', async () => {
		const taskId = seedArkTask(sim, 'cgt-twice', { queuedMs: HOUR, jobMs: 2 * HOUR });
		expect((await remove(taskId)).items[0].json.action).toBe('cancelled');
		const again = await remove(taskId);
		expect(again.status).toBe('error');
		expect(described(again)!.message).toBe(`Task ${taskId} is already cancelled on Ark, and a cancelled task cannot be deleted`);
		expect(described(again)!.description).toBe(
			'Nothing is left to do: it will not run, and Ark removes a cancelled task 24 hours after it was cancelled (Get finds it until then).',
		);
	});

	it('an unknown task: the 404 is reported and nothing is sent to delete', async () => {
		const run = await remove('cgt-never-made');
		expect(described(run)!.message).toContain('404');
		expect(sim.gatewayRequests('ark').filter((request) => request.method === 'DELETE')).toHaveLength(0);
	});
});
