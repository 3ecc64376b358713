// JSON as rlm-tui writes it where a person may read it raw (serve's bodies and SSE events, read
// with curl; --json and --replay --json on a terminal). A leaf: no imports.

// What JSON.stringify leaves raw that a terminal acts on or that disguises text: DEL and the C1
// controls (U+009B is the 8-bit CSI: a terminal that reads it eats the sequence after it), Unicode
// format characters (bidi overrides and isolates, zero-width characters, tag characters) and the
// line and paragraph separators. C0 controls (ESC...) JSON.stringify already escapes.
const rawUnsafe = /[\u007f-\u009f\u2028\u2029]|\p{Cf}/gu;

const escaped = (char: string): string => [...Array(char.length).keys()].map((index) => `\\u${char.charCodeAt(index).toString(16).padStart(4, '0')}`).join('');

/**
 * JSON.stringify(value, null, space), with every character a terminal would act on, or that
 * would disguise text, written as a `\uXXXX` escape. The text parses to exactly the same value
 * (an answer is data: its escape sequences are kept, not cleaned), and nothing in it reaches a
 * terminal showing the raw JSON as a control. Such characters occur only inside JSON strings,
 * where an escape is always valid (RFC 8259 §7).
 */
export function jsonText(value: unknown, space?: number): string {
	return JSON.stringify(value, null, space).replace(rawUnsafe, escaped);
}
