import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { NormalisedTask, SeedanceGateway } from './gateways/gateway';
import { taskToJson } from './output';
import { withTask } from './task-errors';
import type { GatewayResponse } from './transport';
import { callGateway, fetchStream } from './transport';

/**
 * Streams a finished video into n8n's binary data (never buffered whole), from the task's URL
 * or, when it has none, the gateway's content endpoint. The transport decides who gets the key.
 */
type VideoStream = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0] & {
	destroy?: () => void;
};

export async function downloadVideo(
	ctx: IExecuteFunctions,
	gateway: SeedanceGateway,
	task: NormalisedTask,
	itemIndex: number,
): Promise<IBinaryData> {
	const fail = (reason: string, description: string, httpCode?: number) =>
		withTask(
			new NodeApiError(
				ctx.getNode(),
				{ message: reason },
				{
					message: `Could not download the video of task ${task.taskId}: ${reason}`,
					description,
					httpCode: httpCode ? String(httpCode) : undefined,
					itemIndex,
				},
			),
			taskToJson(task),
		);

	let response: GatewayResponse;
	if (task.videoUrl) {
		response = await fetchStream(ctx, gateway, new URL(task.videoUrl), itemIndex);
	} else {
		const content = gateway.contentRequest(task.taskId);
		if (!content) {
			throw fail(`${gateway.displayName} returned no video URL`, 'The task finished without a video URL. Check the raw response.');
		}
		response = await callGateway(ctx, gateway, content, itemIndex, { json: false, encoding: 'stream' });
	}
	if (response.networkError) {
		throw fail(
			response.networkError.message,
			`The video is still on the gateway. Run the Get operation with task ID ${task.taskId} to try again.`,
		);
	}

	const body = response.body as VideoStream;
	if (response.statusCode >= 400) {
		body?.destroy?.();
		const expired = [403, 404, 410].includes(response.statusCode);
		throw fail(
			`HTTP ${response.statusCode}`,
			expired
				? 'Video URLs expire 24 hours after the task finishes. If it is older, the video is gone; generate it again.'
				: `Try again with the Get operation and task ID ${task.taskId}.`,
			response.statusCode,
		);
	}
	const fileName = `${task.taskId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120) || 'video'}.mp4`;
	return await ctx.helpers.prepareBinaryData(body, fileName, 'video/mp4');
}
