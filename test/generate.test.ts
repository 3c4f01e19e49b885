/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { readFileSync } from 'fs';
import { join } from 'path';

import type { Simulator } from './simulator';
import { startSimulator } from './simulator';
import { FAST_OPTIONS, runSeedance, SEEDANCE_TYPE } from './seedance-run';

/** Text- and image-to-video on both gateways, waited for and downloaded, in a real WorkflowExecute run. */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 20, jobMs: 300 });
});
afterAll(async () => await sim.close());
beforeEach(() => {
	sim.reset();
	sim.set({ aihubmixInlineVideoUrl: false, jobMs: 300 });
});

const PNG = readFileSync(join(__dirname, 'simulator/fixtures/frame.png'));

describe.each(['tokenhub', 'aihubmix'] as const)('%s', (provider) => {
	it('text-to-video: creates, waits, and returns the MP4 as binary data', async () => {
		const run = await runSeedance({
			sim,
			provider,
			parameters: { operation: 'create', prompt: 'A red fox runs through snow', options: FAST_OPTIONS },
		});
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(1);
		const [item] = run.items;
		expect(item.json).toMatchObject({ provider, status: 'succeeded', timedOut: false, errorCode: null });
		expect(typeof item.json.taskId).toBe('string');
		expect(sim.tasks.has(item.json.taskId as string)).toBe(true);
		expect(item.pairedItem).toEqual({ item: 0 });

		const binary = item.binary?.data;
		expect(binary).toBeDefined();
		expect(binary!.mimeType).toBe('video/mp4');
		expect(binary!.fileName).toMatch(new RegExp(`^seedance-${provider}-[0-9a-f]{12}\\.mp4$`));
		const bytes = await run.binaryBuffer(binary!);
		expect(bytes.equals(sim.mp4)).toBe(true);
		expect(bytes.subarray(4, 8).toString()).toBe('ftyp');
		expect(sim.createRequests(provider)).toHaveLength(1);
	});

	it('image-to-video from a URL: sends the first frame in the content array with its role', async () => {
		const run = await runSeedance({
			sim,
			provider,
			parameters: {
				operation: 'create',
				prompt: 'The cat turns to the camera',
				media: { items: [{ role: 'first_frame', source: 'url', url: 'https://example.com/cat.png' }] },
				options: FAST_OPTIONS,
			},
		});
		expect(run.status).toBe('success');
		const [create] = sim.createRequests(provider);
		expect((create.body as { content: unknown }).content).toEqual([
			// AIHubMix gets the prompt first, as its own client sends it (gateways/aihubmix.ts).
			...(provider === 'aihubmix' ? [{ type: 'text', text: 'The cat turns to the camera' }] : []),
			{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' }, role: 'first_frame' },
		]);
		expect(run.items[0].json.status).toBe('succeeded');
	});

	it('image-to-video from a binary input: sends it as a base64 data URL', async () => {
		const run = await runSeedance({
			sim,
			provider,
			binary: [{ itemIndex: 0, property: 'photo', base64: PNG.toString('base64'), mimeType: 'image/png', fileName: 'frame.png' }],
			parameters: {
				operation: 'create',
				prompt: 'Slow zoom into the picture',
				media: { items: [{ role: 'first_frame', source: 'binary', binaryProperty: 'photo' }] },
				options: FAST_OPTIONS,
			},
		});
		expect(run.status).toBe('success');
		const body = sim.createRequests(provider)[0].body as { content: Array<{ image_url?: { url: string } }> };
		expect(body.content.find((entry) => entry.image_url)?.image_url?.url).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
	});

	it('Create without waiting returns the task id at once; a separate Wait node finishes it', async () => {
		const run = await runSeedance({
			sim,
			provider,
			parameters: { operation: 'create', prompt: 'Clouds over a lake', waitForCompletion: false },
			after: [
				{
					name: 'Wait For Video',
					type: SEEDANCE_TYPE,
					parameters: {
						provider,
						operation: 'wait',
						taskId: '={{ $json.taskId }}',
						options: { ...FAST_OPTIONS, binaryPropertyName: 'video' },
					},
				},
			],
		});
		expect(run.status).toBe('success');
		const [created] = run.items;
		expect(['queued', 'running']).toContain(created.json.status);
		expect(created.binary).toBeUndefined();
		const [waited] = run.output('Wait For Video');
		expect(waited.json).toMatchObject({ taskId: created.json.taskId, status: 'succeeded' });
		expect((await run.binaryBuffer(waited.binary!.video)).equals(sim.mp4)).toBe(true);
		expect(waited.pairedItem).toEqual({ item: 0 });
	});

	it('Get checks a task once, and downloads it when it is ready', async () => {
		const created = await runSeedance({
			sim,
			provider,
			parameters: { operation: 'create', prompt: 'A lighthouse at night', waitForCompletion: false },
		});
		const taskId = created.items[0].json.taskId as string;
		const early = await runSeedance({ sim, provider, parameters: { operation: 'get', taskId } });
		expect(['queued', 'running']).toContain(early.items[0].json.status);
		expect(early.items[0].binary).toBeUndefined();

		sim.requests.length = 0;
		await new Promise((resolve) => setTimeout(resolve, 400));
		const late = await runSeedance({ sim, provider, parameters: { operation: 'get', taskId } });
		expect(late.items[0].json.status).toBe('succeeded');
		expect((await late.binaryBuffer(late.items[0].binary!.data)).equals(sim.mp4)).toBe(true);
		expect(sim.gatewayRequests(provider).filter((r) => r.method === 'GET' && !r.path.endsWith('/content'))).toHaveLength(1);
	});

	it('a failed task stops the workflow with its code, message and task id', async () => {
		const run = await runSeedance({
			sim,
			provider,
			parameters: { operation: 'create', prompt: 'Something forbidden [sim:fail]', options: FAST_OPTIONS },
		});
		expect(run.status).toBe('error');
		const error = run.nodeError('Seedance')!;
		const taskId = [...sim.tasks.keys()][0];
		expect(error.message).toContain(taskId);
		expect(error.message).toContain('OutputVideoSensitiveContentDetected.PolicyViolation');
		expect(error.message).toContain('failed');
	});

	it('under Continue On Fail, a failed task becomes an item with its id and status, and other items go on', async () => {
		const run = await runSeedance({
			sim,
			provider,
			continueOnFail: true,
			items: [{ prompt: 'A calm sea [sim:fail]' }, { prompt: 'A busy street' }],
			parameters: { operation: 'create', prompt: '={{ $json.prompt }}', options: FAST_OPTIONS },
		});
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(2);
		const [failed, ok] = run.items;
		expect(failed.json).toMatchObject({ status: 'failed', errorCode: 'OutputVideoSensitiveContentDetected.PolicyViolation' });
		expect(sim.tasks.has(failed.json.taskId as string)).toBe(true);
		expect(String(failed.json.error)).toContain(failed.json.taskId as string);
		expect(failed.pairedItem).toEqual({ item: 0 });
		expect(ok.json.status).toBe('succeeded');
		expect(ok.pairedItem).toEqual({ item: 1 });
		expect(ok.binary?.data).toBeDefined();
	});
});

describe('request bodies follow each gateway guide', () => {
	it('TokenHub: aspect_ratio, generate_audio on by default, video_durations for reference videos', async () => {
		const run = await runSeedance({
			sim,
			provider: 'tokenhub',
			parameters: {
				operation: 'create',
				model: 'doubao-seedance-2.0-fast',
				prompt: 'Follow the camera move of the clip',
				duration: 6,
				resolution: '480p',
				ratio: '9:16',
				media: {
					items: [
						{ role: 'reference_image', source: 'url', url: 'https://example.com/hero.jpg' },
						{ role: 'reference_video', source: 'url', url: 'https://example.com/move.mp4', durationSeconds: 5 },
					],
				},
				waitForCompletion: false,
			},
		});
		expect(run.status).toBe('success');
		expect(sim.createRequests('tokenhub')[0].body).toEqual({
			model: 'doubao-seedance-2.0-fast',
			prompt: 'Follow the camera move of the clip',
			duration: 6,
			resolution: '480p',
			aspect_ratio: '9:16',
			generate_audio: true,
			watermark: false,
			content: [
				{ type: 'image_url', image_url: { url: 'https://example.com/hero.jpg' }, role: 'reference_image' },
				{ type: 'video_url', video_url: { url: 'https://example.com/move.mp4' }, role: 'reference_video' },
			],
			video_durations: [5],
		});
	});

	it("AIHubMix: its own example (first + last frame, reference video and audio) is accepted, sent as AIHubMix's own client sends it", async () => {
		const run = await runSeedance({
			sim,
			provider: 'aihubmix',
			parameters: {
				operation: 'create',
				model: 'doubao-seedance-2-0-260128',
				prompt: 'Use the first-person POV framing from Video 1 throughout',
				duration: 11,
				ratio: '16:9',
				generateAudio: true,
				media: {
					items: [
						{ role: 'first_frame', source: 'url', url: 'https://example.com/apple-pick.jpg' },
						{ role: 'last_frame', source: 'url', url: 'https://example.com/final-product.jpg' },
						{ role: 'reference_video', source: 'url', url: 'https://example.com/pov-style.mp4' },
						{ role: 'reference_audio', source: 'url', url: 'https://example.com/bg-music.mp3' },
					],
				},
				additionalFields: { returnLastFrame: true, seed: 42, additionalBodyFields: '{"callback_url": "https://example.com/hook"}' },
				waitForCompletion: false,
			},
		});
		expect(run.status).toBe('success');
		expect(sim.createRequests('aihubmix')[0].body).toEqual({
			model: 'doubao-seedance-2-0-260128',
			prompt: 'Use the first-person POV framing from Video 1 throughout',
			duration: 11,
			ratio: '16:9',
			resolution: '720p',
			generate_audio: true,
			watermark: false,
			return_last_frame: true,
			seed: 42,
			callback_url: 'https://example.com/hook',
			content: [
				{ type: 'text', text: 'Use the first-person POV framing from Video 1 throughout' },
				{ type: 'image_url', image_url: { url: 'https://example.com/apple-pick.jpg' }, role: 'first_frame' },
				{ type: 'image_url', image_url: { url: 'https://example.com/final-product.jpg' }, role: 'last_frame' },
				{ type: 'video_url', video_url: { url: 'https://example.com/pov-style.mp4' }, role: 'reference_video' },
				{ type: 'audio_url', audio_url: { url: 'https://example.com/bg-music.mp3' }, role: 'reference_audio' },
			],
		});
	});

	it('AIHubMix: returns the last frame URL when asked, to chain into the next video', async () => {
		const run = await runSeedance({
			sim,
			provider: 'aihubmix',
			parameters: {
				operation: 'create',
				prompt: 'A paper boat drifts',
				additionalFields: { returnLastFrame: true },
				options: FAST_OPTIONS,
			},
		});
		expect(run.status).toBe('success');
		expect(run.items[0].json.lastFrameUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/aihubmix\/frames\/.+\.png\?X-Amz-Expires=\d+&X-Amz-Signature=\w+$/);
	});

	it('a model id typed by hand (a newer model) is sent as is', async () => {
		const run = await runSeedance({
			sim,
			provider: 'tokenhub',
			parameters: { operation: 'create', model: '={{ "doubao-seedance-2.0" }}', prompt: 'Rain', waitForCompletion: false },
		});
		expect(run.status).toBe('success');
		expect((sim.createRequests('tokenhub')[0].body as { model: string }).model).toBe('doubao-seedance-2.0');
	});
});

describe('downloads', () => {
	it('AIHubMix without a video URL: fetched from /videos/{id}/content with the key', async () => {
		const run = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Dunes', options: FAST_OPTIONS } });
		expect(run.status).toBe('success');
		const content = sim.gatewayRequests('aihubmix').filter((request) => request.path.endsWith('/content'));
		expect(content).toHaveLength(1);
		expect(content[0].headers.authorization).toBe(`Bearer ${sim.aihubmixKey}`);
		expect(sim.cdnRequests()).toHaveLength(0);
	});

	it('a video URL on another host is fetched without the key', async () => {
		sim.set({ aihubmixInlineVideoUrl: true });
		for (const provider of ['tokenhub', 'aihubmix'] as const) {
			const run = await runSeedance({ sim, provider, parameters: { operation: 'create', prompt: 'Fjords', options: FAST_OPTIONS } });
			expect(run.status).toBe('success');
			expect((await run.binaryBuffer(run.items[0].binary!.data)).equals(sim.mp4)).toBe(true);
		}
		const cdn = sim.cdnRequests();
		expect(cdn.length).toBeGreaterThanOrEqual(2);
		for (const request of cdn) expect(request.headers.authorization).toBeUndefined();
	});

	it('Download Video off: no binary, the URL is in the output', async () => {
		const run = await runSeedance({
			sim,
			provider: 'tokenhub',
			parameters: { operation: 'create', prompt: 'Leaves', options: { ...FAST_OPTIONS, downloadVideo: false } },
		});
		expect(run.items[0].binary).toBeUndefined();
		expect(run.items[0].json.videoUrl).toMatch(/\/tokenhub\/videos\/.+\.mp4\?X-Amz-Expires=\d+&X-Amz-Signature=\w+$/);
		expect(sim.cdnRequests()).toHaveLength(0);
	});

	it('an expired video URL (403) gives an error that keeps the task id and explains the 24 h expiry', async () => {
		sim.injectFault({ server: 'cdn', status: 403, body: 'AccessDenied' });
		const run = await runSeedance({ sim, provider: 'tokenhub', continueOnFail: true, parameters: { operation: 'create', prompt: 'Old', options: FAST_OPTIONS } });
		const [item] = run.items;
		expect(item.json.status).toBe('succeeded');
		expect(String(item.json.error)).toContain(item.json.taskId as string);
		expect(String(item.json.error)).toContain('403');
		expect(run.items[0].binary).toBeUndefined();
	});
});
