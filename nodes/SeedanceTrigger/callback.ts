import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { NormalisedTask } from '../Seedance/gateways/gateway';
import { arkGateway } from '../Seedance/gateways/ark';
import { checkBaseUrl, send } from '../Seedance/transport';

/**
 * A callback from Ark, read without trusting it. Ark POSTs the task object to the task's
 * callback_url on each status change and signs nothing, and the URL is public: anyone can send
 * anything. So the body gives a task ID and nothing else is believed: the task is then read from
 * Ark with the trigger's own credential, and only Ark's answer can start a run.
 */

/** A task object is about 1–2 KB; anything much bigger is not one. */
export const MAX_CALLBACK_BYTES = 64 * 1024;

/** Ark's IDs look like `cgt-20250101123456-abcde`; anything that is not a short token is not one. */
const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Ark gives a callback 5 s to be answered before it tries again: the check must end before. */
export const CHECK_TIMEOUT_MS = 4_000;

/** What a callback body says, as far as it is used. */
export type CallbackRead = { taskId: string; saysUnfinished: boolean } | { ignored: string };

/**
 * The task ID of a callback body. Its status is used for one thing only: a body that itself says
 * the task is queued or running is not checked with Ark (Ark sends one such callback per status
 * change; checking them would only cost requests). It can never start a run.
 */
export function readCallback(body: unknown, bytes: number): CallbackRead {
	if (bytes > MAX_CALLBACK_BYTES) return { ignored: `the body is ${bytes} bytes, more than a task object` };
	if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ignored: 'the body is not a task object' };
	const { id, status } = body as IDataObject;
	if (typeof id !== 'string' || !TASK_ID.test(id)) return { ignored: 'the body has no task ID' };
	const word = typeof status === 'string' ? status.toLowerCase() : '';
	return { taskId: id, saysUnfinished: word === 'queued' || word === 'running' };
}

/** The size of the body as it arrived (n8n keeps the raw bytes), for the size limit. */
export function bodyBytes(ctx: IWebhookFunctions): number {
	const request = ctx.getRequestObject() as { rawBody?: { length?: number }; headers?: IDataObject };
	if (typeof request.rawBody?.length === 'number') return request.rawBody.length;
	const declared = Number(request.headers?.['content-length']);
	if (Number.isFinite(declared) && declared >= 0) return declared;
	return JSON.stringify(ctx.getBodyData() ?? {}).length;
}

/**
 * What Ark says about the task: the task (its ID is the one asked about), a reason to ignore the
 * call (no such task for this account, a refused key), or `retryLater` when Ark could not be
 * asked (no answer, 429, 5xx): then the caller is told to try again, so that Ark's own retry
 * brings a real callback back instead of it being lost.
 */
export type Checked = { task: NormalisedTask } | { ignored: string } | { retryLater: string };

export async function checkWithArk(ctx: IWebhookFunctions, taskId: string): Promise<Checked> {
	let credentials: IDataObject;
	try {
		credentials = await ctx.getCredentials(arkGateway.credentialType);
	} catch (error) {
		return { ignored: `the Ark credential could not be read (${(error as Error).message})` };
	}
	const base = checkBaseUrl(arkGateway, arkGateway.baseUrl(credentials));
	if ('problem' in base) return { ignored: base.problem };
	const request = arkGateway.taskRequest(taskId);
	const response = await send(ctx, arkGateway, base.url, {
		method: request.method,
		url: `${base.url.href.replace(/\/+$/, '')}${request.path}`,
		json: true,
		timeout: CHECK_TIMEOUT_MS,
	});
	if (response.networkError) return { retryLater: `no answer from Ark (${response.networkError.message})` };
	const { statusCode, body } = response;
	if (statusCode === 429 || statusCode >= 500) return { retryLater: `Ark answered ${statusCode}` };
	if (statusCode === 401 || statusCode === 403) {
		return { ignored: `Ark refused the trigger's credential (${statusCode}); check the Ark API credential` };
	}
	if (statusCode === 404) return { ignored: 'this Ark account has no such task' };
	if (statusCode < 200 || statusCode >= 300) return { ignored: `Ark answered ${statusCode}` };
	if (body === null || typeof body !== 'object' || Array.isArray(body)) return { retryLater: 'Ark answered with a body that is not a task' };
	const answered = (body as IDataObject).id;
	if (answered !== undefined && answered !== taskId) return { ignored: 'Ark answered about another task' };
	return { task: { ...arkGateway.parseTask(body as IDataObject, taskId), taskId } };
}

/** When the task finished, for the delivered log: Ark's updated_at (Unix seconds), else now. */
export function finishedAt(task: NormalisedTask): number {
	const updated = Number(task.raw.updated_at);
	return Number.isFinite(updated) && updated > 0 ? updated : Math.floor(Date.now() / 1000);
}
