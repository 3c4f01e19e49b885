/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Readable } from 'stream';

import type { ForwardReader } from '../nodes/Seedance/media-probe';
import { base64Reader, PROBE_BUDGET, probeMedia, streamReader } from '../nodes/Seedance/media-probe';
import {
	fragmentedMp4,
	jpegEndlessSegments,
	jpegHeader,
	mp3,
	mp3WithoutFrames,
	mp4,
	mp4Box,
	mp4ManyBoxes,
	mp4NestedBoxes,
	mp4WithHugeSampleCounts,
	png,
	rawBox,
	wav,
	wavChunkLoop,
} from './media-fixtures';

/**
 * The header reader behind the size and length checks: each format read both from inline
 * base64 and from a stream in small chunks (as n8n's binary data store hands files over).
 */

function inChunks(file: Buffer, chunkSize: number): Readable {
	const chunks: Buffer[] = [];
	for (let offset = 0; offset < file.length; offset += chunkSize) chunks.push(file.subarray(offset, offset + chunkSize));
	return Readable.from(chunks);
}

const TINY_MP4 = { durationSeconds: 1, width: 64, height: 36, framesPerSecond: 24 };

const readers: Array<[string, (file: Buffer) => ForwardReader]> = [
	['inline base64', (file) => base64Reader(file.toString('base64'))],
	['a stream in 7-byte chunks', (file) => streamReader(inChunks(file, 7), file.length)],
	['a stream in 64 KiB chunks', (file) => streamReader(inChunks(file, 65536), file.length)],
];

const webpVp8x = (width: number, height: number) => {
	const file = Buffer.alloc(40);
	file.write('RIFF', 0, 'latin1');
	file.write('WEBPVP8X', 8, 'latin1');
	file.writeUIntLE(width - 1, 24, 3);
	file.writeUIntLE(height - 1, 27, 3);
	return file;
};
const gif = (width: number, height: number) => {
	const file = Buffer.alloc(16);
	file.write('GIF89a', 0, 'latin1');
	file.writeUInt16LE(width, 6);
	file.writeUInt16LE(height, 8);
	return file;
};
const bmp = (width: number, height: number) => {
	const file = Buffer.alloc(54);
	file.write('BM', 0, 'latin1');
	file.writeInt32LE(width, 18);
	file.writeInt32LE(-height, 22); // top-down rows store a negative height
	return file;
};

describe.each(readers)('reading media headers from %s', (_name, reader) => {
	it.each([
		['PNG', png(1280, 720), { width: 1280, height: 720 }],
		['JPEG after a 20 kB EXIF block', jpegHeader(4000, 3000), { width: 4000, height: 3000 }],
		['WebP (extended)', webpVp8x(5000, 2000), { width: 5000, height: 2000 }],
		['GIF', gif(320, 240), { width: 320, height: 240 }],
		['BMP stored top-down', bmp(640, 480), { width: 640, height: 480 }],
	])('the pixel size of a %s', async (_format, file, facts) => {
		expect(await probeMedia(reader(file))).toEqual(facts);
	});

	it('the length, picture size and frame rate of an MP4 whose index follows 300 kB of data', async () => {
		expect(await probeMedia(reader(mp4(12.5, 1280, 720, 300_000, 30)))).toEqual({ durationSeconds: 12.5, width: 1280, height: 720, framesPerSecond: 30 });
	});

	it('the length of a WAV', async () => {
		expect(await probeMedia(reader(wav(16)))).toEqual({ durationSeconds: 16 });
	});

	it('the length of a constant bit rate MP3 behind an ID3 tag, within a frame', async () => {
		const facts = await probeMedia(reader(mp3(20)));
		expect(facts!.durationSeconds).toBeCloseTo(20, 1);
	});

	it('no facts from a file it cannot read, rather than a guess', async () => {
		expect(await probeMedia(reader(Buffer.from('hello, not a media file')))).toBeUndefined();
		expect(await probeMedia(reader(png(400, 400).subarray(0, 12)))).toBeUndefined();
		expect(await probeMedia(reader(mp4(5).subarray(0, 200)))).toBeUndefined();
	});
});

it('a stream is closed once its facts are read, without reading the rest', async () => {
	let served = 0;
	const file = Buffer.concat([png(400, 300), Buffer.alloc(5_000_000)]);
	const stream = new Readable({
		read() {
			const chunk = file.subarray(served, served + 65536);
			served += chunk.length;
			this.push(chunk.length ? chunk : null);
		},
	});
	expect(await probeMedia(streamReader(stream, file.length))).toEqual({ width: 400, height: 300 });
	expect(stream.destroyed).toBe(true);
	expect(served).toBeLessThan(300_000);
});

it('reads files made by a real encoder (ffmpeg): the fixture MP4 and JPEG', async () => {
	const fixture = (name: string) => base64Reader(readFileSync(join(__dirname, 'simulator', 'fixtures', name)).toString('base64'));
	expect(await probeMedia(fixture('cover.jpg'))).toEqual({ width: 64, height: 36 });
	expect(await probeMedia(fixture('tiny.mp4'))).toEqual(TINY_MP4);
});

