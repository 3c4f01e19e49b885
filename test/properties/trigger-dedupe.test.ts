import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';
import { ObservableObject } from 'n8n-workflow';

import { claimDelivery, forgetClaims, knownDelivered, REMEMBERED_TASKS } from '../../nodes/SeedanceTrigger/delivered';
import { fuzzRuns, InvariantReport } from './fuzz';

/**
 * Invariant: however the Seedance Trigger's calls of one process interleave (each loads the
 * workflow's static data from the "database", decides, and is saved whole afterwards, in any
 * order, as n8n's live webhooks do), and across restarts between calls, no task ever starts two
 * runs, and a task that started one is still known after any restart.
 *
 * The database and n8n's part are modelled as in cli live-webhooks.ts + n8n-workflow: the static
 * data is an ObservableObject made from the stored JSON for every call, the node's object is
 * `node:<name>` in it, and it is saved (JSON) only when marked changed.
 */

type Step =
	| { kind: 'open'; task: number }
	| { kind: 'decide'; call: number }
	| { kind: 'save'; call: number }
	| { kind: 'restart' };

const NODE_KEY = 'node:Seedance Trigger';
const SCOPE = 'property\u0000Seedance Trigger';

const stepArb: fc.Arbitrary<Step> = fc.oneof(
	{ weight: 4, arbitrary: fc.record({ kind: fc.constant('open' as const), task: fc.integer({ min: 0, max: 30 }) }) },
	{ weight: 4, arbitrary: fc.record({ kind: fc.constant('decide' as const), call: fc.nat(40) }) },
	{ weight: 4, arbitrary: fc.record({ kind: fc.constant('save' as const), call: fc.nat(40) }) },
	{ weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

interface Call {
	task: string;
	root: IDataObject & { __dataChanged: boolean };
	decided: boolean;
	saved: boolean;
}

const report = new InvariantReport('Seedance Trigger: each task starts at most one run, in any interleaving of one process and across restarts');
afterAll(() => report.write());

it('no task starts twice; a started task is remembered after a restart', () => {
	fc.assert(
		fc.property(fc.array(stepArb, { minLength: 1, maxLength: 120 }), (steps) => {
			forgetClaims();
			let database = '{}';
			const calls: Call[] = [];
			const runs = new Map<string, number>();
			const open = () => calls.filter((call) => !call.saved);
			let restarts = 0;
			for (const step of steps) {
				if (step.kind === 'open') {
					const root = ObservableObject.create(JSON.parse(database) as IDataObject, undefined, { ignoreEmptyOnFirstChild: true }) as Call['root'];
					root[NODE_KEY] ??= ObservableObject.create({}, root) as IDataObject;
					calls.push({ task: `cgt-${step.task}`, root, decided: false, saved: false });
				} else if (step.kind === 'decide' || step.kind === 'save') {
					const pending = open().filter((call) => (step.kind === 'decide' ? !call.decided : call.decided));
					const call = pending[step.call % Math.max(1, pending.length)];
					if (!call) continue;
					const staticData = call.root[NODE_KEY] as IDataObject;
					if (step.kind === 'decide') {
						call.decided = true;
						if (!knownDelivered(staticData, SCOPE, call.task) && claimDelivery(staticData, SCOPE, call.task, 1_000)) {
							runs.set(call.task, (runs.get(call.task) ?? 0) + 1);
						}
					} else {
						call.saved = true;
						if (call.root.__dataChanged) database = JSON.stringify(call.root);
					}
				} else if (open().length === 0) {
					forgetClaims();
					restarts++;
					// Every task that started is in the database (nothing of the process is left).
					const stored = ((JSON.parse(database) as IDataObject)[NODE_KEY] as { delivered?: Record<string, number> } | undefined)?.delivered ?? {};
					for (const task of runs.keys()) if (!(task in stored)) return false;
				}
			}
			const most = Math.max(0, ...runs.values());
			report.saw({ steps: steps.length, calls: calls.length, restarts, tasksStarted: runs.size, mostRunsOfOneTask: most });
			return most <= 1;
		}),
		fuzzRuns(300),
	);
	expect(REMEMBERED_TASKS).toBeGreaterThan(30);
});
