import type { IDataObject, INode, Logger } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { NormalisedTask, SeedanceGateway } from './gateways/gateway';
import { taskToJson } from './output';
import { currencySymbol } from './pricing';

/**
 * A paid task is never lost: once a task exists, every error the node raises about it is a
 * PaidTaskError, which names the task, its provider and last status in its message and
 * description, and carries the task's output fields for Continue On Fail.
 */

/** Where a tracker reports to: n8n's logger, for the operator following a long run. */
export interface TaskLog {
	logger: Logger;
	itemIndex: number;
}

/**
 * What the node knows of a task while it works on it: the last status seen, and the cost.
 * It logs each status change at info and unchanged polls at debug; never a key, a body or a
 * prompt.
 */
export class TaskTracker {
	last: NormalisedTask | undefined;

	constructor(
		readonly gateway: SeedanceGateway,
		readonly taskId: string,
		readonly extra: IDataObject = {},
		private readonly log?: TaskLog,
	) {}

	private meta(task?: NormalisedTask): IDataObject {
		return {
			taskId: this.taskId,
			provider: this.gateway.name,
			itemIndex: this.log?.itemIndex,
			...(task ? { status: task.status, progress: task.progress } : {}),
		};
	}

	/** A task this run just paid for. */
	created(task: NormalisedTask): void {
		this.last = task;
		const { estimatedCost, costCurrency } = this.extra;
		const cost = typeof estimatedCost === 'number' ? `${currencySymbol(costCurrency === 'CNY' ? 'CNY' : 'USD')}${estimatedCost.toFixed(2)}` : 'unknown';
		this.log?.logger.info(
			`Seedance task ${this.taskId} created on ${this.gateway.displayName} (model ${task.model ?? 'unknown'}, estimated cost ${cost}, item ${this.log.itemIndex})`,
			{ ...this.meta(task), model: task.model, estimatedCost, costCurrency },
		);
	}

	seen(task: NormalisedTask): NormalisedTask {
		const before = this.last;
		this.last = task;
		const progress = task.progress !== null ? ` (${task.progress}%)` : '';
		if (before?.status === task.status) {
			this.log?.logger.debug(`Seedance task ${this.taskId} still ${task.status}${progress}`, this.meta(task));
		} else {
			this.log?.logger.info(`Seedance task ${this.taskId} is ${task.status}${progress} (item ${this.log.itemIndex})`, this.meta(task));
		}
		return task;
	}

	/** A fault that did not end the wait. */
	rodeOut(reason: string, retryInMs: number): void {
		this.log?.logger.info(
			`Seedance task ${this.taskId}: status check failed (${plainErrorText(reason)}), trying again in ${Math.round(retryInMs / 100) / 10} s`,
			this.meta(),
		);
	}

	downloaded(bytes: number, ms: number): void {
		this.log?.logger.info(
			`Seedance task ${this.taskId}: video downloaded, ${bytes} bytes in ${(ms / 1000).toFixed(1)} s (item ${this.log.itemIndex})`,
			{ ...this.meta(), bytes, seconds: ms / 1000 },
		);
	}

	get status(): string {
		return this.last?.status ?? 'unknown';
	}

	json(): IDataObject {
		return this.last
			? taskToJson(this.last, this.extra)
			: { taskId: this.taskId, provider: this.gateway.name, status: this.status, ...this.extra };
	}
}

/**
 * n8n replaces a whole error message that contains a system error code (ECONNRESET, ETIMEDOUT,
 * ...) with a generic sentence, which would drop the task ID from it; so codes become words.
 */
const ERROR_CODE_WORDS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ECONNABORTED: 'connection aborted',
	ETIMEDOUT: 'timed out',
	ENOTFOUND: 'host not found',
	EHOSTUNREACH: 'host unreachable',
	EAI_AGAIN: 'DNS lookup failed',
	EADDRNOTAVAIL: 'address not available',
	ERRADDRINUSE: 'address in use',
	ENOENT: 'no such file',
	EISDIR: 'is a directory',
	ENOTDIR: 'not a directory',
	EACCES: 'permission denied',
	EEXIST: 'already exists',
	EPERM: 'not permitted',
	GETADDRINFO: 'host lookup failed',
};

export function plainErrorText(text: string): string {
	return text.replace(/[A-Za-z_]+/g, (word) => ERROR_CODE_WORDS[word.toUpperCase()] ?? word);
}

function messageOf(cause: unknown): string {
	const message = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : '';
	return plainErrorText(message?.trim() || `unexpected ${cause instanceof Error ? cause.name : 'error'} without a message`);
}

export class PaidTaskError extends NodeOperationError {
	readonly task: IDataObject;

	/** The gateway's HTTP status, when the cause was an answer from it. */
	readonly httpCode: string | null;

	constructor(node: INode, cause: unknown, tracker: TaskTracker, itemIndex: number) {
		const { taskId, gateway } = tracker;
		const reason = messageOf(cause);
		const where = `task ${taskId} on ${gateway.displayName}, last status: ${tracker.status}`;
		const message = reason.includes(taskId) ? `${reason} (${gateway.displayName}, last status: ${tracker.status})` : `${reason} (${where})`;
		const causeDescription = (cause as { description?: unknown })?.description;
		const recovery = `Task ${taskId} on ${gateway.displayName} (last status: ${tracker.status}) is not lost: run this node's Get or Wait operation with this task ID to fetch it. Finished videos stay available for 24 hours.`;
		super(node, message, {
			itemIndex,
			description: [typeof causeDescription === 'string' ? causeDescription : '', recovery].filter(Boolean).join('\n\n'),
		});
		const httpCode = (cause as { httpCode?: unknown })?.httpCode;
		this.httpCode = typeof httpCode === 'string' ? httpCode : null;
		this.task = tracker.json();
	}
}

/** Runs the part of an operation that follows the task's creation; any error names the task. */
export async function guardPaidTask<T>(
	node: INode,
	tracker: TaskTracker,
	itemIndex: number,
	work: () => Promise<T>,
): Promise<T> {
	try {
		return await work();
	} catch (error) {
		throw error instanceof PaidTaskError ? error : new PaidTaskError(node, error, tracker, itemIndex);
	}
}

export function taskOfError(error: unknown): IDataObject | undefined {
	return error instanceof PaidTaskError ? error.task : undefined;
}

export function errorMessage(error: unknown): string {
	const message = error instanceof Error ? error.message?.trim() : '';
	return message || `Unexpected ${error instanceof Error ? error.name : 'error'} without a message`;
}

/** n8n shows the item of an error from its context; errors we did not make get wrapped. */
export function asNodeError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context = { ...error.context, itemIndex };
		return error;
	}
	return new NodeOperationError(node, errorMessage(error), { itemIndex });
}
