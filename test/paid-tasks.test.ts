import type { IDataObject } from 'n8n-workflow';

import { TaskTracker, PaidTaskError } from '../nodes/Seedance/task-errors';
import { tokenHubGateway } from '../nodes/Seedance/gateways/tokenhub';
import type { GatewayName, RecordedRequest, Simulator } from './simulator';
import { startSimulator } from './simulator';
import type { SeedanceRunOptions } from './seedance-run';
import { FAST_OPTIONS, runSeedance, visibleText } from './seedance-run';
import { mp4 } from './media-fixtures';

/**
 * The promises that cost or save money (issue 9): never pay twice, never lose a paid task,
 * never leak the key; under n8n's own Retry On Fail and Continue On Fail, redirects, broken
 * downloads and partial failures. Every run goes through n8n-core's real WorkflowExecute,
 * which applies the node settings (retryOnFail, maxTries, waitBetweenTries) as n8n does.
 */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 30, jobMs: 300 });
});
afterAll(async () => await sim.close());
beforeEach(() => {
	sim.reset();
	sim.set({ latencyMs: 0, redirectContent: false, redirectStatus: false, aihubmixInlineVideoUrl: false });
});

const RETRY = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };
const PROVIDERS: GatewayName[] = ['tokenhub', 'aihubmix', 'ark'];

function create(provider: GatewayName, parameters: IDataObject, extra: Partial<SeedanceRunOptions> = {}) {
	return runSeedance({
		sim,
		provider,
		parameters: { operation: 'create', options: FAST_OPTIONS, ...parameters },
		...extra,
	});
}

/** The prompt of a create body: a field on TokenHub and AIHubMix, the text entry of `content` on Ark. */
const promptOf = (request: RecordedRequest) => {
	const { prompt, content } = request.body as { prompt?: unknown; content?: Array<{ type: string; text?: string }> };
	return prompt ?? content?.find((entry) => entry.type === 'text')?.text;
};
const createsFor = (prompt: string) => sim.createRequests().filter((request) => promptOf(request) === prompt);
const keyOf = (provider: GatewayName) => ({ tokenhub: sim.tokenhubKey, aihubmix: sim.aihubmixKey, ark: sim.arkKey })[provider];

