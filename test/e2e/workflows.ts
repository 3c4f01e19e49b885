import { randomUUID } from 'crypto';

/** Small builders for n8n workflow JSON, as `n8n import:workflow` takes it. */

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position?: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	disabled?: boolean;
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
