import fc from 'fast-check';

import type { FaultSpec, GatewayName, RecordedRequest } from '../simulator';
import { startSimulator } from '../simulator';
import { runSeedance, visibleText } from '../seedance-run';
import { fuzzRuns, InvariantReport } from './fuzz';

/**
 * Invariant (issue 16): for any sequence of gateway answers (429 with any Retry-After, 5xx,
 * resets, lost answers, refusals) and any of n8n's Retry On Fail / Continue On Fail settings,
 * an item
 * - sends no create after one that may have made a task (a 5xx, a reset, a lost answer, a 2xx),
 *   so it never pays twice;
 * - never sends requests faster than the floor allows (at most a few in any second);
 * - never loses a task that exists: its ID is in the output or the error, or the error says the
 *   create's outcome is unknown and where to look.
 * Each case runs one item through WorkflowExecute against a simulator of its own; the cases of
 * one generated batch run at the same time.
 */

type CreateAnswer =
	| { kind: 'rateLimited'; retryAfter: string | undefined }
	| { kind: 'serverError'; status: 500 | 502 | 503 }
	| { kind: 'reset' }
	| { kind: 'lost' }
	| { kind: 'refused' }
	| { kind: 'outOfFunds' };
type StatusAnswer = { kind: 'busy'; status: 429 | 503; retryAfter: string | undefined } | { kind: 'reset' } | { kind: 'garbled' };

const retryAfter = fc.option(
	fc.constantFrom('0', '-1', 'soon', '1', '2', new Date(Date.now() - 60_000).toUTCString(), new Date(Date.now() + 1_500).toUTCString()),
	{ nil: undefined },
);
const createAnswer: fc.Arbitrary<CreateAnswer> = fc.oneof(
	{ weight: 4, arbitrary: retryAfter.map((value) => ({ kind: 'rateLimited' as const, retryAfter: value })) },
	fc.constantFrom(500, 502, 503).map((status) => ({ kind: 'serverError' as const, status: status as 500 | 502 | 503 })),
	fc.constant({ kind: 'reset' as const }),
	fc.constant({ kind: 'lost' as const }),
	fc.constant({ kind: 'refused' as const }),
	fc.constant({ kind: 'outOfFunds' as const }),
);
const statusAnswer: fc.Arbitrary<StatusAnswer> = fc.oneof(
	fc.record({ kind: fc.constant('busy' as const), status: fc.constantFrom(429 as const, 503 as const), retryAfter }),
	fc.constant({ kind: 'reset' as const }),
	fc.constant({ kind: 'garbled' as const }),
);
const scenario = fc.record({
	provider: fc.constantFrom<GatewayName>('tokenhub', 'aihubmix', 'ark'),
	creates: fc.array(createAnswer, { maxLength: 4 }),
	statuses: fc.array(statusAnswer, { maxLength: 6 }),
	maxTries: fc.integer({ min: 1, max: 3 }),
	continueOnFail: fc.boolean(),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function createFault(answer: CreateAnswer, gateway: GatewayName): FaultSpec {
	const base: FaultSpec = { gateway, method: 'POST' };
	switch (answer.kind) {
		case 'rateLimited':
			return { ...base, status: 429, headers: answer.retryAfter === undefined ? {} : { 'Retry-After': answer.retryAfter }, body: { error: { message: 'slow down' } } };
		case 'serverError':
			return { ...base, status: answer.status, body: 'upstream trouble' };
		case 'reset':
			return { ...base, reset: true };
		case 'lost':
			return { ...base, lostResponse: true };
		case 'refused':
			return { ...base, status: 400, body: { error: { message: 'bad request', code: 'invalid_request' } } };
		case 'outOfFunds':
			return { ...base, status: 403, body: { error: { message: 'no balance', code: 'insufficient_user_quota' } } };
	}
}

function statusFault(answer: StatusAnswer, gateway: GatewayName): FaultSpec {
	const base: FaultSpec = { gateway, method: 'GET' };
	if (answer.kind === 'reset') return { ...base, reset: true };
	if (answer.kind === 'garbled') return { ...base, malformedJson: true };
	return { ...base, status: answer.status, headers: answer.retryAfter === undefined ? {} : { 'Retry-After': answer.retryAfter }, body: 'busy' };
}

/** Whether a create answered this way may have made a task (so must never be followed by another). */
const mayHaveMadeTask = (answer: CreateAnswer | undefined) =>
	answer === undefined || ['serverError', 'reset', 'lost'].includes(answer.kind);

/** The most requests an item sent within any one second. */
function busiestSecond(requests: RecordedRequest[]): number {
	let most = 0;
	for (let first = 0, last = 0; last < requests.length; last++) {
		while (requests[last].at - requests[first].at >= 1_000) first++;
		most = Math.max(most, last - first + 1);
	}
	return most;
}

const report = new InvariantReport('any gateway answers: one create that may have made a task, requests above the floor, no task lost');
afterAll(() => report.write());

async function runScenario(given: Scenario) {
	const sim = await startSimulator({ queuedMs: 50, jobMs: 300 });
	try {
		given.creates.forEach((answer) => sim.injectFault(createFault(answer, given.provider)));
		given.statuses.forEach((answer) => sim.injectFault(statusFault(answer, given.provider)));
		const run = await runSeedance({
			sim,
			provider: given.provider,
			continueOnFail: given.continueOnFail,
			settings: { retryOnFail: given.maxTries > 1, maxTries: given.maxTries, waitBetweenTries: 0 },
			parameters: { operation: 'create', prompt: 'Property clip', options: { pollIntervalSeconds: 1, timeoutMinutes: 0.1, downloadVideo: false } },
		});
		const requests = sim.gatewayRequests(given.provider);
		const creates = requests.filter((request) => request.method === 'POST');
		// The k-th create met the k-th injected create answer (faults are taken in order), then the real gateway.
		const firstPaid = creates.findIndex((_, index) => mayHaveMadeTask(given.creates[index]));
		if (firstPaid >= 0) expect(creates.length).toBe(firstPaid + 1);
		expect(sim.tasks.size).toBeLessThanOrEqual(1);

		// Requests of a single try are paced; Retry On Fail with no wait between tries may add one each.
		const busiest = busiestSecond(requests);
		expect(busiest).toBeLessThanOrEqual(3 + (given.maxTries - 1));

		const seen = visibleText(run);
		for (const task of sim.tasks.values()) {
			if (!seen.includes(task.id)) expect(seen).toMatch(/outcome is unknown|had an unknown outcome/);
		}
		report.saw({ requests: requests.length, creates: creates.length, busiestSecondRequests: busiest });
	} finally {
		await sim.close();
	}
}

it('for any sequence of gateway answers, an item never pays twice, never floods, never loses its task', async () => {
	await fc.assert(
		fc.asyncProperty(fc.array(scenario, { minLength: 6, maxLength: 6 }), async (batch) => {
			await Promise.all(batch.map(runScenario));
		}),
		{ ...fuzzRuns(1), endOnFailure: true },
	);
}, 300_000);
