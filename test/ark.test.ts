import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { Simulator } from './simulator';
import { startSimulator } from './simulator';
import { FAST_OPTIONS, runSeedance } from './seedance-run';

/**
 * The third gateway, Ark (BytePlus ModelArk / Volcengine Ark), through every operation in
 * n8n-core's WorkflowExecute against the simulator's Ark, which is played from Ark's own docs.
 */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 100, jobMs: 600 });
});
afterAll(async () => await sim.close());
beforeEach(() => sim.reset());

const url = (role: string, link = 'https://example.com/a.jpg') => ({ role, source: 'url', url: link });
const create = (parameters: IDataObject, extra: Partial<Parameters<typeof runSeedance>[0]> = {}) =>
	runSeedance({ sim, provider: 'ark', parameters: { operation: 'create', options: FAST_OPTIONS, ...parameters }, ...extra });

describe('Create, Get, Wait on Ark', () => {
	it('text-to-video: the prompt goes into content as a text entry, the video is downloaded', async () => {
		const run = await create({ prompt: 'A lighthouse in a storm', model: 'dreamina-seedance-2-0-260128', resolution: '720p', ratio: '16:9', duration: 5 });
		expect(run.status).toBe('success');
		const [item] = run.items;
		expect(item.json).toMatchObject({ provider: 'ark', status: 'succeeded', gatewayStatus: 'succeeded' });
		expect(item.json.taskId).toMatch(/^cgt-/);
		expect((await run.binaryBuffer(item.binary!.data)).equals(sim.mp4)).toBe(true);
		const body = sim.createRequests()[0].body as IDataObject;
		expect(body).toMatchObject({
			model: 'dreamina-seedance-2-0-260128',
			content: [{ type: 'text', text: 'A lighthouse in a storm' }],
			ratio: '16:9',
			resolution: '720p',
			duration: 5,
		});
		expect(sim.cdnRequests().every((request) => request.headers.authorization === undefined)).toBe(true);
	});

	it('first + last frame with Return Last Frame, seed and the Ark options in the body', async () => {
		const run = await create({
			prompt: 'Morph',
			model: 'seedance-1-5-pro-251215',
			media: { items: [url('first_frame'), url('last_frame', 'https://example.com/b.jpg')] },
			additionalFields: { returnLastFrame: true, seed: 7, serviceTier: 'flex', executionExpiresAfter: 7200 },
		});
		expect(run.status).toBe('success');
		expect(run.items[0].json.lastFrameUrl).toMatch(/\/ark\/frames\/.+\.png\?/);
		expect(sim.createRequests()[0].body).toMatchObject({
			content: [
				{ type: 'text', text: 'Morph' },
				{ type: 'image_url', image_url: { url: 'https://example.com/a.jpg' }, role: 'first_frame' },
				{ type: 'image_url', image_url: { url: 'https://example.com/b.jpg' }, role: 'last_frame' },
			],
			return_last_frame: true,
			seed: 7,
			service_tier: 'flex',
			execution_expires_after: 7200,
		});
	});

	it('a task that fails on Ark (output sensitive content) is an error naming it', async () => {
		const run = await create({ prompt: 'Forbidden [sim:fail]' });
		expect(run.status).toBe('error');
		const [task] = [...sim.tasks.values()];
		expect(run.nodeError('Seedance')!.message).toContain(`Seedance task ${task.id} failed on Ark: OutputVideoSensitiveContentDetected`);
	});

	it('an input image Ark takes for a real person: a clear refusal, no task, nothing charged', async () => {
		const run = await create({ prompt: 'Portrait', media: { items: [url('reference_image', 'https://example.com/sim-real-person.jpg')] } });
		expect(run.status).toBe('error');
		const error = run.nodeError('Seedance') as Error & { description?: string };
		expect(error.message).toMatch(/^Ark answered 400 while creating the task: The request failed because the input image 'content\[1\]' may contain real person/);
		expect(error.description).toBe(
			"Ark's privacy filter takes an input image for a photo of a real person, which Seedance refuses. Use an image without a real person (an illustrated or generated character), or an asset from Ark's asset library (asset://). No task was created, so nothing was charged.",
		);
		expect(sim.tasks.size).toBe(0);
	});

	it("a failed task's error code gets Ark's advice", async () => {
		const run = await create({ prompt: 'Forbidden [sim:fail]' });
		expect((run.nodeError('Seedance') as Error & { description?: string }).description).toMatch(
			/^Ark's moderation blocked the generated video\. Change the prompt or media and create a new task\./,
		);
	});

	it('Create without waiting, then Wait', async () => {
		const created = await create({ prompt: 'Later', waitForCompletion: false });
		expect(created.items[0].json.status).toBe('queued');
		const waited = await runSeedance({ sim, provider: 'ark', parameters: { operation: 'wait', taskId: created.items[0].json.taskId as string, options: FAST_OPTIONS } });
		expect(waited.items[0].json.status).toBe('succeeded');
		expect(waited.items[0].binary?.data).toBeDefined();
	});
});

