/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { GatewayName, Simulator } from './simulator';
import { startSimulator } from './simulator';
import type { BinaryInput } from './seedance-run';
import { runSeedance } from './seedance-run';
import { jpegHeader, mp3, mp4, png, wav } from './media-fixtures';

/**
 * Every input the gateway would reject is refused before any request: the error names the item
 * and the field and says how to fix it, and the simulator sees nothing at all.
 */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => await sim.close());
beforeEach(() => sim.reset());

const url = (role: string, link = 'https://example.com/file') => ({ role, source: 'url', url: link });
const images = (count: number) => Array.from({ length: count }, (_, index) => url('reference_image', `https://example.com/${index}.jpg`));
const b64 = (text: string) => Buffer.from(text).toString('base64');
const file = (property: string, content: Buffer, mimeType: string, fileName: string): BinaryInput => ({ itemIndex: 0, property, base64: content.toString('base64'), mimeType, fileName });
const fromBinary = (role: string, binaryProperty: string) => ({ role, source: 'binary', binaryProperty });
const dataUrl = (mimeType: string, content: Buffer) => `data:${mimeType};base64,${content.toString('base64')}`;

interface BadInput {
	name: string;
	provider?: GatewayName;
	parameters: INodeParameters;
	binary?: BinaryInput[];
	/** Every fragment must appear in the error message. */
	expect: string[];
}

