/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
// Shared plumbing for both simulated gateways and the CDN: request reading and
// recording, key checks, fault injection, the task clock, media validation and
// the (optionally padded) MP4 stream. Route modules only describe their API.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Readable } from 'node:stream';

import type { FaultSpec, GatewayName, RecordedRequest, SimTask, SimulatorOptions } from './types';

export type Knobs = Required<Omit<SimulatorOptions, 'port'>>;

export const DEFAULT_KNOBS: Knobs = {
	tokenhubKey: 'th-sim-valid-key',
	aihubmixKey: 'sk-sim-valid-key',
	arkKey: 'ark-sim-valid-key',
	queuedMs: 30,
	jobMs: 150,
	latencyMs: 0,
	aihubmixInlineVideoUrl: false,
	redirectContent: false,
	redirectStatus: false,
	queueCap: 0,
	balanceTasks: -1,
};

export interface Fixtures {
	mp4: Buffer;
	mp4Path: string;
	jpg: Buffer;
	png: Buffer;
}

interface ArmedFault {
	spec: FaultSpec;
	remaining: number;
}

export interface SimState {
	knobs: Knobs;
	requests: RecordedRequest[];
	tasks: Map<string, SimTask>;
	faults: ArmedFault[];
	cdnOrigin: string;
	fixtures: Fixtures;
	// Pending sleeps, so close() can cancel them instead of keeping the process alive.
	timers: Set<NodeJS.Timeout>;
	closed: boolean;
}

// ---------------------------------------------------------------------------
// Fixtures

// The CLI runs from a tsc output directory that may not contain the binary
// fixtures, so look next to this file first, then for the source tree above it
// or above the working directory. SIM_FIXTURES_DIR overrides all of that.
export function findFixturesDir(): string {
	const candidates = [path.join(__dirname, 'fixtures')];
	if (process.env.SIM_FIXTURES_DIR) candidates.unshift(process.env.SIM_FIXTURES_DIR);
	for (const start of [__dirname, process.cwd()]) {
		for (let dir = start; ; dir = path.dirname(dir)) {
			candidates.push(path.join(dir, 'test', 'simulator', 'fixtures'));
			if (path.dirname(dir) === dir) break;
		}
	}
	const found = candidates.find((c) => fs.existsSync(path.join(c, 'tiny.mp4')));
	if (!found) throw new Error(`simulator fixtures not found; looked in: ${candidates.join(', ')}`);
	return found;
}

export function loadFixtures(): Fixtures {
	const dir = findFixturesDir();
	const mp4Path = path.join(dir, 'tiny.mp4');
	return {
		mp4: fs.readFileSync(mp4Path),
		mp4Path,
		jpg: fs.readFileSync(path.join(dir, 'cover.jpg')),
		png: fs.readFileSync(path.join(dir, 'frame.png')),
	};
}

// ---------------------------------------------------------------------------
// Errors and replies

/** A client error; each gateway turns it into its own envelope. */
export class ApiError extends Error {
	constructor(
		public readonly status: number,
		message: string,
		public readonly param?: string,
		public readonly code?: string,
		public readonly type?: string,
	) {
		super(message);
	}
}

export interface Reply {
	status: number;
	json?: unknown;
	data?: Buffer;
	stream?: () => Readable;
	contentLength?: number;
	contentType?: string;
	headers?: Record<string, string>;
}

export interface GatewayRequest {
	state: SimState;
	method: string;
	/** Path below the gateway prefix, without the query string. */
	route: string;
	query: URLSearchParams;
	body: unknown;
	now: number;
}

export interface GatewayModule {
	name: GatewayName;
	prefix: string;
	key(knobs: Knobs): string;
	/** Envelope for an ApiError (401, 400, 404, ...). */
	errorBody(err: ApiError): unknown;
	/** Error used when the Bearer key is missing or wrong. */
	unauthorized(): ApiError;
	/** Route a request that passed the key check; throw ApiError for client errors. */
	handle(req: GatewayRequest): Reply;
	/** Whether a recorded request is a task-creating POST. */
	isCreate(method: string, route: string): boolean;
	/** Whether a request is a task status check (GET of one task). */
	isStatusCheck(method: string, route: string): boolean;
}

// ---------------------------------------------------------------------------
// Presigned URLs, as object storage hands out: the signature is the credential, so the
// storage refuses a request that also carries an Authorization header (S3's
// "Only one auth mechanism allowed").

