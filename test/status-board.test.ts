import { arkGateway } from '../nodes/Seedance/gateways/ark';
import { logLines } from './harness';
import type { RecordedRequest, Simulator } from './simulator';
import { startSimulator } from './simulator';
import { runSeedance } from './seedance-run';

/**
 * Issue 18, point 1: on Ark, whose task list takes task IDs as a filter, the waiting tasks of a
 * run are checked together, one list request per group of IDs per interval, instead of one GET
 * per task. What a user sees (status changes in the log, Still Running, timeouts, downloads,
 * failed tasks) must be the same both ways, so those tests run with the list and with single GETs.
 */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 100, jobMs: 1_500 });
});
afterAll(async () => {
	arkGateway.listsByTaskIds = true;
	await sim.close();
});
beforeEach(() => {
	sim.reset();
	logLines.length = 0;
});

const isList = (request: RecordedRequest) => request.method === 'GET' && request.path.includes('filter.task_ids');
const isSingleGet = (request: RecordedRequest) => request.method === 'GET' && /\/contents\/generations\/tasks\/[^/?]+$/.test(request.path.split('?')[0]);
const statusRequests = () => sim.gatewayRequests('ark').filter((request) => isList(request) || isSingleGet(request));

function createBatch(prompts: string[], options: Record<string, unknown> = {}) {
	return runSeedance({
		sim,
		provider: 'ark',
		items: prompts.map((prompt) => ({ prompt })),
		parameters: {
			operation: 'create',
			prompt: '={{ $json.prompt }}',
			options: { pollIntervalSeconds: 1, timeoutMinutes: 0.5, maxConcurrentCreates: 50, ...options },
		},
	});
}

