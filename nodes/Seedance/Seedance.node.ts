import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as create from './actions/create';
import * as del from './actions/delete.operation';
import * as get from './actions/get.operation';
import * as getMany from './actions/getMany.operation';
import { router } from './actions/router';
import { simplifyField } from './output';
import * as wait from './actions/wait.operation';
import type { SeedanceGateway } from './gateways/gateway';
import { GATEWAYS, listsTasks } from './gateways';
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
		name: 'Get Many',
		value: 'getMany',
		action: 'Get many video tasks',
		description: 'List the recent tasks of the account, to find every paid task',
	},
	{
		name: 'Wait',
		value: 'wait',
		action: 'Wait for a video task',
		description: 'Wait until a task is finished, then download the video',
	},
];

/**
 * Also what an AI Agent's model reads about the tool: n8n runs a tool with the node's own
 * description (it takes an operation's action only for nodes with a resource), so it says what
 * a call does, that it costs money, how long it takes, and what to do with a running task.
 */
const DESCRIPTION =
	'Generate AI videos with ByteDance Seedance through TokenHub, AIHubMix or Ark. Each video costs money and takes from 30 seconds to over 10 minutes; returns taskId, status and videoUrl. If a task is still queued or running, give the user its taskId rather than creating it again.';

/** Each provider gets the operations its gateway supports (Delete only where it exists). */
function operationProperty(gateway: SeedanceGateway): INodeProperties {
	const canDelete = gateway.deleteRequest('probe') !== null;
	const canList = listsTasks(gateway);
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { provider: [gateway.name] } },
		options: OPERATIONS.filter(
			(operation) => (operation.value !== 'delete' || canDelete) && (operation.value !== 'getMany' || canList),
		),
		default: 'create',
	};
}

function configuredOutputs(parameters: INodeParameters) {
	const split = ['get', 'wait'].includes(parameters.operation as string) && parameters.stillRunningOutput === true;
	return split
		? [
				{ type: 'main', displayName: 'Done' },
				{ type: 'main', displayName: 'Still Running' },
			]
		: [{ type: 'main' }];
}

const simplifyProperty: INodeProperties = {
	...simplifyField,
	displayOptions: { show: { operation: ['create', 'get', 'wait', 'getMany', 'delete'], '@version': [{ _cnd: { gte: 1.1 } }] } },
};

function nodeProperties(): INodeProperties[] {
	return [
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
		...getMany.description,
		...wait.description,
		...del.description,
		simplifyProperty,
	];
}

export class Seedance implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Seedance',
		name: 'seedance',
		icon: { light: 'file:../../icons/seedance.svg', dark: 'file:../../icons/seedance.dark.svg' },
		group: ['transform'],
		// 1.1: Simplify Output, on by default (version 1 keeps the gateway's raw response).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["provider"] }}',
		description: DESCRIPTION,
		defaults: { name: 'Seedance' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// "Done" and "Still Running" when Get or Wait sends unfinished tasks to a second output, as
		// n8n's Switch node builds its outputs from its parameters.
		outputs: `={{(${configuredOutputs})($parameter)}}`,
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
			{
				name: 'arkApi',
				required: true,
				displayOptions: { show: { provider: ['ark'] } },
				testedBy: 'seedanceApiKeyTest',
			},
		],
		properties: nodeProperties(),
	};

	methods = { loadOptions: { getModels }, credentialTest: { seedanceApiKeyTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
