import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as create from './actions/create.operation';
import * as del from './actions/delete.operation';
import * as get from './actions/get.operation';
import { router } from './actions/router';
import * as wait from './actions/wait.operation';
import type { SeedanceGateway } from './gateways/gateway';
import { GATEWAYS } from './gateways';
import { seedanceApiKeyTest } from './methods/credentialTest';
import { getModels } from './methods/loadOptions';

const defaultProvider = GATEWAYS[0].name;

const OPERATIONS: INodePropertyOptions[] = [
	{
		name: 'Create',
		value: 'create',
		action: 'Create a video',
		description: 'Start generating a video, and by default wait for it and download it',
	},
	{
		name: 'Delete',
		value: 'delete',
		action: 'Cancel or delete a video task',
		description: 'Cancel a queued task, or delete a finished one and its video',
	},
	{
		name: 'Get',
		value: 'get',
		action: 'Get a video task',
		description: 'Check the status of a task once (and download the video if it is ready)',
	},
	{
		name: 'Wait',
		value: 'wait',
		action: 'Wait for a video task',
		description: 'Wait until a task is finished, then download the video',
	},
];

/** Each provider gets the operations its gateway supports (Delete only where it exists). */
function operationProperty(gateway: SeedanceGateway): INodeProperties {
	const canDelete = gateway.deleteRequest('probe') !== null;
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { provider: [gateway.name] } },
		options: OPERATIONS.filter((operation) => operation.value !== 'delete' || canDelete),
		default: 'create',
	};
}

export class Seedance implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Seedance',
		name: 'seedance',
		icon: { light: 'file:../../icons/seedance.svg', dark: 'file:../../icons/seedance.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["provider"] }}',
		description: 'Generate videos with ByteDance Seedance through TokenHub or AIHubMix',
		defaults: { name: 'Seedance' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		// Written out (one per gateway in GATEWAYS, same order) because n8n's community lint reads
		// `testedBy` from this literal; test/credential-test.test.ts checks it matches GATEWAYS.
		credentials: [
			{
				name: 'tokenHubApi',
				required: true,
				displayOptions: { show: { provider: ['tokenhub'] } },
				testedBy: 'seedanceApiKeyTest',
			},
			{
				name: 'aiHubMixApi',
				required: true,
				displayOptions: { show: { provider: ['aihubmix'] } },
				testedBy: 'seedanceApiKeyTest',
			},
		],
		properties: [
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'options',
				noDataExpression: true,
				options: GATEWAYS.map((gateway) => ({ name: gateway.displayName, value: gateway.name })),
				default: defaultProvider,
				description: 'The API gateway that runs Seedance for you; each has its own credential and models',
			},
			...GATEWAYS.map(operationProperty),
			...create.description,
			...get.description,
			...wait.description,
			...del.description,
		],
	};

	methods = { loadOptions: { getModels }, credentialTest: { seedanceApiKeyTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
