// Small pure text helpers for one-line rows: previews, ANSI-safe fitting, wrapping. Durations,
// token counts and costs are text/units.ts (the command line shows them too).
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import wrapAnsi from 'wrap-ansi';

/** Collapses whitespace (newlines included) to single spaces, for one-line previews. */
export function oneLine(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

/** First non-empty line of a text. */
export function firstLine(text: string): string {
	// Line by line, never a split of the whole text (a reply can be megabytes).
	for (let start = 0; start <= text.length; ) {
		const end = text.indexOf('\n', start);
		const line = text.slice(start, end < 0 ? text.length : end);
		if (line.trim()) return line.trimEnd();
		if (end < 0) break;
		start = end + 1;
	}
	return '';
}

/** Last non-empty line (for streamed text: what is being written now). */
export function lastLine(text: string): string {
	for (let end = text.length; end > 0; ) {
		const start = text.lastIndexOf('\n', end - 1);
		const line = text.slice(start + 1, end);
		if (line.trim()) return line.trimEnd();
		if (start < 0) break;
		end = start;
	}
	return '';
}

/** Strings up to this long keep their measured width (row labels, metas, characters). */
const MEMO_MAX_LENGTH = 256;
const MEMO_ENTRIES = 4096;
const widths = new Map<string, number>();

/**
 * Columns a string takes in a terminal (string-width), remembered for short strings: a row is laid
 * out again whenever it changes, measuring the same labels and metas each time, and any text with
 * a character beyond ASCII ("·", "→", "✓") takes string-width's slow path (grapheme segmentation).
 */
export function displayWidth(text: string): number {
	if (text.length > MEMO_MAX_LENGTH) return stringWidth(text);
	let width = widths.get(text);
	if (width === undefined) {
		width = stringWidth(text);
		if (widths.size >= MEMO_ENTRIES) widths.clear();
		widths.set(text, width);
	}
	return width;
}

/** `text` cut to `width` columns at a word boundary with an ellipsis ("waiting for the…", not
 * "waiting for the fir"); a separator left dangling at the cut (" ·", ",") goes too. A text whose
 * last boundary is in its first half is cut mid-word (clip): a long word keeps most of itself. */
export function clipWords(text: string, width: number): string {
	if (displayWidth(text) <= width) return text;
	const cut = clip(text, width);
	if (width < 8) return cut;
	const head = cut.slice(0, -1);
	// The cut fell on a boundary already: the next character is a space.
	const next = text.charAt(head.length);
	const boundary = next === ' ' ? head.length : head.lastIndexOf(' ');
	if (boundary < head.length / 2) return cut;
	const words = head.slice(0, boundary).replace(/[\s·,;:—–-]+$/u, '');
	return words ? `${words}…` : cut;
}

/** Cuts plain text to a display width, with an ellipsis when cut. */
export function clip(text: string, width: number): string {
	if (width <= 0) return '';
	if (displayWidth(text) <= width) return text;
	if (width === 1) return '…';
	let out = '';
	let used = 0;
	for (const char of text) {
		const w = displayWidth(char);
		if (used + w > width - 1) break;
		out += char;
		used += w;
	}
	// Text already cut (a quoted prompt) keeps its one ellipsis: never "……".
	return out.endsWith('…') ? out : `${out}…`;
}

/** Cuts ANSI-coloured text to a display width (styles kept, nothing wraps), ending a cut with "…". */
export function fitAnsi(text: string, width: number): string {
	if (width <= 0) return '';
	if (displayWidth(text) <= width) return text;
	if (width === 1) return '…';
	const head = wrapAnsi(text, width - 1, {hard: true, trim: false, wordWrap: false}).split('\n')[0] ?? '';
	return /…(?:\u001b\[[0-9;]*m)*$/.test(head) ? head : `${head}…`;
}

const leadingSpace = /^((?:\u001b\[[0-9;]*m)*) /;
const trailingSpace = / (?:\u001b\[[0-9;]*m)*$/;

/**
 * Wraps ANSI text to lines no wider than `width`. Indentation is kept; the space a line was
 * broken at stays at the end of its row, never at the start of the next.
 */
export function wrapLines(text: string, width: number): string[] {
	if (width <= 0) return [];
	const out: string[] = [];
	for (const line of text.split('\n')) {
		if (line === '') {
			out.push('');
			continue;
		}
		const rows = wrapAnsi(line, width, {hard: true, trim: false}).split('\n');
		out.push(rows[0]!);
		for (let index = 1; index < rows.length; index++) {
			// A full row pushes its break space onto the next row, or onto a row of its own.
			const row = trailingSpace.test(rows[index - 1]!) ? rows[index]! : rows[index]!.replace(leadingSpace, '$1');
			if (stripAnsi(row) !== '' || stripAnsi(rows[index]!) === '') out.push(row);
		}
	}
	return out;
}

/**
 * Appends `more` to `lines` one by one. `lines.push(...more)` passes every item as an argument,
 * and a long enough array (about 100,000 items) overflows the stack: a RangeError.
 */
export function append<T>(lines: T[], more: readonly T[]): void {
	for (const line of more) lines.push(line);
}

/** The largest of `values`, or `floor` when larger (a loop: `Math.max(...values)` overflows the stack as push does). */
export function maxOf(values: readonly number[], floor = -Infinity): number {
	let most = floor;
	for (const value of values) if (value > most) most = value;
	return most;
}

// The one sanitiser for untrusted text lives in the text room; the UI draws through it.
export {printable} from '../text/printable.js';

