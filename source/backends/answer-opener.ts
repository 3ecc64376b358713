// Whether the text after a stripped harmony `final` (stripped-harmony.ts) opens the final channel's
// answer, when no `assistant` came before it to say so: the name is glued to the thinking's last
// character, a sentence's end (`.`, `)`, a quote, a line break…) or, rarer, a word
// (`…the answerfinalFour`). Code in the thinking glues `final` the same way (`x.final*2`,
// `obj.final[0]`, `cfg.final|mask`, `x.final<y`), so an opener counts only in a shape code never
// takes, read to the end of its construct on the answer's first line:
// - a fence, `{`, a number, a capitalised word and prose; a Markdown block's start (bold, not
//   Python's `**2`; a heading; a list item; a quote), there or after a line break;
// - emphasis closed on the line (`*Four* is…`; `x.final*a*b` goes on with a name: code);
// - inline code closed on the line (`` `x` is…``);
// - a table row: the line starts and ends with `|` (`cfg.final|mask|0` does not end with one);
// - a link or an image whose text has a space or whose target a URL's characters
//   (`[the docs](https://…)`; `funcs.final[i](x)` is a call);
// - an HTML element closed on the line, self-closed, or alone on it (`<b>Four</b>`, `<br/>`,
//   `<details>`; `x.final<b>c` is a comparison);
// - an emoji or a letter of a script without case (CJK, Arabic…), which no code glues to a name.
// Glued to a word, only what prose and fences open with counts (`semifinal**2` is code).

/** Whether `after` opens the answer: `{header}` (how much of it is the final channel's header),
 * `no`, or `wait` (more text decides). */
export type Decision = {header: number} | 'no' | 'wait';

/** What the final channel's name was glued to: `assistant` (the role: always the channel), the end
 * of a sentence, code or line, or a letter. */
export type Glue = 'role' | 'mark' | 'letter';

