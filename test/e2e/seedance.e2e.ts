/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';

import { png } from '../media-fixtures';
import type { Simulator } from '../simulator';
import { startSimulator } from '../simulator';
import type { Item, N8n, RunResult, Workflow, WorkflowNode } from './workflows';
import { chain, itemsFrom, MANUAL_TRIGGER, output, seedance, writeFile } from './workflows';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/lib/real-n8n');

/**
 * A real n8n process (n8n execute) with this package installed from its npm pack tarball, against
 * the gateway simulator running in this test process (so its request log can be asserted).
 */

let sim: Simulator;
let n8n: N8n;
let userFolder: string;
const FIXTURE = readFileSync(join(__dirname, '..', 'simulator', 'fixtures', 'tiny.mp4'));

const workflows: Record<string, Workflow> = {};

const EXAMPLES = ['scheduled-to-google-drive', 'generate-and-post-to-slack', 'extend-with-last-frame', 'image-to-video-from-upload', 'durable-long-jobs', 'ark-recover-paid-videos'];
const ACCOUNT_NODES = ['n8n-nodes-base.googleDrive', 'n8n-nodes-base.slack'];

/**
 * An example as users import it, made runnable by `n8n execute`: triggers become a Manual
 * Trigger of the same name, Drive/Slack nodes are disabled (no account here), and the form
 * upload becomes a file read from disk into the same binary field. The durable loop's 2-minute
 * Wait becomes 2 seconds (an in-process pause; the database-held wait is proven in queue mode).
 */
function runnableExample(name: string): Workflow {
	const workflow = JSON.parse(readFileSync(join(lib.ROOT, 'examples', `${name}.json`), 'utf8')) as Workflow;
	workflow.nodes = workflow.nodes.flatMap((node): WorkflowNode[] => {
		if (ACCOUNT_NODES.includes(node.type)) return [{ ...node, disabled: true }];
		if (node.type === 'n8n-nodes-base.formTrigger') {
			return [
				{ ...MANUAL_TRIGGER, name: 'Start', id: 'e2e-start', position: [-220, 0] },
				{
					...node,
					type: 'n8n-nodes-base.readWriteFile',
					typeVersion: 1,
					parameters: { operation: 'read', fileSelector: join(userFolder, 'frame.png'), options: { dataPropertyName: 'image' } },
				},
			];
		}
		if (/Trigger$/.test(node.type)) return [{ ...node, type: MANUAL_TRIGGER.type, typeVersion: 1, parameters: {} }];
		if (node.type === 'n8n-nodes-base.wait') return [{ ...node, parameters: { amount: 2, unit: 'seconds' } }];
		if (node.type === lib.NODE_TYPE) {
			const options = { ...(node.parameters.options as object), pollIntervalSeconds: 1 };
			const prompt = String(node.parameters.prompt).includes('$json.prompt') && name.includes('upload') ? 'The picture comes alive' : node.parameters.prompt;
			return [{ ...node, parameters: { ...node.parameters, prompt, options } }];
		}
		return [node];
	});
	if (workflow.nodes.some((node) => node.name === 'Start')) {
		const reader = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.readWriteFile')!;
		workflow.connections.Start = { main: [[{ node: reader.name, type: 'main', index: 0 }]] };
	}
	return workflow;
}
function define(id: string, nodes: WorkflowNode[]) {
	workflows[id] = chain(id, nodes);
}

beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 200, jobMs: 2000 });
	({ n8n, userFolder } = lib.n8nWithPackage());
	mkdirSync(join(userFolder, 'out'));

	define('e2eTokenHubCreate', [MANUAL_TRIGGER, seedance('tokenhub', { operation: 'create', prompt: 'A fox in snow' }), writeFile(`${userFolder}/out/tokenhub.mp4`)]);
	define('e2eAiHubMixCreate', [MANUAL_TRIGGER, seedance('aihubmix', { operation: 'create', prompt: 'A fox in snow' }), writeFile(`${userFolder}/out/aihubmix.mp4`)]);
	define('e2eCreateThenWait', [
		MANUAL_TRIGGER,
		seedance('tokenhub', { operation: 'create', prompt: 'Clouds', waitForCompletion: false }, 'Create'),
		seedance('tokenhub', { operation: 'wait', taskId: '={{ $json.taskId }}' }, 'Wait'),
	]);
	define('e2eFailing', [MANUAL_TRIGGER, seedance('aihubmix', { operation: 'create', prompt: 'Forbidden [sim:fail]' })]);
	define('e2eBadInput', [MANUAL_TRIGGER, seedance('tokenhub', { operation: 'create', prompt: 'Ok', duration: 30, resolution: '1080p' })]);
	define('e2eFiveItems', [
		MANUAL_TRIGGER,
		...itemsFrom([1, 2, 3, 4, 5].map((n) => ({ scene: `Scene ${n}: a lighthouse` }))),
		seedance('aihubmix', { operation: 'create', prompt: '={{ $json.scene }} at dusk' }),
	]);

	// Ark, through every operation.
	define('e2eArkCreate', [MANUAL_TRIGGER, seedance('ark', { operation: 'create', prompt: 'A fox in snow', model: 'seedance-1-5-pro-251215' }), writeFile(`${userFolder}/out/ark.mp4`)]);
	define('e2eArkCreateThenWait', [
		MANUAL_TRIGGER,
		seedance('ark', { operation: 'create', prompt: 'Clouds', waitForCompletion: false }, 'Create'),
		seedance('ark', { operation: 'wait', taskId: '={{ $json.taskId }}', options: { pollIntervalSeconds: 1, timeoutMinutes: 2, downloadVideo: false } }, 'Wait'),
		seedance('ark', { operation: 'getMany', returnAll: true, filters: { taskIds: '={{ $json.taskId }}' } }, 'Find'),
		seedance('ark', { operation: 'delete', taskId: '={{ $json.taskId }}' }, 'Delete'),
	]);
	define('e2eArkCancel', [
		MANUAL_TRIGGER,
		seedance('ark', { operation: 'create', prompt: 'Never mind [sim:ms=60000]', waitForCompletion: false }, 'Create'),
		seedance('ark', { operation: 'delete', taskId: '={{ $json.taskId }}' }, 'Delete'),
		seedance('ark', { operation: 'get', taskId: '={{ $json.taskId }}' }, 'Get'),
	]);
	define('e2eArkBadInput', [
		MANUAL_TRIGGER,
		seedance('ark', {
			operation: 'create',
			prompt: 'Mixed',
			media: { items: [{ role: 'first_frame', source: 'url', url: 'https://example.com/a.jpg' }, { role: 'reference_image', source: 'url', url: 'https://example.com/b.jpg' }] },
		}),
	]);

	// An image too small for Seedance, read from disk into n8n's binary data store: the node reads
	// its size from the stored file's header.
	writeFileSync(join(userFolder, 'small.png'), png(200, 200));
	define('e2eArkSmallImage', [
		MANUAL_TRIGGER,
		{
			name: 'Read Image',
			type: 'n8n-nodes-base.readWriteFile',
			typeVersion: 1,
			parameters: { operation: 'read', fileSelector: join(userFolder, 'small.png'), options: { dataPropertyName: 'photo' } },
		},
		seedance('ark', { operation: 'create', prompt: 'Too small', media: { items: [{ role: 'reference_image', source: 'binary', binaryProperty: 'photo' }] } }),
	]);

	copyFileSync(join(__dirname, '..', 'simulator', 'fixtures', 'frame.png'), join(userFolder, 'frame.png'));
	for (const name of EXAMPLES) workflows[name] = runnableExample(name);

	lib.importAll(userFolder, n8n, { credentials: lib.credentialsFor(sim), workflows: Object.values(workflows) });
});

afterAll(async () => {
	await sim?.close();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

beforeEach(() => sim.reset());

async function execute(id: string): Promise<RunResult> {
	return await lib.execute(userFolder, n8n, id, { env: { N8N_RESTRICT_FILE_ACCESS_TO: userFolder } });
}

describe.each([
	['tokenhub', 'e2eTokenHubCreate'],
	['aihubmix', 'e2eAiHubMixCreate'],
] as const)('%s in a real n8n', (provider, id) => {
	it('Create with wait: the video arrives as binary data and is written to disk byte for byte', async () => {
		const result = await execute(id);
		expect(result.exitCode).toBe(0);
		expect(result.run.status).toBe('success');
		const [item] = output(result, 'Seedance');
		expect(item.json).toMatchObject({ provider, status: 'succeeded' });
		expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: expect.stringMatching(/\.mp4$/) });
		expect(readFileSync(`${userFolder}/out/${provider}.mp4`).equals(FIXTURE)).toBe(true);
		expect(sim.createRequests(provider)).toHaveLength(1);
	});
});

it('Create, then a separate Wait node finishes the same task', async () => {
	const result = await execute('e2eCreateThenWait');
	expect(result.exitCode).toBe(0);
	const [created] = output(result, 'Create');
	const [waited] = output(result, 'Wait');
	expect(['queued', 'running']).toContain(created.json.status);
	expect(waited.json).toMatchObject({ taskId: created.json.taskId, status: 'succeeded' });
	expect(waited.binary?.data.mimeType).toBe('video/mp4');
	expect(sim.createRequests('tokenhub')).toHaveLength(1);
});

