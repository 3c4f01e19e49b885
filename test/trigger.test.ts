/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { claimDelivery, forgetClaims, REMEMBERED_TASKS } from '../nodes/SeedanceTrigger/delivered';
import { SeedanceTrigger } from '../nodes/SeedanceTrigger/SeedanceTrigger.node';
import { logLines, registerNodeType } from './harness';
import { credentialsFor, runSeedance } from './seedance-run';
import type { ArkCallbackForgery, Simulator } from './simulator';
import { startSimulator } from './simulator';
import type { CallAnswer, WebhookRun } from './webhook-harness';
import { WebhookWorkflow } from './webhook-harness';

/**
 * The Seedance Trigger as n8n runs it (test/webhook-harness.ts: n8n-core's WebhookContext, the
 * static data loaded and saved per call as n8n's live webhooks do, then WorkflowExecute from the
 * trigger), receiving the callbacks the simulated Ark sends over HTTP for tasks a real Create
 * made, and the ones a caller who is not Ark sends.
 */

const TRIGGER_TYPE = 'n8n-nodes-seedance.seedanceTrigger';
registerNodeType(TRIGGER_TYPE, new SeedanceTrigger());

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 40, jobMs: 200 });
});
afterAll(async () => await sim.close());
beforeEach(() => {
	sim.reset();
	// Ark's retries, fast: 1 try + 3 after 50 ms pauses.
	sim.setArkCallbacks({ retryDelayMs: 50 });
});

let workflowCount = 0;
function triggerWorkflow(parameters: INodeParameters = {}, options: { ark?: IDataObject } = {}) {
	return new WebhookWorkflow({
		id: `triggerWorkflow${++workflowCount}`,
		nodes: [{ name: 'Seedance Trigger', type: TRIGGER_TYPE, parameters }],
		credentials: credentialsFor(sim, options),
	});
}