/** A capitalised word and prose after it: what opens gpt-oss's thinking and most answers. */
export const PROSE_WORD = /^\p{Lu}\p{Ll}{0,20}(?:'\p{Ll}+)?[,:.!?]?(?: [\p{L}"'\p{Extended_Pictographic}]|\n)/u;
/** What may still become PROSE_WORD (or a number, a fence) with more text. */
export const PROSE_WORD_UNDECIDED = /^\p{Lu}\p{Ll}{0,20}(?:'\p{Ll}*)?[,:.!?]? ?$/u;

/** The stripped constraint of a final header (`final <|constrain|>json`). */
const CONSTRAINT = ' json';
/** A Markdown block's start: bold (not Python's `**2`), a heading, a list item, a quote. */
const MARKDOWN_BLOCK = /^(?:\*\*[^\s\d*]|#{1,6} |[-*+>] )/;
const FENCE = /^(?:`{3}|~{3})/;
/** An emoji, or a letter of a script without case. */
const UNCODED_CHAR = /^(?:\p{Extended_Pictographic}|\p{Lo})/u;

type Verdict = 'yes' | 'no' | 'wait';

/** How much of the answer's first line is read for a construct. */
const LINE_MAX = 2000;

/** The constructs read on the first line: what starts one, and whether `line` holds it whole
 * (`whole`: the line is all there, its break or the reply's end came). */
const INLINE: Array<{starts: RegExp; reads: (line: string, whole: boolean) => Verdict}> = [
	{starts: /^\*(?![\s*\d])/, reads: (line, whole) => closedBefore(/^\*[^*]*[^\s*]\*/.exec(line), line, whole, /[\w*(]/)},
	{starts: /^`{1,2}(?!`)/, reads: (line, whole) => closedBefore(/^(`{1,2})[^`]+\1/.exec(line), line, whole, /`/)},
	{starts: /^\|/, reads: (line, whole) => (!whole ? 'wait' : /^\|.+\|\s*$/.test(line) ? 'yes' : 'no')},
	{starts: /^!?\[/, reads: link},
	{starts: /^<[A-Za-z]/, reads: htmlElement},
];

/** A construct closed by `match`: it counts when what follows its end is not `continues`. */
function closedBefore(match: RegExpExecArray | null, line: string, whole: boolean, continues: RegExp): Verdict {
	if (!match) return whole ? 'no' : 'wait';
	const next = line[match[0].length];
	if (next === undefined) return whole ? 'yes' : 'wait';
	return continues.test(next) ? 'no' : 'yes';
}

function link(line: string, whole: boolean): Verdict {
	const match = /^!?\[([^\]]+)\]\(([^)\s]*)\)/.exec(line);
	if (!match) return whole || /^!?\[[^\]]*\](?!\()./.test(line) ? 'no' : 'wait';
	return /\W/.test(match[1]!) || /[:/#.]/.test(match[2]!) ? 'yes' : 'no';
}

function htmlElement(line: string, whole: boolean): Verdict {
	const tag = /^<([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?(\/?)>/.exec(line);
	if (!tag) return whole || /^<[A-Za-z][A-Za-z0-9]*[^\sA-Za-z0-9/>]/.test(line) ? 'no' : 'wait';
	if (tag[2] === '/' || line.includes(`</${tag[1]}>`)) return 'yes';
	if (!whole) return 'wait';
	return line.slice(tag[0].length).trim() === '' ? 'yes' : 'no';
}

/** Whether `after` (the text after `final`) opens the answer; `final`: no more text comes. */
export function afterChannel(after: string, glue: Glue, final: boolean): Decision {
	if (after.startsWith(CONSTRAINT)) return {header: CONSTRAINT.length};
	if (!final && CONSTRAINT.startsWith(after)) return 'wait';
	if (glue === 'role') return {header: 0};
	if (after === '') return 'no';
	if (FENCE.test(after)) return {header: 0};
	if (/^(?:`{1,2}|~{1,2})$/.test(after) && !final) return 'wait';
	const word = proseWord(after, final);
	if (word !== 'no' || glue === 'letter') return word;
	if (after.startsWith('{') || MARKDOWN_BLOCK.test(after) || UNCODED_CHAR.test(after)) return {header: 0};
	// A lone high surrogate: the rest of an emoji comes in the next delta.
	if (/^[\uD800-\uDBFF]$/.test(after)) return final ? 'no' : 'wait';
	const lineBreaks = /^(?:\r?\n)+/.exec(after);
	if (lineBreaks) {
		// A prose line there could be the thinking's next line.
		const next = after.slice(lineBreaks[0].length);
		if (MARKDOWN_BLOCK.test(next) || FENCE.test(next)) return {header: 0};
		return /^(?:\r?|`{1,2}|~{1,2}|\*{1,2}|#{1,6}|[-+>])$/.test(next) && !final ? 'wait' : 'no';
	}
	if (/^(?:\r|\*{1,2}|#{1,6}|[-+>])$/.test(after) && !final) return 'wait';
	const number = /^\d+/.exec(after);
	if (number) {
		const rest = after.slice(number[0].length);
		if (rest === '') return final ? {header: 0} : 'wait';
		return /^[\s.,;)]/.test(rest) ? {header: 0} : 'no';
	}
	return inline(after, final);
}

/** A capitalised word and prose after it, or one that may still become it. */
function proseWord(after: string, final: boolean): Decision {
	if (PROSE_WORD.test(after)) return {header: 0};
	if (PROSE_WORD_UNDECIDED.test(after)) return final ? (/^\p{Lu}\p{Ll}*[.!?]?$/u.test(after) ? {header: 0} : 'no') : 'wait';
	return 'no';
}

function inline(after: string, final: boolean): Decision {
	const rule = INLINE.find(({starts}) => starts.test(after));
	if (!rule) return !final && /^(?:!|<)$/.test(after) ? 'wait' : 'no';
	// A line longer than any table row or link an answer opens with is read as far as that.
	const window = after.slice(0, LINE_MAX);
	const lineEnd = window.search(/\r?\n/);
	const verdict = rule.reads(lineEnd < 0 ? window : window.slice(0, lineEnd), lineEnd >= 0 || final || after.length > LINE_MAX);
	return verdict === 'yes' ? {header: 0} : verdict;
}
