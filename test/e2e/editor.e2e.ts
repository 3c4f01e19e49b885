/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import type { ChildProcess } from 'child_process';
import { spawn } from 'child_process';
import { mkdirSync, rmSync } from 'fs';
import { join } from 'path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { freePort, stopProcess } from './processes';
import { chain, MANUAL_TRIGGER } from './workflows';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/lib/real-n8n');

/**
 * n8n's editor in headless Chromium (Debian's package, driven by playwright-core): the node's
 * panel shows and hides fields as provider, operation and media roles change. Screenshots go
 * to docs/screenshots for the README.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(lib.ROOT, 'docs', 'screenshots');

let n8nProcess: ChildProcess;
let browser: Browser;
let page: Page;
let userFolder: string;
let baseUrl: string;

const seedanceNode = (provider: string) => ({
	name: 'Seedance',
	type: lib.NODE_TYPE,
	typeVersion: 1.1,
	parameters: { provider, operation: 'create', prompt: 'A red fox runs through fresh snow, cinematic' },
});

beforeAll(async () => {
	const prepared = lib.n8nWithPackage();
	const n8n = prepared.n8n;
	userFolder = prepared.userFolder;
	lib.importAll(userFolder, n8n, {
		workflows: [
			chain('seedanceEditorTH', [MANUAL_TRIGGER, seedanceNode('tokenhub')]),
			chain('seedanceEditorAH', [MANUAL_TRIGGER, seedanceNode('aihubmix')]),
			chain('seedanceEditorARK', [MANUAL_TRIGGER, seedanceNode('ark')]),
		],
	});
	const port = await freePort();
	baseUrl = `http://127.0.0.1:${port}`;
	n8nProcess = spawn(n8n.n8nBin, ['start'], {
		env: lib.n8nEnv(userFolder, n8n, { N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_SECURE_COOKIE: 'false' }),
		stdio: 'ignore',
	});
	// /healthz answers before the editor is mounted; wait for the page itself.
	for (let attempt = 0; attempt < 240; attempt++) {
		const ok = await fetch(`${baseUrl}/signin`, { headers: { accept: 'text/html' } }).then((r) => r.ok, () => false);
		if (ok) break;
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 1000 } });
	const owner = await context.request.post('/rest/owner/setup', {
		data: { email: 'owner@example.com', firstName: 'Ada', lastName: 'Owner', password: 'Password123!' },
	});
	expect(owner.status()).toBe(200);
	page = await context.newPage();
	mkdirSync(SHOTS, { recursive: true });
}, 10 * 60 * 1000);

afterAll(async () => {
	await browser?.close();
	await stopProcess(n8nProcess);
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

/**
 * The visible input of a parameter. The element carrying the test id has no box of its own
 * (Playwright calls it hidden), so target the input inside it.
 */
const param = (name: string) =>
	page.locator(`[data-test-id="parameter-input-${name}"] [data-parameter-path]`).filter({ visible: true }).first();

async function openSeedance(workflowId: string) {
	await page.goto(`/workflow/${workflowId}`, { waitUntil: 'networkidle' });
	const node = page.locator('[data-test-id="canvas-node"]').filter({ hasText: 'Seedance' }).first();
	// The canvas takes a moment to become interactive; double-click until the panel opens.
	for (let attempt = 0; attempt < 5; attempt++) {
		if (!(await param('operation').isVisible())) await node.dblclick();
		const opened = await param('operation')
			.waitFor({ timeout: 5000 })
			.then(() => true, () => false);
		if (opened) return;
	}
	await page.screenshot({ path: join(SHOTS, 'debug-open-failed.png') });
	throw new Error(`could not open the Seedance node of ${workflowId}`);
}

async function choose(parameter: string, option: string) {
	await param(parameter).click();
	// An option's text is its name followed by its description.
	const escaped = option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	await page.getByRole('option').filter({ visible: true }).filter({ hasText: new RegExp(`^\\s*${escaped}`) }).first().click();
}

async function optionsOf(parameter: string): Promise<string[]> {
	await param(parameter).click();
	const options = page.getByRole('option').filter({ visible: true });
	await options.first().waitFor();
	const names = (await options.allInnerTexts()).map((text) => text.split('\n')[0].trim()).filter(Boolean);
	await page.keyboard.press('Escape');
	return names;
}

const visible = async (parameter: string) => await param(parameter).isVisible();