it('a failing task fails the run with the task id and the gateway reason', async () => {
	const result = await execute('e2eFailing');
	expect(result.exitCode).toBe(1);
	const error = lib.nodeError(result.run, 'Seedance');
	const taskId = [...sim.tasks.keys()][0];
	expect(error.message).toContain(taskId);
	expect(error.message).toContain('OutputVideoSensitiveContentDetected.PolicyViolation');
});

it('bad input is refused inside n8n with no request made', async () => {
	const result = await execute('e2eBadInput');
	expect(result.exitCode).toBe(1);
	const error = lib.nodeError(result.run, 'Seedance');
	expect(error.message).toContain('Item 0 cannot be sent to TokenHub (2 problems)');
	expect(error.message).toContain('Duration (Seconds)');
	expect(error.message).toContain('Resolution');
	expect(sim.requests).toHaveLength(0);
});

it('5 items with prompts from a previous node: 5 tasks, 5 videos, in item order', async () => {
	const result = await execute('e2eFiveItems');
	expect(result.exitCode).toBe(0);
	const items = output(result, 'Seedance');
	expect(items).toHaveLength(5);
	// Items are created concurrently, so they may reach the gateway in any order; the output
	// must still pair each item with its own task.
	const prompts = [1, 2, 3, 4, 5].map((n) => `Scene ${n}: a lighthouse at dusk`);
	const sent = sim.createRequests('aihubmix').map((request) => (request.body as { prompt: string }).prompt);
	expect([...sent].sort()).toEqual(prompts);
	items.forEach((item, index) => {
		expect(item.json.status).toBe('succeeded');
		expect(item.binary?.data.mimeType).toBe('video/mp4');
		expect((item as { pairedItem?: unknown }).pairedItem).toEqual({ item: index });
		expect(sim.tasks.get(item.json.taskId as string)?.body.prompt).toBe(prompts[index]);
	});
});

