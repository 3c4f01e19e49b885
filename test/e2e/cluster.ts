/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import type { ChildProcess } from 'child_process';
import { execFile, spawn } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';

import type { N8n } from './workflows';

/**
 * Named n8n processes (and Redis) for end-to-end tests that start, kill and restart them.
 * Each child runs in its own process group, so that what it spawned itself (n8n's task runner)
 * can be cleaned up after a SIGKILL of the n8n process alone, which is what an out-of-memory
 * kill does.
 */
export class Processes {
	readonly logs: Record<string, string> = {};
	private readonly children = new Map<string, ChildProcess>();
	private readonly exits = new Map<string, Promise<{ code: number | null; signal: NodeJS.Signals | null }>>();

	start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
		if (this.children.get(name)?.exitCode === null && this.children.get(name)?.signalCode === null) {
			throw new Error(`process ${name} is still running`);
		}
		const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		this.logs[name] = '';
		child.stdout!.on('data', (chunk) => (this.logs[name] += chunk));
		child.stderr!.on('data', (chunk) => (this.logs[name] += chunk));
		this.children.set(name, child);
		this.exits.set(name, new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))));
		return child;
	}

	get(name: string): ChildProcess {
		const child = this.children.get(name);
		if (!child) throw new Error(`no process ${name}`);
		return child;
	}

	/** Sends `signal` to the process itself (not its group) and resolves with how it ended. */
	async kill(name: string, signal: NodeJS.Signals) {
		this.get(name).kill(signal);
		return await this.exited(name);
	}

	async exited(name: string) {
		return await this.exits.get(name)!;
	}

	/** SIGTERM (SIGKILL after 10 s) to every process still running, then SIGKILL to what their groups left. */
	async stopAll(): Promise<void> {
		const all = [...this.children.entries()].reverse();
		await Promise.all(
			all.map(async ([name, child]) => {
				if (child.exitCode !== null || child.signalCode !== null) return;
				const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
				child.kill('SIGTERM');
				await this.exited(name);
				clearTimeout(force);
			}),
		);
		for (const [, child] of all) {
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				// the group is already empty
			}
		}
	}

	/**
	 * Resolves once `name`'s log matches `pattern`. Output is read from a pipe, so a line can
	 * trail what it reports (a saved execution row, the process's 'exit').
	 */
	async logged(name: string, pattern: string | RegExp, timeoutMs = 120_000): Promise<void> {
		const matches = () => (typeof pattern === 'string' ? this.logs[name].includes(pattern) : pattern.test(this.logs[name]));
		await until(`${name} to log ${String(pattern)}`, () => (matches() ? true : undefined), timeoutMs, () => this.tail());
	}

	tail(chars = 6000): string {
		return Object.entries(this.logs)
			.map(([name, log]) => `--- ${name}\n${log.slice(-chars)}`)
			.join('\n');
	}
}

/** Polls `probe` every 500 ms until it returns something other than undefined. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000, context?: () => string): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await Promise.resolve()
			.then(probe)
			.catch(() => undefined);
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context?.() ?? ''}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/** What an `n8n worker` prints once it takes jobs (the wording differs between n8n versions). */
export const WORKER_READY = /n8n worker is now ready|worker.*(ready|started|listening)/i;

export const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

export interface StoredExecution {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
	finished: number;
	/** execution_data.data, unflattened (flatted). */
	data: { resultData?: { runData?: Record<string, unknown[]>; error?: { message?: string; name?: string } } } | null;
	/** The row and its data as stored, for searching (e.g. for a task ID). */
	raw: string;
}

/**
 * Reads executions from n8n's SQLite database with n8n's own sqlite3 and flatted (Node 24), in a
 * child process that does not block this one (where the gateway simulator answers n8n).
 */
export async function storedExecutions(n8n: N8n, userFolder: string, workflowId?: string): Promise<StoredExecution[]> {
	const script = `
		const sqlite3 = require(${JSON.stringify(join(n8n.n8nDir, 'node_modules', 'sqlite3'))});
		const { parse } = require(${JSON.stringify(join(n8n.n8nDir, 'node_modules', 'flatted'))});
		const db = new sqlite3.Database(${JSON.stringify(join(userFolder, '.n8n', 'database.sqlite'))}, sqlite3.OPEN_READONLY);
		db.all('SELECT e.*, d.data AS data, d.workflowData AS workflowData FROM execution_entity e LEFT JOIN execution_data d ON d.executionId = e.id ORDER BY e.id', (error, rows) => {
			if (error) { console.error(error.message); process.exit(1); }
			console.log(JSON.stringify(rows.map((row) => ({
				id: String(row.id), workflowId: row.workflowId, status: row.status, mode: row.mode, finished: row.finished,
				data: row.data ? parse(row.data) : null, raw: JSON.stringify(row),
			}))));
		});`;
	const { stdout } = await promisify(execFile)(join(n8n.nodeBin, 'node'), ['-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
	const rows = JSON.parse(stdout) as StoredExecution[];
	return workflowId === undefined ? rows : rows.filter((row) => row.workflowId === workflowId);
}
