/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
// Proves the gateway simulator itself behaves as the TokenHub / AIHubMix / Ark docs
// describe, so node tests can trust it.

import { startSimulator } from './index';
import type { Simulator, SimTask } from './index';
import { signPath } from './core';
import { png, wav } from '../media-fixtures';

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

	describe('Ark (BytePlus ModelArk / Volcengine Ark)', () => {
		const DAY = 24 * 60 * 60 * 1000;
		const M2 = 'doubao-seedance-2-0-260128';
		const ark = (key?: string) => ({ 'Content-Type': 'application/json', Authorization: `Bearer ${key ?? sim.arkKey}` });
		const tasksUrl = () => `${sim.arkBaseUrl}/contents/generations/tasks`;
		const arkCreate = (body: Json) => post(tasksUrl(), ark(), body);
		const arkGet = (id: string) => get(`${tasksUrl()}/${encodeURIComponent(id)}`, ark());
		const arkList = (query: string) => get(`${tasksUrl()}?${query}`, ark());
		async function arkDelete(id: string) {
			const res = await fetch(`${tasksUrl()}/${encodeURIComponent(id)}`, { method: 'DELETE', headers: ark() });
			return { res, json: (await res.json()) as Json };
		}
		const text = (t: string) => ({ type: 'text', text: t });
		const image = (role?: string, url = 'https://a.example/i.png') => ({ type: 'image_url', image_url: { url }, ...(role ? { role } : {}) });
		const video = (url = 'https://a.example/v.mp4') => ({ type: 'video_url', video_url: { url }, role: 'reference_video' });
		const audio = (url = 'https://a.example/a.mp3') => ({ type: 'audio_url', audio_url: { url }, role: 'reference_audio' });
		/** An error envelope in Ark's shape, its message ending with a request id as Ark's do. */
		const envelope = (code: string, param: string, type: string) => ({
			error: { code, message: expect.stringMatching(/ Request id: [0-9a-f]+$/), param, type },
		});

		beforeEach(() => {
			sim.set({ queueCap: 0, balanceTasks: -1, redirectStatus: false });
		});

		test('sits under its own prefix with its own key', async () => {
			expect(sim.arkBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ark\/api\/v3$/);
			expect(new URL(sim.arkBaseUrl).origin).toBe(new URL(sim.tokenhubBaseUrl).origin);
			expect(sim.arkKey).toBe('ark-sim-valid-key');
		});

		test('create answers {id: cgt-…}; queued -> running -> succeeded; the CDN serves the MP4 and the last frame without a key', async () => {
			const { res, json } = await arkCreate({
				model: M2,
				content: [text('A golden retriever on a beach')],
				resolution: '720p',
				ratio: '16:9',
				duration: 5,
				seed: 11,
				watermark: false,
				return_last_frame: true,
			});
			expect(res.status).toBe(200);
			expect(json).toEqual({ id: expect.stringMatching(/^cgt-\d{14}-[0-9a-z]{5}$/) });
			const task = sim.tasks.get(json.id)!;
			expect(task.gateway).toBe('ark');
			expect(task.prompt).toBe('A golden retriever on a beach');
			expect(sim.createRequests('ark')).toHaveLength(1);

			const queued = (await arkGet(json.id)).json;
			expect(queued).toEqual({
				id: json.id,
				model: M2,
				status: 'queued',
				error: null,
				created_at: expect.any(Number),
				updated_at: queued.created_at,
				seed: 11,
				resolution: '720p',
				ratio: '16:9',
				duration: 5,
				framespersecond: 24,
				service_tier: 'default',
				execution_expires_after: 172800,
				generate_audio: true,
			});
			await until(task, 80);
			expect((await arkGet(json.id)).json).toMatchObject({ status: 'running', error: null });
			await until(task, 220);
			const done = (await arkGet(json.id)).json;
			expect(done).toMatchObject({ status: 'succeeded', error: null, usage: { completion_tokens: 108900, total_tokens: 108900 } });
			expect(done.content).toEqual({
				video_url: expect.stringMatching(presigned(`${sim.cdnOrigin}/ark/videos/${json.id}.mp4`)),
				last_frame_url: expect.stringMatching(presigned(`${sim.cdnOrigin}/ark/frames/${json.id}.png`)),
			});
			expect(task.pollCount).toBe(3);

			const mp4 = await fetch(done.content.video_url);
			expect(mp4.headers.get('content-type')).toBe('video/mp4');
			expect(Buffer.from(await mp4.arrayBuffer()).equals(sim.mp4)).toBe(true);
			expect((await fetch(done.content.last_frame_url)).headers.get('content-type')).toBe('image/png');
			expect(sim.cdnRequests().every((r) => r.headers.authorization === undefined)).toBe(true);
		});

		test('[sim:fail] ends failed with the output-policy error, [sim:expire] expired; neither has content, and the CDN has no video for them', async () => {
			const f = (await arkCreate({ model: M2, content: [text('a [sim:fail] [sim:ms=20]')] })).json;
			const e = (await arkCreate({ model: M2, content: [text('b [sim:expire] [sim:ms=20]')] })).json;
			await until(sim.tasks.get(e.id)!, 30);
			const failed = (await arkGet(f.id)).json;
			expect(failed).toMatchObject({
				status: 'failed',
				error: { code: 'OutputVideoSensitiveContentDetected.PolicyViolation', message: expect.any(String) },
			});
			expect(failed.content).toBeUndefined();
			expect(failed.usage).toBeUndefined();
			const expired = (await arkGet(e.id)).json;
			expect(expired).toMatchObject({ status: 'expired', error: null });
			expect(expired.content).toBeUndefined();
			const signed = (path: string) => `${sim.cdnOrigin}${path}?X-Amz-Signature=${signPath(path)}`;
			expect((await fetch(signed(`/ark/videos/${f.id}.mp4`))).status).toBe(404);
		});

		test.each<[string, Json, Json, number]>([
			['2.0 720p 16:9 5 s (the live figure)', { model: M2, resolution: '720p', ratio: '16:9', duration: 5 }, { resolution: '720p', ratio: '16:9', duration: 5 }, 108900],
			['2.0 720p 16:9 4 s (the second live figure)', { model: M2, duration: 4 }, { resolution: '720p', duration: 4 }, 87300],
			['2.0 adaptive ratio and duration -1: the model picks (16:9, 5 s)', { model: M2, ratio: 'adaptive', duration: -1 }, { ratio: '16:9', duration: 5 }, 108900],
			['2.0 fast 480p 9:16 6 s (496×864)', { model: 'dreamina-seedance-2-0-fast-260128', resolution: '480p', ratio: '9:16', duration: 6 }, { resolution: '480p', ratio: '9:16' }, 60682],
			['1.5 pro 1080p 21:9 12 s (2206×946)', { model: 'seedance-1-5-pro-251215', resolution: '1080p', ratio: '21:9', duration: 12 }, { duration: 12 }, 588971],
			['1.0 pro defaults to 1080p; 57 frames (1920×1088)', { model: 'doubao-seedance-1-0-pro-250528', frames: 57 }, { resolution: '1080p', frames: 57 }, 116280],
			['1.0 pro fast 720p 16:9 5 s (1248×704, the 1.0 table)', { model: 'doubao-seedance-1-0-pro-fast-251015', resolution: '720p', ratio: '16:9' }, { duration: 5 }, 103818],
		])('usage.completion_tokens = width × height × (24·duration + 1) / 1024: %s', async (_name, body, shown, tokens) => {
			sim.set({ jobMs: 5, queuedMs: 0 });
			const { json } = await arkCreate({ content: [text('x')], ...body });
			await until(sim.tasks.get(json.id)!, 10);
			const done = (await arkGet(json.id)).json;
			expect(done).toMatchObject({ status: 'succeeded', ...shown, usage: { completion_tokens: tokens, total_tokens: tokens } });
			// "duration and frames: only one is returned"
			expect('frames' in done && 'duration' in done).toBe(false);
		});

		test('list: newest first, paged with page_num/page_size, filtered by status, model, repeated task_ids and service tier; only the last 7 days', async () => {
			sim.set({ jobMs: 20, queuedMs: 0 });
			const ids: string[] = [];
			for (const [model, prompt, extra] of [
				[M2, 'one', {}],
				[M2, 'two [sim:fail]', {}],
				['doubao-seedance-1-5-pro-251215', 'three', { service_tier: 'flex' }],
				[M2, 'four', {}],
				['doubao-seedance-1-5-pro-251215', 'five [sim:fail]', {}],
			] as Array<[string, string, Json]>) {
				ids.push((await arkCreate({ model, content: [text(prompt)], ...extra })).json.id);
			}
			const old = (await arkCreate({ model: M2, content: [text('eight days old')] })).json.id;
			sim.tasks.get(old)!.createdAt -= 8 * DAY;
			await until(sim.tasks.get(ids[4])!, 30);
			const newestFirst = [...ids].reverse();

			const pages: Json[] = [];
			for (let page = 1; page <= 3; page++) pages.push((await arkList(`page_num=${page}&page_size=2`)).json);
			expect(pages.map((p) => p.total)).toEqual([5, 5, 5]);
			expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
			expect(pages.flatMap((p) => p.items.map((item: Json) => item.id))).toEqual(newestFirst);
			expect(pages[0].items[0]).toMatchObject({ status: 'failed', model: 'doubao-seedance-1-5-pro-251215', error: { code: 'OutputVideoSensitiveContentDetected.PolicyViolation' } });
			expect(pages[0].items[1]).toMatchObject({ status: 'succeeded', usage: { completion_tokens: 108900 }, content: { video_url: expect.any(String) } });
			expect((await arkList('page_num=4&page_size=2')).json).toEqual({ items: [], total: 5 });
			expect((await arkList('')).json.items).toHaveLength(5); // page_size defaults to 10

			const idsOf = async (q: string) => ((await arkList(q)).json.items as Json[]).map((item) => item.id);
			expect(await idsOf('filter.status=failed')).toEqual([ids[4], ids[1]]);
			expect(await idsOf('filter.status=succeeded&filter.model=' + M2)).toEqual([ids[3], ids[0]]);
			expect(await idsOf(`filter.task_ids=${ids[0]}&filter.task_ids=${ids[2]}&filter.task_ids=${old}`)).toEqual([ids[2], ids[0]]);
			expect(await idsOf('filter.service_tier=flex')).toEqual([ids[2]]);
			const filteredPage = (await arkList(`filter.model=${M2}&page_size=1&page_num=2`)).json;
			expect(filteredPage).toMatchObject({ total: 3, items: [{ id: ids[1] }] });

			// The 8-day-old task is gone from the list and from get.
			expect((await arkGet(old)).res.status).toBe(404);
		});

		test.each<[string, string]>([
			['page_size=0', 'page_size'],
			['page_size=501', 'page_size'],
			['page_num=0', 'page_num'],
			['page_num=x', 'page_num'],
			['filter.status=done', 'filter.status'],
			['filter.service_tier=fast', 'filter.service_tier'],
		])('list refuses %s', async (query, param) => {
			const { res, json } = await arkList(query);
			expect(res.status).toBe(400);
			expect(json).toEqual(envelope('InvalidParameter', param, 'BadRequest'));
		});

		test('DELETE: queued -> cancelled (then refused), running -> refused, succeeded/failed/expired -> deleted (404 afterwards)', async () => {
			sim.set({ queuedMs: 100, jobMs: 200 });
			const queued = (await arkCreate({ model: M2, content: [text('to cancel')] })).json.id;
			const cancel = await arkDelete(queued);
			expect(cancel.res.status).toBe(200);
			expect(cancel.json).toEqual({});
			const cancelled = sim.tasks.get(queued)!;
			await until(cancelled, 220); // its clock would have finished it
			expect((await arkGet(queued)).json).toMatchObject({ status: 'cancelled', error: null });
			expect((await arkGet(queued)).json.content).toBeUndefined();
			expect(((await arkList('filter.status=cancelled')).json.items as Json[]).map((i) => i.id)).toEqual([queued]);
			const again = await arkDelete(queued);
			expect(again.res.status).toBe(400);
			expect(again.json).toEqual(envelope('InvalidParameter', 'id', 'BadRequest'));
			expect(again.json.error.message).toMatch(/already cancelled; a cancelled task cannot be cancelled/);
			const signed = (path: string) => `${sim.cdnOrigin}${path}?X-Amz-Signature=${signPath(path)}`;
			expect((await fetch(signed(`/ark/videos/${queued}.mp4`))).status).toBe(404);
			// Ark removes a cancelled task 24 hours later.
			cancelled.cancelledAt! -= DAY;
			expect((await arkGet(queued)).res.status).toBe(404);

			const running = (await arkCreate({ model: M2, content: [text('running')] })).json.id;
			await until(sim.tasks.get(running)!, 130);
			const refused = await arkDelete(running);
			expect(refused.res.status).toBe(400);
			expect(refused.json).toEqual(envelope('InvalidParameter', 'id', 'BadRequest'));
			expect(refused.json.error.message).toMatch(/is running, and a running task cannot be cancelled or deleted/);
			expect((await arkGet(running)).json.status).toBe('running');

			sim.set({ queuedMs: 0, jobMs: 10 });
			const finished = [
				(await arkCreate({ model: M2, content: [text('ok')] })).json.id,
				(await arkCreate({ model: M2, content: [text('[sim:fail]')] })).json.id,
				(await arkCreate({ model: M2, content: [text('[sim:expire]')] })).json.id,
			];
			await until(sim.tasks.get(finished[2])!, 20);
			expect(await Promise.all(finished.map(async (id) => (await arkGet(id)).json.status))).toEqual(['succeeded', 'failed', 'expired']);
			for (const id of finished) {
				const del = await arkDelete(id);
				expect([del.res.status, del.json]).toEqual([200, {}]);
				const gone = await arkGet(id);
				expect(gone.res.status).toBe(404);
				expect(gone.json).toEqual(envelope('ResourceNotFound', 'id', 'NotFound'));
				expect((await arkDelete(id)).res.status).toBe(404);
			}
			expect((await arkList(`filter.task_ids=${finished.join('&filter.task_ids=')}`)).json).toEqual({ items: [], total: 0 });
		});

		test('error envelope: 401 AuthenticationError for a missing or foreign key; 404 for an unknown model; MissingParameter for no model', async () => {
			const noKey = await fetch(tasksUrl(), { method: 'POST', body: JSON.stringify({ model: M2, content: [text('x')] }) });
			expect(noKey.status).toBe(401);
			expect(await noKey.json()).toEqual(envelope('AuthenticationError', '', 'Unauthorized'));
			expect((await post(tasksUrl(), ark(sim.tokenhubKey), { model: M2, content: [text('x')] })).res.status).toBe(401);
			expect((await get(tasksUrl(), ark('ark-bad'))).res.status).toBe(401);

			const unknown = await arkCreate({ model: 'doubao-seedance-2.0', content: [text('x')] });
			expect(unknown.res.status).toBe(404);
			expect(unknown.json).toEqual(envelope('InvalidEndpointOrModel.NotFound', 'model', 'NotFound'));
			const noModel = await arkCreate({ content: [text('x')] });
			expect(noModel.res.status).toBe(400);
			expect(noModel.json).toEqual(envelope('MissingParameter', 'model', 'BadRequest'));
			expect(sim.tasks.size).toBe(0);
			expect(sim.createRequests('ark')).toHaveLength(4);
		});

		const tenImages = Array.from({ length: 10 }, (_, i) => image('reference_image', `https://a.example/${i}.png`));
		test.each<[string, Json, string, string, RegExp?]>([
			['first frame mixed with a reference image', { content: [text('x'), image('first_frame'), image('reference_image')] }, 'content', 'InvalidParameter', /three scenarios that cannot be mixed/],
			['an unroled first frame mixed with a reference video', { content: [text('x'), image(), video()] }, 'content', 'InvalidParameter', /cannot be mixed/],
			['first+last frame mixed with reference audio', { content: [image('first_frame'), image('last_frame'), video(), audio()] }, 'content', 'InvalidParameter', /cannot be mixed/],
			['audio as the only media', { content: [text('x'), audio()] }, 'content', 'InvalidParameter', /audio cannot be the only reference media/],
			['two text entries', { content: [text('x'), text('y')] }, 'content[1]', 'InvalidParameter', /at most one text entry/],
			['10 reference images', { content: [text('x'), ...tenImages] }, 'content', 'InvalidParameter', /1 to 9 reference images/],
			['4 reference videos', { content: [text('x'), video(), video(), video(), video()] }, 'content', 'InvalidParameter', /at most 3 reference videos/],
			['4 reference audios', { content: [image('reference_image'), audio(), audio(), audio(), audio()] }, 'content', 'InvalidParameter', /at most 3 reference audios/],
			['two first frames', { content: [image('first_frame'), image('first_frame')] }, 'content', 'InvalidParameter'],
			['a last frame alone', { content: [text('x'), image('last_frame')] }, 'content', 'InvalidParameter', /needs a first_frame/],
			['two images without roles', { content: [image(), image()] }, 'content[0].role', 'MissingParameter'],
			['a video without a role', { content: [text('x'), { type: 'video_url', video_url: { url: 'https://a.example/v.mp4' } }] }, 'content[1].role', 'MissingParameter'],
			['a video with an image role', { content: [text('x'), { ...video(), role: 'reference_image' }] }, 'content[1].role', 'InvalidParameter'],
			['an unknown content type', { content: [{ type: 'draft', draft: {} }] }, 'content[0].type', 'InvalidParameter'],
			['an image without a url', { content: [{ type: 'image_url', image_url: {} }] }, 'content[0].image_url.url', 'MissingParameter'],
			['an ftp image', { content: [image(undefined, 'ftp://a/x.png')] }, 'content[0].image_url.url', 'InvalidParameter'],
			['an upper-case base64 image format', { content: [image(undefined, 'data:image/PNG;base64,iVBORw0KGgo=')] }, 'content[0].image_url.url', 'InvalidParameter'],
			['a base64 video', { content: [text('x'), video('data:video/mp4;base64,AAAA')] }, 'content[1].video_url.url', 'InvalidParameter'],
			['no content', { content: [] }, 'content', 'MissingParameter'],
			['a text entry with an empty prompt only', { content: [text('  ')] }, 'content', 'MissingParameter'],
			['content as a string', { content: 'a cat' }, 'content', 'InvalidParameter'],
			['1080p on 2.0 fast', { model: 'doubao-seedance-2-0-fast-260128', resolution: '1080p' }, 'resolution', 'InvalidParameter'],
			['4k on 2.0', { resolution: '4k' }, 'resolution', 'InvalidParameter'],
			['16 s on 2.0', { duration: 16 }, 'duration', 'InvalidParameter'],
			['3 s on 2.0', { duration: 3 }, 'duration', 'InvalidParameter'],
			['2.5 s', { duration: 2.5 }, 'duration', 'InvalidParameter'],
			['13 s on 1.5 pro', { model: 'doubao-seedance-1-5-pro-251215', duration: 13 }, 'duration', 'InvalidParameter'],
			['-1 s on 1.0 pro', { model: 'doubao-seedance-1-0-pro-250528', duration: -1 }, 'duration', 'InvalidParameter'],
			['frames on 2.0', { frames: 57 }, 'frames', 'InvalidParameter'],
			['frames off the 25 + 4n grid', { model: 'doubao-seedance-1-0-pro-250528', frames: 30 }, 'frames', 'InvalidParameter'],
			['ratio 2:1', { ratio: '2:1' }, 'ratio', 'InvalidParameter'],
			['adaptive ratio for 1.0 pro text-to-video', { model: 'doubao-seedance-1-0-pro-250528', ratio: 'adaptive' }, 'ratio', 'InvalidParameter'],
			['seed 2^32', { seed: 4294967296 }, 'seed', 'InvalidParameter'],
			['seed -2', { seed: -2 }, 'seed', 'InvalidParameter'],
			['flex on 2.0', { service_tier: 'flex' }, 'service_tier', 'InvalidParameter', /does not support the flex/],
			['flex on 2.0 fast', { model: 'dreamina-seedance-2-0-fast-260128', service_tier: 'flex' }, 'service_tier', 'InvalidParameter'],
			['service_tier fast', { service_tier: 'fast' }, 'service_tier', 'InvalidParameter'],
			['execution_expires_after 3599', { execution_expires_after: 3599 }, 'execution_expires_after', 'InvalidParameter'],
			['execution_expires_after 259201', { execution_expires_after: 259201 }, 'execution_expires_after', 'InvalidParameter'],
			['a reference video on 1.5 pro', { model: 'doubao-seedance-1-5-pro-251215', content: [text('x'), image('reference_image'), video()] }, 'content', 'InvalidParameter'],
			['a reference image on 1.0 pro', { model: 'doubao-seedance-1-0-pro-250528', content: [text('x'), image('reference_image')] }, 'content', 'InvalidParameter'],
			['first+last frame on 1.0 pro fast', { model: 'doubao-seedance-1-0-pro-fast-251015', content: [image('first_frame'), image('last_frame')] }, 'content', 'InvalidParameter'],
			['an image on 1.0 lite t2v', { model: 'doubao-seedance-1-0-lite-t2v-250428', content: [text('x'), image()] }, 'content', 'InvalidParameter'],
			['5 reference images on 1.0 lite i2v', { model: 'doubao-seedance-1-0-lite-i2v-250428', content: [text('x'), ...tenImages.slice(0, 5)] }, 'content', 'InvalidParameter'],
			['1080p with reference images on 1.0 lite i2v', { model: 'doubao-seedance-1-0-lite-i2v-250428', resolution: '1080p', content: [text('x'), image('reference_image')] }, 'resolution', 'InvalidParameter'],
			['an ftp callback_url', { callback_url: 'ftp://a/cb' }, 'callback_url', 'InvalidParameter'],
			['generate_audio "yes"', { generate_audio: 'yes' }, 'generate_audio', 'InvalidParameter'],
			['a base64 image of 200x200 px', { content: [text('x'), image('first_frame', `data:image/png;base64,${png(200, 200).toString('base64')}`)] }, 'content[1].image_url.url', 'InvalidParameter', /within \[300, 6000\] px/],
			['a base64 image of 1600x400 px (ratio 4)', { content: [text('x'), image('first_frame', `data:image/png;base64,${png(1600, 400).toString('base64')}`)] }, 'content[1].image_url.url', 'InvalidParameter', /aspect ratio 4.00/],
			['an input image that looks like a real person (knob)', { content: [text('x'), image('reference_image', 'https://example.com/sim-real-person.jpg')] }, 'content[1].image_url.url', 'InputImageSensitiveContentDetected.PrivacyInformation', /input image 'content\[1\]' may contain real person/],
			['a base64 audio of 16 s', { content: [text('x'), image('reference_image'), audio(`data:audio/wav;base64,${wav(16).toString('base64')}`)] }, 'content[2].audio_url.url', 'InvalidParameter', /lasts 16.0 s/],
		])('400 for %s, and no task', async (_name, patch, param, code, ...rest) => {
			// A rest parameter: with a fifth named one, jest would take it for a done callback on 4-entry rows.
			const message = rest[0] as RegExp | undefined;
			const { res, json } = await arkCreate({ model: M2, content: [text('a cat')], ...patch });
			expect(res.status).toBe(400);
			expect(json).toEqual(envelope(code, param, 'BadRequest'));
			if (message) expect(json.error.message).toMatch(message);
			expect(sim.tasks.size).toBe(0);
		});

		test.each<[string, Json]>([
			['the full multimodal reference request (9 images, 3 videos, 3 audios, asset:// and base64)', {
				content: [
					text('x'),
					...tenImages.slice(0, 8),
					image('reference_image', 'data:image/png;base64,iVBORw0KGgo='),
					video(), video('asset://asset-20260101-abc'), video(),
					audio('data:audio/wav;base64,UklGRg=='), audio(), audio(),
				],
				generate_audio: false,
				resolution: '1080p',
				duration: 15,
			}],
			['an image without text (first frame)', { content: [image()] }],
			['first and last frame', { content: [text('x'), image('first_frame'), image('last_frame')], ratio: 'adaptive' }],
			['reference video and audio without images', { content: [text('x'), video(), audio()] }],
			['flex on 1.5 pro', { model: 'doubao-seedance-1-5-pro-251215', service_tier: 'flex', duration: -1 }],
			['flex on 1.0 pro fast', { model: 'seedance-1-0-pro-fast-251015', service_tier: 'flex', duration: 2 }],
			['adaptive for a 1.0 first frame', { model: 'doubao-seedance-1-0-pro-250528', content: [image('first_frame')], ratio: 'adaptive' }],
			['4 reference images on 1.0 lite i2v', { model: 'doubao-seedance-1-0-lite-i2v-250428', content: [text('x'), ...tenImages.slice(0, 4)] }],
			['the edges of seed and execution_expires_after', { seed: 4294967295, execution_expires_after: 3600 }],
			['seed -1, 259200 s, a callback and unknown fields', { seed: -1, execution_expires_after: 259200, callback_url: 'https://hooks.example/ark', tools: [{ type: 'web_search' }], safety_identifier: 'u1' }],
		])('accepts %s', async (_name, patch) => {
			const { res, json } = await arkCreate({ model: M2, content: [text('a cat')], ...patch });
			expect([res.status, json.error]).toEqual([200, undefined]);
		});

		test('queue cap: 429 RateLimitExceeded while the account is full, a cancelled task frees its slot; overdue balance: 403 AccountOverdueError', async () => {
			sim.set({ queueCap: 2, queuedMs: 1000, jobMs: 2000 });
			const a = (await arkCreate({ model: M2, content: [text('a')] })).json.id;
			await arkCreate({ model: M2, content: [text('b')] });
			const full = await arkCreate({ model: M2, content: [text('c')] });
			expect(full.res.status).toBe(429);
			expect(full.json).toEqual(envelope('RateLimitExceeded', '', 'TooManyRequests'));
			expect(full.json.error.message).toMatch(/limit \(2\)/);
			expect((await arkDelete(a)).res.status).toBe(200);
			expect((await arkCreate({ model: M2, content: [text('c')] })).res.status).toBe(200);

			sim.set({ queueCap: 0, balanceTasks: 1 });
			expect((await arkCreate({ model: M2, content: [text('d')] })).res.status).toBe(200);
			const broke = await arkCreate({ model: M2, content: [text('e')] });
			expect(broke.res.status).toBe(403);
			expect(broke.json).toEqual(envelope('AccountOverdueError', '', 'Forbidden'));
			expect(sim.tasks.size).toBe(4);
		});

		test('redirectStatus sends a status check to the presigned mirror, which answers as Ark', async () => {
			const { json } = await arkCreate({ model: M2, content: [text('x')] });
			sim.set({ redirectStatus: true });
			const first = await fetch(`${tasksUrl()}/${json.id}`, { headers: ark(), redirect: 'manual' });
			expect(first.status).toBe(307);
			const mirrored = await fetch(first.headers.get('location')!);
			expect(((await mirrored.json()) as Json).id).toBe(json.id);
			// The list is not a status check: it is answered in place.
			expect((await arkList('page_size=1')).res.status).toBe(200);
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
