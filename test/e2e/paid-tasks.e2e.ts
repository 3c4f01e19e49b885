/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { mkdirSync, readFileSync, rmSync } from 'fs';
import { join } from 'path';

import type { GatewayName, RecordedRequest, Simulator } from '../simulator';
import { startSimulator } from '../simulator';
import type { N8n, Provider, RunResult, Workflow, WorkflowNode } from './workflows';
import { chain, itemsFrom, MANUAL_TRIGGER, output, seedance, writeFile } from './workflows';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/lib/real-n8n');

/**
 * Paid tasks in a real n8n (`n8n execute`, the packed package installed): n8n's own Retry On
 * Fail never buys a second video for an item whose create may have worked, and redirects never
 * carry the API key off the gateway's origin (to a presigned CDN URL). The gateway simulator
 * runs in this test process, so its request log is the evidence.
 */

let sim: Simulator;
let n8n: N8n;
let userFolder: string;
const FIXTURE = readFileSync(join(__dirname, '..', 'simulator', 'fixtures', 'tiny.mp4'));
const workflows: Record<string, Workflow> = {};

/**
 * Retry On Fail as the editor's Settings tab stores it on the node. n8n (1.123 and 2.40,
 * WorkflowExecute) reads `waitBetweenTries || 1000`, so 0 still waits 1 s between tries, and
 * clamps maxTries to 2..5. It tries again when execute() throws, or when the first output
 * item carries `json.error` (Continue On Fail output); each try runs execute() with every item.
 */
const RETRY_3: Pick<WorkflowNode, 'retryOnFail' | 'maxTries' | 'waitBetweenTries'> = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };
const GATEWAYS: Provider[] = ['tokenhub', 'aihubmix', 'ark'];
const FAILING_PROMPT = 'Item 1 [sim:fail]';

function define(id: string, nodes: WorkflowNode[]) {
	workflows[id] = chain(id, nodes);
}

const id = (what: string, provider: Provider) => `e2e${what}${{ tokenhub: 'Th', aihubmix: 'Ahm', ark: 'Ark' }[provider]}`;

beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 200, jobMs: 1500 });
	({ n8n, userFolder } = lib.n8nWithPackage());
	mkdirSync(join(userFolder, 'out'));
	for (const provider of GATEWAYS) {
		define(id('RetryLost', provider), [
			MANUAL_TRIGGER,
			{ ...seedance(provider, { operation: 'create', prompt: 'A lighthouse in fog' }), ...RETRY_3 },
		]);
		define(id('RetryFailed', provider), [
			MANUAL_TRIGGER,
			...itemsFrom([{ prompt: 'Item 0 succeeds' }, { prompt: FAILING_PROMPT }]),
			{ ...seedance(provider, { operation: 'create', prompt: '={{ $json.prompt }}' }), ...RETRY_3 },
		]);
		define(id('Redirect', provider), [
			MANUAL_TRIGGER,
			seedance(provider, { operation: 'create', prompt: 'A fox in snow' }),
			writeFile(`${userFolder}/out/${provider}.mp4`),
		]);
	}
	lib.importAll(userFolder, n8n, { credentials: lib.credentialsFor(sim), workflows: Object.values(workflows) });
});

