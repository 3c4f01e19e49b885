/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { rmSync, writeFileSync } from 'fs';
import { join } from 'path';

import { fragmentedMp4, mp4NestedBoxes, mp4WithHugeSampleCounts } from '../media-fixtures';
import type { Simulator } from '../simulator';
import { startSimulator } from '../simulator';
import { compactBody } from '../simulator/core';
import { Processes, sleep, storedExecutions, until } from './cluster';
import { freePort } from './processes';
import type { N8n, Workflow } from './workflows';
import { chain, seedance } from './workflows';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/lib/real-n8n');

/**
 * Issue 16, point 1 (and 2) in a real n8n (`n8n start`, executions in the main process, as a
 * default install runs them): a crafted video read from disk by Read/Write Files from Disk into
 * n8n's binary data store reaches the Seedance node as a reference video. The node sends it to
 * the gateway (or refuses it with a clear message), and meanwhile the same n8n keeps answering a
 * second workflow's webhook. Before the probe had a budget, the first file below was refused for
 * a frame rate read from outside its boxes (after holding n8n's event loop for about 5 s), the
 * second held it for longer than a ping's deadline, the third for about 5 s while its memory grew
 * by more than a GB, and the fourth was refused as lasting 0 s.
 */

let sim: Simulator;
let n8n: N8n;
let userFolder: string;
let port: number;
const procs = new Processes();

const PROBE_WORKFLOW = 'e2eHostileProbe01';
const PING_WORKFLOW = 'e2eHostilePing01';
/** A ping that gets no answer in this long counts as unanswered (a deadline, not a speed target: answers take well under a second). */
const PING_DEADLINE_MS = 8_000;

const FILES: Record<string, Buffer> = {
	// The file: before, refused for a frame rate read from outside its sample tables.
	'huge-sample-counts.mp4': mp4WithHugeSampleCounts(),
	// More of them: the cost grew with the square of the tables, past a ping's deadline.
	'huge-sample-counts-1mb.mp4': mp4WithHugeSampleCounts(80_000),
	'nested-boxes-16mb.mp4': mp4NestedBoxes(2_000_000),
	'fragmented.mp4': fragmentedMp4({ seconds: 6, fps: 30 }),
};

function webhook(name: string, path: string, webhookId: string, httpMethod: string) {
	return {
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId,
		parameters: { httpMethod, path, responseMode: 'onReceived', options: {} },
	};
}

beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 200, jobMs: 2000 });
	({ n8n, userFolder } = lib.n8nWithPackage());
	for (const [name, file] of Object.entries(FILES)) writeFileSync(join(userFolder, name), file);

	const probe: Workflow = chain(PROBE_WORKFLOW, [
		webhook('Webhook', 'hostile-probe', '5eedance-0000-4000-8000-00000000e2e1', 'POST'),
		{
			name: 'Read Video',
			type: 'n8n-nodes-base.readWriteFile',
			typeVersion: 1,
			parameters: { operation: 'read', fileSelector: '={{ $json.body.path }}', options: { dataPropertyName: 'clip' } },
		},
		seedance('tokenhub', {
			operation: 'create',
			prompt: "={{ $('Webhook').item.json.body.path.split('/').pop() }}",
			duration: 5,
			waitForCompletion: false,
			media: { items: [{ role: 'reference_video', source: 'binary', binaryProperty: 'clip' }] },
		}),
	]);
	// A second workflow that only answers: a user's webhook, waiting on the same event loop.
	const ping: Workflow = chain(PING_WORKFLOW, [webhook('Ping', 'hostile-ping', '5eedance-0000-4000-8000-00000000e2e2', 'GET')]);
	ping.settings = { ...ping.settings, saveDataSuccessExecution: 'none' };
	lib.importAll(userFolder, n8n, { credentials: lib.credentialsFor(sim), workflows: [probe, ping] });
	for (const id of [PROBE_WORKFLOW, PING_WORKFLOW]) {
		// n8n 1.x has no publish:workflow; activating is its equivalent.
		const args = /n8n-1\./.test(n8n.n8nDir) ? ['update:workflow', `--id=${id}`, '--active=true'] : ['publish:workflow', `--id=${id}`];
		const published = lib.n8nCli(userFolder, n8n, args);
		if (published.status !== 0) throw new Error(`publish failed: ${published.stdout}${published.stderr}`);
	}

	port = await freePort();
	procs.start('main', n8n.n8nBin, ['start'], lib.n8nEnv(userFolder, n8n, { N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_LOG_LEVEL: 'info' }));
	await until('n8n to answer /healthz', async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined), 120_000, () => procs.tail());
	// /healthz answers before the published workflows' webhooks are registered.
	await until('the ping webhook to be registered', async () => ((await fetch(`http://127.0.0.1:${port}/webhook/hostile-ping`)).status === 200 ? true : undefined), 120_000, () => procs.tail());
}, 10 * 60 * 1000);

