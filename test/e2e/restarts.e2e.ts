/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { rmSync } from 'fs';

import type { SimTask, Simulator } from '../simulator';
import { startSimulator } from '../simulator';
import type { StoredExecution } from './cluster';
import { Processes, sleep, storedExecutions, until, WORKER_READY } from './cluster';
import { freePort } from './processes';
import type { N8n, Workflow } from './workflows';
import { chain } from './workflows';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/lib/real-n8n');

/**
 * What happens to a Seedance Create with Wait for Completion when the n8n process running it
 * dies while the node waits (issue 10, part 1). Each case triggers Webhook → Seedance Create on
 * a 90 s simulated job, kills the process once the task exists and has been polled twice,
 * restarts what was killed, waits for whatever n8n does about it, and then reads:
 * - the simulator's request log: how many tasks were paid for;
 * - n8n's database: the execution's final status, and whether the task ID is anywhere in it;
 * - the processes' logs: where the node's "Seedance task <id> created" line went.
 *
 * n8n 2.40.7 (`npm run test:e2e`):
 * - No case runs the execution again, so no case pays twice. Regular mode never re-runs a
 *   `running` execution on start (it marks it crashed), and queue mode runs Bull with
 *   `maxStalledCount: 0` (ScalingService.setupQueue), so a job whose worker died is failed, not
 *   retried (MaxStalledCountError).
 * - No case keeps the task ID in n8n. The node holds it in memory until it finishes, and n8n
 *   saves progress (EXECUTIONS_DATA_SAVE_ON_PROGRESS, on here) only after a node finishes. The
 *   ID is only in the dead process's log, and the paid video is never fetched. So the
 *   single-node Create-with-wait cannot promise "every paid task's ID can be found in n8n"
 *   across a process death: only a wait n8n itself persists (Create without waiting → Wait node
 *   → Get, looping) can.
 *
 * n8n 1.123.81 (`N8N_VERSION=1.123.81 npx jest --config jest.e2e.config.js test/e2e/restarts.e2e.ts`)
 * differs in queue mode: Bull's `maxStalledCount` is QUEUE_WORKER_MAX_STALLED_COUNT, default 1,
 * so the surviving worker of case (c) runs the execution again from its saved progress, the
 * Seedance node creates a SECOND paid task, and the first task's ID is lost. Case (b) escapes
 * that only because the restarted worker shares the dead one's n8n folder: its event-log crash
 * recovery marks the execution crashed first, and JobProcessor.processJob skips crashed ones.
 * QUEUE_WORKER_MAX_STALLED_COUNT=0 (2.x's fixed value) makes 1.x fail the job instead, with one
 * task (the last test, run on 1.x only).
 */

let sim: Simulator;
let n8n: N8n;
let userFolder: string;
const procs = new Processes();
const outcomes: Record<string, Record<string, unknown>> = {};

const JOB_MS = 90_000;
const CASES = {
	regular: { workflowId: 'restartRegularKill', path: 'restart-regular', webhookId: '6f1d2c3b-0a4e-4b5c-8d7e-5eedance0a01' },
	deploy: { workflowId: 'restartWorkerSigterm', path: 'restart-deploy', webhookId: '6f1d2c3b-0a4e-4b5c-8d7e-5eedance0b02' },
	lostWorker: { workflowId: 'restartWorkerSigkill', path: 'restart-lost-worker', webhookId: '6f1d2c3b-0a4e-4b5c-8d7e-5eedance0c03' },
	lostWorkerNoStall: { workflowId: 'restartWorkerSigkill0', path: 'restart-lost-worker-0', webhookId: '6f1d2c3b-0a4e-4b5c-8d7e-5eedance0d04' },
};
type CaseName = keyof typeof CASES;
const STALLED = /failed to be processed too many times/;

function workflowFor({ workflowId, path, webhookId }: (typeof CASES)[CaseName]): Workflow {
	const workflow = chain(workflowId, [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
		},
		{
			name: 'Seedance',
			type: lib.NODE_TYPE,
			typeVersion: 1,
			parameters: {
				provider: 'tokenhub',
				operation: 'create',
				prompt: '={{ $json.body.prompt }}',
				options: { pollIntervalSeconds: 1, timeoutMinutes: 3 },
			},
			credentials: lib.CREDENTIAL_REFS.tokenhub,
		},
	]);
	(workflow.nodes[0] as { webhookId?: string }).webhookId = webhookId;
	return workflow;
}

