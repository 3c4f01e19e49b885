// The usual n8n way, for comparison: Loop Over Items → HTTP Request (create) → Wait → HTTP
// Request (status) → IF done → HTTP Request (download), else back to Wait. Runs in the e2e n8n
// against the same simulator, if that n8n is installed (npm run demo or npm run test:e2e).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lib = require('./real-n8n');

function templateWorkflow(sim, lengths, intervalS) {
	const auth = { parameters: [{ name: 'Authorization', value: `Bearer ${sim.tokenhubKey}` }] };
	const node = (name, type, typeVersion, parameters, x) => ({ id: `tpl-${x}`, name, type, typeVersion, position: [x * 200, 0], parameters });
	const nodes = [
		node('Start', 'n8n-nodes-base.manualTrigger', 1, {}, 0),
		node('Prompts', 'n8n-nodes-base.set', 3.4, { mode: 'raw', jsonOutput: JSON.stringify({ rows: lengths.map((ms, i) => ({ prompt: `Template clip ${i} [sim:ms=${ms}]` })) }), options: {} }, 1),
		node('Split', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'rows', options: {} }, 2),
		node('Loop Over Items', 'n8n-nodes-base.splitInBatches', 3, { batchSize: 1, options: {} }, 3),
		node('Create Task', 'n8n-nodes-base.httpRequest', 4.2, {
			method: 'POST', url: `${sim.tokenhubBaseUrl}/videos/generations`, sendHeaders: true, headerParameters: auth,
			sendBody: true, specifyBody: 'json', jsonBody: '={{ JSON.stringify({ model: "doubao-seedance-2.0", prompt: $json.prompt, duration: 5 }) }}', options: {},
		}, 4),
		node('Wait', 'n8n-nodes-base.wait', 1.1, { amount: intervalS, unit: 'seconds' }, 5),
		node('Get Status', 'n8n-nodes-base.httpRequest', 4.2, {
			url: `=${sim.tokenhubBaseUrl}/videos/generations/{{ $('Create Task').item.json.id }}`, sendHeaders: true, headerParameters: auth, options: {},
		}, 6),
		node('Done?', 'n8n-nodes-base.if', 2, {
			conditions: { options: { caseSensitive: true, typeValidation: 'strict' }, combinator: 'and', conditions: [{ id: 'c1', leftValue: '={{ $json.status }}', rightValue: 'succeeded', operator: { type: 'string', operation: 'equals' } }] },
			options: {},
		}, 7),
		node('Download', 'n8n-nodes-base.httpRequest', 4.2, { url: '={{ $json.data[0].video_url }}', options: { response: { response: { responseFormat: 'file' } } } }, 8),
	];
	const to = (target, index = 0) => ({ node: target, type: 'main', index });
	return {
		id: 'seedanceTemplate1', name: 'HTTP Request + Wait loop (template style)', active: false, settings: { executionOrder: 'v1' }, nodes,
		connections: {
			Start: { main: [[to('Prompts')]] },
			Prompts: { main: [[to('Split')]] },
			Split: { main: [[to('Loop Over Items')]] },
			'Loop Over Items': { main: [[], [to('Create Task')]] },
			'Create Task': { main: [[to('Wait')]] },
			Wait: { main: [[to('Get Status')]] },
			'Get Status': { main: [[to('Done?')]] },
			'Done?': { main: [[to('Download')], [to('Wait')]] },
			Download: { main: [[to('Loop Over Items')]] },
		},
	};
}

async function runTemplateBench({ lengths, intervalS, ideal, nodeMakespan, say }) {
	const cache = process.env.SEEDANCE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'n8n-nodes-seedance');
	const installed = fs.existsSync(cache) && fs.readdirSync(cache).some((name) => name.startsWith('n8n-') && fs.existsSync(path.join(cache, name, '.complete')));
	if (!installed) {
		say('HTTP Request + Wait loop template: skipped (no n8n installed yet; `npm run demo` installs it)');
		return;
	}
	const { startSimulator } = require(path.join(lib.DEV_BUILD, 'test', 'simulator'));
	const sim = await startSimulator({ queuedMs: 300 });
	const n8n = lib.ensureN8n();
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'seedance-bench-'));
	try {
		const workflow = templateWorkflow(sim, lengths, intervalS);
		const empty = { id: 'seedanceEmpty0001', name: 'empty', active: false, settings: { executionOrder: 'v1' }, nodes: [workflow.nodes[0]], connections: {} };
		lib.importAll(userFolder, n8n, { workflows: [workflow, empty] });
		const boot = Date.now();
		await lib.execute(userFolder, n8n, empty.id);
		const bootMs = Date.now() - boot;
		const started = Date.now();
		const { exitCode, run } = await lib.execute(userFolder, n8n, workflow.id, { onTick: (s) => process.stderr.write(`  ... template workflow running, ${s} s\n`), tickMs: 15000 });
		const ms = Date.now() - started - bootMs;
		const downloads = (run.data.resultData.runData.Download ?? []).length;
		say(`n8n's usual way, HTTP Request + Wait + IF loop over items (real n8n, same simulator):`);
		say(`  makespan                 ${(ms / 1000).toFixed(1)} s  (n8n boot of ${(bootMs / 1000).toFixed(1)} s excluded; exit ${exitCode}; ${downloads} of ${lengths.length} videos downloaded)`);
		say(`  makespan / ideal         ${(ms / ideal).toFixed(2)}`);
		say(`  this node is             ${(ms / nodeMakespan).toFixed(1)} x faster`);
		say(`  status requests per job ${(sim.gatewayRequests('tokenhub').filter((r) => r.method === 'GET').length / lengths.length).toFixed(1)}`);
	} finally {
		await sim.close();
		fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

module.exports = { runTemplateBench, templateWorkflow };
