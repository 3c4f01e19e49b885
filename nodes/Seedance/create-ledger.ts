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

const runs = new WeakMap<object, Map<number, CreateRecord>>();

/** A change to any field of the request (prompt, media, options) makes it a new request. */
export function fingerprintOf(request: GatewayRequest): string {
	return createHash('sha256')
		.update(`${request.method} ${request.path}\n${JSON.stringify(request.body ?? null)}`)
		.digest('hex');
}

export class CreateLedger {
	private readonly records: Map<number, CreateRecord>;

	constructor(private readonly key: object) {
		let records = runs.get(key);
		if (!records) {
			records = new Map();
			runs.set(key, records);
		}
		this.records = records;
	}

	/** What an earlier try did with this very request of this item, if anything. */
	previous(itemIndex: number, fingerprint: string): CreateRecord | undefined {
		const record = this.records.get(itemIndex);
		return record?.fingerprint === fingerprint ? record : undefined;
	}

	record(itemIndex: number, record: CreateRecord): void {
		this.records.set(itemIndex, record);
	}

	/** The item may be created again: refused for certain, or its task failed on the gateway. */
	forget(itemIndex: number): void {
		this.records.delete(itemIndex);
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
