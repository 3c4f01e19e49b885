import type {
	IAuthenticateGeneric,
	ICredentialType,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

export class TokenHubApi implements ICredentialType {
	name = 'tokenHubApi';

	displayName = 'TokenHub API';

	icon: Icon = { light: 'file:../icons/tokenhub.svg', dark: 'file:../icons/tokenhub.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-seedance/n8n-nodes-seedance?tab=readme-ov-file#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'e.g. th-xxxxxxxxxxxx',
			description: 'Your TokenHub API key, from the TokenHub console',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://tokenhub.store/api/v1',
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