describe('1. Retry On Fail never buys a second video for an item', () => {
	it.each(PROVIDERS)('%s: a create whose answer was lost after the task was made is not sent again by a retry', async (provider) => {
		sim.injectFault({ gateway: provider, method: 'POST', lostResponse: true });
		const run = await create(provider, { prompt: 'Lost answer' }, { settings: RETRY });
		expect(run.status).toBe('error');
		expect(sim.createRequests(provider)).toHaveLength(1);
		expect(sim.tasks.size).toBe(1);
		expect(run.nodeError('Seedance')!.message).toContain(
			'was not sent again: an earlier try\'s create request had an unknown outcome',
		);
		// Where to find the task: the gateway's own list where it documents one, else its console.
		const { description } = run.nodeError('Seedance') as Error & { description?: string };
		expect(description).toContain(provider === 'ark' ? "Find this item's task with this node's Get Many operation" : 'console (task history)');
	});

	it.each([502, 504])('a %i on create is an unknown outcome: one create over three tries', async (status) => {
		sim.injectFault({ gateway: 'tokenhub', method: 'POST', status, body: 'Bad Gateway' });
		const run = await create('tokenhub', { prompt: 'Gateway hiccup' }, { settings: RETRY });
		expect(run.status).toBe('error');
		expect(sim.createRequests('tokenhub')).toHaveLength(1);
	});

	it.each(PROVIDERS)('%s: a sibling whose task fails on the gateway is a new attempt per try; the good item is bought once and downloaded again', async (provider) => {
		const run = await create(
			provider,
			{ prompt: '={{ $json.prompt }}' },
			{ items: [{ prompt: 'Good clip' }, { prompt: 'Bad clip [sim:fail]' }], settings: RETRY },
		);
		expect(run.status).toBe('error');
		expect(createsFor('Good clip')).toHaveLength(1);
		expect(createsFor('Bad clip [sim:fail]')).toHaveLength(3);
		expect(sim.createRequests(provider)).toHaveLength(4);
		// Each try resumed the good item's one task and downloaded its video again.
		const goodTask = [...sim.tasks.values()].find((task) => task.prompt === 'Good clip')!;
		const downloads = sim.requests.filter((request) => request.path.includes(goodTask.id) && /videos\/.*(\.mp4|\/content)/.test(request.path));
		expect(downloads).toHaveLength(3);
		expect((run.nodeError('Seedance') as Error & { description?: string }).description).toContain(goodTask.id);
	});

	it('a create refused for certain (400) is sent again by the retry, and then succeeds', async () => {
		sim.injectFault({ gateway: 'aihubmix', method: 'POST', status: 400, body: { error: { message: 'temporarily invalid', code: 'invalid_parameter' } } });
		const run = await create('aihubmix', { prompt: 'Second time lucky' }, { settings: RETRY });
		expect(run.status).toBe('success');
		expect(sim.createRequests('aihubmix')).toHaveLength(2);
		expect(sim.tasks.size).toBe(1);
		expect(run.items[0].binary?.data).toBeDefined();
	});

	it('with Continue On Fail, n8n retries on an error item: only the failed item is created again', async () => {
		const run = await create(
			'tokenhub',
			{ prompt: '={{ $json.prompt }}' },
			{ items: [{ prompt: 'Fails [sim:fail]' }, { prompt: 'Works' }], settings: RETRY, continueOnFail: true },
		);
		expect(run.status).toBe('success');
		expect(createsFor('Fails [sim:fail]')).toHaveLength(3);
		expect(createsFor('Works')).toHaveLength(1);
		expect(run.items[0].json).toMatchObject({ status: 'failed', provider: 'tokenhub' });
		expect(run.items[1].json).toMatchObject({ status: 'succeeded' });
	});

	it('a timed-out wait is resumed by the retry, on the same task', async () => {
		const run = await create(
			'aihubmix',
			{ prompt: 'Slow [sim:ms=2500]', options: { pollIntervalSeconds: 1, timeoutMinutes: 0.02 } },
			{ settings: { ...RETRY, maxTries: 5, waitBetweenTries: 500 } },
		);
		expect(sim.createRequests('aihubmix')).toHaveLength(1);
		expect(run.status).toBe('success');
		expect(run.items[0].json.taskId).toBe([...sim.tasks.keys()][0]);
	});
});

describe('2. A stopped batch buys nothing more', () => {
	it('item 0 refused with a 400, Max Tasks Created at Once 1: no other create is sent', async () => {
		sim.injectFault({ gateway: 'tokenhub', method: 'POST', status: 400, body: { error: { message: 'bad request', code: 'InvalidParameter' } } });
		const run = await create(
			'tokenhub',
			{ prompt: '={{ $json.prompt }}', options: { ...FAST_OPTIONS, maxConcurrentCreates: 1 } },
			{ items: [0, 1, 2, 3, 4, 5].map((index) => ({ prompt: `Clip ${index}` })) },
		);
		expect(run.status).toBe('error');
		expect(run.nodeError('Seedance')!.message).toContain('answered 400');
		expect(sim.createRequests('tokenhub')).toHaveLength(1);
		expect(sim.tasks.size).toBe(0);
	});

	it('a cancel while creates are queued: nothing is sent after it', async () => {
		sim.set({ latencyMs: 300 });
		const cancelAfterMs = 450;
		const startedAt = Date.now();
		const run = await create(
			'aihubmix',
			{ prompt: '={{ $json.prompt }}', options: { ...FAST_OPTIONS, maxConcurrentCreates: 1 } },
			{ items: [0, 1, 2, 3, 4, 5].map((index) => ({ prompt: `Clip ${index}` })), cancelAfterMs },
		);
		expect(run.status).toBe('canceled');
		const creates = sim.createRequests('aihubmix');
		expect(creates.length).toBeLessThanOrEqual(2);
		expect(creates.every((request) => request.at < startedAt + cancelAfterMs + 100)).toBe(true);
	});
});

