import type { ICredentialTestRequest } from 'n8n-workflow';

/** A task id no gateway will ever issue, so looking it up costs nothing and creates nothing. */
export const CREDENTIAL_PROBE_TASK_ID = 'n8n-credential-test-00000000';

const REJECTED = 'The API key was rejected. Copy it again from the gateway console.';

/**
 * n8n's declarative credential test can only inspect the response body once HTTP errors are
 * ignored (a good key's "not found" must not fail the test), so these match the
 * authentication error envelopes the gateways document (OpenAI style) and Ark's code.
 */
export const authRejectionRules: ICredentialTestRequest['rules'] = [
	{ type: 'responseSuccessBody', properties: { key: 'error.type', value: 'authentication_error', message: REJECTED } },
	{ type: 'responseSuccessBody', properties: { key: 'error.code', value: 'invalid_api_key', message: REJECTED } },
	{ type: 'responseSuccessBody', properties: { key: 'error.code', value: 'AuthenticationError', message: REJECTED } },
	{ type: 'responseSuccessBody', properties: { key: 'error.type', value: 'insufficient_user_quota', message: 'The key is valid but the account has no balance left.' } },
];
