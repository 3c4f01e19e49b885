import fc from 'fast-check';

import { MAX_PAGES, PAGE_SIZE, walkTaskList } from '../../nodes/Seedance/task-list';
import type { NormalisedTask, TaskListPage } from '../../nodes/Seedance/gateways/gateway';
import { idsOf, listRequests, seedArkTasks } from '../ark-task-list';
import { runSeedance } from '../seedance-run';
import type { ArkListQuirks, Simulator } from '../simulator';
import { startSimulator } from '../simulator';
import { arkListPage, NO_QUIRKS } from '../simulator/ark';
import { fuzzRuns, InvariantReport } from './fuzz';

/**
 * Invariant: for any total, limit, page size, short pages and repeated pages, Get Many outputs
 * distinct tasks, at most Limit, in the gateway's order, and all of them (min(limit, total))
 * when the gateway serves them honestly; every walk ends, and ends for a stated reason only.
 *
 * The gateway is the simulated Ark's paging (arkListPage: page_num × page_size, then the
 * quirks), once called directly by the node's walk (many cases, fast), once served over HTTP to
 * the node run in n8n-core's WorkflowExecute (fewer cases, the whole path).
 */

const quirksArb = (maxPage: number): fc.Arbitrary<ArkListQuirks> =>
	fc.record({
		pageSizeCap: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 600 }) }),
		repeatPages: fc.oneof({ weight: 3, arbitrary: fc.constant<number[]>([]) }, { weight: 1, arbitrary: fc.uniqueArray(fc.integer({ min: 2, max: maxPage }), { maxLength: 4 }) }),
		shortPages: fc.oneof({ weight: 3, arbitrary: fc.constant<number[]>([]) }, { weight: 1, arbitrary: fc.uniqueArray(fc.integer({ min: 1, max: maxPage }), { maxLength: 4 }) }),
		totalOffset: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -200, max: 200 }) }),
		omitTotal: fc.boolean(),
		overlap: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 120 }) }),
	});

interface Case {
	total: number;
	limit: number;
	pageSize: number;
	quirks: ArkListQuirks;
}

/** The items a page holds, the page size the node asks (constant), and the size the gateway serves. */
function sizes({ limit, pageSize, quirks }: Case) {
	const asked = Number.isFinite(limit) ? Math.min(pageSize, limit) : pageSize;
	const served = quirks.pageSizeCap > 0 ? Math.min(asked, quirks.pageSizeCap) : asked;
	return { asked, served };
}

/** Whether the gateway serves every task, once each page, in at most MAX_PAGES pages. */
function honest(c: Case): boolean {
	const { served } = sizes(c);
	const { quirks } = c;
	const truthful = quirks.omitTotal || quirks.totalOffset >= 0;
	const advance = served - quirks.overlap;
	const wanted = Math.min(c.limit, c.total);
	const reachable = wanted <= served || (advance > 0 && served + (MAX_PAGES - 1) * advance >= wanted);
	return quirks.repeatPages.length === 0 && quirks.shortPages.length === 0 && truthful && reachable;
}

/** Everything the gateway would serve page after page, until its first empty page (or MAX_PAGES). */
function servedInOrder(ids: string[], c: Case): string[] {
	const { asked } = sizes(c);
	const seen = new Set<string>();
	for (let pageNum = 1; pageNum <= MAX_PAGES; pageNum++) {
		const { items } = arkListPage(ids, pageNum, asked, c.quirks);
		if (items.length === 0) break;
		for (const id of items) seen.add(id);
	}
	return [...seen];
}

interface Walked {
	output: string[];
	pages: Array<{ pageNum: number; pageSize: number; ids: string[]; total?: number }>;
	stoppedBy?: string;
}

