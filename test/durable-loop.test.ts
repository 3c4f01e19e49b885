import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes, sleep } from 'n8n-workflow';

import { ITEMS_NODE_TYPE, registerNodeType, runWorkflow } from './harness';
import type { Simulator } from './simulator';
import { startSimulator } from './simulator';
import { credentialsFor, FAST_OPTIONS, runSeedance, SEEDANCE_TYPE } from './seedance-run';

/**
 * The durable wait loop (issue 10): Create without waiting → a pause → Get, whose unfinished
 * tasks leave by a second output, "Still Running", back to the pause. In real n8n the pause is
 * the Wait node, which keeps the execution in the database; here it is a short in-process pause,
 * so the loop's wiring and the node's two outputs run in WorkflowExecute.
 */

const PAUSE_TYPE = 'n8n-nodes-harness.pause';
const pause: INodeType = {
	description: {
		displayName: 'Pause',
		name: 'pause',
		group: ['transform'],
		version: 1,
		description: 'Passes items on after a short pause, like a Wait node',
		defaults: { name: 'Pause' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		await sleep(300);
		return [this.getInputData()];
	},
};
registerNodeType(PAUSE_TYPE, pause);

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 100 });
});
afterAll(async () => await sim.close());
beforeEach(() => sim.reset());

describe('Get and Wait with a "Still Running" output', () => {
	it('Get: an unfinished task leaves by the second output, a finished one by the first', async () => {
		const created = await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'create', prompt: 'Loop [sim:ms=1500]', waitForCompletion: false } });
		const taskId = created.items[0].json.taskId as string;
		const early = await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'get', taskId, stillRunningOutput: true } });
		expect(early.status).toBe('success');
		expect(early.output('Seedance', 0)).toHaveLength(0);
		expect(early.output('Seedance', 1).map((item) => item.json)).toEqual([expect.objectContaining({ taskId, status: expect.stringMatching(/queued|running/) })]);

		await sleep(1600);
		const late = await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'get', taskId, stillRunningOutput: true } });
		expect(late.output('Seedance', 1)).toHaveLength(0);
		expect(late.output('Seedance', 0)[0].json).toMatchObject({ taskId, status: 'succeeded' });
		expect(late.output('Seedance', 0)[0].binary?.data).toBeDefined();
	});

	it('Wait: a task still running at the timeout is routed, not thrown', async () => {
		const created = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Slow [sim:ms=20000]', waitForCompletion: false } });
		const taskId = created.items[0].json.taskId as string;
		const run = await runSeedance({
			sim,
			provider: 'aihubmix',
			parameters: { operation: 'wait', taskId, stillRunningOutput: true, options: { pollIntervalSeconds: 1, timeoutMinutes: 0.02 } },
		});
		expect(run.status).toBe('success');
		expect(run.output('Seedance', 1)[0].json).toMatchObject({ taskId, timedOut: true });
	});

	it('a failed task is finished: it leaves by the first output', async () => {
		const created = await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'create', prompt: 'Doomed [sim:fail] [sim:ms=200]', waitForCompletion: false } });
		await sleep(400);
		const run = await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'get', taskId: created.items[0].json.taskId as string, stillRunningOutput: true } });
		expect(run.output('Seedance', 0)[0].json).toMatchObject({ status: 'failed' });
	});

	it('the whole loop: one create per item, every video downloaded, unfinished tasks looping back', async () => {
		const lengths = [600, 1800, 1200];
		const run = await runWorkflow({
			nodes: [
				{ name: 'Start', type: ITEMS_NODE_TYPE, parameters: { items: JSON.stringify(lengths.map((ms, index) => ({ prompt: `Clip ${index} [sim:ms=${ms}]` }))) } },
				{ name: 'Start Video', type: SEEDANCE_TYPE, parameters: { provider: 'aihubmix', operation: 'create', prompt: '={{ $json.prompt }}', waitForCompletion: false } },
				{ name: 'Wait', type: PAUSE_TYPE, parameters: {} },
				{ name: 'Check Video', type: SEEDANCE_TYPE, parameters: { provider: 'aihubmix', operation: 'get', taskId: '={{ $json.taskId }}', stillRunningOutput: true, options: FAST_OPTIONS } },
			],
			connections: {
				Start: { main: [[{ node: 'Start Video', type: 'main', index: 0 }]] },
				'Start Video': { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
				Wait: { main: [[{ node: 'Check Video', type: 'main', index: 0 }]] },
				'Check Video': { main: [[], [{ node: 'Wait', type: 'main', index: 0 }]] },
			},
			credentials: credentialsFor(sim),
		});
		expect(run.status).toBe('success');
		expect(sim.createRequests()).toHaveLength(3);
		const checks = run.run.data.resultData.runData['Check Video'];
		expect(checks.length).toBeGreaterThan(1);
		const done = checks.flatMap((task) => task.data?.main?.[0] ?? []);
		expect(done.map((item) => item.json.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
		expect(new Set(done.map((item) => item.json.taskId))).toEqual(new Set(sim.tasks.keys()));
		expect(done.every((item) => item.binary?.data)).toBe(true);
	});
});
