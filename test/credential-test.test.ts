/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
// The credential test n8n runs when a TokenHub / AIHubMix credential is saved, run the way n8n's
// CLI runs it (packages/cli/src/services/credentials-tester.service.ts): the function named by
// `testedBy` is called with `this` = n8n-core's CredentialTestContext, whose helpers.request is
// n8n-core's proxyRequestToAxios, against the gateway simulator over real loopback HTTP.
// What is asserted is what n8n hands to the editor: { status, message }.

import { CredentialTestContext } from 'n8n-core';
import type {
	IAuthenticateGeneric,
	ICredentialsDecrypted,
	ICredentialTestFunction,
	ICredentialType,
	ICredentialDataDecryptedObject,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { AiHubMixApi } from '../credentials/AiHubMixApi.credentials';
import { ArkApi } from '../credentials/ArkApi.credentials';
import { TokenHubApi } from '../credentials/TokenHubApi.credentials';
import { GATEWAYS } from '../nodes/Seedance/gateways';
import { CREDENTIAL_PROBE_TASK_ID } from '../nodes/Seedance/methods/credentialTest';
import { Seedance } from '../nodes/Seedance/Seedance.node';
import { useQuietN8nLogger } from './harness';
import type { GatewayName, Simulator } from './simulator';
import { startSimulator } from './simulator';

useQuietN8nLogger();

const TOKENHUB_KEY = 'th-SECRET-c0ffee-do-not-leak';
const AIHUBMIX_KEY = 'sk-SECRET-beef42-do-not-leak';
const ARK_KEY = 'ark-SECRET-d00d1e-do-not-leak';

const node = new Seedance();
const CREDENTIAL_TYPES: Record<GatewayName, ICredentialType> = { tokenhub: new TokenHubApi(), aihubmix: new AiHubMixApi(), ark: new ArkApi() };

/** What n8n's CredentialsTester.getCredentialTestFunction() would pick for this credential type. */
function testFunctionFor(credentialType: string): ICredentialTestFunction {
	const type = Object.values(CREDENTIAL_TYPES).find((candidate) => candidate.name === credentialType)!;
	// n8n returns a credential's own declarative `test` first and never looks at testedBy then.
	expect(type.test).toBeUndefined();
	const description = node.description.credentials!.find((credential) => credential.name === credentialType)!;
	expect(typeof description.testedBy).toBe('string');
	return node.methods.credentialTest[description.testedBy as keyof typeof node.methods.credentialTest];
}

let sim: Simulator;
let requestCalls = 0;

/** Runs the credential test as n8n's CLI does: `new CredentialTestContext()`, then `.call(context, credential)`. */
async function testCredential(gateway: GatewayName, data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	const credentialType = CREDENTIAL_TYPES[gateway].name;
	const context = new CredentialTestContext();
	const request = context.helpers.request;
	context.helpers.request = async (...args: Parameters<typeof request>) => {
		requestCalls++;
		return await request(...args);
	};
	const credential: ICredentialsDecrypted = { id: 'cred-1', name: 'My credential', type: credentialType, data };
	return await testFunctionFor(credentialType).call(context, credential);
}

const keyOf = (gateway: GatewayName) => ({ tokenhub: TOKENHUB_KEY, aihubmix: AIHUBMIX_KEY, ark: ARK_KEY })[gateway];
const baseUrlOf = (gateway: GatewayName) => ({ tokenhub: sim.tokenhubBaseUrl, aihubmix: sim.aihubmixBaseUrl, ark: sim.arkBaseUrl })[gateway];
// Ark's credential picks a region; a test server is its Custom Base URL.
const where = (gateway: GatewayName, baseUrl: string): ICredentialDataDecryptedObject => (gateway === 'ark' ? { region: 'custom', baseUrl } : { baseUrl });
const rightKey = (gateway: GatewayName) => ({ apiKey: keyOf(gateway), ...where(gateway, baseUrlOf(gateway)) });
const wrongKey = (gateway: GatewayName) => ({ apiKey: `${keyOf(gateway)}-WRONG`, ...where(gateway, baseUrlOf(gateway)) });

beforeAll(async () => {
	sim = await startSimulator({ tokenhubKey: TOKENHUB_KEY, aihubmixKey: AIHUBMIX_KEY, arkKey: ARK_KEY });
});
afterAll(async () => await sim.close());
beforeEach(() => {
	sim.reset();
	requestCalls = 0;
});
afterEach(() => {
	// Nothing is left over for the next test, and the key went nowhere but the gateway.
	for (const request of sim.cdnRequests()) expect(JSON.stringify(request)).not.toContain('SECRET');
});

/** The key never shows in what the user sees. */
function expectNoKey(result: INodeCredentialTestResult) {
	expect(JSON.stringify(result)).not.toContain('SECRET');
}

describe.each([
	['tokenhub', 'TokenHub'],
	['aihubmix', 'AIHubMix'],
	['ark', 'Ark'],
] as Array<[GatewayName, string]>)('%s credential test', (gateway, name) => {
	it('a good key passes, after one lookup of an impossible task sent with the key as a Bearer header', async () => {
		const result = await testCredential(gateway, rightKey(gateway));
		expect(result).toEqual({ status: 'OK', message: `${name} accepted the API key.` });
		const requests = sim.gatewayRequests(gateway);
		expect(requests).toHaveLength(1);
		expect(requests[0].method).toBe('GET');
		expect(requests[0].path).toBe(new URL(baseUrlOf(gateway)).pathname + GATEWAYS.find((g) => g.name === gateway)!.taskRequest(CREDENTIAL_PROBE_TASK_ID).path);
		// The same header the credential's `authenticate` sends at run time.
		const authenticate = CREDENTIAL_TYPES[gateway].authenticate as IAuthenticateGeneric;
		expect(authenticate.properties.headers?.Authorization).toBe('=Bearer {{$credentials.apiKey}}');
		expect(requests[0].headers.authorization).toBe(`Bearer ${keyOf(gateway)}`);
		expect(sim.tasks.size).toBe(0);
	});

	it('a wrong key is rejected on the gateway\'s own 401 envelope', async () => {
		const result = await testCredential(gateway, wrongKey(gateway));
		expect(result).toEqual({
			status: 'Error',
			message: `${name} rejected the API key (HTTP 401). Copy the key again from your ${name} account.`,
		});
		expectNoKey(result);
	});

	it.each([
		['plain text', { body: 'Unauthorized' }],
		['HTML', { body: '<html><body><h1>401 Authorization Required</h1></body></html>', headers: { 'Content-Type': 'text/html' } }],
		['an empty body', {}],
		['an unknown JSON envelope', { body: { code: 40100, msg: 'token invalid' } }],
	])('a wrong key is rejected on a 401 with %s', async (_kind, fault) => {
		sim.injectFault({ gateway, status: 401, ...fault });
		const result = await testCredential(gateway, wrongKey(gateway));
		expect(result).toEqual({
			status: 'Error',
			message: `${name} rejected the API key (HTTP 401). Copy the key again from your ${name} account.`,
		});
		expectNoKey(result);
	});

	it('a 403 is a rejected key too', async () => {
		sim.injectFault({ gateway, status: 403, body: { error: { message: 'forbidden', type: 'permission_error' } } });
		const result = await testCredential(gateway, wrongKey(gateway));
		expect(result).toEqual({
			status: 'Error',
			message: `${name} rejected the API key (HTTP 403). Copy the key again from your ${name} account.`,
		});
	});

	it.each([
		['404', { status: 404, body: { error: { message: 'not found' } } }],
		['400', { status: 400, body: { error: { message: 'invalid task id', type: 'invalid_request_error' } } }],
		['400 with an empty body', { status: 400 }],
	])('a %s for the impossible task means the key was accepted', async (_kind, fault) => {
		sim.injectFault({ gateway, ...fault });
		expect(await testCredential(gateway, rightKey(gateway))).toEqual({ status: 'OK', message: `${name} accepted the API key.` });
	});

	it.each([
		['402', { status: 402, body: 'Payment Required' }],
		['403 with an insufficient-quota envelope', { status: 403, body: { error: { message: 'quota exhausted', type: 'insufficient_user_quota' } } }],
	])('a valid key on an empty account (%s) passes and says so', async (_kind, fault) => {
		sim.injectFault({ gateway, ...fault });
		const result = await testCredential(gateway, rightKey(gateway));
		expect(result.status).toBe('OK');
		expect(result.message).toBe(
			`The API key is valid, but the ${name} account has no balance left (HTTP ${fault.status}). Top it up before creating videos.`,
		);
	});

	it('a 500 could not verify, and the key the gateway echoed back is hidden', async () => {
		sim.injectFault({ gateway, status: 500, body: { error: { message: `internal error for key ${keyOf(gateway)}` } } });
		const result = await testCredential(gateway, rightKey(gateway));
		expect(result).toEqual({
			status: 'Error',
			message: `Could not verify the API key: ${name} answered HTTP 500 Internal Server Error. It said: "internal error for key ***". ${name} had a problem on its side; retry later.`,
		});
		expectNoKey(result);
	});

	it('a 502 with an HTML page could not verify', async () => {
		sim.injectFault({ gateway, status: 502, body: '<html><body>Bad Gateway</body></html>', headers: { 'Content-Type': 'text/html' } });
		const result = await testCredential(gateway, rightKey(gateway));
		expect(result).toEqual({
			status: 'Error',
			message: `Could not verify the API key: ${name} answered HTTP 502 Bad Gateway. ${name} had a problem on its side; retry later.`,
		});
	});

	it('a 200 for a task that cannot exist could not verify', async () => {
		sim.injectFault({ gateway, status: 200, body: '<html>Welcome to our login page</html>', headers: { 'Content-Type': 'text/html' } });
		const result = await testCredential(gateway, rightKey(gateway));
		expect(result.status).toBe('Error');
		expect(result.message).toBe(
			`Could not verify the API key: the Base URL answered HTTP 200 for a task that cannot exist, so it does not look like the ${name} API. Check the Base URL.`,
		);
	});

	it('a dropped connection could not verify', async () => {
		sim.injectFault({ gateway, reset: true });
		const result = await testCredential(gateway, rightKey(gateway));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(new RegExp(`^Could not verify the API key: no answer from ${new URL(baseUrlOf(gateway)).origin.replace(/\./g, '\\.')} \\(.*(ECONNRESET|socket hang up).*\\)\\.$`));
		expectNoKey(result);
	});

	it('a redirect could not verify, and its target never gets the key', async () => {
		sim.injectFault({ gateway, status: 302, headers: { Location: `${sim.cdnOrigin}/collect` } });
		const result = await testCredential(gateway, rightKey(gateway));
		expect(result).toEqual({
			status: 'Error',
			message: `Could not verify the API key: the Base URL answered HTTP 302, a redirect to ${sim.cdnOrigin}. The key is never sent on to a redirect; set Base URL to the address that answers directly.`,
		});
		expect(sim.gatewayRequests()).toHaveLength(1);
		expect(sim.cdnRequests()).toHaveLength(0);
	});

	it.each([
		['http:// on another host', 'http://example.com/v1', `The ${name} credential's Base URL must use HTTPS. "http://example.com" would send your API key unencrypted. Use an https:// address (plain http is only allowed for localhost). Nothing was sent.`],
		['not a URL', 'example.com/v1', `The ${name} credential's Base URL "example.com/v1" is not a URL. Open the ${name} API credential and set Base URL, e.g. ${GATEWAYS.find((g) => g.name === gateway)!.defaultBaseUrl}. Nothing was sent.`],
	])('a Base URL that is %s is refused without sending anything', async (_kind, baseUrl, message) => {
		const result = await testCredential(gateway, { apiKey: keyOf(gateway), ...where(gateway, baseUrl) });
		expect(result).toEqual({ status: 'Error', message });
		expect(requestCalls).toBe(0);
		expect(sim.requests).toHaveLength(0);
	});

	it('an empty key is refused without sending anything', async () => {
		const result = await testCredential(gateway, { apiKey: '', baseUrl: baseUrlOf(gateway) });
		expect(result).toEqual({ status: 'Error', message: `Enter the API key of your ${name} account.` });
		expect(requestCalls).toBe(0);
	});
});

describe('wiring', () => {
	it('every gateway\'s credential is tested by the node, in the order of GATEWAYS', () => {
		const credentials = node.description.credentials!;
		expect(credentials.map((credential) => credential.name)).toEqual(GATEWAYS.map((gateway) => gateway.credentialType));
		for (const [index, gateway] of GATEWAYS.entries()) {
			expect(credentials[index].displayOptions).toEqual({ show: { provider: [gateway.name] } });
			expect(credentials[index].required).toBe(true);
			expect(node.methods.credentialTest).toHaveProperty(credentials[index].testedBy as string);
		}
	});

	it('a credential type no gateway owns gets a clear answer', async () => {
		const credential: ICredentialsDecrypted = { id: 'x', name: 'x', type: 'someOtherApi', data: {} };
		const result = await node.methods.credentialTest.seedanceApiKeyTest.call(new CredentialTestContext(), credential);
		expect(result).toEqual({ status: 'Error', message: 'The Seedance node cannot test a "someOtherApi" credential.' });
	});
});
