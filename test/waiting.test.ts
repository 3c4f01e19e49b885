/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import type { Simulator } from './simulator';
import { startSimulator } from './simulator';
import { runSeedance } from './seedance-run';

/** Waiting inside the execution: timeouts both ways, cancellation, riding out gateway blips. */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 20, jobMs: 300 });
});
afterAll(async () => await sim.close());
beforeEach(() => sim.reset());

const SHORT_TIMEOUT = { pollIntervalSeconds: 1, timeoutMinutes: 0.01 }; // 0.6 s

describe.each(['tokenhub', 'aihubmix'] as const)('%s', (provider) => {
	it('timeout set to Fail: an error naming the task and its last status', async () => {
		const run = await runSeedance({
			sim,
			provider,
			parameters: { operation: 'create', prompt: 'A long one [sim:ms=60000]', options: SHORT_TIMEOUT },
		});
		expect(run.status).toBe('error');
		const taskId = [...sim.tasks.keys()][0];
		const error = run.nodeError('Seedance') as Error & { description?: string };
		expect(error.message).toContain(`Task ${taskId} is not finished`);
		expect(error.message).toContain('running');
		expect(error.description).toContain('Wait operation');
	});

	it('timeout set to Output the Task: an item with timedOut, which a later Wait picks up', async () => {
		const run = await runSeedance({
			sim,
			provider,
			parameters: {
				operation: 'create',
				prompt: 'Takes a while [sim:ms=1500]',
				options: { ...SHORT_TIMEOUT, onTimeout: 'output' },
			},
		});
		expect(run.status).toBe('success');
		const [item] = run.items;
		expect(item.json).toMatchObject({ timedOut: true, status: 'running' });
		expect(item.binary).toBeUndefined();

		const later = await runSeedance({
			sim,
			provider,
			parameters: { operation: 'wait', taskId: item.json.taskId as string, options: { pollIntervalSeconds: 1, timeoutMinutes: 1 } },
		});
		expect(later.items[0].json).toMatchObject({ taskId: item.json.taskId, status: 'succeeded', timedOut: false });
		expect(later.items[0].binary?.data).toBeDefined();
		expect(sim.createRequests(provider)).toHaveLength(1);
	});

	it('cancelling the execution stops the wait at once and stops polling', async () => {
		const run = await runSeedance({
			sim,
			provider,
			cancelAfterMs: 700,
			parameters: { operation: 'create', prompt: 'Never mind [sim:ms=60000]', options: { pollIntervalSeconds: 10, timeoutMinutes: 5 } },
		});
		expect(run.status).toBe('canceled');
		expect(String(run.nodeError('Seedance')?.message)).toContain(`task ${[...sim.tasks.keys()][0]}`);
		const checks = sim.gatewayRequests(provider).length;
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		expect(sim.gatewayRequests(provider).length).toBe(checks);
	});

	it('a 503 and a dropped connection while waiting are ridden out; the task still completes', async () => {
		const taskPath = provider === 'tokenhub' ? '/videos/generations/' : '/videos/';
		sim.injectFault({ gateway: provider, method: 'GET', pathIncludes: taskPath, status: 503, body: { error: { message: 'busy' } } });
		sim.injectFault({ gateway: provider, method: 'GET', pathIncludes: taskPath, reset: true });
		const run = await runSeedance({
			sim,
			provider,
			parameters: { operation: 'create', prompt: 'Steady', options: { pollIntervalSeconds: 1, timeoutMinutes: 1 } },
		});
		expect(run.status).toBe('success');
		expect(run.items[0].json.status).toBe('succeeded');
		expect(sim.createRequests(provider)).toHaveLength(1);
	});

	it('an unknown status word or malformed JSON keeps the wait going, and the task id stays the one created', async () => {
		const taskPath = provider === 'tokenhub' ? '/videos/generations/' : '/videos/';
		sim.injectFault({ gateway: provider, method: 'GET', pathIncludes: taskPath, status: 200, body: { id: 'someone-else', status: 'rendering_frames' } });
		sim.injectFault({ gateway: provider, method: 'GET', pathIncludes: taskPath, malformedJson: true });
		const run = await runSeedance({
			sim,
			provider,
			parameters: { operation: 'create', prompt: 'Odd answers', options: { pollIntervalSeconds: 1, timeoutMinutes: 1 } },
		});
		expect(run.status).toBe('success');
		expect(run.items[0].json).toMatchObject({ taskId: [...sim.tasks.keys()][0], status: 'succeeded' });
	});

	it('a gateway that keeps failing until the timeout ends with a timeout error that keeps the task id and says why', async () => {
		sim.injectFault({ gateway: provider, method: 'GET', status: 502, times: 100 });
		const run = await runSeedance({
			sim,
			provider,
			continueOnFail: true,
			parameters: { operation: 'create', prompt: 'Unlucky', options: { pollIntervalSeconds: 1, timeoutMinutes: 0.2 } },
		});
		const [item] = run.items;
		expect(sim.tasks.has(item.json.taskId as string)).toBe(true);
		expect(String(item.json.error)).toContain(`Task ${item.json.taskId} is not finished after 0.2 minutes`);
		expect(sim.createRequests(provider)).toHaveLength(1);
	});

	it('an expired task is reported as expired, not as a success', async () => {
		const run = await runSeedance({
			sim,
			provider,
			continueOnFail: true,
			parameters: { operation: 'create', prompt: 'Too slow [sim:expire]', options: { pollIntervalSeconds: 1, timeoutMinutes: 1 } },
		});
		const [item] = run.items;
		expect(['expired', 'failed']).toContain(item.json.status);
		expect(item.json.error).toBeDefined();
		expect(item.binary).toBeUndefined();
	});

	it('an unknown task id: a clear not-found error', async () => {
		const run = await runSeedance({ sim, provider, parameters: { operation: 'get', taskId: 'does-not-exist' } });
		expect(run.status).toBe('error');
		const error = run.nodeError('Seedance') as Error & { description?: string };
		expect(error.message).toContain('404');
		expect(error.description).toContain('task ID');
	});
});

it('Create is never retried: a dropped connection on create is an error that says to check before re-running', async () => {
	sim.injectFault({ gateway: 'tokenhub', method: 'POST', reset: true });
	const run = await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'create', prompt: 'Once only' } });
	expect(run.status).toBe('error');
	const error = run.nodeError('Seedance') as Error & { description?: string };
	expect(error.message).toContain("the create request's outcome is unknown (socket hang up); the task may exist, so it was not sent again");
	expect(error.description).toContain('do not pay twice');
	expect(sim.createRequests('tokenhub')).toHaveLength(1);
});

it('a wrong key: 401 explained, nothing created', async () => {
	const run = await runSeedance({
		sim,
		provider: 'aihubmix',
		credentials: { aihubmix: { apiKey: 'sk-wrong' } },
		parameters: { operation: 'create', prompt: 'Hello' },
	});
	expect(run.status).toBe('error');
	const error = run.nodeError('Seedance') as Error & { description?: string };
	expect(error.message).toContain('401');
	expect(error.description).toContain('Check the API key');
	expect(sim.tasks.size).toBe(0);
});
