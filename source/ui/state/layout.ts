// Pure layout: where everything goes for a terminal size. Used by the reducer (windowing, paging)
// and by the components, so both always agree. The root is one row shorter than the terminal
// (a frame exactly `rows` tall makes Ink 6 clear the screen on every update).

export interface Size {
	columns: number;
	rows: number;
}

export interface PaneBox {
	width: number;
	height: number;
	/** Inside the border. */
	innerWidth: number;
	innerHeight: number;
}

export interface Layout {
	columns: number;
	/** Height of the root box (rows - 1). */
	height: number;
	stacked: boolean;
	/** Height of the area above the status line. */
	mainHeight: number;
	chat: PaneBox;
	tree: PaneBox;
	/** Tree rows visible at once. */
	treeRows: number;
	/** Chat history lines visible above the input. */
	chatRows: number;
	/** The full-size overlay (detail view, model picker, help). */
	overlay: PaneBox;
	/** Text lines visible in the overlay body (title in the border, one footer line). */
	overlayRows: number;
}

/** Below this width the panes stack (chat above, tree below). */
export const SIDE_BY_SIDE_MIN_COLUMNS = 100;
/**
 * Side by side, the tree takes a little over half up to this width; the chat gets the rest, so
 * a wide terminal widens the answers (tables, code), not the tree's one-line rows. 84 columns
 * hold a row four levels deep with its title, a preview, and its time and tokens.
 */
export const TREE_MAX_COLUMNS = 84;
const TREE_MIN_COLUMNS = 54;

const box = (width: number, height: number): PaneBox => ({
	width,
	height,
	innerWidth: Math.max(1, width - 2),
	innerHeight: Math.max(1, height - 2),
});

export function computeLayout(size: Size): Layout {
	const columns = Math.max(20, Math.floor(size.columns || 80));
	const height = Math.max(6, Math.floor(size.rows || 24) - 1);
	const mainHeight = height - 1;
	const stacked = columns < SIDE_BY_SIDE_MIN_COLUMNS;
	let chat: PaneBox;
	let tree: PaneBox;
	if (stacked) {
		const treeHeight = Math.max(3, Math.floor(mainHeight * 0.42));
		chat = box(columns, mainHeight - treeHeight);
		tree = box(columns, treeHeight);
	} else {
		const treeWidth = Math.min(TREE_MAX_COLUMNS, Math.max(TREE_MIN_COLUMNS, Math.floor(columns * 0.54)));
		chat = box(columns - treeWidth, mainHeight);
		tree = box(treeWidth, mainHeight);
	}
	const overlay = box(columns, mainHeight);
	return {
		columns,
		height,
		stacked,
		mainHeight,
		chat,
		tree,
		treeRows: Math.max(1, tree.innerHeight),
		// One input line and one rule line under the history.
		chatRows: Math.max(1, chat.innerHeight - 2),
		overlay,
		overlayRows: Math.max(1, overlay.innerHeight - 1),
	};
}

/** Columns of text in one row of the chat input (pane padding, the "› " prompt and the cursor's cell taken off). */
export const inputWidth = (layout: Layout) => Math.max(1, layout.chat.innerWidth - 1 - 2 - 1);

/** The chat input grows up to this many rows, then scrolls. */
export const inputMaxRows = (layout: Layout) => Math.max(1, Math.min(10, Math.floor(layout.chat.innerHeight * 0.4)));
