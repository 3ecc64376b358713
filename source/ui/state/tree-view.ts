// The tree pane's state: the trajectory, expand/collapse overrides, the cursor (a node id, stable
// while rows come and go), follow-newest, a row filter, and the window's first row. All pure; the
// flat row list is memoised per (tree shape, expansion, filter) so cursor moves never re-flatten,
// nor do events that only change what rows hold (a status, a token, usage).
//
// A large batch (llm_query_batched / rlm_query_batched with BATCH_GROUP_MIN slots or more) is
// one row of its own, "batch ×200", collapsed by default. Such a row has no node: its id is
// negative (batchRowId), made from its first slot's id, so it stays stable as slots arrive.
import {emptyTrajectory, getNode, reduceAll, type TrajectoryNode, type TrajectoryState} from '../../trajectory/tree.js';
import type {RlmEvent} from '../../protocol/events.js';
import {BATCH_FOLD_MIN} from '../../protocol/defaults.js';

export interface TreeViewState {
	readonly traj: TrajectoryState;
	/** User overrides of the default expansion, by row id (batch rows included). */
	readonly expanded: ReadonlyMap<number, boolean>;
	/** What rows without an override do: the defaults, or all collapsed / all expanded. */
	readonly baseline: 'default' | 'collapsed' | 'expanded';
	/** Selected row id (-1 when the tree is empty). */
	readonly cursor: number;
	/** Keep the cursor on the newest row until the user moves. */
	readonly follow: boolean;
	/** Index of the first visible row. */
	readonly offset: number;
	/** Only rows whose text holds this (case-insensitive), with their ancestors; '' for all rows. */
	readonly filter: string;
}

export function emptyTreeView(): TreeViewState {
	return {traj: emptyTrajectory(), expanded: new Map(), baseline: 'default', cursor: -1, follow: true, offset: 0, filter: ''};
}

/** Batches with at least this many slots are grouped under one row. */
export const BATCH_GROUP_MIN = BATCH_FOLD_MIN;

export interface BatchRow {
	readonly kind: 'batch';
	/** The row's id (negative). */
	readonly id: number;
	/** The code node the batch ran in. */
	readonly parent: number;
	readonly level: number;
	readonly fn: string;
	/** Slot node ids, in slot order: the slots started so far. */
	readonly members: readonly number[];
	/** The batch's number of prompts, started or not (its slots' batchSize; the members when a log
	 * did not keep it). */
	readonly size: number;
}

/** A batch row's id from its first slot's node id (always below -1, which means "no row"). */
export const batchRowId = (firstMember: number) => -2 - firstMember;
export const isBatchRowId = (id: number) => id <= -2;

interface CodeGroups {
	readonly groups: readonly BatchRow[];
	/** Slot node id -> its batch row. */
	readonly of: ReadonlyMap<number, BatchRow>;
}

const NO_GROUPS: CodeGroups = {groups: [], of: new Map()};
const groupCache = new WeakMap<readonly number[], CodeGroups>();

/** The large batches among a code node's children: runs of slots of one batched function, a new
 * run starting at slot 0; a batch is large by its size, so it is one row from its first slot.
 * Cached per children list: the trajectory makes a new one only when a
 * child is added, and a slot's function and index never change (its status and usage do, often). */
export function batchGroups(traj: TrajectoryState, code: TrajectoryNode): CodeGroups {
	if (code.kind !== 'code' || code.children.length === 0) return NO_GROUPS;
	const cached = groupCache.get(code.children);
	if (cached) return cached;
	const groups: BatchRow[] = [];
	let run: number[] = [];
	let fn = '';
	let last = -1;
	let size = 0;
	const close = () => {
		if (Math.max(run.length, size) >= BATCH_GROUP_MIN) groups.push({kind: 'batch', id: batchRowId(run[0]!), parent: code.id, level: code.level + 1, fn, members: run, size: Math.max(run.length, size)});
		run = [];
		size = 0;
	};
	for (const id of code.children) {
		const node = getNode(traj, id);
		const slot = node?.kind === 'call' && node.fn.endsWith('_batched') ? node : undefined;
		if (!slot || slot.fn !== fn || slot.index <= last) close();
		if (slot) {
			run.push(id);
			fn = slot.fn;
			last = slot.index;
			size = Math.max(size, slot.batchSize ?? 0);
		} else {
			fn = '';
			last = -1;
		}
	}
	close();
	const of = new Map<number, BatchRow>();
	for (const group of groups) for (const member of group.members) of.set(member, group);
	const result: CodeGroups = groups.length > 0 ? {groups, of} : NO_GROUPS;
	groupCache.set(code.children, result);
	return result;
}

