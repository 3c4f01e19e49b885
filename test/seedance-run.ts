import type { IConnections, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { AiHubMixApi } from '../credentials/AiHubMixApi.credentials';
import { ArkApi } from '../credentials/ArkApi.credentials';
import { TokenHubApi } from '../credentials/TokenHubApi.credentials';
import { Seedance } from '../nodes/Seedance/Seedance.node';
import type { HarnessNode, WorkflowRun } from './harness';
import { ITEMS_NODE_TYPE, registerCredentialType, registerNodeType, runWorkflow } from './harness';
import type { GatewayName, Simulator } from './simulator';

/** Runs the Seedance node in a real WorkflowExecute run: start items → Seedance (→ more nodes). */

export const SEEDANCE_TYPE = 'n8n-nodes-seedance.seedance';
registerNodeType(SEEDANCE_TYPE, new Seedance());
registerCredentialType(new TokenHubApi());
registerCredentialType(new AiHubMixApi());
registerCredentialType(new ArkApi());

export interface BinaryInput {
	itemIndex: number;
	property: string;
	base64: string;
	mimeType: string;
	fileName?: string;
}

export function credentialsFor(sim: Simulator, overrides: { tokenhub?: IDataObject; aihubmix?: IDataObject; ark?: IDataObject } = {}) {
	return {
		tokenHubApi: { apiKey: sim.tokenhubKey, baseUrl: sim.tokenhubBaseUrl, ...overrides.tokenhub },
		aiHubMixApi: { apiKey: sim.aihubmixKey, baseUrl: sim.aihubmixBaseUrl, ...overrides.aihubmix },
		// Ark's credential picks a region; the simulator is its Custom Base URL.
		arkApi: { apiKey: sim.arkKey, region: 'custom', baseUrl: sim.arkBaseUrl, ...overrides.ark },
	};
}

/** Fast polling defaults so the suite runs in seconds against the simulator's short jobs. */
export const FAST_OPTIONS = { pollIntervalSeconds: 1, timeoutMinutes: 1 };

export interface SeedanceRunOptions {
	sim: Simulator;
	provider: GatewayName;
	parameters: INodeParameters;
	items?: IDataObject[];
	binary?: BinaryInput[];
	continueOnFail?: boolean;
	/** n8n's node settings: Retry On Fail, Max Tries, Wait Between Tries, On Error, Execute Once. */
	settings?: Pick<HarnessNode, 'retryOnFail' | 'maxTries' | 'waitBetweenTries' | 'onError' | 'executeOnce'>;
	cancelAfterMs?: number;
	credentials?: { tokenhub?: IDataObject; aihubmix?: IDataObject; ark?: IDataObject };
	/** Further nodes fed by the Seedance node ("Seedance" → first of these → ...). */
	after?: HarnessNode[];
}

export interface SeedanceRun extends WorkflowRun {
	items: INodeExecutionData[];
}

export async function runSeedance(options: SeedanceRunOptions): Promise<SeedanceRun> {
	const nodes: HarnessNode[] = [
		{
			name: 'Start',
			type: ITEMS_NODE_TYPE,
			parameters: {
				items: JSON.stringify(options.items ?? [{}]),
				...(options.binary ? { binary: JSON.stringify(options.binary) } : {}),
			},
		},
		{
			name: 'Seedance',
			type: SEEDANCE_TYPE,
			parameters: { provider: options.provider, ...options.parameters },
			continueOnFail: options.continueOnFail,
			...options.settings,
		},
		...(options.after ?? []),
	];
	const chain = nodes.map((node) => node.name);
	const connections: IConnections = {};
	for (let index = 0; index < chain.length - 1; index++) {
		connections[chain[index]] = { main: [[{ node: chain[index + 1], type: 'main', index: 0 }]] };
	}
	const run = await runWorkflow({
		nodes,
		connections,
		credentials: credentialsFor(options.sim, options.credentials),
		cancelAfterMs: options.cancelAfterMs,
	});
	return Object.assign(run, { items: run.output('Seedance') });
}

/** Everything a user could see of a run: output items, errors with their descriptions. */
export function visibleText(run: WorkflowRun, nodeNames: string[] = ['Seedance']): string {
	const parts: unknown[] = [];
	for (const name of nodeNames) {
		parts.push(run.output(name).map((item) => item.json));
		const error = run.nodeError(name) as (Error & { description?: string }) | undefined;
		if (error) parts.push(error.message, error.description, error.stack);
	}
	if (run.error) parts.push(run.error.message, (run.error as { description?: string }).description);
	parts.push(run.run.data.resultData);
	return JSON.stringify(parts);
}
