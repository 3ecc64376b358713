// How many characters a text holds as Python's len() counts them: code points, so a surrogate
// pair (an emoji, 𝄞) is one and a lone surrogate is one too. JavaScript's .length counts UTF-16
// units, which is more for any text with characters outside the Basic Multilingual Plane.

const HIGH_SURROGATE = /[\uD800-\uDBFF]/;

/** The text's code points (Python's len()), at any size. */
export function codePointCount(text: string): number {
	// V8 answers the test at once for a Latin-1 string, which holds no surrogates; only a text that
	// has one is walked (no array of matches: a text of emoji would make one entry per character).
	if (!HIGH_SURROGATE.test(text)) return text.length;
	let pairs = 0;
	for (let i = 0; i < text.length - 1; i++) {
		const unit = text.charCodeAt(i);
		if (unit < 0xd800 || unit > 0xdbff) continue;
		const next = text.charCodeAt(i + 1);
		if (next >= 0xdc00 && next <= 0xdfff) {
			pairs++;
			i++;
		}
	}
	return text.length - pairs;
}