/** The batch row a slot is grouped under, if any. */
export function batchOf(traj: TrajectoryState, id: number): BatchRow | undefined {
	const node = getNode(traj, id);
	if (node?.kind !== 'call' || node.parent < 0) return undefined;
	const code = getNode(traj, node.parent);
	return code ? batchGroups(traj, code).of.get(id) : undefined;
}

/** The batch row with this id, found from its first slot. */
export function batchRow(traj: TrajectoryState, id: number): BatchRow | undefined {
	if (!isBatchRowId(id)) return undefined;
	const group = batchOf(traj, -2 - id);
	return group?.id === id ? group : undefined;
}

/** What a row shows: a node, or a batch. */
export type TreeRowItem = TrajectoryNode | BatchRow;

export function rowItem(traj: TrajectoryState, id: number): TreeRowItem | undefined {
	return isBatchRowId(id) ? batchRow(traj, id) : getNode(traj, id);
}

/** The parent row of a row: a grouped slot's parent is its batch row. */
function parentRow(traj: TrajectoryState, id: number): number {
	if (isBatchRowId(id)) return batchRow(traj, id)?.parent ?? -1;
	return batchOf(traj, id)?.id ?? getNode(traj, id)?.parent ?? -1;
}

/** How many slots of a batch are in each state (`queued`: not started yet, while its code runs),
 * and its span of time and tokens. */
export function batchSummary(traj: TrajectoryState, row: BatchRow) {
	let running = 0;
	let done = 0;
	let failed = 0;
	let cancelled = 0;
	let inputTokens = 0;
	let outputTokens = 0;
	let startedAt = Infinity;
	let endedAt = -Infinity;
	for (const id of row.members) {
		const node = getNode(traj, id);
		if (!node) continue;
		if (node.status === 'running') running++;
		else if (node.status === 'done') done++;
		else if (node.status === 'error') failed++;
		else cancelled++;
		inputTokens += node.usage.inputTokens;
		outputTokens += node.usage.outputTokens;
		startedAt = Math.min(startedAt, node.startedAt);
		if (node.endedAt !== undefined) endedAt = Math.max(endedAt, node.endedAt);
	}
	// Slots that never started once the code is over (it was stopped) are not waiting for anything.
	const queued = getNode(traj, row.parent)?.status === 'running' ? row.size - row.members.length : 0;
	const busy = running + queued;
	return {running, queued, done, failed, cancelled, usage: {inputTokens, outputTokens}, startedAt, ...(busy === 0 && endedAt > -Infinity ? {ms: Math.max(0, endedAt - startedAt)} : {})};
}

export interface FlatRows {
	/** Row ids in display order (node ids, and negative batch row ids). */
	readonly ids: readonly number[];
	/** Row index of a row id, or -1 when hidden. */
	rowOf(id: number): number;
}

/** Earlier turns start collapsed; so do large batches; everything else starts expanded. */
export function defaultExpanded(node: TreeRowItem, traj: TrajectoryState): boolean {
	if (node.kind === 'batch') return false;
	if (node.kind === 'run' && node.parent < 0) return node.id === traj.roots[traj.roots.length - 1];
	return true;
}

export function isExpanded(view: Pick<TreeViewState, 'traj' | 'expanded'> & Partial<Pick<TreeViewState, 'baseline'>>, node: TreeRowItem): boolean {
	const override = view.expanded.get(node.id);
	if (override !== undefined) return override;
	if (view.baseline === 'collapsed') return false;
	if (view.baseline === 'expanded') return true;
	return defaultExpanded(node, view.traj);
}

/** Whether the row has rows under it (a blank thinking makes none). */
export function hasChildRows(traj: TrajectoryState, item: TreeRowItem): boolean {
	if (item.kind === 'batch') return item.members.length > 0;
	return item.children.some((id) => !blankThinking(getNode(traj, id)));
}

type FlattenInput = Pick<TreeViewState, 'traj' | 'expanded'> & Partial<Pick<TreeViewState, 'baseline' | 'filter'>>;
let cache: {traj: TrajectoryState; expanded: ReadonlyMap<number, boolean>; baseline: string; filter: string; rows: FlatRows} | undefined;

/**
 * A key per tree shape, by node vector: a trajectory reduced from another without a node being
 * made shares its key. Children lists change only when a node is added, so which rows there are
 * stays; only what they hold (a status, a token, usage) changed.
 */
