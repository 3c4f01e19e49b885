/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
/**
 * `npm run faults`: batches of Seedance items through the node (real WorkflowExecute) while the
 * simulator injects faults at random (seeded, repeatable): 5xx, 429 with Retry-After, dropped
 * connections, hung requests, malformed JSON, unknown status words, failed and expired tasks,
 * lost create answers, expired (403), slow and broken-off downloads, and redirects (AIHubMix's
 * download to presigned storage, status checks to another origin). Three phases:
 *
 *  1. Continue On Fail on: the random faults over both gateways.
 *  2. Retry On Fail (3 tries) and Continue On Fail: create answers lost in transit are armed
 *     first; the first item fails, so n8n runs the node again, and a retry must never resend a
 *     create whose outcome is unknown.
 *  3. A failing sibling: one item per gateway whose task fails, Continue On Fail off, Retry On
 *     Fail on: every other item must be created exactly once (the retry resumes it); the
 *     failing item is created once per try, a new attempt the user asked for.
 *
 * Prints what was injected and what came out, and exits 1 if a paid task was lost or created
 * twice, the key reached another host, a broken download was not reported with its task, an
 * incomplete video was delivered, or a sibling of a failing item was not created exactly once.
 *
 * Definitions (what the checks count):
 *  - Duplicate: a create request for an item with the same body as an earlier create request
 *    for that item, where the earlier one was not definitely refused (it was not answered with
 *    a 4xx, 429 included) and its task, if it made one, had not failed or expired by the time
 *    of the later request. An earlier request answered with a 5xx, or not answered, counts: the
 *    node cannot know that no task was made.
 *  - Lost: a task created on the simulator whose ID appears nowhere in the node's output items
 *    or in the run's error (message, description). Two kinds of task cannot be named and are
 *    counted apart instead: a task whose create answer never reached the node, when the node
 *    reported that item's create outcome as unknown ("create answers lost in transit"), and a
 *    failed or expired task that a later try of n8n's Retry On Fail replaced with a new one
 *    (n8n keeps only the last try's output).
 *
 * What the node saw of each request (the status, or no answer) is taken from the simulator's
 * HTTP servers themselves (scripts/lib/wire-log.ts): the simulator records requests, not answers.
 *
 * Options: --items N (24, phase 1), --seed N (42), --faults N (40, phase 1; phases 2 and 3 get
 * a quarter and an eighth as many), --retry-items N (12), --lost-creates N (4),
 * --sibling-items N (8), --verbose (every create request and item outcome).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { FaultSpec, GatewayName, RecordedRequest, SimTask } from '../test/simulator';
import { startSimulator } from '../test/simulator';
import type { SeedanceRun, SeedanceRunOptions } from '../test/seedance-run';
import { runSeedance } from '../test/seedance-run';
import { flag, option, seededRandom } from './lib/options';
import type { Exchange } from './lib/wire-log';
import { exchangeOf, recordServers } from './lib/wire-log';

const ITEMS = option('items', 24);
const SEED = option('seed', 42);
const FAULTS = option('faults', 40);
const RETRY_ITEMS = option('retry-items', 12);
const LOST_CREATES = option('lost-creates', 4);
const SIBLING_ITEMS = option('sibling-items', 8);

/** Videos of `[sim:size=...]` items: big enough for a download to break off part way. */
const BIG_VIDEO_BYTES = 200_000;
const RETRY_ON_FAIL = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };
const NODE_OPTIONS = { pollIntervalSeconds: 1, timeoutMinutes: 1, requestTimeoutSeconds: 2 };

const random = seededRandom(SEED);
const pick = <T>(values: T[]): T => values[Math.floor(random() * values.length)];
const between = (low: number, high: number) => Math.round(low + random() * (high - low));

// ---------------------------------------------------------------------------------------------
// Faults

type FaultKind = 'status' | 'download' | 'create-refused' | 'create-unknown';

