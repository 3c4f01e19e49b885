// Peak memory of a real n8n while the Seedance node stores a large video, in n8n's `filesystem`
// and `database` binary-data modes. The same workflow (Manual Trigger → Seedance Create with
// wait, TokenHub against the simulator) runs in `n8n execute` with a tiny video and with a large
// one; the growth the video causes is peak(large) − peak(tiny), where peak is the VmHWM (peak
// resident set) of the n8n process, read from /proc while it runs.
//
// Why the modes differ: the node hands n8n the HTTP response as a stream
// (helpers.prepareBinaryData). In filesystem mode n8n pipes it to a file. In database mode n8n's
// DatabaseManager.store (packages/cli/src/binary-data/database.manager.ts) first calls
// binaryToBuffer (packages/@n8n/backend-network/src/http/binary-buffer.ts), which collects every
// chunk and Buffer.concat()s them, then checks N8N_BINARY_DATA_DATABASE_MAX_FILE_SIZE and inserts
// the whole buffer as one row of the binary_data table.
//
// Used by `npm run bench` (skip with --skip-binary-modes) when the e2e n8n is installed; runs
// alone too: node scripts/lib/binary-mode-memory.js [--mb 200]
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./real-n8n');

const MODES = ['filesystem', 'database'];
const MB = 1024 * 1024;
const RUN_TIMEOUT_MS = 150 * 1000;

function n8nInstalled() {
	const cache = process.env.SEEDANCE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'n8n-nodes-seedance');
	return fs.existsSync(cache) && fs.readdirSync(cache).some((name) => name.startsWith('n8n-') && fs.existsSync(path.join(cache, name, '.complete')));
}

function workflow(id, prompt) {
	return {
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: `${id}-start`, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: `${id}-seedance`,
				name: 'Seedance',
				type: lib.NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters: { provider: 'tokenhub', operation: 'create', prompt, options: { pollIntervalSeconds: 1, timeoutMinutes: 2 } },
				credentials: lib.CREDENTIAL_REFS.tokenhub,
			},
		],
		connections: { Start: { main: [[{ node: 'Seedance', type: 'main', index: 0 }]] } },
	};
}

/** kB figures of one /proc/<pid>/status, or undefined once the process is gone. */
function memoryStatus(pid) {
	try {
		const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
		return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
	} catch {
		return undefined;
	}
}

/** The run JSON `n8n execute --rawOutput` prints: the first line opening an object, up to the brace that closes it. */
function runJson(stdout) {
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line.startsWith('{'));
	for (let end = start; start >= 0 && end < lines.length; end++) {
		if (!lines[end].startsWith('}')) continue;
		try {
			return JSON.parse(lines.slice(start, end + 1).join('\n'));
		} catch {
			// not the closing brace yet
		}
	}
	return undefined;
}

/**
 * `n8n execute` of one workflow (the spawned pid is n8n's node process: bin/n8n is a
 * `#!/usr/bin/env node` script), sampling its memory every 20 ms. VmHWM is the kernel's own
 * high-water mark, so sampling cannot miss the peak; the last sample is taken after the run
 * finished storing the video.
 */