// ---------------------------------------------------------------------------- hostile files

/** A reader that counts the bytes it hands out, and how many reads asked for them. */
function counting(inner: ForwardReader) {
	const spent = { bytes: 0, reads: 0 };
	const reader: ForwardReader = {
		size: inner.size,
		close: () => inner.close(),
		async read(offset, length) {
			const data = await inner.read(offset, length);
			spent.bytes += data.length;
			spent.reads++;
			return data;
		},
	};
	return { reader, spent };
}

const FTYP = mp4Box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2mp41', 'latin1'));
const mvhd = (seconds: number) => {
	const body = Buffer.alloc(100);
	body.writeUInt32BE(1000, 12);
	body.writeUInt32BE(seconds * 1000, 16);
	return mp4Box('mvhd', body);
};
const largesize = (type: string, size: bigint, body: Buffer) => {
	const header = Buffer.alloc(16);
	header.writeUInt32BE(1);
	header.write(type, 4, 'latin1');
	header.writeBigUInt64BE(size, 8);
	return Buffer.concat([header, body]);
};

interface Hostile {
	name: string;
	file: () => Buffer;
	/** What the file honestly says; undefined when nothing can be known. */
	facts: object | undefined;
	/** The most bytes the probe may read of it. */
	maxBytes: number;
}

const HOSTILE: Hostile[] = [
	{ name: 'half a million boxes nested in each other (4 MB)', file: () => mp4NestedBoxes(500_000), facts: undefined, maxBytes: 2048 },
	{ name: 'nested media boxes inside a track, deeper than any real file', file: () => Buffer.concat([FTYP, mp4Box('moov', mp4Box('trak', mp4NestedBoxes(40, 'mdia').subarray(FTYP.length + 8)))]), facts: undefined, maxBytes: 2048 },
	{
		name: '19,000 sample tables each claiming 100,000 entries (300 kB)',
		file: () => mp4WithHugeSampleCounts(),
		// The movie and track headers are honest; the tables are not, so the frame rate stays unknown.
		facts: { durationSeconds: 5, width: 640, height: 640 },
		maxBytes: 19_000 * 20 + 4096,
	},
	{ name: '30,000 empty boxes in moov', file: () => mp4ManyBoxes(30_000), facts: undefined, maxBytes: PROBE_BUDGET.units * 16 + 4096 },
	{ name: 'a moov claiming 1 GB in a 2 kB file', file: () => Buffer.concat([FTYP, rawBox('moov', 1e9, mvhd(5)), Buffer.alloc(1900)]), facts: undefined, maxBytes: 4096 },
	{ name: 'a track claiming to end past its moov', file: () => Buffer.concat([FTYP, mp4Box('moov', mvhd(5), rawBox('trak', 1e6, Buffer.alloc(64)))]), facts: { durationSeconds: 5 }, maxBytes: 4096 },
	{ name: 'an mdat of size 0 (to the end of the file) before moov', file: () => Buffer.concat([FTYP, rawBox('mdat', 0, Buffer.alloc(5000)), mp4(5).subarray(FTYP.length)]), facts: undefined, maxBytes: 4096 },
	{ name: 'a free box of size 0 inside moov (to the end of moov)', file: () => Buffer.concat([FTYP, mp4Box('moov', mvhd(5), rawBox('free', 0, Buffer.alloc(64)))]), facts: { durationSeconds: 5 }, maxBytes: 4096 },
	{ name: 'a 64-bit box size of 2^63 before moov', file: () => Buffer.concat([FTYP, largesize('mdat', 2n ** 63n, Buffer.alloc(64)), mp4(5).subarray(FTYP.length)]), facts: undefined, maxBytes: 4096 },
	{ name: 'a box size smaller than its own header', file: () => Buffer.concat([FTYP, rawBox('mdat', 3, Buffer.alloc(64))]), facts: undefined, maxBytes: 4096 },
	{ name: 'a JPEG that never reaches its frame header (50,000 segments)', file: () => jpegEndlessSegments(50_000), facts: undefined, maxBytes: 64 * 1024 },
	{ name: 'an MP3 with a tag and no frames (one lone frame sync)', file: () => mp3WithoutFrames(), facts: undefined, maxBytes: 128 * 1024 },
	{ name: 'an MP3 whose tag claims 256 MB', file: () => Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0x7f, 0x7f, 0x7f, 0x7f]), mp3(3).subarray(310)]), facts: undefined, maxBytes: 4096 },
	{ name: 'a WAV whose chunks never reach fmt or data (100,000 chunks)', file: () => wavChunkLoop(100_000), facts: undefined, maxBytes: 8192 },
	{ name: 'a WAV whose data chunk claims 4 GB in 8 kB (a cut file)', file: () => { const file = wav(1); file.writeUInt32LE(0xfffffff0, 40); return file; }, facts: { durationSeconds: 1 }, maxBytes: 4096 },
];

