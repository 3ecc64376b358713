// The one sanitiser for untrusted text (model replies, Python output, model and variable names,
// server errors, file names) where it leaves the program: the TUI, headless stdout and stderr, the
// -e/-v log, replays, SSE. A leaf: imports only ansi-regex.
import ansiRegex from 'ansi-regex';

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
// Escape sequences as ansi-regex reads ECMA-48 (strip-ansi's own, used directly: strip-ansi skips
// a text with no ESC or C1 CSI, so a C1 OSC, `\u009d0;title\u009c`, kept its payload).
const sequences = ansiRegex();
/** What starts a sequence ansi-regex reads: ESC, and the C1 CSI, OSC, DCS, SOS, PM, APC. */
export const SEQUENCE_INTRODUCER = /[\u001b\u009b\u009d\u0090\u0098\u009e\u009f]/;
// Line and paragraph separators, which some terminals and every SSE-like format treat as breaks.
const separators = /[\u2028\u2029]/g;

/**
 * Text safe to draw: whole escape sequences (CSI, and OSC up to its BEL or ST: ansi-regex's
 * reading of ECMA-48), then any C0/C1 control left (the introducer of a sequence it does not know)
 * and disguising format characters removed; newlines and tabs kept. Source: ECMA-48 for the
 * controls, Unicode TR 9 and TR 36 for the bidi and invisible characters.
 */
export function printable(text: string): string {
	if (plainAscii.test(text)) return text;
	const sequencesGone = SEQUENCE_INTRODUCER.test(text) ? text.replace(sequences, '') : text;
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

/** The mark for a character `printableMarked` takes out: its code point as less shows a character
 * it cannot show (its LESSUTFBINFMT default), `<U+200B>`, `<U+001B>`. Plain ASCII, so it is drawn
 * as it is, and it is not the `\u200b` a Python or JSON string may hold as text. */
export const hiddenMark = (char: string): string => `<U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`;

/** A mark `printableMarked` wrote (to draw it apart from the text around it). */
export const HIDDEN_MARK = /<U\+[0-9A-F]{4,6}>/g;

/**
 * Text safe to draw, as `printable`, but nothing is taken out without a trace: each control
 * character (ESC too, so an escape sequence reads `<U+001B>[31m`, as `cat -v` shows `^[[31m`),
 * disguising or other format character becomes its mark (hiddenMark), so a document or a model id
 * that held hidden text says so and look-alike ids (`gpt-4o`, `gpt-4o<U+200B>`) differ. Joiners
 * between two non-ASCII characters stay (emoji, Indic and Arabic scripts); a carriage return is
 * dropped without a mark (it ends lines in CRLF text and progress bars, and hides no text once gone).
 */
export function printableMarked(text: string): string {
	if (plainAscii.test(text)) return text;
	let out = text.replace(/\r/g, '').replace(controls, hiddenMark).replace(disguises, hiddenMark).replace(otherFormats, hiddenMark).replace(separators, '\n');
	if (out.includes('\u200c') || out.includes('\u200d')) {
		out = out.replace(joiners, (joiner, offset: number, whole: string) =>
			joinable(whole[offset - 1]) && joinable(whole[offset + 1]) ? joiner : hiddenMark(joiner),
		);
	}
	return out;
}

/** `printableMarked` on one line (a model id in a row): line breaks become spaces. */
export function printableMarkedLine(text: string): string {
	return printableMarked(text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' '));
}

/** `value` with `clean` applied to every string in it, keys too, at any depth (the same object
 * when nothing changed). */
function cleanDeep<T>(value: T, clean: (text: string) => string): T {
	if (typeof value === 'string') return clean(value) as T;
	if (Array.isArray(value)) {
		let copy: unknown[] | null = null;
		(value as unknown[]).forEach((item, index) => {
			const cleaned = cleanDeep(item, clean);
			if (cleaned !== item) (copy ??= [...value])[index] = cleaned;
		});
		return (copy ?? value) as T;
	}
	if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
		// Keys too: some records are keyed by model or file names.
		let changed = false;
		const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => {
			const cleanKey = clean(key);
			const cleaned = cleanDeep(item, clean);
			if (cleanKey !== key || cleaned !== item) changed = true;
			return [cleanKey, cleaned] as const;
		});
		return (changed ? Object.fromEntries(entries) : value) as T;
	}
	return value;
}

/** `value` with `printable` applied to every string in it, at any depth (the same object when
 * nothing changed): events and results are cleaned whole, not field by field. */
export const printableDeep = <T>(value: T): T => cleanDeep(value, printable);

/** `value` with `printableMarked` applied to every string in it, at any depth. */
export const printableMarkedDeep = <T>(value: T): T => cleanDeep(value, printableMarked);
