// The chat input as the terminal shows it: grapheme clusters (so an emoji or an accented letter is
// one step for the cursor), each drawn as what it looks like (a tab as spaces, a paste placeholder
// as "[pasted 120 lines]"), wrapped into rows of a width. Shared by the editor (Up/Down move by
// rows, the cursor stays on cluster boundaries) and the input box that draws it.
import stringWidth from 'string-width';
import {formatCount} from '../../protocol/numbers.js';
import {printable} from '../../text/printable.js';

const segmenter = new Intl.Segmenter('en', {granularity: 'grapheme'});

/** A pasted text stands in the input as one character from Unicode's plane 15 private use area. */
export const PLACEHOLDER_BASE = 0xf0000;
export const isPlaceholder = (cluster: string) => {
	const code = cluster.codePointAt(0) ?? 0;
	return cluster.length === 2 && code >= PLACEHOLDER_BASE && code <= 0x10fffd;
};

/** The placeholder's label: "[pasted 120 lines]" or "[pasted 5,000 characters]". */
export function pasteLabel(text: string): string {
	// A paste of 50 lines ending in a line break is 50 lines, not 51.
	const lines = text.replace(/\r?\n$/, '').split('\n').length;
	if (lines > 1) return `[pasted ${formatCount(lines)} lines]`;
	return `[pasted ${formatCount(text.length)} characters]`;
}

export const TAB_WIDTH = 4;

/** Boundaries of the grapheme clusters of `text`, as UTF-16 offsets (0 and text.length included). */
export function clusterBounds(text: string): number[] {
	const bounds: number[] = [];
	for (const {index} of segmenter.segment(text)) bounds.push(index);
	bounds.push(text.length);
	return bounds;
}

/** The cluster boundary before `offset` (line breaks are clusters of their own). */
export function prevBoundary(text: string, offset: number): number {
	if (offset <= 0) return 0;
	const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
	if (lineStart === offset) return offset - 1;
	const bounds = clusterBounds(text.slice(lineStart, offset));
	return lineStart + (bounds[bounds.length - 2] ?? 0);
}

/** The cluster boundary after `offset`. */
export function nextBoundary(text: string, offset: number): number {
	if (offset >= text.length) return text.length;
	if (text[offset] === '\n') return offset + 1;
	const lineEnd = text.indexOf('\n', offset);
	const line = text.slice(offset, lineEnd === -1 ? text.length : lineEnd);
	const bounds = clusterBounds(line);
	return offset + (bounds[1] ?? line.length);
}

/** The nearest cluster boundary at or before `offset` (for offsets that may fall inside one). */
export function snapBoundary(text: string, offset: number): number {
	if (offset <= 0) return 0;
	if (offset >= text.length) return text.length;
	const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
	const lineEnd = text.indexOf('\n', offset);
	const bounds = clusterBounds(text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd));
	let best = lineStart;
	for (const bound of bounds) if (lineStart + bound <= offset) best = lineStart + bound;
	return best;
}

/** One cluster as drawn: its text on screen and its width in columns. */
export interface Cell {
	/** Offset of the cluster in the value. */
	start: number;
	end: number;
	shown: string;
	width: number;
	/** A paste placeholder (drawn dim). */
	placeholder: boolean;
}

/**
 * How one cluster is drawn: through `printable`, so an ESC, a C1 control or a bidi override the
 * value holds (a paste keeps them) never reaches the terminal. Zero-width clusters are drawn as
 * nothing (a terminal gives them no cell).
 */
function cellFor(cluster: string, start: number, pastes: ReadonlyMap<string, string>): Cell {
	const end = start + cluster.length;
	if (cluster === '\t') return {start, end, shown: ' '.repeat(TAB_WIDTH), width: TAB_WIDTH, placeholder: false};
	if (isPlaceholder(cluster) && pastes.has(cluster)) {
		const shown = pasteLabel(pastes.get(cluster)!);
		return {start, end, shown, width: shown.length, placeholder: true};
	}
	const shown = printable(cluster);
	const width = stringWidth(shown);
	return {start, end, shown: width === 0 ? '' : shown, width, placeholder: false};
}

export interface InputRow {
	cells: Cell[];
	/** Offset where the row starts and ends (end excludes a line break). */
	start: number;
	end: number;
}

export interface InputLayout {
	rows: InputRow[];
	cursorRow: number;
	/** The cursor's column in its row. */
	cursorColumn: number;
}

/**
 * Wraps the value into rows of at most `width` columns (a cluster wider than the row gets a row of
 * its own). The cursor is placed on the row where it is drawn.
 */
export function layoutInput(value: string, cursor: number, pastes: ReadonlyMap<string, string>, width: number): InputLayout {
	const room = Math.max(1, width);
	const rows: InputRow[] = [];
	let offset = 0;
	for (const line of value.split('\n')) {
		let row: InputRow = {cells: [], start: offset, end: offset};
		let used = 0;
		const bounds = clusterBounds(line);
		for (let i = 0; i + 1 < bounds.length; i++) {
			const cell = cellFor(line.slice(bounds[i], bounds[i + 1]), offset + bounds[i]!, pastes);
			if (used + cell.width > room && row.cells.length > 0) {
				rows.push(row);
				row = {cells: [], start: cell.start, end: cell.start};
				used = 0;
			}
			row.cells.push(cell);
			row.end = cell.end;
			used += cell.width;
		}
		rows.push(row);
		offset += line.length + 1;
	}
	let cursorRow = rows.length - 1;
	for (let r = 0; r < rows.length; r++) {
		const row = rows[r]!;
		const next = rows[r + 1];
		// At a soft wrap the cursor belongs to the next row's start.
		if (cursor >= row.start && (cursor < row.end || (cursor === row.end && !(next && next.start === row.end)))) {
			cursorRow = r;
			break;
		}
	}
	const row = rows[cursorRow]!;
	let cursorColumn = 0;
	for (const cell of row.cells) {
		if (cell.start >= cursor) break;
		cursorColumn += cell.width;
	}
	return {rows, cursorRow, cursorColumn};
}

/** The offset in `row` nearest to display column `column` (for Up and Down). */
export function offsetAtColumn(row: InputRow, column: number): number {
	let used = 0;
	for (const cell of row.cells) {
		if (used + cell.width > column) return cell.start;
		used += cell.width;
	}
	return row.end;
}
