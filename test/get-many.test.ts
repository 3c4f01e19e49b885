import type { INodeParameters } from 'n8n-workflow';

import { MAX_PAGES, PAGE_SIZE } from '../nodes/Seedance/task-list';
import { idsOf, listRequests, seedArkTasks } from './ark-task-list';
import { runSeedance } from './seedance-run';
import type { Simulator } from './simulator';
import { startSimulator } from './simulator';
import { arkListPage, NO_QUIRKS } from './simulator/ark';

/**
 * Get Many walks Ark's list (page_num, page_size 1–500, answer {items, total}) through n8n-core's
 * WorkflowExecute against the simulated Ark, honest and not: one page size per walk, every task
 * once, at most Limit, all of them when the gateway serves them, and an end to every walk.
 */

let sim: Simulator;
beforeAll(async () => {
	sim = await startSimulator();
});
afterAll(async () => await sim.close());
beforeEach(() => sim.reset());

const getMany = async (parameters: INodeParameters) => await runSeedance({ sim, provider: 'ark', parameters: { operation: 'getMany', ...parameters } });

describe('Get Many pages with one page size and outputs every task once', () => {
	it('200 tasks, Limit 150: the 150 newest, each once; every page asks for the same page size', async () => {
		const newestFirst = seedArkTasks(sim, 200);
		const run = await getMany({ returnAll: false, limit: 150 });
		expect(run.status).toBe('success');
		expect(idsOf(run.items)).toEqual(newestFirst.slice(0, 150));
		const pages = listRequests(sim);
		expect(new Set(pages.map((page) => page.pageSize)).size).toBe(1);
		expect(pages.map((page) => page.pageNum)).toEqual([1, 2]);
	});

	it('Return All over 250 tasks: all of them, newest first, in three pages', async () => {
		const newestFirst = seedArkTasks(sim, 250);
		const run = await getMany({ returnAll: true });
		expect(idsOf(run.items)).toEqual(newestFirst);
		expect(listRequests(sim).map((page) => [page.pageNum, page.pageSize])).toEqual([
			[1, PAGE_SIZE],
			[2, PAGE_SIZE],
			[3, PAGE_SIZE],
		]);
	});

	it('a gateway that repeats a full page: the walk ends on the page that adds nothing new, no task twice', async () => {
		const newestFirst = seedArkTasks(sim, 250);
		sim.setArkList({ repeatPages: [2, 3] });
		const run = await getMany({ returnAll: true });
		expect(idsOf(run.items)).toEqual(newestFirst.slice(0, 100));
		expect(listRequests(sim).map((page) => page.pageNum)).toEqual([1, 2]);
	});

	it('a gateway stuck on one page and giving no total: two requests, not hundreds', async () => {
		const newestFirst = seedArkTasks(sim, 250);
		sim.setArkList({ repeatPages: Array.from({ length: 600 }, (_, index) => index + 2), omitTotal: true });
		const run = await getMany({ returnAll: true });
		expect(run.status).toBe('success');
		expect(idsOf(run.items)).toEqual(newestFirst.slice(0, 100));
		expect(listRequests(sim)).toHaveLength(2);
	});

	it('pages that overlap (tasks made during the walk push the list down): every task once', async () => {
		const newestFirst = seedArkTasks(sim, 250);
		sim.setArkList({ overlap: 10 });
		const run = await getMany({ returnAll: true });
		expect(idsOf(run.items)).toEqual(newestFirst);
	});
});