function executeSampled(userFolder, n8n, workflowId, mode) {
	return new Promise((resolve, reject) => {
		const child = spawn(n8n.n8nBin, ['execute', `--id=${workflowId}`, '--rawOutput'], {
			env: lib.n8nEnv(userFolder, n8n, { N8N_DEFAULT_BINARY_DATA_MODE: mode }),
		});
		let stdout = '';
		let stderr = '';
		let peak = { hwm: 0, rss: 0 };
		const sample = () => {
			const status = memoryStatus(child.pid);
			if (status) peak = { hwm: Math.max(peak.hwm, status.hwm), rss: Math.max(peak.rss, status.rss) };
		};
		const sampler = setInterval(sample, 20);
		const killer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
		child.stdout.on('data', (chunk) => {
			sample();
			stdout += chunk;
		});
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('error', reject);
		child.on('exit', sample);
		child.on('close', (exitCode) => {
			clearInterval(sampler);
			clearTimeout(killer);
			const run = runJson(stdout);
			if (!run) {
				reject(new Error(`n8n execute (${mode}) printed no run JSON (exit ${exitCode}):\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
				return;
			}
			const item = lib.nodeOutput(run, 'Seedance')[0];
			const error = lib.nodeError(run, 'Seedance') ?? run.data.resultData.error;
			resolve({ exitCode, peakMb: peak.hwm / 1024, peakRssSampledMb: peak.rss / 1024, item, error: error?.message });
		});
	});
}

/** Bytes of the stored row in n8n's binary_data table (database mode), read with n8n's own sqlite3. */
function storedBytesInDatabase(userFolder, n8n, binaryId) {
	const fileId = binaryId.slice(binaryId.indexOf(':') + 1);
	const script = `
		const sqlite3 = require(${JSON.stringify(path.join(n8n.n8nDir, 'node_modules', 'sqlite3'))});
		const db = new sqlite3.Database(${JSON.stringify(path.join(userFolder, '.n8n', 'database.sqlite'))}, sqlite3.OPEN_READONLY);
		db.get('SELECT fileSize, length(data) AS bytes FROM binary_data WHERE fileId = ?', [${JSON.stringify(fileId)}], (error, row) => {
			if (error) { console.error(error.message); process.exit(1); }
			console.log(JSON.stringify(row ?? null));
		});`;
	const row = JSON.parse(execFileSync(path.join(n8n.nodeBin, 'node'), ['-e', script], { encoding: 'utf8' }));
	return row?.bytes;
}

function describeStored(item) {
	const binary = item?.binary?.data;
	if (!binary) return 'nothing stored';
	return `${binary.fileSize ?? '?'}, ${String(binary.id ?? '(inline)').split(':')[0]}`;
}

/**
 * Runs the four executions (tiny and large video, in each mode) and prints the growth. Resolves
 * with the figures; rejects if a run failed or the large video was not stored, so a figure never
 * measures a failure.
 */
async function runBinaryModeMemory({ say = (line = '') => process.stdout.write(`${line}\n`), megabytes = 200 } = {}) {
	if (!n8nInstalled()) {
		say('Binary data mode memory: skipped (no n8n installed yet; `npm run demo` installs it)');
		return undefined;
	}
	const bytes = Math.round(megabytes * MB);
	const sim = await lib.startSimulator(['--queuedMs', '100', '--jobMs', '500']);
	const { n8n, userFolder } = lib.n8nWithPackage();
	const version = path.basename(n8n.n8nDir).replace(/^n8n-/, '');
	try {
		const tiny = workflow('seedanceBinTiny1', 'Binary mode tiny clip [sim:ms=500]');
		const large = workflow('seedanceBinLarge', `Binary mode large clip [sim:size=${bytes}][sim:ms=500]`);
		lib.importAll(userFolder, n8n, {
			// The simulator's key and URL, never a real gateway key from the environment.
			credentials: [{ id: 'seedanceTokenHub1', name: 'TokenHub', type: 'tokenHubApi', data: { apiKey: sim.tokenhubKey, baseUrl: sim.tokenhubBaseUrl } }],
			workflows: [tiny, large],
		});
		const results = {};
		for (const mode of MODES) {
			const runs = {};
			for (const [label, wf] of [['tiny', tiny], ['large', large]]) {
				lib.log(`binary data mode ${mode}: n8n execute, ${label} video`);
				const result = await executeSampled(userFolder, n8n, wf.id, mode);
				const binary = result.item?.binary?.data;
				if (result.error || !String(binary?.id ?? '').split(':')[0].startsWith(mode)) {
					throw new Error(`${mode} mode, ${label} video: not stored in ${mode} mode (${result.error ?? describeStored(result.item)}, exit ${result.exitCode})`);
				}
				if (label === 'large' && Number(binary.bytes ?? 0) !== bytes) {
					throw new Error(`${mode} mode: stored ${binary.bytes} bytes, expected ${bytes}`);
				}
				if (mode === 'database' && label === 'large') result.rowBytes = storedBytesInDatabase(userFolder, n8n, binary.id);
				runs[label] = result;
			}
			results[mode] = { ...runs, growthMb: runs.large.peakMb - runs.tiny.peakMb };
		}
		say(`Binary data mode memory, real n8n ${version}, a ${megabytes} MB video vs a tiny one (peak RSS of the n8n process):`);
		for (const mode of MODES) {
			const { tiny: t, large: l, growthMb } = results[mode];
			const ratio = mode === 'database' ? `  (${growthMb.toFixed(0)}/${megabytes} = ${(growthMb / megabytes).toFixed(2)} x the video)` : '';
			say(`  ${mode.padEnd(12)} peak +${growthMb.toFixed(0)} MB${ratio}`);
			const stored = mode === 'database' ? `, ${l.rowBytes} bytes in the binary_data table` : '';
			say(`  ${''.padEnd(12)} (peak ${t.peakMb.toFixed(0)} MB with the tiny video, ${l.peakMb.toFixed(0)} MB with the large one; stored ${describeStored(l.item)}${stored})`);
		}
		say();
		return results;
	} finally {
		sim.stop();
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

module.exports = { runBinaryModeMemory };

if (require.main === module) {
	const at = process.argv.indexOf('--mb');
	const megabytes = at >= 0 ? Number(process.argv[at + 1]) : 200;
	runBinaryModeMemory({ megabytes }).catch((error) => {
		process.stderr.write(`binary mode memory failed: ${error.stack ?? error}\n`);
		process.exit(1);
	});
}
