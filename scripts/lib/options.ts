/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
/** `--name value` options and `--flag` switches of the bench and fault scripts. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);

/** The repository, found from wherever the scripts were compiled to (node_modules/.cache/...). */
export const REPO_ROOT = ((): string => {
	for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
		const manifest = join(dir, 'package.json');
		if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'n8n-nodes-seedance') return dir;
	}
	return process.cwd();
})();

export const flag = (name: string): boolean => args.includes(`--${name}`);

export function option(name: string, fallback: number): number {
	const index = args.indexOf(`--${name}`);
	return index >= 0 ? Number(args[index + 1]) : fallback;
}

/** A seeded generator in [0, 1), so runs with the same seed compare. */
export function seededRandom(seed: number): () => number {
	let state = seed;
	return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}
