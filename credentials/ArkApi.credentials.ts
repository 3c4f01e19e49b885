import type { IAuthenticateGeneric, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** ByteDance's own Seedance API: BytePlus ModelArk (international) or Volcengine Ark (China). */
export class ArkApi implements ICredentialType {
	name = 'arkApi';

	displayName = 'Ark API';

	icon: Icon = { light: 'file:../icons/seedance.svg', dark: 'file:../icons/seedance.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-seedance/n8n-nodes-seedance?tab=readme-ov-file#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'An API key of the region below, from the ModelArk or Ark console (API Key Management)',
		},
		{
			displayName: 'Region',
			name: 'region',
			type: 'options',
			options: [
				{ name: 'BytePlus ModelArk (International)', value: 'byteplus', description: 'https://ark.ap-southeast.bytepluses.com/api/v3, prices in USD' },
				{ name: 'Volcengine Ark (China)', value: 'volcengine', description: 'https://ark.cn-beijing.volces.com/api/v3, prices in CNY' },
				{ name: 'Custom Base URL', value: 'custom', description: 'A proxy or a test server' },
			],
			default: 'byteplus',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://ark.ap-southeast.bytepluses.com/api/v3',
			description: 'Must be HTTPS unless it is on this machine',
			displayOptions: { show: { region: ['custom'] } },
		},
		{
			displayName: 'Prices Of',
			name: 'priceRegion',
			type: 'options',
			options: [
				{ name: 'BytePlus ModelArk (USD)', value: 'byteplus' },
				{ name: 'Volcengine Ark (CNY)', value: 'volcengine' },
			],
			default: 'byteplus',
			description: 'Which region the custom Base URL leads to, for cost estimates and Max Cost limits',
			displayOptions: { show: { region: ['custom'] } },
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};
}
