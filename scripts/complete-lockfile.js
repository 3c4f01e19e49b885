#!/usr/bin/env node
// This machine's npm registry mirror only serves the linux builds of platform-specific optional
// packages (e.g. @unrs/resolver-binding-darwin-x64 answers 404), so `npm install` leaves them out
// of package-lock.json and `npm ci` then refuses the lock file as "Missing: ...". This adds the
// missing entries, marked optional with the os/cpu their names declare, so npm ci skips them on
// this platform without fetching. Run it after any `npm install` that rewrites the lock file.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const OS = ['android', 'darwin', 'freebsd', 'linux', 'openharmony', 'win32'];

let added = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
	for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
		const target = `node_modules/${name}`;
		if (lock.packages[target] || lock.packages[`${location}/${target}`]) continue;
		// e.g. resolver-binding-linux-arm-gnueabihf: os linux, cpu arm, libc glibc
		const platform = /-([a-z0-9]+)-([a-z0-9]+)(?:-([a-z]+))?$/.exec(name);
		if (!platform || !OS.includes(platform[1])) continue;
		const [, os, cpu, suffix = ''] = platform;
		const libc = suffix.startsWith('gnu') ? 'glibc' : suffix.startsWith('musl') ? 'musl' : undefined;
		const base = name.split('/').pop();
		lock.packages[target] = {
			version,
			resolved: `https://registry.npmjs.org/${name}/-/${base}-${version}.tgz`,
			cpu: [cpu],
			dev: true,
			license: 'MIT',
			optional: true,
			os: [os],
			...(libc ? { libc: [libc] } : {}),
		};
		added++;
	}
}
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`added ${added} platform-only lock entries\n`);
