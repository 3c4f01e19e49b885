/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import type { ChildProcess } from 'child_process';
import { execFileSync, spawn } from 'child_process';
import { rmSync } from 'fs';
import { join } from 'path';

import type { Simulator } from '../simulator';
import { startSimulator } from '../simulator';
import { freePort, stopProcess } from './processes';
import { chain } from './workflows';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/lib/real-n8n');

/**
 * n8n's distributed engine: Redis, a main process (`n8n start`, EXECUTIONS_MODE=queue) and one
 * `n8n worker`. A webhook starts the workflow on the main; the stored execution shows the worker
 * ran the Seedance node to success with the video as binary data (database binary mode).
 */

interface N8n { nodeBin: string; n8nDir: string; n8nBin: string }

let sim: Simulator;
let n8n: N8n;
let userFolder: string;
const processes: ChildProcess[] = [];
const logs: Record<string, string> = { main: '', worker: '', redis: '' };

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv) {
	const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout!.on('data', (chunk) => (logs[name] += chunk));
	child.stderr!.on('data', (chunk) => (logs[name] += chunk));
	processes.push(child);
	return child;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe().catch(() => undefined);
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${JSON.stringify(logs).slice(-4000)}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/** Reads executions from n8n's SQLite database with n8n's own sqlite3 and flatted (Node 24). */
function storedExecutions(): Array<{ id: string; status: string; mode: string; data: unknown }> {
	const script = `
		const sqlite3 = require(${JSON.stringify(join(n8n.n8nDir, 'node_modules', 'sqlite3'))});
		const { parse } = require(${JSON.stringify(join(n8n.n8nDir, 'node_modules', 'flatted'))});
		const db = new sqlite3.Database(${JSON.stringify(join(userFolder, '.n8n', 'database.sqlite'))}, sqlite3.OPEN_READONLY);
		db.all('SELECT e.id, e.status, e.mode, d.data FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id', (error, rows) => {
			if (error) { console.error(error.message); process.exit(1); }
			console.log(JSON.stringify(rows.map((row) => ({ ...row, data: row.data ? parse(row.data) : null }))));
		});`;
	const out = execFileSync(join(n8n.nodeBin, 'node'), ['-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	return JSON.parse(out);
}

beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 200, jobMs: 2000 });
	({ n8n, userFolder } = lib.n8nWithPackage());

	const redisPort = await freePort();
	start('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], process.env);

	const workflow = chain('seedanceQueue001', [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			parameters: { httpMethod: 'POST', path: 'seedance-queue', responseMode: 'onReceived', options: {} },
		},
		{
			name: 'Seedance',
			type: lib.NODE_TYPE,
			typeVersion: 1,
			parameters: {
				provider: 'tokenhub',
				operation: 'create',
				prompt: '={{ $json.body.prompt }}',
				options: { pollIntervalSeconds: 1, timeoutMinutes: 2 },
			},
			credentials: lib.CREDENTIAL_REFS.tokenhub,
		},
	]);
	(workflow.nodes[0] as { webhookId?: string }).webhookId = '7d0f6a52-2b1c-4a8e-9a51-5eedance0001';
	lib.importAll(userFolder, n8n, { credentials: lib.credentialsFor(sim), workflows: [workflow] });
	const published = lib.n8nCli(userFolder, n8n, ['publish:workflow', `--id=${workflow.id}`]);
	if (published.status !== 0) throw new Error(`publish failed: ${published.stdout}${published.stderr}`);

	const queueEnv = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		N8N_LOG_LEVEL: 'info',
	};
	const mainPort = await freePort();
	start('main', n8n.n8nBin, ['start'], lib.n8nEnv(userFolder, n8n, { ...queueEnv, N8N_PORT: String(mainPort), N8N_LISTEN_ADDRESS: '127.0.0.1' }));
	start('worker', n8n.n8nBin, ['worker', '--concurrency=5'], lib.n8nEnv(userFolder, n8n, { ...queueEnv, QUEUE_HEALTH_CHECK_PORT: String(await freePort()) }));
	await until('the main process', async () => ((await fetch(`http://127.0.0.1:${mainPort}/healthz`)).ok ? true : undefined));
	await until('the worker', async () => (/worker.*(ready|started|listening)|n8n worker is now ready/i.test(logs.worker) ? true : undefined));
	process.env.SEEDANCE_QUEUE_WEBHOOK = `http://127.0.0.1:${mainPort}/webhook/seedance-queue`;
}, 10 * 60 * 1000);

afterAll(async () => {
	await Promise.all(processes.reverse().map(stopProcess));
	await sim?.close();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

it('a webhook-triggered Seedance run executes on the worker, with the video stored as binary data', async () => {
	// The main answers /healthz before it has registered the published workflow's webhook.
	const response = await until('the webhook to be registered', async () => {
		const answer = await fetch(process.env.SEEDANCE_QUEUE_WEBHOOK!, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ prompt: 'A lighthouse in a storm' }),
		});
		return answer.status === 404 ? undefined : answer;
	});
	expect(response.status).toBe(200);

	const execution = await until('the execution to finish', async () =>
		storedExecutions().find((row) => row.mode === 'webhook' && ['success', 'error', 'crashed'].includes(row.status)),
	);
	expect(execution.status).toBe('success');
	expect(logs.worker).toContain(`Worker started execution ${execution.id}`);
	expect(logs.worker).toContain(`Worker finished execution ${execution.id}`);

	const runData = (execution.data as { resultData: { runData: Record<string, Array<{ data: { main: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, { mimeType: string; id?: string }> }>> } }>> } }).resultData.runData;
	const [item] = runData.Seedance[0].data.main[0];
	expect(item.json).toMatchObject({ provider: 'tokenhub', status: 'succeeded' });
	expect(item.binary?.data.mimeType).toBe('video/mp4');
	expect(item.binary?.data.id).toMatch(/^database:/);
	expect((sim.createRequests('tokenhub')[0].body as { prompt: string }).prompt).toBe('A lighthouse in a storm');
});
