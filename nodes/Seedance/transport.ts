import type { IExecuteFunctions, IHttpRequestOptions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ItemScope } from './batch';
import type { GatewayRequest, SeedanceGateway } from './gateways/gateway';
import { plainErrorText } from './task-errors';

/** The single way the node talks to a gateway: base URL from the credential, key applied by n8n. */

export interface GatewayResponse<T = unknown> {
	/** 0 when no answer arrived (see networkError). */
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: T;
	/** Connection refused or reset, timeout, DNS: the request never got an answer. */
	networkError?: { message: string; code: string | null };
}

export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]', '::1'];

function isLoopback(host: string): boolean {
	return LOOPBACK_HOSTS.includes(host.toLowerCase()) || host.toLowerCase().endsWith('.localhost');
}

/** A Base URL the key may be sent to: HTTPS, unless it is this machine (a proxy or test server). */
export function checkBaseUrl(
	gateway: SeedanceGateway,
	raw: unknown,
): { url: URL } | { problem: string; fix: string } {
	const text = String(raw ?? '').trim().replace(/\/+$/, '');
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return {
			problem: `The ${gateway.displayName} credential's Base URL "${text}" is not a URL`,
			fix: `Open the ${gateway.displayName} API credential and set Base URL, e.g. ${gateway.defaultBaseUrl}.`,
		};
	}
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
		return {
			problem: `The ${gateway.displayName} credential's Base URL must use HTTPS`,
			fix: `"${url.origin}" would send your API key unencrypted. Use an https:// address (plain http is only allowed for localhost).`,
		};
	}
	return { url };
}

export async function gatewayBaseUrl(
	ctx: IExecuteFunctions,
	gateway: SeedanceGateway,
	itemIndex: number,
): Promise<URL> {
	const credentials = await ctx.getCredentials(gateway.credentialType, itemIndex);
	const checked = checkBaseUrl(gateway, gateway.baseUrl(credentials));
	if ('problem' in checked) {
		throw new NodeOperationError(ctx.getNode(), checked.problem, { itemIndex, description: checked.fix });
	}
	return checked.url;
}

/** A response standing for "no answer", keeping only the error text: request details carry the key. */
function noAnswer(error: unknown): GatewayResponse {
	const cause = (error as { cause?: unknown })?.cause ?? error;
	const code = (cause as { code?: string })?.code ?? (error as { code?: string })?.code ?? null;
	const message = (cause as Error)?.message || (error as Error)?.message || 'Request failed';
	return { statusCode: 0, headers: {}, body: undefined, networkError: { message: plainErrorText(message.split('\n')[0]), code } };
}

/** Errors raised before a request leaves this machine: the gateway cannot have acted on it. */
const NOT_SENT_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'ERR_INVALID_URL',
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Answers that may come after the gateway made the task (a proxy gave up, a timeout). */
const UNKNOWN_OUTCOME_STATUSES = new Set([408, 499]);

/**
 * What a create's answer says about money: `created` (a 2xx), `refused` for certain (a 4xx,
 * a request that never left, or one of the gateway's refusalCodes), `rateLimited` (429: not
 * taken, may be sent again), or
 * `unknown` (no answer after sending, 408, 499, a 5xx or a redirect): the task may exist, so
 * the request is never sent again.
 */
export type CreateOutcome = 'created' | 'refused' | 'outOfFunds' | 'rateLimited' | 'unknown';

/** Error codes of an account that cannot pay (AIHubMix, OpenAI style, Ark): waiting will not help. */
const OUT_OF_FUNDS_CODES = ['insufficient_user_quota', 'insufficient_quota', 'insufficient_balance', 'accountoverdueerror'];

export function createOutcome(response: GatewayResponse, gateway: SeedanceGateway): CreateOutcome {
	if (response.networkError) {
		return NOT_SENT_CODES.has(response.networkError.code ?? '') ? 'refused' : 'unknown';
	}
	const status = response.statusCode;
	const code = (gateway.parseError(response.body).code ?? '').toLowerCase();
	if (status === 402 || ((status === 403 || status === 429) && OUT_OF_FUNDS_CODES.includes(code))) return 'outOfFunds';
	if (status === 429) return 'rateLimited';
	// A code the gateway answers only before it made any task (a routing refusal), even on a 5xx.
	if (status >= 400 && code !== '' && gateway.refusalCodes?.includes(code)) return 'refused';
	if (UNKNOWN_OUTCOME_STATUSES.has(status) || status >= 500 || (status >= 300 && status < 400)) return 'unknown';
	if (status >= 400) return 'refused';
	return 'created';
}

