/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
// Ark's callbacks, as the simulated Ark sends them. The create page: a task may carry
// `callback_url`; "when the task status changes, Ark POSTs the task object to it", and a callback
// not acknowledged within 5 s is retried 3 times (../shared/research/seedance-api-facts.md, the
// BytePlus / Volcengine create page 1520757). No signature is documented, and none is sent.
//
// Where the docs are silent the simulator picks, and says so here:
// - the statuses sent are queued (at once after the create), running (when the task starts),
//   and the final one; a queued task that is cancelled sends `cancelled`;
// - the body is the task object exactly as GET /contents/generations/tasks/{id} shows it then;
// - an acknowledgement is any 2xx answer within the timeout; anything else (no answer in time,
//   a refused connection, another status) is retried after `retryDelayMs`, `retries` times;
// - one task's callbacks go out one after another, in status order;
// - only loopback URLs are called, so no test ever reaches the internet (others are recorded
//   as `skipped`).
// And for the tests, what a caller who is not Ark could send (sendArkCallback): forged, repeated,
// late, oversized and malformed callbacks.

import * as crypto from 'node:crypto';
import * as http from 'node:http';

import { taskObject } from './ark';
import type { SimState } from './core';
import type { ArkCallbackAttempt, ArkCallbackForgery, ArkCallbackKnobs, CallbackAnswer, SimTask } from './types';

export const ARK_CALLBACK_DEFAULTS: ArkCallbackKnobs = { enabled: true, timeoutMs: 5000, retries: 3, retryDelayMs: 1000, held: false };

interface Delivery {
	task: SimTask;
	url: string;
	status: string;
	body: Record<string, unknown>;
}

interface CallbackState {
	knobs: ArkCallbackKnobs;
	attempts: ArkCallbackAttempt[];
	/** The last status sent (or queued to be sent) per task, and the body it carried. */
	sent: Map<string, { status: string; body: Record<string, unknown> }>;
	/** Per task, the chain its callbacks go out on, one after another. */
	chains: Map<string, Promise<void>>;
	held: Delivery[];
	timers: Set<NodeJS.Timeout>;
	/** Pauses between tries, ended early by reset(). */
	waiters: Set<() => void>;
	inFlight: Set<http.ClientRequest>;
	pending: Set<Promise<void>>;
	/** Bumped by reset(): work of an earlier generation stops. */
	generation: number;
}

const STATES = new WeakMap<SimState, CallbackState>();

function callbacksOf(state: SimState): CallbackState {
	let cb = STATES.get(state);
	if (!cb) {
		cb = {
			knobs: { ...ARK_CALLBACK_DEFAULTS },
			attempts: [],
			sent: new Map(),
			chains: new Map(),
			held: [],
			timers: new Set(),
			waiters: new Set(),
			inFlight: new Set(),
			pending: new Set(),
			generation: 0,
		};
		STATES.set(state, cb);
	}
	return cb;
}

export function arkCallbackAttempts(state: SimState): ArkCallbackAttempt[] {
	return callbacksOf(state).attempts;
}

export function setArkCallbackKnobs(state: SimState, knobs: Partial<ArkCallbackKnobs>): void {
	Object.assign(callbacksOf(state).knobs, knobs);
}

function isLoopback(url: string): boolean {
	try {
		const { protocol, hostname } = new URL(url);
		return protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(hostname);
	} catch {
		return false;
	}
}

/** One POST; resolves with what came back (status 0 when nothing did). */
function post(cb: CallbackState | undefined, url: string, payload: Buffer, contentType: string, timeoutMs: number): Promise<CallbackAnswer & { outcome: ArkCallbackAttempt['outcome'] }> {
	const started = Date.now();
	return new Promise((resolve) => {
		let settled = false;
		const done = (answer: Omit<CallbackAnswer, 'ms'> & { outcome: ArkCallbackAttempt['outcome'] }) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			cb?.inFlight.delete(request);
			resolve({ ...answer, ms: Date.now() - started });
		};
		const request = http.request(url, { method: 'POST', headers: { 'content-type': contentType, 'content-length': payload.length, 'user-agent': 'ark-callback-simulator' } }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => {
				const status = response.statusCode ?? 0;
				done({ status, body: Buffer.concat(chunks).toString('utf8'), outcome: status >= 200 && status < 300 ? 'acked' : 'refused' });
			});
			response.on('error', () => done({ status: response.statusCode ?? 0, body: '', outcome: 'error' }));
		});
		const timer = setTimeout(() => {
			done({ status: 0, body: '', outcome: 'timeout' });
			request.destroy();
		}, timeoutMs);
		request.on('error', () => done({ status: 0, body: '', outcome: 'error' }));
		cb?.inFlight.add(request);
		request.end(payload);
	});
}

