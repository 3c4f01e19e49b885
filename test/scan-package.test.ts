/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { spawnSync } from 'child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, relative } from 'path';

/**
 * scripts/scan-package.mjs (n8n's @n8n/scan-community-package, run offline in .ci/run) refuses a
 * package that n8n's verification would refuse: a copy of this package with a forbidden call planted
 * in its node fails, in the source and in the built package, and the clean copies pass.
 */
const ROOT = join(__dirname, '..');
const SCRIPT = join(ROOT, 'scripts', 'scan-package.mjs');
const NODE_JS = join('dist', 'nodes', 'Seedance', 'Seedance.node.js');
const NODE_TS = join('nodes', 'Seedance', 'Seedance.node.ts');

jest.setTimeout(10 * 60 * 1000);

let work: string;
let built: string;
let source: string;

function scan(...args: string[]) {
	const result = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });
	return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The svg files gulpfile.js copies into dist/ (tsc does not emit them). */
function copySvgs(from: string, to: string) {
	for (const entry of readdirSync(from)) {
		const file = join(from, entry);
		if (statSync(file).isDirectory()) copySvgs(file, to);
		else if (entry.endsWith('.svg')) cpSync(file, join(to, relative(ROOT, file)));
	}
}

function copyOf(dir: string, name: string) {
	const copy = join(work, name);
	cpSync(dir, copy, { recursive: true });
	return copy;
}

beforeAll(() => {
	work = mkdtempSync(join(tmpdir(), 'seedance-scan-test-'));
	// What `npm pack` ships: package.json and dist/ as `npm run build` makes it.
	built = join(work, 'built');
	const tsc = spawnSync(
		join(ROOT, 'node_modules', '.bin', 'tsc'),
		['-p', join(ROOT, 'tsconfig.json'), '--outDir', join(built, 'dist'), '--tsBuildInfoFile', join(work, 'tsbuildinfo')],
		{ cwd: ROOT, encoding: 'utf8' },
	);
	if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}\n${tsc.stderr}`);
	for (const dir of ['icons', 'nodes', 'credentials']) copySvgs(join(ROOT, dir), join(built, 'dist'));
	cpSync(join(ROOT, 'package.json'), join(built, 'package.json'));
	// What the scanner lints in a source checkout: package.json, nodes/ and credentials/ (and the
	// icons they name, which its icon rule checks).
	source = join(work, 'source');
	for (const entry of ['package.json', 'nodes', 'credentials', 'icons']) cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
});

afterAll(() => {
	if (work) rmSync(work, { recursive: true, force: true });
});

test('the clean package passes, in its source and as built', () => {
	const { status, output } = scan('--source', source, '--packed', built);
	expect(output).toMatch(/passed source: \d+ files/);
	expect(output).toMatch(/passed packed: \d+ files/);
	expect(status).toBe(0);
});

test('a setTimeout planted in the built node fails the packed scan, naming the rule and the file', () => {
	const copy = copyOf(built, 'planted-timer');
	appendFileSync(join(copy, NODE_JS), '\nsetTimeout(() => undefined, 1000);\n');
	const { status, output } = scan('--packed', copy);
	expect(output).toContain('FAILED packed: ESLint violations found');
	expect(output).toContain('no-restricted-globals');
	expect(output).toContain(join(copy, NODE_JS));
	expect(status).toBe(1);
});

test('a console.log planted in the built node fails the packed scan', () => {
	const copy = copyOf(built, 'planted-console');
	appendFileSync(join(copy, NODE_JS), '\nconsole.log("debug");\n');
	const { status, output } = scan('--packed', copy);
	expect(output).toContain('no-console');
	expect(status).toBe(1);
});

test('a setTimeout planted in the node source fails the source scan', () => {
	const copy = copyOf(source, 'planted-source');
	appendFileSync(join(copy, NODE_TS), '\nsetTimeout(() => undefined, 1000);\n');
	const { status, output } = scan('--source', copy);
	expect(output).toContain('FAILED source: ESLint violations found');
	expect(output).toContain('no-restricted-globals');
	expect(status).toBe(1);
});

test('a package whose node file is not there fails instead of passing a scan of nothing', () => {
	const copy = copyOf(built, 'no-node');
	rmSync(dirname(join(copy, NODE_JS)), { recursive: true });
	const { status, output } = scan('--packed', copy);
	expect(output).toContain(`would not see ${NODE_JS}`);
	expect(status).toBe(1);
});
