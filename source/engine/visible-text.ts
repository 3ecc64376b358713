// Whether text shows anything on a terminal: an answer of only whitespace, zero-width and other
// format characters (Unicode category Cf: U+200B zero-width space, U+200D joiner, U+2060 word
// joiner, U+FEFF, bidi marks, U+00AD soft hyphen...), control characters, variation selectors and
// the blank letters fonts draw as nothing (Hangul fillers U+115F U+1160 U+3164 U+FFA0, the blank
// Braille pattern U+2800) is blank: a final answer like that is no answer.
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0\u2800\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/gu;

/** True when `text` has at least one character a terminal draws. */
export function hasVisibleText(text: string): boolean {
	return text.replace(INVISIBLE, '') !== '';
}