describe('3. The key goes only to the credential origin, on every redirect hop', () => {
	it('AIHubMix content answering 302 to presigned storage: downloaded without the key', async () => {
		sim.set({ redirectContent: true });
		const run = await create('aihubmix', { prompt: 'Redirected download' });
		expect(run.status).toBe('success');
		expect((await run.binaryBuffer(run.items[0].binary!.data)).equals(sim.mp4)).toBe(true);
		const cdn = sim.cdnRequests();
		expect(cdn).toHaveLength(1);
		expect(cdn[0].headers.authorization).toBeUndefined();
		expect(JSON.stringify(cdn)).not.toContain(sim.aihubmixKey);
		// The content endpoint itself, on the gateway's origin, did get it.
		const content = sim.gatewayRequests('aihubmix').find((request) => request.path.endsWith('/content'));
		expect(content?.headers.authorization).toBe(`Bearer ${sim.aihubmixKey}`);
	});

	it.each(PROVIDERS)('%s: a status check redirected to another origin is followed without the key', async (provider) => {
		sim.set({ redirectStatus: true });
		const run = await create(provider, { prompt: 'Redirected status' });
		expect(run.status).toBe('success');
		const mirror = sim.cdnRequests().filter((request) => request.path.startsWith('/mirror/'));
		expect(mirror.length).toBeGreaterThan(0);
		expect(sim.cdnRequests().every((request) => request.headers.authorization === undefined)).toBe(true);
		expect(JSON.stringify(sim.cdnRequests())).not.toContain(keyOf(provider));
	});
});

describe('4. Every error after a task exists names it', () => {
	it.each(PROVIDERS)('%s: a download that breaks off midway, under Continue On Fail, keeps the task', async (provider) => {
		sim.set({ aihubmixInlineVideoUrl: true });
		sim.injectFault({ server: 'cdn', truncateAfterBytes: 50_000 });
		const run = await create(provider, { prompt: 'Big video [sim:size=400000]' }, { continueOnFail: true });
		const [task] = [...sim.tasks.values()];
		const json = run.items[0].json;
		expect(json).toMatchObject({ taskId: task.id, provider, status: 'succeeded' });
		expect(json.error).toContain(task.id);
		expect(json.error).toMatch(/Could not download the video .*(broke off|ended after 50000 of 400000 bytes)/);
	});

	it('a video URL that does not parse: an error with the task ID, provider and status', async () => {
		const run = await create('tokenhub', { prompt: 'Odd URL' });
		expect(run.status).toBe('success');
		const id = run.items[0].json.taskId as string;
		sim.reset();
		sim.injectFault({ gateway: 'tokenhub', method: 'GET', times: 5, status: 200, body: { id, status: 'succeeded', data: [{ video_url: 'not a url' }] } });
		const get = await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'get', taskId: id } });
		const error = get.nodeError('Seedance') as Error & { description?: string };
		expect(error.message).toContain(`Could not download the video of task ${id}: the video URL "not a url" is not a valid URL`);
		expect(error.message).toContain('TokenHub, last status: succeeded');
		expect(error.description).toContain('Get or Wait');
	});

	it('a parameter expression that fails is read before the create: nothing is paid', async () => {
		// Read after the create before: a paid task, then the error.
		const run = await create('aihubmix', { prompt: 'Broken option', waitForCompletion: "={{ $('No Such Node').item.json.wait }}" });
		expect(run.status).toBe('error');
		expect(sim.createRequests()).toHaveLength(0);
	});

	it('an error without a message still names the task', () => {
		const tracker = new TaskTracker(tokenHubGateway, 'task-123', { estimatedCostUsd: 1 });
		const error = new PaidTaskError({ name: 'Seedance' } as never, new Error(''), tracker, 0);
		expect(error.message).toBe('unexpected Error without a message (task task-123 on TokenHub, last status: unknown)');
		expect(error.task).toEqual({ taskId: 'task-123', provider: 'tokenhub', status: 'unknown', estimatedCostUsd: 1 });
	});

	it('an unknown create outcome says so in the message itself', async () => {
		sim.injectFault({ gateway: 'tokenhub', method: 'POST', lostResponse: true });
		const run = await create('tokenhub', { prompt: 'Where did it go' }, { continueOnFail: true });
		expect(run.items[0].json.error).toMatch(/the create request's outcome is unknown \(.+\); the task may exist, so it was not sent again/);
	});
});

