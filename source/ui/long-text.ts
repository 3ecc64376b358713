// The most of one text the chat or the detail view lays out. An answer can be megabytes (a
// FINAL_VAR of 150,000 lines, `FINAL('w' * 9_000_000)`): wrapping and parsing all of it would
// take minutes and build millions of rows no one scrolls through, so the views lay out the head
// and say how much more there is and where to find it whole.
import {formatCount} from '../protocol/numbers.js';

/** Lines of one text laid out at most (about 60 screens). */
export const SHOWN_LINES = 2000;
/** Characters of one text laid out at most (a 80-column terminal: about 2,500 rows). */
export const SHOWN_CHARS = 200_000;

export interface ShownPart {
	/** The text to lay out: all of it, or its first lines. */
	head: string;
	/** Lines left out (0 when the whole text is shown). */
	restLines: number;
	/** Characters left out. */
	restChars: number;
	/** The cut is inside a line (one very long line): the first line left out is that line's rest. */
	midLine: boolean;
}

/** `text` cut to its first `maxLines` lines and `maxChars` characters, at a line's end where one is near. */
export function shownPart(text: string, maxLines = SHOWN_LINES, maxChars = SHOWN_CHARS): ShownPart {
	if (text.length <= maxChars && !hasMoreLines(text, maxLines)) return {head: text, restLines: 0, restChars: 0, midLine: false};
	let end = Math.min(text.length, maxChars);
	let at = -1;
	let lines = 0;
	for (; lines < maxLines; lines++) {
		const next = text.indexOf('\n', at + 1);
		if (next < 0 || next >= end) break;
		at = next;
	}
	// Cut after the last whole line inside the bounds, unless that drops most of them (one long line).
	if (at >= 0 && (lines === maxLines || at >= end / 2)) end = at;
	const midLine = text[end] !== '\n';
	const rest = midLine ? text.slice(end) : text.slice(end + 1);
	return {head: text.slice(0, end), restLines: countLines(rest), restChars: rest.length, midLine};
}

/** Whether `text` has more than `maxLines` lines. */
function hasMoreLines(text: string, maxLines: number): boolean {
	let at = -1;
	for (let line = 0; line < maxLines; line++) {
		at = text.indexOf('\n', at + 1);
		if (at < 0) return false;
	}
	return true;
}

function countLines(text: string): number {
	if (text === '') return 0;
	let lines = 1;
	for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
	return lines;
}

/** The note after a cut text: how much is left out, and `where` to find it whole. */
export function restNote(part: ShownPart, where: string): string {
	const count = (n: number, what: string) => `${formatCount(n)} more ${what}${n === 1 ? '' : 's'}`;
	if (part.midLine) {
		const after = part.restLines > 1 ? ` and ${count(part.restLines - 1, 'line')}` : '';
		return `… this line goes on for ${count(part.restChars, 'character')}${after}, not shown here; ${where}`;
	}
	return `… ${count(part.restLines, 'line')} (${formatCount(part.restChars)} characters) not shown here; ${where}`;
}