afterAll(async () => {
	await sim?.close();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

beforeEach(() => {
	sim.reset();
	sim.set({ redirectContent: false, redirectStatus: false, aihubmixInlineVideoUrl: false });
	rmSync(join(userFolder, 'out'), { recursive: true, force: true });
	mkdirSync(join(userFolder, 'out'));
});

async function execute(workflowId: string): Promise<RunResult> {
	return await lib.execute(userFolder, n8n, workflowId, { env: { N8N_RESTRICT_FILE_ACCESS_TO: userFolder } });
}

const errorOf = (result: RunResult): { message: string; description?: string } => lib.nodeError(result.run, 'Seedance');
/** The prompt of a create body: a field on TokenHub and AIHubMix, the text entry of `content` on Ark. */
const promptOf = (request: RecordedRequest) => {
	const body = request.body as { prompt?: unknown; content?: Array<{ type: string; text?: string }> };
	return String(body.prompt ?? body.content?.find((entry) => entry.type === 'text')?.text);
};
const createsWith = (gateway: GatewayName, prompt: string) => sim.createRequests(gateway).filter((r) => promptOf(r) === prompt);

/** Every place a request could carry the key: its URL and all its header values. */
function carriesKey(request: RecordedRequest, key: string): boolean {
	const values = Object.values(request.headers).flatMap((value) => (Array.isArray(value) ? value : [value ?? '']));
	return [request.path, ...values].some((text) => text.includes(key));
}
const keyOf = (gateway: GatewayName) => (gateway === 'tokenhub' ? sim.tokenhubKey : sim.aihubmixKey);

describe.each(GATEWAYS)("%s: n8n's Retry On Fail (3 tries) never pays twice", (provider) => {
	it('the first create is handled but its answer is lost: 1 create in all, the run fails saying so', async () => {
		sim.injectFault({ gateway: provider, method: 'POST', lostResponse: true });
		const started = Date.now();
		const result = await execute(id('RetryLost', provider));
		const seconds = (Date.now() - started) / 1000;

		// What is paid first: exactly one create reached the gateway, which made (and bills) one task.
		expect(sim.createRequests(provider)).toHaveLength(1);
		expect(sim.tasks.size).toBe(1);
		expect(result.exitCode).toBe(1);
		expect(result.run.status).toBe('error');
		const error = errorOf(result);
		// The last try's message: n8n did try again, and the node refused to resend.
		expect(error.message).toMatch(/^Item 0 was not sent again: an earlier try's create request had an unknown outcome/);
		// Where to look for the task: the gateway's own list where it has one, else its console.
		expect(error.description).toContain(provider === 'ark' ? "this node's Get Many operation" : 'console');
		// No task ID came back, so there is nothing to poll either.
		expect(sim.gatewayRequests(provider).filter((r) => r.method !== 'POST')).toHaveLength(0);
		lib.log(`${provider} lost create answer: ${sim.createRequests(provider).length} create, n8n run ${seconds.toFixed(1)} s`);
	});

	it('item 1 fails on the gateway every time: item 0 is created once, item 1 once per try', async () => {
		const result = await execute(id('RetryFailed', provider));

		expect(createsWith(provider, 'Item 0 succeeds')).toHaveLength(1);
		expect(createsWith(provider, FAILING_PROMPT)).toHaveLength(3);
		expect(sim.createRequests(provider)).toHaveLength(4);
		expect(result.exitCode).toBe(1);
		const error = errorOf(result);
		expect(error.message).toContain('OutputVideoSensitiveContentDetected.PolicyViolation');
		const tasks = [...sim.tasks.values()];
		expect(tasks.filter((task) => task.prompt === 'Item 0 succeeds')).toHaveLength(1);
		expect(tasks.filter((task) => task.outcome === 'fail')).toHaveLength(3);
		// The error names the last try's failed task, which is a task the gateway really made.
		const lastFailed = tasks.filter((task) => task.outcome === 'fail').sort((a, b) => a.createdAt - b.createdAt).pop()!;
		expect(error.message).toContain(lastFailed.id);
		const at = createsWith(provider, FAILING_PROMPT).map((r) => r.at);
		lib.log(`${provider} failing item: creates ${at.map((t) => t - at[0]).join(', ')} ms after the first (task takes 1500 ms)`);
	});
});

describe('redirects: the API key never leaves the gateway origin', () => {
	it('AIHubMix /videos/{id}/content answers 302 to a presigned CDN URL: the video arrives whole, the CDN never sees the key', async () => {
		sim.set({ redirectContent: true, aihubmixInlineVideoUrl: false });
		const result = await execute(id('Redirect', 'aihubmix'));

		// The download went through the gateway's content endpoint, with the key (it needs it) ...
		const content = sim.gatewayRequests('aihubmix').filter((r) => /\/videos\/[^/]+\/content/.test(r.path));
		expect(content).toHaveLength(1);
		expect(content[0].headers.authorization).toBe(`Bearer ${sim.aihubmixKey}`);
		// ... and was redirected to the CDN, which got the presigned URL and nothing else.
		const taskId = [...sim.tasks.keys()][0];
		const cdn = sim.cdnRequests();
		const videos = cdn.filter((r) => r.path.startsWith(`/aihubmix/videos/${taskId}.mp4?`));
		expect(videos).toHaveLength(1);
		for (const request of cdn) {
			expect(request.headers.authorization).toBeUndefined();
			expect(carriesKey(request, sim.aihubmixKey)).toBe(false);
			expect(carriesKey(request, sim.tokenhubKey)).toBe(false);
		}

		expect(result.exitCode).toBe(0);
		expect(result.run.status).toBe('success');
		const [item] = output(result, 'Seedance');
		expect(item.json).toMatchObject({ provider: 'aihubmix', status: 'succeeded', taskId });
		expect(readFileSync(`${userFolder}/out/aihubmix.mp4`).equals(FIXTURE)).toBe(true);
	});

	it.each(GATEWAYS)('%s: status checks answer 307 to a presigned mirror on the CDN: the run succeeds, the mirror never sees the key', async (provider) => {
		sim.set({ redirectStatus: true });
		const result = await execute(id('Redirect', provider));

		const mirror = sim.cdnRequests().filter((r) => r.path.startsWith('/mirror/'));
		expect(mirror.length).toBeGreaterThan(0);
		for (const request of sim.cdnRequests()) {
			expect(request.headers.authorization).toBeUndefined();
			expect(carriesKey(request, keyOf(provider))).toBe(false);
		}

		expect(result.exitCode).toBe(0);
		expect(result.run.status).toBe('success');
		expect(output(result, 'Seedance')[0].json).toMatchObject({ provider, status: 'succeeded' });
		expect(readFileSync(`${userFolder}/out/${provider}.mp4`).equals(FIXTURE)).toBe(true);
		expect(sim.createRequests(provider)).toHaveLength(1);
	});
});