describe('checking a batch with the list', () => {
	it('30 waiting tasks: every status comes from list requests, one per tick, and every video is delivered', async () => {
		const prompts = Array.from({ length: 30 }, (_, index) => `Clip ${index} [sim:ms=${1_500 + (index % 5) * 300}]`);
		const run = await createBatch(prompts);
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(30);
		expect(run.items.every((item) => item.json.status === 'succeeded' && item.binary?.data)).toBe(true);
		const requests = statusRequests();
		expect(requests.filter(isSingleGet)).toHaveLength(0);
		// Jobs of at most 2.7 s at a 1 s interval: a handful of ticks, not 30 tasks × several checks.
		expect(requests.filter(isList).length).toBeLessThanOrEqual(8);
		expect(requests.filter(isList).every((request) => request.path.length < 4_096)).toBe(true);
	});

	it('the same batch with single GETs costs one request per task per check', async () => {
		arkGateway.listsByTaskIds = false;
		try {
			const prompts = Array.from({ length: 30 }, (_, index) => `Clip ${index} [sim:ms=${1_500 + (index % 5) * 300}]`);
			const run = await createBatch(prompts);
			expect(run.status).toBe('success');
			expect(statusRequests().filter(isList)).toHaveLength(0);
			expect(statusRequests().filter(isSingleGet).length).toBeGreaterThanOrEqual(60);
		} finally {
			arkGateway.listsByTaskIds = true;
		}
	});

	it('150 tasks of one tick are split into list requests that each stay under 4 KB of URL', async () => {
		const run = await runSeedance({
			sim,
			provider: 'ark',
			items: Array.from({ length: 150 }, (_, index) => ({ prompt: `Batch ${index} [sim:ms=1200]` })),
			parameters: { operation: 'create', prompt: '={{ $json.prompt }}', options: { pollIntervalSeconds: 1, timeoutMinutes: 0.5, maxConcurrentCreates: 50, downloadVideo: false } },
		});
		expect(run.status).toBe('success');
		expect(run.items.every((item) => item.json.status === 'succeeded')).toBe(true);
		const lists = statusRequests().filter(isList);
		expect(lists.every((request) => request.path.length < 4_096)).toBe(true);
		expect(Math.max(...lists.map((request) => new URL(request.path, 'http://x').searchParams.getAll('filter.task_ids').length))).toBeGreaterThan(50);
		expect(statusRequests().filter(isSingleGet)).toHaveLength(0);
	});

	it('a list request that fails falls back to each task’s own GET: nothing is lost or failed', async () => {
		sim.injectFault({ gateway: 'ark', method: 'GET', pathIncludes: 'filter.task_ids', status: 503, body: 'list down', times: 1_000 });
		const run = await createBatch(['One [sim:ms=1200]', 'Two [sim:ms=1200]', 'Three [sim:ms=1200]']);
		expect(run.status).toBe('success');
		expect(run.items.map((item) => item.json.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
		expect(statusRequests().filter(isSingleGet).length).toBeGreaterThanOrEqual(3);
	});

	it('a list that leaves a task out: that task is checked with its own GET', async () => {
		sim.injectFault({ gateway: 'ark', method: 'GET', pathIncludes: 'filter.task_ids', status: 200, body: { items: [], total: 0 }, times: 1_000 });
		const run = await createBatch(['Missing one [sim:ms=1200]', 'Missing two [sim:ms=1200]']);
		expect(run.status).toBe('success');
		expect(run.items.map((item) => item.json.status)).toEqual(['succeeded', 'succeeded']);
	});
});

describe.each([
	['with the list', true],
	['with single GETs', false],
])('the same behaviour %s', (_name, listsByTaskIds) => {
	beforeAll(() => {
		arkGateway.listsByTaskIds = listsByTaskIds;
	});
	afterAll(() => {
		arkGateway.listsByTaskIds = true;
	});

	it('status changes are logged once each, and a failed task is an error with Ark’s advice', async () => {
		const run = await createBatch(['Fine [sim:ms=1200]', 'Doomed [sim:fail] [sim:ms=1200]'], {});
		expect(run.status).toBe('error');
		const failed = [...sim.tasks.values()].find((task) => task.prompt.startsWith('Doomed'))!;
		expect(run.nodeError('Seedance')!.message).toContain(`Seedance task ${failed.id} failed on Ark`);
		for (const task of sim.tasks.values()) {
			const running = logLines.filter((line) => line.level === 'info' && line.message.startsWith(`Seedance task ${task.id} is running`));
			expect(running.length).toBeLessThanOrEqual(1);
		}
	});

	it('Wait with a Still Running output routes an unfinished task at its timeout, and a finished one to Done with its video', async () => {
		const created = await runSeedance({
			sim,
			provider: 'ark',
			items: [{ prompt: 'Quick [sim:ms=600]' }, { prompt: 'Slow [sim:ms=60000]' }],
			parameters: { operation: 'create', prompt: '={{ $json.prompt }}', waitForCompletion: false },
		});
		const run = await runSeedance({
			sim,
			provider: 'ark',
			items: created.items.map((item) => ({ taskId: item.json.taskId })),
			parameters: { operation: 'wait', taskId: '={{ $json.taskId }}', stillRunningOutput: true, options: { pollIntervalSeconds: 1, timeoutMinutes: 0.05 } },
		});
		expect(run.status).toBe('success');
		expect(run.output('Seedance', 0).map((item) => item.json.status)).toEqual(['succeeded']);
		expect(run.output('Seedance', 0)[0].binary?.data).toBeDefined();
		expect(run.output('Seedance', 1).map((item) => item.json)).toEqual([expect.objectContaining({ timedOut: true, status: expect.stringMatching(/queued|running/) })]);
	});

	it('On Timeout "Fail" names the task still running', async () => {
		const run = await createBatch(['Very slow [sim:ms=60000]'], { timeoutMinutes: 0.04 });
		expect(run.status).toBe('error');
		const [task] = [...sim.tasks.values()];
		expect(run.nodeError('Seedance')!.message).toContain(`Task ${task.id} is not finished`);
	});
});
