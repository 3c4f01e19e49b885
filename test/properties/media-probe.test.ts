/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { Readable } from 'stream';

import type { ForwardReader, MediaFacts } from '../../nodes/Seedance/media-probe';
import { base64Reader, PROBE_BUDGET, probeMedia, streamReader } from '../../nodes/Seedance/media-probe';
import {
	fragmentedMp4,
	jpegEndlessSegments,
	jpegHeader,
	mp3,
	mp3WithoutFrames,
	mp4,
	mp4ManyBoxes,
	mp4NestedBoxes,
	mp4WithHugeSampleCounts,
	png,
	wav,
	wavChunkLoop,
} from '../media-fixtures';
import { fuzzRuns, InvariantReport, LONG_RUN } from './fuzz';

/**
 * Invariant (issue 16, point 1): any byte string, and any mutation of the fixture files (bit
 * flips, splices, cuts, box sizes overwritten), is probed within PROBE_BUDGET: the probe
 * resolves, never throws, reads at most the byte and read budget, and what it reports is a
 * set of positive finite numbers or nothing. How long the event loop went without running a
 * timer while probing, and how much the heap and RSS grew, are measured and reported (npm run
 * fuzz prints the worst), never asserted.
 */

const FIXTURE_DIR = join(__dirname, '..', 'simulator', 'fixtures');

const SEEDS: Array<[string, Buffer]> = [
	...readdirSync(FIXTURE_DIR).map((name): [string, Buffer] => [name, readFileSync(join(FIXTURE_DIR, name))]),
	['png', png(400, 300)],
	['jpeg', jpegHeader(4000, 3000, 2000)],
	['mp4', mp4(5, 1280, 720, 2000, 30)],
	['fragmented mp4', fragmentedMp4({ seconds: 3, framesPerFragment: 15 })],
	['fragmented mp4 with mehd', fragmentedMp4({ seconds: 3, mehd: true, framesPerFragment: 30 })],
	['wav', wav(0.5)],
	['mp3', mp3(1)],
	// The hostile shapes, smaller than in test/media-probe.test.ts so that many cases run.
	['huge sample counts', mp4WithHugeSampleCounts(3000)],
	['nested boxes', mp4NestedBoxes(5000)],
	['many boxes', mp4ManyBoxes(25_000)],
	['endless jpeg', jpegEndlessSegments(3000)],
	['mp3 without frames', mp3WithoutFrames(20_000)],
	['wav chunk loop', wavChunkLoop(3000)],
	// The long run (npm run fuzz) also takes the files of the issue at full size.
	...(LONG_RUN ? ([['huge sample counts, 300 kB', mp4WithHugeSampleCounts()], ['nested boxes, 4 MB', mp4NestedBoxes()], ['many boxes, 1.6 MB', mp4ManyBoxes()]] as Array<[string, Buffer]>) : []),
];

/** Where the MP4 boxes of a file start (containers opened), for overwriting their sizes. */
function boxOffsets(file: Buffer): number[] {
	if (file.toString('latin1', 4, 8) !== 'ftyp') return [];
	const containers = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'mvex', 'moof', 'traf']);
	const offsets: number[] = [];
	const walk = (from: number, to: number) => {
		for (let position = from; position + 8 <= to && offsets.length < 5000; ) {
			const size = file.readUInt32BE(position);
			if (size < 8 || position + size > to) return;
			offsets.push(position);
			if (containers.has(file.toString('latin1', position + 4, position + 8))) walk(position + 8, position + size);
			position += size;
		}
	};
	walk(0, file.length);
	return offsets;
}
const BOX_OFFSETS = new Map(SEEDS.map(([name, file]) => [name, boxOffsets(file)]));

type Mutation =
	| { kind: 'flip'; at: number; bit: number }
	| { kind: 'splice'; at: number; remove: number; insert: Uint8Array }
	| { kind: 'cut'; at: number }
	| { kind: 'boxSize'; box: number; size: number }
	| { kind: 'word'; at: number; value: number };