/** The invariants, over what a walk output and which pages it was served; returns the figures. */
function check(ids: string[], c: Case, { output, pages, stoppedBy }: Walked): Record<string, number> {
	const position = new Map(ids.map((id, index) => [id, index]));
	// Every task once, a real one, in the gateway's order (newest first), at most Limit.
	expect(new Set(output).size).toBe(output.length);
	expect(output.every((id) => position.has(id))).toBe(true);
	expect(output.every((id, index) => index === 0 || position.get(output[index - 1])! < position.get(id)!)).toBe(true);
	expect(output.length).toBeLessThanOrEqual(c.limit);
	// One page size per walk, page numbers 1, 2, 3 …, inside Ark's 1–500 for both.
	expect(pages.map((page) => page.pageNum)).toEqual(pages.map((_, index) => index + 1));
	expect(new Set(pages.map((page) => page.pageSize)).size).toBeLessThanOrEqual(1);
	expect(pages.every((page) => page.pageSize >= 1 && page.pageSize <= 500 && page.pageSize <= c.limit)).toBe(true);
	expect(pages.length).toBeLessThanOrEqual(MAX_PAGES);
	// Every page but the last added a task not seen before: no walk goes on for nothing.
	const seen = new Set<string>();
	pages.forEach((page, index) => {
		const added = page.ids.filter((id) => !seen.has(id));
		page.ids.forEach((id) => seen.add(id));
		if (index < pages.length - 1) expect(added.length).toBeGreaterThan(0);
	});
	// The walk ended for one of its reasons, never because a page was short.
	const last = pages.at(-1);
	const stated = pages.map((page) => page.total).filter((total) => total !== undefined).at(-1);
	const reasons = {
		limit: output.length >= c.limit,
		total: stated !== undefined && seen.size >= stated,
		'empty page': last !== undefined && last.ids.length === 0,
		'no new task': last !== undefined && pages.length > 1 && last.ids.every((id) => pages.slice(0, -1).some((page) => page.ids.includes(id))),
		'page cap': pages.length === MAX_PAGES,
	};
	expect(Object.values(reasons).some(Boolean)).toBe(true);
	if (stoppedBy) expect(reasons[stoppedBy as keyof typeof reasons]).toBe(true);
	const wanted = Math.min(c.limit, c.total);
	if (honest(c)) {
		// All of them, the newest first.
		expect(output).toEqual(ids.slice(0, wanted));
	}
	if (c.quirks.repeatPages.length === 0 && (c.quirks.omitTotal || c.quirks.totalOffset >= 0) && c.quirks.overlap === 0) {
		// Short pages lose what they leave out, and nothing else: everything served, up to Limit.
		const served = servedInOrder(ids, c);
		expect(output).toEqual(served.slice(0, Math.min(c.limit, served.length)));
	}
	// The fewest pages that hold these tasks: the first page, then what each later one adds.
	const { served } = sizes(c);
	const minimumPages = output.length <= served ? 1 : 1 + Math.ceil((output.length - served) / (served - c.quirks.overlap));
	// An honest walk reads at most one page more (the empty one that ends a list without a true total).
	if (honest(c)) expect(pages.length - minimumPages).toBeLessThanOrEqual(1);
	return {
		pagesFetched: pages.length,
		pagesPerItemReturned: pages.length / Math.max(1, output.length),
		...(honest(c) ? { extraPagesWhenHonest: pages.length - minimumPages } : {}),
		duplicatesOutput: output.length - new Set(output).size,
		itemsReturned: output.length,
	};
}

const unitReport = new InvariantReport('Get Many: distinct, at most Limit, all when served honestly (walk, any page size)');
const runReport = new InvariantReport('Get Many: distinct, at most Limit, all when served honestly (WorkflowExecute + simulated Ark)');
afterAll(() => {
	unitReport.write();
	runReport.write();
});

const task = (id: string): NormalisedTask => ({
	taskId: id,
	provider: 'ark',
	model: null,
	status: 'succeeded',
	gatewayStatus: 'succeeded',
	videoUrl: null,
	coverImageUrl: null,
	lastFrameUrl: null,
	videoDuration: null,
	progress: null,
	completionTokens: null,
	errorCode: null,
	errorMessage: null,
	raw: { id },
});

it("the node's walk over any list the simulated Ark's paging can serve", async () => {
	const caseArb = fc.record({
		total: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 1500 })),
		limit: fc.oneof({ weight: 1, arbitrary: fc.constant(Number.POSITIVE_INFINITY) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 1600 }) }),
		pageSize: fc.oneof(fc.constant(PAGE_SIZE), fc.integer({ min: 1, max: 500 })),
		quirks: quirksArb(12),
	});
	await fc.assert(
		fc.asyncProperty(caseArb, async (c) => {
			const ids = Array.from({ length: c.total }, (_, index) => `cgt-${String(index).padStart(5, '0')}`);
			const pages: Walked['pages'] = [];
			const fetchPage = async (pageNum: number, pageSize: number): Promise<TaskListPage> => {
				const { items, total } = arkListPage(ids, pageNum, pageSize, c.quirks);
				pages.push({ pageNum, pageSize, ids: items, total });
				return { tasks: items.map(task), total: total ?? null };
			};
			const walk = await walkTaskList(fetchPage, { limit: c.limit, pageSize: c.pageSize });
			expect(walk.pages).toBe(pages.length);
			unitReport.saw(check(ids, c, { output: walk.tasks.map((t) => t.taskId), pages, stoppedBy: walk.stoppedBy }));
		}),
		fuzzRuns(300),
	);
});

describe('through WorkflowExecute against the simulated Ark', () => {
	let sim: Simulator;
	beforeAll(async () => {
		sim = await startSimulator();
	});
	afterAll(async () => await sim.close());

	it('Get Many, Return All or a Limit, over any list the simulated Ark serves', async () => {
		const caseArb = fc.record({
			total: fc.integer({ min: 0, max: 320 }),
			limit: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 350 })),
			pageSize: fc.constant(PAGE_SIZE),
			quirks: quirksArb(5).map((quirks) => ({ ...quirks, pageSizeCap: quirks.pageSizeCap === 0 ? 0 : Math.max(7, quirks.pageSizeCap) })),
		});
		await fc.assert(
			fc.asyncProperty(caseArb, async (c) => {
				sim.reset();
				const ids = seedArkTasks(sim, c.total);
				sim.setArkList(c.quirks);
				const limit = Number.isFinite(c.limit) ? { returnAll: false, limit: c.limit } : { returnAll: true };
				const run = await runSeedance({ sim, provider: 'ark', parameters: { operation: 'getMany', ...limit } });
				expect(run.status).toBe('success');
				const pages = listRequests(sim).map((request) => {
					const { items, total } = arkListPage(ids, request.pageNum, request.pageSize, { ...NO_QUIRKS, ...c.quirks });
					return { pageNum: request.pageNum, pageSize: request.pageSize, ids: items, total };
				});
				runReport.saw(check(ids, c, { output: idsOf(run.items), pages }));
			}),
			fuzzRuns(12),
		);
	});
});
