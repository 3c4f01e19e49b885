import type { IDataObject, ILoadOptionsFunctions } from 'n8n-workflow';

import { aiHubMixGateway } from '../nodes/Seedance/gateways/aihubmix';
import { GATEWAYS, getGateway } from '../nodes/Seedance/gateways';
import { getModels } from '../nodes/Seedance/methods/loadOptions';
import { FAMILIES, familyOf } from '../nodes/Seedance/models';
import type { GatewayName, Simulator } from './simulator';
import { startSimulator } from './simulator';
import { credentialsFor, FAST_OPTIONS, runSeedance } from './seedance-run';

/**
 * Issue 17, points 1–3, through n8n's WorkflowExecute against the simulated gateways:
 * - a model newer than the node is checked only for what is true of every model, and its
 *   limits are left to the gateway, whose refusal reaches the user in its own words;
 * - each model's own limits are its family's, once, on every gateway that sells it;
 * - AIHubMix gets the body its own production client sends, and its answers are read as its
 *   own client reads them.
 */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => await sim.close());
beforeEach(() => {
	sim.reset();
	sim.set({ aihubmixInlineVideoUrl: false, queuedMs: 30, jobMs: 150 });
});

type NodeError = Error & { description?: string };
const url = (role: string, link = `https://example.com/${role}`) => ({ role, source: 'url', url: link });
const images = (count: number) => Array.from({ length: count }, (_, index) => url('reference_image', `https://example.com/${index}.jpg`));
const createBody = (gateway: GatewayName, index = 0) => sim.createRequests(gateway)[index].body as IDataObject;

/** Seedance 2.5's ID where a source names it: AIHubMix's catalogue, BytePlus (secondhand). */
const SEEDANCE_2_5: Array<[GatewayName, string]> = [
	['aihubmix', 'doubao-seedance-2-5-260628'],
	['ark', 'dreamina-seedance-2-5-260628'],
];

