/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Readable } from 'stream';

import type { ForwardReader } from '../nodes/Seedance/media-probe';
import { base64Reader, probeMedia, streamReader } from '../nodes/Seedance/media-probe';
import { jpegHeader, mp3, mp4, png, wav } from './media-fixtures';

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
