/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { execFile } from 'child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'fs';
import { join } from 'path';
import { promisify } from 'util';

import type { ArkCallbackForgery, CallbackAnswer, Simulator } from '../simulator';
import { startSimulator } from '../simulator';
import type { StoredExecution } from './cluster';
import { Processes, storedExecutions, until, WORKER_READY } from './cluster';
import { freePort } from './processes';
import type { N8n, Workflow, WorkflowNode } from './workflows';
import { writeFile } from './workflows';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/lib/real-n8n');

/**
 * Ark's callbacks into a real n8n in queue mode (Redis, one main, one worker), with the two
 * examples as users import them: examples/ark-callback-create.json (its Schedule Trigger made a
 * Webhook so the main enqueues it, its Callback URL this n8n's) creates the tasks on the worker
 * and ends; the simulated Ark then calls the Production URL of examples/ark-callback-to-drive.json
 * (its Google Drive node disabled, a file write after it), whose Seedance Trigger starts a run per
 * finished task on the main, and the worker downloads the video.
 *
 * One cluster for every case, in order: (1) two tasks, exactly two runs, and none for forged,
 * repeated, late, oversized and malformed calls; (2) the main SIGKILLed and started again between
 * the create and Ark's callbacks (held back by the simulator until the new main is up): exactly
 * two more runs, and the first case's callbacks sent again start none (the trigger's memory of
 * them came back from the database, not from the dead process).
 */

// At most 21 characters, as n8n's own IDs (16): n8n saves no static data for a longer workflow ID
// (cli utils.ts isWorkflowIdValid), so the trigger would remember nothing across processes.
const CREATE_ID = 'seedanceExArkCb1';
const TRIGGER_ID = 'seedanceExArkCb2';
const CREATE_PATH = 'ark-callback-create';
const FIXTURE = readFileSync(join(__dirname, '..', 'simulator', 'fixtures', 'tiny.mp4'));

let sim: Simulator;
let n8n: N8n;
let userFolder: string;
let mainPort: number;
let queueEnv: Record<string, string>;
let callbackUrl: string;
let mainName = 'main-1';
const procs = new Processes();
const context = () => `${simLog()}\n${procs.tail()}`;
const waitFor = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000) => await until(what, probe, timeoutMs, context);

function simLog(): string {
	const t0 = sim.requests[0]?.at ?? 0;
	const requests = sim.requests.map((r) => `+${((r.at - t0) / 1000).toFixed(1)}s ${r.server} ${r.method} ${r.path}`);
	const callbacks = sim.arkCallbacks.map((c) => `+${((c.sentAt - t0) / 1000).toFixed(1)}s callback ${c.taskId} ${c.status} try ${c.attempt}: ${c.outcome} ${c.statusCode ?? ''}`);
	return `simulator:\n${[...requests, ...callbacks].join('\n')}`;
}

/** The examples as imported, made runnable here. */
function examples(): Workflow[] {
	const read = (name: string) => JSON.parse(readFileSync(join(lib.ROOT, 'examples', `${name}.json`), 'utf8')) as Workflow;
	const create = read('ark-callback-create');
	const schedule = create.nodes.find((node) => node.type === 'n8n-nodes-base.scheduleTrigger')!;
	const webhook: WorkflowNode & { webhookId: string } = {
		id: schedule.id,
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: schedule.position,
		webhookId: 'c4a11bac-7e57-4e6a-9b8c-1d0ea4c0ca11',
		parameters: { httpMethod: 'POST', path: CREATE_PATH, responseMode: 'onReceived', options: {} },
	};
	create.nodes = create.nodes.map((node) => {
		if (node === schedule) return webhook;
		if (node.type !== lib.NODE_TYPE) return node;
		const additionalFields = { ...(node.parameters.additionalFields as object), callbackUrl };
		return { ...node, parameters: { ...node.parameters, additionalFields } };
	});
	create.connections = Object.fromEntries(Object.entries(create.connections).map(([from, to]) => [from === schedule.name ? webhook.name : from, to]));

	const drive = read('ark-callback-to-drive');
	const upload = drive.nodes.find((node) => node.type === 'n8n-nodes-base.googleDrive')!;
	const save = { ...writeFile(`=${userFolder}/out/{{ $json.taskId }}.mp4`), position: [440, 0] as [number, number] };
	drive.nodes = [...drive.nodes.map((node) => (node === upload ? { ...node, disabled: true } : node)), save];
	drive.connections[upload.name] = { main: [[{ node: save.name, type: 'main', index: 0 }]] };
	return [create, drive];
}

