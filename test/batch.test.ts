import type { Simulator } from './simulator';
import { startSimulator } from './simulator';
import { runSeedance } from './seedance-run';

/** Many items at once: bounded concurrent creates, polling together, order and pairing kept. */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 50 });
});
afterAll(async () => await sim.close());
beforeEach(() => {
	sim.reset();
	sim.set({ latencyMs: 0 });
});

const prompts = (lengths: number[]) => lengths.map((ms, index) => ({ prompt: `Clip ${index} [sim:ms=${ms}]` }));

/** The largest number of create requests the gateway was serving at the same moment. */
function peakConcurrentCreates(latencyMs: number): number {
	const starts = sim.createRequests().map((request) => request.at);
	return Math.max(...starts.map((start) => starts.filter((other) => other >= start && other < start + latencyMs).length));
}

it('runs items concurrently: the batch takes about as long as its slowest job, outputs stay in item order', async () => {
	const lengths = [1500, 600, 1200, 300, 900, 1500];
	const run = await runSeedance({
		sim,
		provider: 'tokenhub',
		items: prompts(lengths),
		parameters: { operation: 'create', prompt: '={{ $json.prompt }}', options: { pollIntervalSeconds: 1, timeoutMinutes: 1, maxConcurrentCreates: 6 } },
	});
	expect(run.status).toBe('success');
	expect(run.items.map((item) => item.pairedItem)).toEqual(lengths.map((_, item) => ({ item })));
	run.items.forEach((item, index) => {
		expect(sim.tasks.get(item.json.taskId as string)?.body.prompt).toBe(`Clip ${index} [sim:ms=${lengths[index]}]`);
		expect(item.binary?.data).toBeDefined();
	});
	// Together, not one after another: every task was created before the first one finished.
	const tasks = [...sim.tasks.values()];
	const firstDone = Math.min(...tasks.map((task) => task.createdAt + task.jobMs));
	expect(Math.max(...tasks.map((task) => task.createdAt))).toBeLessThan(firstDone);
});

it('never sends more creates at once than Max Tasks Created at Once', async () => {
	sim.set({ latencyMs: 300 });
	const run = await runSeedance({
		sim,
		provider: 'aihubmix',
		items: prompts([200, 200, 200, 200, 200, 200, 200]),
		parameters: { operation: 'create', prompt: '={{ $json.prompt }}', waitForCompletion: false, options: { maxConcurrentCreates: 2 } },
	});
	expect(run.items).toHaveLength(7);
	expect(sim.createRequests('aihubmix')).toHaveLength(7);
	expect(peakConcurrentCreates(300)).toBe(2);
});

it('polls adaptively: a job is seen done soon after it ends, with few status checks', async () => {
	const run = await runSeedance({
		sim,
		provider: 'tokenhub',
		items: prompts([3000]),
		parameters: { operation: 'create', prompt: '={{ $json.prompt }}', options: { pollIntervalSeconds: 1, timeoutMinutes: 1, downloadVideo: false } },
	});
	const task = sim.tasks.get(run.items[0].json.taskId as string)!;
	expect(run.items[0].json.status).toBe('succeeded');
	// at most job time / interval + 2 (the bench measures how soon the end is seen)
	expect(task.pollCount).toBeLessThanOrEqual(3 + 2);
});

it('honours Retry-After on a 429 at create, and creates the task once', async () => {
	sim.injectFault({ gateway: 'tokenhub', method: 'POST', status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'Too many requests' } } });
	const run = await runSeedance({
		sim,
		provider: 'tokenhub',
		parameters: { operation: 'create', prompt: 'Patience', waitForCompletion: false },
	});
	expect(run.status).toBe('success');
	const attempts = sim.createRequests('tokenhub');
	expect(attempts).toHaveLength(2);
	expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(950);
	expect(sim.tasks.size).toBe(1);
});

it('without Continue On Fail, one bad item in a batch means no request at all', async () => {
	const run = await runSeedance({
		sim,
		provider: 'tokenhub',
		items: [{ prompt: 'Fine' }, { prompt: 'Fine too' }, { prompt: '' }],
		parameters: { operation: 'create', prompt: '={{ $json.prompt }}' },
	});
	expect(run.status).toBe('error');
	expect(run.nodeError('Seedance')!.message).toContain('Item 2 cannot be sent');
	expect(sim.requests).toHaveLength(0);
});

it('without Continue On Fail, a failed task stops the batch at once and names the other tasks', async () => {
	const run = await runSeedance({
		sim,
		provider: 'aihubmix',
		items: [{ prompt: 'Long [sim:ms=30000]' }, { prompt: 'Bad [sim:fail][sim:ms=300]' }],
		parameters: { operation: 'create', prompt: '={{ $json.prompt }}', options: { pollIntervalSeconds: 1, timeoutMinutes: 1 } },
	});
	expect(run.status).toBe('error');
	const error = run.nodeError('Seedance') as Error & { description?: string };
	expect(error.message).toContain('failed');
	const longTask = [...sim.tasks.values()].find((task) => String(task.body.prompt).startsWith('Long'))!;
	expect(error.description).toContain(`item 0: ${longTask.id}`);
	// It stopped waiting for the long task instead of polling it for 30 s.
	expect(longTask.pollCount).toBeLessThanOrEqual(3);
});

it('Wait on many task ids polls them together', async () => {
	const created = await runSeedance({
		sim,
		provider: 'tokenhub',
		items: prompts([1200, 1200, 1200, 1200]),
		parameters: { operation: 'create', prompt: '={{ $json.prompt }}', waitForCompletion: false },
	});
	const waited = await runSeedance({
		sim,
		provider: 'tokenhub',
		items: created.items.map((item) => ({ id: item.json.taskId })),
		parameters: { operation: 'wait', taskId: '={{ $json.id }}', options: { pollIntervalSeconds: 1, timeoutMinutes: 1, downloadVideo: false } },
	});
	expect(waited.items.map((item) => item.json.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
	expect(waited.items.map((item) => item.json.taskId)).toEqual(created.items.map((item) => item.json.taskId));
	// Each task was first checked before any of them finished: polled together, not in turn.
	const tasks = created.items.map((item) => sim.tasks.get(item.json.taskId as string)!);
	const firstDone = Math.min(...tasks.map((task) => task.createdAt + task.jobMs));
	for (const task of tasks) {
		const firstCheck = Math.min(...sim.gatewayRequests('tokenhub').filter((request) => request.method === 'GET' && request.path.includes(task.id)).map((request) => request.at));
		expect(firstCheck).toBeLessThan(firstDone);
	}
});
