import type { IExecuteFunctions, IHttpRequestOptions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { GatewayRequest, SeedanceGateway } from './gateways/gateway';

/** The single way the node talks to a gateway: base URL from the credential, key applied by n8n. */

export interface GatewayResponse<T = unknown> {
	/** 0 when no answer arrived (see networkError). */
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: T;
	/** Connection refused or reset, timeout, DNS: the request never got an answer. */
	networkError?: { message: string; code: string | null };
}

const DEFAULT_REQUEST_TIMEOUT_SECONDS = 60;

/** Options > Request Timeout, read here so every request of every operation honours it. */
function requestTimeoutMs(ctx: IExecuteFunctions, itemIndex: number): number {
	const seconds = Number(ctx.getNodeParameter('options.requestTimeoutSeconds', itemIndex, DEFAULT_REQUEST_TIMEOUT_SECONDS));
	return (seconds > 0 ? seconds : DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000;
}
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
	const credentials = await ctx.getCredentials<{ baseUrl?: string }>(gateway.credentialType, itemIndex);
	const checked = checkBaseUrl(gateway, credentials.baseUrl);
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
	return { statusCode: 0, headers: {}, body: undefined, networkError: { message: message.split('\n')[0], code } };
}

export async function callGateway<T = unknown>(
	ctx: IExecuteFunctions,
	gateway: SeedanceGateway,
	request: GatewayRequest,
	itemIndex: number,
	extra: Partial<IHttpRequestOptions> = {},
): Promise<GatewayResponse<T>> {
	const baseUrl = await gatewayBaseUrl(ctx, gateway, itemIndex);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${baseUrl.href.replace(/\/+$/, '')}${request.path}`,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: requestTimeoutMs(ctx, itemIndex),
		...extra,
	};
	if (request.body) options.body = request.body;
	try {
		return (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			gateway.credentialType,
			options,
		)) as GatewayResponse<T>;
	} catch (error) {
		return noAnswer(error) as GatewayResponse<T>;
	}
}

/**
 * Streams a URL a gateway returned (a finished video). The key goes along only when the URL is
 * on the gateway's own origin (AIHubMix's content URL needs it); a CDN never sees it.
 */
export async function fetchStream(
	ctx: IExecuteFunctions,
	gateway: SeedanceGateway,
	url: URL,
	itemIndex: number,
): Promise<GatewayResponse> {
	const baseUrl = await gatewayBaseUrl(ctx, gateway, itemIndex);
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: url.href,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: requestTimeoutMs(ctx, itemIndex),
		abortSignal: ctx.getExecutionCancelSignal(),
	};
	try {
		return (await (url.origin === baseUrl.origin
			? ctx.helpers.httpRequestWithAuthentication.call(ctx, gateway.credentialType, options)
			: ctx.helpers.httpRequest(options))) as GatewayResponse;
	} catch (error) {
		return noAnswer(error);
	}
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
