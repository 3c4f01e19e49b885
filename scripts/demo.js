#!/usr/bin/env node
// `npm run demo`: a real n8n, this package installed from its npm pack tarball, one workflow
// (Manual Trigger → Seedance Create, waiting → the MP4 written to disk), run with `n8n execute`.
// Against the gateway simulator by default; against the real gateway when TOKENHUB_API_KEY or
// AIHUBMIX_API_KEY is set.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./lib/real-n8n');

async function main() {
	const keyed = [['tokenhub', 'TOKENHUB_API_KEY'], ['aihubmix', 'AIHUBMIX_API_KEY'], ['ark', 'ARK_API_KEY']].find(([, env]) => process.env[env]);
	const provider = keyed?.[0] ?? process.env.SEEDANCE_DEMO_PROVIDER ?? 'tokenhub';
	const real = Boolean(keyed);
	lib.log(`provider: ${provider} (${real ? 'REAL gateway, this costs money' : 'gateway simulator on loopback'})`);

	lib.log('step 1/5: n8n (installed once, cached)');
	const n8n = lib.ensureN8n();
	lib.log('step 2/5: packing this package');
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seedance-pack-'));
	const tarball = lib.packPackage(packDir);
	lib.log('step 3/5: installing it into a fresh n8n user folder as a community package');
	const userFolder = lib.createUserFolder(tarball, n8n);
	fs.rmSync(packDir, { recursive: true, force: true });
	const outputDir = path.join(lib.ROOT, 'demo-output');
	fs.mkdirSync(outputDir, { recursive: true });

	const sim = real ? null : await lib.startSimulator(['--jobMs', process.env.SEEDANCE_DEMO_JOB_MS ?? '12000', '--queuedMs', '2000']);
	try {
		const workflow = JSON.parse(fs.readFileSync(path.join(lib.ROOT, 'examples', 'demo.workflow.json'), 'utf8'));
		const seedance = workflow.nodes.find((node) => node.type.endsWith('.seedance'));
		seedance.type = lib.NODE_TYPE;
		seedance.parameters.provider = provider;
		seedance.credentials = lib.CREDENTIAL_REFS[provider];
		if (provider === 'aihubmix') seedance.parameters.model = 'doubao-seedance-2-0-fast-260128';
		// Ark's model IDs differ by region: BytePlus's dreamina-…, Volcengine's doubao-….
		if (provider === 'ark') seedance.parameters.model = real && process.env.ARK_REGION === 'volcengine' ? 'doubao-seedance-2-0-fast-260128' : 'dreamina-seedance-2-0-fast-260128';
		const writer = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.readWriteFile');
		writer.parameters.fileName = `={{ ${JSON.stringify(outputDir + path.sep)} + $json.taskId + ".mp4" }}`;

		lib.log('step 4/5: importing the credential and the example workflow');
		lib.importAll(userFolder, n8n, { credentials: lib.credentialsFor(sim ?? {}), workflows: [workflow] });

		lib.log('step 5/5: running the workflow in n8n (the node waits for the video)');
		const { exitCode, run } = await lib.execute(userFolder, n8n, workflow.id, {
			env: { N8N_RESTRICT_FILE_ACCESS_TO: `${userFolder};${outputDir}` },
			onTick: (seconds) => lib.log(`  ... n8n is running the workflow, ${seconds} s (Seedance is creating, polling, downloading)`),
		});
		const [item] = lib.nodeOutput(run, seedance.name);
		if (exitCode !== 0 || !item) {
			const error = lib.nodeError(run, seedance.name);
			throw new Error(`the workflow failed: ${error?.message ?? run.data.resultData.error?.message ?? 'unknown error'}`);
		}
		const file = path.join(outputDir, `${item.json.taskId}.mp4`);
		const size = fs.statSync(file).size;
		process.stdout.write(
			[
				'',
				`Video written by n8n: ${file}`,
				`Size: ${size} bytes`,
				`Task: ${item.json.taskId} (${item.json.provider}, ${item.json.model}), status ${item.json.status}`,
				`Estimated cost: ${item.json.costCurrency === 'CNY' ? `¥${Number(item.json.estimatedCost).toFixed(2)}` : `$${Number(item.json.estimatedCostUsd ?? 0).toFixed(2)}`} (${item.json.costBasis})${real ? '' : ' if it had run on the real gateway'}`,
				'',
			].join('\n'),
		);
	} finally {
		sim?.stop();
		if (!process.env.SEEDANCE_KEEP_USER_FOLDER) fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error) => {
	process.stderr.write(`[seedance] demo failed: ${error.message}\n`);
	process.exit(1);
});