function wait(cb: CallbackState, ms: number): Promise<void> {
	return new Promise((resolve) => {
		const end = () => {
			clearTimeout(timer);
			cb.timers.delete(timer);
			cb.waiters.delete(end);
			resolve();
		};
		const timer = setTimeout(end, ms);
		cb.timers.add(timer);
		cb.waiters.add(end);
	});
}

/** Sends one callback as Ark does: tried once, then `retries` more times until a 2xx comes back in time. */
async function deliver(state: SimState, cb: CallbackState, delivery: Delivery, generation: number): Promise<void> {
	const payload = Buffer.from(JSON.stringify(delivery.body));
	for (let attempt = 1; attempt <= cb.knobs.retries + 1; attempt++) {
		if (state.closed || cb.generation !== generation) return;
		const sentAt = Date.now();
		const answer = await post(cb, delivery.url, payload, 'application/json', cb.knobs.timeoutMs);
		if (cb.generation !== generation) return;
		cb.attempts.push({
			taskId: delivery.task.id,
			status: delivery.status,
			url: delivery.url,
			attempt,
			sentAt,
			ms: answer.ms,
			outcome: answer.outcome,
			...(answer.status ? { statusCode: answer.status } : {}),
		});
		if (answer.outcome === 'acked') return;
		if (attempt <= cb.knobs.retries) await wait(cb, cb.knobs.retryDelayMs);
	}
}

function track(cb: CallbackState, work: Promise<void>): void {
	cb.pending.add(work);
	void work.finally(() => cb.pending.delete(work));
}

function dispatch(state: SimState, cb: CallbackState, delivery: Delivery): void {
	const generation = cb.generation;
	const previous = cb.chains.get(delivery.task.id) ?? Promise.resolve();
	const next = previous.then(async () => await deliver(state, cb, delivery, generation));
	cb.chains.set(delivery.task.id, next);
	track(cb, next);
}

/** The task's status now; a callback goes out if it changed since the last one. */
export function arkStatusChanged(state: SimState, task: SimTask): void {
	const cb = callbacksOf(state);
	const url = task.body.callback_url;
	if (typeof url !== 'string' || !cb.knobs.enabled || state.closed) return;
	const body = taskObject(state, task, Date.now());
	const status = String(body.status);
	if (cb.sent.get(task.id)?.status === status) return;
	cb.sent.set(task.id, { status, body });
	if (!isLoopback(url)) {
		cb.attempts.push({ taskId: task.id, status, url, attempt: 0, sentAt: Date.now(), ms: 0, outcome: 'skipped' });
		return;
	}
	const delivery: Delivery = { task, url, status, body };
	if (cb.knobs.held) cb.held.push(delivery);
	else dispatch(state, cb, delivery);
}

/** At create: queued now, then a look at the task clock when it starts and when it ends. */
export function startArkCallbacks(state: SimState, task: SimTask): void {
	const cb = callbacksOf(state);
	if (typeof task.body.callback_url !== 'string' || !cb.knobs.enabled) return;
	arkStatusChanged(state, task);
	for (const at of [task.queuedMs, task.jobMs]) {
		const timer = setTimeout(
			() => {
				cb.timers.delete(timer);
				// A task deleted since (Ark's DELETE of a finished task) sends nothing more.
				if (state.tasks.get(task.id) === task) arkStatusChanged(state, task);
			},
			Math.max(0, task.createdAt + at - Date.now()),
		);
		cb.timers.add(timer);
	}
}

