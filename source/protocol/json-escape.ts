// What JSON.stringify leaves raw that a terminal acts on or that disguises text: DEL and the C1
// controls (U+009B is the 8-bit CSI: a terminal that reads it eats the sequence after it), Unicode
// format characters (bidi overrides and isolates, zero-width characters, tag characters) and the
// line and paragraph separators. C0 controls (ESC...) JSON.stringify already escapes.
const rawUnsafe = /[\u007f-\u009f\u2028\u2029]|\p{Cf}/gu;

/** Each UTF-16 unit as a `\uXXXX` escape (a tag character is a surrogate pair). */
const escaped = (char: string): string => [...Array(char.length).keys()].map((index) => `\\u${char.charCodeAt(index).toString(16).padStart(4, '0')}`).join('');

/**
 * JSON text (JSON.stringify's output) with every character above written as a `\uXXXX` escape:
 * it parses to the same value, and nothing in it reaches a terminal showing it as a control. Such
 * characters occur only inside JSON strings, where an escape is always valid (RFC 8259 §7).
 */
export const escapeUnsafeInJson = (json: string): string => json.replace(rawUnsafe, escaped);
