// FINAL(...) and FINAL_VAR(name) written as prose, the original RLM's answer format. They count
// only at the start of a line (at most three spaces in), never inside code blocks (the caller passes
// the reply's prose, code blanked out), and the first one in the reply wins.

export type ProseFinal =
	/** FINAL(text): the answer is this text. */
	| {kind: 'text'; text: string}
	/** FINAL_VAR(name), or FINAL(name) naming a known REPL variable: the answer is that variable's value. */
	| {kind: 'var'; name: string};

/** Where a prose FINAL or FINAL_VAR starts (group 1 names which): at a line's start, ≤ 3 spaces in. */
export const PROSE_FINAL_START = /^[ \t]{0,3}(FINAL_VAR|FINAL)\(/gm;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Index just past the `)` that ends a FINAL whose `(` is at `open`, or -1 when there is none.
 * In order: a quoted argument's own `)`; a balanced `)` that ends its line; the first `)` ending a line
 * once the argument's parentheses no longer outnumber its closers (so `1)` or `:)` inside the answer
 * do not cut it); a balanced `)` followed by more text on its line. */
export function finalEnd(text: string, open: number): number {
	const quoted = quotedEnd(text, open + 1);
	if (quoted >= 0) return quoted;
	const endsLine = (i: number) => /^[ \t]*(\n|$)/.test(text.slice(i + 1, i + 200));
	let depth = 1;
	let opens = 0;
	let closes = 0;
	let balanced = -1;
	let lineEnd = -1;
	for (let i = open + 1; i < text.length; i++) {
		const ch = text[i];
		if (ch === '(') {
			depth++;
			opens++;
		} else if (ch === ')') {
			depth--;
			if (depth === 0 && balanced < 0) {
				if (endsLine(i)) return i + 1;
				balanced = i;
			}
			if (lineEnd < 0 && endsLine(i) && opens <= closes) lineEnd = i;
			closes++;
		}
	}
	if (lineEnd >= 0) return lineEnd + 1;
	if (balanced >= 0) return balanced + 1;
	return -1;
}

/** A quoted argument ("...", '...', """...""") followed by `)`: index past that `)`, else -1. */
function quotedEnd(text: string, from: number): number {
	let i = from;
	while (text[i] === ' ' || text[i] === '\t') i++;
	const quote = text.startsWith('"""', i) ? '"""' : text.startsWith("'''", i) ? "'''" : text[i] === '"' || text[i] === "'" ? text[i]! : '';
	if (!quote) return -1;
	for (let j = i + quote.length; j < text.length; j++) {
		if (text[j] === '\\') {
			j++;
			continue;
		}
		if (quote.length === 1 && text[j] === '\n') return -1;
		if (text.startsWith(quote, j)) {
			const after = /^[ \t]*\)/.exec(text.slice(j + quote.length));
			return after ? j + quote.length + after[0].length : -1;
		}
	}
	return -1;
}

const ESCAPES: Record<string, string> = {n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'"};

/** The argument as text: a single Python string literal loses its quotes (and simple escapes). */
export function unquote(argument: string): string {
	const text = argument.trim();
	const literal = /^(?:"""([\s\S]*)"""|'''([\s\S]*)'''|"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')$/.exec(text);
	if (!literal) return text;
	const inner = literal[1] ?? literal[2] ?? literal[3] ?? literal[4] ?? '';
	return inner.replace(/\\(.)/g, (whole, ch: string) => ESCAPES[ch] ?? whole);
}

/**
 * The first prose FINAL of a reply, or null. `prose` is the reply with its code blanked out;
 * `variables` are the REPL's known variable names, so FINAL(name) of one of them reads as FINAL_VAR.
 * A FINAL_VAR whose argument is not a name is skipped (it cannot be resolved).
 */
export function findProseFinal(prose: string, variables: ReadonlySet<string> = new Set()): ProseFinal | null {
	for (const match of prose.matchAll(PROSE_FINAL_START)) {
		const open = match.index + match[0].length - 1;
		const end = finalEnd(prose, open);
		// Blanked code leaves lines of spaces: they read as empty lines.
		const argument = (end < 0 ? prose.slice(open + 1) : prose.slice(open + 1, end - 1)).replace(/^[ \t]+$/gm, '').trim();
		if (match[1] === 'FINAL_VAR') {
			const name = unquote(argument);
			if (IDENTIFIER.test(name)) return {kind: 'var', name};
			continue;
		}
		if (IDENTIFIER.test(argument) && variables.has(argument)) return {kind: 'var', name: argument};
		return {kind: 'text', text: unquote(argument)};
	}
	return null;
}
