import type { IExecuteFunctions } from 'n8n-workflow';
import * as n8nWorkflow from 'n8n-workflow';

import type { CreateLedger } from './create-ledger';
import type { SeedanceGateway } from './gateways/gateway';
import { StatusBoard } from './status-board';

/**
 * A sleep that ends early when the signal fires. n8n 2.x: `sleep(ms, signal)`; n8n 1.x: its
 * `sleep(ms)` ignores a signal, and `sleepWithAbort(ms, signal)` does the job.
 */
const sleepWithSignal: (ms: number, signal: AbortSignal) => Promise<void> =
	(n8nWorkflow as { sleepWithAbort?: (ms: number, signal: AbortSignal) => Promise<void> }).sleepWithAbort ??
	n8nWorkflow.sleep;

/**
 * What the items of one execution share while they run at the same time: a stop signal (the
 * user's cancel, or a failed item when Continue On Fail is off) and bounds on concurrent
 * requests, so a batch of 50 items does not hit the gateway with 50 creates at once.
 */

/** A counting semaphore: at most `slots` functions run at a time, in arrival order. */
export class Limiter {
	private active = 0;

	private readonly waiting: Array<() => void> = [];

	constructor(private readonly slots: number) {}

	async run<T>(fn: () => Promise<T>): Promise<T> {
		if (this.active >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
		this.active++;
		try {
			return await fn();
		} finally {
			this.active--;
			this.waiting.shift()?.();
		}
	}
}

export interface Batch {
	/** Aborted when the execution is cancelled or the batch is stopped. */
	signal: AbortSignal;
	/** n8n's sleep, ended early (rejecting) when the batch stops. */
	sleep(ms: number): Promise<void>;
	/** Why the batch was stopped, when it was not the user's cancel. */
	stopReason?: string;
	stop(reason: string): void;
	/** An item failed: without Continue On Fail the run stops, at once, before another create. */
	itemFailed(itemIndex: number): void;
	/** The item whose failure stopped the run: the error the user sees. */
	failedItem?: number;
	/** Why no further create may be sent (the account has no balance), while waits go on. */
	createsStopped?: string;
	stopCreates(reason: string): void;
	/**
	 * The gateway's queue is full (a 429 on create): wait for one of this run's tasks to finish,
	 * or `ms`, whichever comes first. Each finished task lets one waiter go, so a freed slot is
	 * not met by a burst of creates.
	 */
	waitForCapacity(ms: number): Promise<void>;
	/** A task of this run reached a final status: its slot in the gateway's queue is free. */
	taskFinished(): void;
	creates: Limiter;
	statusChecks: Limiter;
	downloads: Limiter;
	/** What earlier tries of this run created (n8n's Retry On Fail). */
	ledger: CreateLedger;
	/** Where the gateway lists tasks by ID, the board that checks this run's waiting tasks together. */
	statusBoard(gateway: SeedanceGateway): StatusBoard | undefined;
}

/** One item's work: who it talks to, and the settings read for it before anything was sent. */
export interface ItemScope {
	ctx: IExecuteFunctions;
	gateway: SeedanceGateway;
	itemIndex: number;
	batch: Batch;
	requestTimeoutMs: number;
}

export const DEFAULT_CREATE_CONCURRENCY = 5;
const STATUS_CHECK_CONCURRENCY = 10;
const DOWNLOAD_CONCURRENCY = 4;

export function startBatch(ctx: IExecuteFunctions, createConcurrency: number, ledger: CreateLedger, stopOnFailure: boolean): Batch {
	const controller = new AbortController();
	const executionSignal = ctx.getExecutionCancelSignal();
	if (executionSignal?.aborted) controller.abort();
	executionSignal?.addEventListener('abort', () => controller.abort(), { once: true });
	// One controller per sleep, so that many items waiting at once do not pile listeners on
	// one signal (Node warns past 10).
	const sleepers = new Set<AbortController>();
	const capacityWaiters: Array<() => void> = [];
	const boards = new Map<string, StatusBoard>();
	controller.signal.addEventListener('abort', () => sleepers.forEach((sleeper) => sleeper.abort()), { once: true });
	const batch: Batch = {
		signal: controller.signal,
		async sleep(ms: number) {
			const sleeper = new AbortController();
			if (controller.signal.aborted) sleeper.abort();
			sleepers.add(sleeper);
			try {
				await sleepWithSignal(ms, sleeper.signal);
			} finally {
				sleepers.delete(sleeper);
			}
		},
		stop(reason: string) {
			if (controller.signal.aborted) return;
			batch.stopReason = reason;
			controller.abort();
		},
		stopCreates(reason: string) {
			batch.createsStopped ??= reason;
		},
		async waitForCapacity(ms: number) {
			const sleeper = new AbortController();
			if (controller.signal.aborted) sleeper.abort();
			sleepers.add(sleeper);
			const wake = () => sleeper.abort();
			capacityWaiters.push(wake);
			try {
				await sleepWithSignal(ms, sleeper.signal);
			} catch {
				// Woken early: a slot was freed, or the run stopped (the caller checks).
			} finally {
				sleepers.delete(sleeper);
				const index = capacityWaiters.indexOf(wake);
				if (index >= 0) capacityWaiters.splice(index, 1);
			}
		},
		taskFinished() {
			capacityWaiters.shift()?.();
		},
		itemFailed(itemIndex: number) {
			if (!stopOnFailure || controller.signal.aborted) return;
			batch.failedItem = itemIndex;
			batch.stop(`item ${itemIndex} failed and Continue On Fail is off`);
		},
		creates: new Limiter(Math.max(1, Math.floor(createConcurrency))),
		statusChecks: new Limiter(STATUS_CHECK_CONCURRENCY),
		downloads: new Limiter(DOWNLOAD_CONCURRENCY),
		ledger,
		statusBoard(gateway: SeedanceGateway) {
			if (!gateway.listsByTaskIds) return undefined;
			let board = boards.get(gateway.name);
			if (!board) boards.set(gateway.name, (board = new StatusBoard()));
			return board;
		},
	};
	return batch;
}