/** Sizes that mean something to a box reader: 0 (to the end), 1 (64-bit), under a header, huge. */
const SIZE = fc.oneof(fc.constantFrom(0, 1, 7, 8, 9, 16, 0x7fffffff, 0xffffffff), fc.nat({ max: 0xffffffff }));
const AT = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
	fc.record({ kind: fc.constant('flip' as const), at: AT, bit: fc.integer({ min: 0, max: 7 }) }),
	fc.record({ kind: fc.constant('splice' as const), at: AT, remove: fc.nat({ max: 64 }), insert: fc.uint8Array({ maxLength: 64 }) }),
	fc.record({ kind: fc.constant('cut' as const), at: AT }),
	fc.record({ kind: fc.constant('boxSize' as const), box: AT, size: SIZE }),
	fc.record({ kind: fc.constant('word' as const), at: AT, value: SIZE }),
) as fc.Arbitrary<Mutation>;

/** `at` values are fractions of the file's length, so a mutation fits any file it meets. */
function mutate(name: string, seed: Buffer, mutations: Mutation[]): Buffer {
	let file = Buffer.from(seed);
	const offsets = BOX_OFFSETS.get(name) ?? [];
	for (const change of mutations) {
		if (file.length === 0) break;
		if (change.kind === 'flip') {
			const at = Math.floor(change.at * file.length);
			file[at] ^= 1 << change.bit;
		} else if (change.kind === 'splice') {
			const at = Math.floor(change.at * file.length);
			file = Buffer.concat([file.subarray(0, at), Buffer.from(change.insert), file.subarray(at + change.remove)]);
		} else if (change.kind === 'cut') {
			file = file.subarray(0, Math.floor(change.at * file.length));
		} else if (change.kind === 'boxSize') {
			// A box's size field, where the file has boxes; else any four bytes.
			const at = offsets.length > 0 ? offsets[Math.floor(change.box * offsets.length)] : Math.floor(change.box * file.length);
			if (at + 4 <= file.length) file.writeUInt32BE(change.size >>> 0, at);
		} else {
			const at = Math.floor(change.at * file.length);
			if (at + 4 <= file.length) file.writeUInt32BE(change.value >>> 0, at);
		}
	}
	return file;
}

/** Random bytes, bare or behind the signature of a format the probe reads, so each parser gets them. */
const SIGNATURES = [
	Buffer.alloc(0),
	Buffer.from('\0\0\0\x18ftypisom\0\0\x02\0isomiso2', 'latin1'),
	Buffer.from('\xff\xd8', 'latin1'),
	Buffer.from('RIFF\xff\xff\xff\xffWAVE', 'latin1'),
	Buffer.from('ID3\x04\0\0\0\0\0\x10', 'latin1'),
	Buffer.from('\xff\xfb\x90\x00', 'latin1'),
	Buffer.from('\x89PNG\r\n\x1a\n\0\0\0\rIHDR', 'latin1'),
	Buffer.from('RIFF\0\0\0\0WEBPVP8X', 'latin1'),
];

type Case = { label: string; file: Buffer };

const anyFile: fc.Arbitrary<Case> = fc.oneof(
	{ weight: 3, arbitrary: fc.tuple(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(mutation, { minLength: 0, maxLength: 6 })).map(([index, mutations]) => ({ label: `${SEEDS[index][0]} mutated`, file: mutate(SEEDS[index][0], SEEDS[index][1], mutations) })) },
	{ weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SIGNATURES), fc.uint8Array({ maxLength: 4096 })).map(([signature, bytes]) => ({ label: 'random bytes', file: Buffer.concat([signature, Buffer.from(bytes)]) })) },
);

/** Inline base64, or a stream in chunks of any size (n8n's binary store hands 64 KiB). */
const readerKind = fc.oneof(fc.constant({ stream: false, chunk: 0 }), fc.record({ stream: fc.constant(true), chunk: fc.constantFrom(1, 7, 512, 65536) }));