const shapes = new WeakMap<object, object>();
function shapeKey(traj: TrajectoryState): object {
	let key = shapes.get(traj.nodes);
	if (!key) shapes.set(traj.nodes, (key = {}));
	return key;
}

/** The visible rows: a depth-first walk that skips collapsed subtrees (O(visible rows)); with a
 * filter, every row that matches and its ancestors (O(nodes)). */
export function flatten(view: FlattenInput): FlatRows {
	const baseline = view.baseline ?? 'default';
	const filter = view.filter ?? '';
	if (cache && cache.traj.roots === view.traj.roots && cache.expanded === view.expanded && cache.baseline === baseline && cache.filter === filter) {
		if (cache.traj.nodes === view.traj.nodes) return cache.rows;
		// What rows hold changed, not which rows there are (with a filter, what matches may have).
		if (!filter && shapeKey(cache.traj) === shapeKey(view.traj)) {
			cache = {...cache, traj: view.traj};
			return cache.rows;
		}
	}
	const {traj} = view;
	const keep = filter ? matching(traj, filter) : undefined;
	const ids: number[] = [];
	const nodeRows = new Int32Array(traj.nodes.size).fill(-1);
	const batchRows = new Map<number, number>();
	const stack: number[] = [];
	for (let i = traj.roots.length - 1; i >= 0; i--) if (!keep || keep[traj.roots[i]!]) stack.push(traj.roots[i]!);
	const open = (item: TreeRowItem) => {
		if (keep) return true;
		const override = view.expanded.get(item.id);
		if (override !== undefined) return override;
		return baseline === 'default' ? defaultExpanded(item, traj) : baseline === 'expanded';
	};
	while (stack.length > 0) {
		const id = stack.pop()!;
		if (isBatchRowId(id)) {
			const row = batchRow(traj, id)!;
			batchRows.set(id, ids.length);
			ids.push(id);
			if (open(row)) for (let i = row.members.length - 1; i >= 0; i--) if (!keep || keep[row.members[i]!]) stack.push(row.members[i]!);
			continue;
		}
		const node = getNode(traj, id)!;
		nodeRows[id] = ids.length;
		ids.push(id);
		if (node.children.length === 0 || !open(node)) continue;
		const {of} = batchGroups(traj, node);
		const children = node.children;
		for (let i = children.length - 1; i >= 0; i--) {
			const child = children[i]!;
			if ((keep && !keep[child]) || blankThinking(getNode(traj, child))) continue;
			const group = of.get(child);
			if (!group) stack.push(child);
			else if (firstShown(group, keep) === child) stack.push(group.id);
		}
	}
	const rows: FlatRows = {
		ids,
		rowOf: (id: number) => (isBatchRowId(id) ? (batchRows.get(id) ?? -1) : id >= 0 && id < nodeRows.length ? nodeRows[id]! : -1),
	};
	cache = {traj: view.traj, expanded: view.expanded, baseline, filter, rows};
	return rows;
}

/**
 * A thinking with nothing in it gets no row: Qwen3 with thinking off still writes an empty
 * `<think>\n\n</think>` before every reply. Its row appears once a visible character streams in.
 */
const blankThinking = (node: TrajectoryNode | undefined) => node?.kind === 'reasoning' && !/\S/.test(node.text);

/** The batch's first slot that is shown (all of them without a filter). */
function firstShown(group: BatchRow, keep: Uint8Array | undefined): number | undefined {
	if (!keep) return group.members[0];
	return group.members.find((id) => keep[id]);
}

const textCache = new WeakMap<TrajectoryNode, string>();

/** The words a row is found by: its kind, model, function and every text it holds. */
export function searchText(node: TrajectoryNode): string {
	const cached = textCache.get(node);
	if (cached !== undefined) return cached;
	const parts: string[] = [node.kind, node.status];
	switch (node.kind) {
		case 'run':
			parts.push(node.model, node.question, node.answer ?? '', node.error ?? '', node.runStatus ?? '');
			break;
		case 'iteration':
			parts.push(`iteration ${node.iteration}`);
			break;
		case 'reply':
		case 'reasoning':
			parts.push(node.text);
			break;
		case 'code':
			parts.push(node.code, node.error ?? '', node.limit ?? '');
			break;
		case 'output':
			parts.push(node.text, node.error ?? '');
			break;
		case 'call':
			parts.push(node.fn, node.model, node.prompt, node.response, node.error ?? '');
			break;
		case 'notice':
			parts.push(node.noticeLevel, node.code, node.message);
			break;
	}
	const text = parts.join('\n').toLowerCase();
	textCache.set(node, text);
	return text;
}

