import type {
	IAuthenticateGeneric,
	ICredentialType,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

export class AiHubMixApi implements ICredentialType {
	name = 'aiHubMixApi';

	displayName = 'AIHubMix API';

	icon: Icon = { light: 'file:../icons/aihubmix.svg', dark: 'file:../icons/aihubmix.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-seedance/n8n-nodes-seedance?tab=readme-ov-file#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'e.g. sk-xxxxxxxxxxxx',
			description: 'Your AIHubMix API key, from the API Keys page of the AIHubMix console',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://aihubmix.com/v1',
			description: 'Change only to use a proxy or a test server. Must be HTTPS unless it is on this machine.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};

	// Tested by the Seedance node (methods.credentialTest, see nodes/Seedance/methods/credentialTest.ts):
	// n8n prefers a credential's own `test` over the node's `testedBy`, so there is none here.
}
