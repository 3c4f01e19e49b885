/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { readFileSync, rmSync } from 'fs';
import type { IncomingMessage, Server, ServerResponse } from 'http';
import { createServer } from 'http';
import { join } from 'path';

import type { Simulator } from '../simulator';
import { startSimulator } from '../simulator';
import type { Workflow } from './workflows';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/lib/real-n8n');

/**
 * The AI Agent example in a real n8n: n8n's AI Agent, with its OpenAI chat model pointed at a
 * scripted stand-in (it asks for the Seedance tool once, then answers with what the tool
 * returned), calls this node as a tool, which creates a video on the gateway simulator.
 */

const PROMPT_FROM_THE_MODEL = 'A paper airplane glides over a city at sunset, tracking shot';

let sim: Simulator;
let llm: Server;
let llmUrl: string;
const llmRequests: Array<{ url?: string; messages: Array<{ role: string; content?: string }>; tools?: Array<{ function: { name: string } }> }> = [];
let userFolder: string;
let n8n: unknown;

/** An OpenAI-compatible chat endpoint: first turn calls the tool, second turn answers. */
function scriptedModel(req: IncomingMessage, res: ServerResponse) {
	let raw = '';
	req.on('data', (chunk) => (raw += chunk));
	req.on('end', () => {
		const body = JSON.parse(raw || '{}');
		llmRequests.push({ ...body, url: req.url });
		const toolResult = [...(body.messages ?? [])].reverse().find((message: { role: string }) => message.role === 'tool');
		const tool = body.tools?.[0]?.function?.name;
		const message = toolResult
			? { role: 'assistant', content: `Here is your video: ${JSON.parse(toolResult.content)?.[0]?.videoUrl ?? toolResult.content}` }
			: {
					role: 'assistant',
					content: null,
					tool_calls: [{ id: 'call_1', type: 'function', function: { name: tool, arguments: JSON.stringify({ prompt: PROMPT_FROM_THE_MODEL, duration: 5 }) } }],
				};
		const finish = toolResult ? 'stop' : 'tool_calls';
		if (body.stream) {
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			const delta = toolResult
				? { role: 'assistant', content: message.content }
				: { role: 'assistant', tool_calls: [{ index: 0, ...(message.tool_calls as object[])[0] }] };
			const chunk = (choice: object) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: body.model, choices: [choice] })}\n\n`;
			res.write(chunk({ index: 0, delta, finish_reason: null }));
			res.write(chunk({ index: 0, delta: {}, finish_reason: finish }));
			res.end('data: [DONE]\n\n');
			return;
		}
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(JSON.stringify({
			id: 'c1', object: 'chat.completion', created: 1, model: body.model,
			choices: [{ index: 0, message, finish_reason: finish }],
			usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
		}));
	});
}

beforeAll(async () => {
	sim = await startSimulator({ queuedMs: 200, jobMs: 1500, aihubmixInlineVideoUrl: true });
	llm = createServer(scriptedModel);
	await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
	llmUrl = `http://127.0.0.1:${(llm.address() as { port: number }).port}/v1`;
	({ n8n, userFolder } = lib.n8nWithPackage());

	const workflow = JSON.parse(readFileSync(join(lib.ROOT, 'examples', 'ai-agent-video-tool.json'), 'utf8')) as Workflow;
	// `n8n execute` starts from a Manual Trigger: the chat message comes from a Set node instead.
	const trigger = workflow.nodes.find((node) => node.type.endsWith('.chatTrigger'))!;
	Object.assign(trigger, { type: 'n8n-nodes-base.set', typeVersion: 3.4, parameters: { mode: 'raw', jsonOutput: JSON.stringify({ chatInput: 'Make me a short video of a paper airplane over a city.' }), options: {} } });
	workflow.nodes.push({ id: 'e2e-start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [-220, 0], parameters: {} });
	workflow.connections.Start = { main: [[{ node: trigger.name, type: 'main', index: 0 }]] };
	const tool = workflow.nodes.find((node) => node.type.endsWith('.seedanceTool'))!;
	(tool.parameters.options as Record<string, unknown>).pollIntervalSeconds = 1;

	lib.importAll(userFolder, n8n, {
		credentials: [...lib.credentialsFor(sim), { id: 'openAiAccount1', name: 'OpenAI', type: 'openAiApi', data: { apiKey: 'sk-scripted', url: llmUrl } }],
		workflows: [workflow],
	});
}, 10 * 60 * 1000);

afterAll(async () => {
	await sim?.close();
	await new Promise((resolve) => llm?.close(resolve));
	if (userFolder) rmSync(userFolder, { recursive: true, force: true });
});

it('an AI Agent calls the Seedance tool, which creates the video, and answers with its URL', async () => {
	const result = await lib.execute(userFolder, n8n, 'seedanceExAgent01');
	const answer = lib.nodeOutput(result.run, 'AI Agent')[0]?.json?.output;
	const [task] = [...sim.tasks.values()];
	if (!task) {
		const error = result.run.data.resultData.error ?? lib.nodeError(result.run, 'AI Agent') ?? lib.nodeError(result.run, 'Generate Video');
		throw new Error(`The agent created no task. Model requests: ${JSON.stringify(llmRequests).slice(0, 800)}; error: ${JSON.stringify(error).slice(0, 1500)}`);
	}
	expect(task.body.prompt).toBe(PROMPT_FROM_THE_MODEL);
	expect(llmRequests[0].tools?.map((entry) => entry.function.name)).toEqual(['Generate_Video']);
	expect(answer).toContain(`${sim.cdnOrigin}/aihubmix/videos/${task.id}.mp4`);
	expect(result.exitCode).toBe(0);

	// What the model was told about the tool, and what it got back from it.
	const described = (llmRequests[0].tools?.[0] as { function: { description?: string } }).function.description ?? '';
	expect(described).toMatch(/costs money/);
	expect(described).toMatch(/30 seconds to over 10 minutes/);
	expect(described).toMatch(/queued or running/);
	const toolMessage = llmRequests[1].messages.find((message) => message.role === 'tool')!;
	expect(Buffer.byteLength(toolMessage.content ?? '')).toBeLessThan(1024);
	const [toolResult] = JSON.parse(toolMessage.content ?? '[]');
	expect(Object.keys(toolResult).sort()).toEqual(['costCurrency', 'estimatedCost', 'estimatedCostUsd', 'status', 'taskId', 'videoDuration', 'videoUrl']);
	expect(toolResult).toMatchObject({ taskId: task.id, status: 'succeeded', videoDuration: 5 });
});
