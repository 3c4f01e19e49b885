/**
 * Facts read from a media file's own header: the pixel size of an image or video and the
 * length of a video or audio clip, so the documented limits on them are checked before a paid
 * request. A file is read forward only and stops being read once the fact is found (a video
 * whose index sits after its data is read through, a chunk at a time, never held whole).
 * A format this module cannot read yields no facts: the gateway then judges the file itself.
 */
export interface MediaFacts {
	width?: number;
	height?: number;
	durationSeconds?: number;
	/** Frames per second of a video's picture track. */
	framesPerSecond?: number;
}

/** Random reads that only move forward: every read starts at or after the previous one. */
export interface ForwardReader {
	/** Up to `length` bytes from `offset`; fewer at the end of the file. */
	read(offset: number, length: number): Promise<Buffer>;
	/** The file's length in bytes, where known. */
	size: number | undefined;
	close(): void;
}

/** A reader over base64 text (an inline binary or a data URL): decodes only what is asked. */
export function base64Reader(base64: string): ForwardReader {
	const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
	const size = Math.floor((base64.length * 3) / 4) - padding;
	return {
		size,
		async read(offset, length) {
			const end = Math.min(offset + length, size);
			if (end <= offset) return Buffer.alloc(0);
			const firstBlock = Math.floor(offset / 3);
			const decoded = Buffer.from(base64.slice(firstBlock * 4, Math.ceil(end / 3) * 4), 'base64');
			return decoded.subarray(offset - firstBlock * 3, end - firstBlock * 3);
		},
		close() {},
	};
}

/** What this module needs of a Node stream (n8n's getBinaryStream returns one). */
export interface ByteStream extends AsyncIterable<Uint8Array> {
	destroy(): void;
}

/** A reader over a stream (a file in n8n's binary data store): skipped bytes are dropped. */
export function streamReader(stream: ByteStream, size: number | undefined): ForwardReader {
	const chunks = stream[Symbol.asyncIterator]();
	let held: Buffer = Buffer.alloc(0);
	let heldFrom = 0;
	let ended = false;
	return {
		size,
		async read(offset, length) {
			const dropBefore = (position: number) => {
				const cut = Math.min(Math.max(position - heldFrom, 0), held.length);
				held = held.subarray(cut);
				heldFrom += cut;
			};
			dropBefore(offset);
			while (!ended && heldFrom + held.length < offset + length) {
				const next = await chunks.next();
				if (next.done) {
					ended = true;
					break;
				}
				const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
				held = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
				dropBefore(offset);
			}
			const start = offset - heldFrom;
			return start < 0 ? Buffer.alloc(0) : held.subarray(start, start + length);
		},
		close() {
			stream.destroy();
		},
	};
}

// ---------------------------------------------------------------------------- images

