/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
// A webhook trigger driven as n8n drives one (cli webhooks/live-webhooks.ts and
// webhook-helpers.ts executeWebhook, n8n 2.41): for each call the workflow is built with its static
// data as stored ("loaded from the database"), the node's webhook() runs in n8n-core's real
// WebhookContext with the request and response, the static data is saved if the node changed it,
// and when webhook() returns workflowData a run starts from the trigger node with those items in
// n8n-core's real WorkflowExecute (the trigger's execute() then runs, as in n8n).

import { dirname } from 'node:path';

import { BinaryDataService, ExecutionLifecycleHooks, ExternalSecretsProxy, WebhookContext, WorkflowExecute } from 'n8n-core';
import { createRunExecutionData, UnexpectedError, Workflow } from 'n8n-workflow';
import type {
	IBinaryData,
	IConnections,
	ICredentialDataDecryptedObject,
	IDataObject,
	INodeExecutionData,
	INodeType,
	IRun,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import type { HarnessNode } from './harness';
import { HarnessCredentialsHelper, nodeTypes, setUpServices, toINode } from './harness';

type Token<T> = abstract new (...args: never[]) => T;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest's require, so n8n-core's container is shared (as in harness.ts)
const { Container } = require(require.resolve('@n8n/di', { paths: [dirname(require.resolve('n8n-core'))] })) as {
	Container: { get<T>(type: Token<T>): T };
};

export interface WebhookRun {
	run: IRun;
	status: string;
	output(nodeName: string): INodeExecutionData[];
	nodeError(nodeName: string): (Error & { description?: string }) | undefined;
	binaryBuffer(binary: IBinaryData): Promise<Buffer>;
}

export interface CallAnswer {
	/** The HTTP status the caller got, and the body (always empty from the Seedance Trigger). */
	status: number;
	body: string;
	/** The run the call started, if any: it goes on after the answer, as in n8n. */
	run?: Promise<WebhookRun>;
}

export interface CallOptions {
	/** Parsed body, as n8n's body parser leaves it on the request. */
	body: unknown;
	/** Size of the body as it arrived; by default the JSON text's. */
	rawBytes?: number;
	/** `manual` for a test call (Listen for Test Event), `webhook` for the Production URL. */
	mode?: WorkflowExecuteMode;
	/** Runs between webhook() and the save of static data (two calls of one instant, say). */
	beforeSave?: () => Promise<void>;
}

/** Fake express objects: what the node reads of the request, and records of what it answered. */
function fakeRequest(body: unknown, rawBytes: number) {
	return { method: 'POST', body, headers: { 'content-type': 'application/json', 'content-length': String(rawBytes) }, rawBody: Buffer.alloc(rawBytes), query: {}, params: {} };
}

function fakeResponse() {
	const res = {
		statusCode: 200,
		headersSent: false,
		sent: '',
		status(code: number) {
			res.statusCode = code;
			return res;
		},
		end(chunk?: unknown) {
			if (chunk !== undefined) res.sent += String(chunk);
			res.headersSent = true;
			return res;
		},
		send(chunk?: unknown) {
			return res.end(chunk);
		},
		json(value: unknown) {
			return res.end(JSON.stringify(value));
		},
		setHeader() {
			return res;
		},
	};
	return res;
}

let executionCounter = 0;

/**
 * One active workflow: a webhook trigger (first of `nodes`) and what follows it, in a chain. Its
 * static data lives here between calls, as in n8n's database.
 */
export class WebhookWorkflow {
	/** The workflow's static data as saved after the last call that changed it. */
	storedStaticData: IDataObject = {};

	/** Every run a call started, finished ones and ones still going. */
	readonly started: Array<Promise<WebhookRun>> = [];

	constructor(
		private readonly options: {
			id: string;
			nodes: HarnessNode[];
			credentials: Record<string, ICredentialDataDecryptedObject>;
		},
	) {}

	private build(): { workflow: Workflow; workflowData: IWorkflowBase; connections: IConnections } {
		const nodes = this.options.nodes.map((node, index) => toINode(node, index, this.options.credentials));
		const connections: IConnections = {};
		for (let index = 0; index < nodes.length - 1; index++) {
			connections[nodes[index].name] = { main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] };
		}
		const settings = { executionOrder: 'v1' as const };
		const workflow = new Workflow({
			id: this.options.id,
			name: this.options.id,
			nodes,
			connections,
			active: true,
			nodeTypes,
			settings,
			// As n8n: a fresh copy from the database for every call.
			staticData: structuredClone(this.storedStaticData),
		});
		return { workflow, workflowData: { id: this.options.id, name: this.options.id, nodes, connections, active: true, settings } as IWorkflowBase, connections };
	}

	private additionalData(mode: WorkflowExecuteMode, executionId: string, workflowData: IWorkflowBase, extra: Partial<IWorkflowExecuteAdditionalData> = {}): IWorkflowExecuteAdditionalData {
		const unavailable = (what: string) => async (): Promise<never> => {
			throw new UnexpectedError(`${what} is not available in the webhook harness`);
		};
		return {
			hooks: new ExecutionLifecycleHooks(mode, executionId, workflowData),
			credentialsHelper: new HarnessCredentialsHelper(structuredClone(this.options.credentials)),
			externalSecretsProxy: new ExternalSecretsProxy(),
			executionId,
			workflowId: this.options.id,
			userId: 'harness-user',
			variables: {},
			currentNodeExecutionIndex: 0,
			executeWorkflow: unavailable('executeWorkflow'),
			startRunnerTask: unavailable('startRunnerTask'),
			getRunExecutionData: async () => undefined,
			getRuntimeCredential: async () => undefined,
			logAiEvent: () => {},
			restApiUrl: 'http://localhost:5678/rest',
			instanceBaseUrl: 'http://localhost:5678/',
			formBaseUrl: 'http://localhost:5678/form',
			formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
			formTestBaseUrl: 'http://localhost:5678/form-test',
			webhookBaseUrl: 'http://localhost:5678/webhook',
			webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
			mcpBaseUrl: 'http://localhost:5678/mcp',
			mcpTestBaseUrl: 'http://localhost:5678/mcp-test',
			...extra,
		} as IWorkflowExecuteAdditionalData;
	}

	/** One HTTP call to the trigger's URL. */
	async call({ body, rawBytes, mode = 'webhook', beforeSave }: CallOptions): Promise<CallAnswer> {
		await setUpServices();
		const { workflow, workflowData } = this.build();
		const trigger = workflow.getNode(this.options.nodes[0].name)!;
		const nodeType = workflow.nodeTypes.getByNameAndVersion(trigger.type, trigger.typeVersion) as INodeType;
		const req = fakeRequest(body, rawBytes ?? Buffer.byteLength(JSON.stringify(body ?? null)));
		const res = fakeResponse();
		const executionId = `webhook-harness-${++executionCounter}`;
		const additionalData = this.additionalData(mode, executionId, workflowData, { httpRequest: req, httpResponse: res } as never);
		const description = nodeType.description.webhooks![0];
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: trigger.name,
			path: String(description.path),
			webhookDescription: description,
			workflowId: this.options.id,
			workflowExecuteAdditionalData: additionalData,
		};
		const context = new WebhookContext(workflow, trigger, additionalData, mode, webhookData, [], null);
		const result = (await nodeType.webhook!.call(context)) as IWebhookResponseData;
		await beforeSave?.();
		// n8n saves the static data once the node has answered (live-webhooks.ts), if it changed and
		// the workflow ID is one n8n saves for (workflow-static-data.service.ts: isWorkflowIdValid, 1–21 characters).
		const changed = (workflow.staticData as { __dataChanged?: boolean }).__dataChanged === true;
		if (changed && this.options.id.length > 0 && this.options.id.length <= 21) this.storedStaticData = JSON.parse(JSON.stringify(workflow.staticData));
		if (!result.noWebhookResponse) throw new UnexpectedError('the harness expects the node to answer the call itself');
		const answer: CallAnswer = { status: res.statusCode, body: res.sent };
		if (!result.workflowData) return answer;

		const run = this.startRun(workflow, trigger, result.workflowData, mode, executionId, workflowData);
		this.started.push(run);
		return { ...answer, run };
	}

	/** All runs started so far, once they have finished. */
	async runs(): Promise<WebhookRun[]> {
		return await Promise.all(this.started);
	}

	private async startRun(
		workflow: Workflow,
		trigger: ReturnType<Workflow['getNode']> & object,
		items: INodeExecutionData[][],
		mode: WorkflowExecuteMode,
		executionId: string,
		workflowData: IWorkflowBase,
	): Promise<WebhookRun> {
		// prepareExecutionData: the trigger node first on the stack, with the webhook's items.
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node: trigger, data: { main: items }, source: null }] },
		});
		const runMode: WorkflowExecuteMode = mode === 'manual' ? 'manual' : 'webhook';
		const run = await new WorkflowExecute(this.additionalData(runMode, executionId, workflowData), runMode, runExecutionData).processRunExecutionData(workflow);
		const last = (name: string) => run.data.resultData.runData[name]?.at(-1);
		return {
			run,
			status: run.status,
			output: (name) => last(name)?.data?.main?.[0] ?? [],
			nodeError: (name) => last(name)?.error as (Error & { description?: string }) | undefined,
			binaryBuffer: async (binary) => await Container.get(BinaryDataService).getAsBuffer(binary),
		};
	}
}
