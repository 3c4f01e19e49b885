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

// ---------------------------------------------------------------------------- hostile and fragmented files

/** A box whose size field says `declaredSize` whatever its content (0 and 1 have their MP4 meanings). */
export function rawBox(type: string, declaredSize: number, body: Buffer = Buffer.alloc(0)): Buffer {
	const header = Buffer.alloc(8);
	header.writeUInt32BE(declaredSize >>> 0);
	header.write(type, 4, 'latin1');
	return Buffer.concat([header, body]);
}

/** A box of `type` holding `parts`, with a correct size. */
export function mp4Box(type: string, ...parts: Buffer[]): Buffer {
	return box(type, ...parts);
}

const FTYP = box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2mp41', 'latin1'));

function movieHeader(timescale: number, duration: number): Buffer {
	const body = Buffer.alloc(100);
	body.writeUInt32BE(timescale, 12);
	body.writeUInt32BE(duration, 16);
	return box('mvhd', body);
}

/**
 * A video track whose sample table is about `sttsBoxes` × 16 bytes (the default makes ~300 kB)
 * of stts boxes that each claim 100,000 entries while holding none: a reader that trusts the
 * counts reads the rest of the file for every one of them, and counts what it finds there as
 * frames. This is the file that held n8n's event loop for seconds. Its movie header is honest
 * (5 s) and so is its picture size (640×640).
 */
export function mp4WithHugeSampleCounts(sttsBoxes = 19_000): Buffer {
	const stts = Buffer.alloc(16);
	stts.writeUInt32BE(16, 0);
	stts.write('stts', 4, 'latin1');
	stts.writeUInt32BE(100_000, 12); // entry count; no entries follow
	const tables = Buffer.alloc(sttsBoxes * 16);
	for (let index = 0; index < sttsBoxes; index++) stts.copy(tables, index * 16);
	const tkhd = Buffer.alloc(84);
	tkhd.writeUInt32BE(1, 12);
	tkhd.writeUInt32BE(640 * 65536, 76);
	tkhd.writeUInt32BE(640 * 65536, 80);
	const mdhd = Buffer.alloc(24);
	mdhd.writeUInt32BE(90000, 12);
	mdhd.writeUInt32BE(5 * 90000, 16);
	const hdlr = Buffer.alloc(25);
	hdlr.write('vide', 8, 'latin1');
	const track = box('trak', box('tkhd', tkhd), box('mdia', box('mdhd', mdhd), box('hdlr', hdlr), box('minf', box('stbl', tables))));
	return Buffer.concat([FTYP, box('moov', movieHeader(1000, 5000), track)]);
}

/**
 * `depth` boxes nested in each other (trak in trak in trak ...), 8 bytes a level, every size
 * consistent: 4 MB is half a million levels. A reader that descends without a depth limit holds
 * a frame and a track record per level.
 */
export function mp4NestedBoxes(depth = 500_000, type = 'trak'): Buffer {
	const nested = Buffer.alloc(depth * 8);
	for (let level = 0; level < depth; level++) {
		nested.writeUInt32BE((depth - level) * 8, level * 8);
		nested.write(type, level * 8 + 4, 'latin1');
	}
	const moovHeader = Buffer.alloc(8);
	moovHeader.writeUInt32BE(8 + nested.length);
	moovHeader.write('moov', 4, 'latin1');
	return Buffer.concat([FTYP, moovHeader, nested]);
}

/** A moov with `count` empty free boxes: many boxes, no depth. */
export function mp4ManyBoxes(count = 200_000): Buffer {
	const frees = Buffer.alloc(count * 8);
	for (let index = 0; index < count; index++) rawBox('free', 8).copy(frees, index * 8);
	return Buffer.concat([FTYP, box('moov', movieHeader(1000, 5000), frees)]);
}

export interface FragmentedMp4Options {
	seconds?: number;
	fps?: number;
	width?: number;
	height?: number;
	/** Write mvex/mehd with the whole length (ffmpeg does when it can seek back; many recorders do not). */
	mehd?: boolean;
	/** Frames per fragment (moof + mdat). */
	framesPerFragment?: number;
	/** Cut the file this many bytes before its end. */
	truncateBy?: number;
}

/**
 * A fragmented MP4 as ffmpeg's `-movflags empty_moov+frag_keyframe` and browser recorders write
 * it: mvhd and mdhd durations of 0 and an empty sample table in moov, then moof + mdat pairs
 * whose trun boxes list the samples. The fragments take their sample durations from the three
 * places the format allows, in turn: trun's own per-sample durations, tfhd's default, and
 * trex's default in mvex.
 */
