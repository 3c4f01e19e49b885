import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { GenerationRequest, MediaInput, MediaRole, NormalisedTask } from '../nodes/Seedance/gateways/gateway';
import { GATEWAYS, getGateway } from '../nodes/Seedance/gateways';
import { billedFactsOf, capRefusal, costOfTokens, estimateCost, runOverBudget } from '../nodes/Seedance/pricing';
import type { GatewayName, Simulator } from './simulator';
import { startSimulator } from './simulator';
import { FAST_OPTIONS, runSeedance } from './seedance-run';

/** Cost estimates from the published price tables, and the per-item spend cap. */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 100, jobMs: 600 });
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

// ---------------------------------------------------------------------------
// Issue 16, point 4: every field that changes the price is read; a field the price list does
// not know is a refusal under a cap. Point 5: one rate for the estimate and the cost of usage.

/** A body as the node builds it, with Additional Body Fields merged in. */
function bodyOf(provider: string, request: Partial<GenerationRequest> & { model: string }, merged: IDataObject = {}): IDataObject {
	const gateway = getGateway(provider);
	return (
		gateway.buildCreateRequest({
			prompt: 'A product shot',
			duration: 5,
			resolution: '720p',
			ratio: '16:9',
			generateAudio: true,
			watermark: false,
			returnLastFrame: false,
			media: [],
			additionalBodyFields: merged,
			...request,
		}).body ?? {}
	);
}

const estimate = (provider: string, priceList: string, body: IDataObject) => estimateCost(priceList, getGateway(provider).readBilledRequest(body));