/** n8n's webhook server in front of a workflow: parses the JSON body (422 if it cannot, as n8n's parser), then the call. */
async function serve(workflow: WebhookWorkflow, handle?: (answer: () => Promise<CallAnswer>) => Promise<CallAnswer | 'drop'>) {
	const server = http.createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', async () => {
			const raw = Buffer.concat(chunks);
			let body: unknown;
			try {
				body = JSON.parse(raw.toString('utf8'));
			} catch {
				response.writeHead(422).end('{"code":422,"message":"Failed to parse request body"}');
				return;
			}
			const call = async () => await workflow.call({ body, rawBytes: raw.length });
			const answer = handle ? await handle(call) : await call();
			if (answer === 'drop') {
				response.destroy();
				return;
			}
			response.writeHead(answer.status).end(answer.body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/5eedance-7e57/webhook`;
	servers.push(server);
	return url;
}
const servers: http.Server[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Create on Ark with the callback URL, not waiting, for each prompt. */
async function createTasks(callbackUrl: string, prompts: string[]): Promise<string[]> {
	const run = await runSeedance({
		sim,
		provider: 'ark',
		items: prompts.map((prompt) => ({ prompt })),
		parameters: { operation: 'create', prompt: '={{ $json.prompt }}', waitForCompletion: false, additionalFields: { callbackUrl } },
	});
	expect(run.status).toBe('success');
	return run.items.map((item) => String(item.json.taskId));
}

/** Until every task of the simulator is finished and Ark has no callback left to send, then the runs. */
async function settle(workflow: WebhookWorkflow): Promise<WebhookRun[]> {
	for (;;) {
		await sim.arkCallbacksSettled();
		const finished = [...sim.tasks.values()].every((task) => Date.now() - task.createdAt > task.jobMs + 20);
		if (finished && (await sim.arkCallbacksSettled().then(() => true))) break;
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
	return await workflow.runs();
}

const TRIGGER = 'Seedance Trigger';

describe('Create sends the Callback URL', () => {
	it('Ark gets callback_url in the create body; a URL that is not http(s) is refused before any request', async () => {
		const [taskId] = await createTasks('https://n8n.example.com/webhook/abc/webhook', ['A fox']);
		expect(taskId).toMatch(/^cgt-/);
		expect(sim.createRequests('ark')[0].body).toMatchObject({ callback_url: 'https://n8n.example.com/webhook/abc/webhook' });
		sim.reset();
		const refused = await runSeedance({
			sim,
			provider: 'ark',
			parameters: { operation: 'create', prompt: 'A fox', waitForCompletion: false, additionalFields: { callbackUrl: 'ftp://n8n.example.com/hook' } },
		});
		expect(refused.status).toBe('error');
		expect(refused.error?.message).toContain('Callback URL must be an http(s) URL');
		expect(sim.requests).toHaveLength(0);
	});

	it('the field is Ark only: TokenHub gets no callback_url even when the value lingers in the parameters', async () => {
		const run = await runSeedance({
			sim,
			provider: 'tokenhub',
			parameters: { operation: 'create', prompt: 'A fox', waitForCompletion: false, additionalFields: { callbackUrl: 'https://n8n.example.com/hook' } },
		});
		expect(run.status).toBe('success');
		expect(sim.createRequests('tokenhub')[0].body).not.toHaveProperty('callback_url');
	});
});

describe('Ark calls back: one run per finished task', () => {
	it('three tasks: Ark sends queued, running and succeeded for each; exactly three runs, each with its video and the Get output', async () => {
		const workflow = triggerWorkflow();
		const url = await serve(workflow);
		const taskIds = await createTasks(url, ['One', 'Two', 'Three']);
		const runs = await settle(workflow);

		expect(runs).toHaveLength(3);
		const delivered = runs.map((run) => run.output(TRIGGER)[0]);
		expect(delivered.map((item) => item.json.taskId).sort()).toEqual([...taskIds].sort());
		for (const [index, item] of delivered.entries()) {
			expect(runs[index].status).toBe('success');
			expect(item.json).toMatchObject({ provider: 'ark', status: 'succeeded' });
			expect((await runs[index].binaryBuffer(item.binary!.data)).equals(sim.mp4)).toBe(true);
		}
		// Ark sent every status of every task, and each was answered at once (no retry).
		const statuses = sim.arkCallbacks.filter((attempt) => attempt.taskId === taskIds[0]).map((attempt) => attempt.status);
		expect(statuses).toEqual(['queued', 'running', 'succeeded']);
		expect(sim.arkCallbacks.every((attempt) => attempt.outcome === 'acked' && attempt.attempt === 1)).toBe(true);
		// Only the final callbacks were checked with Ark (the body's queued/running needs no check).
		const checks = sim.gatewayRequests('ark').filter((request) => request.method === 'GET');
		expect(checks).toHaveLength(3);

		// The same output as the Get operation for the same task (simplified).
		const get = await runSeedance({ sim, provider: 'ark', parameters: { operation: 'get', taskId: delivered[0].json.taskId as string } });
		expect(delivered[0].json).toEqual(get.items[0].json);
		expect(delivered[0].json).not.toHaveProperty('raw');
	});

	it('Simplify Output off keeps the raw task; Download Video off outputs the URL without a download', async () => {
		const workflow = triggerWorkflow({ simplify: false, options: { downloadVideo: false } });
		const url = await serve(workflow);
		await createTasks(url, ['One']);
		const [run] = await settle(workflow);
		const [item] = run.output(TRIGGER);
		expect(item.binary).toBeUndefined();
		expect(item.json.videoUrl).toMatch(/\/ark\/videos\//);
		expect((item.json.raw as IDataObject).status).toBe('succeeded');
		expect(sim.cdnRequests()).toHaveLength(0);
	});

	it('Start On: a failed task starts the workflow by default (no video), and not when only Succeeded is chosen', async () => {
		const all = triggerWorkflow();
		const only = triggerWorkflow({ statuses: ['succeeded'] });
		const urlAll = await serve(all);
		const urlOnly = await serve(only);
		await createTasks(urlAll, ['Forbidden [sim:fail]']);
		await createTasks(urlOnly, ['Forbidden [sim:fail]']);
		const [failed] = await settle(all);
		expect(await only.runs()).toHaveLength(0);
		expect(failed.status).toBe('success');
		expect(failed.output(TRIGGER)[0].json).toMatchObject({ status: 'failed', errorCode: 'OutputVideoSensitiveContentDetected.PolicyViolation' });
		expect(failed.output(TRIGGER)[0].binary).toBeUndefined();
	});

	it("an answer Ark never got (n8n answered after Ark's 5 s): Ark tries again, and the retry starts no second run", async () => {
		sim.setArkCallbacks({ timeoutMs: 150 });
		const workflow = triggerWorkflow();
		let slowed = 0;
		const url = await serve(workflow, async (call) => {
			const answer = await call();
			// The final callback is handled (the run starts), but its answer comes too late once.
			if (answer.run && slowed++ === 0) await new Promise((resolve) => setTimeout(resolve, 300));
			return answer;
		});
		const [taskId] = await createTasks(url, ['Slow answer']);
		const runs = await settle(workflow);
		const final = sim.arkCallbacks.filter((attempt) => attempt.taskId === taskId && attempt.status === 'succeeded');
		expect(final.map((attempt) => attempt.outcome)).toEqual(['timeout', 'acked']);
		expect(runs).toHaveLength(1);
	});

	it('n8n unreachable for the first tries: Ark retries, and the video still arrives once', async () => {
		const workflow = triggerWorkflow();
		let dropped = 0;
		const url = await serve(workflow, async (call) => (dropped++ < 4 ? 'drop' : await call()));
		const [taskId] = await createTasks(url, ['Flaky network']);
		const runs = await settle(workflow);
		expect(runs).toHaveLength(1);
		expect(runs[0].output(TRIGGER)[0].json.taskId).toBe(taskId);
		expect(sim.arkCallbacks.some((attempt) => attempt.outcome === 'error')).toBe(true);
	});

	it("Ark's own status check fails (500) when the callback comes: the caller is asked to try again (503), and Ark's retry delivers it", async () => {
		const workflow = triggerWorkflow();
		const url = await serve(workflow);
		sim.injectFault({ gateway: 'ark', method: 'GET', pathIncludes: '/contents/generations/tasks/', status: 500, times: 1 });
		const [taskId] = await createTasks(url, ['Ark hiccup']);
		const runs = await settle(workflow);
		expect(runs).toHaveLength(1);
		const final = sim.arkCallbacks.filter((attempt) => attempt.taskId === taskId && attempt.status === 'succeeded');
		expect(final.map((attempt) => attempt.statusCode)).toEqual([503, 200]);
	});
});

describe('callbacks Ark did not send start nothing, download nothing, and all get the same answer', () => {
	/** A delivered task, and the answer its genuine final callback got. */
	async function oneDelivered() {
		const workflow = triggerWorkflow();
		const url = await serve(workflow);
		const [taskId] = await createTasks(url, ['Real']);
		const runs = await settle(workflow);
		expect(runs).toHaveLength(1);
		return { workflow, url, taskId };
	}

	it.each<[ArkCallbackForgery, string]>([
		['forged-unknown', 'a succeeded task this account does not have'],
		['repeat', 'the final callback again'],
		['late', 'a running status after the final one'],
		['oversized', 'a task object padded past 1 MiB'],
		['not-a-task', 'a JSON array'],
	])('%s (%s): 200 with no body, no run, no download', async (kind) => {
		const { workflow, url, taskId } = await oneDelivered();
		const requestsBefore = sim.requests.length;
		const answers = [];
		for (let i = 0; i < 3; i++) answers.push(await sim.sendArkCallback(url, kind, taskId));
		expect(answers.map(({ status, body }) => ({ status, body }))).toEqual(Array(3).fill({ status: 200, body: '' }));
		expect(await workflow.runs()).toHaveLength(1);
		const after = sim.requests.slice(requestsBefore);
		// No download, and at most a status check with the trigger's key (the unknown ID: Ark answers 404).
		expect(after.filter((request) => request.server === 'cdn')).toHaveLength(0);
		expect(after.every((request) => request.method === 'GET' && request.server === 'gateway')).toBe(true);
		if (kind === 'forged-unknown') expect(after).toHaveLength(3);
		else expect(after).toHaveLength(0);
	});

	it('a forged succeeded status for a running task starts nothing; its real end, later, starts exactly one run', async () => {
		const workflow = triggerWorkflow();
		const url = await serve(workflow);
		const run = await runSeedance({
			sim,
			provider: 'ark',
			parameters: { operation: 'create', prompt: 'Long one [sim:ms=800]', waitForCompletion: false, additionalFields: { callbackUrl: url } },
		});
		const taskId = String(run.items[0].json.taskId);
		const forged = await sim.sendArkCallback(url, 'forged-status', taskId);
		expect(forged).toMatchObject({ status: 200, body: '' });
		expect(await workflow.runs()).toHaveLength(0);
		const runs = await settle(workflow);
		expect(runs).toHaveLength(1);
		expect(runs[0].output(TRIGGER)[0].json).toMatchObject({ taskId, status: 'succeeded' });
		// The video came from Ark's URL, never from the one in the forged body.
		expect(runs[0].output(TRIGGER)[0].json.videoUrl).toContain(sim.cdnOrigin);
	});

	it('a task of another Ark account (404 with this key) and a refused key answer like a started run: 200, no body', async () => {
		const { url } = await oneDelivered();
		const genuine = sim.arkCallbacks.find((attempt) => attempt.status === 'succeeded')!;
		expect(genuine.statusCode).toBe(200);
		const refusedKey = triggerWorkflow({}, { ark: { apiKey: 'ark-not-this-account' } });
		const refusedUrl = await serve(refusedKey);
		const [other] = await createTasks(refusedUrl, ['Elsewhere']);
		await settle(refusedKey);
		expect(await refusedKey.runs()).toHaveLength(0);
		expect(sim.arkCallbacks.filter((attempt) => attempt.taskId === other).every((attempt) => attempt.statusCode === 200)).toBe(true);
		expect(logLines.some((line) => line.level === 'warn' && line.message.includes("refused the trigger's credential"))).toBe(true);
		expect(await sim.sendArkCallback(url, 'forged-unknown')).toMatchObject({ status: 200, body: '' });
	});
});

describe('once per task, across processes, restarts and calls of one instant', () => {
	it('after a restart (this process forgets its claims), the saved static data still stops a repeated callback', async () => {
		const workflow = triggerWorkflow();
		const url = await serve(workflow);
		const [taskId] = await createTasks(url, ['Before the restart']);
		await settle(workflow);
		expect(Object.keys(workflow.storedStaticData['node:Seedance Trigger'] as IDataObject)).toContain('delivered');
		forgetClaims();
		expect(await sim.sendArkCallback(url, 'repeat', taskId)).toMatchObject({ status: 200 });
		expect(await workflow.runs()).toHaveLength(1);
	});

	it('two callbacks for the same task at the same instant in one process: one run', async () => {
		const workflow = triggerWorkflow();
		const url = await serve(workflow);
		sim.setArkCallbacks({ held: true });
		const [taskId] = await createTasks(url, ['Twice at once']);
		await new Promise((resolve) => setTimeout(resolve, 300));
		const both = await Promise.all([sim.sendArkCallback(url, 'repeat', taskId), sim.sendArkCallback(url, 'repeat', taskId)]);
		expect(both.map((answer) => answer.status)).toEqual([200, 200]);
		expect(await workflow.runs()).toHaveLength(1);
	});

	it("two tasks' callbacks at the same instant: neither save drops the other's claim, so after a restart both are still remembered", async () => {
		const workflow = triggerWorkflow({ options: { downloadVideo: false } });
		sim.setArkCallbacks({ held: true });
		const url = await serve(workflow);
		const [first, second] = await createTasks(url, ['A', 'B']);
		await new Promise((resolve) => setTimeout(resolve, 300));
		const body = (id: string) => ({ id, status: 'succeeded' });
		// Both calls load the static data before either is saved; the first saves last.
		let releaseFirst!: () => void;
		const firstSaved = new Promise<void>((resolve) => (releaseFirst = resolve));
		const one = workflow.call({ body: body(first), beforeSave: async () => await firstSaved });
		await new Promise((resolve) => setTimeout(resolve, 50));
		const two = await workflow.call({ body: body(second) });
		releaseFirst();
		await one;
		expect(two.status).toBe(200);
		expect(await workflow.runs()).toHaveLength(2);
		forgetClaims();
		for (const id of [first, second]) await workflow.call({ body: body(id) });
		expect(await workflow.runs()).toHaveLength(2);
		const saved = (workflow.storedStaticData['node:Seedance Trigger'] as { delivered: Record<string, number> }).delivered;
		expect(Object.keys(saved).sort()).toEqual([first, second].sort());
	});

	it('a test call (Listen for Test Event) starts a run each time and is not remembered', async () => {
		const workflow = triggerWorkflow({ options: { downloadVideo: false } });
		sim.setArkCallbacks({ enabled: false });
		const [taskId] = await createTasks('http://127.0.0.1:9/unused', ['Test me']);
		await new Promise((resolve) => setTimeout(resolve, 300));
		for (let i = 0; i < 2; i++) expect((await workflow.call({ body: { id: taskId, status: 'succeeded' }, mode: 'manual' })).run).toBeDefined();
		expect(await workflow.runs()).toHaveLength(2);
		expect(workflow.storedStaticData).toEqual({});
	});
});

describe('the delivered log is bounded and never lets a task through twice', () => {
	it(`keeps at most ${REMEMBERED_TASKS} tasks, and every task let go still counts as delivered (the floor)`, () => {
		const staticData: IDataObject = {};
		forgetClaims();
		const total = REMEMBERED_TASKS + 500;
		const firstTime = Array.from({ length: total }, (_, i) => claimDelivery(staticData, 'bound', `cgt-${i}`, 1_000 + i));
		expect(firstTime.every(Boolean)).toBe(true);
		// A restart: only the saved static data is left.
		forgetClaims();
		const saved = JSON.parse(JSON.stringify(staticData)) as IDataObject;
		expect(Object.keys(saved.delivered as IDataObject).length).toBeLessThanOrEqual(REMEMBERED_TASKS);
		expect(JSON.stringify(saved).length).toBeLessThan(64 * 1024);
		const again = Array.from({ length: total }, (_, i) => claimDelivery(saved, 'bound', `cgt-${i}`, 1_000 + i));
		expect(again.some(Boolean)).toBe(false);
		expect(claimDelivery(saved, 'bound', 'cgt-new', 1_000 + total)).toBe(true);
	});
});