/** Faults a status check, a create or a download may meet; none of them may lose the task. */
function randomFault(gateway: GatewayName, kinds: FaultKind[]): [string, FaultSpec] {
	const taskPath = { tokenhub: '/videos/generations/', aihubmix: '/videos/', ark: '/contents/generations/tasks/' }[gateway];
	const onCheck = { gateway, method: 'GET', pathIncludes: taskPath };
	const onCreate = { gateway, method: 'POST' };
	// Downloads only: with redirected status checks the CDN origin also answers those.
	const onDownload = { server: 'cdn' as const, pathIncludes: '.mp4' };
	const pool: Array<[FaultKind, string, FaultSpec]> = [
		['status', 'status check: 500', { ...onCheck, status: 500, body: { error: { message: 'internal error' } } }],
		['status', 'status check: 502', { ...onCheck, status: 502, body: 'Bad Gateway' }],
		['status', 'status check: 429 + Retry-After', { ...onCheck, status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'Too many requests' } } }],
		['status', 'status check: connection reset', { ...onCheck, reset: true }],
		['status', 'status check: no answer (request timeout)', { ...onCheck, hangMs: 3_000 }],
		['status', 'status check: malformed JSON', { ...onCheck, malformedJson: true }],
		['status', 'status check: unknown status word', { ...onCheck, status: 200, body: { id: 'x', status: 'rendering_frames' } }],
		['create-refused', 'create: 429 + Retry-After', { ...onCreate, status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'Too many requests' } } }],
		['create-unknown', 'create: 503 before accepting', { ...onCreate, status: 503, body: { error: { message: 'Rate limited by provider' } } }],
		['create-unknown', 'create: answer lost after the task was made', { ...onCreate, lostResponse: true }],
		['download', 'download: 403 expired URL', { ...onDownload, status: 403, body: 'AccessDenied' }],
		['download', 'download: slow start', { ...onDownload, hangMs: 1_500 }],
		['download', 'download: connection broken part way (full Content-Length promised)', { ...onDownload, truncateAfterBytes: between(1_000, BIG_VIDEO_BYTES - 50_000) }],
	];
	const [, name, spec] = pick(pool.filter(([kind]) => kinds.includes(kind)));
	return [name, spec];
}

// ---------------------------------------------------------------------------------------------
// Items and runs

type Fate = 'succeed' | 'fail' | 'expire';
const MARKERS: Record<Fate, string> = { succeed: '', fail: ' [sim:fail]', expire: ' [sim:expire]' };

function item(label: string, index: number, fate: Fate, ms: number, big: boolean): IDataObject {
	return { prompt: `${label} item ${index}${MARKERS[fate]}${big ? ` [sim:size=${BIG_VIDEO_BYTES}]` : ''} [sim:ms=${ms}]` };
}

interface RunPlan {
	phase: number;
	provider: GatewayName;
	items: IDataObject[];
	continueOnFail: boolean;
	settings?: SeedanceRunOptions['settings'];
	/** AIHubMix's download answers 302 to presigned storage, status checks 307 to a mirror. */
	redirects: boolean;
}

interface RunRecord extends RunPlan {
	run: SeedanceRun;
	outputs: INodeExecutionData[];
	/** The run's error, when the node failed (Continue On Fail off). */
	errorMessage: string;
	/** Everything the user is told: output items and the run's error, message and description. */
	visible: string;
}

interface ItemRef {
	record: RunRecord;
	index: number;
}

/** What the node saw of one create request. */
type CreateSeen = 'created' | 'refused (4xx)' | 'unknown (5xx or 3xx)' | 'no answer';

interface CreateAttempt {
	request: RecordedRequest;
	body: string;
	seen: CreateSeen;
	task?: SimTask;
	item?: ItemRef;
}

function seenOf(exchange: Exchange | undefined): CreateSeen {
	if (!exchange || exchange.status === undefined) return 'no answer';
	if (exchange.status >= 200 && exchange.status < 300) return exchange.complete ? 'created' : 'no answer';
	if (exchange.status >= 400 && exchange.status < 500) return 'refused (4xx)';
	return 'unknown (5xx or 3xx)';
}