describe.each(readers)('hostile files read from %s', (_name, reader) => {
	it.each(HOSTILE.map((hostile) => [hostile.name, hostile] as const))('%s: facts are unknown or true, and few bytes are read', async (_shape, hostile) => {
		const file = hostile.file();
		const { reader: counted, spent } = counting(reader(file));
		const facts = await probeMedia(counted);
		if (hostile.facts === undefined) expect(facts).toBeUndefined();
		else expect(facts).toEqual(hostile.facts);
		expect(spent.bytes).toBeLessThanOrEqual(Math.min(hostile.maxBytes, PROBE_BUDGET.bytes));
		expect(spent.reads).toBeLessThanOrEqual(PROBE_BUDGET.reads);
	});

	it('a cut file gives its true facts or none, wherever it is cut', async () => {
		const whole = [mp4(5, 1280, 720, 2000, 30), fragmentedMp4({ seconds: 3, framesPerFragment: 10 })];
		for (const file of whole) {
			const truth = (await probeMedia(reader(file)))!;
			for (let cut = 0; cut < file.length; cut += 97) {
				const facts = await probeMedia(reader(file.subarray(0, cut)));
				for (const [fact, value] of Object.entries(facts ?? {})) expect([fact, value]).toEqual([fact, truth[fact as keyof typeof truth]]);
				// A cut fragmented file still has its picture size, but its length is no longer known.
				expect(facts?.durationSeconds).toBeUndefined();
			}
		}
	});

	it('hands the event loop back while it works through many boxes', async () => {
		let timerRan = false;
		const timer = setTimeout(() => (timerRan = true), 0);
		let ranBeforeTheEnd = false;
		await probeMedia(reader(mp4ManyBoxes(5_000))).then(() => (ranBeforeTheEnd = timerRan));
		clearTimeout(timer);
		expect(ranBeforeTheEnd).toBe(true);
	});
});

describe.each(readers)('fragmented MP4s (mvhd duration 0) read from %s', (_name, reader) => {
	it('the length from mvex/mehd, the frame rate from the fragments', async () => {
		expect(await probeMedia(reader(fragmentedMp4({ seconds: 6, fps: 30, mehd: true })))).toEqual({ width: 640, height: 480, durationSeconds: 6, framesPerSecond: 30 });
	});

	it('without mehd, the length summed from the fragments (trun durations, tfhd and trex defaults)', async () => {
		expect(await probeMedia(reader(fragmentedMp4({ seconds: 12.4, fps: 25, framesPerFragment: 25 })))).toEqual({ width: 640, height: 480, durationSeconds: 12.4, framesPerSecond: 25 });
		const long = await probeMedia(reader(fragmentedMp4({ seconds: 20, fps: 60, framesPerFragment: 1 })));
		expect(long).toEqual({ width: 640, height: 480, durationSeconds: 20, framesPerSecond: 60 });
	});

	it('a writer that also puts the whole length in mvhd and mdhd: counted once, from the samples', async () => {
		const file = fragmentedMp4({ seconds: 6, fps: 30 });
		file.writeUInt32BE(6000, file.indexOf('mvhd', 0, 'latin1') + 4 + 16);
		file.writeUInt32BE(6 * 30 * 512, file.indexOf('mdhd', 0, 'latin1') + 4 + 16);
		expect(await probeMedia(reader(file))).toEqual({ width: 640, height: 480, durationSeconds: 6, framesPerSecond: 30 });
	});

	it('a cut fragmented file: its picture size, and no length rather than 0 or a part of it', async () => {
		expect(await probeMedia(reader(fragmentedMp4({ seconds: 6, truncateBy: 50 })))).toEqual({ width: 640, height: 480 });
	});

	it('a plain MP4 whose mvhd says 0: no length rather than 0 s', async () => {
		const file = mp4(5);
		file.writeUInt32BE(0, file.indexOf('mvhd', 0, 'latin1') + 4 + 16);
		const facts = await probeMedia(reader(file));
		expect(facts).toBeDefined();
		expect(facts!.durationSeconds).toBeUndefined();
	});
});

it('the base64 reader returns exactly the bytes asked for, wherever they are', async () => {
	const file = Buffer.from(Array.from({ length: 1000 }, (_, index) => (index * 7919) % 256));
	for (const encoded of [file.toString('base64'), file.subarray(1).toString('base64'), file.subarray(2).toString('base64')]) {
		const bytes = Buffer.from(encoded, 'base64');
		const reader = base64Reader(encoded);
		expect(reader.size).toBe(bytes.length);
		for (const [offset, length] of [[0, 1], [1, 2], [2, 3], [997, 10], [500, 0], [bytes.length, 4], [3, 64]]) {
			expect(await reader.read(offset, length)).toEqual(bytes.subarray(offset, offset + length));
		}
	}
});
