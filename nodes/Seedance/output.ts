import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

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
		progress: task.progress,
		...(task.completionTokens !== null ? { completionTokens: task.completionTokens } : {}),
		errorCode: task.errorCode,
		errorMessage: task.errorMessage,
		...extra,
		raw: task.raw,
	};
}

/**
 * Whether the node runs as an AI Agent's tool: n8n then gives it the type `…seedanceTool`
 * (as n8n's own Airtop node tells), or, on newer engines, says so itself.
 */
export function isToolCall(ctx: IExecuteFunctions): boolean {
	return ctx.getNode().type.endsWith('seedanceTool') || (ctx as { isToolExecution?: () => boolean }).isToolExecution?.() === true;
}

/** Simplify Output, for the Seedance node (from version 1.1) and its trigger. */
export const simplifyField: INodeProperties = {
	displayName: 'Simplify Output',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description: "Whether to return the task's normalised fields only, without the gateway's raw response",
};

/** The output is simplified (no `raw`) unless the user turned Simplify Output off. */
export function keepsRaw(ctx: IExecuteFunctions, itemIndex: number): boolean {
	// As a tool, raw only when asked for explicitly; version 1 nodes keep their full output.
	if (isToolCall(ctx)) return ctx.getNode().parameters.simplify === false;
	return !(ctx.getNodeParameter('simplify', itemIndex, false) as boolean);
}

const TOOL_FIELDS = ['taskId', 'status', 'action', 'videoUrl', 'videoDuration', 'estimatedCost', 'costCurrency', 'estimatedCostUsd'];

/** The first sentence of an error, for a model's context. */
export function oneSentence(message: string): string {
	const end = message.search(/[.!?](\s|$)/);
	const sentence = end >= 0 ? message.slice(0, end + 1) : message;
	return sentence.length > 240 ? `${sentence.slice(0, 237)}...` : sentence;
}

/**
 * What an AI Agent reads: a compact answer, a few hundred bytes, instead of the gateway's raw
 * response, signed URLs of covers and frames, and a binary it cannot use.
 */
export function toolResult(json: IDataObject, withRaw: boolean): IDataObject {
	const result: IDataObject = {};
	for (const field of TOOL_FIELDS) if (json[field] !== undefined) result[field] = json[field];
	if (typeof json.error === 'string') result.error = oneSentence(json.error);
	if (withRaw && json.raw !== undefined) result.raw = json.raw;
	return result;
}

export function omitRaw(json: IDataObject): IDataObject {
	const rest = { ...json };
	delete rest.raw;
	return rest;
}
