import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { getModels } from '../nodes/Seedance/methods/loadOptions';
import { Seedance } from '../nodes/Seedance/Seedance.node';
import type { HarnessNode } from './harness';
import { ITEMS_NODE_TYPE, logLines, registerNodeType, runWorkflow } from './harness';
import type { GatewayName, Simulator } from './simulator';
import { startSimulator } from './simulator';
import { credentialsFor, FAST_OPTIONS, runSeedance, SEEDANCE_TYPE } from './seedance-run';
import { png } from './media-fixtures';

/**
 * How the node feels (issue 11): as an AI Agent's tool, in the editor (prices, Simplify
 * Output, a budget per run), and in the operator's logs. Runs through n8n-core's
 * WorkflowExecute; the tool runs under the type n8n gives a node wrapped as a tool.
 */

const TOOL_TYPE = 'n8n-nodes-seedance.seedanceTool';
registerNodeType(TOOL_TYPE, new Seedance());

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 100, jobMs: 600 });
});
afterAll(async () => await sim.close());
beforeEach(() => {
	sim.reset();
	logLines.length = 0;
});

async function runTool(provider: GatewayName, parameters: IDataObject) {
	const nodes: HarnessNode[] = [
		{ name: 'Start', type: ITEMS_NODE_TYPE, parameters: { items: '[{}]' } },
		{ name: 'Seedance Tool', type: TOOL_TYPE, parameters: { provider, operation: 'create', options: { pollIntervalSeconds: 1 }, ...parameters } },
	];
	const run = await runWorkflow({
		nodes,
		connections: { Start: { main: [[{ node: 'Seedance Tool', type: 'main', index: 0 }]] } },
		credentials: credentialsFor(sim),
	});
	return Object.assign(run, { items: run.output('Seedance Tool') });
}

describe('As an AI Agent tool', () => {
	it.each<GatewayName>(['tokenhub', 'aihubmix'])('%s: answers compactly, without raw or binary, under 1 KB', async (provider) => {
		const run = await runTool(provider, { prompt: 'A paper airplane over a city at sunset' });
		expect(run.status).toBe('success');
		const [item] = run.items;
		const [task] = [...sim.tasks.values()];
		expect(Object.keys(item.json).sort()).toEqual(['costCurrency', 'estimatedCost', 'estimatedCostUsd', 'status', 'taskId', 'videoDuration', 'videoUrl']);
		expect(item.json).toMatchObject({ taskId: task.id, status: 'succeeded' });
		expect(typeof item.json.estimatedCostUsd).toBe('number');
		expect(item.binary).toBeUndefined();
		expect(sim.cdnRequests()).toHaveLength(0);
		expect(Buffer.byteLength(JSON.stringify(item.json))).toBeLessThan(1024);
	});

	it('a refused input is an answer in one sentence, not a failed workflow', async () => {
		const run = await runTool('tokenhub', { prompt: 'Too long', duration: 40 });
		expect(run.status).toBe('success');
		const error = run.items[0].json.error as string;
		expect(error).toBe('Item 0 cannot be sent to TokenHub (1 problem): Duration (Seconds) must be between 4 and 15 seconds on TokenHub.');
		expect(sim.requests).toHaveLength(0);
	});

	it('a task still running when the tool gives up waiting is returned with its ID, not as an error', async () => {
		const run = await runTool('aihubmix', { prompt: 'Slow [sim:ms=60000]', options: { pollIntervalSeconds: 1, timeoutMinutes: 0.02 } });
		expect(run.status).toBe('success');
		expect(run.items[0].json).toMatchObject({ taskId: [...sim.tasks.keys()][0], status: 'running' });
		expect(run.items[0].json.error).toBeUndefined();
	});

	it('raw and the video only when the user turns them on', async () => {
		const run = await runTool('tokenhub', { prompt: 'Full', simplify: false, options: { pollIntervalSeconds: 1, downloadVideo: true } });
		expect(run.items[0].json.raw).toBeDefined();
		expect(run.items[0].binary?.data).toBeDefined();
	});

	it('tells the model what it costs, how long it takes and what to do with a running task', () => {
		// n8n runs a tool with the node's own description (an operation's action only counts for
		// nodes with a resource); the real AI Agent test shows the model receives it.
		const { description } = new Seedance().description;
		expect(description).toMatch(/costs money/);
		expect(description).toMatch(/30 seconds to over 10 minutes/);
		expect(description).toMatch(/queued or running.*taskId/);
	});
});