describe('example workflows import and run', () => {
	it('scheduled generation to Google Drive: two prompts, two videos (Drive disabled)', async () => {
		const result = await execute('seedanceExDrive01');
		expect(result.exitCode).toBe(0);
		const items = output(result, 'Generate Video');
		expect(items).toHaveLength(2);
		for (const item of items) expect(item.binary?.data.mimeType).toBe('video/mp4');
		expect(items.map((item) => item.json.estimatedCostUsd)).toEqual([1, 1]);
	});

	it('generate and post to Slack: the video is ready for the Slack node (disabled)', async () => {
		const result = await execute('seedanceExSlack01');
		expect(result.exitCode).toBe(0);
		const [item] = output(result, 'Generate Video');
		expect(item.json).toMatchObject({ provider: 'aihubmix', status: 'succeeded' });
		expect(item.binary?.data.mimeType).toBe('video/mp4');
	});

	it("extend a video: part 2's first frame is part 1's returned last frame", async () => {
		const result = await execute('seedanceExExtend1');
		expect(result.exitCode).toBe(0);
		const [part1] = output(result, 'Part 1');
		const [part2] = output(result, 'Part 2 (Starts Where Part 1 Ends)');
		// A presigned CDN URL: the path, then its signature in the query.
		expect(part1.json.lastFrameUrl).toMatch(/\/frames\/[^/?]+\.png(\?|$)/);
		const secondCreate = sim.createRequests('aihubmix')[1].body as { prompt: string; content: Array<{ role: string; image_url: { url: string } }> };
		// AIHubMix's own client's body: the prompt first in content too, then the media.
		expect(secondCreate.content).toEqual([
			{ type: 'text', text: secondCreate.prompt },
			{ type: 'image_url', image_url: { url: part1.json.lastFrameUrl }, role: 'first_frame' },
		]);
		expect(part2.json.status).toBe('succeeded');
		expect(part2.binary?.part2.mimeType).toBe('video/mp4');
	});

	it('image-to-video from an uploaded file: the binary is sent as a data URL first frame', async () => {
		const result = await execute('seedanceExUpload1');
		expect(result.exitCode).toBe(0);
		const png = readFileSync(join(__dirname, '..', 'simulator', 'fixtures', 'frame.png'));
		const body = sim.createRequests('tokenhub')[0].body as { content: Array<{ role: string; image_url: { url: string } }> };
		expect(body.content[0]).toEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` }, role: 'first_frame' });
		expect(output(result, 'Animate Image')[0].json.status).toBe('succeeded');
	});
});

it('durable loop: Create once per item, Wait, Get until done, videos downloaded', async () => {
	// Jobs longer than the (shortened) Wait, so unfinished tasks go round the loop.
	sim.set({ jobMs: 5000 });
	const result = await execute('seedanceExDurable01').finally(() => sim.set({ jobMs: 2000 }));
	expect(result.exitCode).toBe(0);
	expect(sim.createRequests('aihubmix')).toHaveLength(2);
	const checks = result.run.data.resultData.runData['Check Video'] as Array<{ data: { main: Item[][] } }>;
	expect(checks.length).toBeGreaterThan(1);
	const done = checks.flatMap((task) => task.data.main[0] ?? []);
	expect(done.map((item) => item.json.status)).toEqual(['succeeded', 'succeeded']);
	expect(done.every((item) => item.binary?.data.mimeType === 'video/mp4')).toBe(true);
	const ready = result.run.data.resultData.runData['Video Ready'] as Array<{ data: { main: Item[][] } }>;
	expect(ready.flatMap((task) => task.data.main[0])).toHaveLength(2);
});

describe('Ark in a real n8n', () => {
	it('Create with wait: the MP4 written to disk byte for byte, tokens priced', async () => {
		const result = await execute('e2eArkCreate');
		expect(result.exitCode).toBe(0);
		const [item] = output(result, 'Seedance');
		expect(item.json).toMatchObject({ provider: 'ark', status: 'succeeded', completionTokens: expect.any(Number), costFromUsage: expect.any(Number) });
		expect(readFileSync(`${userFolder}/out/ark.mp4`).equals(FIXTURE)).toBe(true);
		expect(sim.createRequests('ark')).toHaveLength(1);
	});

	it('Create, Wait, Get Many finds the task, Delete removes the finished one', async () => {
		const result = await execute('e2eArkCreateThenWait');
		expect(result.exitCode).toBe(0);
		const [created] = output(result, 'Create');
		expect(output(result, 'Wait')[0].json).toMatchObject({ taskId: created.json.taskId, status: 'succeeded' });
		expect(output(result, 'Find').map((item) => item.json.taskId)).toEqual([created.json.taskId]);
		expect(output(result, 'Delete')[0].json).toMatchObject({ taskId: created.json.taskId, deleted: true });
		expect(sim.tasks.has(created.json.taskId as string)).toBe(false);
	});

	it('Delete of a queued task cancels it', async () => {
		// Queued for the whole job: with 200 ms, a loaded machine let the task start running
		// between Create and Delete (seen on 2.40.7 and 2.41.1 alike), and Ark refuses that.
		sim.set({ queuedMs: 60000 });
		const result = await execute('e2eArkCancel').finally(() => sim.set({ queuedMs: 200 }));
		expect(result.exitCode).toBe(0);
		expect(output(result, 'Get')[0].json.status).toBe('cancelled');
	});

	it('the recovery example finds every finished task and downloads each video', async () => {
		for (const prompt of ['One', 'Two', 'Three']) await execute('e2eArkCreate').then((run) => expect(run.exitCode).toBe(0), () => expect(prompt).toBe('created'));
		const result = await execute('seedanceExArkRecover1');
		expect(result.exitCode).toBe(0);
		const found = output(result, 'Find Finished Tasks').map((item) => item.json.taskId);
		expect(new Set(found)).toEqual(new Set(sim.tasks.keys()));
		const downloaded = output(result, 'Download Video');
		expect(downloaded).toHaveLength(3);
		expect(downloaded.every((item) => item.binary?.data.mimeType === 'video/mp4')).toBe(true);
	});

	it("a first frame mixed with a reference image is refused, with zero requests", async () => {
		const result = await execute('e2eArkBadInput');
		expect(result.exitCode).not.toBe(0);
		expect(JSON.stringify(result.run.data.resultData.error)).toContain('separate scenarios');
		expect(sim.gatewayRequests('ark')).toHaveLength(0);
	});

	it('an image file under 300 px, read from disk, is refused from its stored header, with zero requests', async () => {
		const result = await execute('e2eArkSmallImage');
		expect(result.exitCode).not.toBe(0);
		expect(lib.nodeError(result.run, 'Seedance').message).toContain('Media 1 (Reference Image): binary field "photo" is 200×200 px; each side must be 300 to 6000 px');
		expect(sim.gatewayRequests('ark')).toHaveLength(0);
	});
});

describe('AI Agent tool', () => {
	it('n8n offers the node as a tool (usableAsTool), and the agent example imports', () => {
		const file = join(userFolder, 'nodes.json');
		const exported = lib.n8nCli(userFolder, n8n, ['export:nodes', `--output=${file}`]);
		expect(exported.status).toBe(0);
		const names = (JSON.parse(readFileSync(file, 'utf8')) as Array<{ name: string }>).map((node) => node.name);
		expect(names).toContain(lib.NODE_TYPE);
		expect(names).toContain(`${lib.NODE_TYPE}Tool`);
		const agent = JSON.parse(readFileSync(join(lib.ROOT, 'examples', 'ai-agent-video-tool.json'), 'utf8'));
		expect(() => lib.importAll(userFolder, n8n, { workflows: [agent] })).not.toThrow();
	});
});
