import { randomUUID } from 'crypto';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/lib/real-n8n');

/** Small builders for n8n workflow JSON, as `n8n import:workflow` takes it. */

export type Provider = 'tokenhub' | 'aihubmix' | 'ark';

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position?: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	disabled?: boolean;
	/** Node settings, stored beside `parameters` as the editor's Settings tab saves them. */
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
}

export interface Workflow {
	id: string;
	name: string;
	active: boolean;
	settings: Record<string, unknown>;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }>;
}

export const MANUAL_TRIGGER: WorkflowNode = {
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	parameters: {},
};

/** A Seedance node with the test credential of its provider, polling every second. */
export function seedance(provider: Provider, parameters: Record<string, unknown>, name = 'Seedance'): WorkflowNode {
	return {
		name,
		type: lib.NODE_TYPE,
		typeVersion: 1,
		parameters: { provider, options: { pollIntervalSeconds: 1, timeoutMinutes: 2 }, ...parameters },
		credentials: lib.CREDENTIAL_REFS[provider],
	};
}

/** Read/Write Files from Disk, writing the binary field `data` to `path`. */
export function writeFile(path: string): WorkflowNode {
	return {
		name: 'Save MP4',
		type: 'n8n-nodes-base.readWriteFile',
		typeVersion: 1,
		parameters: { operation: 'write', fileName: path, dataPropertyName: 'data', options: {} },
	};
}

/** A linear workflow: each node feeds the next. */
export function chain(id: string, nodes: WorkflowNode[]): Workflow {
	const connections: Workflow['connections'] = {};
	nodes.forEach((node, index) => {
		if (index < nodes.length - 1) {
			connections[node.name] = { main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] };
		}
	});
	return {
		id,
		name: id,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: nodes.map((node, index) => ({ id: randomUUID(), position: [index * 220, 0], ...node })),
		connections,
	};
}

/** Items from a JSON array: Set (raw JSON) → Split Out, so a prompt can come from a previous node. */
export function itemsFrom(values: Array<Record<string, unknown>>): WorkflowNode[] {
	return [
		{
			name: 'Prompts',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: { mode: 'raw', jsonOutput: JSON.stringify({ rows: values }), options: {} },
		},
		{
			name: 'One Item per Prompt',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'rows', options: {} },
		},
	];
}

/** What `n8n execute --rawOutput` gives back (scripts/lib/real-n8n.js `execute`), as far as the tests read it. */
export interface N8n { nodeBin: string; n8nDir: string; n8nBin: string }
export interface RunResult {
	exitCode: number;
	run: { status: string; data: { resultData: { runData: Record<string, unknown>; error?: { message: string } } } };
}
export type Item = { json: Record<string, unknown>; binary?: Record<string, { mimeType: string; fileName: string; fileSize?: string }> };

/** The items a node produced in its last run. */
export function output(result: RunResult, node: string): Item[] {
	return lib.nodeOutput(result.run, node);
}