export const BAD_INPUTS: BadInput[] = [
	{ name: 'empty prompt from a mapped field', parameters: { prompt: '={{ $json.caption ?? "" }}' }, expect: ['Prompt is empty'] },
	{ name: 'whitespace prompt', parameters: { prompt: '   \n ' }, expect: ['Prompt is empty'] },
	{ name: 'prompt that is not text', parameters: { prompt: '={{ 42 }}' }, expect: ['Prompt must be text'] },
	{ name: 'prompt over 4000 characters on AIHubMix', provider: 'aihubmix', parameters: { prompt: 'x'.repeat(4001) }, expect: ['Prompt is longer than 4000 characters'] },
	{ name: 'duration under the TokenHub minimum', parameters: { duration: 3 }, expect: ['Duration (Seconds) must be between 4 and 15'] },
	{ name: 'duration over the TokenHub maximum', parameters: { duration: 16 }, expect: ['Duration (Seconds) must be between 4 and 15'] },
	{ name: 'duration under the AIHubMix minimum', provider: 'aihubmix', parameters: { model: 'doubao-seedance-1-0-pro-250528', duration: 1 }, expect: ['between 2 and 12 seconds for doubao-seedance-1-0-pro-250528 on AIHubMix'] },
	{ name: 'fractional duration on AIHubMix', provider: 'aihubmix', parameters: { duration: 5.5 }, expect: ['must be a whole number of seconds'] },
	{ name: 'duration that is not a number', parameters: { duration: '={{ "five" }}' }, expect: ['Duration (Seconds)'] },
	{ name: '1080p on TokenHub', parameters: { resolution: '1080p' }, expect: ['Resolution', '480p, 720p'] },
	{ name: '1080p on a model without it', provider: 'aihubmix', parameters: { model: 'doubao-seedance-2-0-fast-260128', resolution: '1080p' }, expect: ['"1080p" is not offered by doubao-seedance-2-0-fast-260128'] },
	{ name: 'a resolution as pixels', provider: 'aihubmix', parameters: { resolution: '1280x720' }, expect: ['Resolution'] },
	{ name: 'adaptive ratio on AIHubMix', provider: 'aihubmix', parameters: { ratio: 'adaptive' }, expect: ['Aspect Ratio must be one of: 16:9'] },
	{ name: 'unknown ratio on TokenHub', parameters: { ratio: '2:1' }, expect: ['Aspect Ratio must be one of'] },
	{ name: 'empty model', parameters: { model: '={{ "" }}' }, expect: ['Model is empty'] },
	{ name: 'model with spaces', parameters: { model: '={{ "seedance two" }}' }, expect: ['Model is empty or contains spaces'] },
	{ name: 'two first frames', parameters: { media: { items: [url('first_frame'), url('first_frame')] } }, expect: ['Media has 2 first frames'] },
	{ name: 'two last frames', parameters: { media: { items: [url('first_frame'), url('last_frame'), url('last_frame')] } }, expect: ['Media has 2 last frames'] },
	{ name: 'last frame without first frame', parameters: { media: { items: [url('last_frame')] } }, expect: ['last frame but no first frame'] },
	{ name: 'ten images', parameters: { media: { items: images(10) } }, expect: ['has 10 images; the limit is 9'] },
	{ name: 'four reference videos', parameters: { media: { items: [url('reference_video'), url('reference_video'), url('reference_video'), url('reference_video')] } }, expect: ['4 reference videos; the limit is 3'] },
	{ name: 'four reference audios', parameters: { media: { items: [url('reference_image'), url('reference_audio'), url('reference_audio'), url('reference_audio'), url('reference_audio')] } }, expect: ['4 reference audios; the limit is 3'] },
	{ name: 'audio as the only reference', parameters: { media: { items: [url('reference_audio')] } }, expect: ['reference audio only'] },
	{ name: 'empty URL', parameters: { media: { items: [url('first_frame', '')] } }, expect: ['Media 1 (First Frame): URL is empty'] },
	{ name: 'ftp URL', parameters: { media: { items: [url('first_frame', 'ftp://example.com/a.png')] } }, expect: ['Media 1 (First Frame)', '"ftp:"'] },
	{ name: 'file URL', parameters: { media: { items: [url('reference_image', 'file:///etc/passwd')] } }, expect: ['Media 1 (Reference Image)', '"file:"'] },
	{ name: 'URL without a scheme', parameters: { media: { items: [url('first_frame', 'example.com/cat.png')] } }, expect: ['is not a valid URL'] },
	{ name: 'data URL that is not base64', parameters: { media: { items: [url('first_frame', 'data:image/png,abc')] } }, expect: ['not base64 encoded'] },
	{ name: 'data URL of audio as a first frame', parameters: { media: { items: [url('first_frame', `data:audio/mpeg;base64,${b64('id3')}`)] } }, expect: ['"audio/mpeg", which does not fit this role'] },
	{ name: 'missing binary field', parameters: { media: { items: [{ role: 'first_frame', source: 'binary', binaryProperty: 'photo' }] } }, expect: ['no binary field "photo"'] },
	{ name: 'empty binary field name', parameters: { media: { items: [{ role: 'first_frame', source: 'binary', binaryProperty: ' ' }] } }, expect: ['Source Binary Field is empty'] },
	{
		name: 'text file as a first frame',
		binary: [{ itemIndex: 0, property: 'data', base64: b64('hello'), mimeType: 'text/plain', fileName: 'a.txt' }],
		parameters: { media: { items: [{ role: 'first_frame', source: 'binary', binaryProperty: 'data' }] } },
		expect: ['holds "text/plain", which does not fit the role First Frame'],
	},
	{
		name: 'video file as a reference image',
		binary: [{ itemIndex: 0, property: 'clip', base64: b64('....ftyp'), mimeType: 'video/mp4', fileName: 'a.mp4' }],
		parameters: { media: { items: [{ role: 'reference_image', source: 'binary', binaryProperty: 'clip' }] } },
		expect: ['holds "video/mp4"', 'JPEG, PNG'],
	},
	{
		name: 'image file as reference audio',
		binary: [{ itemIndex: 0, property: 'data', base64: b64('png'), mimeType: 'image/png', fileName: 'a.png' }],
		parameters: { media: { items: [url('first_frame'), { role: 'reference_audio', source: 'binary', binaryProperty: 'data' }] } },
		expect: ['Media 2 (Reference Audio)', 'MP3 or WAV'],
	},
	{ name: 'reference video longer than 15 s', parameters: { media: { items: [{ ...url('reference_video'), durationSeconds: 20 }] } }, expect: ['Video Duration 20 s is outside 2–15 s'] },
	{ name: 'reference videos longer than 15 s together', parameters: { media: { items: [1, 2, 3].map(() => ({ ...url('reference_video'), durationSeconds: 6 })) } }, expect: ['18 s together'] },
	{ name: 'additional body fields that are not JSON', parameters: { additionalFields: { additionalBodyFields: '{callback_url: nope' } }, expect: ['Additional Body Fields must be a JSON object'] },
	{ name: 'additional body fields that are an array', parameters: { additionalFields: { additionalBodyFields: '[1, 2]' } }, expect: ['Additional Body Fields must be a JSON object'] },
	{ name: 'fractional seed', provider: 'aihubmix', parameters: { additionalFields: { seed: 1.5 } }, expect: ['Seed must be a whole number'] },
	{ name: 'seed over 2^32-1', provider: 'aihubmix', parameters: { additionalFields: { seed: 2 ** 32 } }, expect: ['Seed must be at most 4294967295'] },
	{ name: 'unknown role', parameters: { media: { items: [url('={{ "poster" }}')] } }, expect: ['role "poster" is unknown'] },
	{ name: 'only some reference videos with a duration', parameters: { media: { items: [url('reference_video'), { ...url('reference_video'), durationSeconds: 3 }] } }, expect: ['Media 1 (Reference Video): Video Duration is missing while another reference video has one'] },
	// Limits on the files themselves, read from their headers (Ark's create page; the resellers forward to Ark).
	{
		name: 'image smaller than 300 px',
		binary: [file('photo', png(200, 200), 'image/png', 'small.png')],
		parameters: { media: { items: [fromBinary('first_frame', 'photo')] } },
		expect: ['Media 1 (First Frame): binary field "photo" is 200×200 px; each side must be 300 to 6000 px. Use a larger image.'],
	},
	{ name: 'image wider than 2.5 to 1', parameters: { media: { items: [url('reference_image', dataUrl('image/png', png(1600, 400)))] } }, expect: ['the data URL is 1600×400 px, an aspect ratio of 4.00; width ÷ height must be 0.4 to 2.5'] },
	{
		name: 'image over 6000 px a side',
		provider: 'aihubmix',
		binary: [file('scan', jpegHeader(6400, 3200), 'image/jpeg', 'scan.jpg')],
		parameters: { media: { items: [fromBinary('first_frame', 'scan')] } },
		expect: ['binary field "scan" is 6400×3200 px; each side must be 300 to 6000 px. Use a smaller image.'],
	},
	{
		name: 'reference video file longer than 15 s',
		binary: [file('clip', mp4(20), 'video/mp4', 'clip.mp4')],
		parameters: { media: { items: [fromBinary('reference_video', 'clip')] } },
		expect: ['Media 1 (Reference Video): binary field "clip" lasts 20 s; a reference video must last 2 to 15 s. Trim it.'],
	},
	{
		name: 'reference video file narrower than 0.4 to 1',
		binary: [file('clip', mp4(5, 320, 1000), 'video/mp4', 'clip.mp4')],
		parameters: { media: { items: [fromBinary('reference_video', 'clip')] } },
		expect: ['is 320×1000 px, an aspect ratio of 0.32'],
	},
	{
		name: 'reference video file at 15 frames per second',
		provider: 'aihubmix',
		binary: [file('clip', mp4(5, 640, 640, 4096, 15), 'video/mp4', 'clip.mp4')],
		parameters: { media: { items: [fromBinary('reference_video', 'clip')] } },
		expect: ['binary field "clip" runs at 15 frames per second; a reference video must run at 24 to 60'],
	},
	{
		name: 'reference audio longer than 15 s',
		binary: [file('song', wav(16), 'audio/wav', 'song.wav')],
		parameters: { media: { items: [url('reference_image'), fromBinary('reference_audio', 'song')] } },
		expect: ['Media 2 (Reference Audio): binary field "song" lasts 16 s; a reference audio must last 2 to 15 s'],
	},
	{ name: 'reference audio shorter than 2 s', provider: 'aihubmix', parameters: { media: { items: [url('reference_image'), url('reference_audio', dataUrl('audio/mpeg', mp3(1)))] } }, expect: ['the data URL lasts 1 s', 'Use a longer clip'] },
	{
		name: 'reference audios longer than 15 s together',
		binary: ['a', 'b', 'c'].map((name) => file(name, wav(6), 'audio/wav', `${name}.wav`)),
		parameters: { media: { items: [url('reference_image'), ...['a', 'b', 'c'].map((name) => fromBinary('reference_audio', name))] } },
		expect: ['reference audios last 18 s together; the limit is 15 s'],
	},
	// Ark's own rules.
	{
		name: 'reference video as an inline file on Ark',
		provider: 'ark',
		binary: [file('clip', mp4(5), 'video/mp4', 'clip.mp4')],
		parameters: { media: { items: [fromBinary('reference_video', 'clip')] } },
		expect: ['Ark fetches reference videos itself and takes them only as URLs'],
	},
	{ name: 'a first frame mixed with a reference image on Ark', provider: 'ark', parameters: { media: { items: [url('first_frame'), url('reference_image')] } }, expect: ['first frame, first + last frame and multimodal reference are separate scenarios'] },
	{ name: 'reference images on a model without them on Ark', provider: 'ark', parameters: { model: 'seedance-1-5-pro-251215', media: { items: [url('reference_image')] } }, expect: ['has reference images, which seedance-1-5-pro-251215 does not take'] },
	{ name: 'a reference video on a 1.0 model on Ark', provider: 'ark', parameters: { model: 'seedance-1-0-pro-250528', media: { items: [url('reference_video')] } }, expect: ['has reference videos or audios, which seedance-1-0-pro-250528 does not take'] },
	{ name: 'audio as the only reference on Ark', provider: 'ark', parameters: { media: { items: [url('reference_audio')] } }, expect: ['reference audio only'] },
	{ name: 'flex on a Seedance 2.0 model on Ark', provider: 'ark', parameters: { additionalFields: { serviceTier: 'flex' } }, expect: ['Flex is not offered for dreamina-seedance-2-0-260128'] },
	{ name: 'an expiry of a week on Ark', provider: 'ark', parameters: { additionalFields: { executionExpiresAfter: 604800 } }, expect: ['Task Expires After (Seconds) must be a whole number of seconds from 3600 to 259200'] },
	{ name: '15 s on 1.5 pro on Ark (at most 12)', provider: 'ark', parameters: { model: 'seedance-1-5-pro-251215', duration: 15 }, expect: ['must be between 4 and 12 seconds'] },
	{ name: '1080p on 2.0 fast on Ark', provider: 'ark', parameters: { model: 'dreamina-seedance-2-0-fast-260128', resolution: '1080p' }, expect: ['"1080p" is not offered by dreamina-seedance-2-0-fast-260128'] },
	{ name: 'ten reference images on Ark', provider: 'ark', parameters: { media: { items: images(10) } }, expect: ['has 10 reference images; dreamina-seedance-2-0-260128 takes at most 9'] },
	// Each model's own limits (its family, nodes/Seedance/models/), the same on every gateway that sells it.
	{ name: '3 s on Seedance 2.0 on AIHubMix (at least 4)', provider: 'aihubmix', parameters: { duration: 3 }, expect: ['Duration (Seconds) must be between 4 and 15 seconds for doubao-seedance-2-0-260128 on AIHubMix'] },
	{ name: '13 s on 1.0 pro on AIHubMix (at most 12)', provider: 'aihubmix', parameters: { model: 'doubao-seedance-1-0-pro-250528', duration: 13 }, expect: ['must be between 2 and 12 seconds'] },
	{ name: 'reference images on 1.5 pro on AIHubMix', provider: 'aihubmix', parameters: { model: 'doubao-seedance-1-5-pro-251215', media: { items: [url('reference_image')] } }, expect: ['has reference images, which doubao-seedance-1-5-pro-251215 does not take', 'r2v'] },
	{ name: 'a reference video on 1.0 pro fast on AIHubMix', provider: 'aihubmix', parameters: { model: 'doubao-seedance-1-0-pro-fast-251015', media: { items: [url('first_frame'), url('reference_video')] } }, expect: ['has reference videos or audios, which doubao-seedance-1-0-pro-fast-251015 does not take'] },
	{ name: 'a last frame on 1.0 pro fast', provider: 'aihubmix', parameters: { model: 'doubao-seedance-1-0-pro-fast-251015', media: { items: [url('first_frame'), url('last_frame')] } }, expect: ['has a last frame, which doubao-seedance-1-0-pro-fast-251015 does not take (Seedance 1.0 pro fast: first frame only)'] },
	{ name: 'an image on 1.0 lite t2v on Ark', provider: 'ark', parameters: { model: 'seedance-1-0-lite-t2v-250428', media: { items: [url('first_frame')] } }, expect: ['has images, which seedance-1-0-lite-t2v-250428 does not take (Seedance 1.0 lite t2v is text-to-video only)'] },
	// A model the node does not know (newer than it) is still checked for what is true of every model.
	{ name: 'ftp URL for a model the node does not know', provider: 'aihubmix', parameters: { model: 'doubao-seedance-2-5-260628', media: { items: [url('first_frame', 'ftp://example.com/a.png')] } }, expect: ['Media 1 (First Frame)', '"ftp:"'] },
	{ name: 'two first frames for a model the node does not know', provider: 'ark', parameters: { model: 'dreamina-seedance-2-5-260628', media: { items: [url('first_frame'), url('first_frame')] } }, expect: ['Media has 2 first frames'] },
	{
		name: 'reference video as an inline file on Ark for a model the node does not know',
		provider: 'ark',
		binary: [file('clip', mp4(5), 'video/mp4', 'clip.mp4')],
		parameters: { model: 'dreamina-seedance-2-5-260628', media: { items: [fromBinary('reference_video', 'clip')] } },
		expect: ['Ark fetches reference videos itself and takes them only as URLs'],
	},
	{ name: 'additional body fields that are not JSON for a model the node does not know', provider: 'aihubmix', parameters: { model: 'doubao-seedance-2-5-260628', additionalFields: { additionalBodyFields: '{"callback_url"' } }, expect: ['Additional Body Fields must be a JSON object'] },
];

