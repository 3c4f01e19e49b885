import type { IDataObject } from 'n8n-workflow';

/**
 * Errors raised after a task exists carry that task, so that under "Continue On Fail" the
 * output item still holds its id and last status: a paid task is never lost.
 */
const tasksOfErrors = new WeakMap<object, IDataObject>();

export function withTask<E extends object>(error: E, task: IDataObject): E {
	tasksOfErrors.set(error, task);
	return error;
}

export function taskOfError(error: unknown): IDataObject | undefined {
	return error !== null && typeof error === 'object' ? tasksOfErrors.get(error) : undefined;
}
