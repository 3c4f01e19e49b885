/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
/**
 * `npm run bench`: how long a batch of Seedance jobs takes through this node, against the
 * gateway simulator, next to the ideal (the slowest job), a sequential per-item baseline made
 * with the same node code, and (if the e2e n8n is installed) n8n's usual HTTP Request + Wait
 * loop. Also status requests per job and peak memory growth while downloading a 200 MB video.
 * Figures and ratios from one run in one process; nothing here is asserted.
 *
 * Also the peak memory while a batch with large binary media waits, against the same batch
 * without media, and (real n8n) the peak memory of storing a 200 MB video in n8n's filesystem
 * and database binary-data modes.
 *
 * Options: --jobs N (20), --min S (3), --max S (12), --interval S (2), --download-mb N (200),
 * --seed N (7), --media-items N (8), --media-mb N (16), --skip-sequential, --skip-template,
 * --skip-media-memory, --skip-binary-modes, --cap-jobs N (200), --cap N (50), --skip-queue-cap,
 * --list-jobs N (200), --skip-status-list.
 */
import { existsSync } from 'fs';
import { join } from 'path';

import { arkGateway } from '../nodes/Seedance/gateways/ark';
import { FAST_OPTIONS, runSeedance } from '../test/seedance-run';
import type { Simulator } from '../test/simulator';
import { startSimulator } from '../test/simulator';
import { flag, option, REPO_ROOT, seededRandom } from './lib/options';

const JOBS = option('jobs', 20);
const MIN_S = option('min', 3);
const MAX_S = option('max', 12);
const INTERVAL_S = option('interval', 2);
const DOWNLOAD_MB = option('download-mb', 200);
const SEED = option('seed', 7);

/** Deterministic job lengths, so runs compare. */
function jobLengths(): number[] {
	const next = seededRandom(SEED);
	return Array.from({ length: JOBS }, () => Math.round((MIN_S + next() * (MAX_S - MIN_S)) * 1000));
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const say = (line = '') => process.stdout.write(`${line}\n`);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
	const started = Date.now();
	const value = await fn();
	return { ms: Date.now() - started, value };
}

async function batchThroughNode(sim: Simulator, lengths: number[]) {
	return await runSeedance({
		sim,
		provider: 'tokenhub',
		items: lengths.map((ms, index) => ({ prompt: `Bench clip ${index} [sim:ms=${ms}]` })),
		parameters: {
			operation: 'create',
			prompt: '={{ $json.prompt }}',
			options: { ...FAST_OPTIONS, pollIntervalSeconds: INTERVAL_S, timeoutMinutes: 10, maxConcurrentCreates: 5 },
		},
	});
}

async function peakRssGrowthDuring<T>(fn: () => Promise<T>) {
	global.gc?.();
	const baseline = process.memoryUsage().rss;
	let peak = baseline;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
	try {
		const value = await fn();
		return { value, growth: peak - baseline };
	} finally {
		clearInterval(sampler);
	}
}

const MEDIA_ITEMS = option('media-items', 8);
const MEDIA_MB = option('media-mb', 16);

/** Live JS memory (heap + buffers) after full GCs, in MB (buffers are freed a tick after a GC). */
async function liveMemoryMb(): Promise<number> {
	global.gc?.();
	await new Promise((resolve) => setImmediate(resolve));
	global.gc?.();
	const { heapUsed, external } = process.memoryUsage();
	return (heapUsed + external) / 1024 / 1024;
}

/**
 * Peak live memory while a batch waits for its videos, after every create was answered. The
 * same items (each carrying a MEDIA_MB first frame as binary data) run twice: once sending the
 * frame as media, once not. Equal figures mean no request body outlives its create.
 */