describe('point 4: the estimate reads every field that changes the price', () => {
	it("Ark's frames replaces duration: width × height × frames / 1024 (a $0.62 estimate was a $1.47 task)", () => {
		const body = bodyOf('ark', { model: 'seedance-1-0-pro-250528', resolution: '1080p' }, { frames: 289 });
		const cost = estimate('ark', 'ark-byteplus', body);
		// 1920 × 1088 × 289 / 1024 = 589560 tokens at $2.5/M.
		expect(cost).toMatchObject({ amount: 1.474, tokens: 589560, basis: '589560 output tokens (frames: 289) × $2.5/M tokens', complete: true });
		expect(capRefusal('Ark', cost, 1, 'Max Cost per Video')?.message).toBe(
			'estimated cost $1.47 (589560 output tokens (frames: 289) × $2.5/M tokens) is over Max Cost per Video ($1.00)',
		);
	});

	it("TokenHub's input_video_duration is billed as input seconds (a $0.80 estimate was a $3.00 task)", () => {
		const body = bodyOf('tokenhub', { model: 'doubao-seedance-2.0', duration: 4 }, { input_video_duration: 11 });
		expect(estimate('tokenhub', 'tokenhub', body)).toMatchObject({
			amount: 3,
			basis: '(11 s input video from input_video_duration + 4 s output) × $0.2/s',
			complete: true,
		});
	});

	it('input_video_duration and video_durations together: the larger is billed, never the smaller', () => {
		const media: MediaInput[] = [{ role: 'reference_video', url: 'https://example.com/a.mp4', durationSeconds: 6 }];
		const lower = bodyOf('tokenhub', { model: 'doubao-seedance-2.0', duration: 4, media }, { input_video_duration: 2 });
		expect(estimate('tokenhub', 'tokenhub', lower).amount).toBe(2);
		const higher = bodyOf('tokenhub', { model: 'doubao-seedance-2.0', duration: 4, media }, { input_video_duration: 9 });
		expect(estimate('tokenhub', 'tokenhub', higher).amount).toBe(2.6);
		const text = bodyOf('tokenhub', { model: 'doubao-seedance-2.0', duration: 4, media }, { input_video_duration: '9' });
		expect(estimate('tokenhub', 'tokenhub', text)).toMatchObject({ amount: null, basis: 'input_video_duration ("9") is not a number of seconds' });
	});

	it("TokenHub's top-level video_urls / video_url are reference videos, paired with video_durations", () => {
		const body = bodyOf('tokenhub', { model: 'doubao-seedance-2.0', duration: 4 }, { video_urls: ['https://example.com/a.mp4'], video_durations: [11] });
		expect(estimate('tokenhub', 'tokenhub', body)).toMatchObject({ amount: 3, basis: '(11 s input video from video_urls + 4 s output) × $0.2/s' });
		const unsized = bodyOf('tokenhub', { model: 'doubao-seedance-2.0', duration: 4 }, { video_url: 'https://example.com/a.mp4' });
		const cost = estimate('tokenhub', 'tokenhub', unsized);
		expect(cost).toMatchObject({ complete: false, uncounted: { kind: 'input video seconds', videos: ['video_url'] } });
		expect(capRefusal('TokenHub', cost, 100, 'Max Cost per Video')?.message).toBe(
			'TokenHub bills reference video seconds, and the reference video video_url in the request body has no length, so Max Cost per Video cannot be checked',
		);
	});

	it('a field the price list does not know is carried, shown in the basis, and refused under either cap, named', () => {
		const body = bodyOf('ark', { model: 'dreamina-seedance-2-0-260128' }, { draft: true, tools: [{ type: 'web_search' }] });
		const cost = estimate('ark', 'ark-byteplus', body);
		expect(cost.unpricedFields).toEqual(['draft', 'tools']);
		expect(cost.amount).toBe(0.762);
		expect(cost.basis).toBe('108900 output tokens × $7/M tokens; not counted: draft, tools (not in the price list)');
		expect(capRefusal('Ark', cost, 0, 'Max Cost per Video')).toBeUndefined();
		expect(capRefusal('Ark', cost, 5, 'Max Cost per Video')?.message).toBe(
			'the body fields "draft", "tools" cannot be priced, so Max Cost per Video cannot be checked',
		);
		expect(runOverBudget([{ itemIndex: 0, cost }], 5)?.message).toBe(
			'the body fields "draft", "tools" of item 0 cannot be priced, so Max Cost per Run cannot be checked',
		);
	});

	it("Ark with a reference video under a cap: refused for the videos' own tokens, not for a missing Video Duration", () => {
		const media: MediaInput[] = [{ role: 'reference_video', url: 'https://example.com/a.mp4', durationSeconds: 5 }];
		const cost = estimate('ark', 'ark-byteplus', bodyOf('ark', { model: 'dreamina-seedance-2-0-260128', media }));
		expect(capRefusal('Ark', cost, 100, 'Max Cost per Video')).toEqual({
			message: "Ark also bills the reference videos' own tokens, which cannot be counted before the task runs, so Max Cost per Video cannot be checked",
			fix: "Remove the reference videos, or set Max Cost per Video to 0 (the output's costFromUsage then shows what the tokens cost).",
		});
	});

	it('an unknown content entry type is named too', () => {
		const body = bodyOf('ark', { model: 'seedance-1-5-pro-251215' }, {});
		(body.content as IDataObject[]).push({ type: 'draft_task', draft_task: { id: 'cgt-1' } });
		expect(estimate('ark', 'ark-byteplus', body).unpricedFields).toEqual(['content[1] (type "draft_task")']);
	});

	it('a field priced on one gateway is unknown on another (frames on TokenHub, service_tier on AIHubMix)', () => {
		expect(estimate('tokenhub', 'tokenhub', bodyOf('tokenhub', { model: 'doubao-seedance-2.0' }, { frames: 289 })).unpricedFields).toEqual(['frames']);
		expect(estimate('aihubmix', 'aihubmix', bodyOf('aihubmix', { model: 'doubao-seedance-1-0-pro-250528' }, { service_tier: 'flex' })).unpricedFields).toEqual([
			'service_tier',
		]);
	});

	it("price-neutral fields are known: a merged callback_url, seed or camera_fixed is no refusal", () => {
		for (const gateway of GATEWAYS) {
			const body = bodyOf(gateway.name, { model: gateway.capabilities.defaultModel }, { callback_url: 'https://example.com/hook', seed: 3, camera_fixed: true });
			expect(gateway.readBilledRequest(body).unpricedFields).toEqual([]);
		}
	});

	it('every body the node builds, for every gateway, model and option, has no unknown field and is never refused as unpriceable', () => {
		const roles: MediaRole[] = ['first_frame', 'last_frame', 'reference_image', 'reference_video', 'reference_audio'];
		let bodies = 0;
		for (const gateway of GATEWAYS) {
			const caps = gateway.capabilities;
			const priceLists = gateway.name === 'ark' ? ['ark-byteplus', 'ark-volcengine'] : [gateway.priceList({})];
			for (const model of caps.models) {
				for (const resolution of model.resolutions) {
					for (const ratio of caps.ratios) {
						for (const media of [[], roles.map((role) => ({ role, url: `https://example.com/${role}`, durationSeconds: role === 'reference_video' ? 3 : undefined }))]) {
							const request: GenerationRequest = {
								model: model.id,
								prompt: 'All options on',
								duration: model.duration?.max ?? caps.duration.max,
								resolution,
								ratio,
								generateAudio: false,
								watermark: true,
								returnLastFrame: caps.supportsReturnLastFrame,
								seed: caps.supportsSeed ? 42 : undefined,
								media,
								additionalBodyFields: {},
								...(caps.serviceTier ? { serviceTier: model.flexTier ? 'flex' : 'default', executionExpiresAfter: 7200 } : {}),
							};
							const billed = gateway.readBilledRequest(gateway.buildCreateRequest(request).body ?? {});
							expect({ gateway: gateway.name, model: model.id, unpricedFields: billed.unpricedFields }).toEqual({
								gateway: gateway.name,
								model: model.id,
								unpricedFields: [],
							});
							for (const priceList of priceLists) {
								const cost = estimateCost(priceList, billed);
								const refusal = capRefusal(gateway.displayName, cost, 1e6, 'Max Cost per Video');
								// Refused only where the price list has no price, or reference videos' tokens cannot be counted.
								if (cost.amount !== null && cost.uncounted?.kind !== 'input video tokens') expect(refusal).toBeUndefined();
								bodies++;
							}
						}
					}
				}
			}
		}
		expect(bodies).toBeGreaterThan(300);
	});
});

