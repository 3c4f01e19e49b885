// The storage/CDN host that finished-task URLs point at. It sits on its own
// origin and needs no key, so tests can prove credentials never leak to it.

import { isSucceeded, videoReply } from './core';
import type { Reply, SimState } from './core';

const ASSET = /^\/(tokenhub|aihubmix)\/(videos|covers|frames)\/([^/]+)\.(mp4|jpg|png)$/;
const EXT_BY_KIND: Record<string, string> = { videos: 'mp4', covers: 'jpg', frames: 'png' };

function text(status: number, body: string): Reply {
	return { status, data: Buffer.from(body, 'utf8'), contentType: 'text/plain; charset=utf-8' };
}

export function cdnRoute(state: SimState, method: string, pathname: string): Reply {
	if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method Not Allowed');
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