describe('Get Many honours total', () => {
	it('a gateway that caps its pages below the size asked: short pages do not end the walk while total says more', async () => {
		const newestFirst = seedArkTasks(sim, 250);
		sim.setArkList({ pageSizeCap: 40 });
		const run = await getMany({ returnAll: true });
		expect(idsOf(run.items)).toEqual(newestFirst);
		const pages = listRequests(sim);
		expect(pages).toHaveLength(7);
		expect(pages.every((page) => page.pageSize === PAGE_SIZE)).toBe(true);
	});

	it('a page short of items before the end: the walk goes on to the tasks after it', async () => {
		const newestFirst = seedArkTasks(sim, 250);
		sim.setArkList({ shortPages: [1] });
		const run = await getMany({ returnAll: true });
		// Page 1 leaves out its second half (tasks 50–99, on no page); pages 2 and 3 are still read.
		expect(idsOf(run.items)).toEqual([...newestFirst.slice(0, 50), ...newestFirst.slice(100)]);
	});

	it('a total above the truth: the walk ends on the first empty page', async () => {
		const newestFirst = seedArkTasks(sim, 200);
		sim.setArkList({ totalOffset: 30 });
		const run = await getMany({ returnAll: true });
		expect(idsOf(run.items)).toEqual(newestFirst);
		expect(listRequests(sim).map((page) => page.pageNum)).toEqual([1, 2, 3]);
	});

	it('a total of 0 ends the walk at once, and an empty list outputs nothing', async () => {
		const run = await getMany({ returnAll: true });
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(0);
		expect(listRequests(sim)).toHaveLength(1);
	});

	it('a gateway that never stops adding tasks is cut at the page cap, Ark\'s own page_num limit', async () => {
		// Every page answers new tasks and no total: only the cap ends it (Ark refuses page_num over 500).
		expect(MAX_PAGES).toBe(500);
		seedArkTasks(sim, 600);
		sim.setArkList({ pageSizeCap: 1, omitTotal: true });
		const run = await getMany({ returnAll: true });
		expect(run.status).toBe('success');
		expect(run.items).toHaveLength(MAX_PAGES);
		expect(new Set(idsOf(run.items)).size).toBe(MAX_PAGES);
		expect(listRequests(sim)).toHaveLength(MAX_PAGES);
		expect(JSON.stringify(run.run.data.resultData)).toContain('Get Many stopped after 500 pages');
	});
});

describe('Simplify Output on Get Many', () => {
	it('is on by default: the tasks without raw; off: with the raw list item', async () => {
		seedArkTasks(sim, 3);
		const simple = await getMany({ returnAll: true });
		expect(simple.items).toHaveLength(3);
		expect(simple.items.every((item) => item.json.raw === undefined)).toBe(true);
		expect(simple.items[0].json).toMatchObject({ provider: 'ark', status: 'succeeded' });
		const full = await getMany({ returnAll: true, simplify: false });
		expect(full.items.every((item) => (item.json.raw as { id?: string }).id === item.json.taskId)).toBe(true);
	});
});

describe("the simulator's list knobs (what the tests above lean on)", () => {
	const list = Array.from({ length: 10 }, (_, index) => index);
	it.each<[string, Partial<typeof NO_QUIRKS>, number, number, { items: number[]; total?: number }]>([
		['honest', {}, 2, 4, { items: [4, 5, 6, 7], total: 10 }],
		['capped pages', { pageSizeCap: 3 }, 2, 4, { items: [3, 4, 5], total: 10 }],
		['a repeated page', { repeatPages: [2] }, 2, 4, { items: [0, 1, 2, 3], total: 10 }],
		['a short page', { shortPages: [1] }, 1, 4, { items: [0, 1], total: 10 }],
		['a total that lies', { totalOffset: -7 }, 1, 4, { items: [0, 1, 2, 3], total: 3 }],
		['no total', { omitTotal: true }, 3, 4, { items: [8, 9] }],
		['overlapping pages', { overlap: 1 }, 3, 4, { items: [6, 7, 8, 9], total: 10 }],
	])('%s', (_name, quirks, pageNum, pageSize, expected) => {
		expect(arkListPage(list, pageNum, pageSize, { ...NO_QUIRKS, ...quirks })).toEqual(expected);
	});

	it('is as strict as Ark: page_size outside 1–500 or page_num outside 1–500 is a 400', async () => {
		for (const query of ['page_size=0', 'page_size=501', 'page_num=0', 'page_num=501', 'page_num=-1']) {
			const response = await fetch(`${sim.arkBaseUrl}/contents/generations/tasks?${query}`, { headers: { authorization: `Bearer ${sim.arkKey}` } });
			expect(response.status).toBe(400);
		}
	});
});
