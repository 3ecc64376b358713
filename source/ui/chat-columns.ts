// Rows of plain cells a command shows in the chat (the /settings view), laid out for the width the
// chat pane has when it draws them: aligned columns at their natural width when that fits; else
// the first column (the names) kept whole and the others narrowed, their cells wrapped inside
// their column; else, when that cannot fit or would leave a column too narrow to read (a model id
// or a URL cut every 13 columns), one block per row (the name, then the other cells under it).
// Cells wrap at spaces, and a word too long for its line at a comma, slash or the like before it
// is cut mid-word. A command cannot pad its text itself: it does not know the pane's width, and
// the terminal may be resized after.
import {append, displayWidth, maxOf} from './format.js';
import {fitColumns} from './markdown-table.js';

/** Cells in a row are this many spaces apart. */
const GAP = 2;
/** A narrowed column is never made narrower than its longest word, up to this many columns. */
const READABLE_WORD = 12;
/** A column narrowed below this many columns reads worse than one block per row. */
const READABLE_COLUMN = 24;
/** Where a word too long for a line is best broken: after one of these. */
const BREAK_AFTER = new Set([',', ';', '/', '?', '&', '=', '-', '_', ':', '.', '|', '+']);

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
	if (!widths || widths.some((w, column) => column > 0 && w < natural[column]! && w < READABLE_COLUMN)) return rowBlocks(rows, width);
	const out: string[] = [];
	for (const row of rows) {
		const cells = widths.map((w, column) => (w === 0 ? [''] : wrapCell(cell(row, column), w)));
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
		append(out, wrapCell(first, width));
		const cells = rest.filter((text) => text !== '');
		const room = Math.max(1, width - 2);
		// The other cells on one line if they fit; else each on lines of its own, the later ones
		// after a dot as on one line (a source never split across the value's last line).
		const others = displayWidth(cells.join(' · ')) <= room ? [cells.join(' · ')] : cells.map((text, index) => (index === 0 ? text : `· ${text}`));
		for (const text of others) append(out, wrapCell(text, room).map((line) => `  ${line}`));
	}
	return out;
}

/** A one-line cell as lines no wider than `width`: broken at spaces; a word longer than a line
 * starts its own and is broken after a comma, slash or the like (`llama3.1:70b-` / `instruct`,
 * `https://host/` / `v1`), mid-word only where it has none in reach. */
export function wrapCell(text: string, width: number): string[] {
	if (displayWidth(text) <= width) return [text];
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		const joined = line ? `${line} ${word}` : word;
		if (displayWidth(joined) <= width) {
			line = joined;
			continue;
		}
		if (line) lines.push(line);
		line = '';
		let rest = word;
		while (displayWidth(rest) > width) {
			const [head, tail] = splitWord(rest, width);
			lines.push(head);
			rest = tail;
		}
		line = rest;
	}
	if (line || lines.length === 0) lines.push(line);
	return lines;
}

/** A word's first part no wider than `width`, broken after the last break character past a third of
 * the width (else cut at the width), and the rest. */
function splitWord(word: string, width: number): [string, string] {
	const chars = [...word];
	let used = 0;
	let cut = 0;
	let breakAt = 0;
	for (const [index, char] of chars.entries()) {
		const w = displayWidth(char);
		if (used + w > width) break;
		used += w;
		cut = index + 1;
		if (BREAK_AFTER.has(char) && used > width / 3 && index + 1 < chars.length) breakAt = index + 1;
	}
	const at = breakAt || Math.max(1, cut);
	return [chars.slice(0, at).join(''), chars.slice(at).join('')];
}