async function peakMemoryWhileWaiting(sim: Simulator, withMedia: boolean, frameBase64: string) {
	sim.reset();
	const run = runSeedance({
		sim,
		provider: 'aihubmix',
		items: Array.from({ length: MEDIA_ITEMS }, (_, index) => ({ prompt: `Frame ${index} [sim:ms=4000]` })),
		binary: Array.from({ length: MEDIA_ITEMS }, (_, itemIndex) => ({ itemIndex, property: 'frame', base64: frameBase64, mimeType: 'image/jpeg' })),
		parameters: {
			operation: 'create',
			prompt: '={{ $json.prompt }}',
			model: 'doubao-seedance-1-0-pro-250528',
			...(withMedia ? { media: { items: [{ role: 'first_frame', source: 'binary', binaryProperty: 'frame' }] } } : {}),
			options: { ...FAST_OPTIONS, pollIntervalSeconds: 1, downloadVideo: false, maxConcurrentCreates: 5 },
		},
	});
	let done = false;
	void run.finally(() => (done = true));
	// Every task has had two status checks: every create was answered a poll interval ago (the
	// sockets that carried the bodies have closed), all items are waiting.
	const allWaiting = () => [...sim.tasks.values()].filter((task) => task.pollCount > 1).length >= MEDIA_ITEMS;
	while (!done && !allWaiting()) await new Promise((resolve) => setTimeout(resolve, 20));
	let peak = 0;
	while (!done) {
		peak = Math.max(peak, await liveMemoryMb());
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	const result = await run;
	const failed = result.items.filter((item) => item.json.status !== 'succeeded').length;
	return { peak, failed, status: result.status };
}

async function mediaMemoryDuringWait(sim: Simulator) {
	// Bytes that pass as a JPEG by type; the simulator checks data URLs, not pixels.
	const frameBase64 = Buffer.alloc(MEDIA_MB * 1024 * 1024, 7).toString('base64');
	const without = await peakMemoryWhileWaiting(sim, false, frameBase64);
	const withMedia = await peakMemoryWhileWaiting(sim, true, frameBase64);
	const ratio = withMedia.peak / without.peak;
	say(`Memory while ${MEDIA_ITEMS} items wait, each with a ${MEDIA_MB} MB first frame as binary data (live heap + buffers after GC, from one poll interval after the last create):`);
	say(`  frame not sent           peak ${without.peak.toFixed(0)} MB  (${without.status}, ${without.failed} failed)`);
	say(`  frame sent as media      peak ${withMedia.peak.toFixed(0)} MB  (${withMedia.status}, ${withMedia.failed} failed)`);
	say(`  ratio                    ${ratio.toFixed(2)} x   target <= 1.1 x: ${ratio <= 1.1 ? 'met' : 'MISSED'}`);
	say();
}

const CAP_JOBS = option('cap-jobs', 200);
const CAP = option('cap', 50);

/** The best any client could do: each job starts the moment one of `slots` is free, in order. */
function idealUnderCap(lengths: number[], slots: number): number {
	const free = Array<number>(slots).fill(0);
	for (const ms of lengths) {
		const slot = free.indexOf(Math.min(...free));
		free[slot] += ms;
	}
	return Math.max(...free);
}

/**
 * CAP_JOBS jobs of MIN_S–MAX_S seconds in one execution against a gateway that lets a key have
 * CAP tasks queued or running at once and answers 429 beyond: the makespan against the ideal
 * schedule under that cap, requests per job, and peak RSS.
 */
async function batchAgainstQueueCap(sim: Simulator) {
	sim.reset();
	sim.set({ queueCap: CAP });
	const next = seededRandom(SEED + 1);
	const lengths = Array.from({ length: CAP_JOBS }, () => Math.round((MIN_S + next() * (MAX_S - MIN_S)) * 1000));
	const ideal = idealUnderCap(lengths, CAP);
	const run = await peakRssGrowthDuring(() =>
		timed(() =>
			runSeedance({
				sim,
				provider: 'aihubmix',
				items: lengths.map((ms, index) => ({ prompt: `Capped clip ${index} [sim:ms=${ms}]` })),
				parameters: {
					operation: 'create',
					prompt: '={{ $json.prompt }}',
					options: { pollIntervalSeconds: INTERVAL_S, timeoutMinutes: 30, maxConcurrentCreates: 5, downloadVideo: false },
				},
			}),
		),
	);
	const { ms, value } = run.value;
	const succeeded = value.items.filter((item) => item.json.status === 'succeeded').length;
	const creates = sim.createRequests('aihubmix').length;
	const checks = [...sim.tasks.values()].reduce((sum, task) => sum + task.pollCount, 0);
	const prompts = [...sim.tasks.values()].map((task) => task.body.prompt);
	const duplicates = prompts.length - new Set(prompts).size;
	sim.set({ queueCap: 0 });
	say(`${CAP_JOBS} jobs of ${MIN_S}-${MAX_S} s in one execution, gateway queue capped at ${CAP} tasks per key (429 beyond), poll interval ${INTERVAL_S} s:`);
	say(`  completed                ${succeeded} of ${CAP_JOBS}; tasks created ${sim.tasks.size}, duplicates ${duplicates}`);
	say(`  makespan                 ${seconds(ms)}   ideal schedule under the cap ${seconds(ideal)}`);
	say(`  makespan / ideal         ${(ms / ideal).toFixed(2)}   target <= 1.2: ${ms / ideal <= 1.2 ? 'met' : 'MISSED'}`);
	say(`  status requests per job  ${(checks / CAP_JOBS).toFixed(1)}`);
	say(`  create attempts per job  ${(creates / CAP_JOBS).toFixed(2)} (the rest were answered 429 and sent again when a slot freed)`);
	say(`  peak RSS growth          ${(run.growth / 1024 / 1024).toFixed(1)} MB`);
	say();
}

const LIST_JOBS = option('list-jobs', 200);

/**
 * LIST_JOBS Ark jobs in one execution, checked with Ark's task list (filter.task_ids, one request
 * per group of IDs per tick) and, in the same process, with one GET per task: status requests per
 * poll interval and in total, and the makespan of each.
 */
async function arkStatusChecks(sim: Simulator) {
	const next = seededRandom(SEED + 2);
	const lengths = Array.from({ length: LIST_JOBS }, () => Math.round((MIN_S + next() * (MAX_S - MIN_S)) * 1000));
	const measure = async (listsByTaskIds: boolean) => {
		sim.reset();
		arkGateway.listsByTaskIds = listsByTaskIds;
		try {
			const run = await timed(() =>
				runSeedance({
					sim,
					provider: 'ark',
					items: lengths.map((ms, index) => ({ prompt: `Listed clip ${index} [sim:ms=${ms}]` })),
					parameters: {
						operation: 'create',
						prompt: '={{ $json.prompt }}',
						options: { pollIntervalSeconds: INTERVAL_S, timeoutMinutes: 30, maxConcurrentCreates: 20, downloadVideo: false },
					},
				}),
			);
			const status = sim.gatewayRequests('ark').filter((request) => request.method === 'GET');
			const succeeded = run.value.items.filter((item) => item.json.status === 'succeeded').length;
			return { ms: run.ms, requests: status.length, perInterval: status.length / (run.ms / (INTERVAL_S * 1000)), succeeded };
		} finally {
			arkGateway.listsByTaskIds = true;
		}
	};
	const listed = await measure(true);
	const single = await measure(false);
	say(`${LIST_JOBS} Ark jobs of ${MIN_S}-${MAX_S} s in one execution, poll interval ${INTERVAL_S} s: status checks with Ark's task list against one GET per task`);
	say(`                           with the list    single GETs`);
	say(`  completed                ${String(listed.succeeded).padEnd(16)} ${single.succeeded}`);
	say(`  status requests          ${String(listed.requests).padEnd(16)} ${single.requests}`);
	say(`  per poll interval        ${listed.perInterval.toFixed(1).padEnd(16)} ${single.perInterval.toFixed(1)}`);
	say(`  makespan                 ${seconds(listed.ms).padEnd(16)} ${seconds(single.ms)}`);
	const ratio = single.requests / Math.max(1, listed.requests);
	say(`  requests saved           ${ratio.toFixed(1)} x fewer with the list   target >= 50 x: ${ratio >= 50 ? 'met' : 'MISSED'}`);
	say();
}

async function main() {
	const sim = await startSimulator({ queuedMs: 300 });
	const lengths = jobLengths();
	const slowest = Math.max(...lengths);
	const sum = lengths.reduce((total, ms) => total + ms, 0);
	say(`Seedance node benchmark: ${JOBS} jobs of ${MIN_S}-${MAX_S} s (seed ${SEED}), poll interval ${INTERVAL_S} s, simulator on loopback`);
	say(`Job lengths: ${lengths.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s`);
	say();

	const concurrent = await timed(() => batchThroughNode(sim, lengths));
	const failures = concurrent.value.items.filter((item) => item.json.status !== 'succeeded').length;
	const tasks = [...sim.tasks.values()];
	const checks = tasks.map((task) => task.pollCount);
	const bounds = tasks.map((task) => task.jobMs / (INTERVAL_S * 1000) + 2);
	const worstRatio = Math.max(...tasks.map((task, index) => task.pollCount / bounds[index]));
	const target = 1.15 * slowest + INTERVAL_S * 1000;
	say('This node, all items in one execution (Create, wait, download):');
	say(`  makespan                 ${seconds(concurrent.ms)}  (${failures} failed)`);
	say(`  ideal (slowest job)      ${seconds(slowest)}`);
	say(`  makespan / ideal         ${(concurrent.ms / slowest).toFixed(2)}   target <= ${(target / slowest).toFixed(2)} (1.15 x slowest + one interval): ${concurrent.ms <= target ? 'met' : 'MISSED'}`);
	say(`  status requests per job  mean ${(checks.reduce((a, b) => a + b, 0) / checks.length).toFixed(1)}, max ${Math.max(...checks)}; worst job at ${worstRatio.toFixed(2)} x its bound (job time / interval + 2): ${worstRatio <= 1 ? 'met' : 'MISSED'}`);
	say();

	if (!flag('skip-sequential')) {
		sim.reset();
		const sequential = await timed(async () => {
			for (const ms of lengths) await batchThroughNode(sim, [ms]);
		});
		say('Sequential per-item baseline (the same node, one item per execution, one after another):');
		say(`  makespan                 ${seconds(sequential.ms)}  (sum of jobs ${seconds(sum)})`);
		say(`  speed-up of this node    ${(sequential.ms / concurrent.ms).toFixed(1)} x   target >= 5 x: ${sequential.ms / concurrent.ms >= 5 ? 'met' : 'MISSED'}`);
		say();
	}

	sim.reset();
	const bytes = DOWNLOAD_MB * 1024 * 1024;
	const download = await peakRssGrowthDuring(() =>
		runSeedance({
			sim,
			provider: 'tokenhub',
			parameters: { operation: 'create', prompt: `Big one [sim:size=${bytes}][sim:ms=500]`, options: FAST_OPTIONS },
		}),
	);
	const stored = download.value.items[0]?.binary?.data;
	say(`Download of a ${DOWNLOAD_MB} MB video into n8n binary data (filesystem mode):`);
	say(`  stored                   ${stored?.fileSize ?? 'nothing'} (${stored?.id?.split(':')[0] ?? '-'})`);
	say(`  peak RSS growth          ${(download.growth / 1024 / 1024).toFixed(1)} MB = ${((download.growth / bytes) * 100).toFixed(1)} % of the video   target <= 64 MB: ${download.growth <= 64 * 1024 * 1024 ? 'met' : 'MISSED'}`);
	say();

	if (!flag('skip-media-memory')) await mediaMemoryDuringWait(sim);
	if (!flag('skip-queue-cap')) await batchAgainstQueueCap(sim);
	if (!flag('skip-status-list')) await arkStatusChecks(sim);

	await sim.close();

	if (!flag('skip-template')) {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { runTemplateBench } = require(join(REPO_ROOT, 'scripts', 'lib', 'template-bench'));
		await runTemplateBench({ lengths, intervalS: INTERVAL_S, ideal: slowest, nodeMakespan: concurrent.ms, say, existsSync });
	}

	if (!flag('skip-binary-modes')) {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { runBinaryModeMemory } = require(join(REPO_ROOT, 'scripts', 'lib', 'binary-mode-memory'));
		await runBinaryModeMemory({ say });
	}
}

main().catch((error) => {
	process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
	process.exit(1);
});
