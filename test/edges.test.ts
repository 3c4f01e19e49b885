import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { Seedance } from '../nodes/Seedance/Seedance.node';
import { ITEMS_NODE_TYPE, logLines, registerNodeType, runWorkflow } from './harness';
import type { GatewayName, RecordedRequest, Simulator } from './simulator';
import { startSimulator } from './simulator';
import { credentialsFor, runSeedance } from './seedance-run';

/**
 * Promises at the edges (issue 16, points 3, 6, 8, 9, 10): what a gateway's odd answers, n8n's
 * settings and the AI Agent's tool mode must not break. Every run goes through n8n-core's
 * WorkflowExecute against the simulator.
 */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 50, jobMs: 400 });
});
afterAll(async () => await sim.close());
beforeEach(() => {
	sim.reset();
	logLines.length = 0;
});

/** Milliseconds between consecutive requests of a list (in the order the simulator got them). */
const gaps = (requests: RecordedRequest[]) => requests.slice(1).map((request, index) => request.at - requests[index].at);
const statusChecks = (provider: GatewayName) => sim.gatewayRequests(provider).filter((request) => request.method === 'GET');

describe('3. Retry-After: 0 or a past date never floods the gateway', () => {
	const pastDate = new Date(Date.now() - 3_600_000).toUTCString();

	it.each([
		['Retry-After: 0', '0'],
		['a Retry-After date in the past', pastDate],
	])('a create answered 429 with %s is sent again at most about once a second, backing off', async (_name, retryAfter) => {
		sim.injectFault({ gateway: 'tokenhub', method: 'POST', status: 429, headers: { 'Retry-After': retryAfter }, body: { error: { message: 'busy' } }, times: 10_000 });
		const run = await runSeedance({
			sim,
			provider: 'tokenhub',
			parameters: { operation: 'create', prompt: 'Rate limited', options: { pollIntervalSeconds: 1, timeoutMinutes: 0.1 } },
		});
		expect(run.status).toBe('error');
		const creates = sim.createRequests('tokenhub');
		// 6 s of timeout: tries at 0, 1, 3 s (backoff 1, 2, 4 s); today's code sent about 300 a second.
		expect(creates.length).toBeGreaterThanOrEqual(2);
		expect(creates.length).toBeLessThanOrEqual(4);
		for (const gap of gaps(creates)) expect(gap).toBeGreaterThanOrEqual(950);
		expect(sim.tasks.size).toBe(0);
		expect((run.nodeError('Seedance') as Error & { description?: string }).description).toContain('Nothing was charged');
	});

	it('status checks answered 503 with Retry-After: 0 are spaced at least a second apart, and the wait ends at its deadline', async () => {
		const created = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Slow [sim:ms=60000]', waitForCompletion: false } });
		const taskId = created.items[0].json.taskId as string;
		sim.injectFault({ gateway: 'aihubmix', method: 'GET', status: 503, headers: { 'Retry-After': '0' }, body: 'busy', times: 10_000 });
		const before = statusChecks('aihubmix').length;
		const run = await runSeedance({
			sim,
			provider: 'aihubmix',
			parameters: { operation: 'wait', taskId, options: { pollIntervalSeconds: 1, timeoutMinutes: 0.1, onTimeout: 'output' } },
		});
		const checks = statusChecks('aihubmix').slice(before);
		expect(checks.length).toBeLessThanOrEqual(5);
		for (const gap of gaps(checks)) expect(gap).toBeGreaterThanOrEqual(950);
		expect(run.status).toBe('success');
		expect(run.items[0].json).toMatchObject({ taskId, timedOut: true });
	});
});

