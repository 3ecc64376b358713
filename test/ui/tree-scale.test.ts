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
import {describeBatch} from '../../source/ui/tree-rows.js';

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
		expect(text.preview).toBe('llm_query_batched · 195 ✓ · 3 running · 2 ✗');
		// Following the newest node lands on the batch row, not inside it.
		expect(tree.cursor).toBe(id);
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