/** The n8n helpers the transport needs; execute and load-options contexts both have them. */
export interface HttpContext {
	helpers: {
		httpRequest(options: IHttpRequestOptions): Promise<unknown>;
		httpRequestWithAuthentication(this: unknown, credentialType: string, options: IHttpRequestOptions): Promise<unknown>;
	};
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

function header(headers: GatewayResponse['headers'], name: string): string | undefined {
	const value = headers?.[name];
	return Array.isArray(value) ? value[0] : value;
}

/**
 * Sends a request, following redirects hop by hop: the key is added only on a hop to the
 * credential's own origin. (n8n's helper would send it again on a redirect to any host, and a
 * presigned storage URL also refuses a second Authorization.) Only GETs are redirected; a
 * redirected create is answered as is.
 */
export async function send(
	ctx: HttpContext,
	gateway: SeedanceGateway,
	baseUrl: URL,
	options: IHttpRequestOptions,
): Promise<GatewayResponse> {
	let url = new URL(options.url);
	for (let hop = 0; ; hop++) {
		// A fresh options object per hop: n8n's auth writes the key into the headers it is given.
		const hopOptions: IHttpRequestOptions = {
			...options,
			url: url.href,
			headers: { ...(options.headers ?? {}) },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
		};
		let response: GatewayResponse;
		try {
			response = (await (url.origin === baseUrl.origin
				? ctx.helpers.httpRequestWithAuthentication.call(ctx, gateway.credentialType, hopOptions)
				: ctx.helpers.httpRequest(hopOptions))) as GatewayResponse;
		} catch (error) {
			return noAnswer(error);
		}
		const location = header(response.headers, 'location');
		const method = (options.method ?? 'GET').toUpperCase();
		if (!REDIRECT_STATUSES.has(response.statusCode) || !location || method !== 'GET' || hop >= MAX_REDIRECTS) {
			return response;
		}
		(response.body as { destroy?: () => void } | undefined)?.destroy?.();
		try {
			url = new URL(location, url);
		} catch {
			return response;
		}
	}
}

export async function callGateway<T = unknown>(
	{ ctx, gateway, itemIndex, requestTimeoutMs }: ItemScope,
	request: GatewayRequest,
	extra: Partial<IHttpRequestOptions> = {},
): Promise<GatewayResponse<T>> {
	const baseUrl = await gatewayBaseUrl(ctx, gateway, itemIndex);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl.href.replace(/\/+$/, '')}${request.path}`,
		json: true,
		timeout: requestTimeoutMs,
		...extra,
	};
	if (request.body) options.body = request.body;
	return (await send(ctx, gateway, baseUrl, options)) as GatewayResponse<T>;
}

/**
 * Streams a URL a gateway returned (a finished video). The key goes along only to the
 * gateway's own origin (AIHubMix's content URL needs it); a CDN never sees it, on any hop.
 */
export async function fetchStream(
	{ ctx, gateway, itemIndex, requestTimeoutMs }: ItemScope,
	url: URL,
): Promise<GatewayResponse> {
	const baseUrl = await gatewayBaseUrl(ctx, gateway, itemIndex);
	return await send(ctx, gateway, baseUrl, {
		method: 'GET',
		url: url.href,
		encoding: 'stream',
		timeout: requestTimeoutMs,
		abortSignal: ctx.getExecutionCancelSignal(),
	});
}

/** The shortest wait before a request is sent again, whatever the gateway says (Retry-After: 0, a past date). */
export const RETRY_FLOOR_MS = 1_000;

/**
 * How long to wait before try `attempt + 1` (attempt counts from 1): a backoff that doubles from
 * the floor up to `maxMs`, lengthened to the gateway's Retry-After where it asks for more, and never
 * under the floor, so no answer can make an item send more than about one request a second.
 */
export function retryDelayMs(attempt: number, retryAfter: number | undefined, maxMs: number): number {
	const backoff = RETRY_FLOOR_MS * 2 ** Math.min(Math.max(attempt - 1, 0), 16);
	return Math.min(Math.max(backoff, retryAfter ?? 0, RETRY_FLOOR_MS), Math.max(maxMs, RETRY_FLOOR_MS));
}

export function retryAfterMs(headers: GatewayResponse['headers'], now = Date.now()): number | undefined {
	const value = headers?.['retry-after'];
	const text = Array.isArray(value) ? value[0] : value;
	if (!text) return undefined;
	const seconds = Number(text);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What an HTTP status from a gateway means to the user, and what to do about it. */
export function gatewayHttpError(
	node: INode,
	gateway: SeedanceGateway,
	response: GatewayResponse,
	itemIndex: number,
	action: string,
): NodeApiError {
	const { code, message } = gateway.parseError(response.body);
	const name = gateway.displayName;
	const detail = message ? `: ${message}` : '';
	let description: string;
	switch (response.statusCode) {
		case 401:
			description = `Check the API key in your ${name} API credential; ${name} did not accept it.`;
			break;
		case 402:
		case 403:
			description = `${name} refused the key for this request (no balance, no access to the model, or a blocked IP). Check your ${name} account.`;
			break;
		case 404:
			description = `Check the task ID and the provider: ${name} does not know it. Tasks are kept for about 7 days.`;
			break;
		case 429:
			description = `${name} is rate limiting this key. Wait a little, or lower the number of items run at once.`;
			break;
		default:
			description =
				response.statusCode >= 500
					? `${name} had a problem on its side. Try again later.`
					: `${name} rejected the request. Check the node's parameters against the message.`;
	}
	const advice = code ? gateway.adviceFor?.(code) : undefined;
	if (advice) description = advice;
	const body: JsonObject = {
		message: `${name} answered ${response.statusCode} while ${action}${detail}`,
		httpCode: String(response.statusCode),
	};
	if (code) body.code = code;
	return new NodeApiError(node, body, {
		message: body.message as string,
		description,
		httpCode: String(response.statusCode),
		itemIndex,
	});
}
