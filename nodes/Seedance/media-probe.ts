import { sleep } from 'n8n-workflow';

/**
 * Facts read from a media file's own header: the pixel size of an image or video and the
 * length of a video or audio clip, so the documented limits on them are checked before a paid
 * request. A file is read forward only and stops being read once the fact is found (a video
 * whose index sits after its data is read through, a chunk at a time, never held whole).
 * A format this module cannot read yields no facts: the gateway then judges the file itself.
 *
 * Every file is untrusted. A probe works within PROBE_BUDGET (reads, bytes, boxes, depth and
 * wall-clock time), reads only inside the box or chunk a value belongs to, and hands the event
 * loop back every few milliseconds. A file that would take more gives up: no facts (or, for a
 * fragmented MP4, no length), never a crash and never a guess.
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

/** What one probe may spend, whatever the file says about itself. */
export const PROBE_BUDGET = {
	/** Bytes handed to the parsers, all reads together. */
	bytes: 1024 * 1024,
	/** The longest single read (the MP3 frame window is the longest the parsers ask for). */
	readBytes: 128 * 1024,
	/** Reads (a box header, a table, a segment header are one each). */
	reads: 60_000,
	/** Boxes, segments and chunks visited. */
	units: 20_000,
	/** How deep boxes may nest (moov/trak/mdia/minf/stbl/stts is 6). */
	depth: 12,
	/** No read starts past this offset: larger than any file a role allows (50 MB for videos). */
	maxOffset: 64 * 1024 * 1024,
	/** Wall-clock time for the whole probe, waits for a stream included. */
	milliseconds: 5_000,
	/** The event loop is handed back once this long has passed since the last time ... */
	sliceMilliseconds: 8,
	/** ... or after this many reads, whichever comes first. */
	readsPerSlice: 1024,
	/** Sample-table entries (stts) read per track; more leave the frame rate unknown. */
	tableEntries: 8192,
};

const EMPTY = Buffer.alloc(0);