/** 1 for each node that matches the filter or has a descendant that does. Parents are always
 * created before their children, so one pass from the newest id up settles every ancestor. */
function matching(traj: TrajectoryState, filter: string): Uint8Array {
	const needle = filter.toLowerCase();
	const keep = new Uint8Array(traj.nodes.size);
	for (let id = traj.nodes.size - 1; id >= 0; id--) {
		const node = getNode(traj, id)!;
		if (!keep[id] && searchText(node).includes(needle)) keep[id] = 1;
		if (keep[id] && node.parent >= 0) keep[node.parent] = 1;
	}
	return keep;
}

/** The nearest ancestor-or-self row of `id` that is visible. */
function visibleAncestor(view: TreeViewState, rows: FlatRows, id: number): number {
	let current = id;
	while (current !== -1) {
		if (rows.rowOf(current) >= 0) return current;
		current = parentRow(view.traj, current);
	}
	return rows.ids[0] ?? -1;
}

/** Keeps the offset such that the cursor is inside a window of `height` rows. */
function scrolled(view: TreeViewState, height: number): TreeViewState {
	const rows = flatten(view);
	const total = rows.ids.length;
	const index = Math.max(0, rows.rowOf(view.cursor));
	let offset = view.offset;
	if (index < offset) offset = index;
	if (index >= offset + height) offset = index - height + 1;
	offset = Math.max(0, Math.min(offset, Math.max(0, total - height)));
	return offset === view.offset ? view : {...view, offset};
}

/** The cursor on a visible row (after the rows changed under it). */
function settled(view: TreeViewState, height: number): TreeViewState {
	const rows = flatten(view);
	if (rows.rowOf(view.cursor) >= 0) return scrolled(view, height);
	return scrolled({...view, cursor: visibleAncestor(view, rows, view.cursor >= 0 || isBatchRowId(view.cursor) ? view.cursor : 0)}, height);
}

export function applyEvents(view: TreeViewState, events: readonly RlmEvent[], height: number): TreeViewState {
	if (events.length === 0) return view;
	const traj = reduceAll(events, view.traj);
	if (traj === view.traj) return view;
	if (traj.nodes.size === view.traj.nodes.size) shapes.set(traj.nodes, shapeKey(view.traj));
	let next: TreeViewState = {...view, traj};
	const rows = flatten(next);
	if (next.follow && traj.newest >= 0) next = {...next, cursor: visibleAncestor(next, rows, traj.newest)};
	else if (rows.rowOf(next.cursor) < 0) next = {...next, cursor: visibleAncestor(next, rows, next.cursor >= 0 || isBatchRowId(next.cursor) ? next.cursor : 0)};
	return scrolled(next, height);
}

export type TreeMove = 'up' | 'down' | 'page-up' | 'page-down' | 'top' | 'bottom';

export function moveCursor(view: TreeViewState, move: TreeMove, height: number): TreeViewState {
	const rows = flatten(view);
	if (rows.ids.length === 0) return view;
	const last = rows.ids.length - 1;
	const index = Math.max(0, rows.rowOf(view.cursor));
	const target = {
		up: index - 1,
		down: index + 1,
		'page-up': index - Math.max(1, height - 1),
		'page-down': index + Math.max(1, height - 1),
		top: 0,
		bottom: last,
	}[move];
	const clamped = Math.max(0, Math.min(last, target));
	// G (bottom) resumes following the newest row; any other move stops it.
	return scrolled({...view, cursor: rows.ids[clamped]!, follow: move === 'bottom'}, height);
}

function setExpanded(view: TreeViewState, id: number, value: boolean): TreeViewState {
	const item = rowItem(view.traj, id);
	if (!item) return view;
	const expanded = new Map(view.expanded);
	const base = view.baseline === 'default' ? defaultExpanded(item, view.traj) : view.baseline === 'expanded';
	if (base === value) expanded.delete(id);
	else expanded.set(id, value);
	return {...view, expanded};
}

/** Right / l: expand a collapsed row, or step into an expanded one. */
export function expandOrEnter(view: TreeViewState, height: number): TreeViewState {
	const item = rowItem(view.traj, view.cursor);
	if (!item || !hasChildRows(view.traj, item)) return {...view, follow: false};
	if (!isExpanded(view, item) && !view.filter) return scrolled({...setExpanded(view, item.id, true), follow: false}, height);
	const rows = flatten(view);
	const below = rows.ids[rows.rowOf(view.cursor) + 1];
	if (below === undefined || parentRow(view.traj, below) !== item.id) return {...view, follow: false};
	return scrolled({...view, cursor: below, follow: false}, height);
}

