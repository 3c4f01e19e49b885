import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { SeedanceGateway } from '../../gateways/gateway';
import { GATEWAYS } from '../../gateways';
import { mediaProperty } from '../../media';
import { describeResolutionPrices } from '../../pricing';
import { deliveryOptions } from '../shared';

/** Create's parameters: the UI, generated per gateway from its capabilities. */

const generateAudioField = {
	displayName: 'Generate Audio',
	name: 'generateAudio',
	type: 'boolean' as const,
	description: 'Whether to generate a soundtrack (speech, effects, music) with the video',
};

/** Fields whose choices differ per gateway, generated from each gateway's capabilities. */
function gatewayFields(gateway: SeedanceGateway): INodeProperties[] {
	const caps = gateway.capabilities;
	const show = { displayOptions: { show: { provider: [gateway.name] } } };
	// Plain identifiers, so n8n's lint can see each field has a default.
	const { defaultModel, defaultResolution, defaultRatio, generateAudioDefault } = caps;
	const defaultDuration = caps.duration.default;
	return [
		{
			displayName: 'Model Name or ID',
			name: 'model',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getModels', loadOptionsDependsOn: ['provider'] },
			default: defaultModel,
			description:
				'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			...show,
		},
		{
			displayName: 'Duration (Seconds)',
			name: 'duration',
			type: 'number',
			// No maximum in the editor: a model newer than the node may allow more; known models are checked before sending.
			typeOptions: { minValue: 1 },
			default: defaultDuration,
			description: `Length of the video in seconds: ${caps.duration.min} to ${caps.duration.max} on the models this node knows, which it checks before sending; a newer model's limits are left to ${gateway.displayName}`,
			...show,
		},
		{
			displayName: 'Resolution',
			name: 'resolution',
			type: 'options',
			options: caps.resolutions.map((value) => ({
				name: value,
				value,
				description: describeResolutionPrices(gateway.priceList({}), value),
			})),
			default: defaultResolution,
			description: 'Output resolution. Not every model offers every resolution; each option shows what a second costs.',
			...show,
		},
		{
			displayName: 'Aspect Ratio',
			name: 'ratio',
			type: 'options',
			options: caps.ratios.map((value) => ({
				name: value === 'adaptive' ? 'Adaptive (Follow the Input)' : value,
				value,
			})),
			default: defaultRatio,
			...show,
		},
		// Two literal variants: n8n's lint wants a literal boolean default, and the gateways differ.
		generateAudioDefault
			? { ...generateAudioField, default: true, ...show }
			: { ...generateAudioField, default: false, ...show },
	];
}

const providersWith = (capability: 'supportsReturnLastFrame' | 'supportsSeed' | 'serviceTier' | 'callbacks') =>
	GATEWAYS.filter((gateway) => gateway.capabilities[capability]).map((gateway) => gateway.name);

const properties: INodeProperties[] = [
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'e.g. A golden retriever running on a sunny beach, cinematic slow motion',
		description:
			'What the video shows. Structure helps: subject, action, setting, camera and style. AIHubMix accepts up to 4000 characters.',
	},
	...GATEWAYS.flatMap(gatewayFields),
	mediaProperty,
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the video is ready (and download it). Turn off to return the task ID at once and use the Wait operation later.',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Additional Body Fields',
				name: 'additionalBodyFields',
				type: 'json',
				default: '{}',
				description:
					'A JSON object merged into the request body, for parameters the node does not offer yet, e.g. {"callback_url": "https://example.com/hook"}',
			},
			{
				displayName: 'Callback URL',
				name: 'callbackUrl',
				type: 'string',
				default: '',
				placeholder: 'e.g. https://n8n.example.com/webhook/0f6c.../webhook',
				description:
					"The Production URL of a Seedance Trigger node. Ark calls it when the task's status changes, and the trigger starts its workflow once the task is finished, so this workflow need not wait: turn off Wait for Completion. Needs an n8n reachable from the internet.",
				displayOptions: { show: { '/provider': providersWith('callbacks') } },
			},
			{
				displayName: 'Max Cost per Video',
				name: 'maxCostUsd',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 0,
				description:
					"Refuse the item before any request if its estimated cost, from the gateway's published prices, is higher. In the currency of the price list: USD, or CNY for Volcengine Ark. 0 means no limit.",
			},
			{
				displayName: 'Return Last Frame',
				name: 'returnLastFrame',
				type: 'boolean',
				default: false,
				description: 'Whether to return the last frame as an image URL, to chain into the next video as its first frame',
				displayOptions: { show: { '/provider': providersWith('supportsReturnLastFrame') } },
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				default: -1,
				description: 'Same seed and inputs give a similar video; -1 picks one at random',
				displayOptions: { show: { '/provider': providersWith('supportsSeed') } },
			},
			{
				displayName: 'Service Tier',
				name: 'serviceTier',
				type: 'options',
				options: [
					{ name: 'Default', value: 'default', description: 'Online: the video as soon as possible' },
					{ name: 'Flex', value: 'flex', description: 'Offline: cheaper and slower; not for the Seedance 2.0 models' },
				],
				default: 'default',
				displayOptions: { show: { '/provider': providersWith('serviceTier') } },
			},
			{
				displayName: 'Task Expires After (Seconds)',
				name: 'executionExpiresAfter',
				type: 'number',
				typeOptions: { minValue: 3600, maxValue: 259200 },
				default: 172800,
				description: 'How long the gateway may keep an unfinished task before it gives up (status expired): 1 hour to 3 days',
				displayOptions: { show: { '/provider': providersWith('serviceTier') } },
			},
			{
				displayName: 'Watermark',
				name: 'watermark',
				type: 'boolean',
				default: false,
				description: 'Whether to add the provider watermark to the video',
			},
		],
	},
	deliveryOptions,
];

export const description = updateDisplayOptions({ show: { operation: ['create'] } }, properties);