/** A reader over base64 text (an inline binary or a data URL): decodes only what is asked. */
export function base64Reader(base64: string): ForwardReader {
	const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
	const size = Math.floor((base64.length * 3) / 4) - padding;
	return {
		size,
		async read(offset, length) {
			const end = Math.min(offset + length, size);
			if (!(end > offset) || offset < 0) return EMPTY;
			// Only the 4-character blocks that hold [offset, end) are decoded; slice() of a string
			// shares its characters instead of copying them.
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

/**
 * A reader over a stream (a file in n8n's binary data store): skipped bytes are dropped as they
 * pass, so at most one read's worth (plus a chunk) is held; the event loop is handed back while
 * a long stretch is skipped.
 */
export function streamReader(stream: ByteStream, size: number | undefined): ForwardReader {
	const chunks = stream[Symbol.asyncIterator]();
	const held: Buffer[] = [];
	let heldFrom = 0;
	let heldBytes = 0;
	let ended = false;
	let sliceStart = Date.now();
	const dropBefore = (position: number) => {
		while (held.length > 0 && heldFrom + held[0].length <= position) {
			heldFrom += held[0].length;
			heldBytes -= held[0].length;
			held.shift();
		}
	};
	return {
		size,
		async read(offset, length) {
			dropBefore(offset);
			while (!ended && heldFrom + heldBytes < offset + length) {
				const next = await chunks.next();
				if (next.done) {
					ended = true;
					break;
				}
				const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
				held.push(chunk);
				heldBytes += chunk.length;
				dropBefore(offset);
				if (Date.now() - sliceStart >= PROBE_BUDGET.sliceMilliseconds) {
					await sleep(0);
					sliceStart = Date.now();
				}
			}
			if (held.length === 0 || offset < heldFrom) return EMPTY;
			if (held.length > 1) {
				// One copy of what is held (at most a read plus a chunk), kept for the next read.
				const joined = Buffer.concat(held);
				held.splice(0, held.length, joined);
			}
			const start = offset - heldFrom;
			return held[0].subarray(start, start + length);
		},
		close() {
			stream.destroy();
		},
	};
}

/**
 * The reader as the parsers see it: every read counted against PROBE_BUDGET, the event loop
 * handed back between slices of work. Past the budget every read comes back empty, which each
 * parser already takes as "the file ends here", and `gaveUp` says the facts are not to be used.
 */
class BudgetedReader {
	gaveUp = false;

	bytes = 0;

	private reads = 0;

	private units = 0;

	private readonly started = Date.now();

	private sliceStart = Date.now();

	private sliceReads = 0;

	constructor(private readonly reader: ForwardReader) {}

	get size(): number | undefined {
		return this.reader.size;
	}

	giveUp(): void {
		this.gaveUp = true;
	}

	/** One more box, segment or chunk; false once past the budget. */
	visit(): boolean {
		if (++this.units > PROBE_BUDGET.units) this.gaveUp = true;
		return !this.gaveUp;
	}

	async read(offset: number, length: number): Promise<Buffer> {
		if (this.gaveUp) return EMPTY;
		const now = Date.now();
		if (now - this.started > PROBE_BUDGET.milliseconds) this.gaveUp = true;
		if (++this.reads > PROBE_BUDGET.reads) this.gaveUp = true;
		if (!(offset >= 0) || !(length >= 0) || length > PROBE_BUDGET.readBytes || this.bytes + length > PROBE_BUDGET.bytes) this.gaveUp = true;
		if (offset > PROBE_BUDGET.maxOffset) this.gaveUp = true;
		if (this.gaveUp) return EMPTY;
		if (++this.sliceReads >= PROBE_BUDGET.readsPerSlice || now - this.sliceStart >= PROBE_BUDGET.sliceMilliseconds) {
			await sleep(0);
			this.sliceStart = Date.now();
			this.sliceReads = 0;
		}
		const data = await this.reader.read(offset, length);
		this.bytes += data.length;
		return data;
	}
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
async function jpegSize(reader: BudgetedReader): Promise<MediaFacts | undefined> {
	let position = 2;
	for (let segments = 0; segments < 1000 && reader.visit(); segments++) {
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

/**
 * The box at `position` inside a parent that ends at `limit`. A box that claims to end past its
 * parent (or past the file) is not a box: the walk of that parent stops there. Size 0 means "to
 * the end of the parent", size 1 a 64-bit size after the type.
 */
async function readBox(reader: BudgetedReader, position: number, limit: number): Promise<Box | undefined> {
	if (position + 8 > limit || !reader.visit()) return undefined;
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
		size = limit - position;
	}
	const end = position + size;
	if (size < body - position || end > limit) return undefined;
	return { type, start: position, body, end };
}

/** `length` bytes at `offset`, only when they lie inside `box` (else nothing). */
async function readInside(reader: BudgetedReader, box: Box, offset: number, length: number): Promise<Buffer | undefined> {
	if (offset < box.body || offset + length > box.end) return undefined;
	const data = await reader.read(offset, length);
	return data.length === length ? data : undefined;
}

/** A movie or media header's time scale and duration: version 1 has 64-bit times. */
async function headerTimes(reader: BudgetedReader, box: Box): Promise<{ timescale: number; duration: number } | undefined> {
	const version = (await readInside(reader, box, box.body, 1))?.[0];
	const header = await readInside(reader, box, box.body, version === 1 ? 32 : 20);
	if (!header) return undefined;
	const timescale = version === 1 ? header.readUInt32BE(20) : header.readUInt32BE(12);
	const duration = version === 1 ? Number(header.readBigUInt64BE(24)) : header.readUInt32BE(16);
	// All ones means "not known" (ISO/IEC 14496-12); 0 (fragmented files) is taken as unknown by the callers.
	const unknown = header.readUInt32BE(version === 1 ? 28 : 16) === 0xffffffff && (version !== 1 || header.readUInt32BE(24) === 0xffffffff);
	return { timescale, duration: unknown ? Number.NaN : duration };
}

interface Track {
	id?: number;
	width?: number;
	height?: number;
	handler?: string;
	timescale?: number;
	/** Length of the samples moov lists, in the track's time scale. */
	duration?: number;
	/** Samples moov lists (stts), and how long they last; NaN when the table could not be read whole. */
	samples: number;
	sampleTicks: number;
	/** What the fragments add: their samples and their length, in the track's time scale. */
	fragmentSamples: number;
	fragmentDuration: number;
}

interface Movie {
	timescale?: number;
	duration?: number;
	/** mvex/mehd: the whole length of a fragmented movie, in the movie's time scale. */
	fragmentDuration?: number;
	/** Whether moov has mvex, i.e. samples also come in moof fragments after it. */
	fragmented: boolean;
	tracks: Track[];
	/** mvex/trex by track ID: the sample duration fragments use when they give none. */
	defaultSampleDurations: Map<number, number>;
}

/** The samples an stts table lists and their length, read only within its box and only up to a fixed size. */
async function sttsSamples(reader: BudgetedReader, box: Box): Promise<{ samples: number; ticks: number }> {
	const unknown = { samples: Number.NaN, ticks: Number.NaN };
	const count = (await readInside(reader, box, box.body + 4, 4))?.readUInt32BE(0);
	// version/flags, entry count, then (sample count, sample delta) pairs: all inside the box.
	if (count === undefined || count > (box.end - box.body - 8) / 8 || count > PROBE_BUDGET.tableEntries) return unknown;
	const table = count === 0 ? EMPTY : await readInside(reader, box, box.body + 8, count * 8);
	if (!table) return unknown;
	let samples = 0;
	let ticks = 0;
	for (let offset = 0; offset < table.length; offset += 8) {
		samples += table.readUInt32BE(offset);
		ticks += table.readUInt32BE(offset) * table.readUInt32BE(offset + 4);
	}
	return { samples, ticks };
}

/**
 * Walks moov in file order (one forward pass): the movie's length from mvhd (and mvex/mehd),
 * and for each track its ID and picture size (tkhd), kind (hdlr), length (mdhd) and frame
 * count (stts). Boxes nest at most PROBE_BUDGET.depth deep; past that the probe gives up.
 */
async function readMoov(reader: BudgetedReader, moov: Box): Promise<Movie> {
	const movie: Movie = { fragmented: false, tracks: [], defaultSampleDurations: new Map() };
	const walk = async (from: number, to: number, depth: number, parent: string, track?: Track): Promise<void> => {
		if (depth > PROBE_BUDGET.depth) {
			reader.giveUp();
			return;
		}
		let position = from;
		while (position < to && !reader.gaveUp) {
			const box = await readBox(reader, position, to);
			if (!box) return;
			const { type } = box;
			if (parent === 'moov' && type === 'mvhd') {
				Object.assign(movie, await headerTimes(reader, box));
			} else if (parent === 'moov' && type === 'trak') {
				const next: Track = { samples: 0, sampleTicks: 0, fragmentSamples: 0, fragmentDuration: 0 };
				movie.tracks.push(next);
				await walk(box.body, box.end, depth + 1, type, next);
			} else if (parent === 'moov' && type === 'mvex') {
				movie.fragmented = true;
				await walk(box.body, box.end, depth + 1, type);
			} else if (parent === 'mvex' && type === 'mehd') {
				const version = (await readInside(reader, box, box.body, 1))?.[0];
				const field = await readInside(reader, box, box.body + 4, version === 1 ? 8 : 4);
				if (field) movie.fragmentDuration = version === 1 ? Number(field.readBigUInt64BE(0)) : field.readUInt32BE(0);
			} else if (parent === 'mvex' && type === 'trex') {
				// version/flags, track_ID, default_sample_description_index, default_sample_duration.
				const body = await readInside(reader, box, box.body, 16);
				if (body) movie.defaultSampleDurations.set(body.readUInt32BE(4), body.readUInt32BE(12));
			} else if (track && ['mdia', 'minf', 'stbl'].includes(type)) {
				// Anywhere in a track, as before: files put these in the usual order, nested so.
				await walk(box.body, box.end, depth + 1, type, track);
			} else if (track && type === 'tkhd') {
				const version = (await readInside(reader, box, box.body, 1))?.[0];
				const id = await readInside(reader, box, box.body + (version === 1 ? 20 : 12), 4);
				// Width and height are the last 8 bytes, as 16.16 fixed point.
				const size = await readInside(reader, box, box.body + (version === 1 ? 88 : 76), 8);
				if (id) track.id = id.readUInt32BE(0);
				if (size) Object.assign(track, { width: Math.round(size.readUInt32BE(0) / 65536), height: Math.round(size.readUInt32BE(4) / 65536) });
			} else if (track && type === 'mdhd') {
				Object.assign(track, await headerTimes(reader, box));
			} else if (track && type === 'hdlr') {
				track.handler = (await readInside(reader, box, box.body + 8, 4))?.toString('latin1');
			} else if (track && type === 'stts') {
				const table = await sttsSamples(reader, box);
				track.samples += table.samples;
				track.sampleTicks += table.ticks;
			}
			position = box.end;
		}
	};
	await walk(moov.body, moov.end, 1, 'moov');
	return movie;
}

/**
 * Adds one moof's samples to their tracks: for each traf, the track (tfhd), and every trun's
 * sample count and durations (per sample, else tfhd's default, else trex's). False when a
 * fragment cannot be read whole, so the length stays unknown rather than short.
 */
async function addFragment(reader: BudgetedReader, moof: Box, movie: Movie): Promise<boolean> {
	const trafs: Box[] = [];
	for (let position = moof.body; position < moof.end; ) {
		const box = await readBox(reader, position, moof.end);
		if (!box) return false;
		if (box.type === 'traf') trafs.push(box);
		position = box.end;
	}
	for (const traf of trafs) {
		let track: Track | undefined;
		let defaultDuration: number | undefined;
		for (let position = traf.body; position < traf.end; ) {
			const box = await readBox(reader, position, traf.end);
			if (!box) return false;
			if (box.type === 'tfhd') {
				const head = await readInside(reader, box, box.body, 8);
				if (!head) return false;
				const flags = head.readUInt32BE(0) & 0xffffff;
				track = movie.tracks.find((candidate) => candidate.id === head.readUInt32BE(4));
				if (!track) return false;
				defaultDuration = movie.defaultSampleDurations.get(track.id!);
				if (flags & 0x08) {
					// base_data_offset (8 bytes) and sample_description_index (4) come first when present.
					const at = box.body + 8 + (flags & 0x01 ? 8 : 0) + (flags & 0x02 ? 4 : 0);
					defaultDuration = (await readInside(reader, box, at, 4))?.readUInt32BE(0);
					if (defaultDuration === undefined) return false;
				}
			} else if (box.type === 'trun') {
				if (!track) return false;
				const head = await readInside(reader, box, box.body, 8);
				if (!head) return false;
				const flags = head.readUInt32BE(0) & 0xffffff;
				const count = head.readUInt32BE(4);
				const tableStart = box.body + 8 + (flags & 0x01 ? 4 : 0) + (flags & 0x04 ? 4 : 0);
				const entryBytes = 4 * [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit).length;
				if (tableStart + count * entryBytes > box.end) return false;
				if (flags & 0x100) {
					if (count * entryBytes > PROBE_BUDGET.readBytes) return false;
					const table = count === 0 ? EMPTY : await readInside(reader, box, tableStart, count * entryBytes);
					if (!table) return false;
					for (let offset = 0; offset < table.length; offset += entryBytes) track.fragmentDuration += table.readUInt32BE(offset);
				} else {
					if (defaultDuration === undefined) return false;
					track.fragmentDuration += count * defaultDuration;
				}
				track.fragmentSamples += count;
			}
			position = box.end;
		}
	}
	return true;
}

/**
 * The top-level boxes in order: the movie (moov) wherever it sits, and for a fragmented movie
 * whose moov does not give the whole length (mvex without mehd), the fragments (moof) after it,
 * up to the end of the file. The picture size and frame rate come from the video track.
 */
async function mp4Facts(reader: BudgetedReader): Promise<MediaFacts | undefined> {
	const limit = reader.size ?? Number.MAX_SAFE_INTEGER;
	let position = 0;
	let movie: Movie | undefined;
	let fragmentsBeforeMoov = false;
	for (;;) {
		const box = await readBox(reader, position, limit);
		if (!box) return undefined;
		position = box.end;
		if (box.type === 'moof') fragmentsBeforeMoov = true;
		if (box.type === 'moov') {
			movie = await readMoov(reader, box);
			break;
		}
	}
	if (reader.gaveUp) return undefined;
	const facts: MediaFacts = {};
	const video = movie.tracks.find((track) => track.handler === 'vide') ?? movie.tracks.find((track) => (track.width ?? 0) > 0 && (track.height ?? 0) > 0);
	if (video?.width && video.height) Object.assign(facts, { width: video.width, height: video.height });
	const { timescale } = movie;
	if (!movie.fragmented) {
		if (timescale && movie.duration) facts.durationSeconds = movie.duration / timescale;
		if (video?.handler === 'vide' && video.timescale && video.duration && video.samples > 0) {
			facts.framesPerSecond = Math.round(((video.samples * video.timescale) / video.duration) * 100) / 100;
		}
		return facts;
	}
	if (timescale && movie.fragmentDuration) facts.durationSeconds = movie.fragmentDuration / timescale;
	// The fragments: read through to the end of the file, or their length stays unknown.
	let complete = reader.size !== undefined && !fragmentsBeforeMoov;
	let fragments = 0;
	while (complete && position < limit) {
		const box = await readBox(reader, position, limit);
		if (!box || reader.gaveUp) complete = false;
		else if (box.type === 'moof') {
			fragments++;
			complete = await addFragment(reader, box, movie);
		}
		if (box) position = box.end;
	}
	if (!complete || reader.gaveUp || fragments === 0) return facts;
	// Each track lasts the samples moov lists (none, for ffmpeg's empty_moov) plus those its
	// fragments add, not its mdhd duration, which some writers set to the whole length; the
	// movie lasts its longest track.
	const seconds = movie.tracks
		.filter((track) => track.timescale)
		.map((track) => (track.sampleTicks + track.fragmentDuration) / track.timescale!);
	if (facts.durationSeconds === undefined && seconds.length > 0) facts.durationSeconds = Math.max(...seconds);
	const frames = (video?.samples ?? Number.NaN) + (video?.fragmentSamples ?? 0);
	const ticks = (video?.sampleTicks ?? Number.NaN) + (video?.fragmentDuration ?? 0);
	if (video?.handler === 'vide' && video.timescale && ticks > 0 && frames > 0) {
		facts.framesPerSecond = Math.round(((frames * video.timescale) / ticks) * 100) / 100;
	}
	return facts;
}

// ---------------------------------------------------------------------------- audio

async function wavDuration(reader: BudgetedReader): Promise<MediaFacts | undefined> {
	let byteRate = 0;
	let position = 12;
	for (let chunks = 0; chunks < 100 && reader.visit(); chunks++) {
		const header = await reader.read(position, 20);
		if (header.length < 8) return undefined;
		const id = header.toString('latin1', 0, 4);
		const size = header.readUInt32LE(4);
		if (id === 'fmt ' && size >= 16 && header.length >= 20) byteRate = header.readUInt32LE(16);
		if (id === 'data') {
			if (byteRate === 0) return undefined;
			const available = reader.size === undefined ? undefined : reader.size - position - 8;
			// A streamed WAV may leave the size unset: then the data runs to the end of the file.
			// A size past the end of the file (a cut file) counts only the bytes that are there.
			const bytes = size === 0 || size === 0xffffffff ? available : Math.min(size, available ?? size);
			return bytes === undefined ? undefined : { durationSeconds: bytes / byteRate };
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
/** How far into the audio a first frame is looked for, and room for the frame after it. */
const MP3_SEARCH_BYTES = 64 * 1024;
const MP3_MAX_FRAME_BYTES = 2 * 1024;

interface Mp3Frame {
	version: number;
	sampleRate: number;
	bitrate: number;
	bytes: number;
	samplesPerFrame: number;
	mono: boolean;
}

/** The MPEG Layer III frame header at `index` of `window`, if there is one. */
function mp3Frame(window: Buffer, index: number): Mp3Frame | undefined {
	if (index + 4 > window.length || window[index] !== 0xff || (window[index + 1] & 0xe0) !== 0xe0) return undefined;
	const header = window.readUInt32BE(index);
	const version = (header >>> 19) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
	const layer = (header >>> 17) & 3; // 1: Layer III
	const bitrateIndex = (header >>> 12) & 15;
	const rateIndex = (header >>> 10) & 3;
	if (version === 1 || layer !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
	const sampleRate = MP3_SAMPLE_RATES[version][rateIndex];
	const bitrate = MP3_BITRATES[version === 3 ? 'v1' : 'v2'][bitrateIndex] * 1000;
	const padding = (header >>> 9) & 1;
	const bytes = Math.floor(((version === 3 ? 144 : 72) * bitrate) / sampleRate) + padding;
	return { version, sampleRate, bitrate, bytes, samplesPerFrame: version === 3 ? 1152 : 576, mono: ((header >>> 6) & 3) === 3 };
}

/**
 * Length of an MP3: from its Xing/Info frame count when it has one, else from its bit rate. A
 * frame counts only when the next one follows it where its length says (or the file ends
 * there): two bytes that merely look like a frame sync are no evidence of a length.
 */
async function mp3Duration(reader: BudgetedReader, head: Buffer): Promise<MediaFacts | undefined> {
	let start = 0;
	if (head.toString('latin1', 0, 3) === 'ID3' && head.length >= 10) {
		const tagSize = ((head[6] & 0x7f) << 21) | ((head[7] & 0x7f) << 14) | ((head[8] & 0x7f) << 7) | (head[9] & 0x7f);
		start = 10 + tagSize + (head[5] & 0x10 ? 10 : 0);
	}
	const window = await reader.read(start, MP3_SEARCH_BYTES + MP3_MAX_FRAME_BYTES);
	const searched = Math.min(window.length, MP3_SEARCH_BYTES);
	for (let index = 0; index < searched; index++) {
		const frame = mp3Frame(window, index);
		if (!frame) continue;
		const sideInfo = frame.version === 3 ? (frame.mono ? 17 : 32) : frame.mono ? 9 : 17;
		const xing = index + 4 + sideInfo;
		const tag = window.toString('latin1', xing, xing + 4);
		if ((tag === 'Xing' || tag === 'Info') && xing + 12 <= window.length && window.readUInt32BE(xing + 4) & 1) {
			return { durationSeconds: (window.readUInt32BE(xing + 8) * frame.samplesPerFrame) / frame.sampleRate };
		}
		const next = index + frame.bytes;
		const endsThere = reader.size !== undefined && start + next === reader.size;
		const following = mp3Frame(window, next);
		if (!endsThere && (following?.version !== frame.version || following.sampleRate !== frame.sampleRate)) continue;
		if (reader.size === undefined) return undefined;
		return { durationSeconds: ((reader.size - start - index) * 8) / frame.bitrate };
	}
	return undefined;
}

// ---------------------------------------------------------------------------- entry point

/** Facts as they are used: a size or length that is 0, negative or not a number is unknown. */
function known(facts: MediaFacts | undefined): MediaFacts | undefined {
	if (!facts) return undefined;
	const kept = Object.fromEntries(Object.entries(facts).filter(([, value]) => typeof value === 'number' && Number.isFinite(value) && value > 0));
	return Object.keys(kept).length === 0 ? undefined : (kept as MediaFacts);
}

/** How much of its budget the last probe of a reader spent (for tests and measurements). */
export interface ProbeSpend {
	bytesRead: number;
	gaveUp: boolean;
}

/**
 * Reads the facts of one file, by its own signature (not its claimed type), within
 * PROBE_BUDGET. Never throws; a file it gives up on has no facts. `spent`, when given, is told
 * what the probe used.
 */
export async function probeMedia(input: ForwardReader, spent?: (spend: ProbeSpend) => void): Promise<MediaFacts | undefined> {
	const reader = new BudgetedReader(input);
	try {
		const head = await reader.read(0, 64);
		const simple = pngSize(head) ?? gifSize(head) ?? bmpSize(head) ?? webpSize(head);
		if (simple) return known(simple);
		const jpeg = head[0] === 0xff && head[1] === 0xd8;
		if (!jpeg && head.toString('latin1', 4, 8) === 'ftyp') {
			// mp4Facts decides itself: nothing when moov could not be read within the budget; the
			// picture size without the length when only the fragments after moov could not be.
			return known(await mp4Facts(reader));
		}
		let facts: MediaFacts | undefined;
		if (jpeg) facts = await jpegSize(reader);
		else if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WAVE') facts = await wavDuration(reader);
		else if (head.toString('latin1', 0, 3) === 'ID3' || (head[0] === 0xff && (head[1] & 0xe0) === 0xe0)) facts = await mp3Duration(reader, head);
		// Whatever a parser found before the budget ran out is not trusted.
		return reader.gaveUp ? undefined : known(facts);
	} catch {
		return undefined;
	} finally {
		spent?.({ bytesRead: reader.bytes, gaveUp: reader.gaveUp });
		try {
			input.close();
		} catch {
			// a stream that cannot be closed has nothing more to give
		}
	}
}
