import type { IDataObject } from 'n8n-workflow';

import type { Simulator } from './simulator';
import { startSimulator } from './simulator';
import { runSeedance } from './seedance-run';

/**
 * Big batches against a gateway's queue cap (issue 10): creates wait while the queue is full and
 * go on as tasks finish; a refusal for the account's balance stops further creates at once.
 */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 50 });
});
afterAll(async () => await sim.close());
beforeEach(() => {
	sim.reset();
	sim.set({ queueCap: 0, balanceTasks: -1, jobMs: 150 });
});

const promptOf = (body: unknown) => (body as IDataObject).prompt as string;

it.each(['tokenhub', 'aihubmix'] as const)('%s: 12 items against a cap of 3 all complete, each created once', async (provider) => {
	sim.set({ queueCap: 3 });
	const run = await runSeedance({
		sim,
		provider,
		items: Array.from({ length: 12 }, (_, index) => ({ prompt: `Clip ${index} [sim:ms=500]` })),
		parameters: {
			operation: 'create',
			prompt: '={{ $json.prompt }}',
			options: { pollIntervalSeconds: 1, timeoutMinutes: 2, maxConcurrentCreates: 5, downloadVideo: false },
		},
	});
	expect(run.status).toBe('success');
	expect(run.items.map((item) => item.json.status)).toEqual(Array(12).fill('succeeded'));
	// One task per item, though the gateway said "too many" along the way.
	expect(sim.tasks.size).toBe(12);
	expect(new Set([...sim.tasks.values()].map((task) => promptOf(task.body))).size).toBe(12);
	expect(sim.createRequests(provider).length).toBeGreaterThan(12);
	// Never more than the cap at once on the gateway.
	const tasks = [...sim.tasks.values()];
	const overlap = Math.max(...tasks.map((task) => tasks.filter((other) => other.createdAt <= task.createdAt && other.createdAt + other.jobMs > task.createdAt).length));
	expect(overlap).toBeLessThanOrEqual(3);
});

it('a full queue that does not drain before the item timeout: refused, nothing charged', async () => {
	sim.set({ queueCap: 1 });
	await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'create', prompt: 'Someone else [sim:ms=20000]', waitForCompletion: false } });
	const run = await runSeedance({
		sim,
		provider: 'tokenhub',
		parameters: { operation: 'create', prompt: 'Mine', options: { pollIntervalSeconds: 1, timeoutMinutes: 0.1 } },
	});
	expect(run.status).toBe('error');
	expect((run.nodeError('Seedance') as Error & { description?: string }).description).toContain("did not take the request before the item's timeout");
	expect([...sim.tasks.values()].filter((task) => task.body.prompt === 'Mine')).toHaveLength(0);
});

describe('no balance left (AIHubMix 403 insufficient_user_quota)', () => {
	it('with Continue On Fail: tasks already paid finish, the refused item and the rest are not sent', async () => {
		sim.set({ balanceTasks: 2 });
		const run = await runSeedance({
			sim,
			provider: 'aihubmix',
			items: Array.from({ length: 5 }, (_, index) => ({ prompt: `Clip ${index}` })),
			parameters: { operation: 'create', prompt: '={{ $json.prompt }}', options: { pollIntervalSeconds: 1, maxConcurrentCreates: 1, downloadVideo: false } },
			continueOnFail: true,
		});
		expect(run.status).toBe('success');
		expect(run.items.slice(0, 2).map((item) => item.json.status)).toEqual(['succeeded', 'succeeded']);
		expect(run.items[2].json.error).toContain('AIHubMix answered 403 while creating the task: Insufficient account balance');
		expect(run.items[3].json.error).toMatch(/^Item 3 was not sent: no more tasks are created in this run: AIHubMix refused item 2 for the account's balance/);
		expect(run.items[4].json.error).toMatch(/^Item 4 was not sent/);
		expect(sim.createRequests('aihubmix')).toHaveLength(3);
		expect(sim.tasks.size).toBe(2);
	});

	it('without Continue On Fail: the error names the tasks already created', async () => {
		sim.set({ balanceTasks: 2 });
		const run = await runSeedance({
			sim,
			provider: 'aihubmix',
			items: Array.from({ length: 4 }, (_, index) => ({ prompt: `Clip ${index} [sim:ms=3000]` })),
			parameters: { operation: 'create', prompt: '={{ $json.prompt }}', options: { pollIntervalSeconds: 1, maxConcurrentCreates: 1 } },
		});
		expect(run.status).toBe('error');
		const error = run.nodeError('Seedance') as Error & { description?: string };
		expect(error.message).toContain('403');
		for (const id of sim.tasks.keys()) expect(error.description).toContain(id);
		expect(sim.createRequests('aihubmix')).toHaveLength(3);
	});
});
