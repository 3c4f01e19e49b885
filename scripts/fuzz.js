#!/usr/bin/env node
// The long run of the property tests: the same invariants as `npm test` (test/properties), with
// FUZZ_SCALE times as many generated cases and a seed of its own (FUZZ_SEED=<n> replays one),
// then a table of what each invariant tried and the worst figure it saw.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'seedance-fuzz-'));
const report = path.join(dir, 'report.jsonl');
const seed = process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const scale = process.env.FUZZ_SCALE ?? '20';
process.stdout.write(`[fuzz] seed ${seed}, ${scale}x the cases of npm test (FUZZ_SEED=${seed} replays this run)\n`);
const jest = spawnSync(
	process.execPath,
	['--expose-gc', path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--runInBand', '--testTimeout=600000', 'test/properties'],
	{ cwd: root, stdio: 'inherit', env: { ...process.env, FUZZ_SEED: seed, FUZZ_SCALE: scale, FUZZ_REPORT: report } },
);
const lines = existsSync(report) ? readFileSync(report, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : [];
rmSync(dir, { recursive: true, force: true });
process.stdout.write('\ninvariant | cases | worst figures\n--- | ---: | ---\n');
for (const { invariant, cases, worst } of lines) {
	const figures = Object.entries(worst)
		.map(([name, value]) => `${name} ${Number.isInteger(value) ? value : value.toFixed(2)}`)
		.join(', ');
	process.stdout.write(`${invariant} | ${cases} | ${figures || '-'}\n`);
}
process.exit(jest.status ?? 1);
