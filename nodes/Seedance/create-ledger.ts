import { createHash } from 'node:crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { GatewayRequest } from './gateways/gateway';

/**
 * What this node already bought in this execution, so that n8n's Retry On Fail (which runs
 * execute() again, in the same process: WorkflowExecute.runNode) never pays twice for an item.
 *
 * Kept per run of the node: keyed by the run's IExecuteData object, which n8n hands unchanged
 * to every try of one run and replaces for the next run (a loop). A WeakMap frees it when n8n
 * drops the execution; the router also frees it when the run ends for good. Per item, one
 * record of a few short strings: bounded by the number of items.
 */
export type CreateRecord =
	| { outcome: 'created'; fingerprint: string; taskId: string }
	| { outcome: 'unknown'; fingerprint: string; reason: string };

/** A task the run may have paid for: with its ID, or only the reason its create's outcome is unknown. */
export interface MaybePaid {
	itemIndex: number;
	taskId?: string;
	unknownOutcome?: string;
}

interface RunRecords {
	/** Each item's latest create, which a retry of the item resumes. */
	current: Map<number, CreateRecord>;
	/** Earlier tasks of items that were created again (their task failed or expired). */
	retired: MaybePaid[];
}

const runs = new WeakMap<object, RunRecords>();

/** A change to any field of the request (prompt, media, options) makes it a new request. */
export function fingerprintOf(request: GatewayRequest): string {
	return createHash('sha256')
		.update(`${request.method} ${request.path}\n${JSON.stringify(request.body ?? null)}`)
		.digest('hex');
}

/**
 * The one record of what a run may have paid for: every "other tasks" list and recovery hint is
 * built from it, so a task whose create answer was lost is named as surely as one with an ID.
 */
export class CreateLedger {
	private readonly records: RunRecords;

	constructor(private readonly key: object) {
		let records = runs.get(key);
		if (!records) {
			records = { current: new Map(), retired: [] };
			runs.set(key, records);
		}
		this.records = records;
	}

	/** What an earlier try did with this very request of this item, if anything. */
	previous(itemIndex: number, fingerprint: string): CreateRecord | undefined {
		const record = this.records.current.get(itemIndex);
		return record?.fingerprint === fingerprint ? record : undefined;
	}

	record(itemIndex: number, record: CreateRecord): void {
		this.records.current.set(itemIndex, record);
	}

	/** The create was refused for certain: no task exists, the item may be sent again. */
	forget(itemIndex: number): void {
		this.records.current.delete(itemIndex);
	}

	/** The item's task failed or expired on the gateway: a retry may create a new one; this one stays on record. */
	retire(itemIndex: number): void {
		const record = this.records.current.get(itemIndex);
		if (record?.outcome === 'created' && !this.records.retired.some((task) => task.taskId === record.taskId)) {
			this.records.retired.push({ itemIndex, taskId: record.taskId });
		}
		this.records.current.delete(itemIndex);
	}

	/** Every task the run may have paid for, in item order. */
	maybePaid(): MaybePaid[] {
		const current = [...this.records.current.entries()].map(([itemIndex, record]): MaybePaid =>
			record.outcome === 'created' ? { itemIndex, taskId: record.taskId } : { itemIndex, unknownOutcome: record.reason },
		);
		return [...this.records.retired, ...current].sort((a, b) => a.itemIndex - b.itemIndex);
	}

	/** The run is over: n8n will not try it again. */
	release(): void {
		runs.delete(this.key);
	}
}

export function openLedger(ctx: IExecuteFunctions): CreateLedger {
	// Every try of one run shares its IExecuteData; without one (never seen), nothing is shared.
	return new CreateLedger((ctx.getExecuteData?.() as object | undefined) ?? {});
}
