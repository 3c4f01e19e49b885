/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import { deflateSync } from 'zlib';

/**
 * Small media files made to measure, built byte by byte from the format specs: a real PNG of
 * any size, a JPEG with an EXIF block before its frame header, WAV and MP3 clips of any length,
 * and an MP4 whose index (moov) follows its data, as files from phones often are.
 */

function crc32(data: Buffer): number {
	let crc = 0xffffffff;
	for (const byte of data) {
		crc ^= byte;
		for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/** A valid, viewable PNG: a grey gradient, 8-bit RGB. */
export function png(width: number, height: number): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8);
	const row = Buffer.alloc(1 + width * 3);
	for (let x = 0; x < width; x++) row.fill(Math.floor((x / width) * 255), 1 + x * 3, 4 + x * 3);
	const pixels = Buffer.concat(Array.from({ length: height }, () => row));
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', header),
		pngChunk('IDAT', deflateSync(pixels)),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

/** JPEG markers up to the frame header (SOF0), after an APP1 block of `exifBytes`. */
export function jpegHeader(width: number, height: number, exifBytes = 20_000): Buffer {
	const app1 = Buffer.alloc(4 + exifBytes);
	app1.set([0xff, 0xe1]);
	app1.writeUInt16BE(2 + exifBytes, 2);
	app1.write('Exif', 4, 'latin1');
	const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
	sof.writeUInt16BE(height, 5);
	sof.writeUInt16BE(width, 7);
	return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0\x01\x02\0\0\x01\0\x01\0\0', 'latin1'), app1, sof, Buffer.from([0xff, 0xd9])]);
}

/** A silent WAV: 8 kHz, mono, 8-bit. */
export function wav(seconds: number): Buffer {
	const samples = Math.round(seconds * 8000);
	const header = Buffer.alloc(44);
	header.write('RIFF', 0, 'latin1');
	header.writeUInt32LE(36 + samples, 4);
	header.write('WAVEfmt ', 8, 'latin1');
	header.writeUInt32LE(16, 16);
	header.writeUInt16LE(1, 20); // PCM
	header.writeUInt16LE(1, 22); // mono
	header.writeUInt32LE(8000, 24);
	header.writeUInt32LE(8000, 28); // bytes per second
	header.writeUInt16LE(1, 32);
	header.writeUInt16LE(8, 34);
	header.write('data', 36, 'latin1');
	header.writeUInt32LE(samples, 40);
	return Buffer.concat([header, Buffer.alloc(samples, 0x80)]);
}

/** A constant bit rate MP3 (MPEG-1 Layer III, 128 kbit/s, 44.1 kHz) behind an ID3v2 tag. */
export function mp3(seconds: number): Buffer {
	const frames = Math.round((seconds * 44100) / 1152);
	const frame = Buffer.alloc(417);
	frame.set([0xff, 0xfb, 0x90, 0x00]);
	const id3 = Buffer.alloc(10 + 300);
	id3.write('ID3', 0, 'latin1');
	id3.set([4, 0, 0, 0, 0, 2, 0x2c], 3); // version 2.4, size 300 as a syncsafe integer
	return Buffer.concat([id3, ...Array.from({ length: frames }, () => frame)]);
}

function box(type: string, ...parts: Buffer[]): Buffer {
	const body = Buffer.concat(parts);
	const header = Buffer.alloc(8);
	header.writeUInt32BE(8 + body.length);
	header.write(type, 4, 'latin1');
	return Buffer.concat([header, body]);
}

/** An MP4 with `mdatBytes` of data before its index: an audio track first, then the video track at `fps`. */
export function mp4(seconds: number, width = 640, height = 640, mdatBytes = 4096, fps = 24): Buffer {
	const timesHeader = (timescale: number, duration: number, size: number) => {
		const body = Buffer.alloc(size);
		body.writeUInt32BE(timescale, 12);
		body.writeUInt32BE(duration, 16);
		return body;
	};
	const tkhd = (w: number, h: number) => {
		const body = Buffer.alloc(84);
		body.writeUInt32BE(w * 65536, 76);
		body.writeUInt32BE(h * 65536, 80);
		return box('tkhd', body);
	};
	const hdlr = (kind: string) => {
		const body = Buffer.alloc(25);
		body.write(kind, 8, 'latin1');
		return box('hdlr', body);
	};
	// Every frame lasts 90000 / fps ticks of the usual 90 kHz video clock: one stts entry.
	const frames = Math.round(seconds * fps);
	const delta = Math.round(90000 / fps);
	const stts = Buffer.alloc(16);
	stts.writeUInt32BE(1, 4);
	stts.writeUInt32BE(frames, 8);
	stts.writeUInt32BE(delta, 12);
	const videoTrack = box(
		'trak',
		tkhd(width, height),
		box('mdia', box('mdhd', timesHeader(90000, frames * delta, 24)), hdlr('vide'), box('minf', box('stbl', box('stts', stts)))),
	);
	const audioTrack = box('trak', tkhd(0, 0), box('mdia', box('mdhd', timesHeader(8000, Math.round(seconds * 8000), 24)), hdlr('soun')));
	return Buffer.concat([
		box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2mp41', 'latin1')),
		box('mdat', Buffer.alloc(mdatBytes)),
		box('moov', box('mvhd', timesHeader(1000, Math.round(seconds * 1000), 100)), audioTrack, videoTrack),
	]);
}