describe('Simplify Output', () => {
	it('on by default: the normalised fields without raw', async () => {
		const run = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Simple', waitForCompletion: false } });
		expect(run.items[0].json.raw).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ status: 'queued', provider: 'aihubmix', estimatedCostUsd: expect.any(Number) });
	});

	it('off: everything, raw included', async () => {
		const run = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Full', waitForCompletion: false, simplify: false } });
		expect(run.items[0].json.raw).toMatchObject({ status: 'queued' });
	});

	it('version 1 nodes keep their full output', async () => {
		const run = await runWorkflow({
			nodes: [
				{ name: 'Start', type: ITEMS_NODE_TYPE, parameters: {} },
				{ name: 'Seedance', type: SEEDANCE_TYPE, typeVersion: 1, parameters: { provider: 'tokenhub', operation: 'create', prompt: 'Old node', waitForCompletion: false } },
			],
			connections: { Start: { main: [[{ node: 'Seedance', type: 'main', index: 0 }]] } },
			credentials: credentialsFor(sim),
		});
		expect(run.output('Seedance')[0].json.raw).toBeDefined();
	});
});

describe('Prices where the choice is made', () => {
	const context = (provider: GatewayName) =>
		({
			getCurrentNodeParameter: () => provider,
			getCredentials: async () => (provider === 'tokenhub' ? credentialsFor(sim).tokenHubApi : credentialsFor(sim).aiHubMixApi),
			helpers: {
				httpRequestWithAuthentication: async (_type: string, options: { url: string }) => {
					const response = await fetch(options.url, { headers: { authorization: `Bearer ${provider === 'tokenhub' ? sim.tokenhubKey : sim.aihubmixKey}` } });
					return { statusCode: response.status, headers: {}, body: await response.json() };
				},
			},
		}) as unknown as ILoadOptionsFunctions;

	it('the model list shows what a second costs at each resolution; an unknown model says so', async () => {
		const tokenhub = await getModels.call(context('tokenhub'));
		expect(tokenhub.find((option) => option.value === 'doubao-seedance-2.0')?.name).toBe('doubao-seedance-2.0 · $0.12/s 480p, $0.20/s 720p');
		const aihubmix = await getModels.call(context('aihubmix'));
		expect(aihubmix.find((option) => option.value === 'doubao-seedance-1-0-pro-fast-251015')?.name).toBe('doubao-seedance-1-0-pro-fast-251015 · $0.006/s 480p, $0.012/s 720p, $0.030/s 1080p');
		expect(aihubmix.find((option) => option.value === 'doubao-seedance-2-1-preview-261001')?.name).toBe('doubao-seedance-2-1-preview-261001 · price unknown');
	});

	it('the resolution options show the price per model', () => {
		const resolution = new Seedance().description.properties.find(
			(property) => property.name === 'resolution' && property.displayOptions?.show?.provider?.includes('tokenhub'),
		)!;
		const p720 = (resolution.options as INodePropertyOptions[]).find((option) => option.value === '720p')!;
		expect(p720.description).toBe('$0.20/s on doubao-seedance-2.0, $0.16/s on doubao-seedance-2.0-fast');
	});
});

describe('Max Cost per Run', () => {
	const batch = (maxCostPerRunUsd: number, extra: IDataObject = {}) =>
		runSeedance({
			sim,
			provider: 'tokenhub',
			items: [{ duration: 5 }, { duration: 10 }, { duration: 4 }],
			parameters: {
				operation: 'create',
				prompt: 'Budget',
				model: 'doubao-seedance-2.0',
				resolution: '720p',
				duration: '={{ $json.duration }}',
				waitForCompletion: false,
				options: { maxCostPerRunUsd },
				...extra,
			},
		});

	it('a batch over the budget is refused whole before any request, with its total and largest items', async () => {
		const run = await batch(3.5);
		expect(run.status).toBe('error');
		expect(run.nodeError('Seedance')!.message).toBe(
			'Run not sent: the 3 items are estimated at $3.80 together, over Max Cost per Run ($3.50); largest: item 1 $2.00, item 0 $1.00, item 2 $0.80',
		);
		expect(sim.requests).toHaveLength(0);
	});

	it('it counts the bodies as sent: a merged duration too', async () => {
		const run = await batch(4, { additionalFields: { additionalBodyFields: '{"duration": 15}' } });
		expect(run.nodeError('Seedance')!.message).toContain('estimated at $9.00 together');
		expect(sim.requests).toHaveLength(0);
	});

	it('within the budget, every item is created, each with its estimate', async () => {
		const run = await batch(3.8);
		expect(run.status).toBe('success');
		expect(run.items.map((item) => item.json.estimatedCostUsd)).toEqual([1, 2, 0.8]);
		expect(sim.createRequests()).toHaveLength(3);
	});
});

