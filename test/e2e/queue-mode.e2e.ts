/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { rmSync } from 'fs';

import type { Simulator } from '../simulator';
import { startSimulator } from '../simulator';
import { Processes, storedExecutions, until, WORKER_READY } from './cluster';
import { freePort } from './processes';
import type { N8n } from './workflows';
import { chain } from './workflows';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/lib/real-n8n');

/**
 * n8n's distributed engine: Redis, a main process (`n8n start`, EXECUTIONS_MODE=queue) and one
 * `n8n worker`. A webhook starts the workflow on the main; the stored execution shows the worker
 * ran the Seedance node to success with the video as binary data (database binary mode).
 */

let sim: Simulator;
let n8n: N8n;
let userFolder: string;
const processes = new Processes();
const waitFor = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs?: number) =>
	await until(what, probe, timeoutMs, () => processes.tail(4000));

beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 200, jobMs: 2000 });
	({ n8n, userFolder } = lib.n8nWithPackage());

	const redisPort = await freePort();
	processes.start('redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], process.env);

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
	processes.start('main', n8n.n8nBin, ['start'], lib.n8nEnv(userFolder, n8n, { ...queueEnv, N8N_PORT: String(mainPort), N8N_LISTEN_ADDRESS: '127.0.0.1' }));
	processes.start('worker', n8n.n8nBin, ['worker', '--concurrency=5'], lib.n8nEnv(userFolder, n8n, { ...queueEnv, QUEUE_HEALTH_CHECK_PORT: String(await freePort()) }));
	await waitFor('the main process', async () => ((await fetch(`http://127.0.0.1:${mainPort}/healthz`)).ok ? true : undefined));
	await processes.logged('worker', WORKER_READY);
	process.env.SEEDANCE_QUEUE_WEBHOOK = `http://127.0.0.1:${mainPort}/webhook/seedance-queue`;
}, 10 * 60 * 1000);

afterAll(async () => {
	await processes.stopAll();
	await sim?.close();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

it('a webhook-triggered Seedance run executes on the worker, with the video stored as binary data', async () => {
	// The main answers /healthz before it has registered the published workflow's webhook.
	const response = await waitFor('the webhook to be registered', async () => {
		const answer = await fetch(process.env.SEEDANCE_QUEUE_WEBHOOK!, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ prompt: 'A lighthouse in a storm' }),
		});
		return answer.status === 404 ? undefined : answer;
	});
	expect(response.status).toBe(200);

	const execution = await waitFor('the execution to finish', async () =>
		(await storedExecutions(n8n, userFolder)).find((row) => row.mode === 'webhook' && ['success', 'error', 'crashed'].includes(row.status)),
	);
	expect(execution.status).toBe('success');
	expect(processes.logs.worker).toContain(`Worker started execution ${execution.id}`);
	// The worker saves the execution before it logs the finish.
	await processes.logged('worker', `Worker finished execution ${execution.id}`, 15_000);

	const runData = (execution.data as unknown as { resultData: { runData: Record<string, Array<{ data: { main: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, { mimeType: string; id?: string }> }>> } }>> } }).resultData.runData;
	const [item] = runData.Seedance[0].data.main[0];
	expect(item.json).toMatchObject({ provider: 'tokenhub', status: 'succeeded' });
	expect(item.binary?.data.mimeType).toBe('video/mp4');
	expect(item.binary?.data.id).toMatch(/^database:/);
	expect((sim.createRequests('tokenhub')[0].body as { prompt: string }).prompt).toBe('A lighthouse in a storm');
});