describe('point 4: the caps, through WorkflowExecute, with zero requests', () => {
	const run = (provider: GatewayName, parameters: IDataObject) =>
		runSeedance({ sim, provider, parameters: { operation: 'create', prompt: 'Capped', waitForCompletion: false, ...parameters } as INodeParameters });

	it("Ark's frames merged under a $1 cap: refused, the basis naming frames", async () => {
		const result = await run('ark', {
			model: 'seedance-1-0-pro-250528',
			resolution: '1080p',
			ratio: '16:9',
			duration: 5,
			additionalFields: { maxCostUsd: 1, additionalBodyFields: '{"frames": 289}' },
		});
		expect(result.nodeError('Seedance')!.message).toBe(
			'Item 0 not sent: estimated cost $1.47 (589560 output tokens (frames: 289) × $2.5/M tokens) is over Max Cost per Video ($1.00)',
		);
		expect(sim.createRequests()).toHaveLength(0);
	});

	it("TokenHub's input_video_duration merged under a $1 cap: refused, naming it", async () => {
		const result = await run('tokenhub', {
			model: 'doubao-seedance-2.0',
			resolution: '720p',
			duration: 4,
			additionalFields: { maxCostUsd: 1, additionalBodyFields: '{"input_video_duration": 11}' },
		});
		expect(result.nodeError('Seedance')!.message).toBe(
			'Item 0 not sent: estimated cost $3.00 ((11 s input video from input_video_duration + 4 s output) × $0.2/s) is over Max Cost per Video ($1.00)',
		);
		expect(sim.createRequests()).toHaveLength(0);
	});

	it("TokenHub's video_urls merged under a $1 cap: priced with video_durations, refused without them, naming it", async () => {
		const priced = await run('tokenhub', {
			model: 'doubao-seedance-2.0',
			duration: 4,
			additionalFields: { maxCostUsd: 1, additionalBodyFields: '{"video_urls": ["https://example.com/a.mp4"], "video_durations": [11]}' },
		});
		expect(priced.nodeError('Seedance')!.message).toBe(
			'Item 0 not sent: estimated cost $3.00 ((11 s input video from video_urls + 4 s output) × $0.2/s) is over Max Cost per Video ($1.00)',
		);
		const unsized = await run('tokenhub', {
			model: 'doubao-seedance-2.0',
			duration: 4,
			additionalFields: { maxCostUsd: 1, additionalBodyFields: '{"video_urls": ["https://example.com/a.mp4"]}' },
		});
		expect(unsized.nodeError('Seedance')!.message).toBe(
			'Item 0 not sent: TokenHub bills reference video seconds, and the reference video video_urls[0] in the request body has no length, so Max Cost per Video cannot be checked',
		);
		expect(sim.createRequests()).toHaveLength(0);
	});

	it('a merged field the price list does not know: refused under Max Cost per Video, naming it', async () => {
		const result = await run('ark', { model: 'seedance-1-5-pro-251215', additionalFields: { maxCostUsd: 5, additionalBodyFields: '{"draft": true}' } });
		expect(result.nodeError('Seedance')!.message).toBe('Item 0 not sent: the body field "draft" cannot be priced, so Max Cost per Video cannot be checked');
		expect(sim.createRequests()).toHaveLength(0);
	});

	it('… and under Max Cost per Run', async () => {
		const result = await run('ark', {
			model: 'seedance-1-5-pro-251215',
			additionalFields: { additionalBodyFields: '{"draft": true}' },
			options: { maxCostPerRunUsd: 100 },
		});
		expect(result.nodeError('Seedance')!.message).toBe('Run not sent: the body field "draft" of item 0 cannot be priced, so Max Cost per Run cannot be checked');
		expect(sim.createRequests()).toHaveLength(0);
	});

	it('without a cap it is sent, and the output says the estimate leaves it out', async () => {
		const result = await run('ark', { model: 'seedance-1-5-pro-251215', ratio: '16:9', additionalFields: { additionalBodyFields: '{"draft": true}' } });
		expect(result.status).toBe('success');
		expect(result.items[0].json.costBasis).toBe('108900 output tokens × $2.4/M tokens; not counted: draft (not in the price list)');
		expect(sim.createRequests()).toHaveLength(1);
	});
});

