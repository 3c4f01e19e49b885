import type { IDataObject } from 'n8n-workflow';

import type { NormalisedTask } from './gateways/gateway';

/** The one output shape, whatever the gateway: stable keys, null when a gateway has no value. */
export function taskToJson(task: NormalisedTask, extra: IDataObject = {}): IDataObject {
	return {
		taskId: task.taskId,
		provider: task.provider,
		model: task.model,
		status: task.status,
		gatewayStatus: task.gatewayStatus,
		videoUrl: task.videoUrl,
		coverImageUrl: task.coverImageUrl,
		lastFrameUrl: task.lastFrameUrl,
		videoDuration: task.videoDuration,
		errorCode: task.errorCode,
		errorMessage: task.errorMessage,
		...extra,
		raw: task.raw,
	};
}
