/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
// Proves the gateway simulator itself behaves as the TokenHub / AIHubMix docs
// describe, so node tests can trust it.

import { startSimulator } from './index';
import type { Simulator, SimTask } from './index';
import { signPath } from './core';

/** A presigned storage URL for `url`: its signature query, and nothing after it. */
const presigned = (url: string) => new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?X-Amz-Expires=\\d+&X-Amz-Signature=[0-9a-f]{32}$`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sleeps until `ms` after the task was created (wall clock drives status). */
async function until(task: SimTask, ms: number): Promise<void> {
	await sleep(Math.max(0, task.createdAt + ms - Date.now()));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- gateway answers, read field by field in asserts
type Json = Record<string, any>;

describe('gateway simulator', () => {
	let sim: Simulator;
	const th = (key?: string) => ({
		'Content-Type': 'application/json',
		Authorization: `Bearer ${key ?? sim.tokenhubKey}`,
	});
	const ahm = (key?: string) => ({
		'Content-Type': 'application/json',
		Authorization: `Bearer ${key ?? sim.aihubmixKey}`,
	});

	async function post(url: string, headers: Record<string, string>, body: unknown) {
		const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
		return { res, json: (await res.json()) as Json };
	}
	async function get(url: string, headers: Record<string, string>) {
		const res = await fetch(url, { headers });
		return { res, json: (await res.json()) as Json };
	}
	const thCreate = (body: Json) => post(`${sim.tokenhubBaseUrl}/videos/generations`, th(), body);
	const thGet = (id: string) => get(`${sim.tokenhubBaseUrl}/videos/generations/${id}`, th());
	const ahmCreate = (body: Json) => post(`${sim.aihubmixBaseUrl}/videos`, ahm(), body);
	const ahmGet = (id: string) => get(`${sim.aihubmixBaseUrl}/videos/${encodeURIComponent(id)}`, ahm());

	beforeAll(async () => {
		sim = await startSimulator({ queuedMs: 40, jobMs: 200 });
	});
	afterAll(async () => {
		await sim.close();
	});
	beforeEach(() => {
		sim.reset();
		sim.set({ queuedMs: 40, jobMs: 200, latencyMs: 0, aihubmixInlineVideoUrl: false });
	});

	test('exposes two gateways on one origin and a CDN on another', () => {
		expect(sim.tokenhubBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tokenhub\/api\/v1$/);
		expect(sim.aihubmixBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/aihubmix\/v1$/);
		expect(new URL(sim.cdnOrigin).origin).not.toBe(new URL(sim.tokenhubBaseUrl).origin);
		expect(sim.tokenhubKey).toBe('th-sim-valid-key');
		expect(sim.aihubmixKey).toBe('sk-sim-valid-key');
		expect(sim.mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
	});

	describe('TokenHub', () => {
		test('queued -> running -> succeeded, then the CDN serves the MP4 without a key', async () => {
			const { res, json } = await thCreate({
				model: 'doubao-seedance-2.0',
				prompt: 'A golden retriever on a beach',
				duration: 6,
				resolution: '720p',
				aspect_ratio: '16:9',
				watermark: false,
			});
			expect(res.status).toBe(200);
			expect(json).toEqual({
				id: expect.any(String),
				object: 'video.generation.task',
				model: 'doubao-seedance-2.0',
				status: 'queued',
				created: expect.any(Number),
			});
			const task = sim.tasks.get(json.id)!;
			expect(task.gateway).toBe('tokenhub');

			expect((await thGet(json.id)).json.status).toBe('queued');
			await until(task, 80);
			expect((await thGet(json.id)).json.status).toBe('running');
			await until(task, 220);
			const done = (await thGet(json.id)).json;
			expect(done.status).toBe('succeeded');
			expect(done.usage).toEqual({ video_duration: 6 });
			expect(done.data[0]).toEqual({
				video_url: expect.stringMatching(presigned(`${sim.cdnOrigin}/tokenhub/videos/${json.id}.mp4`)),
				cover_image_url: expect.stringMatching(presigned(`${sim.cdnOrigin}/tokenhub/covers/${json.id}.jpg`)),
			});
			expect(task.pollCount).toBe(3);

			const video = await fetch(done.data[0].video_url);
			expect(video.status).toBe(200);
			expect(video.headers.get('content-type')).toBe('video/mp4');
			expect(Number(video.headers.get('content-length'))).toBe(sim.mp4.length);
			expect(Buffer.from(await video.arrayBuffer()).equals(sim.mp4)).toBe(true);

			const cover = await fetch(done.data[0].cover_image_url);
			expect(cover.headers.get('content-type')).toBe('image/jpeg');
			expect(Buffer.from(await cover.arrayBuffer()).subarray(0, 2).toString('hex')).toBe('ffd8');

			expect(sim.cdnRequests()).toHaveLength(2);
			for (const r of sim.cdnRequests()) expect(r.headers.authorization).toBeUndefined();
		});

		test('CDN does not serve unfinished or unknown tasks', async () => {
			const { json } = await thCreate({ model: 'doubao-seedance-2.0-fast', prompt: 'x' });
			const signed = (path: string) => `${sim.cdnOrigin}${path}?X-Amz-Signature=${signPath(path)}`;
			expect((await fetch(signed(`/tokenhub/videos/${json.id}.mp4`))).status).toBe(404);
			expect((await fetch(signed('/tokenhub/videos/nope.mp4'))).status).toBe(404);
			// Unsigned, or signed and also carrying a key: refused as presigned storage does.
			expect((await fetch(`${sim.cdnOrigin}/tokenhub/videos/${json.id}.mp4`)).status).toBe(403);
			const both = await fetch(signed(`/tokenhub/videos/${json.id}.mp4`), { headers: { authorization: 'Bearer x' } });
			expect(both.status).toBe(400);
			expect(await both.text()).toContain('Only one auth mechanism allowed');
		});

		test('return_last_frame adds data[0].last_frame_url (a PNG)', async () => {
			sim.set({ jobMs: 20, queuedMs: 5 });
			const { json } = await thCreate({ model: 'doubao-seedance-2.0', prompt: 'x', return_last_frame: true });
			await until(sim.tasks.get(json.id)!, 30);
			const done = (await thGet(json.id)).json;
			expect(done.data[0].last_frame_url).toMatch(presigned(`${sim.cdnOrigin}/tokenhub/frames/${json.id}.png`));
			const png = await fetch(done.data[0].last_frame_url);
			expect(png.headers.get('content-type')).toBe('image/png');
		});

		test('401 on missing or wrong key, and the request is still recorded', async () => {
			const url = `${sim.tokenhubBaseUrl}/videos/generations`;
			const body = JSON.stringify({ model: 'doubao-seedance-2.0', prompt: 'x' });
			const noKey = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
			expect(noKey.status).toBe(401);
			const json = (await noKey.json()) as Json;
			expect(json.error).toMatchObject({ type: 'authentication_error', code: 'AuthenticationError' });
			// The other gateway's valid key is not valid here.
			const wrong = await post(url, th(sim.aihubmixKey), JSON.parse(body));
			expect(wrong.res.status).toBe(401);
			expect((await get(`${sim.tokenhubBaseUrl}/videos/generations/abc`, th('th-bad'))).res.status).toBe(401);
			expect(sim.createRequests('tokenhub')).toHaveLength(2);
			expect(sim.gatewayRequests('tokenhub')).toHaveLength(3);
			expect(sim.tasks.size).toBe(0);
		});

		test.each<[string, Json, string]>([
			['unknown model', { model: 'doubao-seedance-1.0' }, 'model'],
			['missing prompt', { prompt: undefined }, 'prompt'],
			['empty prompt', { prompt: '  ' }, 'prompt'],
			['duration below 4', { duration: 3 }, 'duration'],
			['duration as a string', { duration: '5' }, 'duration'],
			['1080p', { resolution: '1080p' }, 'resolution'],
			['bad aspect ratio', { aspect_ratio: '2:1' }, 'aspect_ratio'],
			['4 video_urls', { video_urls: ['http://a/1', 'http://a/2', 'http://a/3', 'http://a/4'] }, 'video_urls'],
			['ftp url', { image_url: 'ftp://host/x.png' }, 'image_url'],
			[
				'4 videos across content and top level',
				{
					video_urls: ['http://a/1', 'http://a/2', 'http://a/3'],
					content: [{ type: 'video_url', video_url: { url: 'http://a/4' }, role: 'reference_video' }],
				},
				'content',
			],
			[
				'last_frame without first_frame',
				{ content: [{ type: 'image_url', image_url: { url: 'https://a/x.png' }, role: 'last_frame' }] },
				'content',
			],
			['10 images', { image_urls: Array.from({ length: 10 }, (_, i) => `https://a/${i}.png`) }, 'content'],
			[
				'video with an image role',
				{ content: [{ type: 'video_url', video_url: { url: 'https://a/v.mp4' }, role: 'first_frame' }] },
				'content[0].role',
			],
			['generate_audio not boolean', { generate_audio: 'yes' }, 'generate_audio'],
		])('400 for %s', async (_name, patch, param) => {
			const { res, json } = await thCreate({ model: 'doubao-seedance-2.0', prompt: 'x', ...patch });
			expect(res.status).toBe(400);
			expect(json.error).toEqual({
				message: expect.any(String),
				type: 'invalid_request_error',
				code: 'InvalidParameter',
				param,
			});
			expect(sim.tasks.size).toBe(0);
			expect(sim.createRequests('tokenhub')).toHaveLength(1);
		});

		test('accepts unknown fields, data: URLs and a full multimodal request', async () => {
			const { res } = await thCreate({
				model: 'doubao-seedance-2.0',
				prompt: 'x',
				some_future_field: { a: 1 },
				image_url: 'data:image/png;base64,iVBORw0KGgo=',
				audio_urls: ['https://a/1.mp3'],
				video_durations: [3, 5],
				content: [
					{ type: 'image_url', image_url: { url: 'https://a/f.png' }, role: 'first_frame' },
					{ type: 'image_url', image_url: { url: 'https://a/l.png' }, role: 'last_frame' },
					{ type: 'video_url', video_url: { url: 'https://a/1.mp4' }, role: 'reference_video' },
					{ type: 'video_url', video_url: { url: 'https://a/2.mp4' }, role: 'reference_video' },
				],
			});
			expect(res.status).toBe(200);
		});

		test('unknown task id -> 404 envelope', async () => {
			const { res, json } = await thGet('does-not-exist');
			expect(res.status).toBe(404);
			expect(json).toEqual({ error: { message: 'task not found', type: 'invalid_request_error', code: 'NotFound' } });
		});

		test('[sim:fail] and [sim:expire] steer single tasks; [sim:ms] sets their clock', async () => {
			const fail = (await thCreate({ model: 'doubao-seedance-2.0', prompt: 'a [sim:fail] [sim:ms=30]' })).json;
			const expire = (await thCreate({ model: 'doubao-seedance-2.0', prompt: 'b [sim:expire] [sim:ms=30]' })).json;
			const ok = (await thCreate({ model: 'doubao-seedance-2.0', prompt: 'c' })).json;
			expect(sim.tasks.get(fail.id)!.jobMs).toBe(30);
			await until(sim.tasks.get(expire.id)!, 45);
			expect((await thGet(fail.id)).json).toMatchObject({
				status: 'failed',
				error: {
					code: 'OutputVideoSensitiveContentDetected.PolicyViolation',
					message: 'The generated video may contain sensitive content.',
				},
			});
			expect((await thGet(expire.id)).json.status).toBe('expired');
			expect((await thGet(ok.id)).json.status).toBe('running');
		});
	});

	describe('AIHubMix', () => {
		const docExample = {
			model: 'doubao-seedance-2-0-260128',
			prompt: 'First-person fruit tea commercial.',
			content: [
				{ type: 'image_url', image_url: { url: 'https://example.com/apple-pick.jpg' }, role: 'first_frame' },
				{ type: 'image_url', image_url: { url: 'https://example.com/final-product.jpg' }, role: 'last_frame' },
				{ type: 'video_url', video_url: { url: 'https://example.com/pov-style.mp4' }, role: 'reference_video' },
				{ type: 'audio_url', audio_url: { url: 'https://example.com/bg-music.mp3' }, role: 'reference_audio' },
			],
			ratio: '16:9',
			duration: 11,
			generate_audio: true,
			watermark: false,
		};

		test('accepts the documented example; queued -> in_progress -> completed; /content serves the MP4', async () => {
			const { res, json } = await ahmCreate(docExample);
			expect(res.status).toBe(200);
			expect(json).toEqual({
				id: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
				object: 'video',
				model: 'doubao-seedance-2-0-260128',
				status: 'queued',
				progress: 0,
				created_at: expect.any(Number),
				seconds: '11',
				size: '720p',
			});
			const task = sim.tasks.get(json.id)!;
			const contentUrl = `${sim.aihubmixBaseUrl}/videos/${json.id}/content`;

			const early = await fetch(contentUrl, { headers: ahm() });
			expect(early.status).toBe(409);
			expect(((await early.json()) as Json).error.code).toBe('video_not_ready');

			await until(task, 120);
			const mid = (await ahmGet(json.id)).json;
			expect(mid.status).toBe('in_progress');
			expect(mid.progress).toBeGreaterThan(0);
			expect(mid.progress).toBeLessThan(100);

			await until(task, 220);
			const done = (await ahmGet(json.id)).json;
			expect(done).toMatchObject({ status: 'completed', progress: 100 });
			expect(done.expires_at - done.completed_at).toBe(86400);
			expect(done.video_url).toBeUndefined();
			expect(done.last_frame_url).toBeUndefined();

			const noKey = await fetch(contentUrl);
			expect(noKey.status).toBe(401);
			expect(await noKey.json()).toEqual({
				error: { message: 'Invalid token', type: 'authentication_error', param: null, code: null },
			});
			const video = await fetch(contentUrl, { headers: { Authorization: `Bearer ${sim.aihubmixKey}` } });
			expect(video.status).toBe(200);
			expect(video.headers.get('content-type')).toBe('video/mp4');
			expect(Number(video.headers.get('content-length'))).toBe(sim.mp4.length);
			expect(Buffer.from(await video.arrayBuffer()).equals(sim.mp4)).toBe(true);
		});

		test('inline video_url knob and return_last_frame point at the CDN', async () => {
			sim.set({ aihubmixInlineVideoUrl: true, jobMs: 20, queuedMs: 5 });
			const { json } = await ahmCreate({ model: 'doubao-seedance-1-0-pro-250528', prompt: 'x', resolution: '1080p', return_last_frame: true });
			await until(sim.tasks.get(json.id)!, 30);
			const done = (await ahmGet(json.id)).json;
			expect(done.size).toBe('1080p');
			expect(done.video_url).toMatch(presigned(`${sim.cdnOrigin}/aihubmix/videos/${json.id}.mp4`));
			expect(done.last_frame_url).toMatch(presigned(`${sim.cdnOrigin}/aihubmix/frames/${json.id}.png`));
			const bytes = Buffer.from(await (await fetch(done.video_url)).arrayBuffer());
			expect(bytes.equals(sim.mp4)).toBe(true);
			expect((await fetch(done.last_frame_url)).headers.get('content-type')).toBe('image/png');
			expect(sim.cdnRequests().every((r) => r.headers.authorization === undefined)).toBe(true);
		});

		test.each<[string, Json, string, string]>([
			['unknown model', { model: 'doubao-seedance-2.0' }, 'model', 'invalid_parameter'],
			['missing prompt', { prompt: '' }, 'prompt', 'prompt_missing'],
			['prompt over 4000 chars', { prompt: 'a'.repeat(4001) }, 'prompt', 'prompt_too_long'],
			['1080p on 2.0', { resolution: '1080p' }, 'resolution', 'size_not_supported'],
			['pixel resolution', { resolution: '1280x720' }, 'resolution', 'size_not_supported'],
			['fractional duration', { duration: 2.5 }, 'duration', 'invalid_parameter'],
			['duration 16', { duration: 16 }, 'duration', 'invalid_parameter'],
			['ratio adaptive', { ratio: 'adaptive' }, 'ratio', 'invalid_parameter'],
			['seed not an integer', { seed: 1.5 }, 'seed', 'invalid_parameter'],
			[
				'4 audios',
				{ content: Array.from({ length: 4 }, (_, i) => ({ type: 'audio_url', audio_url: { url: `https://a/${i}.mp3` }, role: 'reference_audio' })) },
				'content',
				'invalid_parameter',
			],
		])('400 for %s', async (_name, patch, param, code) => {
			const { res, json } = await ahmCreate({ model: 'doubao-seedance-2-0-fast-260128', prompt: 'x', ...patch });
			expect(res.status).toBe(400);
			expect(json.error).toEqual({ message: expect.any(String), type: 'invalid_request_error', param, code });
		});

		test('prompt of exactly 4000 chars is accepted', async () => {
			expect((await ahmCreate({ model: 'doubao-seedance-2-0-260128', prompt: 'a'.repeat(4000) })).res.status).toBe(200);
		});

		test('unknown id -> 404 (status and content); DELETE removes the task', async () => {
			expect((await ahmGet('nope')).res.status).toBe(404);
			expect((await fetch(`${sim.aihubmixBaseUrl}/videos/nope/content`, { headers: ahm() })).status).toBe(404);
			const { json } = await ahmCreate({ model: 'doubao-seedance-2-0-260128', prompt: 'x' });
			const del = await fetch(`${sim.aihubmixBaseUrl}/videos/${json.id}`, { method: 'DELETE', headers: ahm() });
			expect(await del.json()).toEqual({ id: json.id, object: 'video.deleted', deleted: true });
			expect((await ahmGet(json.id)).res.status).toBe(404);
		});

		test('[sim:fail] -> failed with the policy error; [sim:expire] -> failed/expired', async () => {
			const f = (await ahmCreate({ model: 'doubao-seedance-2-0-260128', prompt: '[sim:fail][sim:ms=10]' })).json;
			const e = (await ahmCreate({ model: 'doubao-seedance-2-0-260128', prompt: '[sim:expire][sim:ms=10]' })).json;
			await until(sim.tasks.get(e.id)!, 20);
			expect((await ahmGet(f.id)).json).toMatchObject({
				status: 'failed',
				error: { code: 'OutputVideoSensitiveContentDetected.PolicyViolation' },
			});
			expect((await ahmGet(e.id)).json).toMatchObject({ status: 'failed', error: { code: 'expired' } });
			const content = await fetch(`${sim.aihubmixBaseUrl}/videos/${f.id}/content`, { headers: ahm() });
			expect(content.status).toBe(409);
		});
	});

	describe('large videos', () => {
		test('[sim:size=N] pads the MP4 with a trailing free box, streamed', async () => {
			sim.set({ jobMs: 5, queuedMs: 0, aihubmixInlineVideoUrl: true });
			const size = 3 * 1024 * 1024 + 123;
			const { json } = await ahmCreate({ model: 'doubao-seedance-2-0-260128', prompt: `big [sim:size=${size}]` });
			await until(sim.tasks.get(json.id)!, 10);
			for (const url of [(await ahmGet(json.id)).json.video_url, `${sim.aihubmixBaseUrl}/videos/${json.id}/content`]) {
				const res = await fetch(url, { headers: url.startsWith(sim.cdnOrigin) ? {} : ahm() });
				expect(Number(res.headers.get('content-length'))).toBe(size);
				const bytes = Buffer.from(await res.arrayBuffer());
				expect(bytes.length).toBe(size);
				expect(bytes.subarray(0, sim.mp4.length).equals(sim.mp4)).toBe(true);
				const box = bytes.subarray(sim.mp4.length, sim.mp4.length + 8);
				expect(box.readUInt32BE(0)).toBe(size - sim.mp4.length);
				expect(box.subarray(4).toString('latin1')).toBe('free');
				expect(bytes.subarray(sim.mp4.length + 8).every((b) => b === 0)).toBe(true);
			}
		});
	});

	describe('knobs, log and faults', () => {
		test('latencyMs delays gateway answers; reset forgets requests and tasks', async () => {
			sim.set({ latencyMs: 120 });
			const t0 = Date.now();
			await thCreate({ model: 'doubao-seedance-2.0', prompt: 'x' });
			expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
			expect(sim.requests).toHaveLength(1);
			expect(sim.requests[0]).toMatchObject({
				server: 'gateway',
				gateway: 'tokenhub',
				method: 'POST',
				path: '/tokenhub/api/v1/videos/generations',
				body: { model: 'doubao-seedance-2.0', prompt: 'x' },
			});
			expect(sim.requests[0].headers.authorization).toBe(`Bearer ${sim.tokenhubKey}`);
			sim.reset();
			expect(sim.requests).toHaveLength(0);
			expect(sim.tasks.size).toBe(0);
		});

		test('records path with query and non-JSON bodies as raw strings', async () => {
			await fetch(`${sim.aihubmixBaseUrl}/videos?x=1`, { method: 'POST', headers: ahm(), body: 'not json' });
			expect(sim.createRequests('aihubmix')).toHaveLength(1);
			expect(sim.requests[0]).toMatchObject({ path: '/aihubmix/v1/videos?x=1', body: 'not json' });
		});

		test('canned status faults are matched in injection order and consumed', async () => {
			sim.injectFault({ gateway: 'aihubmix', status: 503, body: { error: { message: 'first' } } });
			sim.injectFault({ gateway: 'aihubmix', status: 429, body: { error: { message: 'second' } }, headers: { 'Retry-After': '1' }, times: 2 });
			const body = { model: 'doubao-seedance-2-0-260128', prompt: 'x' };
			const r1 = await ahmCreate(body);
			const r2 = await ahmCreate(body);
			const r3 = await ahmCreate(body);
			const r4 = await ahmCreate(body);
			expect([r1.res.status, r2.res.status, r3.res.status, r4.res.status]).toEqual([503, 429, 429, 200]);
			expect(r1.json.error.message).toBe('first');
			expect(r2.res.headers.get('retry-after')).toBe('1');
			expect(sim.tasks.size).toBe(1);
			expect(sim.createRequests('aihubmix')).toHaveLength(4);
		});

		test('faults filter by gateway, method and path', async () => {
			sim.injectFault({ gateway: 'tokenhub', method: 'GET', pathIncludes: '/videos/generations/', status: 500 });
			const created = await thCreate({ model: 'doubao-seedance-2.0', prompt: 'x' });
			expect(created.res.status).toBe(200);
			expect((await ahmCreate({ model: 'doubao-seedance-2-0-260128', prompt: 'x' })).res.status).toBe(200);
			expect((await fetch(`${sim.tokenhubBaseUrl}/videos/generations/${created.json.id}`, { headers: th() })).status).toBe(500);
			expect((await thGet(created.json.id)).res.status).toBe(200);
		});

		test('reset fault drops the socket', async () => {
			sim.injectFault({ gateway: 'tokenhub', reset: true });
			await expect(thCreate({ model: 'doubao-seedance-2.0', prompt: 'x' })).rejects.toThrow();
			expect(sim.createRequests('tokenhub')).toHaveLength(1);
			expect(sim.tasks.size).toBe(0);
		});

		test('malformedJson answers 200 with a body that does not parse', async () => {
			sim.injectFault({ gateway: 'aihubmix', malformedJson: true });
			const res = await fetch(`${sim.aihubmixBaseUrl}/videos/x`, { headers: ahm() });
			expect(res.status).toBe(200);
			await expect(res.json()).rejects.toThrow();
		});

		test('hangMs delays then answers normally; Infinity hangs until the client gives up', async () => {
			sim.injectFault({ gateway: 'tokenhub', hangMs: 150 });
			const t0 = Date.now();
			const { res } = await thCreate({ model: 'doubao-seedance-2.0', prompt: 'x' });
			expect(res.status).toBe(200);
			expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

			sim.injectFault({ gateway: 'tokenhub', hangMs: Infinity });
			await expect(
				fetch(`${sim.tokenhubBaseUrl}/videos/generations/x`, { headers: th(), signal: AbortSignal.timeout(150) }),
			).rejects.toThrow();
		});

		test('CDN faults', async () => {
			sim.set({ jobMs: 5, queuedMs: 0 });
			const { json } = await thCreate({ model: 'doubao-seedance-2.0', prompt: 'x' });
			await until(sim.tasks.get(json.id)!, 10);
			sim.injectFault({ server: 'cdn', pathIncludes: '.mp4', status: 403, body: 'AccessDenied' });
			const url = (await thGet(json.id)).json.data[0].video_url;
			const denied = await fetch(url);
			expect(denied.status).toBe(403);
			expect(await denied.text()).toBe('AccessDenied');
			expect((await fetch(url)).status).toBe(200);
		});
	});
});
