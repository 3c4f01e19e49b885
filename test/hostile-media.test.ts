import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { registerNodeType, runWorkflow } from './harness';
import { fragmentedMp4, mp4NestedBoxes, mp4WithHugeSampleCounts } from './media-fixtures';
import type { SeedanceRun } from './seedance-run';
import { credentialsFor, runSeedance, SEEDANCE_TYPE, visibleText } from './seedance-run';
import type { Simulator } from './simulator';
import { startSimulator } from './simulator';

/**
 * Issue 16, points 1 and 2, through n8n-core's WorkflowExecute: crafted reference videos reach
 * the node the three ways a file can (a file in n8n's binary data store, inline binary data as
 * n8n's memory mode keeps it, a data URL). Each is refused with a clear message or sent to the
 * gateway with what could be read of it, never refused for what the probe misread; a
 * fragmented MP4 (mvhd duration 0) is sent with its real length instead of "lasts 0 s".
 */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => await sim.close());
beforeEach(() => sim.reset());

/** Files handed to the inline start node below, by key (a parameter would copy megabytes). */
const INLINE_FILES = new Map<string, { data: Buffer; mimeType: string; bytes?: number }>();
const INLINE_TYPE = 'n8n-nodes-harness.inlineBinary';

/** A start node whose item carries its file inline (binary.data, no store id), as n8n's default binary mode does. */
const inlineBinaryNode: INodeType = {
	description: {
		displayName: 'Inline Binary',
		name: 'inlineBinary',
		group: ['input'],
		version: 1,
		description: 'Emits one item with an inline binary file',
		defaults: { name: 'Inline Binary' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'File', name: 'file', type: 'string', default: '' }],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const file = INLINE_FILES.get(this.getNodeParameter('file', 0) as string)!;
		const binary = { data: file.data.toString('base64'), mimeType: file.mimeType, fileName: 'clip.mp4', bytes: file.bytes ?? file.data.length };
		return [[{ json: {}, binary: { clip: binary }, pairedItem: { item: 0 } }]];
	},
};
registerNodeType(INLINE_TYPE, inlineBinaryNode);

type Source = 'binary store' | 'inline binary' | 'data URL';
const SOURCES: Source[] = ['binary store', 'inline binary', 'data URL'];

const CREATE = { operation: 'create', prompt: 'Follow the camera move of the clip', duration: 5, waitForCompletion: false };
const FROM_BINARY = { media: { items: [{ role: 'reference_video', source: 'binary', binaryProperty: 'clip' }] } };

/** A TokenHub create with `file` as its one reference video, reached from `source`. */
async function createWith(source: Source, file: Buffer, mimeType = 'video/mp4', claimedBytes?: number): Promise<SeedanceRun> {
	if (source === 'data URL') {
		const url = `data:${mimeType};base64,${file.toString('base64')}`;
		return await runSeedance({ sim, provider: 'tokenhub', parameters: { ...CREATE, media: { items: [{ role: 'reference_video', source: 'url', url }] } } });
	}
	if (source === 'binary store') {
		return await runSeedance({ sim, provider: 'tokenhub', parameters: { ...CREATE, ...FROM_BINARY }, binary: [{ itemIndex: 0, property: 'clip', base64: file.toString('base64'), mimeType, fileName: 'clip.mp4' }] });
	}
	const key = `file-${INLINE_FILES.size}`;
	INLINE_FILES.set(key, { data: file, mimeType, bytes: claimedBytes });
	try {
		const run = await runWorkflow({
			nodes: [
				{ name: 'Start', type: INLINE_TYPE, parameters: { file: key } },
				{ name: 'Seedance', type: SEEDANCE_TYPE, parameters: { provider: 'tokenhub', ...CREATE, ...FROM_BINARY } },
			],
			connections: { Start: { main: [[{ node: 'Seedance', type: 'main', index: 0 }]] } },
			credentials: credentialsFor(sim),
		});
		return Object.assign(run, { items: run.output('Seedance') });
	} finally {
		INLINE_FILES.delete(key);
	}
}