function n8nEnv(extra: Record<string, string> = {}) {
	return lib.n8nEnv(userFolder, n8n, { ...queueEnv, ...extra });
}

/** The main at debug level: the trigger logs each ignored call there ("callback ignored"). */
async function startMain(name: string) {
	procs.start(name, n8n.n8nBin, ['start'], n8nEnv({ N8N_PORT: String(mainPort), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_LOG_LEVEL: 'debug' }));
	await waitFor(`${name} to answer /healthz`, async () => ((await fetch(`http://127.0.0.1:${mainPort}/healthz`)).ok ? true : undefined));
	mainName = name;
	// The main answers /healthz before it has registered the published workflows' webhooks.
	await waitFor('the trigger webhook to be registered', async () => ((await sim.sendArkCallback(callbackUrl, 'not-a-task')).status === 404 ? undefined : true));
}

const count = (text: string, needle: string) => text.split(needle).length - 1;
const ignoredOnMain = () => count(procs.logs[mainName], 'Seedance Trigger: callback ignored');

/** The workflow's static data as n8n saved it (workflow_entity.staticData), read with n8n's sqlite3. */
async function savedStaticData(workflowId: string): Promise<Record<string, { delivered?: Record<string, number> }>> {
	const script = `
		const sqlite3 = require(${JSON.stringify(join(n8n.n8nDir, 'node_modules', 'sqlite3'))});
		const db = new sqlite3.Database(${JSON.stringify(join(userFolder, '.n8n', 'database.sqlite'))}, sqlite3.OPEN_READONLY);
		db.get('SELECT staticData FROM workflow_entity WHERE id = ?', [${JSON.stringify(workflowId)}], (error, row) => {
			if (error) { console.error(error.message); process.exit(1); }
			console.log(row?.staticData ?? 'null');
		});`;
	const { stdout } = await promisify(execFile)(join(n8n.nodeBin, 'node'), ['-e', script], { encoding: 'utf8' });
	return (JSON.parse(stdout) ?? {}) as Record<string, { delivered?: Record<string, number> }>;
}

async function executionsOf(workflowId: string): Promise<StoredExecution[]> {
	return await storedExecutions(n8n, userFolder, workflowId);
}

/** Until `n` runs of the trigger workflow have ended; then every run, and the task each delivered. */
async function triggerRuns(n: number) {
	const rows = await waitFor(`${n} finished runs of the trigger workflow`, async () => {
		const found = await executionsOf(TRIGGER_ID);
		return found.length >= n && found.every((row) => ['success', 'error', 'crashed'].includes(row.status)) ? found : undefined;
	});
	// The worker saves an execution before it logs the finish.
	for (const row of rows) await procs.logged('worker', `Worker finished execution ${row.id}`, 15_000);
	type Item = { json: Record<string, unknown>; binary?: Record<string, { mimeType: string; id?: string }> };
	const delivered = rows.map((row) => {
		const runData = (row.data?.resultData?.runData ?? {}) as Record<string, Array<{ data?: { main: Item[][] } }>>;
		return runData['When an Ark Video Is Ready']?.[0]?.data?.main[0]?.[0];
	});
	return { rows, delivered };
}