describe('point 1: a model newer than the node', () => {
	it.each(SEEDANCE_2_5)('%s: a valid 20 s request to Seedance 2.5 (%s) is sent and its video delivered', async (provider, model) => {
		const run = await runSeedance({ sim, provider, parameters: { operation: 'create', model, prompt: 'A twenty second pan over a harbour', duration: 20, options: FAST_OPTIONS } });
		expect(run.nodeError('Seedance')?.message).toBeUndefined();
		expect(run.status).toBe('success');
		expect(sim.createRequests(provider)).toHaveLength(1);
		expect(createBody(provider)).toMatchObject({ model, duration: 20 });
		expect(run.items[0].json).toMatchObject({ status: 'succeeded', model });
		expect((await run.binaryBuffer(run.items[0].binary!.data)).equals(sim.mp4)).toBe(true);
	});

	it("2.0's counts are not applied to it: 12 reference images, and audio as the only reference, are sent", async () => {
		const many = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', model: 'doubao-seedance-2-5-260628', prompt: 'A collage', media: { items: images(12) }, waitForCompletion: false } });
		expect(many.status).toBe('success');
		const audioOnly = await runSeedance({ sim, provider: 'ark', parameters: { operation: 'create', model: 'dreamina-seedance-2-5-260628', prompt: 'Dance to it', media: { items: [url('reference_audio')] }, waitForCompletion: false } });
		expect(audioOnly.status).toBe('success');
		expect(sim.createRequests()).toHaveLength(2);
		expect((createBody('aihubmix').content as unknown[]).length).toBe(13);
		expect(sim.tasks.size).toBe(2);
	});

	it.each<[GatewayName, string, RegExp]>([
		['aihubmix', 'doubao-seedance-2-5-260628', /AIHubMix answered 400 while creating the task: .*doubao-seedance-2-5-260628 takes a whole number of seconds from 4 to 30, got 31/],
		['ark', 'dreamina-seedance-2-5-260628', /Ark answered 400 while creating the task: .*dreamina-seedance-2-5-260628 takes a whole number of seconds in \[4, 30\]/],
	])('%s: an invalid request (31 s) is refused by the gateway in its words, the model named as unknown, nothing charged', async (provider, model, words) => {
		const run = await runSeedance({ sim, provider, parameters: { operation: 'create', model, prompt: 'Too long', duration: 31, options: FAST_OPTIONS } });
		expect(run.status).toBe('error');
		const error = run.nodeError('Seedance') as NodeError;
		expect(error.message).toMatch(words);
		expect(error.description).toContain('No task was created, so nothing was charged.');
		expect(error.description).toContain(`Model ${model} is not known to this node; its limits were left to ${getGateway(provider).displayName}.`);
		expect(sim.createRequests(provider)).toHaveLength(1);
		expect(sim.tasks.size).toBe(0);
	});

	it("a known model's refusal does not call it unknown", async () => {
		// The same duration on a known model never leaves the node (refused locally, 0 requests) ...
		const local = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'x', duration: 31 } });
		expect((local.nodeError('Seedance') as NodeError).message).toContain('between 4 and 15 seconds for doubao-seedance-2-0-260128');
		expect(sim.requests).toHaveLength(0);
		// ... and a gateway refusal of a known model's request has no such sentence.
		sim.injectFault({ gateway: 'aihubmix', method: 'POST', status: 400, body: { error: { message: 'prompt_too_long', type: 'invalid_request_error', code: 'prompt_too_long' } } });
		const refused = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'x', waitForCompletion: false } });
		const error = refused.nodeError('Seedance') as NodeError;
		expect(error.description).toContain('nothing was charged');
		expect(error.description).not.toContain('not known to this node');
	});

	it('its price is unknown: the estimate says so, and a set Max Cost per Video refuses it before any request', async () => {
		const model = 'doubao-seedance-2-5-260628';
		const capped = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', model, prompt: 'x', additionalFields: { maxCostUsd: 5 } } });
		const error = capped.nodeError('Seedance') as NodeError;
		expect(error.message).toMatch(/^Item 0 not sent: its cost cannot be estimated \(.*\), and Max Cost per Video is set/);
		expect(error.description).toContain('Nothing was sent, so nothing was charged');
		expect(sim.requests).toHaveLength(0);
		const uncapped = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', model, prompt: 'x', waitForCompletion: false } });
		expect(uncapped.status).toBe('success');
		expect(uncapped.items[0].json.estimatedCost).toBeNull();
	});

	it("the Model list shows the gateway's newer models as not known to the node, with what is reported of them marked secondhand", async () => {
		const credential = credentialsFor(sim).aiHubMixApi;
		const context = {
			getCurrentNodeParameter: (name: string) => (name === 'provider' ? 'aihubmix' : undefined),
			getCredentials: async () => credential,
			helpers: {
				httpRequestWithAuthentication: async (_type: string, options: { url: string }) => {
					const response = await fetch(options.url, { headers: { authorization: `Bearer ${credential.apiKey}` } });
					return { statusCode: response.status, headers: {}, body: await response.json() };
				},
			},
		} as unknown as ILoadOptionsFunctions;
		const options = await getModels.call(context);
		const described = (id: string) => options.find((option) => option.value === id)?.description;
		expect(described('doubao-seedance-2-5-260628')).toBe(
			'Seedance 2.5, listed by AIHubMix; not known to this node, so its limits are left to AIHubMix (reported, secondhand: 4–30 s, 480p and 720p, up to 30 images, 10 videos and 10 audios, audio-only references allowed)',
		);
		expect(described('doubao-seedance-2-1-preview-261001')).toBe('Listed by AIHubMix; not known to this node, so its limits are left to AIHubMix');
		expect(described('doubao-seedance-1-5-pro-251215')).toBe('Seedance 1.5 pro: 4–12 s; Resolutions: 480p, 720p, 1080p');
		for (const option of options) expect(option.description).not.toContain('widest');
	});
});