function readerFor(file: Buffer, kind: { stream: boolean; chunk: number }): ForwardReader {
	if (!kind.stream) return base64Reader(file.toString('base64'));
	// Readable.from would iterate a Buffer byte by byte; a generator hands out chunks.
	const chunks = function* () {
		for (let offset = 0; offset < file.length; offset += kind.chunk) yield file.subarray(offset, offset + kind.chunk);
	};
	return streamReader(Readable.from(chunks()), file.length);
}

interface Measured {
	facts: MediaFacts | undefined;
	bytesRead: number;
	reads: number;
	maxEventLoopGapMs: number;
	peakHeapGrowthMB: number;
	peakRssGrowthMB: number;
	probeMs: number;
}

/** Probes with a timer ticking every millisecond: the longest stretch it could not run, and memory at each tick. */
async function measure(reader: ForwardReader): Promise<Measured> {
	const spent = { bytes: 0, reads: 0 };
	const counted: ForwardReader = {
		size: reader.size,
		close: () => reader.close(),
		async read(offset, length) {
			const data = await reader.read(offset, length);
			spent.bytes += data.length;
			spent.reads++;
			return data;
		},
	};
	const before = process.memoryUsage();
	let peakHeap = before.heapUsed;
	let peakRss = before.rss;
	const started = Date.now();
	let lastTick = started;
	let maxGap = 0;
	const timer = setInterval(() => {
		const now = Date.now();
		maxGap = Math.max(maxGap, now - lastTick);
		lastTick = now;
		const memory = process.memoryUsage();
		peakHeap = Math.max(peakHeap, memory.heapUsed);
		peakRss = Math.max(peakRss, memory.rss);
	}, 1);
	try {
		const facts = await probeMedia(counted);
		const ended = Date.now();
		const memory = process.memoryUsage();
		return {
			facts,
			bytesRead: spent.bytes,
			reads: spent.reads,
			// The stretch since the last tick counts too: a probe that never yields has no tick at all.
			maxEventLoopGapMs: Math.max(maxGap, ended - lastTick),
			peakHeapGrowthMB: (Math.max(peakHeap, memory.heapUsed) - before.heapUsed) / 1e6,
			peakRssGrowthMB: (Math.max(peakRss, memory.rss) - before.rss) / 1e6,
			probeMs: ended - started,
		};
	} finally {
		clearInterval(timer);
	}
}

const report = new InvariantReport('media probe: any bytes or mutated fixture within the budget');
afterAll(() => report.write());

it('any byte string or mutated fixture is probed within the budget: it resolves, reads at most the budget, and reports positive finite numbers or nothing', async () => {
	await fc.assert(
		fc.asyncProperty(anyFile, readerKind, async ({ file }, kind) => {
			// (a seed left whole is a case too: the hostile shapes as they are)
			const result = await measure(readerFor(file, kind));
			report.saw({
				maxEventLoopGapMs: result.maxEventLoopGapMs,
				peakHeapGrowthMB: result.peakHeapGrowthMB,
				peakRssGrowthMB: result.peakRssGrowthMB,
				bytesRead: result.bytesRead,
				reads: result.reads,
				probeMs: result.probeMs,
			});
			expect(result.bytesRead).toBeLessThanOrEqual(PROBE_BUDGET.bytes);
			expect(result.reads).toBeLessThanOrEqual(PROBE_BUDGET.reads);
			if (result.facts !== undefined) {
				expect(Object.keys(result.facts).length).toBeGreaterThan(0);
				for (const [fact, value] of Object.entries(result.facts)) {
					expect(['width', 'height', 'durationSeconds', 'framesPerSecond']).toContain(fact);
					expect(Number.isFinite(value) && value > 0).toBe(true);
				}
			}
		}),
		fuzzRuns(120),
	);
});

it('the base64 reader hands out exactly the bytes asked for (never more), wherever they are', async () => {
	await fc.assert(
		fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 320 }), fc.nat({ max: 200 }), async (bytes, offset, length) => {
			const file = Buffer.from(bytes);
			const read = await base64Reader(file.toString('base64')).read(offset, length);
			expect(read).toEqual(file.subarray(offset, offset + length));
		}),
		fuzzRuns(200),
	);
});
