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
	for (const line of text.split('\n')) if (line.trim()) return line.trimEnd();
	return '';
}

/** Last non-empty line (for streamed text: what is being written now). */
export function lastLine(text: string): string {
	const lines = text.split('\n');
	for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.trim()) return lines[i]!.trimEnd();
	return '';
}

/** Cuts plain text to a display width, with an ellipsis when cut. */
export function clip(text: string, width: number): string {
	if (width <= 0) return '';
	if (stringWidth(text) <= width) return text;
	if (width === 1) return '…';
	let out = '';
	let used = 0;
	for (const char of text) {
		const w = stringWidth(char);
		if (used + w > width - 1) break;
		out += char;
		used += w;
	}
	return `${out}…`;
}

/** Cuts ANSI-coloured text to a display width (styles kept, nothing wraps). */
export function fitAnsi(text: string, width: number): string {
	if (width <= 0) return '';
	if (stringWidth(text) <= width) return text;
	return wrapAnsi(text, width, {hard: true, trim: false, wordWrap: false}).split('\n')[0] ?? '';
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

export const displayWidth = stringWidth;

// C0 and C1 controls (ESC, BEL, CSI...) except newline and tab, and DEL: whatever they start
// (clipboard writes, window titles, hyperlinks) must not reach the terminal.
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Unicode format characters that disguise text: bidi embeddings, overrides, isolates and marks
// (Trojan Source, CVE-2021-42574), zero-width spaces, word joiners, the byte-order mark, soft
// hyphens, other invisible separators and the tag characters that smuggle invisible ASCII.
const disguises = /[\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/gu;
// Joiners are kept only between two non-ASCII characters (emoji sequences, Indic and Arabic
// scripts); next to ASCII or space they only hide a change of text (`exa<ZWJ>mple.com`).
const joiners = /[\u200c\u200d]/g;
const joinable = (char: string | undefined) => char !== undefined && char > '\u007f' && !/\s/.test(char);

/**
 * Text safe to draw: C0/C1 controls and escape sequences' introducers (ESC, CSI, OSC...) and
 * disguising format characters removed; newlines and tabs kept. Source: ECMA-48 for the
 * controls, Unicode TR 9 and TR 36 for the bidi and invisible characters.
 */
export function printable(text: string): string {
	let out = text.replace(controls, '').replace(disguises, '');
	if (out.includes('\u200c') || out.includes('\u200d')) {
		out = out.replace(joiners, (joiner, offset: number, whole: string) =>
			joinable(whole[offset - 1]) && joinable(whole[offset + 1]) ? joiner : '',
		);
	}
	return out;
}