/** The task failed or expired on the gateway before `at`: the user may ask for a new one. */
const endedBadlyBefore = (task: SimTask | undefined, at: number) =>
	task !== undefined && task.outcome !== 'succeed' && task.createdAt + task.jobMs <= at;

const UNKNOWN_OUTCOME = /outcome is unknown|unknown outcome/;

/** The prompt of a create body: a field, or (Ark) the text entry of `content`. */
function promptOf(body: unknown): unknown {
	const record = (body ?? {}) as { prompt?: unknown; content?: Array<{ type?: string; text?: unknown }> };
	return record.prompt ?? (Array.isArray(record.content) ? record.content.find((entry) => entry?.type === 'text')?.text : undefined);
}

function errorText(error: unknown): string {
	const { message, description } = (error ?? {}) as { message?: unknown; description?: unknown };
	return [message, description].filter((part) => typeof part === 'string').join('\n');
}

async function main() {
	const { value: sim, exchanges } = await recordServers(async () => await startSimulator({ queuedMs: 200 }));
	const cdnPort = Number(new URL(sim.cdnOrigin).port);
	const injected = new Map<string, number>();
	let armed = 0;
	const arm = ([name, fault]: [string, FaultSpec]) => {
		injected.set(name, (injected.get(name) ?? 0) + 1);
		sim.injectFault(fault);
		armed++;
	};

	const records: RunRecord[] = [];
	const tasks: SimTask[] = [];
	const requests: RecordedRequest[] = [];
	const creates: RecordedRequest[] = [];
	const runPhase = async (plans: RunPlan[]) => {
		for (const plan of plans) {
			sim.set({ redirectContent: plan.redirects, redirectStatus: plan.redirects });
			const run = await runSeedance({
				sim,
				provider: plan.provider,
				continueOnFail: plan.continueOnFail,
				settings: plan.settings,
				items: plan.items,
				parameters: { operation: 'create', prompt: '={{ $json.prompt }}', options: NODE_OPTIONS },
			});
			const errorMessage = String(run.error?.message ?? '');
			const visible = [
				JSON.stringify(run.items.map((output) => output.json)),
				errorText(run.error),
				errorText(run.nodeError('Seedance')),
			].join('\n');
			records.push({ ...plan, run, outputs: run.items, errorMessage, visible });
		}
		// What this phase did, kept; then a clean simulator (no faults left over) for the next.
		tasks.push(...sim.tasks.values());
		requests.push(...sim.requests);
		creates.push(...sim.createRequests());
		sim.reset();
	};
	const half = (count: number, provider: GatewayName) => (provider === 'tokenhub' ? Math.floor(count / 2) : Math.ceil(count / 2));

	// Phase 1: Continue On Fail, random faults over both gateways.
	const phase1Faults = FAULTS;
	for (let index = 0; index < phase1Faults; index++) {
		const gateway = pick<GatewayName>(['tokenhub', 'aihubmix']);
		arm(randomFault(gateway, ['status', 'download', 'create-refused', 'create-unknown']));
	}
	const fates: Fate[] = ['succeed', 'succeed', 'succeed', 'succeed', 'fail', 'expire'];
	const phase1Items = Array.from({ length: ITEMS }, (_, index) =>
		item('Fault batch', index, pick(fates), between(1000, 4000), random() < 0.5),
	);
	await runPhase([
		{ phase: 1, provider: 'tokenhub', items: phase1Items.slice(0, half(ITEMS, 'tokenhub')), continueOnFail: true, redirects: false },
		{ phase: 1, provider: 'aihubmix', items: phase1Items.slice(half(ITEMS, 'tokenhub')), continueOnFail: true, redirects: true },
	]);

	// Phase 2: Retry On Fail with lost create answers. Armed first, so they meet the first creates;
	// item 0's task fails, so n8n runs the node again even if no lost answer hit item 0.
	const phase2Faults = Math.round(FAULTS / 4);
	for (let index = 0; index < LOST_CREATES; index++) {
		const gateway: GatewayName = index % 2 === 0 ? 'tokenhub' : 'aihubmix';
		arm([`create: answer lost after the task was made`, { gateway, method: 'POST', lostResponse: true }]);
	}
	for (let index = 0; index < phase2Faults; index++) {
		arm(randomFault(pick<GatewayName>(['tokenhub', 'aihubmix']), ['status', 'download', 'create-refused', 'create-unknown']));
	}
	const retryItems = (provider: GatewayName) =>
		Array.from({ length: half(RETRY_ITEMS, provider) }, (_, index) =>
			item(`Retry batch (${provider})`, index, index === 0 ? 'fail' : pick(fates), index === 0 ? 1000 : between(1000, 4000), random() < 0.5),
		);
	await runPhase([
		{ phase: 2, provider: 'tokenhub', items: retryItems('tokenhub'), continueOnFail: true, settings: RETRY_ON_FAIL, redirects: true },
		{ phase: 2, provider: 'aihubmix', items: retryItems('aihubmix'), continueOnFail: true, settings: RETRY_ON_FAIL, redirects: false },
	]);

	// Phase 3: a failing sibling, Continue On Fail off, Retry On Fail on. No create faults: each
	// other item must be created exactly once (not at most once), so every create goes through
	// in the first try, before the failing task stops the batch.
	const phase3Faults = Math.round(FAULTS / 8);
	for (let index = 0; index < phase3Faults; index++) {
		arm(randomFault(pick<GatewayName>(['tokenhub', 'aihubmix']), ['status', 'download']));
	}
	const FAILING_INDEX = 1;
	const siblingItems = (provider: GatewayName) =>
		Array.from({ length: half(SIBLING_ITEMS, provider) }, (_, index) =>
			item(`Sibling batch (${provider})`, index, index === FAILING_INDEX ? 'fail' : 'succeed', index === FAILING_INDEX ? 1500 : between(1000, 4000), random() < 0.5),
		);
	await runPhase([
		{ phase: 3, provider: 'tokenhub', items: siblingItems('tokenhub'), continueOnFail: false, settings: RETRY_ON_FAIL, redirects: false },
		{ phase: 3, provider: 'aihubmix', items: siblingItems('aihubmix'), continueOnFail: false, settings: RETRY_ON_FAIL, redirects: true },
	]);

	// Phase 4: Ark, the third gateway, with random faults of every kind, under Retry On Fail and
	// Continue On Fail, its status checks redirected to another origin.
	const ARK_ITEMS = 8;
	for (let index = 0; index < Math.round(FAULTS / 4); index++) {
		arm(randomFault('ark', ['status', 'download', 'create-refused', 'create-unknown']));
	}
	const arkItems = Array.from({ length: ARK_ITEMS }, (_, index) =>
		item('Ark batch', index, pick<Fate>(['succeed', 'succeed', 'succeed', 'fail', 'expire']), between(1000, 5000), random() < 0.5),
	);
	await runPhase([{ phase: 4, provider: 'ark', items: arkItems, continueOnFail: true, settings: RETRY_ON_FAIL, redirects: true }]);

	// -------------------------------------------------------------------------------------------
	// What happened

	const itemByPrompt = new Map<string, ItemRef>();
	for (const record of records) {
		record.items.forEach((input, index) => itemByPrompt.set(String(input.prompt), { record, index }));
	}
	// The simulator keeps a create's parsed body as its task's body, so the two are matched by
	// identity; a request the simulator answered and made no task for has none.
	const attempts: CreateAttempt[] = creates
		.map((request) => {
			const prompt = promptOf(request.body);
			return {
				request,
				body: JSON.stringify(request.body ?? null),
				seen: seenOf(exchangeOf(exchanges, request.headers)),
				task: tasks.find((candidate) => candidate.body === request.body),
				item: itemByPrompt.get(String(prompt)),
			};
		})
		.sort((a, b) => a.request.at - b.request.at);
	const orphans = tasks.filter((task) => !attempts.some((attempt) => attempt.task === task));
	if (orphans.length) throw new Error(`${orphans.length} tasks match no create request; has the simulator stopped keeping the request body as the task body?`);
	const attemptsOf = new Map<ItemRef, CreateAttempt[]>();
	for (const attempt of attempts) {
		if (!attempt.item) continue;
		attemptsOf.set(attempt.item, [...(attemptsOf.get(attempt.item) ?? []), attempt]);
	}
	const describe = (ref: ItemRef | undefined) =>
		ref ? `phase ${ref.record.phase}, ${ref.record.provider} item ${ref.index} ("${String(ref.record.items[ref.index].prompt)}")` : 'an unknown item';

	// Duplicates, and new attempts after a failed task.
	const duplicates: string[] = [];
	let newAttempts = 0;
	let lostAnswersResentByRetry = 0;
	for (const list of attemptsOf.values()) {
		list.forEach((later, index) => {
			const earlier = list.slice(0, index).filter((attempt) => attempt.body === later.body);
			const binding = earlier.filter((attempt) => attempt.seen !== 'refused (4xx)' && !endedBadlyBefore(attempt.task, later.request.at));
			if (binding.length) {
				const first = binding[0];
				duplicates.push(
					`${describe(later.item)}: create sent again ${later.request.at - first.request.at} ms after one the node saw as "${first.seen}"` +
						`${first.task ? ` (task ${first.task.id}, ${first.task.outcome})` : ' (no task was made)'}` +
						`${later.task ? `; new task ${later.task.id}` : ''}`,
				);
				if (first.seen === 'no answer' && first.item?.record.settings?.retryOnFail) lostAnswersResentByRetry++;
			} else if (earlier.some((attempt) => endedBadlyBefore(attempt.task, later.request.at))) {
				newAttempts++;
			}
		});
	}

	// Lost tasks.
	const reportsUnknownOutcome = (ref: ItemRef) => {
		const error = String(ref.record.outputs[ref.index]?.json.error ?? '');
		if (UNKNOWN_OUTCOME.test(error)) return true;
		return new RegExp(`^Item ${ref.index}\\b`).test(ref.record.errorMessage) && UNKNOWN_OUTCOME.test(ref.record.errorMessage);
	};
	const visible = records.map((record) => record.visible).join('\n');
	const lost: string[] = [];
	let answersLostInTransit = 0;
	let failedTasksReplaced = 0;
	for (const task of tasks) {
		if (visible.includes(task.id)) continue;
		const attempt = attempts.find((candidate) => candidate.task === task);
		const ref = attempt?.item;
		if (attempt && ref && attempt.seen !== 'created' && reportsUnknownOutcome(ref)) {
			answersLostInTransit++;
			continue;
		}
		const replaced =
			ref !== undefined &&
			(attemptsOf.get(ref) ?? []).some((later) => later !== attempt && endedBadlyBefore(task, later.request.at));
		if (replaced) {
			failedTasksReplaced++;
			continue;
		}
		lost.push(
			`${describe(ref)}: task ${task.id} (${task.outcome}) named nowhere; its create was seen as "${attempt?.seen ?? 'not found'}"` +
				`${ref ? `, the item says: ${JSON.stringify(String(ref.record.outputs[ref.index]?.json.error ?? ref.record.errorMessage ?? '')).slice(0, 300)}` : ''}`,
		);
	}

	// The key: never to the CDN origin (presigned storage, status mirror), on any header.
	const keys = [sim.tokenhubKey, sim.aihubmixKey, sim.arkKey];
	const cdnRequests = requests.filter((request) => request.server === 'cdn');
	const keyLeaks = cdnRequests.filter((request) =>
		Object.values(request.headers).some((value) => keys.some((key) => [value ?? ''].flat().some((text) => text.includes(key)))),
	);
	const mirroredChecks = cdnRequests.filter((request) => request.path.startsWith('/mirror/')).length;
	const storageDownloads = cdnRequests.filter((request) => request.path.startsWith('/aihubmix/videos/')).length;

	// Downloads broken off part way: the item must name its task (or have the whole video after all).
	const expectedBytes = (prompt: string) => Math.max(sim.mp4.length, /\[sim:size=(\d+)\]/.test(prompt) && BIG_VIDEO_BYTES - sim.mp4.length >= 8 ? BIG_VIDEO_BYTES : 0);
	const bytesOf = async (record: RunRecord, output: INodeExecutionData | undefined) => {
		const binary = output?.binary?.data;
		if (!binary) return undefined;
		return binary.bytes ?? (await record.run.binaryBuffer(binary)).length;
	};
	const broken = exchanges.filter(
		(exchange) => exchange.port === cdnPort && exchange.url.includes('.mp4') && exchange.status === 200 && !exchange.complete,
	);
	const brokenUnreported: string[] = [];
	for (const exchange of broken) {
		const id = decodeURIComponent(/\/videos\/([^/?]+)\.mp4/.exec(exchange.url)?.[1] ?? '');
		const ref = attempts.find((attempt) => attempt.task?.id === id)?.item;
		const output = ref?.record.outputs[ref.index];
		const named = output ? output.json.taskId === id && Boolean(output.json.error) : Boolean(ref?.record.visible.includes(id));
		const whole = ref && output?.json.status === 'succeeded' && (await bytesOf(ref.record, output)) === expectedBytes(String(ref.record.items[ref.index].prompt));
		if (!named && !whole) brokenUnreported.push(`${describe(ref)}: download of task ${id} broke off, and the item does not name the task`);
	}
	const incomplete: string[] = [];
	for (const record of records) {
		for (const [index, output] of record.outputs.entries()) {
			const bytes = await bytesOf(record, output);
			const expected = expectedBytes(String(record.items[index]?.prompt ?? ''));
			if (bytes !== undefined && bytes !== expected) incomplete.push(`${describe({ record, index })}: video of ${bytes} bytes, expected ${expected}`);
		}
	}

	// The failing sibling phase: every other item created exactly once.
	const phase3 = records.filter((record) => record.phase === 3);
	let siblingsOnce = 0;
	let siblings = 0;
	let failingCreates = 0;
	const siblingProblems: string[] = [];
	for (const record of phase3) {
		record.items.forEach((_, index) => {
			const ref = itemByPrompt.get(String(record.items[index].prompt)) as ItemRef;
			const made = (attemptsOf.get(ref) ?? []).filter((attempt) => attempt.task).length;
			if (index === FAILING_INDEX) {
				failingCreates += made;
				return;
			}
			siblings++;
			if (made === 1) siblingsOnce++;
			else siblingProblems.push(`${describe(ref)}: created ${made} times`);
		});
	}

	// -------------------------------------------------------------------------------------------
	// Report

	const outputs = records.flatMap((record) => record.outputs);
	const byStatus = new Map<string, number>();
	for (const output of outputs) {
		const key = `${output.json.status ?? 'no task'}${output.json.error ? ' (error item)' : ''}`;
		byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
	}
	const lostArmed = records.filter((record) => record.phase === 2).length ? LOST_CREATES : 0;
	const lostInPhase2 = attempts.filter((attempt) => attempt.item?.record.phase === 2 && attempt.seen === 'no answer' && attempt.task).length;
	const totalItems = records.reduce((sum, record) => sum + record.items.length, 0);
	const runLine = (phase: number) =>
		records
			.filter((record) => record.phase === phase)
			.map((record) => `${record.provider}${record.redirects ? ' redirected' : ''}: ${record.run.status}`)
			.join(', ');

	const say = (line = '') => process.stdout.write(`${line}\n`);
	say(`Fault injection: ${totalItems} items over three gateways, ${armed} faults armed (seed ${SEED})`);
	for (const [name, count] of [...injected].sort()) say(`  ${String(count).padStart(3)} x ${name}`);
	say(`Phase 1, Continue On Fail: ${ITEMS} items, ${phase1Faults} faults (${runLine(1)})`);
	say(`Phase 2, Retry On Fail (3 tries) + Continue On Fail: ${RETRY_ITEMS} items, ${lostArmed} lost create answers + ${phase2Faults} faults (${runLine(2)})`);
	say(`Phase 3, failing sibling, Retry On Fail (3 tries), Continue On Fail off: ${SIBLING_ITEMS} items, ${phase3Faults} faults (${runLine(3)})`);
	say(`Phase 4, Ark, Retry On Fail (3 tries) + Continue On Fail, status checks redirected: ${records.filter((record) => record.phase === 4).reduce((sum, record) => sum + record.items.length, 0)} items, ${Math.round(FAULTS / 4)} faults (${runLine(4)})`);
	say(`Outcome per item: ${[...byStatus].map(([key, count]) => `${count} ${key}`).join(', ')}`);
	say(`Tasks created by the gateway:  ${tasks.length}`);
	say(`Tasks completed (video out):   ${outputs.filter((output) => output.json.status === 'succeeded' && output.binary?.data).length}`);
	say(`Create answers lost in transit: ${answersLostInTransit} (reported as "outcome unknown", never resent)`);
	say(`  under Retry On Fail:         ${lostInPhase2} (sent again: ${lostAnswersResentByRetry})`);
	say(`New attempts after a failed task: ${newAttempts} (a retry the user asked for; ${failedTasksReplaced} failed tasks replaced, not duplicates)`);
	say(`Failing sibling: other items created exactly once: ${siblingsOnce} of ${siblings} (the failing items: ${failingCreates} tasks in ${phase3.length} runs of up to ${RETRY_ON_FAIL.maxTries} tries)`);
	say(`Redirects followed:            ${mirroredChecks} status checks to another origin, ${storageDownloads} AIHubMix downloads from presigned storage`);
	say(`Key sent to other hosts:       ${keyLeaks.length} (of ${cdnRequests.length} requests to the CDN origin)`);
	say(`Downloads broken off:          ${broken.length} (not reported with their task: ${brokenUnreported.length})`);
	say(`Incomplete videos delivered:   ${incomplete.length}`);
	say(`Tasks lost:                    ${lost.length}`);
	say(`Duplicate tasks created:       ${duplicates.length}`);
	const problems = [
		...lost.map((line) => `lost: ${line}`),
		...duplicates.map((line) => `duplicate: ${line}`),
		...keyLeaks.map((request) => `key sent to the CDN origin: ${request.method} ${request.path}`),
		...brokenUnreported.map((line) => `broken download: ${line}`),
		...incomplete.map((line) => `incomplete video: ${line}`),
		...siblingProblems.map((line) => `failing sibling: ${line}`),
	];
	// At most a few lines per kind of problem: enough to find it, not a wall of text.
	const shown = new Map<string, number>();
	for (const line of problems) {
		const kind = line.slice(0, line.indexOf(':'));
		shown.set(kind, (shown.get(kind) ?? 0) + 1);
		if (shown.get(kind)! <= 8) say(`  ! ${line}`);
	}
	for (const [kind, count] of shown) if (count > 8) say(`  ! ... ${count - 8} more of "${kind}"`);
	if (flag('verbose')) {
		for (const record of records) {
			say(`\nPhase ${record.phase}, ${record.provider}: run ${record.run.status}${record.errorMessage ? `: ${record.errorMessage}` : ''}`);
			record.items.forEach((input, index) => {
				const ref = itemByPrompt.get(String(input.prompt)) as ItemRef;
				const output = record.outputs[index]?.json;
				const creates = (attemptsOf.get(ref) ?? []).map((attempt) => `${attempt.seen}${attempt.task ? ` ${attempt.task.id.slice(0, 12)} ${attempt.task.outcome}` : ''}`);
				say(`  item ${index}: creates [${creates.join('; ')}] -> ${output ? `${output.status ?? 'no task'}${output.error ? `: ${String(output.error).slice(0, 120)}` : ''}` : '(no output)'}`);
			});
		}
	}
	await sim.close();
	if (problems.length > 0) process.exit(1);
}

main().catch((error) => {
	process.stderr.write(`fault injection failed: ${error.stack ?? error}\n`);
	process.exit(1);
});