/** Starts the create example through its webhook; resolves once its run ended and Ark has the tasks. */
async function createVideos(expectedTasks: number) {
	const before = new Set((await executionsOf(CREATE_ID)).map((row) => row.id));
	const answer = await fetch(`http://127.0.0.1:${mainPort}/webhook/${CREATE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
	expect(answer.status).toBe(200);
	const run = await waitFor('the create run to end', async () => {
		const row = (await executionsOf(CREATE_ID)).find((candidate) => !before.has(candidate.id));
		return row && ['success', 'error', 'crashed'].includes(row.status) ? row : undefined;
	});
	expect(run.status).toBe('success');
	await waitFor(`${expectedTasks} Ark tasks`, () => (sim.tasks.size >= expectedTasks ? true : undefined));
	return [...sim.tasks.keys()].slice(-2);
}

const timings: Record<string, number[]> = {};
async function forge(kind: ArkCallbackForgery, taskId?: string): Promise<CallbackAnswer> {
	const answer = await sim.sendArkCallback(callbackUrl, kind, taskId);
	(timings[kind] ??= []).push(answer.ms);
	return answer;
}

beforeAll(async () => {
	const started = Date.now();
	sim = await startSimulator({ queuedMs: 300, jobMs: 3000 });
	({ n8n, userFolder } = lib.n8nWithPackage());
	mkdirSync(join(userFolder, 'out'));
	mainPort = await freePort();
	const webhookId = (JSON.parse(readFileSync(join(lib.ROOT, 'examples', 'ark-callback-to-drive.json'), 'utf8')) as { nodes: Array<{ webhookId?: string }> }).nodes[0].webhookId;
	callbackUrl = `http://127.0.0.1:${mainPort}/webhook/${webhookId}/webhook`;

	const redisPort = await freePort();
	procs.start('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], process.env);
	const workflows = examples();
	lib.importAll(userFolder, n8n, { credentials: lib.credentialsFor(sim), workflows });
	for (const workflow of workflows) {
		const published = lib.n8nCli(userFolder, n8n, ['publish:workflow', `--id=${workflow.id}`]);
		if (published.status !== 0) throw new Error(`publish failed: ${published.stdout}${published.stderr}`);
	}
	queueEnv = { EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(redisPort), N8N_LOG_LEVEL: 'info' };
	procs.start('worker', n8n.n8nBin, ['worker', '--concurrency=5'], n8nEnv({ QUEUE_HEALTH_CHECK_PORT: String(await freePort()) }));
	await startMain('main-1');
	await procs.logged('worker', WORKER_READY);
	process.stdout.write(`[trigger e2e] cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}, 10 * 60 * 1000);

afterAll(async () => {
	process.stdout.write(`[trigger e2e] answer times (ms) to calls Ark did not send: ${JSON.stringify(timings)}\n`);
	await procs.stopAll();
	await sim?.close();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

let firstTasks: string[] = [];

it('Ark calls back for two tasks: exactly two runs on the worker, each video on disk; forged, repeated, late, oversized and malformed calls start none', async () => {
	const started = Date.now();
	const ignoredBefore = ignoredOnMain();
	// Long enough for a forged "succeeded" to come while the tasks still run.
	sim.set({ jobMs: 8000 });
	firstTasks = await createVideos(2);
	sim.set({ jobMs: 3000 });
	expect(sim.createRequests('ark').map((request) => (request.body as { callback_url?: string }).callback_url)).toEqual([callbackUrl, callbackUrl]);

	// While the tasks run: a forged "succeeded" for a real task, and one for a task Ark never made.
	const early = [await forge('forged-status', firstTasks[0]), await forge('forged-unknown')];
	const runningTask = sim.tasks.get(firstTasks[0])!;
	expect(Date.now() - runningTask.createdAt).toBeLessThan(runningTask.jobMs);

	const { rows, delivered } = await triggerRuns(2);
	expect(rows.map((row) => row.status)).toEqual(['success', 'success']);
	expect(delivered.map((item) => item?.json.taskId).sort()).toEqual([...firstTasks].sort());
	for (const item of delivered) {
		expect(item?.json).toMatchObject({ provider: 'ark', status: 'succeeded' });
		expect(item?.binary?.data.id).toMatch(/^database:/);
	}
	for (const taskId of firstTasks) expect(readFileSync(join(userFolder, 'out', `${taskId}.mp4`)).equals(FIXTURE)).toBe(true);
	for (const row of rows) expect(procs.logs.worker).toContain(`Worker started execution ${row.id}`);

	// After the runs: the final callbacks again (Ark's retries, a replay), late and bad bodies.
	const late: CallbackAnswer[] = [];
	for (const taskId of firstTasks) {
		late.push(await forge('repeat', taskId), await forge('repeat', taskId), await forge('late', taskId), await forge('oversized', taskId));
	}
	late.push(await forge('not-a-task'));
	const answers = [...early, ...late];
	expect(answers.map(({ status, body }) => ({ status, body }))).toEqual(answers.map(() => ({ status: 200, body: '' })));
	// n8n's own body parser refuses a body that is not JSON, before any node runs.
	const malformed = await forge('malformed', firstTasks[0]);
	expect(malformed.status).toBe(422);
	expect(malformed.body).not.toContain(firstTasks[0]);

	// Every one of those calls was ignored by the trigger (logged before its answer), as were Ark's
	// own queued and running callbacks; none ran.
	const arkUnfinished = sim.arkCallbacks.filter((attempt) => firstTasks.includes(attempt.taskId) && attempt.status !== 'succeeded' && attempt.outcome === 'acked').length;
	expect(arkUnfinished).toBe(4);
	await waitFor('the main to log each ignored call', () => (ignoredOnMain() - ignoredBefore >= answers.length + arkUnfinished ? true : undefined), 15_000);
	expect(ignoredOnMain() - ignoredBefore).toBe(answers.length + arkUnfinished);
	expect(await executionsOf(TRIGGER_ID)).toHaveLength(2);
	expect(sim.cdnRequests().filter((request) => !firstTasks.some((id) => request.path.includes(id)))).toHaveLength(0);
	expect(sim.cdnRequests()).toHaveLength(2);
	// What the trigger remembers is in the database, where the next main reads it.
	const saved = await savedStaticData(TRIGGER_ID);
	process.stdout.write(`[trigger e2e] saved static data: ${JSON.stringify(saved)}\n`);
	expect(Object.keys(saved['node:When an Ark Video Is Ready']?.delivered ?? {}).sort()).toEqual([...firstTasks].sort());
	process.stdout.write(`[trigger e2e] case 1: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

it('queue mode, the main SIGKILLed and started again between the create and the callbacks: exactly one run per task, and the earlier tasks stay delivered', async () => {
	const started = Date.now();
	sim.setArkCallbacks({ held: true });
	const tasks = await createVideos(4);
	expect(tasks.filter((id) => firstTasks.includes(id))).toHaveLength(0);

	await procs.kill(mainName, 'SIGKILL');
	try {
		process.kill(-procs.get(mainName).pid!, 'SIGKILL');
	} catch {
		// nothing left in its group
	}
	await startMain('main-2');
	const restartedAt = Date.now();
	// The tasks finished while the main was down; Ark's held callbacks go out only now.
	expect([...sim.tasks.values()].every((task) => Date.now() - task.createdAt > task.jobMs)).toBe(true);
	sim.releaseArkCallbacks();
	await sim.arkCallbacksSettled();

	const { rows, delivered } = await triggerRuns(4);
	expect(rows.map((row) => row.status)).toEqual(['success', 'success', 'success', 'success']);
	expect(delivered.map((item) => item?.json.taskId).sort()).toEqual([...firstTasks, ...tasks].sort());
	for (const taskId of tasks) expect(readFileSync(join(userFolder, 'out', `${taskId}.mp4`)).equals(FIXTURE)).toBe(true);
	const finals = sim.arkCallbacks.filter((attempt) => tasks.includes(attempt.taskId) && attempt.status === 'succeeded');
	expect(finals.map((attempt) => attempt.statusCode)).toEqual([200, 200]);

	// The first case's final callbacks again, to the new main: its memory is the database's.
	const ignoredBefore = ignoredOnMain();
	for (const taskId of firstTasks) expect(await forge('repeat', taskId)).toMatchObject({ status: 200, body: '' });
	await waitFor('the new main to ignore them', () => (ignoredOnMain() - ignoredBefore >= firstTasks.length ? true : undefined), 15_000);
	expect(await executionsOf(TRIGGER_ID)).toHaveLength(4);
	expect(readdirSync(join(userFolder, 'out')).sort()).toEqual([...firstTasks, ...tasks].map((id) => `${id}.mp4`).sort());
	process.stdout.write(`[trigger e2e] case 2: ${((Date.now() - started) / 1000).toFixed(1)} s (callbacks released ${((Date.now() - restartedAt) / 1000).toFixed(1)} s before the end)\n`);
});
