// The one sanitiser for untrusted text (model replies, Python output, model and variable names,
// server errors, file names) where it leaves the program: the TUI, headless stdout and stderr, the
// -e/-v log, replays, SSE. A leaf: imports only strip-ansi.
import stripAnsi from 'strip-ansi';

// C0 and C1 controls (ESC, BEL, CSI...) except newline and tab, and DEL: whatever they start
// (clipboard writes with OSC 52, window titles, hyperlinks, screen clears) must not reach a terminal.
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Unicode format characters that disguise text: bidi embeddings, overrides, isolates and marks
// (Trojan Source, CVE-2021-42574), zero-width spaces, word joiners, the byte-order mark, soft
// hyphens, other invisible separators and the tag characters that smuggle invisible ASCII.
const disguises = /[\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/gu;
// Every other Unicode format character (Cf) but the joiners: invisible, and given no cell by
// terminals while Ink gives each one, so the character after one was lost.
const otherFormats = /(?![\u200c\u200d])\p{Cf}/gu;
// Joiners are kept only between two non-ASCII characters (emoji sequences, Indic and Arabic
// scripts); next to ASCII or space they only hide a change of text (`exa<ZWJ>mple.com`).
const joiners = /[\u200c\u200d]/g;
const joinable = (char: string | undefined) => char !== undefined && char > '\u007f' && !/\s/.test(char);
// Printable ASCII, newlines and tabs only: nothing above can match (the common case, one scan).
const plainAscii = /^[\u0020-\u007e\n\t]*$/;
// Line and paragraph separators, which some terminals and every SSE-like format treat as breaks.
const separators = /[\u2028\u2029]/g;

/**
 * Text safe to draw: whole escape sequences (CSI, and OSC up to its BEL or ST: strip-ansi's
 * reading of ECMA-48), then any C0/C1 control left (the introducer of a sequence it does not know)
 * and disguising format characters removed; newlines and tabs kept. Source: ECMA-48 for the
 * controls, Unicode TR 9 and TR 36 for the bidi and invisible characters.
 */
export function printable(text: string): string {
	if (plainAscii.test(text)) return text;
	const sequencesGone = text.includes('\u001b') || text.includes('\u009b') ? stripAnsi(text) : text;
	let out = sequencesGone.replace(controls, '').replace(disguises, '').replace(otherFormats, '').replace(separators, '\n');
	if (out.includes('\u200c') || out.includes('\u200d')) {
		out = out.replace(joiners, (joiner, offset: number, whole: string) =>
			joinable(whole[offset - 1]) && joinable(whole[offset + 1]) ? joiner : '',
		);
	}
	return out;
}

/** `printable` on one line: line breaks (CR, LF, U+2028/9) become spaces, so the text cannot start
 * a line of its own (an SSE field or comment, a log line). */
export function printableLine(text: string): string {
	return printable(text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' '));
}

/** `value` with `printable` applied to every string in it, at any depth (the same object when
 * nothing changed): events and results are cleaned whole, not field by field. */
export function printableDeep<T>(value: T): T {
	if (typeof value === 'string') return printable(value) as T;
	if (Array.isArray(value)) {
		let copy: unknown[] | null = null;
		(value as unknown[]).forEach((item, index) => {
			const clean = printableDeep(item);
			if (clean !== item) (copy ??= [...value])[index] = clean;
		});
		return (copy ?? value) as T;
	}
	if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
		// Keys too: some records are keyed by model or file names.
		let changed = false;
		const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => {
			const cleanKey = printable(key);
			const clean = printableDeep(item);
			if (cleanKey !== key || clean !== item) changed = true;
			return [cleanKey, clean] as const;
		});
		return (changed ? Object.fromEntries(entries) : value) as T;
	}
	return value;
}