describe('the Seedance panel in the n8n editor', () => {
	it('TokenHub: its fields, its operations (no Delete), and the provider chosen with the credential', async () => {
		await openSeedance('seedanceEditorTH');
		for (const parameter of ['prompt', 'model', 'duration', 'resolution', 'ratio', 'generateAudio', 'waitForCompletion']) {
			expect(await visible(parameter)).toBe(true);
		}
		await page.screenshot({ path: join(SHOTS, 'panel-tokenhub.png') });
		// n8n itself appends "Custom API Call" to every node with credentials.
		const operations = await optionsOf('operation');
		expect(operations.slice(0, 3)).toEqual(['Create', 'Get', 'Wait']);
		expect(operations).not.toContain('Delete');
		expect(await optionsOf('ratio')).toContain('Adaptive (Follow the Input)');

		// n8n treats Provider as the node's authentication choice: it is picked in the credential panel.
		await page.getByText('Connect to TokenHub').click();
		await page.getByText('Setup credential').waitFor();
		await page.screenshot({ path: join(SHOTS, 'credential-provider.png') });
		await page.keyboard.press('Escape');
	});

	it('media by role: fields follow the role and the source', async () => {
		await openSeedance('seedanceEditorTH');
		await page.getByRole('button', { name: 'Add Media' }).click();
		expect(await visible('role')).toBe(true);
		expect(await visible('url')).toBe(true);
		expect(await visible('durationSeconds')).toBe(false);

		await choose('role', 'Reference Video');
		// TokenHub bills reference video seconds, so it asks for their length.
		expect(await visible('durationSeconds')).toBe(true);
		await choose('source', 'Binary File');
		expect(await visible('binaryProperty')).toBe(true);
		expect(await visible('url')).toBe(false);
		await param('binaryProperty').scrollIntoViewIfNeeded();
		await page.screenshot({ path: join(SHOTS, 'media-reference-video.png') });

		await choose('role', 'Reference Image');
		expect(await visible('durationSeconds')).toBe(false);
		expect(await optionsOf('role')).toEqual(['First Frame', 'Last Frame', 'Reference Audio', 'Reference Image', 'Reference Video']);
	});

	it('AIHubMix: Delete is offered, ratio has no "adaptive", a reference video needs no duration', async () => {
		await openSeedance('seedanceEditorAH');
		expect((await optionsOf('operation')).slice(0, 4)).toEqual(['Create', 'Delete', 'Get', 'Wait']);
		expect(await optionsOf('ratio')).not.toContain('Adaptive (Follow the Input)');
		expect(await optionsOf('resolution')).toEqual(['480p', '720p', '1080p']);
		await page.getByRole('button', { name: 'Add Media' }).click();
		await choose('role', 'Reference Video');
		expect(await visible('durationSeconds')).toBe(false);
		await page.screenshot({ path: join(SHOTS, 'panel-aihubmix.png') });
	});

	it('prices where the model is chosen, Simplify Output, and Max Cost per Run among the options', async () => {
		await openSeedance('seedanceEditorTH');
		expect(await visible('simplify')).toBe(true);
		await param('model').click();
		const models = page.getByRole('option').filter({ visible: true });
		await models.first().waitFor();
		const names = (await models.allInnerTexts()).map((text) => text.split('\n')[0].trim());
		expect(names).toContain('doubao-seedance-2.0 · $0.12/s 480p, $0.20/s 720p');
		expect(names).toContain('doubao-seedance-2.0-fast · $0.10/s 480p, $0.16/s 720p');
		await page.screenshot({ path: join(SHOTS, 'model-prices.png') });
		await page.keyboard.press('Escape');

		// A collection's "Add Option" is a dropdown at the foot of the panel.
		const addOption = page.locator('input[placeholder="Add Option"], :text-is("Add Option")').last();
		await addOption.scrollIntoViewIfNeeded();
		await addOption.click();
		await page.getByRole('option').filter({ visible: true }).first().waitFor();
		const choices = await page.getByRole('option').filter({ visible: true }).allInnerTexts();
		expect(choices.map((text) => text.split('\n')[0].trim())).toContain('Max Cost per Run');
		await page.keyboard.press('Escape');
	});

	it("Ark: Get Many and Delete offered, its models with token prices, Service Tier only here", async () => {
		await openSeedance('seedanceEditorARK');
		expect((await optionsOf('operation')).slice(0, 5)).toEqual(['Create', 'Delete', 'Get', 'Get Many', 'Wait']);
		const models = await optionsOf('model');
		expect(models).toContain('dreamina-seedance-2-0-260128 · $7/M tokens ≈ $0.151/s at 720p 16:9');
		const addField = page.locator('input[placeholder="Add Field"], :text-is("Add Field")').last();
		await addField.scrollIntoViewIfNeeded();
		await addField.click();
		await page.getByRole('option').filter({ visible: true }).first().waitFor();
		const fields = (await page.getByRole('option').filter({ visible: true }).allInnerTexts()).map((text) => text.split('\n')[0].trim());
		expect(fields).toEqual(expect.arrayContaining(['Service Tier', 'Task Expires After (Seconds)', 'Return Last Frame', 'Seed']));
		await page.screenshot({ path: join(SHOTS, 'panel-ark.png') });
		await page.keyboard.press('Escape');
		await choose('operation', 'Get Many');
		expect(await visible('returnAll')).toBe(true);
		expect(await visible('prompt')).toBe(false);
	});

	it('switching operation swaps the fields: Get asks for a task ID, not a prompt', async () => {
		await openSeedance('seedanceEditorAH');
		await choose('operation', 'Get');
		expect(await visible('taskId')).toBe(true);
		expect(await visible('prompt')).toBe(false);
		expect(await visible('media')).toBe(false);
		await page.screenshot({ path: join(SHOTS, 'operation-get.png') });
	});
});
