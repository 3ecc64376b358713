// A Markdown table fitted to a width: at its natural size when that fits; else its wide columns
// narrowed (cells wrapped inside their column, short columns kept whole); else, when even words
// cut to a readable minimum cannot fit, one block per row ("Header: value" lines) instead.
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import wrapAnsi from 'wrap-ansi';
import {append, maxOf} from './format.js';

export interface TableSource {
	/** ANSI text of each header cell; `\n` is a line break inside the cell. */
	header: readonly string[];
	rows: readonly (readonly string[])[];
	align: readonly ('left' | 'right' | 'center' | null)[];
}

export interface TablePaint {
	border: (text: string) => string;
	strong: (text: string) => string;
}

/** A column narrower than its longest word (up to this many columns) cuts words: list form instead. */
const READABLE_WORD = 12;

const cellLines = (text: string) => text.split('\n');
const widest = (lines: readonly string[]) => lines.reduce((max, line) => Math.max(max, stringWidth(line)), 0);
const longestWord = (text: string) => stripAnsi(text).split(/\s+/).reduce((max, word) => Math.max(max, stringWidth(word)), 0);

function wrapCell(text: string, width: number): string[] {
	const out: string[] = [];
	for (const line of cellLines(text)) append(out, line.trim() === '' ? [''] : wrapAnsi(line, width, {hard: true, trim: true}).split('\n'));
	return out;
}

/** Wraps `text` at `width - rest`: its first line indented `first` columns, the others `rest`. */
function wrapHanging(text: string, width: number, first: number, rest: number): string[] {
	return wrapCell(text, Math.max(1, width - rest)).map((line, index) => ' '.repeat(index === 0 ? first : rest) + line);
}

function pad(text: string, width: number, align: 'left' | 'right' | 'center' | null): string {
	const room = Math.max(0, width - stringWidth(text));
	if (align === 'right') return ' '.repeat(room) + text;
	if (align === 'center') return ' '.repeat(Math.floor(room / 2)) + text + ' '.repeat(room - Math.floor(room / 2));
	return text + ' '.repeat(room);
}

/**
 * Column widths that fit `available`: each column gets its readable minimum, then what is left is
 * shared out (max-min fair) among the columns that want more. Undefined when the minimums do not fit.
 */
export function fitColumns(natural: readonly number[], minimum: readonly number[], available: number): number[] | undefined {
	const total = natural.reduce((sum, w) => sum + w, 0);
	if (total <= available) return [...natural];
	const floor = minimum.reduce((sum, w) => sum + w, 0);
	if (floor > available) return undefined;
	const widths = [...minimum];
	let left = available - floor;
	const wanting = natural.map((_, index) => index).sort((a, b) => natural[a]! - minimum[a]! - (natural[b]! - minimum[b]!));
	wanting.forEach((column, rank) => {
		const share = Math.floor(left / (wanting.length - rank));
		const give = Math.min(natural[column]! - minimum[column]!, share);
		widths[column]! += give;
		left -= give;
	});
	// Rounding leftovers, one column each, to the widest still short of its natural width.
	for (const column of [...wanting].reverse()) {
		if (left === 0) break;
		if (widths[column]! < natural[column]!) {
			widths[column]!++;
			left--;
		}
	}
	return widths;
}

/** Lines no wider than `width`: a boxed table, or one block per row when no table fits. */
export function renderTable(source: TableSource, width: number, paint: TablePaint): string[] {
	const columns = maxOf(source.rows.map((row) => row.length), source.header.length);
	if (columns === 0) return [];
	const cell = (row: readonly string[], column: number) => row[column] ?? '';
	const all = [source.header, ...source.rows];
	const natural = Array.from({length: columns}, (_, column) => maxOf(all.map((row) => widest(cellLines(cell(row, column)))), 1));
	const minimum = natural.map((w, column) => Math.min(w, Math.max(2, Math.min(READABLE_WORD, maxOf(all.map((row) => longestWord(cell(row, column))))))));
	// Borders: "│ " + cells joined by " │ " + " │".
	const widths = fitColumns(natural, minimum, width - (3 * columns + 1));
	if (!widths) return rowBlocks(source, columns, width, paint);

	const rule = (left: string, middle: string, right: string) =>
		paint.border(left + widths.map((w) => '─'.repeat(w + 2)).join(middle) + right);
	const bar = paint.border('│');
	const line = (row: readonly string[], strong: boolean): string[][] => {
		const cells = widths.map((w, column) => wrapCell(cell(row, column), w));
		const height = maxOf(cells.map((lines) => lines.length));
		return Array.from({length: height}, (_, index) =>
			widths.map((w, column) => {
				const text = pad(cells[column]![index] ?? '', w, source.align[column] ?? null);
				return strong ? paint.strong(text) : text;
			}),
		);
	};
	const draw = (cells: string[][]) => cells.map((parts) => `${bar} ${parts.join(` ${bar} `)} ${bar}`);
	const body = source.rows.map((row) => line(row, false));
	// Rules between rows only when some row wraps, so that a row's lines read as one row.
	const ruled = body.some((rowLines) => rowLines.length > 1);
	const out = [rule('┌', '┬', '┐'), ...draw(line(source.header, true)), rule('├', '┼', '┤')];
	body.forEach((rowLines, index) => {
		if (index > 0 && ruled) out.push(rule('├', '┼', '┤'));
		append(out, draw(rowLines));
	});
	out.push(rule('└', '┴', '┘'));
	return out;
}

/** The list form: each row's first cell as its title, then "Header: value" for the others. */
function rowBlocks(source: TableSource, columns: number, width: number, paint: TablePaint): string[] {
	const out: string[] = [];
	source.rows.forEach((row, index) => {
		if (index > 0) out.push('');
		append(out, wrapCell(paint.strong(row[0] || '—'), width));
		for (let column = 1; column < columns; column++) {
			const label = stripAnsi(source.header[column] ?? '').trim() || `column ${column + 1}`;
			const value = (row[column] ?? '').replace(/\n/g, ' ');
			append(out, wrapHanging(`${paint.strong(`${label}:`)} ${value}`, width, 2, 4));
		}
	});
	return out;
}
