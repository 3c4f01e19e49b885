#!/usr/bin/env node
// Runs n8n's own community-package scanner (@n8n/scan-community-package, the check n8n runs
// before it verifies a package) offline, the two ways its CLI does after downloading a package:
//   - on the source: its SOURCE_FILE_PATTERNS (package.json, nodes/ and credentials/ sources);
//   - on the packed package: ['**/*.js', 'package.json'] in the unpacked `npm pack` tarball.
// Its CLI only takes a published name (it needs npm provenance and fetches the attested source),
// so this calls its exported analyzePackage(dir, patterns) from scanner/scanner.mjs directly.
//
//   node scripts/scan-package.mjs                    this checkout's source, then `npm pack` of it
//                                                    (build first: npm run build)
//   node scripts/scan-package.mjs --source DIR       a source folder
//   node scripts/scan-package.mjs --packed DIR|TGZ   an unpacked package folder, or a tarball
//
// Exit 0: every scan passed. Exit 1: findings (printed) or a scan that found no node to scan.
// Exit 2: wrong arguments, or the checkout is not built.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCANNER = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
const PACKED_PATTERNS = ['**/*.js', 'package.json'];
// The scanner's own file walker, so the count below is of the files it lints.
const glob = createRequire(SCANNER)('fast-glob');

function say(message) {
	process.stderr.write(`[scan-package] ${message}\n`);
}

function usage(message) {
	say(message);
	say('usage: node scripts/scan-package.mjs [--source DIR] [--packed DIR|TGZ]');
	process.exit(2);
}

function parseArgs(argv) {
	const scans = [];
	for (let i = 0; i < argv.length; i += 2) {
		const [flag, value] = [argv[i], argv[i + 1]];
		if ((flag !== '--source' && flag !== '--packed') || !value) usage(`unexpected argument ${flag ?? ''}`);
		scans.push({ kind: flag.slice(2), target: path.resolve(value) });
	}
	return scans.length ? scans : [{ kind: 'source', target: ROOT }, { kind: 'packed', target: undefined }];
}

function run(command, args, options) {
	const result = spawnSync(command, args, { encoding: 'utf8', ...options });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
	return result.stdout;
}

function unpack(tarball, into) {
	fs.mkdirSync(into, { recursive: true });
	run('tar', ['-xzf', tarball, '-C', into, '--strip-components=1']);
	return into;
}

/** `npm pack` of this checkout, unpacked; refuses an unbuilt checkout instead of scanning nothing. */
function packCheckout(tempDir) {
	const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	const missing = [...manifest.n8n.nodes, ...manifest.n8n.credentials].filter((file) => !fs.existsSync(path.join(ROOT, file)));
	if (missing.length) {
		say(`not built (${missing[0]} is missing): run npm run build first`);
		process.exit(2);
	}
	const name = run('npm', ['pack', '--silent', '--pack-destination', tempDir], { cwd: ROOT }).trim().split('\n').pop();
	say(`packed ${name}`);
	return unpack(path.join(tempDir, name), path.join(tempDir, 'package'));
}

/** The files a scan must have seen, or it proves nothing: the node and credential files. */
function requiredFiles(kind, dir) {
	if (kind === 'source') return glob.sync(['nodes/**/*.node.ts'], { cwd: dir });
	const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
	return [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? [])];
}

async function main() {
	const scans = parseArgs(process.argv.slice(2));
	const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seedance-scan-'));
	// The scanner makes a download folder when it loads (os.tmpdir()): keep it inside ours.
	process.env.TMPDIR = tempDir;
	// eslint-plugin-n8n-nodes-base treats every file as a node, a trigger and a credential when
	// NODE_ENV is "test" (its own test mode), which jest sets: scan as n8n does.
	if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;
	const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(SCANNER);
	let failed = false;
	try {
		for (const { kind, target } of scans) {
			let dir = target;
			if (kind === 'packed' && !target) dir = packCheckout(tempDir);
			else if (kind === 'packed' && target.endsWith('.tgz')) dir = unpack(target, fs.mkdtempSync(path.join(tempDir, 'tgz-')));
			if (!fs.existsSync(path.join(dir, 'package.json'))) usage(`${dir} has no package.json`);
			const patterns = kind === 'source' ? SOURCE_FILE_PATTERNS : PACKED_PATTERNS;
			const files = glob.sync(patterns, { cwd: dir, ignore: ['node_modules/**', '**/package-lock.json'] });
			const unseen = requiredFiles(kind, dir).filter((file) => !files.includes(file));
			if (unseen.length || !files.some((file) => file !== 'package.json')) {
				say(`FAILED ${kind} ${dir}: the scan would not see ${unseen.join(', ') || 'any node file'}`);
				failed = true;
				continue;
			}
			const result = await analyzePackage(dir, patterns);
			if (result.passed) {
				say(`passed ${kind}: ${files.length} files (${patterns.join(', ')}) in ${dir === ROOT ? 'this checkout' : dir}`);
			} else {
				failed = true;
				say(`FAILED ${kind}: ${result.message} (${files.length} files, ${patterns.join(', ')}) in ${dir}`);
				if (result.details) process.stderr.write(`${result.details}\n`);
			}
		}
	} finally {
		fs.rmSync(tempDir, { recursive: true, force: true });
	}
	process.exit(failed ? 1 : 0);
}

main().catch((error) => {
	say(`scan could not run: ${error.stack ?? error}`);
	process.exit(1);
});