describe("Delete, with Ark's meaning", () => {
	const remove = async (taskId: string) => await runSeedance({ sim, provider: 'ark', parameters: { operation: 'delete', taskId } });

	it('a queued task is cancelled', async () => {
		const created = await create({ prompt: 'Never mind [sim:ms=5000]', waitForCompletion: false });
		const taskId = created.items[0].json.taskId as string;
		const run = await remove(taskId);
		expect(run.items[0].json).toMatchObject({ taskId, action: 'cancelled', cancelled: true, deleted: false });
		const after = await runSeedance({ sim, provider: 'ark', parameters: { operation: 'get', taskId, options: { downloadVideo: false } } });
		expect(after.items[0].json.status).toBe('cancelled');
	});

	it('a running task cannot be cancelled, and the error says so', async () => {
		sim.set({ queuedMs: 0, jobMs: 5000 });
		const created = await create({ prompt: 'Busy', waitForCompletion: false });
		await sleep(200);
		const run = await remove(created.items[0].json.taskId as string);
		sim.set({ queuedMs: 100, jobMs: 600 });
		expect(run.status).toBe('error');
		expect(run.nodeError('Seedance')!.message).toMatch(/^Task .* is running on Ark, and a running task cannot be cancelled or deleted$/);
	});

	it('a finished task is deleted', async () => {
		const created = await create({ prompt: 'Done', options: { ...FAST_OPTIONS, downloadVideo: false } });
		const taskId = created.items[0].json.taskId as string;
		const run = await remove(taskId);
		expect(run.items[0].json.deleted).toBe(true);
		const after = await runSeedance({ sim, provider: 'ark', parameters: { operation: 'get', taskId } });
		expect(after.nodeError('Seedance')!.message).toContain('404');
	});
});

describe('Get Many', () => {
	it('finds every task of a batch, across pages, filtered by their IDs', async () => {
		const batch = await runSeedance({
			sim,
			provider: 'ark',
			items: Array.from({ length: 130 }, (_, index) => ({ prompt: `Clip ${index}` })),
			parameters: { operation: 'create', prompt: '={{ $json.prompt }}', waitForCompletion: false, options: { maxConcurrentCreates: 20 } },
		});
		expect(batch.items).toHaveLength(130);
		const all = await runSeedance({ sim, provider: 'ark', parameters: { operation: 'getMany', returnAll: true } });
		expect(new Set(all.items.map((item) => item.json.taskId))).toEqual(new Set(sim.tasks.keys()));
		const pages = sim.gatewayRequests('ark').filter((request) => request.method === 'GET' && request.path.includes('/contents/generations/tasks?'));
		expect(pages.map((request) => new URL(request.path, 'http://x').searchParams.get('page_num'))).toEqual(['1', '2']);

		const ids = batch.items.slice(0, 3).map((item) => item.json.taskId as string);
		const some = await runSeedance({ sim, provider: 'ark', parameters: { operation: 'getMany', returnAll: true, filters: { taskIds: ids.join(', ') } } });
		expect(some.items.map((item) => item.json.taskId).sort()).toEqual([...ids].sort());
	});

	it('Limit stops early; the status filter is sent', async () => {
		for (let index = 0; index < 3; index++) await create({ prompt: `Clip ${index}`, waitForCompletion: false });
		const run = await runSeedance({ sim, provider: 'ark', parameters: { operation: 'getMany', returnAll: false, limit: 2, filters: { status: 'queued' } } });
		expect(run.items).toHaveLength(2);
		const request = sim.gatewayRequests('ark').find((entry) => entry.path.includes('filter.status'));
		expect(new URL(request!.path, 'http://x').searchParams.get('filter.status')).toBe('queued');
	});

	it('is offered only where the gateway lists tasks', async () => {
		const run = await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'getMany', returnAll: true } });
		expect(run.status).toBe('error');
	});
});

describe('Ark bills output tokens', () => {
	it('estimates from width × height × frames / 1024, and prices the tokens Ark reports', async () => {
		const run = await create({ prompt: 'Priced', model: 'dreamina-seedance-2-0-260128', resolution: '720p', ratio: '16:9', duration: 5, options: { ...FAST_OPTIONS, downloadVideo: false } });
		// 1280 × 720 × (24 × 5 + 1) / 1024 = 108900 tokens, the figure Ark's docs show for 5 s at 720p.
		expect(run.items[0].json).toMatchObject({
			estimatedCostUsd: 0.762,
			costBasis: '108900 output tokens × $7/M tokens',
			completionTokens: 108900,
			costFromUsage: 0.762,
			costFromUsageCurrency: 'USD',
		});
	});

	it('the caps apply: over Max Cost per Video, refused before any request', async () => {
		const run = await create({ prompt: 'Too dear', model: 'dreamina-seedance-2-0-260128', resolution: '1080p', ratio: '16:9', duration: 10, additionalFields: { maxCostUsd: 1 } });
		expect(run.nodeError('Seedance')!.message).toBe(
			'Item 0 not sent: estimated cost $3.76 (488025 output tokens × $7.7/M tokens) is over Max Cost per Video ($1.00)',
		);
		expect(sim.requests).toHaveLength(0);
	});

	it('flex halves a 1.x price; silent 1.5 pro is cheaper; Volcengine prices in CNY', async () => {
		const { estimateCost } = await import('../nodes/Seedance/pricing');
		const billed = (model: string, extra: IDataObject = {}) => ({ model, duration: 5, resolution: '720p', ratio: '16:9', referenceVideos: [], ...extra });
		expect(estimateCost('ark-byteplus', billed('seedance-1-5-pro-251215')).amount).toBe(0.261);
		expect(estimateCost('ark-byteplus', billed('seedance-1-5-pro-251215', { generateAudio: false })).amount).toBe(0.131);
		expect(estimateCost('ark-byteplus', billed('seedance-1-5-pro-251215', { serviceTier: 'flex' })).amount).toBe(0.131);
		const cny = estimateCost('ark-volcengine', billed('doubao-seedance-2-0-260128'));
		expect(cny).toMatchObject({ amount: 5.009, currency: 'CNY', usd: null });
		// 1920 × 1080 × 121 / 1024 = 245025 tokens at ¥51/M, the 1080p rate.
		expect(estimateCost('ark-volcengine', billed('doubao-seedance-2-0-260128', { resolution: '1080p' })).amount).toBe(12.496);
		expect(estimateCost('ark-volcengine', billed('doubao-seedance-1-5-pro-251215')).amount).toBeNull();
	});
});