async function refuse(bad: BadInput, items: IDataObject[] = [{}]) {
	const provider = bad.provider ?? 'tokenhub';
	const run = await runSeedance({
		sim,
		provider,
		items,
		binary: bad.binary,
		parameters: { operation: 'create', prompt: 'A valid prompt', ...bad.parameters },
	});
	return { run, error: run.nodeError('Seedance') as (Error & { description?: string }) | undefined };
}

describe('bad input is refused before any paid request', () => {
	it.each(BAD_INPUTS.map((bad) => [bad.name, bad] as const))('%s', async (_name, bad) => {
		const { run, error } = await refuse(bad);
		expect(run.status).toBe('error');
		expect(error).toBeDefined();
		expect(error!.message).toMatch(/^Item 0 cannot be sent to (TokenHub|AIHubMix|Ark)/);
		for (const fragment of bad.expect) expect(error!.message).toContain(fragment);
		expect(error!.description).toContain('Nothing was sent, so nothing was charged');
		expect(sim.requests).toHaveLength(0);
	});

	it('the catalogue has at least 40 distinct cases', () => {
		expect(new Set(BAD_INPUTS.map((bad) => bad.name)).size).toBeGreaterThanOrEqual(40);
	});

	it('lists every problem of an item in one error', async () => {
		const { error } = await refuse({
			name: 'many',
			parameters: { prompt: '={{ "" }}', duration: 99, resolution: '1080p', media: { items: [url('last_frame', 'ftp://x')] } },
			expect: [],
		});
		expect(error!.message).toContain('(5 problems)');
		for (const fragment of ['Prompt is empty', 'Duration (Seconds)', 'Resolution', 'Media 1 (Last Frame)', 'no first frame']) {
			expect(error!.message).toContain(fragment);
		}
		expect(sim.requests).toHaveLength(0);
	});

	it('names the right item, and under Continue On Fail the good items still run', async () => {
		const run = await runSeedance({
			sim,
			provider: 'tokenhub',
			continueOnFail: true,
			items: [{ prompt: 'Fine' }, { prompt: '' }, { prompt: 'Also fine' }],
			parameters: { operation: 'create', prompt: '={{ $json.prompt }}', waitForCompletion: false },
		});
		expect(run.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(run.items[1].json.error).toMatch(/^Item 1 cannot be sent to TokenHub \(1 problem\): Prompt is empty/);
		expect(run.items[0].json.taskId).toBeDefined();
		expect(run.items[2].json.taskId).toBeDefined();
		expect(sim.createRequests('tokenhub')).toHaveLength(2);
	});
});

it('the README lists every case of the catalogue', () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const readme: string = require('fs').readFileSync(require('path').join(__dirname, '..', 'README.md'), 'utf8');
	for (const bad of BAD_INPUTS) expect(readme).toContain(`| ${bad.name} |`);
});
