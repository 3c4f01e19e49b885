/**
 * `npm run faults`: a batch of Seedance items through the node (real WorkflowExecute, Continue
 * On Fail on) while the simulator injects faults at random (seeded, repeatable): 5xx, 429 with
 * Retry-After, dropped connections, hung requests, malformed JSON, unknown status words, failed
 * and expired tasks, expired (403) and slow downloads. Prints what was injected and what came
 * out, and exits 1 if a paid task was lost or created twice.
 *
 * Options: --items N (24), --seed N (42), --faults N (40).
 */
import type { FaultSpec, GatewayName } from '../test/simulator';
import { startSimulator } from '../test/simulator';
import { runSeedance } from '../test/seedance-run';
import { option, seededRandom } from './lib/options';

const ITEMS = option('items', 24);
const SEED = option('seed', 42);
const FAULTS = option('faults', 40);

const random = seededRandom(SEED);
const pick = <T>(values: T[]): T => values[Math.floor(random() * values.length)];

/** Faults a status check or download may meet; none of them may lose the task. */
function statusFault(gateway: GatewayName): [string, FaultSpec] {
	const taskPath = gateway === 'tokenhub' ? '/videos/generations/' : '/videos/';
	const onCheck = { gateway, method: 'GET', pathIncludes: taskPath };
	return pick<[string, FaultSpec]>([
		['status check: 500', { ...onCheck, status: 500, body: { error: { message: 'internal error' } } }],
		['status check: 502', { ...onCheck, status: 502, body: 'Bad Gateway' }],
		['status check: 429 + Retry-After', { ...onCheck, status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'Too many requests' } } }],
		['status check: connection reset', { ...onCheck, reset: true }],
		['status check: no answer (request timeout)', { ...onCheck, hangMs: 3_000 }],
		['status check: malformed JSON', { ...onCheck, malformedJson: true }],
		['status check: unknown status word', { ...onCheck, status: 200, body: { id: 'x', status: 'rendering_frames' } }],
		['create: 429 + Retry-After', { gateway, method: 'POST', status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'Too many requests' } } }],
		['create: 503 before accepting', { gateway, method: 'POST', status: 503, body: { error: { message: 'Rate limited by provider' } } }],
		['create: answer lost after the task was made', { gateway, method: 'POST', lostResponse: true }],
		['download: 403 expired URL', { server: 'cdn', status: 403, body: 'AccessDenied' }],
		['download: slow start', { server: 'cdn', hangMs: 1_500 }],
	]);
}

async function main() {
	const sim = await startSimulator({ queuedMs: 200 });
	const injected = new Map<string, number>();
	for (let index = 0; index < FAULTS; index++) {
		const gateway = pick<GatewayName>(['tokenhub', 'aihubmix']);
		const [name, fault] = statusFault(gateway);
		injected.set(name, (injected.get(name) ?? 0) + 1);
		sim.injectFault(fault);
	}
	const outcomes = ['succeed', 'succeed', 'succeed', 'succeed', 'fail', 'expire'];
	const items = Array.from({ length: ITEMS }, (_, index) => {
		const outcome = pick(outcomes);
		const marker = outcome === 'fail' ? ' [sim:fail]' : outcome === 'expire' ? ' [sim:expire]' : '';
		return { prompt: `Fault batch item ${index}${marker} [sim:ms=${Math.round(1000 + random() * 3000)}]` };
	});

	const outputs = [];
	for (const provider of ['tokenhub', 'aihubmix'] as const) {
		const run = await runSeedance({
			sim,
			provider,
			continueOnFail: true,
			items: items.slice(provider === 'tokenhub' ? 0 : ITEMS / 2, provider === 'tokenhub' ? ITEMS / 2 : ITEMS),
			parameters: {
				operation: 'create',
				prompt: '={{ $json.prompt }}',
				options: { pollIntervalSeconds: 1, timeoutMinutes: 1, requestTimeoutSeconds: 2 },
			},
		});
		outputs.push(...run.items);
	}

	const reported = new Set(outputs.map((item) => item.json.taskId).filter(Boolean));
	const created = [...sim.tasks.values()];
	const lost = created.filter((task) => !reported.has(task.id));
	// Only a dropped answer can hide a task that exists; a 5xx on create is reported the same
	// way (outcome unknown, not resent) but made no task here, so it must not excuse a lost one.
	const unknownOutcome = outputs.filter((item) => /^No answer from .*: (?!HTTP \d)/.test(String(item.json.error ?? ''))).length;
	const perPrompt = new Map<string, number>();
	for (const task of created) perPrompt.set(String(task.body.prompt), (perPrompt.get(String(task.body.prompt)) ?? 0) + 1);
	const duplicates = [...perPrompt.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
	const byStatus = new Map<string, number>();
	for (const item of outputs) {
		const key = `${item.json.status ?? 'no task'}${item.json.error ? ' (error item)' : ''}`;
		byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
	}

	const say = (line = '') => process.stdout.write(`${line}\n`);
	say(`Fault injection: ${ITEMS} items over both gateways, ${FAULTS} faults armed (seed ${SEED})`);
	for (const [name, count] of [...injected].sort()) say(`  ${String(count).padStart(3)} x ${name}`);
	say(`Outcome per item: ${[...byStatus].map(([key, count]) => `${count} ${key}`).join(', ')}`);
	say(`Tasks created by the gateway:  ${created.length}`);
	say(`Tasks completed (video out):   ${outputs.filter((item) => item.json.status === 'succeeded' && item.binary?.data).length}`);
	say(`Create answers lost in transit: ${unknownOutcome} (reported as "outcome unknown", never resent)`);
	// The node cannot name a task whose create answer never arrived; it says so instead of resending.
	// Any other task whose id reached no output item is lost.
	const lostCount = Math.max(0, lost.length - unknownOutcome);
	say(`Tasks lost:                    ${lostCount}`);
	say(`Duplicate tasks created:       ${duplicates}`);
	await sim.close();
	if (lostCount > 0 || duplicates > 0) process.exit(1);
}

main().catch((error) => {
	process.stderr.write(`fault injection failed: ${error.stack ?? error}\n`);
	process.exit(1);
});