describe('5. The spend cap counts the body actually sent', () => {
	it('a duration merged in through Additional Body Fields is priced and refused', async () => {
		const run = await create('tokenhub', {
			prompt: 'Sneaky',
			model: 'doubao-seedance-2.0',
			resolution: '720p',
			duration: 5,
			additionalFields: { maxCostUsd: 1, additionalBodyFields: '{"duration": 15}' },
		});
		expect(run.status).toBe('error');
		expect(run.nodeError('Seedance')!.message).toBe(
			'Item 0 not sent: estimated cost $3.00 (15 s × $0.2/s) is over Max Cost per Video ($1.00)',
		);
		expect(sim.requests).toHaveLength(0);
	});

	it('the estimate in the output is the merged body\'s', async () => {
		const run = await create('aihubmix', {
			prompt: 'Honest',
			model: 'doubao-seedance-1-5-pro-251215',
			duration: 5,
			additionalFields: { maxCostUsd: 5, additionalBodyFields: '{"resolution": "1080p", "duration": 10}' },
			waitForCompletion: false,
		});
		expect(run.status).toBe('success');
		expect(run.items[0].json.estimatedCostUsd).toBe(1.1);
		expect((sim.createRequests()[0].body as IDataObject).duration).toBe(10);
	});

	it('a merge that makes the estimate impossible is refused while a cap is set', async () => {
		const run = await create('tokenhub', {
			prompt: 'Unknowable',
			additionalFields: { maxCostUsd: 10, additionalBodyFields: '{"model": "doubao-seedance-9.9"}' },
		});
		expect(run.nodeError('Seedance')!.message).toContain('its cost cannot be estimated (no published price for doubao-seedance-9.9 at 720p)');
		expect(sim.requests).toHaveLength(0);
	});
});

describe('7. TokenHub video_durations are never paired with the wrong video', () => {
	const video = (durationSeconds?: number) => ({
		role: 'reference_video',
		source: 'url',
		url: 'https://example.com/clip.mp4',
		...(durationSeconds ? { durationSeconds } : {}),
	});

	it('only the second of two reference videos has a duration: refused, naming the first', async () => {
		const run = await create('tokenhub', { prompt: 'Two clips', media: { items: [video(), video(3)] } });
		expect(run.status).toBe('error');
		expect(run.nodeError('Seedance')!.message).toContain('Media 1 (Reference Video): Video Duration is missing while another reference video has one');
		expect(sim.requests).toHaveLength(0);
	});

	it('all or none: both are sent, in order', async () => {
		const run = await create('tokenhub', { prompt: 'Two clips', media: { items: [video(2), video(3)] }, waitForCompletion: false });
		expect(run.status).toBe('success');
		expect((sim.createRequests()[0].body as IDataObject).video_durations).toEqual([2, 3]);
	});

	it("a binary reference video's length comes from its file: sent, and priced under the cap", async () => {
		const run = await create(
			'tokenhub',
			{
				prompt: 'From a file',
				media: { items: [{ role: 'reference_video', source: 'binary', binaryProperty: 'clip' }] },
				additionalFields: { maxCostUsd: 5 },
				waitForCompletion: false,
			},
			{ binary: [{ itemIndex: 0, property: 'clip', base64: mp4(6.5).toString('base64'), mimeType: 'video/mp4' }] },
		);
		expect(run.status).toBe('success');
		expect((sim.createRequests()[0].body as IDataObject).video_durations).toEqual([6.5]);
		// (6.5 s in + 5 s out) × $0.20/s on doubao-seedance-2.0 at 720p.
		expect(run.items[0].json).toMatchObject({ estimatedCostUsd: 2.3 });
	});

	it("a file's length is not sent when another reference video has none: all or none still holds", async () => {
		const run = await create(
			'tokenhub',
			{ prompt: 'Mixed', media: { items: [video(), { role: 'reference_video', source: 'binary', binaryProperty: 'clip' }] }, waitForCompletion: false },
			{ binary: [{ itemIndex: 0, property: 'clip', base64: mp4(4).toString('base64'), mimeType: 'video/mp4' }] },
		);
		expect(run.status).toBe('success');
		expect((sim.createRequests()[0].body as IDataObject).video_durations).toBeUndefined();
	});
});

