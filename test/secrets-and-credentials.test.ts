/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import type { ICredentialType } from 'n8n-workflow';

import { AiHubMixApi } from '../credentials/AiHubMixApi.credentials';
import { TokenHubApi } from '../credentials/TokenHubApi.credentials';
import type { Simulator } from './simulator';
import { startSimulator } from './simulator';
import { FAST_OPTIONS, runSeedance, visibleText } from './seedance-run';

const TOKENHUB_KEY = 'th-SECRET-7f3a9c-do-not-leak';
const AIHUBMIX_KEY = 'sk-SECRET-41bd2e-do-not-leak';

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ tokenhubKey: TOKENHUB_KEY, aihubmixKey: AIHUBMIX_KEY, jobMs: 200 });
});
afterAll(async () => await sim.close());
beforeEach(() => sim.reset());

describe('the API key never shows', () => {
	const scenarios: Array<[string, () => Promise<Awaited<ReturnType<typeof runSeedance>>>]> = [
		['a successful run (CDN video URL)', async () => {
			sim.set({ aihubmixInlineVideoUrl: true });
			return await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Ok', options: FAST_OPTIONS } });
		}],
		['a successful run (content endpoint)', async () => {
			sim.set({ aihubmixInlineVideoUrl: false });
			return await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Ok', options: FAST_OPTIONS } });
		}],
		['a failed task', async () => await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'create', prompt: 'No [sim:fail]', options: FAST_OPTIONS } })],
		['a gateway 400', async () => await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'create', prompt: 'Ok', additionalFields: { additionalBodyFields: '{"duration": 99}' } } })],
		['a wrong key', async () => await runSeedance({ sim, provider: 'tokenhub', credentials: { tokenhub: { apiKey: `${TOKENHUB_KEY}-wrong` } }, parameters: { operation: 'create', prompt: 'Ok' } })],
		['a dropped connection on create', async () => {
			sim.injectFault({ method: 'POST', reset: true });
			return await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Ok' } });
		}],
		['an expired download URL', async () => {
			sim.injectFault({ server: 'cdn', status: 403 });
			return await runSeedance({ sim, provider: 'tokenhub', continueOnFail: true, parameters: { operation: 'create', prompt: 'Ok', options: FAST_OPTIONS } });
		}],
		['a refused input', async () => await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: '={{ "" }}' } })],
	];

	it.each(scenarios)('%s: not in output, errors or descriptions', async (_name, scenario) => {
		const run = await scenario();
		const text = visibleText(run);
		expect(text).toContain('"provider"'); // the search covers the real output, not an empty string
		expect(text).not.toContain('SECRET');
		for (const request of sim.cdnRequests()) {
			expect(JSON.stringify(request)).not.toContain('SECRET');
		}
	});

	it('the gateway does receive it, as a Bearer header', async () => {
		await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'create', prompt: 'Ok', waitForCompletion: false } });
		expect(sim.createRequests('tokenhub')[0].headers.authorization).toBe(`Bearer ${TOKENHUB_KEY}`);
	});

	it('a Base URL over plain http on another host is refused before the key is sent', async () => {
		const run = await runSeedance({
			sim,
			provider: 'tokenhub',
			credentials: { tokenhub: { baseUrl: 'http://tokenhub.example.com/api/v1' } },
			parameters: { operation: 'create', prompt: 'Ok' },
		});
		expect(run.status).toBe('error');
		expect(run.nodeError('Seedance')!.message).toContain('must use HTTPS');
		expect(sim.requests).toHaveLength(0);
	});
});

// The credential test (what Save in n8n's credential dialog runs) is covered by
// test/credential-test.test.ts, against this simulator and through n8n-core's own request helper.

describe('credentials', () => {
	it('the defaults point at the documented gateways', () => {
		const base = (type: ICredentialType) => type.properties.find((property) => property.name === 'baseUrl')!.default;
		expect(base(new TokenHubApi())).toBe('https://tokenhub.store/api/v1');
		expect(base(new AiHubMixApi())).toBe('https://aihubmix.com/v1');
	});
});
