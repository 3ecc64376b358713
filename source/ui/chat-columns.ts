// Rows of plain cells a command shows in the chat (the /settings view), laid out for the width the
// chat pane has when it draws them: aligned columns at their natural width when that fits; else
// the first column (the names) kept whole and the others narrowed, their cells wrapped inside
// their column; else, when even that cannot fit, one block per row (the name, then the other cells
// under it). A command cannot pad its text itself: it does not know the pane's width, and the
// terminal may be resized after.
import {append, displayWidth, maxOf, wrapLines} from './format.js';
import {fitColumns} from './markdown-table.js';

/** Cells in a row are this many spaces apart. */
const GAP = 2;
/** A narrowed column is never made narrower than its longest word, up to this many columns. */
const READABLE_WORD = 12;

const longestWord = (text: string) => maxOf(text.split(/\s+/).map(displayWidth), 0);
const padTo = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

/** Lines no wider than `width` showing `rows` (cells are plain, printable, one line each). */
export function columnLines(rows: readonly (readonly string[])[], width: number): string[] {
	const columns = maxOf(rows.map((row) => row.length), 0);
	if (columns === 0 || width <= 0) return [];
	const cell = (row: readonly string[], column: number) => row[column] ?? '';
	const natural = Array.from({length: columns}, (_, column) => maxOf(rows.map((row) => displayWidth(cell(row, column))), 0));
	const minimum = natural.map((most, column) => (column === 0 ? most : Math.min(most, Math.max(1, Math.min(READABLE_WORD, maxOf(rows.map((row) => longestWord(cell(row, column))), 0))))));
	const widths = fitColumns(natural, minimum, width - GAP * (columns - 1));
	if (!widths) return rowBlocks(rows, width);
	const out: string[] = [];
	for (const row of rows) {
		const cells = widths.map((w, column) => (w === 0 ? [''] : wrapLines(cell(row, column), w)));
		const height = maxOf(cells.map((lines) => lines.length), 1);
		for (let line = 0; line < height; line++) {
			const parts = widths.map((w, column) => padTo(cells[column]![line] ?? '', w));
			out.push(parts.join(' '.repeat(GAP)).trimEnd());
		}
	}
	return out;
}

/** The narrowest form: each row's first cell on a line, the others after it, indented. */
function rowBlocks(rows: readonly (readonly string[])[], width: number): string[] {
	const out: string[] = [];
	for (const [first = '', ...rest] of rows) {
		append(out, wrapLines(first, width));
		const others = rest.filter((text) => text !== '').join(' · ');
		if (others) append(out, wrapLines(others, Math.max(1, width - 2)).map((line) => `  ${line}`));
	}
	return out;
}
