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
// name (`analysisResult = …`). A line break after the word and its punctuation is both: the thinking
// introducing a draft (`analysisMaybe:\n```repl…`) and an answer's label or YAML key
// (`analysisData:\n```repl…`, `analysisData:\n  rows: 3`), and no word list tells `Maybe` from
// `Data`; what follows does: such a reply is held until a final channel's name (thinking) or the
// reply's end (an answer) decides, the one mark the thinking always has and an answer has not.
// The thinking ends at `assistantfinal`, or at `final` glued to the end of a sentence or a word and
// followed by what an answer opens with (answer-opener.ts), outside code in the thinking (a fence,
// an inline code span).
// A commentary message before the final one (`assistantcommentary…`, or `commentary` glued to the
// thinking's end before prose or ` to=`) is thinking, as in the tokened form (harmony.ts): gpt-oss
// writes tool calls there and preambles that announce them, never the answer, and rlm-tui offers
// no tools. Its header (and a tool call's ` to=functions.x json`) gives way to a line break.

import {afterChannel, PROSE_WORD, PROSE_WORD_UNDECIDED, type Glue} from './answer-opener.js';
import {CodeTracker} from './fence-lines.js';

const OPENER = /^(?:assistant)?analysis(?=[A-Z][a-z]{0,20}(?:'[a-z]+)?[,:.]? [A-Za-z"'])/;
/** The word and its punctuation then a line break: thinking only if a final channel follows. */
const OPENER_LINE = /^(?:assistant)?analysis(?=[A-Z][a-z]{0,20}(?:'[a-z]+)?[,:.!?]\r?\n)/;
const OPENER_UNDECIDED = /^(?:assistant)?analysis(?:[A-Z][a-z]{0,20}(?:'[a-z]*)?(?:[,:.]? ?|[,:.!?]\r?))?$/;
const OPENER_PREFIXES = ['analysis', 'assistantanalysis'];

/** How the start of a reply (after leading whitespace) reads: stripped harmony's opener (its
 * length: the text after it is thinking; `sure` false: only if a final channel follows), not it, or
 * not yet known. At the end, undecided is not. */
export function strippedOpener(lead: string, final: boolean): {opens: number; sure: boolean} | 'no' | 'undecided' {
	const opener = OPENER.exec(lead);
	if (opener) return {opens: opener[0].length, sure: true};
	const line = OPENER_LINE.exec(lead);
	// After the echoed `assistant` it is harmony whatever follows.
	if (line) return {opens: line[0].length, sure: line[0].startsWith('assistant')};
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

/** Another thinking message's header: `assistantcommentary`, `assistantanalysis`, or the channel's
 * name alone glued to the thinking's end (no `<|start|>assistant`); the rest of a tool call's header
 * after it (`commentary to=functions.ls <|constrain|>json` stripped, a line break after it as some
 * templates write). */
const MESSAGE = /(assistant)?(commentary|analysis)/g;
const MESSAGE_WORDS = ['assistantcommentary', 'assistantanalysis', 'commentary', 'analysis'];
const HEADER_REST = /^(?: to=[\w.:-]+)?(?: json\n?)?/;

/** Length of the longest suffix of `text` that is a proper prefix of `word`. */
function partialSuffix(text: string, word: string): number {
	for (let n = Math.min(word.length - 1, text.length); n > 0; n--) {
		if (text.endsWith(word.slice(0, n))) return n;
	}
	return 0;
}

/** Stripped harmony's thinking, read until its final channel begins. */
export class StrippedThinking {
	/** The last characters handed on as thinking (what a `final` at the next text's start is glued to). */
	#before = '';
	#code = new CodeTracker();

	/** `text` split at the final channel: the thinking before it, and the answer after its header
	 * (undefined while still thinking); `pending`: the end held back until more text decides. */
	read(text: string, final: boolean): {thinking: string; answer?: string; pending: string} {
		const code = this.#code.fork();
		let read = 0;
		/** Whether the thinking, up to `at` of this text, ends inside code. */
		const inCode = (at: number): boolean => {
			code.feed(text.slice(read, at));
			read = at;
			return code.endsInCode();
		};
		for (let at = text.indexOf(CHANNEL); at >= 0; at = text.indexOf(CHANNEL, at + 1)) {
			const glue = this.#glue(text, at, inCode);
			if (glue === undefined) continue;
			const decision = afterChannel(text.slice(at + CHANNEL.length), glue, final);
			if (decision === 'no') continue;
			const start = glue === 'role' ? at - ROLE.length : at;
			if (decision === 'wait') return this.#thinking(text.slice(0, start), text.slice(start), false);
			return {...this.#thinking(text.slice(0, start), '', true), answer: text.slice(at + CHANNEL.length + decision.header)};
		}
		const keep = final ? 0 : Math.max(partialSuffix(text, ROLE + CHANNEL), partialSuffix(text, CHANNEL));
		return this.#thinking(text.slice(0, text.length - keep), text.slice(text.length - keep), final);
	}

	/** What the `final` at `at` is glued to; undefined: nothing that makes it a channel's name (a
	 * word's middle, or code in the thinking). */
	#glue(text: string, at: number, inCode: (at: number) => boolean): Glue | undefined {
		if (at >= ROLE.length && text.slice(at - ROLE.length, at) === ROLE) return 'role';
		const before = this.#before + text.slice(Math.max(0, at - TAIL), at);
		if (before === '') return undefined;
		const glue = GLUED_AFTER.test(before.at(-1)!) ? 'mark' : WORD_BEFORE.test(before) ? 'letter' : undefined;
		return glue && !inCode(at) ? glue : undefined;
	}

	/** Thinking handed on, its messages' headers replaced by a line break (as between tokened
	 * messages); the end that may be a header is held back unless `last` (the thinking ended). */
	#thinking(text: string, pending: string, last: boolean): {thinking: string; pending: string} {
		let thinking = '';
		let from = 0;
		let held = '';
		const code = this.#code.fork();
		let read = 0;
		for (const match of text.matchAll(MESSAGE)) {
			const at = match.index;
			if (at < from) continue;
			const glued = at > from ? text[at - 1] : (thinking || this.#before).at(-1);
			const inCode = (): boolean => {
				code.feed(text.slice(read, at));
				read = at;
				return code.endsInCode();
			};
			const header = this.#header(text.slice(at + match[0].length), match[1] !== undefined, glued, inCode, last);
			if (header === 'no') continue;
			if (header === 'wait') {
				held = text.slice(at);
				break;
			}
			thinking += `${text.slice(from, at)}\n`;
			code.feed(text.slice(read, at));
			code.feed('\n');
			from = read = at + match[0].length + header;
		}
		if (!held) {
			const keep = last ? 0 : Math.max(...MESSAGE_WORDS.map((word) => partialSuffix(text.slice(from), word)));
			held = text.slice(text.length - keep);
			thinking += text.slice(from, text.length - keep);
		} else {
			thinking += text.slice(from, text.length - held.length);
		}
		if (thinking) {
			this.#before = (this.#before + thinking).slice(-TAIL);
			this.#code.feed(thinking);
		}
		return {thinking, pending: held + pending};
	}

	/** Whether a channel's name (`role`: after `assistant`; `glued`: the character before it) begins
	 * another message: the rest of its header's length (`after` is the text after the name), `no`, or
	 * `wait` (more text decides). */
	#header(after: string, role: boolean, glued: string | undefined, inCode: () => boolean, last: boolean): number | 'no' | 'wait' {
		if (!role) {
			if (glued === undefined || !GLUED_AFTER.test(glued) || inCode()) return 'no';
			if (!after.startsWith(' to=') && !PROSE_WORD.test(after)) {
				return !last && (' to='.startsWith(after) || PROSE_WORD_UNDECIDED.test(after)) ? 'wait' : 'no';
			}
		}
		const rest = HEADER_REST.exec(after)![0];
		const beyond = after.slice(rest.length);
		if (!last && (beyond === '' || ' to='.startsWith(beyond) || ' json'.startsWith(beyond))) return 'wait';
		return rest.length;
	}
}
