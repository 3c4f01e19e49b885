/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
// Proves the harness runs nodes through n8n-core's real engine: expressions, generic and
// function credential auth over real HTTP, filesystem binary data, cancellation, continueOnFail.

import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

import { Expression, NodeConnectionTypes, NodeOperationError, sleep } from 'n8n-workflow';
import type {
	IConnections,
	ICredentialType,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { ITEMS_NODE_TYPE, registerCredentialType, registerNodeType, runWorkflow } from './harness';
import type { HarnessNode } from './harness';

/** Builds a tiny inline node type; `run` produces the output items. */
function inlineNode(
	name: string,
	run: (this: IExecuteFunctions, items: INodeExecutionData[]) => Promise<INodeExecutionData[][]>,
	extra: Partial<INodeTypeDescription> = {},
): string {
	const type = `n8n-nodes-harness-test.${name}`;
	const node: INodeType = {
		description: {
			displayName: name,
			name,
			group: ['transform'],
			version: 1,
			description: name,
			defaults: { name },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
			...extra,
		},
		async execute(this: IExecuteFunctions) {
			return await run.call(this, this.getInputData());
		},
	};
	registerNodeType(type, node);
	return type;
}

/** Linear chain: Items -> nodes[1] -> nodes[2] ... */
function chain(...names: string[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i < names.length - 1; i++) {
		connections[names[i]] = {
			main: [[{ node: names[i + 1], type: NodeConnectionTypes.Main, index: 0 }]],
		};
	}
	return connections;
}

const items = (values: object[]): HarnessNode => ({
	name: 'Items',
	type: ITEMS_NODE_TYPE,
	parameters: { items: JSON.stringify(values) },
});

describe('harness', () => {
	test('expressions resolve from the incoming item (legacy engine, no isolated-vm)', async () => {
		const echo = inlineNode(
			'echo',
			async function (input) {
				return [
					input.map((_, i) => ({
						json: { text: this.getNodeParameter('text', i) },
						pairedItem: { item: i },
					})),
				];
			},
			{ properties: [{ displayName: 'Text', name: 'text', type: 'string', default: '' }] },
		);
		const result = await runWorkflow({
			nodes: [
				items([{ prompt: 'a cat' }, { prompt: 'a dog' }]),
				{ name: 'Echo', type: echo, parameters: { text: '={{ $json.prompt }}!' } },
			],
			connections: chain('Items', 'Echo'),
		});
		expect(result.status).toBe('success');
		expect(result.output('Echo').map((item) => item.json)).toEqual([
			{ text: 'a cat!' },
			{ text: 'a dog!' },
		]);
		// Expression evaluation ran in-process: the isolated-vm native addon is not built here.
		expect(Expression.getActiveImplementation()).toBe('legacy');
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- proves the native addon cannot load
		expect(() => require('isolated-vm')).toThrow();
	});

	describe('credentials over real HTTP', () => {
		let server: http.Server;
		let baseUrl: string;
		const received: http.IncomingHttpHeaders[] = [];
		const urls: string[] = [];

		beforeAll(async () => {
			server = http.createServer((req, res) => {
				received.push(req.headers);
				urls.push(req.url ?? '');
				res.setHeader('content-type', 'application/json');
				res.end(JSON.stringify({ ok: true, path: req.url }));
			});
			server.listen(0, '127.0.0.1');
			await once(server, 'listening');
			baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

			const bearer: ICredentialType = {
				name: 'harnessBearerApi',
				displayName: 'Harness Bearer',
				properties: [
					{
						displayName: 'API Key',
						name: 'apiKey',
						type: 'string',
						typeOptions: { password: true },
						default: '',
					},
					// The test omits baseUrl: the default must be applied like n8n's applyDefaultsAndOverwrites.
					{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: baseUrl },
				],
				authenticate: {
					type: 'generic',
					properties: {
						headers: { Authorization: '=Bearer {{$credentials.apiKey}}' },
						qs: { via: 'generic' },
					},
				},
			};
			const fn: ICredentialType = {
				name: 'harnessFunctionApi',
				displayName: 'Harness Function',
				properties: [{ displayName: 'Token', name: 'token', type: 'string', default: '' }],
				authenticate: async (credentials, requestOptions) => ({
					...requestOptions,
					headers: { ...requestOptions.headers, 'x-token': `fn:${credentials.token as string}` },
				}),
			};
			registerCredentialType(bearer);
			registerCredentialType(fn);
		});

		afterAll(() => server.close());

		test('generic (Bearer header + qs) and function authenticate reach a loopback server', async () => {
			const caller = inlineNode(
				'caller',
				async function (input) {
					const { baseUrl: url } = await this.getCredentials<{ baseUrl: string }>(
						'harnessBearerApi',
					);
					const out: INodeExecutionData[] = [];
					for (let i = 0; i < input.length; i++) {
						const a = await this.helpers.httpRequestWithAuthentication.call(
							this,
							'harnessBearerApi',
							{ url: `${url}/a`, method: 'GET', json: true },
						);
						const b = await this.helpers.httpRequestWithAuthentication.call(
							this,
							'harnessFunctionApi',
							{ url: `${url}/b`, method: 'POST', body: { x: 1 }, json: true },
						);
						out.push({ json: { a, b }, pairedItem: { item: i } });
					}
					return [out];
				},
				{
					credentials: [
						{ name: 'harnessBearerApi', required: true },
						{ name: 'harnessFunctionApi', required: true },
					],
				},
			);
			const result = await runWorkflow({
				nodes: [items([{}]), { name: 'Caller', type: caller, parameters: {} }],
				connections: chain('Items', 'Caller'),
				credentials: {
					harnessBearerApi: { apiKey: 'k-123' },
					harnessFunctionApi: { token: '={{ "t-" + (4 + 5) }}' },
				},
			});
			expect(result.error).toBeUndefined();
			expect(result.output('Caller')[0].json).toEqual({
				a: { ok: true, path: '/a?via=generic' },
				b: { ok: true, path: '/b' },
			});
			expect(received[0].authorization).toBe('Bearer k-123');
			expect(received[1]['x-token']).toBe('fn:t-9'); // credential field expression resolved
			expect(received[1].authorization).toBeUndefined();
		});

		test('a node without the credential it asks for fails like in n8n', async () => {
			const needy = inlineNode(
				'needy',
				async function () {
					await this.getCredentials('harnessBearerApi');
					return [[]];
				},
				{ credentials: [{ name: 'harnessBearerApi', required: true }] },
			);
			const result = await runWorkflow({
				nodes: [items([{}]), { name: 'Needy', type: needy, parameters: {} }],
				connections: chain('Items', 'Needy'),
			});
			expect(result.status).toBe('error');
			expect(result.nodeError('Needy')?.message).toBe('Node does not have any credentials set');
		});
	});

	test('binary data lives on disk (filesystem mode) and reads back, buffered or streamed', async () => {
		const streamer = inlineNode('streamer', async function (input) {
			const out: INodeExecutionData[] = [];
			for (let i = 0; i < input.length; i++) {
				const incoming = await this.helpers.getBinaryDataBuffer(i, 'photo');
				const stream = Readable.from([Buffer.from('chunk1-'), Buffer.from('chunk2')]);
				const video = await this.helpers.prepareBinaryData(stream, 'clip.mp4', 'video/mp4');
				out.push({
					json: { incoming: incoming.toString() },
					binary: { video },
					pairedItem: { item: i },
				});
			}
			return [out];
		});
		const result = await runWorkflow({
			nodes: [
				{
					name: 'Items',
					type: ITEMS_NODE_TYPE,
					parameters: {
						items: '[{"n":1}]',
						binary: JSON.stringify([
							{
								itemIndex: 0,
								property: 'photo',
								base64: Buffer.from('jpeg-bytes').toString('base64'),
								mimeType: 'image/jpeg',
								fileName: 'p.jpg',
							},
						]),
					},
				},
				{ name: 'Streamer', type: streamer, parameters: {} },
			],
			connections: chain('Items', 'Streamer'),
		});
		expect(result.error).toBeUndefined();
		const [item] = result.output('Streamer');
		expect(item.json.incoming).toBe('jpeg-bytes');
		const { video } = item.binary ?? {};
		expect(video).toMatchObject({
			mimeType: 'video/mp4',
			fileName: 'clip.mp4',
			fileExtension: 'mp4',
			bytes: 13,
		});
		expect(video.id).toMatch(/^filesystem-v2:/); // stored on disk, not base64 in memory
		expect((await result.binaryBuffer(video)).toString()).toBe('chunk1-chunk2');
		expect((await result.binaryBuffer(result.output('Items')[0].binary!.photo)).toString()).toBe(
			'jpeg-bytes',
		);
	});

	describe('cancellation (cancelAfterMs = the user pressing Stop)', () => {
		// What the node does once sleep(60_000, this.getExecutionCancelSignal()) rejects decides
		// the run status: WorkflowExecute only reports 'canceled' if no node error was recorded or
		// the recorded message contains "canceled" (US spelling); any other error gives 'error'.
		const behaviours = {
			rethrow: (error: unknown) => {
				throw error;
			},
			throwCanceled: function (this: IExecuteFunctions) {
				throw new NodeOperationError(this.getNode(), 'Execution was canceled');
			},
			stop: () => undefined,
		};
		test.each([
			['rethrow', 'error', undefined],
			['throwCanceled', 'canceled', 'Execution was canceled'],
			['stop', 'canceled', 'The execution was cancelled manually'],
		] as const)('node that does %s on abort -> status %s', async (behaviour, status, message) => {
			let signal: AbortSignal | undefined;
			const sleeper = inlineNode(`sleeper_${behaviour}`, async function (input) {
				signal = this.getExecutionCancelSignal();
				try {
					await sleep(60_000, signal);
				} catch (error) {
					behaviours[behaviour].call(this, error);
				}
				return [input];
			});
			const after = inlineNode(`after_${behaviour}`, async (input) => [input]);
			const result = await runWorkflow({
				nodes: [
					items([{}]),
					{ name: 'Sleeper', type: sleeper, parameters: {} },
					{ name: 'After', type: after, parameters: {} },
				],
				connections: chain('Items', 'Sleeper', 'After'),
				cancelAfterMs: 200,
			});
			expect(signal?.aborted).toBe(true);
			expect(result.durationMs).toBeLessThan(5_000);
			expect(result.status).toBe(status);
			expect(result.output('After')).toEqual([]); // nothing runs after the stop
			if (message) expect(result.error?.message).toBe(message);
			if (behaviour === 'rethrow') {
				// Outside jest the reason is DOMException AbortError "This operation was aborted"; in
				// jest's vm realm it is not `instanceof Error`, so sleep()'s ensureError() wraps it.
				expect(result.nodeError('Sleeper')?.message).toMatch(/aborted|not an instance of Error/);
			}
		});
	});

	test('continueOnFail / onError route a failing item instead of failing the run', async () => {
		const failer = inlineNode('failer', async function (input) {
			const out: INodeExecutionData[] = [];
			for (let i = 0; i < input.length; i++) {
				try {
					if (input[i].json.bad)
						throw new NodeOperationError(this.getNode(), 'bad item', { itemIndex: i });
					out.push({ json: { ok: i }, pairedItem: { item: i } });
				} catch (error) {
					if (!this.continueOnFail()) throw error;
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
				}
			}
			return [out];
		});
		const nodes = (extra: Partial<HarnessNode>) => ({
			nodes: [
				items([{ bad: false }, { bad: true }]),
				{ name: 'Failer', type: failer, parameters: {}, ...extra },
			],
			connections: chain('Items', 'Failer'),
		});

		const failed = await runWorkflow(nodes({}));
		expect(failed.status).toBe('error');
		expect(failed.nodeError('Failer')?.message).toBe('bad item');
		expect(failed.error?.message).toBe('bad item');

		for (const setting of [
			{ continueOnFail: true },
			{ onError: 'continueRegularOutput' as const },
		]) {
			const result = await runWorkflow(nodes(setting));
			expect(result.status).toBe('success');
			expect(result.output('Failer').map((item) => item.json)).toEqual([
				{ ok: 0 },
				{ error: 'bad item' },
			]);
		}
	});

	test('missing required parameters are refused before execution, like n8n', async () => {
		const strict = inlineNode('strict', async (input) => [input], {
			properties: [
				{ displayName: 'Model', name: 'model', type: 'string', default: '', required: true },
			],
		});
		await expect(
			runWorkflow({
				nodes: [items([{}]), { name: 'Strict', type: strict, parameters: {} }],
				connections: chain('Items', 'Strict'),
			}),
		).rejects.toThrow("The 'Strict' node has issues");
	});
});
