// The best answer a stopped run (cancelled, or a limit) has without asking the model again, in one
// order for the engine and for a front end that only saw the run's events: the answer dict's
// draft, else the last output of its code, else the last reply's words (the original RLM's
// `_best_partial_answer`), never code of that reply that did not run.
import {readReply, withoutRunnableCode} from './parse.js';

/** A line that only names a variable as the answer: without the variable's value it says nothing. */
const bareFinalVar = /^[ \t]*FINAL_VAR\([^)\n]*\)[ \t]*$/gm;

/** A reply's words without its runnable blocks and bare FINAL_VAR(name) lines ('' for a reply that
 * is only code: code that did not run, or failed, is no answer). */
export const replyWords = (text: string): string =>
	withoutRunnableCode(readReply(text))
		.replace(bareFinalVar, '')
		.replace(/\n{3,}/g, '\n\n')
		.trim();

/** What the run has found so far, best first. */
export function bestPartialAnswer(found: {draft?: string | null; lastStdout: string; lastReply: string}): string {
	return found.draft?.trim() ? found.draft : found.lastStdout || found.lastReply;
}

/** What a run has found so far, kept as its replies and blocks come, in one way for the engine and
 * for whoever rebuilds it from the run's events or tree (the headless partial answer, MCP's
 * rlm_run): `best()` is bestPartialAnswer of it. */
export interface FoundSoFar {
	/** A root model reply: its words count unless it was a refusal (a refusal's words are not
	 * something the run found); a reply that is only code leaves the last words as they were. */
	reply(text: string, finishReason?: string): void;
	/** A finished block: its answer draft (answer["content"] not yet submitted) and its stdout. */
	block(result: {stdout: string; answerDraft?: string | null | undefined}): void;
	readonly draft: string | null;
	readonly lastStdout: string;
	readonly lastReply: string;
	best(): string;
}

export function foundSoFar(): FoundSoFar {
	let draft: string | null = null;
	let lastStdout = '';
	let lastReply = '';
	return {
		reply(text, finishReason) {
			if (finishReason === 'refusal') return;
			const words = replyWords(text);
			if (words) lastReply = words;
		},
		block(result) {
			draft = result.answerDraft ?? null;
			if (result.stdout.trim()) lastStdout = result.stdout.trim();
		},
		get draft() {
			return draft;
		},
		get lastStdout() {
			return lastStdout;
		},
		get lastReply() {
			return lastReply;
		},
		best: () => bestPartialAnswer({draft, lastStdout, lastReply}),
	};
}