/** Sends what was held back (knob `held`), in order, and stops holding. */
export function releaseArkCallbacks(state: SimState): void {
	const cb = callbacksOf(state);
	cb.knobs.held = false;
	for (const delivery of cb.held.splice(0)) dispatch(state, cb, delivery);
}

/** Resolves once nothing is held, scheduled to be retried, or in flight. */
export async function arkCallbacksSettled(state: SimState): Promise<void> {
	const cb = callbacksOf(state);
	while (cb.pending.size > 0) await Promise.all([...cb.pending]);
}

/** reset(): knobs back to Ark's, records and pending callbacks gone. */
export function resetArkCallbacks(state: SimState): void {
	const cb = callbacksOf(state);
	cb.generation++;
	for (const timer of cb.timers) clearTimeout(timer);
	cb.timers.clear();
	for (const end of [...cb.waiters]) end();
	for (const request of cb.inFlight) request.destroy();
	cb.inFlight.clear();
	cb.held.length = 0;
	cb.attempts.length = 0;
	cb.sent.clear();
	cb.chains.clear();
	cb.knobs = { ...ARK_CALLBACK_DEFAULTS };
}

export function stopArkCallbacks(state: SimState): void {
	resetArkCallbacks(state);
}

// ---------------------------------------------------------------------------
// What a caller who is not Ark can send to a callback URL.

/** A task ID Ark's format would allow but this simulator never issued. */
function unknownTaskId(): string {
	return `cgt-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}-${crypto.randomBytes(3).toString('hex').slice(0, 5)}`;
}

const ATTACKER_VIDEO = 'http://127.0.0.1:9/attacker/video.mp4';

/**
 * Sends a callback that Ark did not send:
 * - `forged-unknown`: a succeeded task object for a task ID this account does not have;
 * - `forged-status`: the task's own object, but saying it succeeded with a video URL of the
 *   caller's (for a task still queued or running, a status Ark does not give);
 * - `repeat`: the last callback Ark sent for the task, again (a replay, or an Ark retry);
 * - `late`: the task object with an earlier status (`running`), after the final one;
 * - `oversized`: the task's current object padded past 1 MiB;
 * - `malformed`: a cut-off JSON text sent as application/json;
 * - `not-a-task`: a JSON array.
 */
export async function sendArkCallback(state: SimState, url: string, kind: ArkCallbackForgery, taskId?: string): Promise<CallbackAnswer> {
	const task = taskId === undefined ? undefined : state.tasks.get(taskId);
	const current = () => {
		if (!task) throw new Error(`sendArkCallback(${kind}) needs the ID of a simulated task, got ${taskId}`);
		return taskObject(state, task, Date.now());
	};
	let body: unknown;
	let raw: string | undefined;
	switch (kind) {
		case 'forged-unknown':
			body = { ...(task ? current() : {}), id: unknownTaskId(), status: 'succeeded', content: { video_url: ATTACKER_VIDEO } };
			break;
		case 'forged-status':
			body = { ...current(), status: 'succeeded', content: { video_url: ATTACKER_VIDEO }, error: null };
			break;
		case 'repeat': {
			const sent = task && callbacksOf(state).sent.get(task.id);
			if (!sent) throw new Error(`sendArkCallback(repeat): Ark sent no callback for ${taskId}`);
			body = sent.body;
			break;
		}
		case 'late':
			body = { ...current(), status: 'running', content: undefined, usage: undefined };
			break;
		case 'oversized':
			body = { ...current(), padding: 'x'.repeat(1024 * 1024 + 1) };
			break;
		case 'malformed':
			raw = `{"id": "${taskId ?? unknownTaskId()}", "status": "succ`;
			break;
		case 'not-a-task':
			body = [{ id: taskId ?? unknownTaskId(), status: 'succeeded' }];
			break;
	}
	const payload = Buffer.from(raw ?? JSON.stringify(body));
	const { status, body: answer, ms } = await post(undefined, url, payload, 'application/json', 30_000);
	return { status, body: answer, ms };
}
