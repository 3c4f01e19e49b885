/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { existsSync, readdirSync, readFileSync, rmSync } from 'fs';
import { join } from 'path';

import type { Simulator } from '../simulator';
import { startSimulator } from '../simulator';
import type { StoredExecution } from './cluster';
import { Processes, sleep, storedExecutions, until, WORKER_READY } from './cluster';
import { freePort } from './processes';
import type { N8n, Workflow, WorkflowNode } from './workflows';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/lib/real-n8n');

/**
 * The durable loop (examples/durable-long-jobs.json) in queue mode, across process deaths
 * (issue 10 §2): Start Video (Create, Wait for Completion off) → Wait → Check Video (Get, Still
 * Running to a second output) ⇄ Wait. Redis, one main, workers; the simulator's jobs last longer
 * than one Wait and shorter than two, so the first check finds both tasks running and the second
 * finds them done. While the execution waits in the database (status `waiting`), case (1) SIGKILLs
 * the worker and starts a new one, case (2) SIGKILLs the main and starts it again. Both end
 * `success` on a worker, with one create per item, two status checks per task, and the videos in
 * n8n's binary store (`database` mode, queue mode's default on 2.x).
 *
 * The example as users import it, made runnable: the Schedule Trigger becomes a Webhook (so the
 * main enqueues the run), and the Wait becomes 66 s. The Wait node holds an execution in the
 * database only when `waitTill - now` is at least 65 000 ms, and it takes `now` twice
 * (Wait.node.js: waitTill = now + amount, then waitValue = waitTill - a new now), so exactly 65 s
 * stays in process whenever a millisecond passes between the two. The main's WaitTracker reads
 * the database every 60 s for executions due within 70 s, and at its start; it then resumes each
 * at its waitTill by a timer and enqueues it for a worker.
 *
 * n8n 2.40.7 (`npx jest --config jest.e2e.config.js --runInBand test/e2e/durable.e2e.ts`, about
 * 5 minutes; each case about 133 s from the webhook call to `success`):
 * - Both checks ran 0.1 s after their waitTill (66 s and 132 s after the call): the 60 s cadence
 *   costs nothing here, since a 66 s wait is always inside the next query's 70 s window.
 * - (1) worker-1 ran the first pass, up to the Wait; main-1 resumed the execution twice, and
 *   worker-2 ran both resumed passes.
 * - (2) main-2's WaitTracker found the execution at its start (its first query, before the 60 s
 *   timer), resumed it twice, and worker-2 ran every pass.
 * - In queue mode the main writes `n8n.workflow.started` to n8nEventLog.log, and a pass that ends
 *   in a Wait writes no success/failed event; workers write only node events, to the shared
 *   n8nEventLog-worker.log. So worker-2's startup recovery takes the waiting execution as
 *   unfinished ("Found unfinished executions: 1") and amends it. Every node in its logs has run
 *   data, so ExecutionRecoveryService.amend changes only the status, to `crashed`; its
 *   workflowExecuteAfter hook then saves `waiting` again, because waitTill is set
 *   (determineFinalExecutionStatus). Polling every second never saw `crashed`, and the execution
 *   went on. main-2 takes it as unfinished too, but finds no node events in its own log and
 *   leaves it alone.
 */

const WAIT_SECONDS = 66;
/** One Wait < a job < two Waits: the first check sees `running`, the second `succeeded`. */
const JOB_MS = 100_000;
const WORKFLOW_ID = 'seedanceExDurable01';
const WEBHOOK_PATH = 'durable-long-jobs';
const WAIT_NODE = 'Wait 2 Minutes';

let sim: Simulator;
let n8n: N8n;
let userFolder: string;
let workflow: Workflow;
let prompts: string[];
const procs = new Processes();
const outcomes: Record<string, Record<string, unknown>> = {};
let mainPort: number;
let queueEnv: Record<string, string>;
let mainName = 'main-1';
let workerName = 'worker-1';

/** The example as imported, with a Webhook for its Schedule Trigger and a 66 s Wait. */
function runnableExample(): Workflow {
	const example = JSON.parse(readFileSync(join(lib.ROOT, 'examples', 'durable-long-jobs.json'), 'utf8')) as Workflow;
	const trigger = example.nodes.find((node) => node.type === 'n8n-nodes-base.scheduleTrigger')!;
	const webhook: WorkflowNode & { webhookId: string } = {
		id: trigger.id,
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: trigger.position,
		webhookId: '3c0d7f2e-9a41-4b6e-8f1d-5eedancedu01',
		parameters: { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'onReceived', options: {} },
	};
	example.nodes = example.nodes.map((node) => {
		if (node === trigger) return webhook;
		if (node.type === 'n8n-nodes-base.wait') return { ...node, parameters: { amount: WAIT_SECONDS, unit: 'seconds' } };
		return node;
	});
	example.connections = Object.fromEntries(
		Object.entries(example.connections).map(([from, to]) => [from === trigger.name ? webhook.name : from, to]),
	);
	return example;
}