const context = () => procs.tail();
const isN8n1 = () => /n8n-1\./.test(n8n.n8nDir);
/** The same, before beforeAll has run: scripts/install-n8n.sh installs N8N_VERSION (default: the N8N_VERSION line of scripts/install-n8n.sh). */
const N8N1 = (process.env.N8N_VERSION ?? '').startsWith('1.');
/** A test that exists only on n8n 1.x (`npm run test:e2e:n8n1` runs it); not a skipped test on 2.x. */
const onlyOnN8n1 = N8N1 ? test : ((() => undefined) as unknown as typeof test);

/** Posts to the production webhook until the main process has registered it (404 before). */
async function trigger(port: number, path: string, prompt: string): Promise<void> {
	const response = await until(
		`the webhook /${path} to be registered`,
		async () => {
			const answer = await fetch(`http://127.0.0.1:${port}/webhook/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ prompt }),
			});
			return answer.status === 404 ? undefined : answer;
		},
		120_000,
		context,
	);
	expect(response.status).toBe(200);
}

const creates = (marker: string) => sim.createRequests('tokenhub').filter((request) => String((request.body as { prompt?: unknown }).prompt).includes(marker));
const tasksOf = (marker: string): SimTask[] => [...sim.tasks.values()].filter((task) => String(task.body.prompt).includes(marker));

/** The moment to kill: the task exists on the gateway and the node has polled it twice. */
async function nodeIsWaiting(marker: string): Promise<SimTask> {
	return await until(`the Seedance node to be polling its task (${marker})`, () => tasksOf(marker).find((task) => task.pollCount >= 2), 120_000, context);
}

async function onlyExecution(workflowId: string): Promise<StoredExecution> {
	const rows = await storedExecutions(n8n, userFolder, workflowId);
	expect(rows).toHaveLength(1);
	return rows[0];
}

/**
 * Watches the workflow's execution until it reaches a final status, then `settleMs` longer
 * (for anything that would still run it again), recording every status it passed through.
 */
async function observe(workflowId: string, settleMs: number, timeoutMs = 120_000) {
	const seen: string[] = [];
	const note = (rows: StoredExecution[]) => {
		for (const row of rows) if (seen[seen.length - 1] !== row.status) seen.push(row.status);
	};
	const startedAt = Date.now();
	await until(
		`execution of ${workflowId} to end`,
		async () => {
			const rows = await storedExecutions(n8n, userFolder, workflowId);
			note(rows);
			return rows.some((row) => ['crashed', 'error', 'success', 'canceled'].includes(row.status)) ? true : undefined;
		},
		timeoutMs,
		() => `statuses seen: ${seen.join(' → ')}\n${context()}`,
	);
	const endedAfterSeconds = (Date.now() - startedAt) / 1000;
	for (const settleUntil = Date.now() + settleMs; Date.now() < settleUntil; await sleep(500)) {
		note(await storedExecutions(n8n, userFolder, workflowId));
	}
	return { seen, endedAfterSeconds, final: await onlyExecution(workflowId) };
}

type RunData = Record<string, Array<{ startTime?: number; executionStatus?: string; error?: { message?: string } }>>;
const runData = (execution: StoredExecution) => (execution.data?.resultData?.runData ?? {}) as RunData;

/** Where a task ID can be found: in n8n's stored execution, and in which process's log. */
function whereIsTaskId(taskId: string, execution: StoredExecution) {
	return {
		inExecution: execution.raw.includes(taskId),
		inLogsOf: Object.entries(procs.logs)
			.filter(([, log]) => log.includes(`Seedance task ${taskId} created`))
			.map(([name]) => name),
	};
}

function n8nEnv(extra: Record<string, string>) {
	return lib.n8nEnv(userFolder, n8n, { N8N_LOG_LEVEL: 'info', EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'true', ...extra });
}

async function mainReady(name: string, port: number): Promise<void> {
	await until(`${name} to answer /healthz`, async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined), 120_000, context);
}

beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 200, jobMs: 2000 });
	({ n8n, userFolder } = lib.n8nWithPackage());
	const workflows = Object.values(CASES).map(workflowFor);
	lib.importAll(userFolder, n8n, { credentials: lib.credentialsFor(sim), workflows });
	for (const workflow of workflows) {
		// n8n 1.x has no publish:workflow; activating is its equivalent.
		const args = isN8n1() ? ['update:workflow', `--id=${workflow.id}`, '--active=true'] : ['publish:workflow', `--id=${workflow.id}`];
		const published = lib.n8nCli(userFolder, n8n, args);
		if (published.status !== 0) throw new Error(`publish failed: ${published.stdout}${published.stderr}`);
	}
}, 10 * 60 * 1000);

afterAll(async () => {
	await procs.stopAll();
	await sim?.close();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	// eslint-disable-next-line no-console
	console.log(`Restart outcomes (${n8n?.n8nDir.split('/').pop()}):\n${JSON.stringify(outcomes, null, 2)}`);
});

test('(a) regular n8n start, SIGKILL while the node waits, started again: marked crashed, not re-run, 1 task, its ID only in the dead process log', async () => {
	const { workflowId, path } = CASES.regular;
	const marker = 'Case a: regular start killed';
	const port = await freePort();
	const env = n8nEnv({ EXECUTIONS_MODE: 'regular', N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1' });

	procs.start('regular-1', n8n.n8nBin, ['start'], env);
	await mainReady('regular-1', port);
	await trigger(port, path, `${marker} [sim:ms=${JOB_MS}]`);
	const task = await nodeIsWaiting(marker);

	// While the node waits, the database holds the execution as running, with the progress saved
	// after the Webhook node finished: nothing of the Seedance node, so not its task ID.
	const waiting = await onlyExecution(workflowId);
	expect(waiting.status).toBe('running');
	expect(Object.keys(runData(waiting))).toEqual(['Webhook']);
	expect(waiting.raw).not.toContain(task.id);

	expect(await procs.kill('regular-1', 'SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
	const pollsAtKill = task.pollCount;

	// Started again on the same database and port. MessageEventBus.performStartupRecovery marks
	// the execution crashed from the event log before the server answers. Nothing runs it again:
	// on 2.x EnqueuedExecutionRecoveryService only starts executions that never started (`new`).
	procs.start('regular-2', n8n.n8nBin, ['start'], { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) });
	await mainReady('regular-2', port);
	const { seen, final } = await observe(workflowId, 10_000);

	const seedanceRun = runData(final).Seedance?.[0];
	outcomes['(a) regular, SIGKILL, restart'] = {
		creates: creates(marker).length,
		statusesSeen: seen,
		executionStatus: final.status,
		executionError: final.data?.resultData?.error?.message,
		seedanceNode: seedanceRun && { executionStatus: seedanceRun.executionStatus, error: seedanceRun.error?.message },
		nodesWithRunData: Object.keys(runData(final)),
		taskId: task.id,
		taskIdFound: whereIsTaskId(task.id, final),
		pollsAfterKill: task.pollCount - pollsAtKill,
	};

	expect(final.status).toBe('crashed');
	expect(creates(marker)).toHaveLength(1); // 0 duplicate paid tasks
	expect(task.pollCount).toBe(pollsAtKill); // nobody looks at the task again
	// ExecutionRecoveryService.amend adds the Seedance node's run as crashed (NodeCrashedError).
	expect(seedanceRun?.executionStatus).toBe('crashed');
	// What the single node cannot give: the paid task's ID is nowhere in n8n's data, only in the
	// killed process's log output.
	expect(whereIsTaskId(task.id, final)).toEqual({ inExecution: false, inLogsOf: ['regular-1'] });

	await procs.kill('regular-2', 'SIGTERM');
});

describe('queue mode: Redis, a main process and workers', () => {
	let mainPort: number;
	let queueEnv: Record<string, string>;

	/** `eventLog` names the worker's own event log, as on a separate machine; without it, workers share the n8n folder's. */
	const startWorker = async (name: string, eventLog?: string, extraEnv: Record<string, string> = {}) => {
		const env = n8nEnv({
			...queueEnv,
			QUEUE_HEALTH_CHECK_PORT: String(await freePort()),
			...(eventLog ? { N8N_EVENTBUS_LOGWRITER_LOGBASENAME: eventLog } : {}),
			...extraEnv,
		});
		procs.start(name, n8n.n8nBin, ['worker', '--concurrency=5'], env);
		await procs.logged(name, WORKER_READY);
	};
	const ranExecution = (name: string, id: string) => procs.logs[name].includes(`Worker started execution ${id} `);

	beforeAll(async () => {
		const redisPort = await freePort();
		procs.start('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], process.env);
		queueEnv = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
			// Short clocks, so that the test does not wait minutes. n8n's defaults: 30 s graceful
			// shutdown, a 60 s job lock renewed every 10 s (half of it on 1.x's Bull default), and a
			// stalled-job check every 30 s. They change when things happen, not what happens.
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
			QUEUE_WORKER_LOCK_DURATION: '6000',
			QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
			QUEUE_WORKER_STALLED_INTERVAL: '3000',
		};
		mainPort = await freePort();
		procs.start('main', n8n.n8nBin, ['start'], n8nEnv({ ...queueEnv, N8N_PORT: String(mainPort), N8N_LISTEN_ADDRESS: '127.0.0.1' }));
		await mainReady('main', mainPort);
	}, 5 * 60 * 1000);

	test('(b) worker stopped with SIGTERM (a deploy), the wait outlasting the graceful shutdown timeout, restarted in place: the worker exits, the execution fails without a re-run, 1 task, its ID only in the worker log', async () => {
		const { workflowId, path } = CASES.deploy;
		const marker = 'Case b: worker deployed away';
		await startWorker('worker-1');
		await trigger(mainPort, path, `${marker} [sim:ms=${JOB_MS}]`);
		const task = await nodeIsWaiting(marker);
		const execution = await onlyExecution(workflowId);
		expect(ranExecution('worker-1', execution.id)).toBe(true);
		expect(execution.status).toBe('running');
		expect(execution.raw).not.toContain(task.id);

		// The worker stops taking jobs and waits for its running ones with no limit of its own
		// (ScalingService.stopWorker); BaseCommand.onTerminationSignal's timer ends the process
		// after N8N_GRACEFUL_SHUTDOWN_TIMEOUT (exitWithCrash: exit code 1). The node keeps polling
		// until then.
		const sigtermAt = Date.now();
		const pollsAtSigterm = task.pollCount;
		const exit = await procs.kill('worker-1', 'SIGTERM');
		const shutdownSeconds = (Date.now() - sigtermAt) / 1000;
		const pollsDuringShutdown = task.pollCount - pollsAtSigterm;
		expect(exit).toEqual({ code: 1, signal: null });
		await procs.logged('worker-1', 'Shutdown timed out after 5 seconds', 5_000);
		expect(procs.logs['worker-1']).not.toContain(`Worker finished execution ${execution.id} `);
		// Nothing told the database: the execution is still `running` (its Bull job still `active`).
		expect((await onlyExecution(workflowId)).status).toBe('running');
		const pollsAtExit = task.pollCount;

		// The worker comes back on the same n8n folder (same event log), as a restarted service does.
		await startWorker('worker-2');
		const { seen, final, endedAfterSeconds } = await observe(workflowId, 15_000);

		outcomes['(b) worker SIGTERM past the graceful timeout, restarted'] = {
			creates: creates(marker).length,
			statusesSeen: seen,
			executionStatus: final.status,
			executionError: final.data?.resultData?.error?.message,
			nodesWithRunData: Object.keys(runData(final)),
			taskId: task.id,
			taskIdFound: whereIsTaskId(task.id, final),
			workerExit: exit,
			shutdownSeconds,
			pollsDuringShutdown,
			pollsAfterExit: task.pollCount - pollsAtExit,
			endedAfterWorker2ReadySeconds: endedAfterSeconds,
			worker2StartupRecovery: /Found unfinished executions/.test(procs.logs['worker-2']),
			reRunOnWorker2: ranExecution('worker-2', execution.id),
		};

		expect(creates(marker)).toHaveLength(1); // 0 duplicate paid tasks
		expect(ranExecution('worker-2', execution.id)).toBe(false); // not run again
		expect(task.pollCount).toBe(pollsAtExit);
		expect(pollsDuringShutdown).toBeGreaterThanOrEqual(1);
		expect(whereIsTaskId(task.id, final)).toEqual({ inExecution: false, inLogsOf: ['worker-1'] });
		if (isN8n1()) {
			// worker-2's event-log recovery marks it crashed; Bull then hands the job back, and
			// JobProcessor.processJob returns at once for a crashed execution.
			expect(final.status).toBe('crashed');
		} else {
			// Bull (maxStalledCount 0) fails the job whose lock lapsed; the main's job.finished()
			// rejects and WorkflowRunner.processError stores `error` with empty run data, over the
			// saved progress (and over `crashed`, if worker-2's event-log recovery got there first).
			expect(final.status).toBe('error');
			expect(final.data?.resultData?.error?.message).toMatch(STALLED);
			expect(runData(final)).toEqual({});
		}
	});

	/**
	 * Runs `case` on one of two running workers, SIGKILLs that one, and watches what the other
	 * does. Returns what the assertions need.
	 */
	async function loseWorkerMidWait(caseName: CaseName, marker: string, workers: [string, string], label: string) {
		const { workflowId, path } = CASES[caseName];
		await trigger(mainPort, path, `${marker} [sim:ms=${JOB_MS}]`);
		const task = await nodeIsWaiting(marker);
		const execution = await onlyExecution(workflowId);
		const victim = workers.find((name) => ranExecution(name, execution.id));
		expect(victim).toBeDefined();
		const survivor = workers.find((name) => name !== victim)!;

		const killedAt = Date.now();
		expect(await procs.kill(victim!, 'SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
		const pollsAtKill = task.pollCount;
		const { seen, final, endedAfterSeconds } = await observe(workflowId, 15_000, JOB_MS + 120_000);

		const runs = runData(final);
		const otherTasks = tasksOf(marker).filter((other) => other.id !== task.id);
		outcomes[label] = {
			creates: creates(marker).length,
			statusesSeen: seen,
			executionStatus: final.status,
			executionError: final.data?.resultData?.error?.message,
			nodesWithRunData: Object.keys(runs),
			taskId: task.id,
			taskIdFound: whereIsTaskId(task.id, final),
			killed: victim,
			endedAfterKillSeconds: endedAfterSeconds,
			pollsAfterKill: task.pollCount - pollsAtKill,
			reRunOnSurvivor: ranExecution(survivor, execution.id),
			...(otherTasks.length
				? {
						secondTaskIds: otherTasks.map((other) => other.id),
						secondTaskIdsInExecution: otherTasks.map((other) => final.raw.includes(other.id)),
						webhookRunFromBeforeKill: (runs.Webhook?.[0]?.startTime ?? Infinity) < killedAt,
						seedanceRunStartedAfterKill: (runs.Seedance?.[0]?.startTime ?? 0) > killedAt,
					}
				: {}),
		};

		expect(task.pollCount).toBe(pollsAtKill); // the first task is never looked at again
		expect(whereIsTaskId(task.id, final)).toEqual({ inExecution: false, inLogsOf: [victim] });
		return { final, runs, killedAt, survivor, reRun: ranExecution(survivor, execution.id), creates: creates(marker).length, otherTasks };
	}

	test('(c) worker killed with SIGKILL while another worker runs: 2.x fails the job as stalled (1 task, its ID only in the dead worker log); 1.x runs it again and pays for a second task', async () => {
		await startWorker('worker-3', 'n8nEventLog-host3'); // another machine; worker-2 runs too
		const { final, runs, killedAt, reRun, creates: paid, otherTasks } = await loseWorkerMidWait(
			'lostWorker',
			'Case c: worker lost',
			['worker-2', 'worker-3'],
			'(c) worker SIGKILL, other worker running',
		);
		if (isN8n1()) {
			// QUEUE_WORKER_MAX_STALLED_COUNT (default 1): the survivor's Bull moves the job back to
			// `wait` and runs it again from the saved progress (the Webhook's run is the one from
			// before the kill); the Seedance node starts over and buys a SECOND task. The execution
			// ends `success` with the second video, and the first task's ID is lost.
			expect(reRun).toBe(true);
			expect(paid).toBe(2);
			expect(final.status).toBe('success');
			expect(otherTasks.map((other) => final.raw.includes(other.id))).toEqual([true]);
			expect(runs.Webhook?.[0]?.startTime).toBeLessThan(killedAt);
			expect(runs.Seedance?.[0]?.startTime).toBeGreaterThan(killedAt);
		} else {
			expect(paid).toBe(1); // 0 duplicate paid tasks
			expect(reRun).toBe(false); // not run again
			expect(final.status).toBe('error');
			expect(final.data?.resultData?.error?.message).toMatch(STALLED);
		}
	});

	// n8n 2.x always runs Bull with maxStalledCount 0, so this is case (c) again there.
	onlyOnN8n1('(c) on n8n 1.x with QUEUE_WORKER_MAX_STALLED_COUNT=0: the job is failed as stalled, not re-run, 1 task', async () => {
		await Promise.all(['worker-2', 'worker-3'].map(async (name) => await procs.kill(name, 'SIGTERM')));
		await startWorker('worker-4', 'n8nEventLog-host4', { QUEUE_WORKER_MAX_STALLED_COUNT: '0' });
		await startWorker('worker-5', 'n8nEventLog-host5', { QUEUE_WORKER_MAX_STALLED_COUNT: '0' });
		const { final, reRun, creates: paid } = await loseWorkerMidWait(
			'lostWorkerNoStall',
			'Case c0: worker lost, max stalled 0',
			['worker-4', 'worker-5'],
			'(c) on 1.x with QUEUE_WORKER_MAX_STALLED_COUNT=0',
		);
		expect(paid).toBe(1);
		expect(reRun).toBe(false);
		expect(final.status).toBe('error');
		expect(final.data?.resultData?.error?.message).toMatch(STALLED);
	});
});