describe('Operator logs', () => {
	const PROMPT = `A long prompt that must never reach the logs in full: ${'lorem ipsum '.repeat(30)} [sim:ms=3000]`;
	const PNG = png(400, 400).toString('base64');

	it('tells each creation, status change, download, fault ridden out and item given up; never a key, a data URL or the prompt', async () => {
		sim.injectFault({ gateway: 'aihubmix', method: 'GET', pathIncludes: '/videos/', status: 500, body: { error: { message: 'busy' } } });
		const run = await runSeedance({
			sim,
			provider: 'aihubmix',
			items: [{ prompt: PROMPT }, { prompt: 'Bad one [sim:fail]' }],
			binary: [0, 1].map((itemIndex) => ({ itemIndex, property: 'frame', base64: PNG, mimeType: 'image/png' })),
			parameters: {
				operation: 'create',
				prompt: '={{ $json.prompt }}',
				model: 'doubao-seedance-1-0-pro-250528',
				media: { items: [{ role: 'first_frame', source: 'binary', binaryProperty: 'frame' }] },
				options: FAST_OPTIONS,
			},
			continueOnFail: true,
		});
		expect(run.items[0].json.status).toBe('succeeded');
		const tasks = [...sim.tasks.values()];
		const good = tasks.find((task) => task.body.prompt === PROMPT)!;
		const bad = tasks.find((task) => task.body.prompt !== PROMPT)!;
		const info = logLines.filter((line) => line.level === 'info').map((line) => line.message);
		const seedance = logLines.filter((line) => line.message.startsWith('Seedance'));

		expect(info).toContain(`Seedance task ${good.id} created on AIHubMix (model doubao-seedance-1-0-pro-250528, estimated cost $0.22, item 0)`);
		expect(info).toContainEqual(expect.stringMatching(new RegExp(`^Seedance task ${good.id} is running \\(\\d+%\\) \\(item 0\\)$`)));
		expect(info).toContain(`Seedance task ${good.id} is succeeded (100%) (item 0)`);
		expect(info).toContainEqual(expect.stringMatching(new RegExp(`^Seedance task ${good.id}: video downloaded, ${sim.mp4.length} bytes in \\d+\\.\\d s \\(item 0\\)$`)));
		expect(info).toContainEqual(expect.stringMatching(/^Seedance task .+: status check failed \(AIHubMix answered 500\), trying again in 1 s$/));
		expect(seedance.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
			expect.stringMatching(new RegExp(`^Seedance item 1 given up: Seedance task ${bad.id} failed on AIHubMix`)),
		]);
		// Unchanged polls go at debug, not info.
		expect(seedance.some((line) => line.level === 'debug' && line.message.includes('still'))).toBe(true);

		const everything = JSON.stringify(logLines);
		expect(everything).not.toContain(sim.aihubmixKey);
		expect(everything).not.toContain('data:image');
		expect(everything).not.toContain(PNG.slice(0, 40));
		expect(everything).not.toContain(PROMPT.slice(0, 80));
	});

	it('video files get a short name; the full task ID stays in the JSON', async () => {
		const run = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Named', options: FAST_OPTIONS } });
		const taskId = run.items[0].json.taskId as string;
		expect(taskId.length).toBeGreaterThan(60);
		expect(run.items[0].binary!.data.fileName).toMatch(/^seedance-aihubmix-[0-9a-f]{12}\.mp4$/);
	});
});