/** Left / h: collapse an expanded row, or go to the parent row. */
export function collapseOrParent(view: TreeViewState, height: number): TreeViewState {
	const item = rowItem(view.traj, view.cursor);
	if (!item) return view;
	if (hasChildRows(view.traj, item) && isExpanded(view, item) && !view.filter) {
		return scrolled({...setExpanded(view, item.id, false), follow: false}, height);
	}
	const parent = parentRow(view.traj, item.id);
	if (parent === -1) return {...view, follow: false};
	return scrolled({...view, cursor: parent, follow: false}, height);
}

/** Enter: expand a collapsed row with children; otherwise the caller opens the detail view. */
export function enterWouldExpand(view: TreeViewState): boolean {
	const item = rowItem(view.traj, view.cursor);
	return Boolean(item && hasChildRows(view.traj, item) && !isExpanded(view, item) && !view.filter);
}

export function expandCursor(view: TreeViewState, height: number): TreeViewState {
	return scrolled({...setExpanded(view, view.cursor, true), follow: false}, height);
}

/** Collapses (or expands) every row; the cursor stays on its row or the nearest shown ancestor. */
export function setAllExpanded(view: TreeViewState, expand: boolean, height: number): TreeViewState {
	return settled({...view, expanded: new Map(), baseline: expand ? 'expanded' : 'collapsed', follow: false}, height);
}

/** Every node in display order with nothing collapsed (grouped slots in place). */
function allInOrder(traj: TrajectoryState): number[] {
	const out: number[] = [];
	const stack: number[] = [];
	for (let i = traj.roots.length - 1; i >= 0; i--) stack.push(traj.roots[i]!);
	while (stack.length > 0) {
		const id = stack.pop()!;
		out.push(id);
		const children = getNode(traj, id)!.children;
		for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
	}
	return out;
}

export type JumpTarget = 'error' | 'running';

/** Whether a node is what a jump looks for: a failed node; a running node with no running child
 * (where the work is happening, not the runs and iterations around it). */
function isTarget(traj: TrajectoryState, node: TrajectoryNode, target: JumpTarget): boolean {
	if (target === 'error') return node.status === 'error';
	if (node.status !== 'running') return false;
	return !node.children.some((id) => getNode(traj, id)?.status === 'running');
}

/**
 * Moves the cursor to the next (or previous) failed or running node after the cursor, wrapping
 * around, and opens what hides it. Returns the view unchanged (and `found: false`) when there is none.
 */
export function jumpTo(view: TreeViewState, target: JumpTarget, direction: 1 | -1, height: number): {view: TreeViewState; found: boolean} {
	const order = allInOrder(view.traj);
	if (order.length === 0) return {view, found: false};
	const from = isBatchRowId(view.cursor) ? (batchRow(view.traj, view.cursor)?.members[0] ?? -1) : view.cursor;
	const at = order.indexOf(from);
	for (let step = 1; step <= order.length; step++) {
		const id = order[(((at + direction * step) % order.length) + order.length) % order.length]!;
		const node = getNode(view.traj, id)!;
		if (!isTarget(view.traj, node, target) || (view.filter && !searchText(node).includes(view.filter.toLowerCase()))) continue;
		if (id === from) break;
		return {view: reveal(view, id, height), found: true};
	}
	return {view, found: false};
}

/** Opens every collapsed row above a node and puts the cursor on it. */
export function reveal(view: TreeViewState, id: number, height: number): TreeViewState {
	let next: TreeViewState = {...view, follow: false};
	let current = parentRow(view.traj, id);
	while (current !== -1) {
		const item = rowItem(view.traj, current);
		if (item && !isExpanded(next, item)) next = setExpanded(next, current, true);
		current = parentRow(view.traj, current);
	}
	return scrolled({...next, cursor: id}, height);
}

/** Shows only rows that hold `filter` (and their ancestors); '' shows every row again. */
export function setFilter(view: TreeViewState, filter: string, height: number): TreeViewState {
	if (filter === view.filter) return view;
	const next: TreeViewState = {...view, filter, offset: 0};
	const rows = flatten(next);
	if (rows.rowOf(next.cursor) >= 0) return scrolled(next, height);
	// The cursor's row is filtered out: the first match.
	return scrolled({...next, cursor: rows.ids.find((id) => !isBatchRowId(id) && searchText(getNode(view.traj, id)!).includes(filter.toLowerCase())) ?? rows.ids[0] ?? -1, follow: false}, height);
}

export function resized(view: TreeViewState, height: number): TreeViewState {
	return scrolled(view, height);
}