describe('8. A page that is not a video is never saved as one', () => {
	it.each([
		['an HTML page with 200', { 'Content-Type': 'text/html; charset=utf-8' }, '<html><body>Access denied</body></html>', 'answered with "text/html; charset=utf-8", not a video'],
		['a JSON error with 200', { 'Content-Type': 'application/json' }, '{"error":"expired"}', 'not a video'],
		['HTML labelled as video/mp4', { 'Content-Type': 'video/mp4' }, '<html><body>Access denied</body></html>', 'the file is not an MP4 video (it starts with "<html><body>Acce")'],
		['an empty body', { 'Content-Type': 'video/mp4' }, '', 'too short to be a video'],
	])('%s: an error naming the task', async (_name, headers, body, expected) => {
		sim.injectFault({ server: 'cdn', status: 200, headers, body });
		const run = await create('tokenhub', { prompt: 'Tricked' });
		expect(run.status).toBe('error');
		const [task] = [...sim.tasks.values()];
		const error = run.nodeError('Seedance')!;
		expect(error.message).toContain(`Could not download the video of task ${task.id}`);
		expect(error.message).toContain(expected);
	});

	it('a body that ends short of its Content-Length is an error', async () => {
		sim.injectFault({ server: 'cdn', truncateAfterBytes: 1_000 });
		const run = await create('tokenhub', { prompt: 'Cut short [sim:size=100000]' });
		expect(run.status).toBe('error');
		expect(run.nodeError('Seedance')!.message).toMatch(/Could not download the video of task .*(broke off|ended after 1000 of 100000 bytes)/);
	});
});

describe('9. Rate limits on create are waited out within bounds', () => {
	it('Retry-After: 3600 is not obeyed past the item timeout: refused at once, nothing charged', async () => {
		sim.injectFault({ gateway: 'aihubmix', method: 'POST', status: 429, headers: { 'retry-after': '3600' }, body: { error: { message: 'slow down' } } });
		const run = await create('aihubmix', { prompt: 'Patience', options: { ...FAST_OPTIONS, timeoutMinutes: 0.5 } });
		expect(run.status).toBe('error');
		expect(sim.createRequests()).toHaveLength(1);
		expect((run.nodeError('Seedance') as Error & { description?: string }).description).toContain('Nothing was charged');
	});
});

describe('10. Ambiguous create answers are never resent; definite refusals are', () => {
	it.each([408, 499, 502, 503, 504])('%i: unknown outcome, one create, the message says so', async (status) => {
		sim.injectFault({ gateway: 'aihubmix', method: 'POST', status, body: { error: { message: 'upstream' } } });
		const run = await create('aihubmix', { prompt: `Ambiguous ${status}` }, { continueOnFail: true });
		expect(sim.createRequests()).toHaveLength(1);
		expect(run.items[0].json.error).toContain(`outcome is unknown (AIHubMix answered ${status})`);
	});

	it.each([400, 401, 403, 404, 422])('%i: a refusal, reported as the gateway answered it', async (status) => {
		sim.injectFault({ gateway: 'tokenhub', method: 'POST', status, body: { error: { message: 'no' } } });
		const run = await create('tokenhub', { prompt: `Refused ${status}` }, { continueOnFail: true });
		expect(sim.createRequests()).toHaveLength(1);
		expect(run.items[0].json.error).toContain(`TokenHub answered ${status} while creating the task`);
	});

	it('a connection refused never left this machine: "not sent"', async () => {
		const run = await create('tokenhub', { prompt: 'Nowhere' }, { credentials: { tokenhub: { baseUrl: 'http://127.0.0.1:9/api/v1' } }, continueOnFail: true });
		expect(run.items[0].json.error).toMatch(/^Item 0 was not sent: TokenHub could not be reached/);
	});
});

it('no user-visible text of these runs holds a key', async () => {
	sim.set({ redirectContent: true, redirectStatus: true });
	sim.injectFault({ server: 'cdn', truncateAfterBytes: 10 });
	const run = await create('aihubmix', { prompt: 'Leak check [sim:size=50000]' }, { continueOnFail: true, settings: RETRY });
	expect(visibleText(run)).not.toContain(sim.aihubmixKey);
});
