import type { INodeExecutionData } from 'n8n-workflow';

import type { RecordedRequest, Simulator } from './simulator';

/** Helpers for Get Many's tests: many Ark tasks at once, and the list requests a run sent. */

const MODEL = 'dreamina-seedance-2-0-260128';

/**
 * Puts `count` finished Ark tasks straight into the simulator (no create requests), one second
 * apart; returns their IDs newest first, the order Ark lists them in.
 */
export function seedArkTasks(sim: Simulator, count: number, prefix = 'cgt-seeded'): string[] {
	const now = Date.now();
	const ids: string[] = [];
	for (let index = 0; index < count; index++) {
		const id = `${prefix}-${String(index).padStart(5, '0')}`;
		const prompt = `Clip ${index}`;
		sim.tasks.set(id, {
			id,
			gateway: 'ark',
			model: MODEL,
			createdAt: now - (count - index) * 1000,
			jobMs: 1,
			queuedMs: 0,
			outcome: 'succeed',
			body: { model: MODEL, content: [{ type: 'text', text: prompt }] },
			prompt,
			pollCount: 0,
		});
		ids.push(id);
	}
	return ids.reverse();
}

/**
 * One Ark task put straight into the simulator: `startedMsAgo` ago, queued for `queuedMs`, then
 * running until `jobMs` after it was made, then finished with `outcome`.
 */
export function seedArkTask(
	sim: Simulator,
	id: string,
	{ startedMsAgo = 0, queuedMs = 0, jobMs = 1, outcome = 'succeed' }: { startedMsAgo?: number; queuedMs?: number; jobMs?: number; outcome?: 'succeed' | 'fail' | 'expire' } = {},
): string {
	const prompt = `Task ${id}`;
	sim.tasks.set(id, {
		id,
		gateway: 'ark',
		model: MODEL,
		createdAt: Date.now() - startedMsAgo,
		jobMs,
		queuedMs,
		outcome,
		body: { model: MODEL, content: [{ type: 'text', text: prompt }] },
		prompt,
		pollCount: 0,
	});
	return id;
}

/** The list requests (GET …/tasks?…) sent to the simulated Ark, with their page_num and page_size. */
export function listRequests(sim: Simulator): Array<RecordedRequest & { pageNum: number; pageSize: number }> {
	return sim
		.gatewayRequests('ark')
		.filter((request) => request.method === 'GET' && /\/contents\/generations\/tasks\?/.test(request.path))
		.map((request) => {
			const query = new URL(request.path, 'http://x').searchParams;
			return { ...request, pageNum: Number(query.get('page_num')), pageSize: Number(query.get('page_size')) };
		});
}

export const idsOf = (items: INodeExecutionData[]): string[] => items.map((item) => item.json.taskId as string);
