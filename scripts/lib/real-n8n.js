// Drives a real n8n (installed by scripts/install-n8n.sh) with this package installed from its
// `npm pack` tarball, the way a user installs a community node. Shared by the demo and the e2e suite.
'use strict';
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const ROOT = path.resolve(__dirname, '..', '..');
/** Where tsconfig.bench.json and tsconfig.simulator.json compile to: under node_modules, out of lint's sight. */
const DEV_BUILD = path.join(ROOT, 'node_modules', '.cache', 'seedance-build');
const PACKAGE = require(path.join(ROOT, 'package.json'));

function log(message) {
	process.stderr.write(`[seedance] ${message}\n`);
}

/** Installs (or reuses) Node 24 + n8n; returns their paths. */
function ensureN8n() {
	const out = execFileSync(path.join(ROOT, 'scripts', 'install-n8n.sh'), { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
	const env = {};
	for (const line of out.split('\n')) {
		const match = /^export (\w+)='(.*)'$/.exec(line.trim());
		if (match) env[match[1]] = match[2];
	}
	return { nodeBin: env.SEEDANCE_NODE24_BIN, n8nDir: env.SEEDANCE_N8N_DIR, n8nBin: env.SEEDANCE_N8N_BIN };
}

function run(command, args, options = {}) {
	const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', ...options });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout ?? ''}\n${result.stderr ?? ''}`);
	}
	return result.stdout;
}

/** Builds the package and packs it; returns the tarball path. */
function packPackage(outDir) {
	log('building the package and packing it with npm pack');
	run('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
	const name = run('npm', ['pack', '--silent', '--pack-destination', outDir]).trim().split('\n').pop();
	log(`packed ${name}`);
	return path.join(outDir, name);
}

/** Compiles the gateway simulator (TypeScript under test/) to DEV_BUILD. */
function buildSimulator() {
	run(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.simulator.json']);
	return path.join(DEV_BUILD, 'test', 'simulator', 'cli.js');
}

/** Starts the simulator in its own process; resolves with its URLs and keys. */
async function startSimulator(args = []) {
	const cli = buildSimulator();
	const child = spawn(process.execPath, [cli, '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
	const info = await new Promise((resolve, reject) => {
		let buffer = '';
		child.stdout.on('data', (chunk) => {
			buffer += chunk;
			const line = buffer.split('\n').find((candidate) => candidate.startsWith('{'));
			if (line) resolve(JSON.parse(line));
		});
		child.on('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
	});
	return { ...info, stop: () => child.kill('SIGTERM') };
}

/**
 * A fresh n8n user folder with the packed tarball installed under .n8n/nodes, as n8n's
 * community-package installer does (no peer or dev dependencies, no scripts).
 */
function createUserFolder(tarball, n8n) {
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'seedance-n8n-'));
	const nodesDir = path.join(folder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }));
	log(`installing ${path.basename(tarball)} into ${nodesDir}`);
	run('npm', ['install', '--prefix', nodesDir, '--ignore-scripts', '--legacy-peer-deps', '--no-audit', '--no-fund', tarball], {
		env: { ...process.env, PATH: `${n8n.nodeBin}:${process.env.PATH}` },
	});
	return folder;
}

/**
 * n8n (installed or reused), and a fresh user folder with the packed package installed.
 * SEEDANCE_E2E_TARBALL names an already packed tarball to install instead (e.g. an older commit's,
 * to see a test fail on the code it guards against).
 */
function n8nWithPackage() {
	const n8n = ensureN8n();
	const given = process.env.SEEDANCE_E2E_TARBALL;
	if (given) log(`installing the given tarball ${given} (SEEDANCE_E2E_TARBALL), not this checkout`);
	if (given) return { n8n, userFolder: createUserFolder(path.resolve(given), n8n) };
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seedance-pack-'));
	try {
		return { n8n, userFolder: createUserFolder(packPackage(packDir), n8n) };
	} finally {
		// The tarball is installed into the user folder; the packed copy is not needed again.
		fs.rmSync(packDir, { recursive: true, force: true });
	}
}

function n8nEnv(userFolder, n8n, extra = {}) {
	return {
		...process.env,
		PATH: `${n8n.nodeBin}:${process.env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'seedance-e2e-encryption-key',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_RUNNERS_BROKER_PORT: String(20000 + crypto.randomInt(20000)),
		N8N_RESTRICT_FILE_ACCESS_TO: userFolder,
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		DB_SQLITE_POOL_SIZE: '2',
		// jest sets NODE_ENV=test, under which n8n's CLI prints nothing.
		NODE_ENV: 'production',
		// n8n 1.123 defaults to the isolated-vm expression engine, whose native module does not
		// build on Node 20; its legacy engine is the one older 1.x releases always used.
		...(path.basename(n8n.n8nDir).startsWith('n8n-1.') ? { N8N_EXPRESSION_ENGINE: 'legacy' } : {}),
		...extra,
	};
}

function n8nCli(userFolder, n8n, args, extraEnv = {}) {
	return spawnSync(n8n.n8nBin, args, {
		env: n8nEnv(userFolder, n8n, extraEnv),
		encoding: 'utf8',
		maxBuffer: 512 * 1024 * 1024,
	});
}

/** Imports credentials and workflows into the user folder's database. */
function importAll(userFolder, n8n, { credentials = [], workflows = [] }) {
	const dir = fs.mkdtempSync(path.join(userFolder, 'import-'));
	const steps = [];
	if (credentials.length) steps.push(['import:credentials', 'credentials.json', credentials]);
	if (workflows.length) steps.push(['import:workflow', 'workflows.json', workflows]);
	for (const [command, name, data] of steps) {
		const file = path.join(dir, name);
		fs.writeFileSync(file, JSON.stringify(data));
		log(`n8n ${command} (${data.length})`);
		const result = n8nCli(userFolder, n8n, [command, `--input=${file}`]);
		if (result.status !== 0) throw new Error(`n8n ${command} failed:\n${result.stdout}\n${result.stderr}`);
	}
}

/**
 * `n8n execute --rawOutput` prints log lines, then the run JSON, and after a failed run more log
 * lines: take the first line that opens an object and the shortest span after it that parses.
 */
function parseRunJson(stdout) {
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line.startsWith('{'));
	if (start < 0) return undefined;
	for (let end = start; end < lines.length; end++) {
		if (!lines[end].startsWith('}')) continue;
		try {
			return JSON.parse(lines.slice(start, end + 1).join('\n'));
		} catch {
			// not the closing brace of the run object yet
		}
	}
	return undefined;
}

/**
 * Runs an imported workflow with `n8n execute` and returns the run JSON. `onTick` is called
 * every `tickMs` while it runs, so a person watching sees progress.
 */
function execute(userFolder, n8n, workflowId, { onTick, tickMs = 5000, env = {} } = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn(n8n.n8nBin, ['execute', `--id=${workflowId}`, '--rawOutput'], {
			env: n8nEnv(userFolder, n8n, env),
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const started = Date.now();
		const timer = onTick ? setInterval(() => onTick(Math.round((Date.now() - started) / 1000)), tickMs) : undefined;
		child.on('error', reject);
		child.on('close', (exitCode) => {
			if (timer) clearInterval(timer);
			const run = parseRunJson(stdout);
			if (!run) {
				reject(new Error(`n8n execute printed no run JSON (exit ${exitCode}):\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`));
				return;
			}
			resolve({ exitCode, run, stderr });
		});
	});
}

/** Credentials for the simulator, or for the real gateway when a key is in the environment. */
function credentialsFor(sim) {
	const gateways = [
		{ id: 'seedanceTokenHub1', name: 'TokenHub', type: 'tokenHubApi', env: 'TOKENHUB_API_KEY', real: 'https://tokenhub.store/api/v1', key: sim.tokenhubKey, baseUrl: sim.tokenhubBaseUrl },
		{ id: 'seedanceAiHubMix1', name: 'AIHubMix', type: 'aiHubMixApi', env: 'AIHUBMIX_API_KEY', real: 'https://aihubmix.com/v1', key: sim.aihubmixKey, baseUrl: sim.aihubmixBaseUrl },
		// Ark's credential picks a region (BytePlus by default); the simulator is a Custom Base URL.
		{ id: 'seedanceArk1', name: 'Ark', type: 'arkApi', env: 'ARK_API_KEY', real: null, key: sim.arkKey, baseUrl: sim.arkBaseUrl },
	];
	return gateways.map(({ id, name, type, env, real, key, baseUrl }) => ({
		id,
		name,
		type,
		data: process.env[env]
			? real
				? { apiKey: process.env[env], baseUrl: real }
				: { apiKey: process.env[env], region: process.env.ARK_REGION ?? 'byteplus' }
			: type === 'arkApi'
				? { apiKey: key, region: 'custom', baseUrl }
				: { apiKey: key, baseUrl },
	}));
}

const NODE_TYPE = `${PACKAGE.name}.seedance`;
const CREDENTIAL_REFS = {
	tokenhub: { tokenHubApi: { id: 'seedanceTokenHub1', name: 'TokenHub' } },
	aihubmix: { aiHubMixApi: { id: 'seedanceAiHubMix1', name: 'AIHubMix' } },
	ark: { arkApi: { id: 'seedanceArk1', name: 'Ark' } },
};

/** The items a node produced in a run (last run, first output). */
function nodeOutput(run, nodeName) {
	const runs = run.data.resultData.runData[nodeName] ?? [];
	return runs.length ? runs[runs.length - 1].data?.main?.[0] ?? [] : [];
}

function nodeError(run, nodeName) {
	const runs = run.data.resultData.runData[nodeName] ?? [];
	return runs.length ? runs[runs.length - 1].error : undefined;
}

module.exports = {
	ROOT,
	DEV_BUILD,
	NODE_TYPE,
	CREDENTIAL_REFS,
	log,
	ensureN8n,
	packPackage,
	startSimulator,
	createUserFolder,
	n8nWithPackage,
	n8nCli,
	n8nEnv,
	importAll,
	execute,
	credentialsFor,
	nodeOutput,
	nodeError,
};
