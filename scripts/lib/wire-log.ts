/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
/**
 * What each HTTP exchange of a server looked like from the client's side: the status it was
 * answered with (or none, when the connection was dropped first) and whether the whole answer
 * went out. The simulator records requests but not answers, and a fault script must know, for
 * example, whether a create was refused with a 4xx or never answered at all.
 *
 * `recordServers(start)` wraps the listeners of the HTTP servers created while `start` runs
 * (only those), and tags each request with a `x-wire-id` header so that a request the server
 * recorded (its headers copied) can be matched to its exchange.
 */
// The module object itself (not a namespace copy), so the simulator's `http.createServer` sees the patch.
import http from 'node:http';

export const WIRE_ID_HEADER = 'x-wire-id';

export interface Exchange {
	id: number;
	/** The local port of the server that took the request. */
	port: number;
	method: string;
	url: string;
	at: number;
	/** The status sent, or undefined when the connection closed before any answer. */
	status?: number;
	/** The whole answer was written (false: no answer, or it broke off part way). */
	complete: boolean;
	closed: boolean;
}

export async function recordServers<T>(start: () => Promise<T>): Promise<{ value: T; exchanges: Exchange[] }> {
	const exchanges: Exchange[] = [];
	const wrap =
		(listener: http.RequestListener): http.RequestListener =>
		(req, res) => {
			const exchange: Exchange = {
				id: exchanges.length,
				port: req.socket.localPort ?? 0,
				method: (req.method ?? 'GET').toUpperCase(),
				url: req.url ?? '/',
				at: Date.now(),
				complete: false,
				closed: false,
			};
			exchanges.push(exchange);
			req.headers[WIRE_ID_HEADER] = String(exchange.id);
			res.on('finish', () => (exchange.complete = true));
			res.on('close', () => {
				exchange.closed = true;
				if (res.headersSent) exchange.status = res.statusCode;
			});
			listener(req, res);
		};
	const original = http.createServer;
	const patched = (...args: unknown[]) => {
		const at = args.findIndex((arg) => typeof arg === 'function');
		if (at >= 0) args[at] = wrap(args[at] as http.RequestListener);
		return (original as (...a: unknown[]) => http.Server)(...args);
	};
	(http as { createServer: unknown }).createServer = patched;
	try {
		return { value: await start(), exchanges };
	} finally {
		(http as { createServer: unknown }).createServer = original;
	}
}

/** The exchange a recorded request (headers as the server saw them) belongs to. */
export function exchangeOf(exchanges: Exchange[], headers: Record<string, string | string[] | undefined>): Exchange | undefined {
	const id = headers[WIRE_ID_HEADER];
	return typeof id === 'string' ? exchanges[Number(id)] : undefined;
}