describe('8. A status fault near the deadline is a timeout, not an error', () => {
	async function slowTask(provider: GatewayName) {
		const created = await runSeedance({ sim, provider, parameters: { operation: 'create', prompt: 'Slow [sim:ms=60000]', waitForCompletion: false } });
		return created.items[0].json.taskId as string;
	}

	it.each<GatewayName>(['tokenhub', 'ark'])('%s: On Timeout "Output the Task" outputs the task with its last known status when 503s fill the last seconds', async (provider) => {
		const taskId = await slowTask(provider);
		// The first checks see the task running; then every check fails until the deadline.
		const run = runSeedance({
			sim,
			provider,
			parameters: { operation: 'wait', taskId, options: { pollIntervalSeconds: 1, timeoutMinutes: 0.08, onTimeout: 'output' } },
		});
		await sleep(2_000);
		sim.injectFault({ gateway: provider, method: 'GET', status: 503, body: 'down', times: 10_000 });
		const done = await run;
		expect(done.status).toBe('success');
		expect(done.items[0].json).toMatchObject({ taskId, timedOut: true, status: expect.stringMatching(/queued|running/) });
	});

	it('Wait with a "Still Running" output: the task leaves by Still Running, not as an error', async () => {
		const taskId = await slowTask('tokenhub');
		sim.injectFault({ gateway: 'tokenhub', method: 'GET', status: 503, body: 'down', times: 10_000 });
		const run = await runSeedance({
			sim,
			provider: 'tokenhub',
			parameters: { operation: 'wait', taskId, stillRunningOutput: true, options: { pollIntervalSeconds: 1, timeoutMinutes: 0.05 } },
		});
		expect(run.status).toBe('success');
		// No status was ever read: the task goes on with what is known, its ID.
		expect(run.output('Seedance', 1).map((item) => item.json)).toEqual([expect.objectContaining({ taskId, timedOut: true, status: 'unknown' })]);
		expect(run.output('Seedance', 0)).toHaveLength(0);
	});

	it('On Timeout "Fail": the error names the task and says its last checks failed', async () => {
		const taskId = await slowTask('tokenhub');
		sim.injectFault({ gateway: 'tokenhub', method: 'GET', status: 503, body: 'down', times: 10_000 });
		const run = await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'wait', taskId, options: { pollIntervalSeconds: 1, timeoutMinutes: 0.05 } } });
		expect(run.status).toBe('error');
		const error = run.nodeError('Seedance') as Error & { description?: string };
		expect(error.message).toContain(taskId);
		expect(error.description).toContain('Its last status checks failed (TokenHub answered 503)');
	});
});

describe('9. Wait with a "Still Running" output sends failed tasks to Done', () => {
	it('a failed task and its succeeded sibling both leave by Done; nothing is thrown', async () => {
		const created = await runSeedance({
			sim,
			provider: 'tokenhub',
			items: [{ prompt: 'Fine [sim:ms=300]' }, { prompt: 'Doomed [sim:fail] [sim:ms=300]' }],
			parameters: { operation: 'create', prompt: '={{ $json.prompt }}', waitForCompletion: false },
		});
		const run = await runSeedance({
			sim,
			provider: 'tokenhub',
			items: created.items.map((item) => ({ taskId: item.json.taskId })),
			parameters: { operation: 'wait', taskId: '={{ $json.taskId }}', stillRunningOutput: true, options: { pollIntervalSeconds: 1, timeoutMinutes: 0.5 } },
		});
		expect(run.status).toBe('success');
		const done = run.output('Seedance', 0).map((item) => item.json);
		expect(done).toEqual([expect.objectContaining({ status: 'succeeded' }), expect.objectContaining({ status: 'failed', errorCode: expect.anything() })]);
		expect(run.output('Seedance', 0)[0].binary?.data).toBeDefined();
		expect(run.output('Seedance', 1)).toHaveLength(0);
	});
});

