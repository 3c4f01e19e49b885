/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { appendFileSync } from 'node:fs';

/**
 * Settings shared by the property tests (test/properties/*.test.ts). Under `npm test` every
 * property runs a modest number of generated cases from a fixed seed, so a failure replays the
 * same way on every machine. `npm run fuzz` (scripts/fuzz.js) runs the same files with more
 * cases (FUZZ_SCALE) and a seed of its choosing (FUZZ_SEED), and collects what each invariant
 * reports (cases tried, worst figures) into FUZZ_REPORT, printed as a table at the end.
 */

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const SCALE = Math.max(1, Number(process.env.FUZZ_SCALE ?? 1));

/** fast-check parameters: the fixed seed, and `base` cases times the fuzz scale. */
export function fuzzRuns(base: number): { seed: number; numRuns: number } {
	return { seed: FUZZ_SEED, numRuns: Math.round(base * SCALE) };
}

/** Whether this is the long run (npm run fuzz), for properties that only measure there. */
export const LONG_RUN = SCALE > 1;

/** The worst figures an invariant saw, gathered while its cases run and reported once. */
export class InvariantReport {
	private cases = 0;

	private readonly worst: Record<string, number> = {};

	constructor(readonly invariant: string) {}

	/** One generated case, with its figures; the largest value of each figure is kept. */
	saw(figures: Record<string, number> = {}): void {
		this.cases++;
		for (const [name, value] of Object.entries(figures)) {
			if (Number.isFinite(value) && !(this.worst[name] >= value)) this.worst[name] = value;
		}
	}

	/** Written to FUZZ_REPORT when set (npm run fuzz); a no-op under npm test. */
	write(): void {
		const file = process.env.FUZZ_REPORT;
		if (!file) return;
		appendFileSync(file, `${JSON.stringify({ invariant: this.invariant, cases: this.cases, seed: FUZZ_SEED, worst: this.worst })}\n`);
	}
}