/** What the gateway saw, one line per request, and its tasks: for failure messages. */
function simLog(): string {
	const t0 = sim.requests[0]?.at ?? 0;
	const requests = sim.requests.map((r) => `+${((r.at - t0) / 1000).toFixed(1)}s ${r.server} ${r.gateway ?? ''} ${r.method} ${r.path}`);
	const tasks = [...sim.tasks.values()].map((task) => `${task.id} jobMs=${task.jobMs} polls=${task.pollCount} prompt=${JSON.stringify(task.prompt)}`);
	return `simulator requests:\n${requests.join('\n')}\nsimulator tasks:\n${tasks.join('\n')}`;
}
const context = () => `${simLog()}\n${procs.tail()}`;

/** Runs assertions; a failure's message gets the execution ID, the simulator log and the process logs. */
function asserting(executionId: string, assertions: () => void): void {
	try {
		assertions();
	} catch (error) {
		if (error instanceof Error) error.message += `\n\nexecution ${executionId}\n${context()}`;
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- jest's assertion error, passed on with context; not node code
		throw error;
	}
}

function n8nEnv(extra: Record<string, string>) {
	return lib.n8nEnv(userFolder, n8n, { N8N_LOG_LEVEL: 'info', ...queueEnv, ...extra });
}

/** The main at debug level: its WaitTracker logs "Resuming execution <id>" (with a timestamp) only there. */
async function startMain(name: string) {
	procs.start(name, n8n.n8nBin, ['start'], n8nEnv({ N8N_PORT: String(mainPort), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_LOG_LEVEL: 'debug' }));
	await until(`${name} to answer /healthz`, async () => ((await fetch(`http://127.0.0.1:${mainPort}/healthz`)).ok ? true : undefined), 120_000, context);
	mainName = name;
}

async function startWorker(name: string) {
	procs.start(name, n8n.n8nBin, ['worker', '--concurrency=5'], n8nEnv({ QUEUE_HEALTH_CHECK_PORT: String(await freePort()) }));
	await procs.logged(name, WORKER_READY);
	workerName = name;
}

/** SIGKILL, as a lost machine or an OOM kill; then the rest of its process group (n8n's task runner), as the machine takes it along. */
async function crash(name: string) {
	const exit = await procs.kill(name, 'SIGKILL');
	try {
		process.kill(-procs.get(name).pid!, 'SIGKILL');
	} catch {
		// nothing left in the group
	}
	return exit;
}

