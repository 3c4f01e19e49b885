// The storage/CDN host that finished-task URLs point at. It sits on its own origin, and its
// URLs are presigned: the signature is the credential, so it refuses a request that also
// carries an Authorization header, as object storage does. Tests prove keys never reach it.

import { isSucceeded, presignedRefusal, videoReply } from './core';
import type { Reply, SimState } from './core';

const ASSET = /^\/(tokenhub|aihubmix|ark)\/(videos|covers|frames)\/([^/]+)\.(mp4|jpg|png)$/;
const EXT_BY_KIND: Record<string, string> = { videos: 'mp4', covers: 'jpg', frames: 'png' };

function text(status: number, body: string): Reply {
	return { status, data: Buffer.from(body, 'utf8'), contentType: 'text/plain; charset=utf-8' };
}

/**
 * `mirror` answers a gateway route (the part after /mirror) without a key check: where a
 * gateway's status check redirects to (see the redirectStatus knob).
 */
export function cdnRoute(
	state: SimState,
	method: string,
	pathname: string,
	query: URLSearchParams,
	authorization: string | undefined,
	mirror: (gatewayPath: string, query: URLSearchParams) => Reply,
): Reply {
	if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method Not Allowed');
	const refusal = presignedRefusal(pathname, query, authorization);
	if (refusal) return refusal;
	if (pathname.startsWith('/mirror/')) {
		const filters = new URLSearchParams([...query].filter(([name]) => !name.startsWith('X-Amz-')));
		return mirror(pathname.slice('/mirror'.length), filters);
	}
	const m = ASSET.exec(pathname);
	if (!m || EXT_BY_KIND[m[2]] !== m[4]) return text(404, 'Not Found');
	const [, gateway, kind, rawId] = m;
	const id = decodeURIComponent(rawId);
	const task = state.tasks.get(id);
	// Like a signed object URL: only assets of finished, still-known tasks exist.
	if (!task || task.gateway !== gateway || !isSucceeded(task, Date.now())) return text(404, 'Not Found');
	if (kind === 'videos') return videoReply(state, task);
	if (kind === 'covers') return { status: 200, data: state.fixtures.jpg, contentType: 'image/jpeg' };
	return { status: 200, data: state.fixtures.png, contentType: 'image/png' };
}
