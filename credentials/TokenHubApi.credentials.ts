import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { authRejectionRules, CREDENTIAL_PROBE_TASK_ID } from './shared';

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

	// Looks up a task that cannot exist: a good key gets "not found", a bad one an auth error.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: `/videos/generations/${CREDENTIAL_PROBE_TASK_ID}`,
			ignoreHttpStatusErrors: true,
		},
		rules: authRejectionRules,
	};
}
