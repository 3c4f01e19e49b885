import type { ILoadOptionsFunctions, INodeProperties } from 'n8n-workflow';

import { getModels } from '../nodes/Seedance/methods/loadOptions';
import { Seedance } from '../nodes/Seedance/Seedance.node';
import type { GatewayName, Simulator } from './simulator';
import { startSimulator } from './simulator';
import { credentialsFor, runSeedance } from './seedance-run';

/** What makes the node feel like n8n's own: live model lists, Delete where it exists, hints. */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator({ jobMs: 200 });
});
afterAll(async () => await sim.close());
beforeEach(() => sim.reset());

/**
 * The slice of n8n's load-options context getModels uses, over real HTTP with the credential's
 * Bearer header (as n8n applies it).
 */
function loadOptionsContext(provider: GatewayName, credential: { apiKey: unknown; baseUrl: unknown }): ILoadOptionsFunctions {
	return {
		getCurrentNodeParameter: (name: string) => (name === 'provider' ? provider : undefined),
		getCredentials: async () => credential,
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: { url: string; timeout?: number }) => {
				const response = await fetch(options.url, { headers: { authorization: `Bearer ${credential.apiKey}` }, redirect: 'manual' });
				return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: await response.json().catch(() => undefined) };
			},
		},
	} as unknown as ILoadOptionsFunctions;
}

describe('Model list', () => {
	it('AIHubMix: the live list, filtered to Seedance, including a model newer than the docs', async () => {
		const options = await getModels.call(loadOptionsContext('aihubmix', credentialsFor(sim).aiHubMixApi));
		const ids = options.map((option) => option.value);
		expect(ids).toContain('doubao-seedance-2-0-260128');
		expect(ids).toContain('doubao-seedance-2-1-preview-261001');
		expect(ids).not.toContain('gpt-4o-mini');
		expect(ids).not.toContain('sora-2');
		expect(options.find((option) => option.value === 'doubao-seedance-1-5-pro-251215')?.description).toContain('1080p');
		expect(sim.gatewayRequests('aihubmix').map((request) => request.path)).toEqual(['/aihubmix/v1/models']);
	});

	it('TokenHub: the live list, filtered to Seedance', async () => {
		const options = await getModels.call(loadOptionsContext('tokenhub', credentialsFor(sim).tokenHubApi));
		expect(options.map((option) => option.value)).toEqual(['doubao-seedance-2.0', 'doubao-seedance-2.0-fast']);
	});

	it('falls back to the documented models when the gateway cannot be reached', async () => {
		const options = await getModels.call(loadOptionsContext('aihubmix', { apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v1' }));
		expect(options.map((option) => option.value)).toEqual([
			'doubao-seedance-2-0-260128',
			'doubao-seedance-2-0-fast-260128',
			'doubao-seedance-1-5-pro-251215',
			'doubao-seedance-1-0-pro-250528',
			'doubao-seedance-1-0-pro-fast-251015',
		]);
	});

	it('falls back when the key is rejected, and never sends the key over plain http to another host', async () => {
		const rejected = await getModels.call(loadOptionsContext('tokenhub', { apiKey: 'wrong', baseUrl: sim.tokenhubBaseUrl }));
		expect(rejected.map((option) => option.value)).toEqual(['doubao-seedance-2.0', 'doubao-seedance-2.0-fast']);
		sim.reset();
		await getModels.call(loadOptionsContext('tokenhub', { apiKey: 'k', baseUrl: 'http://gateway.example.com/api/v1' }));
		expect(sim.requests).toHaveLength(0);
	});
});

describe('Delete', () => {
	const operationOptions = (provider: string) => {
		const property = new Seedance().description.properties.find(
			(candidate: INodeProperties) => candidate.name === 'operation' && candidate.displayOptions?.show?.provider?.includes(provider),
		);
		return (property?.options as Array<{ value: string }>).map((option) => option.value);
	};

	it('is offered for AIHubMix, which documents DELETE /videos/{id}, and not for TokenHub', () => {
		expect(operationOptions('aihubmix')).toEqual(['create', 'delete', 'get', 'wait']);
		expect(operationOptions('tokenhub')).toEqual(['create', 'get', 'wait']);
	});

	it('deletes an AIHubMix task', async () => {
		const created = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'create', prompt: 'Oops', waitForCompletion: false } });
		const taskId = created.items[0].json.taskId as string;
		const run = await runSeedance({ sim, provider: 'aihubmix', parameters: { operation: 'delete', taskId } });
		expect(run.items[0].json).toMatchObject({ taskId, provider: 'aihubmix', deleted: true });
		expect(sim.gatewayRequests('aihubmix').filter((request) => request.method === 'DELETE')).toHaveLength(1);
		expect(sim.tasks.has(taskId)).toBe(false);
	});
});

it('hints in the output pane that video URLs expire when the video is not downloaded', async () => {
	const run = await runSeedance({
		sim,
		provider: 'tokenhub',
		parameters: { operation: 'create', prompt: 'Quick', options: { pollIntervalSeconds: 1, downloadVideo: false } },
	});
	const hints = run.run.data.resultData.runData.Seedance[0].hints ?? [];
	expect(hints.map((hint) => hint.message).join(' ')).toContain('expire 24 hours');
	const downloaded = await runSeedance({ sim, provider: 'tokenhub', parameters: { operation: 'create', prompt: 'Quick', options: { pollIntervalSeconds: 1 } } });
	expect(downloaded.run.data.resultData.runData.Seedance[0].hints ?? []).toHaveLength(0);
});
