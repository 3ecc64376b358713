// Untrusted text (code output, sub-call replies, errors: all may quote a document) fenced for the
// model so that no line of it can close the fence, as CommonMark does it: a code block ends only
// at a line of at least as many of the opening fence's characters (after up to three spaces), so
// the fence is one longer than the longest such run in the text, with tildes when that is shorter.
import {fenceOpenAtEnd} from '../protocol/code-fence.js';

/** The longest run of `char` that starts a line of `text` (after any spaces or tabs). */
function longestLeadingRun(text: string, char: '`' | '~'): number {
	let longest = 0;
	const run = char === '`' ? /^[ \t]*(`+)/gm : /^[ \t]*(~+)/gm;
	// CommonMark ends a line at \n, \r\n or a lone \r.
	for (const match of text.replace(/\r\n?/g, '\n').matchAll(run)) longest = Math.max(longest, match[1]!.length);
	return longest;
}

/** The fence to put around `text`: at least three characters, longer than any fence-like run at
 * the start of its lines. Backticks unless tildes make a shorter fence. */
export function fenceFor(text: string): string {
	const backticks = Math.max(3, longestLeadingRun(text, '`') + 1);
	const tildes = Math.max(3, longestLeadingRun(text, '~') + 1);
	return tildes < backticks ? '~'.repeat(tildes) : '`'.repeat(backticks);
}

/** `text` in a fenced block labelled `info` (a word without backticks or tildes) that only its own
 * closing fence ends. */
export function fenced(info: string, text: string): string {
	const fence = fenceFor(text);
	return `${fence}${info}\n${text}\n${fence}`;
}

/** The line that closes the fence `text` leaves open (as CommonMark reads its lines), or '' when
 * it leaves none open: for text that broke off mid-block before more text follows it. */
export function closingFence(text: string): string {
	const open = fenceOpenAtEnd(text);
	return open ? open.fence.char.repeat(open.fence.length) : '';
}
