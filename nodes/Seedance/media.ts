import type { IBinaryData, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { MediaInput, MediaRole } from './gateways/gateway';
import { MEDIA_KIND } from './gateways/gateway';
import { GATEWAYS } from './gateways';
import type { MediaFacts } from './media-probe';
import { base64Reader, probeMedia, streamReader } from './media-probe';
import { ACCEPTED_MIME, MAX_BYTES } from './validation';

/**
 * The role-driven media list: its UI, and turning the entries of one item into what the
 * validation checks (facts about each entry) and what the gateway receives (URLs).
 */

export const ROLE_LABELS: Record<MediaRole, string> = {
	first_frame: 'First Frame',
	last_frame: 'Last Frame',
	reference_image: 'Reference Image',
	reference_video: 'Reference Video',
	reference_audio: 'Reference Audio',
};

const providersBillingVideoDurations = GATEWAYS.filter(
	(gateway) => gateway.capabilities.usesReferenceVideoDurations,
).map((gateway) => gateway.name);

export const mediaProperty: INodeProperties = {
	displayName: 'Media',
	name: 'media',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true, sortable: true },
	placeholder: 'Add Media',
	default: {},
	description:
		'Images, videos and audio that guide the generation, each with its role. Leave empty for text-to-video.',
	options: [
		{
			name: 'items',
			displayName: 'Media',
			values: [
				{
					displayName: 'Role',
					name: 'role',
					type: 'options',
					options: [
						{
							name: 'First Frame',
							value: 'first_frame',
							description: 'Image the video starts from (at most one)',
						},
						{
							name: 'Last Frame',
							value: 'last_frame',
							description: 'Image the video ends on (at most one, needs a first frame)',
						},
						{
							name: 'Reference Audio',
							value: 'reference_audio',
							description: 'Music or sound to sync to (at most 3, needs an image or video too)',
						},
						{
							name: 'Reference Image',
							value: 'reference_image',
							description: 'Character, product or style reference image',
						},
						{
							name: 'Reference Video',
							value: 'reference_video',
							description: 'Video whose camera movement or style to follow (at most 3)',
						},
					],
					default: 'first_frame',
				},
				{
					displayName: 'Source',
					name: 'source',
					type: 'options',
					options: [
						{
							name: 'URL',
							value: 'url',
							description: 'A public http(s) URL or a data URL',
						},
						{
							name: 'Binary File',
							value: 'binary',
							description: 'A file in a binary field of the input item, sent inline',
						},
					],
					default: 'url',
				},
				{
					displayName: 'Source Binary Field',
					name: 'binaryProperty',
					type: 'string',
					default: 'data',
					hint: 'The name of the input field containing the binary file data to be processed',
					displayOptions: { show: { source: ['binary'] } },
				},
				{
					displayName: 'URL',
					name: 'url',
					type: 'string',
					default: '',
					placeholder: 'e.g. https://example.com/first-frame.jpg',
					displayOptions: { show: { source: ['url'] } },
				},
				{
					displayName: 'Video Duration (Seconds)',
					name: 'durationSeconds',
					type: 'number',
					typeOptions: { minValue: 0, maxValue: 15, numberPrecision: 2 },
					default: 0,
					description:
						'Length of this reference video. The gateway bills input video seconds; 0 reads it from a binary file, or leaves it to the gateway for a URL.',
					displayOptions: {
						show: { role: ['reference_video'], '/provider': providersBillingVideoDurations },
					},
				},
			],
		},
	],
};

interface MediaEntryParameters {
	role?: string;
	source?: string;
	url?: string;
	binaryProperty?: string;
	durationSeconds?: number;
}

/** One media entry as the validation sees it: what the user set, plus facts about its file. */
export interface MediaEntry {
	/** 1-based position in the list, used in messages ("Media 2"). */
	position: number;
	role: string;
	source: string;
	url?: string;
	binaryProperty?: string;
	durationSeconds?: number;
	binary?: { found: boolean; mimeType?: string; bytes?: number; fileName?: string };
	/** Pixel size and length read from the file itself (binary files and data URLs). */
	facts?: MediaFacts;
}

export function mediaLabel(entry: { position: number; role: string }): string {
	const roleLabel = ROLE_LABELS[entry.role as MediaRole] ?? entry.role;
	return `Media ${entry.position} (${roleLabel})`;
}

/**
 * A binary file's size without loading it: n8n's metadata, or the length of inline base64.
 * (n8n 1.x sets no `bytes` on stored binary data, so the metadata is asked.)
 * Files are loaded only when their item's create is sent, and released once it is answered.
 */
