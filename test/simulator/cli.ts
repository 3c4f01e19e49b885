/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
// Standalone simulator for end-to-end tests against a real n8n process.
// Usage: node cli.js [--port 0] [--jobMs 150] [--queuedMs 30] [--latencyMs 0]
//        [--tokenhubKey K] [--aihubmixKey K] [--arkKey K] [--aihubmixInlineVideoUrl]
//        [--redirectContent] [--redirectStatus]
// Env fallbacks: SIM_PORT, SIM_JOB_MS, SIM_QUEUED_MS, SIM_LATENCY_MS,
// SIM_TOKENHUB_KEY, SIM_AIHUBMIX_KEY, SIM_ARK_KEY, SIM_AIHUBMIX_INLINE_VIDEO_URL=1,
// SIM_REDIRECT_CONTENT=1, SIM_REDIRECT_STATUS=1.
// Prints one JSON line once listening; runs until SIGTERM/SIGINT.

import { startSimulator } from './index';
import type { SimulatorOptions } from './index';

function parseArgs(argv: string[]): Map<string, string> {
	const args = new Map<string, string>();
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
		const eq = a.indexOf('=');
		if (eq >= 0) {
			args.set(a.slice(2, eq), a.slice(eq + 1));
		} else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
			args.set(a.slice(2), argv[++i]);
		} else {
			args.set(a.slice(2), 'true'); // bare flag
		}
	}
	return args;
}

/** A bare flag or `true`/`1` turns a switch on; `false`/`0` (or anything else) turns it off. */
function onOff(raw: string | undefined): boolean | undefined {
	return raw === undefined ? undefined : raw === 'true' || raw === '1';
}

function num(name: string, raw: string | undefined): number | undefined {
	if (raw === undefined) return undefined;
	const n = Number(raw);
	if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${raw}`);
	return n;
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	const env = process.env;
	const pick = (flag: string, envName: string): string | undefined => args.get(flag) ?? env[envName];
	const options: SimulatorOptions = {
		port: num('port', pick('port', 'SIM_PORT')),
		jobMs: num('jobMs', pick('jobMs', 'SIM_JOB_MS')),
		queuedMs: num('queuedMs', pick('queuedMs', 'SIM_QUEUED_MS')),
		latencyMs: num('latencyMs', pick('latencyMs', 'SIM_LATENCY_MS')),
		tokenhubKey: pick('tokenhubKey', 'SIM_TOKENHUB_KEY'),
		aihubmixKey: pick('aihubmixKey', 'SIM_AIHUBMIX_KEY'),
		arkKey: pick('arkKey', 'SIM_ARK_KEY'),
		aihubmixInlineVideoUrl: onOff(pick('aihubmixInlineVideoUrl', 'SIM_AIHUBMIX_INLINE_VIDEO_URL')),
		redirectContent: onOff(pick('redirectContent', 'SIM_REDIRECT_CONTENT')),
		redirectStatus: onOff(pick('redirectStatus', 'SIM_REDIRECT_STATUS')),
	};
	const sim = await startSimulator(options);
	process.stdout.write(
		JSON.stringify({
			tokenhubBaseUrl: sim.tokenhubBaseUrl,
			aihubmixBaseUrl: sim.aihubmixBaseUrl,
			arkBaseUrl: sim.arkBaseUrl,
			cdnOrigin: sim.cdnOrigin,
			tokenhubKey: sim.tokenhubKey,
			aihubmixKey: sim.aihubmixKey,
			arkKey: sim.arkKey,
			// Extra: the /__sim control endpoints (GET /state, POST /faults|/set|/reset).
			controlUrl: sim.tokenhubBaseUrl.replace(/\/tokenhub\/api\/v1$/, '/__sim'),
		}) + '\n',
	);
	let stopping = false;
	const stop = (): void => {
		if (stopping) return;
		stopping = true;
		sim.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
	process.stderr.write(`simulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
	process.exit(1);
});
