/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
// Gateway simulator: TokenHub, AIHubMix and Ark Seedance APIs on one loopback port,
// plus a separate CDN origin that serves the finished videos.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { aihubmix } from './aihubmix';
import { ark, setArkListQuirks } from './ark';
import { arkCallbackAttempts, arkCallbacksSettled, releaseArkCallbacks, resetArkCallbacks, sendArkCallback, setArkCallbackKnobs, stopArkCallbacks } from './ark-callbacks';
import { cdnRoute } from './cdn';
import { ApiError, cdnListener, DEFAULT_KNOBS, gatewayListener, isRecord, loadFixtures, stripQuery } from './core';
import type { GatewayModule, Knobs, Reply, SimState } from './core';
import { tokenhub } from './tokenhub';
import type { FaultSpec, GatewayName, RecordedRequest, Simulator, SimulatorOptions } from './types';

export type { ArkCallbackAttempt, ArkCallbackForgery, ArkCallbackKnobs, CallbackAnswer } from './types';
export type { ArkListQuirks, FaultSpec, GatewayName, RecordedRequest, Simulator, SimTask, SimulatorOptions } from './types';

const MODULES: GatewayModule[] = [tokenhub, aihubmix, ark];
const KNOB_NAMES = Object.keys(DEFAULT_KNOBS) as Array<keyof Knobs>;

function pickKnobs(options: Partial<SimulatorOptions>): Partial<Knobs> {
	const out: Partial<Knobs> = {};
	for (const name of KNOB_NAMES) {
		if (options[name] !== undefined) (out as Record<string, unknown>)[name] = options[name];
	}
	return out;
}

function listen(server: http.Server, port: number): Promise<number> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', reject);
			resolve((server.address() as AddressInfo).port);
		});
	});
}

function shut(server: http.Server): Promise<void> {
	return new Promise((resolve) => {
		server.close(() => resolve());
		// Keep-alive and deliberately hung sockets would otherwise block close().
		server.closeAllConnections();
	});
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
	const state: SimState = {
		knobs: { ...DEFAULT_KNOBS, ...pickKnobs(options) },
		requests: [],
		tasks: new Map(),
		faults: [],
		cdnOrigin: '',
		fixtures: loadFixtures(),
		timers: new Set(),
		closed: false,
	};

	const moduleOf = (name: GatewayName): GatewayModule => MODULES.find((m) => m.name === name)!;
	const byGateway = (gateway?: GatewayName) => (r: RecordedRequest) =>
		r.server === 'gateway' && (gateway === undefined || r.gateway === gateway);

	// Mirrors the Simulator methods over HTTP for out-of-process users (the CLI).
	const control = (method: string, route: string, body: unknown): Reply => {
		const ok: Reply = { status: 200, json: { ok: true } };
		if (method === 'GET' && route === '/state') {
			return { status: 200, json: { knobs: state.knobs, requests: state.requests, tasks: [...state.tasks.values()] } };
		}
		if (method === 'POST' && route === '/faults' && isRecord(body)) {
			sim.injectFault(body as FaultSpec);
			return ok;
		}
		if (method === 'POST' && route === '/set' && isRecord(body)) {
			sim.set(body as Partial<SimulatorOptions>);
			return ok;
		}
		if (method === 'POST' && route === '/reset') {
			sim.reset();
			return ok;
		}
		return { status: 404, json: { error: { message: `unknown control route ${method} /__sim${route}` } } };
	};

	const gatewayServer = http.createServer(gatewayListener(state, MODULES, control));
	// The status mirror answers as the gateway would, for the presigned URL it redirected to.
	const mirror = (gatewayPath: string, query: URLSearchParams): Reply => {
		const mod = MODULES.find((m) => gatewayPath.startsWith(m.prefix + '/'));
		if (!mod) return { status: 404, json: { error: { message: 'not found' } } };
		try {
			return mod.handle({ state, method: 'GET', route: gatewayPath.slice(mod.prefix.length), query, body: undefined, now: Date.now() });
		} catch (err) {
			if (!(err instanceof ApiError)) throw err;
			return { status: err.status, json: mod.errorBody(err) };
		}
	};
	const cdnServer = http.createServer(
		cdnListener(state, (method, pathname, query, authorization) => cdnRoute(state, method, pathname, query, authorization, mirror)),
	);
	const gatewayPort = await listen(gatewayServer, options.port ?? 0);
	const cdnPort = await listen(cdnServer, 0);
	const gatewayOrigin = `http://127.0.0.1:${gatewayPort}`;
	state.cdnOrigin = `http://127.0.0.1:${cdnPort}`;

	const sim: Simulator = {
		tokenhubBaseUrl: gatewayOrigin + tokenhub.prefix,
		aihubmixBaseUrl: gatewayOrigin + aihubmix.prefix,
		arkBaseUrl: gatewayOrigin + ark.prefix,
		cdnOrigin: state.cdnOrigin,
		get tokenhubKey() {
			return state.knobs.tokenhubKey;
		},
		get aihubmixKey() {
			return state.knobs.aihubmixKey;
		},
		get arkKey() {
			return state.knobs.arkKey;
		},
		requests: state.requests,
		tasks: state.tasks,
		mp4: state.fixtures.mp4,
		createRequests(gateway) {
			return state.requests.filter((r) => {
				if (!byGateway(gateway)(r) || r.gateway === undefined) return false;
				const mod = moduleOf(r.gateway);
				return mod.isCreate(r.method, stripQuery(r.path).slice(mod.prefix.length));
			});
		},
		gatewayRequests(gateway) {
			return state.requests.filter(byGateway(gateway));
		},
		cdnRequests() {
			return state.requests.filter((r) => r.server === 'cdn');
		},
		set(next) {
			Object.assign(state.knobs, pickKnobs(next));
		},
		setArkList(quirks) {
			setArkListQuirks(state, quirks);
		},
		setArkCallbacks(knobs) {
			setArkCallbackKnobs(state, knobs);
		},
		get arkCallbacks() {
			return arkCallbackAttempts(state);
		},
		releaseArkCallbacks() {
			releaseArkCallbacks(state);
		},
		async arkCallbacksSettled() {
			await arkCallbacksSettled(state);
		},
		async sendArkCallback(url, kind, taskId) {
			return await sendArkCallback(state, url, kind, taskId);
		},
		injectFault(fault) {
			state.faults.push({ spec: { ...fault }, remaining: fault.times ?? 1 });
		},
		reset() {
			// Cleared in place so arrays/maps already held by a test stay live.
			state.requests.length = 0;
			state.tasks.clear();
			state.faults.length = 0;
			setArkListQuirks(state, null);
			resetArkCallbacks(state);
		},
		async close() {
			state.closed = true;
			stopArkCallbacks(state);
			for (const t of state.timers) clearTimeout(t);
			state.timers.clear();
			await Promise.all([shut(gatewayServer), shut(cdnServer)]);
		},
	};
	return sim;
}
