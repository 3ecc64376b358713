// A long question (a large paste) as the chat shows it: how it starts, how it ends (where a typed
// instruction around a paste usually is) and how much lies between, so that the user can tell
// which question it was. The tree's run row opens it whole (Enter: the detail view).
import {formatCount} from '../protocol/numbers.js';

/** Characters of a line shown at most. */
export const PREVIEW_CHARS = 160;

/** A line cut to `maxChars` (by code points: an emoji is never split), and how many UTF-16 units
 * are left out (as pasteLabel counts characters). */
function clip(line: string, maxChars: number): {cut: string; rest: number} {
	const cut = [...line.slice(0, maxChars * 2)].slice(0, maxChars).join('');
	return {cut, rest: line.length - cut.length};
}

/**
 * "first line … (+18 lines) … last line"; one long line: "its first 160 characters … (+4,840
 * characters)". A text that fits is returned as it is.
 */
export function questionPreview(text: string, maxChars = PREVIEW_CHARS): string {
	// A paste of 20 lines ending in a line break is 20 lines, not 21.
	const lines = text.replace(/\r?\n$/, '').split('\n').map((line) => line.replace(/\r$/, ''));
	const first = clip(lines[0]!, maxChars);
	if (lines.length === 1) return first.rest === 0 ? first.cut : `${first.cut} … (+${formatCount(first.rest)} characters)`;
	const last = clip(lines.at(-1)!, maxChars);
	const between = lines.length - 2;
	const shown = (part: {cut: string; rest: number}) => (part.rest === 0 ? part.cut : `${part.cut}…`);
	return [shown(first), ...(between > 0 ? [`(+${formatCount(between)} line${between === 1 ? '' : 's'})`] : []), shown(last)].join(' … ');
}