function pngSize(head: Buffer): MediaFacts | undefined {
	if (head.length < 24 || head.readUInt32BE(0) !== 0x89504e47 || head.toString('latin1', 12, 16) !== 'IHDR') return undefined;
	return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

function gifSize(head: Buffer): MediaFacts | undefined {
	if (head.length < 10 || head.toString('latin1', 0, 4) !== 'GIF8') return undefined;
	return { width: head.readUInt16LE(6), height: head.readUInt16LE(8) };
}

function bmpSize(head: Buffer): MediaFacts | undefined {
	if (head.length < 26 || head.toString('latin1', 0, 2) !== 'BM') return undefined;
	return { width: Math.abs(head.readInt32LE(18)), height: Math.abs(head.readInt32LE(22)) };
}

function webpSize(head: Buffer): MediaFacts | undefined {
	if (head.length < 30 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WEBP') return undefined;
	const format = head.toString('latin1', 12, 16);
	if (format === 'VP8 ') return { width: head.readUInt16LE(26) & 0x3fff, height: head.readUInt16LE(28) & 0x3fff };
	if (format === 'VP8L') {
		const bits = head.readUInt32LE(21);
		return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
	}
	if (format === 'VP8X') return { width: head.readUIntLE(24, 3) + 1, height: head.readUIntLE(27, 3) + 1 };
	return undefined;
}

const JPEG_SIZE_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** Walks the JPEG segments (skipping EXIF and the like by their lengths) to the frame header. */
async function jpegSize(reader: ForwardReader): Promise<MediaFacts | undefined> {
	let position = 2;
	for (let segments = 0; segments < 1000; segments++) {
		const header = await reader.read(position, 9);
		if (header.length < 4 || header[0] !== 0xff) return undefined;
		const marker = header[1];
		if (marker === 0xff) {
			position += 1; // fill byte
			continue;
		}
		if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
			position += 2;
			continue;
		}
		if (JPEG_SIZE_MARKERS.has(marker)) {
			return header.length < 9 ? undefined : { height: header.readUInt16BE(5), width: header.readUInt16BE(7) };
		}
		if (marker === 0xd9 || marker === 0xda) return undefined;
		position += 2 + header.readUInt16BE(2);
	}
	return undefined;
}

// ---------------------------------------------------------------------------- video

interface Box {
	type: string;
	start: number;
	/** Where the box's content starts. */
	body: number;
	end: number;
}

async function readBox(reader: ForwardReader, position: number, limit: number): Promise<Box | undefined> {
	if (position + 8 > limit) return undefined;
	const header = await reader.read(position, 16);
	if (header.length < 8) return undefined;
	let size = header.readUInt32BE(0);
	const type = header.toString('latin1', 4, 8);
	let body = position + 8;
	if (size === 1) {
		if (header.length < 16) return undefined;
		size = Number(header.readBigUInt64BE(8));
		body += 8;
	} else if (size === 0) {
		size = (reader.size ?? limit) - position;
	}
	if (size < body - position) return undefined;
	return { type, start: position, body, end: position + size };
}

/** The movie header's length, and the first track header with a picture size (the video track). */
async function mp4Facts(reader: ForwardReader): Promise<MediaFacts | undefined> {
	const limit = reader.size ?? Number.MAX_SAFE_INTEGER;
	let position = 0;
	for (let boxes = 0; boxes < 10_000; boxes++) {
		const box = await readBox(reader, position, limit);
		if (!box) return undefined;
		if (box.type === 'moov') return await moovFacts(reader, box);
		position = box.end;
	}
	return undefined;
}

/** A movie or media header's length in seconds: version 1 has 64-bit times. */
async function headerSeconds(reader: ForwardReader, box: Box): Promise<{ timescale: number; duration: number }> {
	const header = await reader.read(box.body, 32);
	const version = header[0];
	const timescale = version === 1 ? header.readUInt32BE(20) : header.readUInt32BE(12);
	const duration = version === 1 ? Number(header.readBigUInt64BE(24)) : header.readUInt32BE(16);
	return { timescale, duration };
}

interface Track {
	width?: number;
	height?: number;
	handler?: string;
	timescale?: number;
	duration?: number;
	samples: number;
}

/**
 * Walks moov in file order (one forward pass): the movie's length from mvhd, and for each track
 * its picture size (tkhd), kind (hdlr), length (mdhd) and frame count (stts). The video track
 * gives the picture size and frame rate.
 */
async function moovFacts(reader: ForwardReader, moov: Box): Promise<MediaFacts | undefined> {
	const facts: MediaFacts = {};
	const tracks: Track[] = [];
	const walk = async (from: number, to: number, track?: Track): Promise<void> => {
		let position = from;
		while (position < to) {
			const box = await readBox(reader, position, to);
			if (!box) return;
			if (box.type === 'mvhd') {
				const { timescale, duration } = await headerSeconds(reader, box);
				if (timescale > 0) facts.durationSeconds = duration / timescale;
			} else if (box.type === 'trak') {
				const next: Track = { samples: 0 };
				tracks.push(next);
				await walk(box.body, box.end, next);
			} else if (track && ['mdia', 'minf', 'stbl'].includes(box.type)) {
				await walk(box.body, box.end, track);
			} else if (track && box.type === 'tkhd') {
				const version = (await reader.read(box.body, 1))[0];
				// Width and height are the last 8 bytes, as 16.16 fixed point.
				const size = await reader.read(box.body + (version === 1 ? 88 : 76), 8);
				if (size.length === 8) Object.assign(track, { width: Math.round(size.readUInt32BE(0) / 65536), height: Math.round(size.readUInt32BE(4) / 65536) });
			} else if (track && box.type === 'mdhd') {
				Object.assign(track, await headerSeconds(reader, box));
			} else if (track && box.type === 'hdlr') {
				track.handler = (await reader.read(box.body + 8, 4)).toString('latin1');
			} else if (track && box.type === 'stts') {
				// version/flags, entry count, then (sample count, sample delta) pairs.
				const count = (await reader.read(box.body + 4, 4)).readUInt32BE(0);
				const table = await reader.read(box.body + 8, Math.min(count, 100_000) * 8);
				for (let offset = 0; offset + 8 <= table.length; offset += 8) track.samples += table.readUInt32BE(offset);
			}
			position = box.end;
		}
	};
	await walk(moov.body, moov.end);
	const video = tracks.find((track) => track.handler === 'vide') ?? tracks.find((track) => (track.width ?? 0) > 0 && (track.height ?? 0) > 0);
	if (video?.width && video.height) Object.assign(facts, { width: video.width, height: video.height });
	if (video?.handler === 'vide' && video.timescale && video.duration && video.samples > 0) {
		facts.framesPerSecond = Math.round(((video.samples * video.timescale) / video.duration) * 100) / 100;
	}
	return Object.keys(facts).length === 0 ? undefined : facts;
}

// ---------------------------------------------------------------------------- audio

async function wavDuration(reader: ForwardReader): Promise<MediaFacts | undefined> {
	let byteRate = 0;
	let position = 12;
	for (let chunks = 0; chunks < 100; chunks++) {
		const header = await reader.read(position, 20);
		if (header.length < 8) return undefined;
		const id = header.toString('latin1', 0, 4);
		const size = header.readUInt32LE(4);
		if (id === 'fmt ' && header.length >= 20) byteRate = header.readUInt32LE(16);
		if (id === 'data') {
			if (byteRate === 0) return undefined;
			// A streamed WAV may leave the size unset: then the data runs to the end of the file.
			const bytes = size === 0 || size === 0xffffffff ? (reader.size ?? 0) - position - 8 : size;
			return { durationSeconds: bytes / byteRate };
		}
		position += 8 + size + (size % 2);
	}
	return undefined;
}

const MP3_BITRATES: Record<string, number[]> = {
	// kbit/s by index, for MPEG-1 Layer III and MPEG-2/2.5 Layer III.
	v1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
	v2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MP3_SAMPLE_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** Length of an MP3: from its Xing/Info frame count when it has one, else from its bit rate. */
async function mp3Duration(reader: ForwardReader, head: Buffer): Promise<MediaFacts | undefined> {
	let start = 0;
	if (head.toString('latin1', 0, 3) === 'ID3' && head.length >= 10) {
		const tagSize = ((head[6] & 0x7f) << 21) | ((head[7] & 0x7f) << 14) | ((head[8] & 0x7f) << 7) | (head[9] & 0x7f);
		start = 10 + tagSize + (head[5] & 0x10 ? 10 : 0);
	}
	const window = await reader.read(start, 64 * 1024);
	for (let index = 0; index + 4 <= window.length; index++) {
		if (window[index] !== 0xff || (window[index + 1] & 0xe0) !== 0xe0) continue;
		const header = window.readUInt32BE(index);
		const version = (header >>> 19) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
		const layer = (header >>> 17) & 3; // 1: Layer III
		const bitrateIndex = (header >>> 12) & 15;
		const rateIndex = (header >>> 10) & 3;
		if (version === 1 || layer !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) continue;
		const sampleRate = MP3_SAMPLE_RATES[version][rateIndex];
		const samplesPerFrame = version === 3 ? 1152 : 576;
		const mono = ((header >>> 6) & 3) === 3;
		const sideInfo = version === 3 ? (mono ? 17 : 32) : mono ? 9 : 17;
		const xing = index + 4 + sideInfo;
		const tag = window.toString('latin1', xing, xing + 4);
		if ((tag === 'Xing' || tag === 'Info') && xing + 12 <= window.length && window.readUInt32BE(xing + 4) & 1) {
			return { durationSeconds: (window.readUInt32BE(xing + 8) * samplesPerFrame) / sampleRate };
		}
		const bitrate = MP3_BITRATES[version === 3 ? 'v1' : 'v2'][bitrateIndex] * 1000;
		if (reader.size === undefined) return undefined;
		return { durationSeconds: ((reader.size - start - index) * 8) / bitrate };
	}
	return undefined;
}

// ---------------------------------------------------------------------------- entry point

/** Reads the facts of one file, by its own signature (not its claimed type). Never throws. */
export async function probeMedia(reader: ForwardReader): Promise<MediaFacts | undefined> {
	try {
		const head = await reader.read(0, 64);
		const simple = pngSize(head) ?? gifSize(head) ?? bmpSize(head) ?? webpSize(head);
		if (simple) return simple;
		if (head[0] === 0xff && head[1] === 0xd8) return await jpegSize(reader);
		if (head.toString('latin1', 4, 8) === 'ftyp') return await mp4Facts(reader);
		if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WAVE') return await wavDuration(reader);
		if (head.toString('latin1', 0, 3) === 'ID3' || (head[0] === 0xff && (head[1] & 0xe0) === 0xe0)) return await mp3Duration(reader, head);
		return undefined;
	} catch {
		return undefined;
	} finally {
		reader.close();
	}
}