/** Posts to the production webhook until the main has registered it (404 before). */
async function trigger(): Promise<void> {
	const response = await until(
		'the webhook to be registered',
		async () => {
			const answer = await fetch(`http://127.0.0.1:${mainPort}/webhook/${WEBHOOK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
			return answer.status === 404 ? undefined : answer;
		},
		120_000,
		context,
	);
	expect(response.status).toBe(200);
}

const count = (text: string, needle: string) => text.split(needle).length - 1;
/** Per process, how often its log has `needle`, for the processes that have it at all. */
function whoLogged(needle: string): Record<string, number> {
	return Object.fromEntries(
		Object.entries(procs.logs)
			.map(([name, log]) => [name, count(log, needle)] as const)
			.filter(([, times]) => times > 0),
	);
}
/** The processes whose startup recovery (event log) amended this execution. */
const recoveredBy = (executionId: string) =>
	Object.entries(procs.logs)
		.filter(([, log]) => [...log.matchAll(/Found unfinished executions: ([\d, ]+)/g)].some((match) => match[1].split(/, */).includes(executionId)))
		.map(([name]) => name);
/** ISO timestamps of the main's debug lines that contain `needle` (format "<iso> | debug | message"). */
const stampsOf = (name: string, needle: string) =>
	procs.logs[name]
		.split('\n')
		.filter((line) => line.includes(needle))
		.map((line) => line.split(' | ')[0]);

/** execution_entity.waitTill as SQLite holds it ("YYYY-MM-DD HH:MM:SS.sss", UTC), in ms. */
function waitTillOf(row: StoredExecution): number | undefined {
	const value = (JSON.parse(row.raw) as { waitTill?: string | null }).waitTill;
	return value ? Date.parse(`${value.replace(' ', 'T')}Z`) : undefined;
}

type Item = { json: Record<string, unknown>; binary?: Record<string, { mimeType?: string; id?: string; fileName?: string }> };
type Run = { startTime: number; executionStatus?: string; data?: { main: Array<Item[] | null> } };
const runsOf = (execution: StoredExecution, node: string) => ((execution.data?.resultData?.runData ?? {}) as Record<string, Run[]>)[node] ?? [];
const at = (ms: number, since: number) => Math.round((ms - since) / 100) / 10;

/**
 * One execution's events in each event log of the n8n folder (the main writes n8nEventLog.log,
 * workers share n8nEventLog-worker.log): its workflow events in order, and how many node events.
 * A process's startup recovery takes an execution whose events in its own log do not end with
 * `n8n.workflow.success`/`failed` as unfinished, and amends it if that log has node events for it.
 */
function eventLogOf(executionId: string): Record<string, { workflow: string[]; nodeEvents: number }> {
	const folder = join(userFolder, '.n8n');
	if (!existsSync(folder)) return {};
	const logs: Record<string, { workflow: string[]; nodeEvents: number }> = {};
	for (const file of readdirSync(folder).filter((name) => /^n8nEventLog.*\.log$/.test(name)).sort()) {
		const events = readFileSync(join(folder, file), 'utf8')
			.split('\n')
			.flatMap((line) => {
				try {
					const message = JSON.parse(line) as { eventName?: string; payload?: { executionId?: string } };
					return message.payload?.executionId === executionId && message.eventName ? [message.eventName] : [];
				} catch {
					return [];
				}
			});
		const workflow = events.filter((name) => name.startsWith('n8n.workflow.')).map((name) => name.slice('n8n.workflow.'.length));
		const nodeEvents = events.filter((name) => name.startsWith('n8n.node.')).length;
		if (events.length) logs[file] = { workflow, nodeEvents };
	}
	return logs;
}

/**
 * Triggers the example, waits until its execution is held in the database (`waiting`, and the
 * worker's job for the first pass is over), calls `disrupt`, then follows the execution until it
 * ends. Returns what the assertions need, and records timings in `outcomes[label]`.
 */
async function runThroughDisruption(label: string, disrupt: () => Promise<Record<string, unknown>>) {
	sim.reset();
	const before = new Set((await storedExecutions(n8n, userFolder, WORKFLOW_ID)).map((row) => row.id));
	const triggeredAt = Date.now();
	await trigger();

	const waiting = await until(
		'the execution to wait in the database, its first pass over on the worker',
		async () => {
			const row = (await storedExecutions(n8n, userFolder, WORKFLOW_ID)).find((candidate) => !before.has(candidate.id));
			return row?.status === 'waiting' && procs.logs[workerName].includes(`Worker finished execution ${row.id} `) ? row : undefined;
		},
		120_000,
		context,
	);
	const executionId = waiting.id;
	const firstWaitTill = waitTillOf(waiting)!;
	const waitingSeenAt = Date.now();
	asserting(executionId, () => {
		expect(Object.keys(waiting.data?.resultData?.runData ?? {})).toEqual(['Webhook', 'Prompts', 'One Item per Prompt', 'Start Video', WAIT_NODE]);
		expect(sim.createRequests('aihubmix')).toHaveLength(2);
		expect(firstWaitTill - runsOf(waiting, WAIT_NODE)[0].startTime).toBeGreaterThanOrEqual(WAIT_SECONDS * 1000 - 1000);
	});
	// "Worker finished execution" is logged just before the worker tells Bull the job is done.
	await sleep(2000);

	const eventsBeforeDisruption = eventLogOf(executionId);
	const disruptedAt = Date.now();
	const disruption = await disrupt();
	const backAt = Date.now();
	asserting(executionId, () => expect(backAt).toBeLessThan(firstWaitTill)); // the new process is up before the first wait ends

	const seen: string[] = ['waiting'];
	const final = await until(
		`execution ${executionId} to end`,
		async () => {
			const row = (await storedExecutions(n8n, userFolder, WORKFLOW_ID)).find((candidate) => candidate.id === executionId);
			if (row && seen[seen.length - 1] !== row.status) seen.push(row.status);
			return row && ['success', 'error', 'crashed', 'canceled'].includes(row.status) ? row : undefined;
		},
		3 * WAIT_SECONDS * 1000 + 60_000,
		() => `execution ${executionId}, statuses seen: ${seen.join(' → ')}\n${context()}`,
	);
	const endedAt = Date.now();

	const checks = runsOf(final, 'Check Video');
	const waits = runsOf(final, WAIT_NODE);
	outcomes[label] = {
		executionId,
		totalSeconds: at(endedAt, triggeredAt),
		waitingAfterSeconds: at(waitingSeenAt, triggeredAt),
		disruptedAtSeconds: at(disruptedAt, triggeredAt),
		backUpAtSeconds: at(backAt, triggeredAt),
		firstWaitTillAtSeconds: at(firstWaitTill, triggeredAt),
		startVideoAtSeconds: runsOf(final, 'Start Video').map((run) => at(run.startTime, triggeredAt)),
		checkVideoRunsAtSeconds: checks.map((run) => at(run.startTime, triggeredAt)),
		checkVideoLateAfterFirstWaitTillSeconds: checks[0] ? at(checks[0].startTime, firstWaitTill) : undefined,
		statusesSeen: seen,
		finalStatus: final.status,
		workerStarts: whoLogged(`Worker started execution ${executionId} `),
		workerFinishes: whoLogged(`Worker finished execution ${executionId} `),
		mainEnqueues: whoLogged(`Enqueued execution ${executionId} `),
		mainResumes: whoLogged(`Resuming execution ${executionId} `),
		resumeStamps: stampsOf(mainName, `Resuming execution ${executionId} `),
		mainWaitingQueries: count(procs.logs[mainName], 'Querying database for waiting executions'),
		creates: sim.createRequests('aihubmix').length,
		pollsPerTask: [...sim.tasks.values()].map((task) => task.pollCount),
		crashRecoveryOfThisExecution: recoveredBy(executionId),
		workflowEventsBeforeDisruption: eventsBeforeDisruption,
		workflowEventsAtEnd: eventLogOf(executionId),
		...disruption,
	};
	return { executionId, final, checks, waits, disruption };
}

/** The assertions both cases share: success, one create per item, the loop went round once, the videos stored. */
function assertDurableRun(executionId: string, final: StoredExecution, checks: Run[], waits: Run[]) {
	asserting(executionId, () => {
		expect(final.status).toBe('success');
		expect(final.finished).toBeTruthy();

		// One create per item, with the example's prompts; each task checked once per pass.
		const creates = sim.createRequests('aihubmix');
		expect(creates.map((request) => (request.body as { prompt?: string }).prompt).sort()).toEqual([...prompts].sort());
		const tasks = [...sim.tasks.values()];
		expect(tasks).toHaveLength(2);
		expect(tasks.map((task) => task.pollCount)).toEqual([2, 2]);
		const taskIds = tasks.map((task) => task.id).sort();

		const started = runsOf(final, 'Start Video');
		expect(started).toHaveLength(1);
		expect(started[0].data!.main[0]!.map((item) => item.json.taskId).sort()).toEqual(taskIds);

		// Check Video ran twice: the first pass sent both tasks round the loop, the second finished them.
		expect(waits).toHaveLength(2);
		expect(checks).toHaveLength(2);
		const [first, second] = checks.map((run) => run.data!.main);
		expect(first[0] ?? []).toEqual([]);
		expect((first[1] ?? []).map((item) => [item.json.taskId, item.json.status]).sort()).toEqual(taskIds.map((id) => [id, 'running']));
		expect(second[1] ?? []).toEqual([]);
		const done = second[0] ?? [];
		expect(done.map((item) => [item.json.taskId, item.json.status]).sort()).toEqual(taskIds.map((id) => [id, 'succeeded']));
		// Each check ran a whole Wait after the pass before it (Create, then the first check): the
		// waits were held, not skipped. (A resumed Wait node's stored run is its resumption.)
		expect(checks[0].startTime - started[0].startTime).toBeGreaterThan(WAIT_SECONDS * 1000);
		expect(checks[1].startTime - checks[0].startTime).toBeGreaterThan(WAIT_SECONDS * 1000);
		waits.forEach((wait, index) => expect(checks[index].startTime - wait.startTime).toBeGreaterThanOrEqual(0));

		// The videos, downloaded and kept in n8n's database binary store.
		for (const item of done) {
			expect(item.binary?.data).toMatchObject({ mimeType: 'video/mp4', id: expect.stringMatching(/^database:/), fileName: expect.stringMatching(/\.mp4$/) });
		}
		const ready = runsOf(final, 'Video Ready');
		expect(ready).toHaveLength(1);
		expect(ready[0].data!.main[0]!.map((item) => item.json.taskId).sort()).toEqual(taskIds);
		const downloads = sim.gatewayRequests('aihubmix').flatMap((request) => (request.method === 'GET' ? (/\/videos\/([^/?]+)\/content/.exec(request.path)?.slice(1) ?? []) : []));
		expect(downloads.sort()).toEqual(taskIds); // one download per task
	});
}

beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 200, jobMs: JOB_MS });
	({ n8n, userFolder } = lib.n8nWithPackage());
	workflow = runnableExample();
	prompts = (JSON.parse(String(workflow.nodes.find((node) => node.name === 'Prompts')!.parameters.jsonOutput)) as { rows: Array<{ prompt: string }> }).rows.map((row) => row.prompt);
	lib.importAll(userFolder, n8n, { credentials: lib.credentialsFor(sim), workflows: [workflow] });
	// n8n 1.x has no publish:workflow; activating is its equivalent.
	const args = /n8n-1\./.test(n8n.n8nDir) ? ['update:workflow', `--id=${WORKFLOW_ID}`, '--active=true'] : ['publish:workflow', `--id=${WORKFLOW_ID}`];
	const published = lib.n8nCli(userFolder, n8n, args);
	if (published.status !== 0) throw new Error(`publish failed: ${published.stdout}${published.stderr}`);

	const redisPort = await freePort();
	procs.start('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], process.env);
	queueEnv = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		// Only for stopping at the end: nothing runs while an execution waits.
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
	};
	mainPort = await freePort();
	await startMain('main-1');
	await startWorker('worker-1');
}, 10 * 60 * 1000);

afterAll(async () => {
	await procs.stopAll();
	await sim?.close();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	// eslint-disable-next-line no-console
	console.log(`Durable loop outcomes (${n8n?.n8nDir.split('/').pop()}, Wait ${WAIT_SECONDS} s, jobs ${JOB_MS / 1000} s; times in s from the webhook call):\n${JSON.stringify(outcomes, null, 2)}`);
});

test('(1) worker SIGKILLed while the execution waits in the database, a new worker started: the new worker runs both resumed passes to success, 1 create per item, videos stored', async () => {
	const label = '(1) worker SIGKILL while waiting, new worker';
	const { executionId, final, checks, waits } = await runThroughDisruption(label, async () => {
		const exit = await crash('worker-1');
		await startWorker('worker-2');
		return { killedWorkerExit: exit };
	});
	assertDurableRun(executionId, final, checks, waits);
	asserting(executionId, () => {
		expect(outcomes[label].killedWorkerExit).toEqual({ code: null, signal: 'SIGKILL' });
		// The first pass (up to the Wait) ran on worker-1; both resumed passes on worker-2, enqueued by the main at each waitTill.
		expect(whoLogged(`Worker started execution ${executionId} `)).toEqual({ 'worker-1': 1, 'worker-2': 2 });
		expect(whoLogged(`Worker finished execution ${executionId} `)).toEqual({ 'worker-1': 1, 'worker-2': 2 });
		expect(whoLogged(`Enqueued execution ${executionId} `)).toEqual({ 'main-1': 3 });
		expect(whoLogged(`Resuming execution ${executionId} `)).toEqual({ 'main-1': 2 });
	});
});

test('(2) main SIGKILLed while the execution waits in the database, started again: the restarted main resumes it, the worker runs it to success, 1 create per item, videos stored', async () => {
	const label = '(2) main SIGKILL while waiting, main started again';
	const { executionId, final, checks, waits } = await runThroughDisruption(label, async () => {
		const exit = await crash('main-1');
		const restartAt = Date.now();
		await startMain('main-2');
		return { killedMainExit: exit, mainRestartSeconds: at(Date.now(), restartAt) };
	});
	assertDurableRun(executionId, final, checks, waits);
	asserting(executionId, () => {
		expect(outcomes[label].killedMainExit).toEqual({ code: null, signal: 'SIGKILL' });
		// main-1 only enqueued the webhook's run; main-2's WaitTracker found the waiting execution
		// at its start and resumed it twice; worker-2 ran every pass.
		expect(whoLogged(`Enqueued execution ${executionId} `)).toEqual({ 'main-1': 1, 'main-2': 2 });
		expect(whoLogged(`Resuming execution ${executionId} `)).toEqual({ 'main-2': 2 });
		expect(whoLogged(`Worker started execution ${executionId} `)).toEqual({ 'worker-2': 3 });
		expect(whoLogged(`Worker finished execution ${executionId} `)).toEqual({ 'worker-2': 3 });
	});
});
