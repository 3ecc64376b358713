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
// name (`analysisResult = …`). A line break after the word and its colon (`analysisMaybe:\n`, the
// thinking introducing a draft) opens it too, unless the next line is indented or a list item: that
// is a YAML answer's key and its value (`analysisData:\n  rows: 3`), and no code has a line
// `Name:` alone (Python wants a type after the colon). The thinking ends at `assistantfinal`, or at
// `final` glued to the end of a sentence or a word and followed by what an answer opens with
// (answer-opener.ts), outside code in the thinking (a fence, an inline code span).

import {afterChannel, type Glue} from './answer-opener.js';
import {FenceLines} from './fence-lines.js';

const OPENER = /^(?:assistant)?analysis(?=[A-Z][a-z]{0,20}(?:'[a-z]+)?(?:[,:.]? [A-Za-z"']|[,:.!?]\r?\n(?![ \t]|-(?: |$))[^]))/;
const OPENER_UNDECIDED = /^(?:assistant)?analysis(?:[A-Z][a-z]{0,20}(?:'[a-z]*)?(?:[,:.]? ?|[,:.!?]\r?\n?-?))?$/;
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
/** What the final channel's name may be glued to when `<|start|>assistant` was left out: the end of
 * the thinking's last sentence, code or line. */
const GLUED_AFTER = /[.!?:;)\]}"'`\n]/;
/** How much of the thinking's end is kept to read what a `final` is glued to. */
const TAIL = 32;
/** A lowercase word glued to `final` (`…the answerfinalFour`), not part of a name (`obj.isfinal`). */
const WORD_BEFORE = /(?:^|[\s,;:("'])[a-z]+$/;

/** Length of the longest suffix of `text` that is a proper prefix of `word`. */
function partialSuffix(text: string, word: string): number {
	for (let n = Math.min(word.length - 1, text.length); n > 0; n--) {
		if (text.endsWith(word.slice(0, n))) return n;
	}
	return 0;
}

/** Whether the thinking handed on so far ends inside code: a fence, or an inline code span on its
 * last line (a `final` there is code: `` `x = cfg.final` ``). */
class ThinkingCode {
	/** The fences, read up to the start of the current line. */
	#lines = new FenceLines();
	#line = '';

	feed(text: string): void {
		const lastBreak = text.lastIndexOf('\n');
		if (lastBreak < 0) {
			this.#line += text;
			return;
		}
		this.#lines.feed(`${this.#line}${text.slice(0, lastBreak + 1)}`);
		this.#line = text.slice(lastBreak + 1);
	}

	/** Whether the thinking, with `more` after it, ends inside code. */
	endsInCode(more: string): boolean {
		const lines = this.#lines.clone();
		const text = this.#line + more;
		const lastBreak = text.lastIndexOf('\n');
		if (lastBreak >= 0) lines.feed(text.slice(0, lastBreak + 1));
		return lines.fence !== undefined || inlineCodeOpen(text.slice(lastBreak + 1));
	}
}

/** Whether a line ends inside an inline code span: a backtick run not yet closed by one as long. */
function inlineCodeOpen(line: string): boolean {
	let open = 0;
	for (const run of line.match(/`+/g) ?? []) {
		if (open === 0) open = run.length;
		else if (run.length === open) open = 0;
	}
	return open > 0;
}

/** Stripped harmony's thinking, read until its final channel begins. */
export class StrippedThinking {
	/** The last characters handed on as thinking (what a `final` at the next text's start is glued to). */
	#before = '';
	#code = new ThinkingCode();

	/** `text` split at the final channel: the thinking before it, and the answer after its header
	 * (undefined while still thinking); `pending`: the end held back until more text decides. */
	read(text: string, final: boolean): {thinking: string; answer?: string; pending: string} {
		for (let at = text.indexOf(CHANNEL); at >= 0; at = text.indexOf(CHANNEL, at + 1)) {
			const glue = this.#glue(text, at);
			if (glue === undefined) continue;
			const decision = afterChannel(text.slice(at + CHANNEL.length), glue, final);
			if (decision === 'no') continue;
			const start = glue === 'role' ? at - ROLE.length : at;
			if (decision === 'wait') return this.#thinking(text.slice(0, start), text.slice(start));
			return {...this.#thinking(text.slice(0, start), ''), answer: text.slice(at + CHANNEL.length + decision.header)};
		}
		const keep = final ? 0 : Math.max(partialSuffix(text, ROLE + CHANNEL), partialSuffix(text, CHANNEL));
		return this.#thinking(text.slice(0, text.length - keep), text.slice(text.length - keep));
	}

	/** What the `final` at `at` is glued to; undefined: nothing that makes it a channel's name (a
	 * word's middle, or code in the thinking). */
	#glue(text: string, at: number): Glue | undefined {
		if (at >= ROLE.length && text.slice(at - ROLE.length, at) === ROLE) return 'role';
		const before = this.#before + text.slice(Math.max(0, at - TAIL), at);
		if (before === '') return undefined;
		const glue = GLUED_AFTER.test(before.at(-1)!) ? 'mark' : WORD_BEFORE.test(before) ? 'letter' : undefined;
		return glue && !this.#code.endsInCode(text.slice(0, at)) ? glue : undefined;
	}

	#thinking(thinking: string, pending: string): {thinking: string; pending: string} {
		if (thinking) {
			this.#before = (this.#before + thinking).slice(-TAIL);
			this.#code.feed(thinking);
		}
		return {thinking, pending};
	}
}