export function fragmentedMp4(options: FragmentedMp4Options = {}): Buffer {
	const { seconds = 6, fps = 30, width = 640, height = 480, mehd = false, framesPerFragment = 30, truncateBy = 0 } = options;
	const delta = 512;
	const timescale = fps * delta; // as ffmpeg picks it: 15360 for 30 fps, 12800 for 25
	const frames = Math.round(seconds * fps);
	const fullBox = (type: string, size: number, fill: (body: Buffer) => void) => {
		const body = Buffer.alloc(size);
		fill(body);
		return box(type, body);
	};
	const tkhd = fullBox('tkhd', 84, (body) => {
		body.writeUInt32BE(3, 0); // enabled, in movie
		body.writeUInt32BE(1, 12); // track_ID
		body.writeUInt32BE(width * 65536, 76);
		body.writeUInt32BE(height * 65536, 80);
	});
	const mdhd = fullBox('mdhd', 24, (body) => body.writeUInt32BE(timescale, 12));
	const hdlr = fullBox('hdlr', 25, (body) => body.write('vide', 8, 'latin1'));
	const emptyTable = (type: string, size: number) => fullBox(type, size, () => {});
	const stbl = box('stbl', emptyTable('stsd', 8), emptyTable('stts', 8), emptyTable('stsc', 8), emptyTable('stsz', 12), emptyTable('stco', 8));
	const trak = box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', stbl)));
	const trex = fullBox('trex', 24, (body) => {
		body.writeUInt32BE(1, 4); // track_ID
		body.writeUInt32BE(1, 8);
		body.writeUInt32BE(delta, 12); // default_sample_duration
	});
	// mehd is in the movie timescale (1000 here).
	const mvex = box('mvex', ...(mehd ? [fullBox('mehd', 8, (body) => body.writeUInt32BE(Math.round(seconds * 1000), 4))] : []), trex);
	const moov = box('moov', movieHeader(1000, 0), trak, mvex);
	const fragments: Buffer[] = [];
	let decodeTime = 0;
	for (let first = 0, sequence = 1; first < frames; first += framesPerFragment, sequence++) {
		const count = Math.min(framesPerFragment, frames - first);
		const style = (sequence - 1) % 3; // 0: durations in trun, 1: tfhd default, 2: trex default
		const mfhd = fullBox('mfhd', 8, (body) => body.writeUInt32BE(sequence, 4));
		const tfhd = fullBox('tfhd', style === 1 ? 12 : 8, (body) => {
			body.writeUInt32BE(0x020000 | (style === 1 ? 0x08 : 0), 0); // default-base-is-moof (+ default duration)
			body.writeUInt32BE(1, 4);
			if (style === 1) body.writeUInt32BE(delta, 8);
		});
		const tfdt = fullBox('tfdt', 8, (body) => body.writeUInt32BE(decodeTime, 4));
		const perSample = style === 0 ? 8 : 4; // duration + size, or size only
		const trun = fullBox('trun', 12 + count * perSample, (body) => {
			body.writeUInt32BE(0x01 | 0x200 | (style === 0 ? 0x100 : 0), 0);
			body.writeUInt32BE(count, 4);
			for (let sample = 0; sample < count; sample++) {
				const at = 12 + sample * perSample;
				if (style === 0) body.writeUInt32BE(delta, at);
				body.writeUInt32BE(100, at + perSample - 4);
			}
		});
		fragments.push(box('moof', mfhd, box('traf', tfhd, tfdt, trun)), box('mdat', Buffer.alloc(count * 100, 0x11)));
		decodeTime += count * delta;
	}
	const file = Buffer.concat([FTYP, moov, ...fragments]);
	return truncateBy > 0 ? file.subarray(0, file.length - truncateBy) : file;
}

/** A JPEG that never reaches its frame header: `segments` empty APP segments, with fill bytes between them. */
export function jpegEndlessSegments(segments = 50_000): Buffer {
	const segment = Buffer.from([0xff, 0xff, 0xff, 0xe1, 0x00, 0x02]);
	return Buffer.concat([Buffer.from([0xff, 0xd8]), ...Array.from({ length: segments }, () => segment)]);
}

/** An ID3 tag and then no MPEG frame at all: zeros, or bytes that look like a frame sync only once. */
export function mp3WithoutFrames(bytes = 200_000): Buffer {
	const id3 = Buffer.alloc(10);
	id3.write('ID3', 0, 'latin1');
	id3.set([4, 0, 0, 0, 0, 0, 0x10], 3); // a 16-byte tag
	const junk = Buffer.alloc(16 + bytes);
	// One lone "frame header" (MPEG-1 Layer III, 128 kbit/s) with no frame after it.
	junk.set([0xff, 0xfb, 0x90, 0x00], 16 + 1000);
	return Buffer.concat([id3, junk]);
}

/** A WAV whose chunks never reach fmt or data: `chunks` empty LIST chunks, then one claiming 4 GB. */
export function wavChunkLoop(chunks = 100_000): Buffer {
	const header = Buffer.alloc(12);
	header.write('RIFF', 0, 'latin1');
	header.writeUInt32LE(0xffffffff, 4);
	header.write('WAVE', 8, 'latin1');
	const empty = Buffer.alloc(8);
	empty.write('LIST', 0, 'latin1');
	const huge = Buffer.alloc(8);
	huge.write('junk', 0, 'latin1');
	huge.writeUInt32LE(0xffffffff, 4);
	return Buffer.concat([header, ...Array.from({ length: chunks }, () => empty), huge]);
}