const SIGNING_SECRET = crypto.randomBytes(16);

export function signPath(pathname: string): string {
	return crypto.createHmac('sha256', SIGNING_SECRET).update(pathname).digest('hex').slice(0, 32);
}

export function signedUrl(state: SimState, pathname: string): string {
	return `${state.cdnOrigin}${pathname}?X-Amz-Expires=86400&X-Amz-Signature=${signPath(pathname)}`;
}

/** null when a presigned request is acceptable, else the storage's refusal. */
export function presignedRefusal(pathname: string, query: URLSearchParams, authorization: string | undefined): Reply | null {
	const xml = (status: number, code: string, message: string): Reply => ({
		status,
		data: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`),
		contentType: 'application/xml',
	});
	if (query.get('X-Amz-Signature') !== signPath(pathname)) return xml(403, 'AccessDenied', 'Request has expired or the signature does not match');
	if (authorization) {
		return xml(400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified');
	}
	return null;
}

// ---------------------------------------------------------------------------
// Small helpers

export function sleep(state: SimState, ms: number): Promise<void> {
	if (ms <= 0) return Promise.resolve();
	return new Promise((resolve) => {
		const t = setTimeout(() => {
			state.timers.delete(t);
			resolve();
		}, ms);
		state.timers.add(t);
	});
}

export function unixSeconds(ms: number): number {
	return Math.floor(ms / 1000);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function newUuid(): string {
	return crypto.randomUUID();
}

export function randomHex(bytes: number): string {
	return crypto.randomBytes(bytes).toString('hex');
}

function splitUrl(url: string): { pathname: string; query: URLSearchParams } {
	const q = url.indexOf('?');
	return q < 0
		? { pathname: url, query: new URLSearchParams() }
		: { pathname: url.slice(0, q), query: new URLSearchParams(url.slice(q + 1)) };
}

export function stripQuery(url: string): string {
	return splitUrl(url).pathname;
}

function bearerMatches(header: string | undefined, key: string): boolean {
	if (!header) return false;
	const m = /^Bearer\s+(.+)$/i.exec(header.trim());
	return m !== null && m[1] === key;
}

// ---------------------------------------------------------------------------
// Per-task steering via prompt markers, so one batch item or an external n8n
// process can pick its own fate without touching the simulator API.

export interface Steering {
	outcome: SimTask['outcome'];
	jobMs?: number;
	sizeBytes?: number;
}

export function parseSteering(prompt: unknown): Steering {
	const text = typeof prompt === 'string' ? prompt : '';
	const ms = /\[sim:ms=(\d+)\]/.exec(text);
	const size = /\[sim:size=(\d+)\]/.exec(text);
	return {
		outcome: text.includes('[sim:fail]') ? 'fail' : text.includes('[sim:expire]') ? 'expire' : 'succeed',
		jobMs: ms ? Number(ms[1]) : undefined,
		sizeBytes: size ? Number(size[1]) : undefined,
	};
}

export const SENSITIVE_ERROR = {
	code: 'OutputVideoSensitiveContentDetected.PolicyViolation',
	message: 'The generated video may contain sensitive content.',
};

// ---------------------------------------------------------------------------
// Task clock: the status is derived from wall-clock time since creation.

export type TaskPhase = 'queued' | 'running' | 'done';

/**
 * Before a create: the account must be able to pay (`balance`), and the key's queue must have
 * room (`queueFull`); each gateway gives its own refusal.
 */
export function admitTask(
	state: SimState,
	gateway: GatewayName,
	now: number,
	refusals: { queueFull: (cap: number) => ApiError; balance: () => ApiError },
): void {
	const { queueCap, balanceTasks } = state.knobs;
	if (balanceTasks >= 0) {
		if (balanceTasks === 0) throw refusals.balance();
		state.knobs.balanceTasks--;
	}
	if (queueCap > 0) {
		const active = [...state.tasks.values()].filter(
			(task) => task.gateway === gateway && task.cancelledAt === undefined && taskPhase(task, now) !== 'done',
		).length;
		if (active >= queueCap) {
			if (balanceTasks >= 0) state.knobs.balanceTasks++;
			throw refusals.queueFull(queueCap);
		}
	}
}

/** `prompt` is where the steering markers are read from; by default the body's `prompt` field. */
export function createTask(
	state: SimState,
	gateway: GatewayName,
	id: string,
	model: string,
	body: Record<string, unknown>,
	now: number,
	prompt: string = typeof body.prompt === 'string' ? body.prompt : '',
): SimTask {
	const steering = parseSteering(prompt);
	const task: SimTask = {
		id,
		gateway,
		model,
		createdAt: now,
		jobMs: steering.jobMs ?? state.knobs.jobMs,
		queuedMs: state.knobs.queuedMs,
		outcome: steering.outcome,
		body: compactBody(body) as Record<string, unknown>,
		prompt,
		pollCount: 0,
	};
	state.tasks.set(id, task);
	return task;
}

export function taskPhase(task: SimTask, now: number): TaskPhase {
	const elapsed = now - task.createdAt;
	if (elapsed >= task.jobMs) return 'done';
	return elapsed < task.queuedMs ? 'queued' : 'running';
}

/** 0 while queued, rising 1..99 while running, 100 when done. */
export function taskProgress(task: SimTask, now: number): number {
	const phase = taskPhase(task, now);
	if (phase === 'done') return 100;
	if (phase === 'queued') return 0;
	const span = Math.max(1, task.jobMs - task.queuedMs);
	const frac = (now - task.createdAt - task.queuedMs) / span;
	return Math.min(99, Math.max(1, Math.floor(frac * 100)));
}

export function isSucceeded(task: SimTask, now: number): boolean {
	return task.outcome === 'succeed' && task.cancelledAt === undefined && taskPhase(task, now) === 'done';
}

// ---------------------------------------------------------------------------
// Media validation shared by both gateways (same `content` shape and limits).

export interface MediaCounts {
	images: number;
	videos: number;
	audios: number;
	firstFrames: number;
	lastFrames: number;
}

export function emptyCounts(): MediaCounts {
	return { images: 0, videos: 0, audios: 0, firstFrames: 0, lastFrames: 0 };
}

export function checkMediaUrl(value: unknown, param: string): void {
	if (typeof value !== 'string' || value.length === 0) {
		throw new ApiError(400, `${param} must be a non-empty URL string`, param);
	}
	if (/^data:[^,]*,/i.test(value)) return;
	let ok = false;
	try {
		const u = new URL(value);
		ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '';
	} catch {
		ok = false;
	}
	if (!ok) throw new ApiError(400, `${param} must be an http(s) URL or a data: URL`, param);
}

const ROLES_BY_TYPE: Record<string, readonly string[]> = {
	image_url: ['first_frame', 'last_frame', 'reference_image'],
	video_url: ['reference_video'],
	audio_url: ['reference_audio'],
};

/** Validates a `content` array and adds what it references to `counts`. */
export function countContent(content: unknown, counts: MediaCounts): void {
	if (content === undefined) return;
	if (!Array.isArray(content)) throw new ApiError(400, 'content must be an array', 'content');
	content.forEach((item: unknown, i) => {
		const p = `content[${i}]`;
		if (!isRecord(item)) throw new ApiError(400, `${p} must be an object`, p);
		const type = item.type;
		// Native Ark also accepts a text item in content; gateways pass it through.
		if (type === 'text') {
			if (typeof item.text !== 'string') throw new ApiError(400, `${p}.text must be a string`, `${p}.text`);
			return;
		}
		if (typeof type !== 'string' || !(type in ROLES_BY_TYPE)) {
			throw new ApiError(400, `${p}.type must be one of image_url, video_url, audio_url`, `${p}.type`);
		}
		const media = item[type];
		if (!isRecord(media)) throw new ApiError(400, `${p}.${type} must be an object with a url`, `${p}.${type}`);
		checkMediaUrl(media.url, `${p}.${type}.url`);
		const role = item.role;
		if (role !== undefined && (typeof role !== 'string' || !ROLES_BY_TYPE[type].includes(role))) {
			throw new ApiError(
				400,
				`${p}.role must be one of ${ROLES_BY_TYPE[type].join(', ')} for ${type}`,
				`${p}.role`,
			);
		}
		if (type === 'image_url') {
			counts.images++;
			if (role === 'first_frame') counts.firstFrames++;
			if (role === 'last_frame') counts.lastFrames++;
		} else if (type === 'video_url') {
			counts.videos++;
		} else {
			counts.audios++;
		}
	});
}

export function checkMediaLimits(counts: MediaCounts): void {
	if (counts.firstFrames > 1) throw new ApiError(400, 'at most 1 first_frame image is allowed', 'content');
	if (counts.lastFrames > 1) throw new ApiError(400, 'at most 1 last_frame image is allowed', 'content');
	if (counts.lastFrames > 0 && counts.firstFrames === 0) {
		throw new ApiError(400, 'a last_frame image requires a first_frame image', 'content');
	}
	if (counts.images > 9) throw new ApiError(400, 'at most 9 images are allowed', 'content');
	if (counts.videos > 3) throw new ApiError(400, 'at most 3 videos are allowed', 'content');
	if (counts.audios > 3) throw new ApiError(400, 'at most 3 audios are allowed', 'content');
}

export function checkBoolean(body: Record<string, unknown>, field: string): void {
	if (body[field] !== undefined && typeof body[field] !== 'boolean') {
		throw new ApiError(400, `${field} must be a boolean`, field);
	}
}

// ---------------------------------------------------------------------------
// Video bytes: the fixture, optionally padded with a trailing `free` box.

const ZERO_CHUNK = Buffer.alloc(64 * 1024);

interface PadLayout {
	total: number;
	boxHeader: Buffer | null;
	zeros: number;
}

function padLayout(base: number, target: number | undefined): PadLayout {
	const pad = target === undefined ? 0 : target - base;
	// A box needs at least its 8-byte header; smaller requests get the plain fixture.
	if (pad < 8) return { total: base, boxHeader: null, zeros: 0 };
	if (pad <= 0xffffffff) {
		const h = Buffer.alloc(8);
		h.writeUInt32BE(pad, 0);
		h.write('free', 4, 'latin1');
		return { total: base + pad, boxHeader: h, zeros: pad - 8 };
	}
	// Over 4 GiB the box size goes into the 64-bit largesize field.
	const h = Buffer.alloc(16);
	h.writeUInt32BE(1, 0);
	h.write('free', 4, 'latin1');
	h.writeBigUInt64BE(BigInt(pad), 8);
	return { total: base + pad, boxHeader: h, zeros: pad - 16 };
}

export function videoReply(state: SimState, task: SimTask): Reply {
	const layout = padLayout(state.fixtures.mp4.length, parseSteering(task.prompt).sizeBytes);
	const mp4Path = state.fixtures.mp4Path;
	async function* chunks(): AsyncGenerator<Buffer> {
		for await (const chunk of fs.createReadStream(mp4Path)) yield chunk as Buffer;
		if (layout.boxHeader) yield layout.boxHeader;
		// Generated chunk by chunk so multi-GB bench videos never sit in memory.
		for (let left = layout.zeros; left > 0; left -= ZERO_CHUNK.length) {
			yield left >= ZERO_CHUNK.length ? ZERO_CHUNK : ZERO_CHUNK.subarray(0, left);
		}
	}
	return {
		status: 200,
		contentType: 'video/mp4',
		contentLength: layout.total,
		stream: () => Readable.from(chunks(), { objectMode: false }),
	};
}

// ---------------------------------------------------------------------------
// HTTP plumbing

function readBody(req: http.IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const parts: Buffer[] = [];
		req.on('data', (c: Buffer) => parts.push(c));
		req.on('end', () => resolve(Buffer.concat(parts)));
		req.on('error', reject);
	});
}

const LONG_STRING = 4096;

/**
 * What the simulator keeps of a request body: long strings (inline files as data URLs) are
 * replaced by their start, length and digest, so the request log never holds megabytes a
 * memory benchmark of the node, in the same process, would count.
 */
const compacted = new WeakMap<object, unknown>();

/** The same body compacts to the same object, so a task's body is its create request's body. */
export function compactBody(value: unknown): unknown {
	if (typeof value === 'object' && value !== null) {
		if (!compacted.has(value)) compacted.set(value, compactValue(value));
		return compacted.get(value);
	}
	return compactValue(value);
}

function compactValue(value: unknown): unknown {
	if (typeof value === 'string' && value.length > LONG_STRING) {
		const digest = crypto.createHash('sha256').update(value).digest('hex').slice(0, 16);
		// Copied through a Buffer: a plain slice would keep the whole string alive (V8 sliced string).
		const start = Buffer.from(value.slice(0, 64), 'utf8').toString('utf8');
		return `${start}…[${value.length} chars, sha256 ${digest}]`;
	}
	if (Array.isArray(value)) return value.map(compactValue);
	if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, compactValue(entry)]));
	return value;
}

export function parseBody(raw: Buffer): unknown {
	if (raw.length === 0) return undefined;
	const text = raw.toString('utf8');
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

export function sendReply(res: http.ServerResponse, reply: Reply, method: string, truncateAfterBytes?: number): void {
	if (res.destroyed || res.writableEnded) return;
	const headers: Record<string, string | number> = { ...(reply.headers ?? {}) };
	let payload: Buffer | undefined;
	if (reply.json !== undefined) {
		payload = Buffer.from(JSON.stringify(reply.json));
		headers['Content-Type'] ??= 'application/json; charset=utf-8';
	} else if (reply.data) {
		payload = reply.data;
	}
	if (reply.contentType) headers['Content-Type'] = reply.contentType;
	if (payload) headers['Content-Length'] = payload.length;
	else if (reply.contentLength !== undefined) headers['Content-Length'] = reply.contentLength;
	res.writeHead(reply.status, headers);
	if (method === 'HEAD') {
		res.end();
	} else if (truncateAfterBytes !== undefined) {
		// The headers promise the whole body; the connection breaks off part way.
		void (async () => {
			const source = payload ? Readable.from([payload]) : reply.stream ? reply.stream() : Readable.from([]);
			let left = truncateAfterBytes;
			for await (const chunk of source) {
				const part = (chunk as Buffer).subarray(0, left);
				left -= part.length;
				if (part.length) res.write(part);
				if (left <= 0) break;
			}
			source.destroy();
			setTimeout(() => res.socket?.destroy(), 20);
		})();
	} else if (payload) {
		res.end(payload);
	} else if (reply.stream) {
		const stream = reply.stream();
		stream.on('error', () => res.destroy());
		res.on('close', () => stream.destroy());
		stream.pipe(res);
	} else {
		res.end();
	}
}

function faultMatches(spec: FaultSpec, rec: RecordedRequest): boolean {
	if (spec.server !== undefined && spec.server !== rec.server) return false;
	if (spec.gateway !== undefined && (rec.server !== 'gateway' || spec.gateway !== rec.gateway)) return false;
	if (spec.method !== undefined && spec.method.toUpperCase() !== rec.method) return false;
	if (spec.pathIncludes !== undefined && !rec.path.includes(spec.pathIncludes)) return false;
	if (spec.bodyIncludes !== undefined && !JSON.stringify(rec.body ?? null).includes(spec.bodyIncludes)) return false;
	return true;
}

/** Finds the first armed fault (injection order) that matches, and consumes it. */
function takeFault(state: SimState, rec: RecordedRequest): FaultSpec | undefined {
	const i = state.faults.findIndex((f) => f.remaining > 0 && faultMatches(f.spec, rec));
	if (i < 0) return undefined;
	const armed = state.faults[i];
	armed.remaining--;
	if (armed.remaining <= 0) state.faults.splice(i, 1);
	return armed.spec;
}

// setTimeout cannot wait longer than ~24.8 days; treat anything beyond as "never".
const MAX_TIMER_MS = 0x7fffffff;

/**
 * Applies a fault. Returns true when the fault fully answered (or dropped) the
 * request, false when normal handling should continue (hangMs alone).
 */
async function applyFault(state: SimState, spec: FaultSpec, res: http.ServerResponse): Promise<boolean> {
	const canned = spec.status !== undefined || spec.body !== undefined;
	if (spec.hangMs !== undefined) {
		if (!(spec.hangMs <= MAX_TIMER_MS)) return true; // hang until the client or close() gives up
		await sleep(state, spec.hangMs);
	}
	if (state.closed || res.destroyed) return true;
	if (spec.reset) {
		res.socket?.destroy();
		return true;
	}
	if (spec.malformedJson) {
		sendReply(
			res,
			{ status: 200, data: Buffer.from('{"id": "truncated', 'utf8'), contentType: 'application/json' },
			'GET',
		);
		return true;
	}
	if (canned) {
		const status = spec.status ?? 500;
		const reply: Reply =
			typeof spec.body === 'string'
				? { status, data: Buffer.from(spec.body, 'utf8'), headers: { 'Content-Type': 'text/plain; charset=utf-8', ...spec.headers } }
				: spec.body === undefined
					? { status, headers: spec.headers }
					: { status, json: spec.body, headers: spec.headers };
		sendReply(res, reply, 'GET');
		return true;
	}
	return false;
}

export type ControlHandler = (method: string, route: string, body: unknown) => Reply;

/** Request listener for the gateway server: both gateways live under their own path prefix. */
export function gatewayListener(
	state: SimState,
	modules: GatewayModule[],
	control: ControlHandler,
): http.RequestListener {
	return (req, res) => {
		void (async () => {
			const method = (req.method ?? 'GET').toUpperCase();
			const url = req.url ?? '/';
			const body = parseBody(await readBody(req));
			const { pathname, query } = splitUrl(url);

			// Test-harness control endpoints (used by the CLI's users); never recorded.
			if (pathname.startsWith('/__sim/')) {
				sendReply(res, control(method, pathname.slice('/__sim'.length), body), method);
				return;
			}

			const mod = modules.find((m) => pathname === m.prefix || pathname.startsWith(m.prefix + '/'));
			const rec: RecordedRequest = {
				server: 'gateway',
				gateway: mod?.name,
				method,
				path: url,
				headers: { ...req.headers },
				body: compactBody(body),
				at: Date.now(),
			};
			state.requests.push(rec);

			await sleep(state, state.knobs.latencyMs);
			const fault = takeFault(state, rec);
			if (fault && (await applyFault(state, fault, res))) return;
			if (state.closed) return;

			if (!mod) {
				sendReply(res, { status: 404, json: { error: { message: `no gateway at ${pathname}`, type: 'not_found' } } }, method);
				return;
			}
			let reply: Reply;
			try {
				const authHeader = req.headers.authorization;
				if (!bearerMatches(authHeader, mod.key(state.knobs))) throw mod.unauthorized();
				const route = pathname.slice(mod.prefix.length) || '/';
				if (state.knobs.redirectStatus && mod.isStatusCheck(method, route)) {
					// A list's filters travel with the presigned URL, as a signing proxy keeps them.
					const filters = query.toString();
					sendReply(res, { status: 307, headers: { Location: `${signedUrl(state, `/mirror${pathname}`)}${filters ? `&${filters}` : ''}` } }, method);
					return;
				}
				reply = mod.handle({
					state,
					method,
					route: pathname.slice(mod.prefix.length) || '/',
					query,
					body,
					now: Date.now(),
				});
			} catch (err) {
				if (!(err instanceof ApiError)) throw err;
				reply = { status: err.status, json: mod.errorBody(err) };
			}
			// The gateway did the work (a create made its task), but the answer never arrives.
			if (fault?.lostResponse) {
				res.socket?.destroy();
				return;
			}
			sendReply(res, reply, method, fault?.truncateAfterBytes);
		})().catch((err: unknown) => {
			// A bug in the simulator must surface as a 500, not a hung test.
			if (!res.headersSent && !res.destroyed) {
				sendReply(res, { status: 500, json: { error: { message: `simulator bug: ${String(err)}` } } }, 'GET');
			} else {
				res.destroy();
			}
		});
	};
}

/** Request listener for the CDN: no key, just recorded and served. */
export type CdnRoute = (method: string, pathname: string, query: URLSearchParams, authorization: string | undefined) => Reply;

export function cdnListener(state: SimState, route: CdnRoute): http.RequestListener {
	return (req, res) => {
		void (async () => {
			const method = (req.method ?? 'GET').toUpperCase();
			const url = req.url ?? '/';
			const body = parseBody(await readBody(req));
			const rec: RecordedRequest = { server: 'cdn', method, path: url, headers: { ...req.headers }, body, at: Date.now() };
			state.requests.push(rec);
			const fault = takeFault(state, rec);
			if (fault && (await applyFault(state, fault, res))) return;
			if (state.closed) return;
			const { pathname, query } = splitUrl(url);
			sendReply(res, route(method, pathname, query, req.headers.authorization), method, fault?.truncateAfterBytes);
		})().catch(() => res.destroy());
	};
}

/** An OpenAI-style model list, as both gateways' GET /models answer. */
export function modelList(ids: string[]): Record<string, unknown> {
	return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'gateway' })) };
}
