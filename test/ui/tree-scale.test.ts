// The tree at hundreds of rows: a large batch is one collapsible "batch ×N" row with a status
// summary, rows can be filtered, the cursor jumps to the next failed or running node, and
// everything collapses or expands at once.
import {describe, expect, it} from 'vitest';
import type {RlmEvent, RlmEventBody} from '../../source/protocol/events.js';
import {getNode} from '../../source/trajectory/tree.js';
import {
	applyEvents,
	batchRow,
	batchSummary,
	collapseOrParent,
	emptyTreeView,
	expandOrEnter,
	flatten,
	isBatchRowId,
	jumpTo,
	moveCursor,
	rowItem,
	setAllExpanded,
	setFilter,
	type TreeViewState,
} from '../../source/ui/state/tree-view.js';
import {displayWidth} from '../../source/ui/format.js';
import {computeLayout} from '../../source/ui/state/layout.js';
import {batchStatus, describeBatch, describeNode, layoutRow} from '../../source/ui/tree-rows.js';

let t = 0;
const ev = (body: RlmEventBody): RlmEvent => ({...body, t: (t += 1)});
const HEIGHT = 30;

/** A run whose block ran `slots` llm_query_batched slots: `failed` of them fail, `running` still run. */
function batchRun(slots: number, {failed = [] as number[], running = [] as number[]} = {}): RlmEvent[] {
	const events: RlmEvent[] = [
		ev({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'classify all the tickets', context: {type: 'str', chars: 9}, maxIterations: 30}),
		ev({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 30}),
		ev({type: 'llm.done', runId: 'r', iteration: 1, text: 'Batch them.', usage: {inputTokens: 50, outputTokens: 5}, ms: 3}),
		ev({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'labels = llm_query_batched(prompts)'}),
	];
	for (let index = 0; index < slots; index++) {
		events.push(ev({type: 'call.start', callId: `c${index}`, runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query_batched', index, model: 'sub', prompt: `ticket ${index}: printer on fire`}));
	}
	for (let index = 0; index < slots; index++) {
		if (running.includes(index)) continue;
		const error = failed.includes(index) ? 'Error: rate limited (429)' : undefined;
		events.push(ev({type: 'call.done', callId: `c${index}`, response: error ?? `label ${index % 3 === 0 ? 'hardware' : 'software'}`, usage: {inputTokens: 20, outputTokens: 2}, ms: 5, ...(error ? {error} : {})}));
	}
	return events;
}

const view = (events: RlmEvent[]): TreeViewState => applyEvents(emptyTreeView(), events, HEIGHT);

describe('a large batch', () => {
	it('is one collapsed row, "batch ×200", with how many slots are done, running and failed', () => {
		const tree = view(batchRun(200, {failed: [7, 99], running: [150, 151, 152]}));
		const rows = flatten(tree);
		// run, iteration, reply, code, the batch row.
		expect(rows.ids).toHaveLength(5);
		const id = rows.ids[4]!;
		expect(isBatchRowId(id)).toBe(true);
		const row = batchRow(tree.traj, id)!;
		expect(row.members).toHaveLength(200);
		const summary = batchSummary(tree.traj, row);
		expect(summary).toMatchObject({done: 195, running: 3, failed: 2, cancelled: 0});
		const text = describeBatch(row, summary);
		expect(text.title).toBe('batch ×200');
		expect(text.preview).toBe('195 ✓ · 3 running · 2 ✗ · llm_query_batched');
		// Following the newest node lands on the batch row, not inside it.
		expect(tree.cursor).toBe(id);
	});

	it('shows its whole size from its first slot while the rest wait for the concurrency limit, and the slots that ran once its code is over', () => {
		// 200 prompts, 8 at a time: the engine starts the slots as earlier ones finish.
		const events = batchRun(200).filter((event) => event.type !== 'call.start' || event.index < 8);
		const started = events
			.filter((event) => event.type !== 'call.done' || Number(event.callId.slice(1)) < 3)
			.map((event) => (event.type === 'call.start' ? {...event, batchSize: 200} : event));
		let tree = view(started);
		const id = flatten(tree).ids[4]!;
		expect(isBatchRowId(id)).toBe(true);
		let row = batchRow(tree.traj, id)!;
		expect(row.members).toHaveLength(8);
		let summary = batchSummary(tree.traj, row);
		expect(summary).toMatchObject({done: 3, running: 5, queued: 192});
		let text = describeBatch(row, summary);
		expect(text.title).toBe('batch ×200');
		expect(text.preview).toBe('3 ✓ · 5 running · 192 queued · llm_query_batched');
		expect(text.previewShorter).toContain('3✓ 5 run 192 wait');
		// Even its first slot alone is the batch's row.
		const first = view(started.slice(0, 5));
		expect(describeBatch(batchRow(first.traj, flatten(first).ids[4]!)!, batchSummary(first.traj, batchRow(first.traj, flatten(first).ids[4]!)!)).title).toBe('batch ×200');
		// Stopped with 8 of 200 started: the rest never waited for anything once the code is over.
		tree = applyEvents(tree, [ev({type: 'code.done', runId: 'r', iteration: 1, block: 1, ok: false, stdout: '', stderr: '', error: 'KeyboardInterrupt', ms: 9, truncatedChars: 0, variables: [], final: null, limit: 'cancelled', restarted: false})], HEIGHT);
		row = batchRow(tree.traj, id)!;
		summary = batchSummary(tree.traj, row);
		expect(summary.queued).toBe(0);
		text = describeBatch(row, summary);
		expect(text.title).toBe('batch ×8');
	});

	it('cancelled by the user (running slots and the ones still queued) reads cancelled, not failed; so does a single call', () => {
		const cancelled = (index: number) => ev({type: 'call.done', callId: `c${index}`, response: 'Error: Request cancelled.', usage: {inputTokens: 0, outputTokens: 0}, ms: 1, error: 'Request cancelled.', errorCode: 'aborted'});
		const running = Array.from({length: 40}, (_, index) => index);
		const events = batchRun(40, {running}).map((event) => (event.type === 'call.start' ? {...event, batchSize: 40} : event));
		const tree = view([
			...events,
			...running.map(cancelled),
			ev({type: 'code.done', runId: 'r', iteration: 1, block: 1, ok: false, stdout: '', stderr: '', error: 'KeyboardInterrupt', ms: 9, truncatedChars: 0, variables: [], final: null, limit: 'cancelled', restarted: false}),
		]);
		const row = batchRow(tree.traj, flatten(tree).ids.find(isBatchRowId)!)!;
		const summary = batchSummary(tree.traj, row);
		expect(summary).toMatchObject({done: 0, failed: 0, cancelled: 40, queued: 0});
		expect(batchStatus(summary)).toBe('cancelled');
		expect(describeBatch(row, summary).preview).toBe('40 ⊘ · llm_query_batched');
		const slot = getNode(tree.traj, row.members[0]!)!;
		expect(slot.status).toBe('cancelled');
		expect(describeNode(slot).error).toBe('⊘ cancelled');
	});

	it('keeps its counts whole in a narrow tree: the function goes first, then the counts get compact, then the tokens', () => {
		const tree = view(batchRun(200, {failed: [1, 2, 3, 4, 5], running: Array.from({length: 15}, (_, i) => 100 + i)}));
		const id = flatten(tree).ids[4]!;
		const row = batchRow(tree.traj, id)!;
		const text = describeBatch(row, batchSummary(tree.traj, row), 0);
		const shown = new Set<string>();
		for (const columns of [60, 80, 100, 120, 160]) {
			// The tree pane's row width at this terminal width, and the batch row's lead as TreeRow draws it.
			const width = computeLayout({columns, rows: 40}).tree.innerWidth;
			const lead = 2 * Math.min(row.level, Math.floor(width / 6)) + 4;
			const layout = layoutRow(text, width, lead);
			const line = `${layout.title} ${layout.preview}${' '.repeat(layout.gap)}${layout.meta}`;
			expect(lead + displayWidth(line), `${columns} columns`).toBeLessThanOrEqual(width);
			expect(layout.preview, `${columns} columns`).toMatch(/^180 ?✓ (· )?15 run(ning)? (· )?5 ?✗/);
			expect(layout.preview).not.toContain('…');
			shown.add(layout.preview);
		}
		expect(shown).toContain('180 ✓ · 15 running · 5 ✗ · llm_query_batched');
		expect(shown).toContain('180✓ 15 run 5✗');
	});

	it('opens with l (Right) and steps in; h goes back to the batch row and closes it', () => {
		let tree = view(batchRun(50));
		tree = moveCursor(tree, 'bottom', HEIGHT);
		const batch = tree.cursor;
		tree = expandOrEnter(tree, HEIGHT);
		expect(flatten(tree).ids).toHaveLength(5 + 50);
		tree = expandOrEnter(tree, HEIGHT);
		expect(rowItem(tree.traj, tree.cursor)).toMatchObject({kind: 'call', index: 0});
		tree = collapseOrParent(tree, HEIGHT);
		expect(tree.cursor).toBe(batch);
		tree = collapseOrParent(tree, HEIGHT);
		expect(flatten(tree).ids).toHaveLength(5);
	});

	it('leaves small batches as plain rows, and a second batch in the same block is its own row', () => {
		expect(flatten(view(batchRun(3))).ids).toHaveLength(4 + 3);
		const events = batchRun(12);
		for (let index = 0; index < 12; index++) {
			events.push(ev({type: 'call.start', callId: `d${index}`, runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query_batched', index, model: 'sub', prompt: `again ${index}`}));
		}
		const rows = flatten(view(events)).ids;
		expect(rows.filter(isBatchRowId)).toHaveLength(2);
	});
});

describe('finding rows', () => {
	it('/ filters to the rows that hold the text, with their ancestors; clearing shows all again', () => {
		let tree = view(batchRun(200, {failed: [42]}));
		tree = setFilter(tree, 'RATE LIMITED', HEIGHT);
		const rows = flatten(tree).ids.map((id) => rowItem(tree.traj, id)!);
		// run, iteration, code, the batch row, the failed slot.
		expect(rows.map((item) => item.kind)).toEqual(['run', 'iteration', 'code', 'batch', 'call']);
		expect(rows.at(-1)).toMatchObject({index: 42});
		expect(rowItem(tree.traj, tree.cursor)?.kind).not.toBe(undefined);
		tree = setFilter(tree, 'no such words', HEIGHT);
		expect(flatten(tree).ids).toHaveLength(0);
		tree = setFilter(tree, '', HEIGHT);
		expect(flatten(tree).ids).toHaveLength(5);
	});

	it('jumps to the next failed node, opening the batch it is in, and wraps around', () => {
		let tree = moveCursor(view(batchRun(200, {failed: [7, 99]})), 'top', HEIGHT);
		let jump = jumpTo(tree, 'error', 1, HEIGHT);
		expect(jump.found).toBe(true);
		tree = jump.view;
		expect(getNode(tree.traj, tree.cursor)).toMatchObject({kind: 'call', index: 7, status: 'error'});
		expect(flatten(tree).rowOf(tree.cursor)).toBeGreaterThan(0);
		tree = jumpTo(tree, 'error', 1, HEIGHT).view;
		expect(getNode(tree.traj, tree.cursor)).toMatchObject({index: 99});
		tree = jumpTo(tree, 'error', 1, HEIGHT).view;
		expect(getNode(tree.traj, tree.cursor)).toMatchObject({index: 7});
		tree = jumpTo(tree, 'error', -1, HEIGHT).view;
		expect(getNode(tree.traj, tree.cursor)).toMatchObject({index: 99});
		jump = jumpTo(view(batchRun(20)), 'error', 1, HEIGHT);
		expect(jump.found).toBe(false);
	});

	it('jumps to where work is running, not to the run and iteration around it', () => {
		let tree = moveCursor(view(batchRun(30, {running: [3, 20]})), 'top', HEIGHT);
		tree = jumpTo(tree, 'running', 1, HEIGHT).view;
		expect(getNode(tree.traj, tree.cursor)).toMatchObject({kind: 'call', index: 3});
		tree = jumpTo(tree, 'running', 1, HEIGHT).view;
		expect(getNode(tree.traj, tree.cursor)).toMatchObject({kind: 'call', index: 20});
	});

	it('collapses everything and expands everything', () => {
		let tree = view(batchRun(40));
		tree = setAllExpanded(tree, false, HEIGHT);
		expect(flatten(tree).ids).toHaveLength(1);
		expect(tree.cursor).toBe(tree.traj.roots[0]);
		tree = setAllExpanded(tree, true, HEIGHT);
		expect(flatten(tree).ids).toHaveLength(5 + 40);
	});
});

describe('the rows as events arrive', () => {
	/** The rows worked out afresh (a new expansion map is never the memoised one). */
	const fresh = (tree: TreeViewState) => flatten({...tree, expanded: new Map(tree.expanded)}).ids;

	it('are the same as worked out afresh after every event: new rows (under open, closed and batch rows) and changed ones', () => {
		const events: RlmEvent[] = [...batchRun(12, {running: [3, 4]})];
		// A slot finishes (no new row), a plain call starts and ends, then a second question.
		events.push(ev({type: 'call.done', callId: 'c3', response: 'late label', usage: {inputTokens: 1, outputTokens: 1}, ms: 9}));
		events.push(ev({type: 'call.start', callId: 'x1', runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: 'sub', prompt: 'one more'}));
		events.push(ev({type: 'call.done', callId: 'x1', response: 'done', usage: {inputTokens: 1, outputTokens: 1}, ms: 2}));
		events.push(ev({type: 'call.done', callId: 'c4', response: 'last label', usage: {inputTokens: 1, outputTokens: 1}, ms: 9}));
		events.push(ev({type: 'run.start', runId: 'r2', depth: 0, model: 'm', backend: 'openai', question: 'again', context: {type: 'str', chars: 1}, maxIterations: 30}));
		events.push(ev({type: 'iter.start', runId: 'r2', iteration: 1, maxIterations: 30}));
		events.push(ev({type: 'llm.start', runId: 'r2', iteration: 1, messages: 2, promptChars: 10}));
		events.push(ev({type: 'llm.delta', runId: 'r2', iteration: 1, text: 'partial '}));
		// A late call in the first run, closed by now.
		events.push(ev({type: 'call.start', callId: 'x2', runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: 'sub', prompt: 'late'}));
		events.push(ev({type: 'llm.delta', runId: 'r2', iteration: 1, text: 'reply'}));
		// The rows as the app sees them, one event at a time (nothing else flattens in between)...
		let tree = emptyTreeView();
		const seen: Array<{tree: TreeViewState; ids: readonly number[]}> = [];
		for (const [index, event] of events.entries()) {
			tree = applyEvents(tree, [event], HEIGHT);
			// Open the batch part way.
			if (index === 20) tree = expandOrEnter(moveCursor(tree, 'bottom', HEIGHT), HEIGHT);
			seen.push({tree, ids: flatten(tree).ids});
		}
		// ...are those worked out afresh for each state.
		for (const {tree: state, ids} of seen) expect(ids).toEqual(fresh(state));
		expect(seen).toHaveLength(events.length);
		// The first run closed by default once the second started: its late rows are hidden.
		expect(flatten(tree).ids).toHaveLength(1 + 3);
	});

	it('with a filter, a row that comes to hold the text appears without any new node', () => {
		let tree = setFilter(view(batchRun(12, {running: [5]})), 'surprising', HEIGHT);
		expect(flatten(tree).ids).toHaveLength(0);
		tree = applyEvents(tree, [ev({type: 'call.done', callId: 'c5', response: 'a surprising label', usage: {inputTokens: 1, outputTokens: 1}, ms: 4})], HEIGHT);
		const rows = flatten(tree).ids.map((id) => rowItem(tree.traj, id)!);
		expect(rows.at(-1)).toMatchObject({kind: 'call', index: 5});
	});
});