/** The create the gateway received, with the reference video's length the node sent along. */
function sentCreate(run: SeedanceRun): IDataObject {
	expect(run.nodeError('Seedance')).toBeUndefined();
	expect(run.status).toBe('success');
	expect(run.items[0].json.taskId).toBeDefined();
	const creates = sim.createRequests('tokenhub');
	expect(creates).toHaveLength(1);
	return creates[0].body as IDataObject;
}

describe.each(SOURCES)('crafted reference videos from %s', (source) => {
	it('sample tables claiming 100,000 entries each (300 kB, the file that held the event loop): sent, its honest length read, its frame rate left to the gateway', async () => {
		// Before: every table was read past its box to the end of the file (2.9 GB decoded), and
		// what lay there was counted as frames: refused as running at 577,600,000 frames per second.
		const run = await createWith(source, mp4WithHugeSampleCounts());
		expect(visibleText(run)).not.toContain('frames per second');
		expect(sentCreate(run).video_durations).toEqual([5]);
	});

	it('half a million nested boxes (4 MB): sent, its facts unknown (no length sent along)', async () => {
		const body = sentCreate(await createWith(source, mp4NestedBoxes(500_000)));
		expect(body.video_durations).toBeUndefined();
	});
});

describe.each(SOURCES)('fragmented MP4s (mvhd duration 0) from %s', (source) => {
	it('without mehd: not refused as lasting 0 s, sent with the length of its fragments', async () => {
		const run = await createWith(source, fragmentedMp4({ seconds: 6, fps: 30 }));
		expect(visibleText(run)).not.toContain('lasts 0 s');
		expect(sentCreate(run).video_durations).toEqual([6]);
	});

	it('with mvex/mehd: sent with the length mehd gives', async () => {
		const run = await createWith(source, fragmentedMp4({ seconds: 4.5, fps: 24, mehd: true }));
		expect(visibleText(run)).not.toContain('lasts 0 s');
		expect(sentCreate(run).video_durations).toEqual([4.5]);
	});

	it('cut short: its length unknown, so sent without one (never "lasts 0 s")', async () => {
		const run = await createWith(source, fragmentedMp4({ seconds: 6, truncateBy: 40 }));
		expect(visibleText(run)).not.toContain('lasts 0 s');
		expect(sentCreate(run).video_durations).toBeUndefined();
	});
});

describe('the cheap checks come first: a file whose type or size does not fit is refused for that alone, unread', () => {
	it('a crafted video stored as application/octet-stream: refused for its type, with one problem', async () => {
		const run = await createWith('binary store', mp4WithHugeSampleCounts(), 'application/octet-stream');
		const error = run.nodeError('Seedance') as (Error & { description?: string }) | undefined;
		// Before: the file was probed too (seconds of a blocked event loop), and its misread
		// frame rate was a second problem.
		expect(error?.message).toMatch(/^Item 0 cannot be sent to TokenHub \(1 problem\): Media 1 \(Reference Video\): binary field "clip" holds "application\/octet-stream"/);
		expect(error?.description).toContain('Nothing was sent, so nothing was charged');
		expect(sim.requests).toHaveLength(0);
	});

	it('inline binary data whose size (n8n metadata) is over the 50 MB video limit: refused for its size alone', async () => {
		const run = await createWith('inline binary', mp4WithHugeSampleCounts(), 'video/mp4', 60 * 1024 * 1024);
		const error = run.nodeError('Seedance') as Error | undefined;
		// The two size problems (the file, and the request it would make), not a third from its contents.
		expect(error?.message).toMatch(/^Item 0 cannot be sent to TokenHub \(2 problems\): Media 1 \(Reference Video\): binary field "clip" is 60\.0 MB; the limit for video files is 50\.0 MB\. Use a smaller file or a URL\. Media sends 80\.0 MB of inline files/);
		expect(error?.message).not.toContain('frames per second');
		expect(sim.requests).toHaveLength(0);
	});
});