describe('point 5: the cost of usage uses the estimate\'s rate', () => {
	const task = (raw: IDataObject): NormalisedTask => getGateway('ark').parseTask({ id: 'cgt-1', status: 'succeeded', ...raw });
	const ark = getGateway('ark');

	it('1080p on 2.0: the 1080p rate (1.887, not the base rate\'s 1.715)', () => {
		const cost = estimate('ark', 'ark-byteplus', bodyOf('ark', { model: 'dreamina-seedance-2-0-260128', resolution: '1080p' }));
		expect(cost).toMatchObject({ amount: 1.887, tokens: 245025 });
		const done = task({ model: 'dreamina-seedance-2-0-260128', resolution: '1080p', usage: { completion_tokens: 245025 } });
		expect(costOfTokens('ark-byteplus', billedFactsOf(ark, done), done.completionTokens)).toMatchObject({ amount: 1.887, currency: 'USD' });
	});

	it('silent 1.5 pro: the silent rate', () => {
		const cost = estimate('ark', 'ark-byteplus', bodyOf('ark', { model: 'seedance-1-5-pro-251215', generateAudio: false }));
		expect(cost.amount).toBe(0.131);
		const done = task({ model: 'seedance-1-5-pro-251215', resolution: '720p', generate_audio: false, usage: { completion_tokens: cost.tokens } });
		expect(costOfTokens('ark-byteplus', billedFactsOf(ark, done), done.completionTokens)?.amount).toBe(0.131);
	});

	it('flex: half the rate', () => {
		const cost = estimate('ark', 'ark-byteplus', bodyOf('ark', { model: 'seedance-1-0-pro-250528', serviceTier: 'flex' }));
		expect(cost.amount).toBe(0.13);
		const done = task({ model: 'seedance-1-0-pro-250528', resolution: '720p', service_tier: 'flex', usage: { completion_tokens: cost.tokens } });
		expect(costOfTokens('ark-byteplus', billedFactsOf(ark, done), done.completionTokens)?.amount).toBe(0.13);
	});

	it("Volcengine at 1080p: ¥51/M, in CNY", () => {
		const cost = estimate('ark', 'ark-volcengine', bodyOf('ark', { model: 'doubao-seedance-2-0-260128', resolution: '1080p' }));
		const done = task({ model: 'doubao-seedance-2-0-260128', resolution: '1080p', usage: { completion_tokens: cost.tokens } });
		expect(costOfTokens('ark-volcengine', billedFactsOf(ark, done), done.completionTokens)).toMatchObject({ amount: cost.amount, currency: 'CNY' });
		expect(cost).toMatchObject({ amount: 12.496, currency: 'CNY', usd: null });
	});

	it("with a reference video, the create body's facts give the reference-video rate; the task's own fields win where it has them", () => {
		const media: MediaInput[] = [{ role: 'reference_video', url: 'https://example.com/a.mp4' }];
		const body = bodyOf('ark', { model: 'dreamina-seedance-2-0-260128', media });
		const created = ark.readBilledRequest(body);
		const cost = estimateCost('ark-byteplus', created);
		expect(cost).toMatchObject({ amount: 0.468, complete: false });
		const done = task({ model: 'dreamina-seedance-2-0-260128', resolution: '720p', usage: { completion_tokens: cost.tokens } });
		expect(costOfTokens('ark-byteplus', billedFactsOf(ark, done, created), done.completionTokens)?.amount).toBe(0.468);
		// Looked up by ID, the task does not say it had one: the base rate, and the basis says so.
		expect(costOfTokens('ark-byteplus', billedFactsOf(ark, done), done.completionTokens)).toMatchObject({
			amount: 0.762,
			basis: '108900 tokens × $7/M tokens (no reference video assumed)',
		});
		const at1080p = task({ model: 'dreamina-seedance-2-0-260128', resolution: '1080p', usage: { completion_tokens: 1e6 } });
		expect(billedFactsOf(ark, at1080p, ark.readBilledRequest(bodyOf('ark', { model: 'dreamina-seedance-2-0-260128' }))).resolution).toBe('1080p');
	});
});

