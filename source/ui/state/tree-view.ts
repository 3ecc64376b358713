// The tree pane's state: the trajectory, expand/collapse overrides, the cursor (a node id, stable
// while rows come and go), follow-newest, and the window's first row. All pure; the flat row list
// is memoised per (tree, expansion) so cursor moves never re-flatten.
import {emptyTrajectory, getNode, reduceAll, type TrajectoryNode, type TrajectoryState} from '../../trajectory/tree.js';
import type {RlmEvent} from '../../protocol/events.js';

export interface TreeViewState {
	readonly traj: TrajectoryState;
	/** User overrides of the default expansion, by node id. */
	readonly expanded: ReadonlyMap<number, boolean>;
	/** Selected node id (-1 when the tree is empty). */
	readonly cursor: number;
	/** Keep the cursor on the newest row until the user moves. */
	readonly follow: boolean;
	/** Index of the first visible row. */
	readonly offset: number;
}

export function emptyTreeView(): TreeViewState {
	return {traj: emptyTrajectory(), expanded: new Map(), cursor: -1, follow: true, offset: 0};
}

export interface FlatRows {
	/** Node ids in display order. */
	readonly ids: readonly number[];
	/** Row index of a node id, or -1 when hidden. */
	rowOf(id: number): number;
}

/** Earlier turns start collapsed; everything else starts expanded. */
export function defaultExpanded(node: TrajectoryNode, traj: TrajectoryState): boolean {
	if (node.kind === 'run' && node.parent < 0) return node.id === traj.roots[traj.roots.length - 1];
	return true;
}

export function isExpanded(view: Pick<TreeViewState, 'traj' | 'expanded'>, node: TrajectoryNode): boolean {
	return view.expanded.get(node.id) ?? defaultExpanded(node, view.traj);
}

let cache: {traj: TrajectoryState; expanded: ReadonlyMap<number, boolean>; rows: FlatRows} | undefined;

/** The visible rows: a depth-first walk that skips collapsed subtrees. O(visible rows). */
export function flatten(view: Pick<TreeViewState, 'traj' | 'expanded'>): FlatRows {
	if (cache && cache.traj.nodes === view.traj.nodes && cache.traj.roots === view.traj.roots && cache.expanded === view.expanded) {
		return cache.rows;
	}
	const {traj} = view;
	const ids: number[] = [];
	const rowIndex = new Int32Array(traj.nodes.size).fill(-1);
	const stack: number[] = [];
	for (let i = traj.roots.length - 1; i >= 0; i--) stack.push(traj.roots[i]!);
	while (stack.length > 0) {
		const id = stack.pop()!;
		const node = getNode(traj, id)!;
		rowIndex[id] = ids.length;
		ids.push(id);
		if (node.children.length > 0 && isExpanded(view, node)) {
			for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
		}
	}
	const rows: FlatRows = {ids, rowOf: (id: number) => (id >= 0 && id < rowIndex.length ? rowIndex[id]! : -1)};
	cache = {traj: view.traj, expanded: view.expanded, rows};
	return rows;
}

/** The nearest ancestor-or-self of `id` that is visible. */
function visibleAncestor(view: TreeViewState, rows: FlatRows, id: number): number {
	let current = id;
	while (current >= 0) {
		if (rows.rowOf(current) >= 0) return current;
		current = getNode(view.traj, current)?.parent ?? -1;
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

export function applyEvents(view: TreeViewState, events: readonly RlmEvent[], height: number): TreeViewState {
	if (events.length === 0) return view;
	const traj = reduceAll(events, view.traj);
	if (traj === view.traj) return view;
	let next: TreeViewState = {...view, traj};
	const rows = flatten(next);
	if (next.follow && traj.newest >= 0) next = {...next, cursor: visibleAncestor(next, rows, traj.newest)};
	else if (rows.rowOf(next.cursor) < 0) next = {...next, cursor: visibleAncestor(next, rows, next.cursor >= 0 ? next.cursor : 0)};
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
	const expanded = new Map(view.expanded);
	const node = getNode(view.traj, id)!;
	if (defaultExpanded(node, view.traj) === value) expanded.delete(id);
	else expanded.set(id, value);
	return {...view, expanded};
}

/** Right / l: expand a collapsed node, or step into an expanded one. */
export function expandOrEnter(view: TreeViewState, height: number): TreeViewState {
	const node = getNode(view.traj, view.cursor);
	if (!node || node.children.length === 0) return {...view, follow: false};
	if (!isExpanded(view, node)) return scrolled({...setExpanded(view, node.id, true), follow: false}, height);
	return scrolled({...view, cursor: node.children[0]!, follow: false}, height);
}

/** Left / h: collapse an expanded node, or go to the parent. */
export function collapseOrParent(view: TreeViewState, height: number): TreeViewState {
	const node = getNode(view.traj, view.cursor);
	if (!node) return view;
	if (node.children.length > 0 && isExpanded(view, node)) {
		return scrolled({...setExpanded(view, node.id, false), follow: false}, height);
	}
	if (node.parent < 0) return {...view, follow: false};
	return scrolled({...view, cursor: node.parent, follow: false}, height);
}

/** Enter: expand a collapsed node with children; otherwise the caller opens the detail view. */
export function enterWouldExpand(view: TreeViewState): boolean {
	const node = getNode(view.traj, view.cursor);
	return Boolean(node && node.children.length > 0 && !isExpanded(view, node));
}

export function expandCursor(view: TreeViewState, height: number): TreeViewState {
	return scrolled({...setExpanded(view, view.cursor, true), follow: false}, height);
}

export function resized(view: TreeViewState, height: number): TreeViewState {
	return scrolled(view, height);
}
