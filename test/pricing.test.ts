import type { INodeParameters } from 'n8n-workflow';

import type { GatewayName, Simulator } from './simulator';
import { startSimulator } from './simulator';
import { runSeedance } from './seedance-run';

/** Cost estimates from the published price tables, and the per-item spend cap. */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => await sim.close());
beforeEach(() => sim.reset());

const refVideo = (durationSeconds?: number) => ({
	role: 'reference_video',
	source: 'url',
	url: 'https://example.com/in.mp4',
	...(durationSeconds ? { durationSeconds } : {}),
});

async function create(provider: GatewayName, parameters: INodeParameters) {
	return await runSeedance({
		sim,
		provider,
		parameters: { operation: 'create', prompt: 'A product shot', waitForCompletion: false, ...parameters },
	});
}

it("TokenHub's own example: 5 s input video + 10 s output at 720p on 2.0 costs $3.00", async () => {
	const run = await create('tokenhub', {
		model: 'doubao-seedance-2.0',
		duration: 10,
		resolution: '720p',
		media: { items: [{ role: 'reference_image', source: 'url', url: 'https://example.com/a.jpg' }, refVideo(5)] },
	});
	expect(run.items[0].json).toMatchObject({ estimatedCostUsd: 3, costBasis: '(5 s input video + 10 s output) × $0.2/s' });
});

it('TokenHub text-to-video: output seconds × rate (fast, 480p)', async () => {
	const run = await create('tokenhub', { model: 'doubao-seedance-2.0-fast', duration: 8, resolution: '480p' });
	expect(run.items[0].json.estimatedCostUsd).toBe(0.8);
});

it('AIHubMix: per-second rate by model and resolution, the higher rate with a reference video', async () => {
	const plain = await create('aihubmix', { model: 'doubao-seedance-1-0-pro-250528', duration: 10, resolution: '1080p' });
	expect(plain.items[0].json.estimatedCostUsd).toBe(1.02);
	const withVideo = await create('aihubmix', {
		model: 'doubao-seedance-2-0-260128',
		duration: 5,
		resolution: '720p',
		media: { items: [{ role: 'reference_image', source: 'url', url: 'https://example.com/a.jpg' }, refVideo()] },
	});
	expect(withVideo.items[0].json).toMatchObject({ estimatedCostUsd: 1.705 });
	expect(String(withVideo.items[0].json.costBasis)).toContain('reference-video rate');
});

describe('Max Cost per Video', () => {
	const expensive = {
		model: 'doubao-seedance-2.0',
		duration: 10,
		resolution: '720p',
		media: { items: [{ role: 'reference_image', source: 'url', url: 'https://example.com/a.jpg' }, refVideo(5)] },
	};

	it('refuses an item over the cap before any request', async () => {
		const run = await create('tokenhub', { ...expensive, additionalFields: { maxCostUsd: 2 } });
		expect(run.status).toBe('error');
		expect(run.nodeError('Seedance')!.message).toBe(
			'Item 0 not sent: estimated cost $3.00 ((5 s input video + 10 s output) × $0.2/s) is over Max Cost per Video ($2.00)',
		);
		expect(sim.requests).toHaveLength(0);
	});

	it('lets an item within the cap through', async () => {
		const run = await create('tokenhub', { ...expensive, additionalFields: { maxCostUsd: 3 } });
		expect(run.status).toBe('success');
		expect(sim.createRequests('tokenhub')).toHaveLength(1);
	});

	it('refuses when a billed reference video has no duration, since the cap cannot be checked', async () => {
		const run = await create('tokenhub', {
			...expensive,
			media: { items: [{ role: 'reference_image', source: 'url', url: 'https://example.com/a.jpg' }, refVideo()] },
			additionalFields: { maxCostUsd: 100 },
		});
		expect(run.nodeError('Seedance')!.message).toContain('has no Video Duration');
		expect(sim.requests).toHaveLength(0);
	});

	it('refuses a model without a published price', async () => {
		const run = await create('aihubmix', { model: '={{ "doubao-seedance-3-0-preview" }}', additionalFields: { maxCostUsd: 100 } });
		expect(run.nodeError('Seedance')!.message).toContain('cost cannot be estimated');
		expect(sim.requests).toHaveLength(0);
	});
});