export async function binarySize(ctx: IExecuteFunctions, binary: IBinaryData): Promise<number> {
	if (typeof binary.bytes === 'number') return binary.bytes;
	if (binary.id) {
		const { fileSize } = await ctx.helpers.getBinaryMetadata(binary.id);
		if (typeof fileSize === 'number') return fileSize;
	}
	const base64 = binary.data ?? '';
	return Math.floor((base64.length * 3) / 4) - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);
}

/**
 * Whether a file is worth reading for its facts: its type fits the role and its size is within
 * the role's limit. Validation refuses the others from these two cheap facts alone, so a file
 * that claims to be an image but is 4 GB of boxes is never opened.
 */
function worthProbing(role: string, mimeType: string | undefined, bytes: number): boolean {
	const kind = MEDIA_KIND[role as MediaRole];
	if (!kind) return false;
	return ACCEPTED_MIME[kind].types.includes((mimeType ?? '').toLowerCase()) && bytes > 0 && bytes <= MAX_BYTES[kind];
}

async function probeBinary(ctx: IExecuteFunctions, binary: IBinaryData, bytes: number): Promise<MediaFacts | undefined> {
	if (!binary.id) return await probeMedia(base64Reader(binary.data ?? ''));
	// A file the store cannot open gives no facts here; loading it for the create reports why.
	const stream = await ctx.helpers.getBinaryStream(binary.id).catch(() => undefined);
	return stream ? await probeMedia(streamReader(stream, bytes)) : undefined;
}

async function probeDataUrl(role: string, url: string): Promise<MediaFacts | undefined> {
	const match = /^data:([^;,]*)[^,]*;base64,/i.exec(url);
	if (!match) return undefined;
	const base64 = url.slice(match[0].length);
	const bytes = Math.floor((base64.length * 3) / 4);
	return worthProbing(role, match[1], bytes) ? await probeMedia(base64Reader(base64)) : undefined;
}

/**
 * Reads the media list of item `itemIndex`: the size and type of binary files and what their
 * headers say (pixel size, length), without loading them whole. Headers are read only of files
 * whose type and size fit their role, and each within the probe's budget (media-probe.ts).
 */
export async function readMediaEntries(ctx: IExecuteFunctions, itemIndex: number): Promise<MediaEntry[]> {
	const parameter = ctx.getNodeParameter('media.items', itemIndex, []) as MediaEntryParameters[];
	const item = ctx.getInputData()[itemIndex];
	const entries: MediaEntry[] = [];
	for (const [index, raw] of parameter.entries()) {
		const entry: MediaEntry = {
			position: index + 1,
			role: raw.role ?? '',
			source: raw.source ?? 'url',
			durationSeconds: raw.durationSeconds ? raw.durationSeconds : undefined,
		};
		if (entry.source === 'binary') {
			entry.binaryProperty = (raw.binaryProperty ?? '').trim();
			const binary = entry.binaryProperty ? item?.binary?.[entry.binaryProperty] : undefined;
			if (binary) {
				const bytes = await binarySize(ctx, binary);
				entry.binary = { found: true, mimeType: binary.mimeType, bytes, fileName: binary.fileName };
				if (worthProbing(entry.role, binary.mimeType, bytes)) entry.facts = await probeBinary(ctx, binary, bytes);
			} else {
				entry.binary = { found: false };
			}
		} else {
			entry.url = typeof raw.url === 'string' ? raw.url.trim() : String(raw.url ?? '');
			entry.facts = await probeDataUrl(entry.role, entry.url);
		}
		entries.push(entry);
	}
	return entries;
}

/**
 * Turns validated entries into the gateway-neutral media list. Binary files become data URLs:
 * loaded when `load` is given (just before the create is sent), or left as an empty data URL of
 * the right type, enough to read the request back for its price.
 */
export async function toMediaInputs(
	entries: MediaEntry[],
	load?: (entry: MediaEntry) => Promise<Buffer>,
): Promise<MediaInput[]> {
	const inputs: MediaInput[] = [];
	// A reference video's length read from its file stands in for an empty Video Duration, when
	// that gives every reference video a length (gateways pair the lengths with videos by position).
	const videos = entries.filter((entry) => entry.role === 'reference_video');
	const allLengthsKnown = videos.every((entry) => (entry.durationSeconds ?? entry.facts?.durationSeconds) !== undefined);
	const lengthOf = (entry: MediaEntry) => {
		const fromFile = entry.role === 'reference_video' && allLengthsKnown ? entry.facts?.durationSeconds : undefined;
		return entry.durationSeconds ?? (fromFile === undefined ? undefined : Math.round(fromFile * 100) / 100);
	};
	for (const entry of entries) {
		let url = entry.url as string;
		if (entry.source === 'binary') {
			const data = load ? (await load(entry)).toString('base64') : '';
			url = `data:${entry.binary?.mimeType};base64,${data}`;
		}
		inputs.push({ role: entry.role as MediaRole, url, durationSeconds: lengthOf(entry) });
	}
	return inputs;
}
