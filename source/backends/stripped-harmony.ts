// gpt-oss's harmony decoded with its special tokens skipped (skip_special_tokens, as MLX and some
// llama.cpp servers decode it): the channel and role names run into the text,
// `analysisWe need…assistantfinalfour` (Augustas11/macprovider#743). The variants:
// - `<|start|>assistant` echoed before the first message: `assistantanalysisWe need…`;
// - no `<|start|>assistant` between messages: `analysisWe need….final…` (the final channel's name
//   glued to the end of the thinking);
// - a constrained final header (`final <|constrain|>json`): `assistantfinal json{…}`, whose ` json`
//   is header, not answer.
// It opens with `analysis` glued to a capitalised word and prose after it (`analysisWe need`,
// `analysisLet's`, `analysisUser: wants`): an answer would put a space or a colon there, and code a
// name (`analysisResult = …`, `analysisData:`). The thinking ends at `assistantfinal`, or at `final`
// glued to the end of a sentence (after `.`, `)`, a quote, a line break…) and followed by what an
// answer opens with (a fence, `{`, a number, a capitalised word and prose) and not by what prose or
// code would put there (`.finalize()`, `"final"`, `obj.final_value`, `x.finalResult.sort()`).

/** A capitalised word and prose after it: what opens gpt-oss's thinking and most answers. */
const PROSE_WORD = /^[A-Z][a-z]{0,20}(?:'[a-z]+)?[,:.!?]?(?: [A-Za-z"']|\n)/;
/** What may still become PROSE_WORD (or a number, a fence) with more text. */
const PROSE_WORD_UNDECIDED = /^[A-Z][a-z]{0,20}(?:'[a-z]*)?[,:.!?]? ?$/;

const OPENER = /^(?:assistant)?analysis(?=[A-Z][a-z]{0,20}(?:'[a-z]+)?[,:.]? [A-Za-z"'])/;
const OPENER_UNDECIDED = /^(?:assistant)?analysis(?:[A-Z][a-z]{0,20}(?:'[a-z]*)?[,:.]? ?)?$/;
const OPENER_PREFIXES = ['analysis', 'assistantanalysis'];

/** How the start of a reply (after leading whitespace) reads: stripped harmony's opener (its
 * length: the text after it is thinking), not it, or not yet known. At the end, undecided is not. */
export function strippedOpener(lead: string, final: boolean): {opens: number} | 'no' | 'undecided' {
	const opener = OPENER.exec(lead);
	if (opener) return {opens: opener[0].length};
	if (final) return 'no';
	if (OPENER_PREFIXES.some((prefix) => prefix.startsWith(lead)) || OPENER_UNDECIDED.test(lead)) return 'undecided';
	return 'no';
}

const ROLE = 'assistant';
const CHANNEL = 'final';
/** The stripped constraint of a final header (`final <|constrain|>json`). */
const CONSTRAINT = ' json';
/** What the final channel's name may be glued to when `<|start|>assistant` was left out: the end of
 * the thinking's last sentence, code or line. */
const GLUED_AFTER = /[.!?:;)\]}"'`\n]/;

type Decision = {header: number} | 'no' | 'wait';

/** After `final` (the text after it): whether it is the final channel's header, and how long the
 * rest of its header is (the constraint). `role`: `assistantfinal`. */
/** A Markdown block's start: bold (not Python's `**2`), a heading, a list item, a quote. */
const MARKDOWN_BLOCK = /^(?:\*\*[^\s\d*]|#{1,6} |[-*+>] )/;

function afterChannel(after: string, role: boolean, final: boolean): Decision {
	if (after.startsWith(CONSTRAINT)) return {header: CONSTRAINT.length};
	if (!final && CONSTRAINT.startsWith(after)) return 'wait';
	if (role) return {header: 0};
	if (after === '') return 'no';
	if (/^(?:`{3}|~{3}|\{)/.test(after)) return {header: 0};
	if (/^(?:`{1,2}|~{1,2})$/.test(after)) return final ? 'no' : 'wait';
	// A Markdown block's start (bold, not Python's `**2`; a heading; a list item; a quote), there or on
	// the next line, where a fence may start too (a prose line there could be thinking's next line).
	if (MARKDOWN_BLOCK.test(after)) return {header: 0};
	const lineBreaks = /^(?:\r?\n)+/.exec(after);
	if (lineBreaks) {
		const next = after.slice(lineBreaks[0].length);
		if (MARKDOWN_BLOCK.test(next) || /^(?:`{3}|~{3})/.test(next)) return {header: 0};
		return /^(?:\r?|`{1,2}|~{1,2}|\*{1,2}|#{1,6}|[-+>])$/.test(next) && !final ? 'wait' : 'no';
	}
	if (/^(?:\r|\*{1,2}|#{1,6}|[-+>])$/.test(after)) return final ? 'no' : 'wait';
	const number = /^\d+/.exec(after);
	if (number) {
		const rest = after.slice(number[0].length);
		if (rest === '') return final ? {header: 0} : 'wait';
		return /^[\s.,;)]/.test(rest) ? {header: 0} : 'no';
	}
	if (PROSE_WORD.test(after)) return {header: 0};
	if (PROSE_WORD_UNDECIDED.test(after)) return final ? (/^[A-Z][a-z]*[.!?]?$/.test(after) ? {header: 0} : 'no') : 'wait';
	return 'no';
}

/** Length of the longest suffix of `text` that is a proper prefix of `word`. */
function partialSuffix(text: string, word: string): number {
	for (let n = Math.min(word.length - 1, text.length); n > 0; n--) {
		if (text.endsWith(word.slice(0, n))) return n;
	}
	return 0;
}

/** Stripped harmony's thinking, read until its final channel begins. */
export class StrippedThinking {
	/** The last character handed on as thinking (what a `final` at the next text's start is glued to). */
	#before = '';

	/** `text` split at the final channel: the thinking before it, and the answer after its header
	 * (undefined while still thinking); `pending`: the end held back until more text decides. */
	read(text: string, final: boolean): {thinking: string; answer?: string; pending: string} {
		for (let at = text.indexOf(CHANNEL); at >= 0; at = text.indexOf(CHANNEL, at + 1)) {
			const role = at >= ROLE.length && text.slice(at - ROLE.length, at) === ROLE;
			const glued = GLUED_AFTER.test(at === 0 ? this.#before : text[at - 1]!);
			if (!role && !glued) continue;
			const decision = afterChannel(text.slice(at + CHANNEL.length), role, final);
			if (decision === 'no') continue;
			const start = role ? at - ROLE.length : at;
			if (decision === 'wait') return this.#thinking(text.slice(0, start), text.slice(start));
			return {...this.#thinking(text.slice(0, start), ''), answer: text.slice(at + CHANNEL.length + decision.header)};
		}
		const keep = final ? 0 : Math.max(partialSuffix(text, ROLE + CHANNEL), partialSuffix(text, CHANNEL));
		return this.#thinking(text.slice(0, text.length - keep), text.slice(text.length - keep));
	}

	#thinking(thinking: string, pending: string): {thinking: string; pending: string} {
		if (thinking) this.#before = thinking.at(-1)!;
		return {thinking, pending};
	}
}
