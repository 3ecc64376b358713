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
