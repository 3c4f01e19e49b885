import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { authRejectionRules, CREDENTIAL_PROBE_TASK_ID } from './shared';

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

	// AIHubMix's /models answers without any key, so it cannot tell keys apart. Looking up a
	// video that cannot exist does: a good key gets "not found", a bad one an auth error.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: `/videos/${CREDENTIAL_PROBE_TASK_ID}`,
			ignoreHttpStatusErrors: true,
		},
		rules: authRejectionRules,
	};
}
