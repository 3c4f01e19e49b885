/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test and tooling code: runs under Node and jest, is never shipped, and needs timers, files, processes and fixed test keys that n8n's rules for node code forbid */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { GatewayName, Simulator } from './simulator';
import { startSimulator } from './simulator';
import type { BinaryInput } from './seedance-run';
import { runSeedance } from './seedance-run';

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
	{ name: 'duration under the AIHubMix minimum', provider: 'aihubmix', parameters: { duration: 1 }, expect: ['between 2 and 15'] },
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
		expect(error!.message).toMatch(/^Item 0 cannot be sent to (TokenHub|AIHubMix)/);
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