describe('6. A stopped run names every item that may have a paid task', () => {
	it('item 0 refused with a 400, items 1 and 2 sent but their answers lost: the error names items 1 and 2 and where to find them', async () => {
		sim.injectFault({ gateway: 'tokenhub', method: 'POST', bodyIncludes: 'Refused clip', status: 400, body: { error: { message: 'bad prompt', code: 'invalid_request' } } });
		sim.injectFault({ gateway: 'tokenhub', method: 'POST', bodyIncludes: 'Lost clip', lostResponse: true, times: 2 });
		// The refused create answers after the lost ones were sent: all three are on the wire at once.
		sim.set({ latencyMs: 300 });
		const run = await runSeedance({
			sim,
			provider: 'tokenhub',
			items: [{ prompt: 'Refused clip' }, { prompt: 'Lost clip one' }, { prompt: 'Lost clip two' }],
			parameters: { operation: 'create', prompt: '={{ $json.prompt }}', options: { pollIntervalSeconds: 1, timeoutMinutes: 0.5 } },
		});
		sim.set({ latencyMs: 0 });
		expect(run.status).toBe('error');
		expect(sim.tasks.size).toBe(2);
		const error = run.nodeError('Seedance') as Error & { description?: string };
		expect(error.message).toContain('TokenHub answered 400');
		expect(error.description).toContain('No task was created, so nothing was charged');
		expect(error.description).toMatch(/The create requests of items 1, 2 had an unknown outcome .*so their tasks may exist and be paid for\. Find them in your TokenHub console/s);
		const warning = logLines.find((line) => line.level === 'warn' && line.message.startsWith('Seedance run stopped at item 0'));
		expect(warning?.message).toContain('items 1, 2');
	});

	it('on Ark, a gateway with a task list, the error says to find them with Get Many', async () => {
		sim.injectFault({ gateway: 'ark', method: 'POST', bodyIncludes: 'Refused clip', status: 400, body: { error: { message: 'bad', code: 'InvalidParameter' } } });
		sim.injectFault({ gateway: 'ark', method: 'POST', bodyIncludes: 'Lost clip', lostResponse: true });
		sim.set({ latencyMs: 300 });
		const run = await runSeedance({
			sim,
			provider: 'ark',
			items: [{ prompt: 'Refused clip' }, { prompt: 'Lost clip' }],
			parameters: { operation: 'create', prompt: '={{ $json.prompt }}', options: { pollIntervalSeconds: 1, timeoutMinutes: 0.5 } },
		});
		sim.set({ latencyMs: 0 });
		expect(run.status).toBe('error');
		expect((run.nodeError('Seedance') as Error & { description?: string }).description).toMatch(
			/The create requests of item 1 had an unknown outcome .*Find them with this node's Get Many operation/s,
		);
	});
});

describe('10. As an AI Agent tool: one output, and costs in any currency', () => {
	const TOOL_TYPE = 'n8n-nodes-seedance.seedanceTool';
	registerNodeType(TOOL_TYPE, new Seedance());

	async function runTool(provider: GatewayName, parameters: IDataObject, credentials = {}) {
		const run = await runWorkflow({
			nodes: [
				{ name: 'Start', type: ITEMS_NODE_TYPE, parameters: { items: '[{}]' } },
				{ name: 'Seedance Tool', type: TOOL_TYPE, parameters: { provider, ...parameters } },
			],
			connections: { Start: { main: [[{ node: 'Seedance Tool', type: 'main', index: 0 }]] } },
			credentials: credentialsFor(sim, credentials),
		});
		return Object.assign(run, { items: run.output('Seedance Tool') });
	}

	it.each(['get', 'wait'])('%s with "Still Running" on: a running task is in the first output, the one the agent reads', async (operation) => {
		const created = await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'create', prompt: 'Slow [sim:ms=60000]', waitForCompletion: false } });
		const taskId = created.items[0].json.taskId as string;
		const run = await runTool('tokenhub', { operation, taskId, stillRunningOutput: true, options: { pollIntervalSeconds: 1, timeoutMinutes: 0.03 } });
		expect(run.status).toBe('success');
		expect(run.items.map((item) => item.json)).toEqual([expect.objectContaining({ taskId, status: expect.stringMatching(/queued|running/) })]);
		expect(run.output('Seedance Tool', 1)).toHaveLength(0);
	});

	it('a Volcengine estimate (CNY) reaches the tool answer and the log line as an amount and its currency', async () => {
		const run = await runTool(
			'ark',
			{ operation: 'create', prompt: 'A lantern festival', model: 'doubao-seedance-2-0-260128', waitForCompletion: false },
			{ ark: { region: 'custom', baseUrl: sim.arkBaseUrl, priceRegion: 'volcengine' } },
		);
		expect(run.status).toBe('success');
		const answer = run.items[0].json;
		expect(answer).toMatchObject({ costCurrency: 'CNY', estimatedCost: expect.any(Number) });
		expect(answer.estimatedCostUsd).toBeUndefined();
		const created = logLines.find((line) => line.message.includes('created on Ark'));
		expect(created?.message).toContain(`estimated cost ¥${(answer.estimatedCost as number).toFixed(2)}`);
	});

	it('a BytePlus estimate (USD) keeps estimatedCostUsd beside the amount and its currency', async () => {
		const run = await runTool('ark', { operation: 'create', prompt: 'A lantern festival', waitForCompletion: false });
		expect(run.items[0].json).toMatchObject({ costCurrency: 'USD', estimatedCost: expect.any(Number) });
		expect(run.items[0].json.estimatedCostUsd).toBe(run.items[0].json.estimatedCost);
	});
});