describe("point 2: each model's own limits, once, on every gateway that sells it", () => {
	it('one family for the same model on every gateway, each gateway adding only its own', () => {
		const two = familyOf(['tokenhub'], 'doubao-seedance-2.0');
		expect(two?.name).toBe('Seedance 2.0');
		expect(familyOf(['aihubmix'], 'doubao-seedance-2-0-260128')).toBe(two);
		expect(familyOf(['byteplus'], 'dreamina-seedance-2-0-260128')).toBe(two);
		expect(familyOf(['volcengine'], 'doubao-seedance-2-0-260128')).toBe(two);
		const spec = (gateway: string, id: string) => GATEWAYS.find((candidate) => candidate.name === gateway)!.capabilities.models.find((model) => model.id === id)!;
		// The family's 4–15 s within each gateway's range; the resolutions each gateway offers for it.
		expect(spec('tokenhub', 'doubao-seedance-2.0')).toMatchObject({ family: 'Seedance 2.0', duration: { min: 4, max: 15 }, resolutions: ['480p', '720p'], referenceImages: 9 });
		expect(spec('aihubmix', 'doubao-seedance-2-0-260128')).toMatchObject({ family: 'Seedance 2.0', duration: { min: 4, max: 15 }, resolutions: ['480p', '720p'], referenceImages: 9 });
		expect(spec('ark', 'dreamina-seedance-2-0-260128')).toMatchObject({ family: 'Seedance 2.0', duration: { min: 4, max: 15 }, resolutions: ['480p', '720p', '1080p'], referenceImages: 9 });
		expect(spec('aihubmix', 'doubao-seedance-1-5-pro-251215')).toEqual(spec('ark', 'doubao-seedance-1-5-pro-251215'));
		// Every model a gateway lists is one of the families, and every family ID a gateway sells is listed.
		for (const gateway of GATEWAYS) {
			for (const model of gateway.capabilities.models) expect(FAMILIES.map((family) => family.name)).toContain(model.family);
		}
	});

	/** Every 1.x model each gateway sells, by its own ID. */
	const ONE_X: Array<[GatewayName, string]> = [
		['aihubmix', 'doubao-seedance-1-5-pro-251215'],
		['aihubmix', 'doubao-seedance-1-0-pro-250528'],
		['aihubmix', 'doubao-seedance-1-0-pro-fast-251015'],
		...['seedance-1-5-pro-251215', 'seedance-1-0-pro-250528', 'seedance-1-0-pro-fast-251015', 'seedance-1-0-lite-t2v-250428'].map((id): [GatewayName, string] => ['ark', id]),
		...['doubao-seedance-1-5-pro-251215', 'doubao-seedance-1-0-pro-250528', 'doubao-seedance-1-0-pro-fast-251015', 'doubao-seedance-1-0-lite-t2v-250428'].map((id): [GatewayName, string] => ['ark', id]),
	];

	it('those are all the models without reference images that any gateway sells (none on TokenHub)', () => {
		const sold = GATEWAYS.flatMap((gateway) =>
			gateway.capabilities.models.filter((model) => model.referenceImages === 0).map((model) => [gateway.name, model.id]),
		);
		expect(sold).toEqual(ONE_X);
	});

	it.each(ONE_X)('%s: %s with a reference image is refused before any request', async (provider, model) => {
		const run = await runSeedance({ sim, provider, parameters: { operation: 'create', model, prompt: 'Keep the character', media: { items: [url('reference_image')] } } });
		const error = run.nodeError('Seedance') as NodeError;
		expect(error.message).toMatch(new RegExp(`^Item 0 cannot be sent to ${getGateway(provider).displayName}`));
		expect(error.message).toContain(`which ${model} does not take`);
		expect(error.description).toContain('Nothing was sent, so nothing was charged');
		expect(sim.requests).toHaveLength(0);
	});

	it('the simulated AIHubMix refuses that request itself, in the upstream words (a reference merged past the check)', async () => {
		const content = [
			{ type: 'text', text: 'Keep the character' },
			{ type: 'image_url', image_url: { url: 'https://example.com/hero.jpg' }, role: 'reference_image' },
		];
		const run = await runSeedance({
			sim,
			provider: 'aihubmix',
			parameters: { operation: 'create', model: 'doubao-seedance-1-5-pro-251215', prompt: 'Keep the character', additionalFields: { additionalBodyFields: JSON.stringify({ content }) } },
		});
		const error = run.nodeError('Seedance') as NodeError;
		expect(error.message).toContain('AIHubMix answered 400 while creating the task: The parameter task_type specified in the request is not valid: the specified task_type r2v does not support model doubao-seedance-1-5-pro');
		expect(error.description).toContain('nothing was charged');
		expect(sim.createRequests('aihubmix')).toHaveLength(1);
		expect(sim.tasks.size).toBe(0);
	});

	it.each<[GatewayName, string]>([
		['tokenhub', 'doubao-seedance-2.0'],
		['aihubmix', 'doubao-seedance-2-0-260128'],
		['ark', 'dreamina-seedance-2-0-260128'],
	])('%s: 3 s on Seedance 2.0 (%s, 4–15 s) is refused before any request', async (provider, model) => {
		const run = await runSeedance({ sim, provider, parameters: { operation: 'create', model, prompt: 'Short', duration: 3 } });
		expect((run.nodeError('Seedance') as NodeError).message).toContain('Duration (Seconds) must be between 4 and 15 seconds');
		expect(sim.requests).toHaveLength(0);
	});
});