afterAll(async () => {
	await procs.stopAll();
	await sim?.close();
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

beforeEach(() => sim.reset());

/** How the ping webhook answered while the probe workflow ran: each answer's status, and the slowest. */
interface Pings {
	answered: number;
	unanswered: number;
	slowestMs: number;
}

/**
 * Starts the probe workflow on `file` and pings the other workflow's webhook, one request after
 * another, until the probe workflow's execution is stored as finished.
 */
async function probeWhilePinging(file: string) {
	const before = (await storedExecutions(n8n, userFolder, PROBE_WORKFLOW)).length;
	// n8n may register the probe workflow's webhook a moment after the ping's: a 404 (not yet
	// registered, nothing ran) is asked again.
	const started = await until(
		'the probe webhook to take the file',
		async () => {
			const answer = await fetch(`http://127.0.0.1:${port}/webhook/hostile-probe`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ path: join(userFolder, file) }),
			});
			return answer.status === 404 ? undefined : answer;
		},
		60_000,
	);
	expect(started.status).toBe(200);
	const pings: Pings = { answered: 0, unanswered: 0, slowestMs: 0 };
	let finished = false;
	const pinging = (async () => {
		while (!finished) {
			const sent = Date.now();
			const answer = await fetch(`http://127.0.0.1:${port}/webhook/hostile-ping`, { signal: AbortSignal.timeout(PING_DEADLINE_MS) }).catch(() => undefined);
			if (answer?.status === 200) pings.answered++;
			else pings.unanswered++;
			pings.slowestMs = Math.max(pings.slowestMs, Date.now() - sent);
			await sleep(50);
		}
	})();
	const execution = await until(
		`the execution for ${file} to finish`,
		async () => (await storedExecutions(n8n, userFolder, PROBE_WORKFLOW)).slice(before).find((row) => ['success', 'error', 'crashed'].includes(row.status)),
		180_000,
		() => procs.tail(),
	);
	finished = true;
	await pinging;
	// eslint-disable-next-line no-console
	console.log(`${file}: execution ${execution.status}; ping webhook answered ${pings.answered}, unanswered ${pings.unanswered}, slowest ${pings.slowestMs} ms`);
	return { execution, pings };
}

/** The create the gateway received for `file`, and the reference video it carried. */
function createFor(file: string) {
	const creates = sim.createRequests('tokenhub');
	expect(creates).toHaveLength(1);
	const body = creates[0].body as { prompt: string; content: Array<{ type: string; video_url?: { url: string } }>; video_durations?: number[] };
	expect(body.prompt).toBe(file);
	const video = body.content.find((entry) => entry.type === 'video_url')!.video_url!.url;
	// The simulator logs a long data URL by its start, length and digest.
	expect(video).toBe(compactBody(`data:video/mp4;base64,${FILES[file].toString('base64')}`));
	return body;
}

it.each([
	['sample tables claiming 100,000 entries each (300 kB): passed to the gateway with its honest length', 'huge-sample-counts.mp4', [5]],
	['80,000 such tables (1.3 MB, more boxes than the probe visits): passed to the gateway with no facts', 'huge-sample-counts-1mb.mp4', undefined],
	['two million nested boxes (16 MB): passed to the gateway with no facts', 'nested-boxes-16mb.mp4', undefined],
])("%s, and the other workflow's webhook answers meanwhile", async (_name, file, lengths) => {
	const { execution, pings } = await probeWhilePinging(file as string);
	expect(execution.status).toBe('success');
	expect(createFor(file as string).video_durations).toEqual(lengths);
	expect(pings.answered).toBeGreaterThan(0);
	expect(pings.unanswered).toBe(0);
});

it('a fragmented MP4 whose mvhd says 0 s: passed to the gateway with the 6 s of its fragments, not refused as lasting 0 s', async () => {
	const { execution } = await probeWhilePinging('fragmented.mp4');
	expect(execution.raw).not.toContain('lasts 0 s');
	expect(execution.status).toBe('success');
	expect(createFor('fragmented.mp4').video_durations).toEqual([6]);
});
