#!/usr/bin/env node
// Runs before `npm test` and `npm run demo`, so both work on a fresh clone: installs the dev
// dependencies when they are missing, with the two flags this toolchain needs (see README,
// "Development and tests"). Does nothing once node_modules is there.
'use strict';
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
if (!existsSync(path.join(root, 'node_modules', '.bin', 'jest'))) {
	process.stderr.write('[seedance] installing dev dependencies (npm ci --ignore-scripts), about a minute\n');
	const result = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
		cwd: root,
		stdio: 'inherit',
		env: { ...process.env, npm_config_yes: 'true' },
	});
	process.exit(result.status ?? 1);
}