describe("point 3: AIHubMix's wire shape and answers, as its own client has them", () => {
	it('the prompt goes first in content as a text entry, then the media, also for text-to-video', async () => {
		const text = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'A red fox in snow', waitForCompletion: false } });
		expect(text.status).toBe('success');
		expect(createBody('aihubmix')).toMatchObject({ prompt: 'A red fox in snow', content: [{ type: 'text', text: 'A red fox in snow' }] });
		const media = await runSeedance({
			sim,
			provider: 'aihubmix',
			parameters: { operation: 'create', prompt: 'The fox turns', media: { items: [url('first_frame'), url('last_frame')] }, waitForCompletion: false },
		});
		expect(media.status).toBe('success');
		expect(createBody('aihubmix', 1)).toMatchObject({
			prompt: 'The fox turns',
			content: [
				{ type: 'text', text: 'The fox turns' },
				{ type: 'image_url', image_url: { url: 'https://example.com/first_frame' }, role: 'first_frame' },
				{ type: 'image_url', image_url: { url: 'https://example.com/last_frame' }, role: 'last_frame' },
			],
		});
	});

	it('the simulated AIHubMix takes exactly the shapes a source shows', async () => {
		const post = async (body: IDataObject) => {
			const response = await fetch(`${sim.aihubmixBaseUrl}/videos`, {
				method: 'POST',
				headers: { authorization: `Bearer ${sim.aihubmixKey}`, 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
			return { status: response.status, error: ((await response.json()) as { error?: { message: string; code: string } }).error };
		};
		const model = 'doubao-seedance-2-0-260128';
		const image = { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' }, role: 'first_frame' };
		const text = (value: string) => ({ type: 'text', text: value });
		// The guide's shapes, and the one AIHubMix's own client sends.
		expect((await post({ model, prompt: 'p' })).status).toBe(200);
		expect((await post({ model, prompt: 'p', content: [image] })).status).toBe(200);
		expect((await post({ model, prompt: 'p', content: [text('p'), image] })).status).toBe(200);
		// Shapes no source shows.
		expect(await post({ model, prompt: 'p', content: [image, text('p')] })).toMatchObject({ status: 400, error: { code: 'invalid_parameter', message: expect.stringContaining('must be the first entry') } });
		expect(await post({ model, prompt: 'p', content: [text('other'), image] })).toMatchObject({ status: 400, error: { message: 'content[0].text must repeat the prompt' } });
		expect(await post({ model, content: [text('p'), image] })).toMatchObject({ status: 400, error: { code: 'prompt_missing' } });
		expect(sim.tasks.size).toBe(3);
	});

	it("reads a task as AIHubMix's own client does: data.status, data.task_id, data.video_url, unsigned_urls[0], failure_reason", () => {
		expect(aiHubMixGateway.parseTask({ data: { task_id: 't2', status: 'completed', video_url: 'https://cdn.example.com/a.mp4' } })).toMatchObject({
			taskId: 't2',
			status: 'succeeded',
			gatewayStatus: 'completed',
			videoUrl: 'https://cdn.example.com/a.mp4',
		});
		expect(aiHubMixGateway.parseTask({ id: 'v1', status: 'in_progress' })).toMatchObject({ taskId: 'v1', status: 'running', videoUrl: null });
		expect(aiHubMixGateway.parseTask({ id: 'v1', status: 'completed', unsigned_urls: ['https://cdn.example.com/b.mp4'] }).videoUrl).toBe('https://cdn.example.com/b.mp4');
		expect(aiHubMixGateway.parseTask({ id: 'v1', status: 'failed', failure_reason: 'nope' })).toMatchObject({ status: 'failed', errorMessage: 'nope' });
	});

	it.each(['data.video_url', 'unsigned_urls'])('a finished task whose video URL is under %s is downloaded from that URL', async (at) => {
		const run = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: `Waves [sim:url-at=${at}]`, options: FAST_OPTIONS } });
		expect(run.status).toBe('success');
		expect(run.items[0].json.videoUrl).toMatch(new RegExp(`^${sim.cdnOrigin}/aihubmix/videos/`));
		expect((await run.binaryBuffer(run.items[0].binary!.data)).equals(sim.mp4)).toBe(true);
		expect(sim.cdnRequests()).toHaveLength(1);
		expect(sim.gatewayRequests('aihubmix').filter((request) => request.path.endsWith('/content'))).toHaveLength(0);
	});

	it('an inline video URL that fails (403, expired) falls back to /videos/{id}/content, with the key', async () => {
		sim.set({ aihubmixInlineVideoUrl: true });
		sim.injectFault({ server: 'cdn', pathIncludes: '/aihubmix/videos/', status: 403, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>' });
		const run = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Clouds', options: FAST_OPTIONS } });
		expect(run.nodeError('Seedance')?.message).toBeUndefined();
		expect((await run.binaryBuffer(run.items[0].binary!.data)).equals(sim.mp4)).toBe(true);
		expect(sim.cdnRequests().map((request) => request.headers.authorization)).toEqual([undefined]);
		const content = sim.gatewayRequests('aihubmix').filter((request) => request.path.endsWith('/content'));
		expect(content.map((request) => request.headers.authorization)).toEqual([`Bearer ${sim.aihubmixKey}`]);
	});

	it('when /content fails too, the error says both failed', async () => {
		sim.set({ aihubmixInlineVideoUrl: true });
		sim.injectFault({ server: 'cdn', pathIncludes: '/aihubmix/videos/', status: 403, body: 'expired' });
		sim.injectFault({ gateway: 'aihubmix', method: 'GET', pathIncludes: '/content', status: 404, body: { error: { message: 'video not found' } } });
		const run = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Clouds', options: FAST_OPTIONS } });
		const error = run.nodeError('Seedance') as NodeError;
		expect(error.message).toContain('Could not download the video of task');
		expect(error.message).toContain('HTTP 404');
		expect(error.description).toContain("The task's own video URL failed first (HTTP 403).");
	});

	const noChannel = { error: { message: 'no_valid_channel_error (tid: 2026053101460281782277174636336)', type: 'Aihubmix_api_error' }, type: 'error' };

	it('a create answered 500 no_valid_channel_error made no task: a refusal, nothing charged, and Retry On Fail sends it again', async () => {
		sim.injectFault({ gateway: 'aihubmix', method: 'POST', pathIncludes: '/videos', status: 500, body: noChannel });
		const refused = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Routed', waitForCompletion: false } });
		const error = refused.nodeError('Seedance') as NodeError;
		expect(error.message).toBe('AIHubMix answered 500 while creating the task: no_valid_channel_error (tid: 2026053101460281782277174636336)');
		expect(error.message).not.toContain('outcome is unknown');
		expect(error.description).toContain('AIHubMix found no channel that serves this model');
		expect(error.description).toContain('No task was created, so nothing was charged.');

		sim.reset();
		sim.injectFault({ gateway: 'aihubmix', method: 'POST', pathIncludes: '/videos', status: 500, body: noChannel });
		const retried = await runSeedance({
			sim,
			provider: 'aihubmix',
			settings: { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 },
			parameters: { operation: 'create', prompt: 'Routed', waitForCompletion: false },
		});
		expect(retried.status).toBe('success');
		expect(sim.createRequests('aihubmix')).toHaveLength(2);
		expect(sim.tasks.size).toBe(1);
	});

	it('any other 500 on create stays of unknown outcome: never sent again', async () => {
		sim.injectFault({ gateway: 'aihubmix', method: 'POST', pathIncludes: '/videos', status: 500, body: { error: { message: 'upstream timeout', type: 'Aihubmix_api_error' } } });
		const run = await runSeedance({
			sim,
			provider: 'aihubmix',
			settings: { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 },
			parameters: { operation: 'create', prompt: 'Maybe made', waitForCompletion: false },
		});
		expect(run.status).toBe('error');
		expect((run.nodeError('Seedance') as NodeError).message).toContain('was not sent again: an earlier try\'s create request had an unknown outcome (AIHubMix answered 500)');
		expect(sim.createRequests('aihubmix')).toHaveLength(1);
	});
});
