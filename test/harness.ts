/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, no-console -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
// Runs workflows through n8n-core's REAL WorkflowExecute, so a node under test sees the same
// IExecuteFunctions, parameter defaults, expression resolution, credential handling, binary
// storage, continueOnFail and cancellation that n8n gives it. Modelled on n8n's own
// packages/core/nodes-testing/node-test-harness.ts, which is not shipped in the n8n-core
// tarball, so the same public building blocks are assembled here.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import {
	BinaryDataConfig,
	BinaryDataService,
	ErrorReporter,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	getAdditionalKeys,
	InstanceSettings,
	WorkflowExecute,
} from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	isExpression,
	NodeConnectionTypes,
	NodeHelpers,
	UnexpectedError,
	Workflow,
} from 'n8n-workflow';
import type {
	ExecutionBaseError,
	ICredentials,
	IBinaryData,
	IConnections,
	ICredentialDataDecryptedObject,
	ICredentialsExpressionResolveValues,
	ICredentialType,
	IDataObject,
	IExecuteData,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentials,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

// ---------------------------------------------------------------------------------------------
// DI container. n8n-core depends on its own (nested) copies of @n8n/di, @n8n/backend-common, ...
// and @n8n/di keeps one registry per module copy, so the container n8n-core reads can only be
// reached by resolving @n8n/di from n8n-core's directory. Jest's `require` (not createRequire)
// is used on purpose so we share jest's module registry with n8n-core.
type Token<T> = abstract new (...args: never[]) => T;
const fromCore = (pkg: string): unknown =>
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest's require, so n8n-core's registry is shared (see above)
	require(require.resolve(pkg, { paths: [dirname(require.resolve('n8n-core'))] }));
const { Container } = fromCore('@n8n/di') as {
	Container: { get<T>(type: Token<T>): T; set<T>(type: Token<T>, instance: T): void };
};
const { Logger } = fromCore('@n8n/backend-common') as { Logger: Token<unknown> };

export interface LogLine {
	level: string;
	message: string;
	meta?: unknown;
}

/** Every line n8n's logger received (the node's `this.logger` included), for tests to read. */
export const logLines: LogLine[] = [];

// Recorded, and printed only when N8N_HARNESS_DEBUG is set: the engine logs every node
// start/finish at debug level.
const log = (level: string) => (message: string, meta?: unknown) => {
	logLines.push({ level, message, meta });
	if (process.env.N8N_HARNESS_DEBUG) console.log(`[n8n ${level}] ${message}`, meta ?? '');
};
const quietLogger = {
	error: log('error'),
	warn: log('warn'),
	info: log('info'),
	debug: log('debug'),
	scoped: () => quietLogger,
};

const storagePath = mkdtempSync(join(tmpdir(), 'n8n-harness-'));
const removeStorage = () => rmSync(storagePath, { recursive: true, force: true });
// Under jest, after the test file; in the bench and fault scripts, when the process ends.
if (typeof afterAll === 'function') afterAll(removeStorage);
else process.once('exit', removeStorage);

/** n8n-core logs through its own container's Logger; tests that use n8n-core without a run set it. */
export function useQuietN8nLogger(): void {
	Container.set(Logger, quietLogger);
}

let servicesReady: Promise<void> | undefined;
/** The minimum n8n-core pulls from the container while executing nodes; once per module registry. */
export async function setUpServices(): Promise<void> {
	servicesReady ??= (async () => {
		Container.set(Logger, quietLogger);
		// The real InstanceSettings reads/writes ~/.n8n/config; nodes only read these fields.
		Container.set(InstanceSettings, {
			instanceId: 'harness-instance',
			hmacSignatureSecret: 'harness-secret',
			encryptionKey: 'harness-key',
			n8nFolder: storagePath,
			staticCacheDir: storagePath,
		} as unknown as InstanceSettings);
		// Filesystem mode, so prepareBinaryData(readable) really streams to disk as in n8n.
		const config = {
			mode: 'filesystem',
			availableModes: ['filesystem'],
			localStoragePath: join(storagePath, 'binaryData'),
			signingSecret: 'harness-secret',
			dbMaxFileSize: 512,
		} as unknown as BinaryDataConfig;
		Container.set(BinaryDataConfig, config);
		const binaryData = new BinaryDataService(
			config,
			Container.get(ErrorReporter),
			quietLogger as never,
		);
		await binaryData.init();
		Container.set(BinaryDataService, binaryData);
	})();
	await servicesReady;
}

// ---------------------------------------------------------------------------------------------
// Node types

const nodeTypeRegistry = new Map<string, INodeType | IVersionedNodeType>();
const credentialTypeRegistry = new Map<string, ICredentialType>();

export function registerNodeType(type: string, node: INodeType | IVersionedNodeType): void {
	nodeTypeRegistry.set(type, node);
}

export function registerCredentialType(credential: ICredentialType): void {
	credentialTypeRegistry.set(credential.name, credential);
}

function lookupNodeType(type: string): INodeType | IVersionedNodeType {
	const nodeType = nodeTypeRegistry.get(type);
	if (!nodeType)
		throw new UnexpectedError(`Unknown node type "${type}" (registerNodeType it first)`);
	return nodeType;
}

export const nodeTypes: INodeTypes = {
	getByName: (type) => lookupNodeType(type),
	getByNameAndVersion: (type, version) =>
		NodeHelpers.getVersionedNodeType(lookupNodeType(type), version),
	getKnownTypes: () => Object.fromEntries([...nodeTypeRegistry.keys()].map((type) => [type, {}])),
};

/** The version the n8n editor would pick for a newly added node. */
function defaultVersion(type: string): number {
	const nodeType = lookupNodeType(type);
	if ('nodeVersions' in nodeType) return nodeType.currentVersion;
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

export const ITEMS_NODE_TYPE = 'n8n-nodes-harness.items';

/** Start node: emits `items` (JSON array of objects), optionally with binaries attached. */
const itemsNode: INodeType = {
	description: {
		displayName: 'Harness Items',
		name: 'items',
		group: ['input'],
		version: 1,
		description: 'Emits fixed test items',
		defaults: { name: 'Items' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'json', default: '[{}]' },
			{ displayName: 'Binary', name: 'binary', type: 'json', default: '[]' },
		],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const json = (name: string): unknown => {
			const value = this.getNodeParameter(name, 0);
			return typeof value === 'string' ? JSON.parse(value) : value;
		};
		const items: INodeExecutionData[] = (json('items') as IDataObject[]).map((item) => ({
			json: item,
			pairedItem: { item: 0 },
		}));
		type BinarySpec = {
			itemIndex: number;
			property: string;
			base64: string;
			mimeType?: string;
			fileName?: string;
		};
		for (const spec of json('binary') as BinarySpec[]) {
			const item = items[spec.itemIndex];
			if (!item) throw new UnexpectedError(`binary: no item at index ${spec.itemIndex}`);
			const data = Buffer.from(spec.base64, 'base64');
			item.binary = {
				...item.binary,
				[spec.property]: await this.helpers.prepareBinaryData(data, spec.fileName, spec.mimeType),
			};
		}
		return [items];
	},
};
registerNodeType(ITEMS_NODE_TYPE, itemsNode);

// ---------------------------------------------------------------------------------------------
// Credentials: data comes from the test, everything else follows packages/cli/src/credentials-helper.ts

export class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly store: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	private type(name: string): ICredentialType {
		const type = credentialTypeRegistry.get(name);
		if (!type)
			throw new UnexpectedError(
				`Unknown credential type "${name}" (registerCredentialType it first)`,
			);
		return type;
	}

	getParentTypes(name: string): string[] {
		const parents = this.type(name).extends ?? [];
		return parents.flatMap((parent) => [
			parent,
			...(credentialTypeRegistry.has(parent) ? this.getParentTypes(parent) : []),
		]);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const type = credentialTypeRegistry.get(credentialType);
		if (!type?.restrictToSupportedNodes) return true;
		return (type.supportedNodes ?? []).some(
			(node) => nodeType === node || nodeType.endsWith(`.${node}`),
		);
	}

	getCredentialsProperties(name: string): INodeProperties[] {
		const type = this.type(name);
		if (!type.extends) return type.properties;
		const combined: INodeProperties[] = [];
		for (const parent of type.extends)
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		NodeHelpers.mergeNodeProperties(combined, type.properties); // the child's properties win
		return combined;
	}

	// Only the CLI's own preAuthentication persistence reads the stored entity; n8n-core never does.
	async getCredentials(): Promise<ICredentials> {
		throw new UnexpectedError('getCredentials() is not supported by the test harness');
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		_details: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		resolve?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const stored = this.store[type];
		if (!stored) throw new UnexpectedError(`No "${type}" credentials were given to runWorkflow()`);
		if (raw) return { ...stored };
		// applyDefaultsAndOverwrites: fill in property defaults (drops undeclared fields, like n8n) ...
		let data = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			stored as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		// ... then resolve expressions stored in credential fields against the current item.
		if (resolve) {
			data = resolve.workflow.expression.getParameterValue(
				data as INodeParameters,
				resolve.runExecutionData,
				resolve.runIndex,
				resolve.itemIndex,
				resolve.node.name,
				resolve.connectionInputData,
				mode,
				getAdditionalKeys(additionalData, mode, null, { isCredential: true }),
				executeData,
				false,
				data,
			) as ICredentialDataDecryptedObject;
		}
		return data;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = this.type(typeName);
		if (typeof authenticate === 'function')
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		if (authenticate?.type === 'generic') {
			if (!workflow || !node)
				throw new UnexpectedError('Generic credential authentication needs workflow and node');
			// Same as n8n: every key and value of headers/qs/body/auth may be an expression over $credentials.
			const resolveValue = (value: string): string =>
				isExpression(value)
					? String(
							workflow.expression.getSimpleParameterValue(
								node,
								value,
								'internal',
								{ $credentials: credentials },
								undefined,
								'',
							) ?? '',
						)
					: value;
			requestOptions.headers ??= {};
			const target = requestOptions as unknown as Record<string, Record<string, string>>;
			for (const [section, entries] of Object.entries(authenticate.properties)) {
				target[section] ??= {};
				for (const [key, value] of Object.entries(entries as Record<string, string>)) {
					target[section][resolveValue(key)] = resolveValue(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = this.type(typeName);
		const expirable = type.properties.find(
			(p) => p.type === 'hidden' && p.typeOptions?.expirable === true,
		);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		const output = (await type.preAuthentication.call(
			helpers,
			credentials,
		)) as ICredentialDataDecryptedObject;
		if (output[expirable.name] === undefined) return undefined;
		if (node.credentials?.[typeName]) this.store[typeName] = { ...this.store[typeName], ...output };
		return Object.assign(credentials, output);
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const { preAuthentication } = this.type(typeName);
		if (typeof preAuthentication !== 'function') return undefined;
		return (await preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
	}

	async updateCredentials(
		_details: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store[type] = data;
	}

	async updateCredentialsOauthTokenData(
		_details: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store[type] = { ...this.store[type], oauthTokenData: data.oauthTokenData };
	}
}

// ---------------------------------------------------------------------------------------------
// Running a workflow

export interface HarnessNode {
	name: string;
	type: string;
	parameters: INodeParameters;
	typeVersion?: number;
	credentials?: INodeCredentials;
	position?: [number, number];
	disabled?: boolean;
	continueOnFail?: boolean;
	onError?: INode['onError'];
	/** n8n's Settings > Retry On Fail, applied by WorkflowExecute as in n8n. */
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	executeOnce?: boolean;
}

export interface RunWorkflowOptions {
	nodes: HarnessNode[];
	connections: IConnections;
	/** Keyed by credential TYPE name; nodes declaring that type get it assigned automatically. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Cancel the execution (as the user pressing Stop) after this long. */
	cancelAfterMs?: number;
}

export interface WorkflowRun {
	run: IRun;
	status: string;
	// WorkflowExecute records errors as plain-object copies ({ ...error, message, stack }), so
	// assert on .message / .name / .description / .httpCode, never with instanceof.
	error?: ExecutionBaseError | Error;
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	nodeError(nodeName: string): Error | undefined;
	binaryBuffer(binary: IBinaryData): Promise<Buffer>;
	durationMs: number;
}

let executionCounter = 0;

export function toINode(
	node: HarnessNode,
	index: number,
	credentials: RunWorkflowOptions['credentials'],
): INode {
	const typeVersion = node.typeVersion ?? defaultVersion(node.type);
	// n8n refuses getCredentials() for a type the node has not been assigned, so assign every
	// credential type the test supplied that this node type declares (unless set explicitly).
	const declared =
		nodeTypes.getByNameAndVersion(node.type, typeVersion).description.credentials ?? [];
	const assigned: INodeCredentials = { ...node.credentials };
	for (const { name } of declared) {
		if (credentials?.[name] && !assigned[name]) assigned[name] = { id: '1', name };
	}
	return {
		id: `node-${index}`,
		name: node.name,
		type: node.type,
		typeVersion,
		position: node.position ?? [index * 200, 0],
		parameters: node.parameters,
		...(Object.keys(assigned).length ? { credentials: assigned } : {}),
		...(node.disabled !== undefined ? { disabled: node.disabled } : {}),
		...(node.continueOnFail !== undefined ? { continueOnFail: node.continueOnFail } : {}),
		...(node.onError !== undefined ? { onError: node.onError } : {}),
		...(node.retryOnFail !== undefined ? { retryOnFail: node.retryOnFail } : {}),
		...(node.maxTries !== undefined ? { maxTries: node.maxTries } : {}),
		...(node.waitBetweenTries !== undefined ? { waitBetweenTries: node.waitBetweenTries } : {}),
		...(node.executeOnce !== undefined ? { executeOnce: node.executeOnce } : {}),
	};
}

/**
 * Executes the workflow as a manual run from its start node (the ITEMS_NODE_TYPE node, else the
 * first node without incoming connections). Throws WorkflowHasIssuesError, like n8n, when a node
 * misses required parameters.
 */
export async function runWorkflow(opts: RunWorkflowOptions): Promise<WorkflowRun> {
	await setUpServices();
	const mode: WorkflowExecuteMode = 'manual';
	const executionId = `harness-${++executionCounter}`;
	const nodes = opts.nodes.map((node, index) => toINode(node, index, opts.credentials));
	const settings = { executionOrder: 'v1' as const };
	const workflow = new Workflow({
		id: 'harness-workflow',
		name: 'Harness',
		nodes,
		connections: opts.connections,
		active: false,
		nodeTypes,
		settings,
	});

	const hasInput = new Set(Object.keys(workflow.connectionsByDestinationNode));
	const startNode =
		nodes.find((node) => node.type === ITEMS_NODE_TYPE) ??
		nodes.find((node) => !hasInput.has(node.name));
	if (!startNode) throw new UnexpectedError('The workflow has no start node');

	const workflowData = {
		id: workflow.id,
		name: workflow.name,
		nodes,
		connections: opts.connections,
		active: false,
		settings,
	} as IWorkflowBase;
	const notInHarness = (what: string) => async (): Promise<never> => {
		throw new UnexpectedError(`${what} is not available in the test harness`);
	};
	const additionalData: IWorkflowExecuteAdditionalData = {
		hooks: new ExecutionLifecycleHooks(mode, executionId, workflowData),
		credentialsHelper: new HarnessCredentialsHelper(structuredClone(opts.credentials ?? {})),
		externalSecretsProxy: new ExternalSecretsProxy(),
		executionId,
		workflowId: workflow.id,
		userId: 'harness-user',
		variables: {},
		currentNodeExecutionIndex: 0,
		executeWorkflow: notInHarness('executeWorkflow (sub-workflows)'),
		startRunnerTask: notInHarness('startRunnerTask (Code node task runners)'),
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
	};

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: [[{ json: {} }]] }, source: null }],
		},
	});

	const startedAt = Date.now();
	const execution = new WorkflowExecute(
		additionalData,
		mode,
		runExecutionData,
	).processRunExecutionData(workflow);
	// WorkflowExecute sets shouldReject=false: cancel() aborts the signal nodes see, and the
	// promise still resolves with the run once the engine has unwound.
	const timer =
		opts.cancelAfterMs === undefined
			? undefined
			: setTimeout(() => execution.cancel(), opts.cancelAfterMs);
	let run: IRun;
	try {
		run = await execution;
	} finally {
		clearTimeout(timer);
	}
	const durationMs = Date.now() - startedAt;
	const lastTask = (nodeName: string) => {
		const tasks = run.data.resultData.runData[nodeName];
		return tasks?.[tasks.length - 1];
	};

	return {
		run,
		status: run.status,
		error: run.data.resultData.error,
		durationMs,
		output: (nodeName, outputIndex = 0) => lastTask(nodeName)?.data?.main?.[outputIndex] ?? [],
		nodeError: (nodeName) => lastTask(nodeName)?.error,
		binaryBuffer: async (binary) => await Container.get(BinaryDataService).getAsBuffer(binary),
	};
}
