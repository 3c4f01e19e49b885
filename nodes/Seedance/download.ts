import { createHash } from 'node:crypto';
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { BINARY_ENCODING, NodeApiError } from 'n8n-workflow';

import type { ItemScope } from './batch';
import type { NormalisedTask } from './gateways/gateway';
import { binarySize } from './media';
import type { TaskTracker } from './task-errors';
import type { GatewayResponse } from './transport';
import { callGateway, fetchStream } from './transport';

/**
 * Streams a finished video into n8n's binary data (never buffered whole), from the task's URL
 * or, when it has none, the gateway's content endpoint. The transport decides who gets the key.
 * What arrived is then checked: a page or an error body is not a video, and a body that ended
 * early is not the whole video. (Checked once stored, not on the way through: a community
 * node may not import node:stream.)
 */
type VideoStream = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0] & {
	destroy?: () => void;
};

/** Content types that are never a video: an error page, a JSON error, a login form. */
const NOT_VIDEO_TYPE = /^(text\/|application\/(json|xml|problem\+json|xhtml\+xml)|[^;]*\+json)/i;

/**
 * Box types a video file may start with: `ftyp` (MP4, MOV), or an older QuickTime file's first
 * atom. An HTML page or a JSON body never has these at bytes 4–8.
 */
const FIRST_BOX_TYPES = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip']);
const HEAD_BYTES = 16;

/** The first bytes of stored binary data, read without loading the file. */
async function headOf(ctx: IExecuteFunctions, binary: IBinaryData): Promise<Buffer> {
	if (!binary.id) return Buffer.from(binary.data.slice(0, Math.ceil(HEAD_BYTES / 3) * 4), BINARY_ENCODING);
	const stream = await ctx.helpers.getBinaryStream(binary.id, HEAD_BYTES);
	let head = Buffer.alloc(0);
	for await (const chunk of stream) {
		head = Buffer.concat([head, chunk as Buffer]);
		if (head.length >= HEAD_BYTES) break;
	}
	stream.destroy();
	return head;
}

/** Why stored bytes are not the whole video, or undefined when they are. */
async function notAWholeVideo(ctx: IExecuteFunctions, binary: IBinaryData, expectedBytes: number | undefined) {
	const bytes = await binarySize(ctx, binary);
	if (expectedBytes !== undefined && bytes < expectedBytes) {
		return `the download ended after ${bytes} of ${expectedBytes} bytes`;
	}
	const head = await headOf(ctx, binary);
	if (head.length < 8) return `the file is empty or too short to be a video (${bytes} bytes)`;
	if (!FIRST_BOX_TYPES.has(head.subarray(4, 8).toString('latin1'))) {
		return `the file is not an MP4 video (it starts with "${head.toString('utf8').replace(/[^\x20-\x7e]/g, '.')}")`;
	}
	return undefined;
}

/**
 * A short, stable file name: AIHubMix task IDs are ~100 characters of base64. The full ID
 * stays in the JSON.
 */
export function videoFileName(provider: string, taskId: string): string {
	return `seedance-${provider}-${createHash('sha256').update(taskId).digest('hex').slice(0, 12)}.mp4`;
}

function headerValue(response: GatewayResponse, name: string): string | undefined {
	const value = response.headers?.[name];
	return Array.isArray(value) ? value[0] : value;
}

function parseUrl(text: string): URL | undefined {
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

export async function downloadVideo(scope: ItemScope, tracker: TaskTracker, task: NormalisedTask): Promise<IBinaryData> {
	const startedAt = Date.now();
	const { ctx, gateway, itemIndex } = scope;
	const fail = (reason: string, description: string, httpCode?: number) =>
		new NodeApiError(
			ctx.getNode(),
			{ message: reason },
			{
				message: `Could not download the video of task ${task.taskId}: ${reason}`,
				description,
				httpCode: httpCode ? String(httpCode) : undefined,
				itemIndex,
			},
		);
	const tryAgain = `Run the Get operation with task ID ${task.taskId} to download it again.`;

	const videoUrl = task.videoUrl ? parseUrl(task.videoUrl) : undefined;
	const content = gateway.contentRequest(task.taskId);
	let response: GatewayResponse;
	let inlineFailure: string | undefined;
	if (videoUrl) {
		response = await fetchStream(scope, videoUrl);
		// The task's own URL failed (expired, refused, a page instead of the video): where the gateway
		// has a content endpoint (AIHubMix's documented GET /videos/{id}/content), the video is there.
		if (content && (response.networkError || response.statusCode >= 300 || NOT_VIDEO_TYPE.test(headerValue(response, 'content-type') ?? ''))) {
			(response.body as VideoStream | undefined)?.destroy?.();
			inlineFailure = response.networkError?.message ?? `HTTP ${response.statusCode}`;
			response = await callGateway(scope, content, { json: false, encoding: 'stream' });
		}
	} else if (content) {
		response = await callGateway(scope, content, { json: false, encoding: 'stream' });
	} else if (task.videoUrl) {
		throw fail(`the video URL "${task.videoUrl.slice(0, 100)}" is not a valid URL`, 'Check the raw response of the task.');
	} else {
		throw fail(`${gateway.displayName} returned no video URL`, 'The task finished without a video URL. Check the raw response.');
	}
	const alsoInline = inlineFailure ? ` The task's own video URL failed first (${inlineFailure}).` : '';
	if (response.networkError) {
		throw fail(response.networkError.message, `The video is still on the gateway. ${tryAgain}${alsoInline}`);
	}

	const body = response.body as VideoStream;
	const contentType = headerValue(response, 'content-type') ?? '';
	if (response.statusCode >= 300 || NOT_VIDEO_TYPE.test(contentType)) {
		body?.destroy?.();
		if (response.statusCode < 300) {
			throw fail(
				`the server answered with "${contentType}", not a video`,
				`The URL gave a page or message instead of the video (an expired or refused link looks like this). ${tryAgain}${alsoInline}`,
			);
		}
		const expired = [403, 404, 410].includes(response.statusCode);
		throw fail(
			`HTTP ${response.statusCode}`,
			(expired
				? 'Video URLs expire 24 hours after the task finishes. If it is older, the video is gone; generate it again.'
				: tryAgain) + alsoInline,
			response.statusCode,
		);
	}
	const length = Number(headerValue(response, 'content-length'));
	const fileName = videoFileName(gateway.name, task.taskId);
	let binary: IBinaryData;
	try {
		binary = await ctx.helpers.prepareBinaryData(body, fileName, 'video/mp4');
	} catch (error) {
		// A connection that breaks part way ("aborted") has no description of its own.
		const reason = (error as Error)?.message?.trim() || 'the connection broke off';
		throw fail(`the download broke off (${reason})`, `Nothing was saved. ${tryAgain}`);
	}
	const problem = await notAWholeVideo(ctx, binary, Number.isFinite(length) && length > 0 ? length : undefined);
	if (problem) throw fail(problem, `The video was not saved. ${tryAgain}`);
	tracker.downloaded(await binarySize(ctx, binary), Date.now() - startedAt);
	return binary;
}