describe('point 5: a finished Ark task, through WorkflowExecute: costFromUsage equals the estimate', () => {
	const finished = (parameters: IDataObject) =>
		runSeedance({
			sim,
			provider: 'ark',
			parameters: { operation: 'create', prompt: 'Priced', ratio: '16:9', duration: 5, options: { ...FAST_OPTIONS, downloadVideo: false }, ...parameters } as INodeParameters,
		});

	it.each([
		['2.0 at 1080p', { model: 'dreamina-seedance-2-0-260128', resolution: '1080p' }, 1.887],
		['silent 1.5 pro', { model: 'seedance-1-5-pro-251215', resolution: '720p', generateAudio: false }, 0.131],
		['flex 1.0 pro', { model: 'seedance-1-0-pro-250528', resolution: '720p', additionalFields: { serviceTier: 'flex' } }, 0.13],
		['1.0 pro by frames', { model: 'seedance-1-0-pro-250528', resolution: '720p', additionalFields: { additionalBodyFields: '{"frames": 29}' } }, 0.062],
	])('%s', async (_, parameters, amount) => {
		const result = await finished(parameters);
		expect(result.status).toBe('success');
		const [item] = result.items;
		expect(item.json).toMatchObject({ status: 'succeeded', estimatedCostUsd: amount, costFromUsage: amount, costFromUsageCurrency: 'USD' });
	});

	it("2.0 with a reference video: the reference-video rate, from the create body's facts (Ark's task does not list its inputs)", async () => {
		const result = await finished({
			model: 'dreamina-seedance-2-0-260128',
			resolution: '720p',
			media: { items: [{ role: 'reference_video', source: 'url', url: 'https://example.com/clip.mp4' }] },
		});
		expect(result.status).toBe('success');
		// 108900 output tokens × $4.3/M; the simulated Ark reports no input video tokens, so the two agree.
		expect(result.items[0].json).toMatchObject({ estimatedCostUsd: 0.468, completionTokens: 108900, costFromUsage: 0.468 });
	});

	it('Get of the same task, with no create body to fall back on, prices it from the task itself', async () => {
		const created = await finished({ model: 'dreamina-seedance-2-0-260128', resolution: '1080p' });
		const got = await runSeedance({ sim, provider: 'ark', parameters: { operation: 'get', taskId: created.items[0].json.taskId as string } });
		expect(got.items[0].json).toMatchObject({ completionTokens: 245025, costFromUsage: 1.887 });
	});
});
