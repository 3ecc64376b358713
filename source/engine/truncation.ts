// Truncation is never silent: a reply cut at the output-token limit, and a prompt the server cut
// to fit its context (Ollama keeps about half its window and reports only what it kept).
import {estimateMessagesTokens} from '../backends/model-info.js';
import type {ChatMessage, CutReason, Usage} from '../protocol/llm.js';
import type {PromptTruncation} from '../protocol/events.js';
import {formatCount} from '../protocol/numbers.js';
import {formatSeconds} from '../protocol/seconds.js';

/** A reported prompt below 1/RATIO of what was sent reads as truncated. Ollama keeps num_ctx/2 + 2
 * tokens of a prompt longer than its window (ollama/ollama#17427), so an overflow of any size
 * lands well under this. Tokenizers rarely beat 4 characters a token by this much. */
const RATIO = 2;
/** And by at least this many tokens (small prompts are too noisy to judge). */
const MIN_MISSING = 1024;

/** The server reported far fewer prompt tokens than were sent: it truncated the prompt. */
export function promptTruncation(messages: readonly ChatMessage[], usage: Usage): PromptTruncation | undefined {
	const sentTokens = estimateMessagesTokens(messages);
	const keptTokens = usage.inputTokens;
	if (keptTokens <= 0 || sentTokens < keptTokens * RATIO || sentTokens - keptTokens < MIN_MISSING) return undefined;
	return {sentTokens, keptTokens};
}

const tokens = (n: number) => formatCount(n);

/** The warning for the user, with how to fix it. `advice` is the server's own remedy when known. */
export function promptTruncatedMessage(model: string, cut: PromptTruncation, advice: string): string {
	return `The server kept only ${tokens(cut.keptTokens)} of about ${tokens(cut.sentTokens)} prompt tokens sent to ${model}: it truncated the prompt, so the model saw part of it. ${advice}`;
}

/** Generic advice when the server's kind is unknown. */
export const GENERIC_WINDOW_ADVICE =
	"Raise the server's context length (Ollama: OLLAMA_CONTEXT_LENGTH=32768 ollama serve, or PARAMETER num_ctx in a Modelfile; vLLM: --max-model-len; llama.cpp: -c; LM Studio: the model's context length), or send smaller prompts.";

/** Appended to a sub-call's text when the sub-model's reply hit the output-token limit. */
export const CUT_REPLY_MARKER = '[cut off: this reply reached the output-token limit and is incomplete]';

/** Appended to a sub-call's text when the server dropped the sub-model's stream mid-reply. */
export const DROPPED_REPLY_MARKER = '[cut off: the connection to the server ended before this reply was finished; it is incomplete]';

/** Appended to a sub-call's text when the sub-model's context window filled mid-reply. */
export const WINDOW_CUT_REPLY_MARKER = "[cut off: the sub-model's context window filled before this reply was finished (stop_reason model_context_window_exceeded); it is incomplete]";

/** Appended to a sub-call's text when the server paused the sub-model's reply (stop_reason pause_turn). */
export const PAUSED_REPLY_MARKER = '[cut off: the server paused this reply before it was finished (stop_reason pause_turn, which comes with server tools; rlm-tui uses none); it is incomplete]';

/** Appended to a sub-call's text when the provider's content filter stopped the sub-model's reply. */
export const FILTERED_REPLY_MARKER = "[stopped: the provider's content filter ended this reply (finish_reason content_filter, or Anthropic's refusal); it may be incomplete]";

/** Appended to a sub-call's text when the sub-model refused (its text is the refusal). */
export const REFUSED_REPLY_MARKER = "[refused: the sub-model declined this prompt (its refusal field); the text above is its refusal, not an answer]";

/** The refusal as one quoted line for a notice or an error, clipped to `max` characters. */
export function quotedRefusal(text: string, max = 200): string {
	const line = text.trim().replace(/\s+/g, ' ');
	return `“${line.length > max ? `${line.slice(0, max - 1)}…` : line}”`;
}

/** quotedRefusal ending a sentence: its own closing punctuation is the sentence's (no “…request.”.). */
export const quotedRefusalSentence = (text: string): string => {
	const quoted = quotedRefusal(text);
	return /[.!?…]”$/.test(quoted) ? quoted : `${quoted}.`;
};

/** The one line a run ends with when the model refused twice in a row (`text`: its last refusal). */
export function refusedTwiceFailure(text: string): string {
	return `The model refused twice in a row, even when asked to go on in other words: ${quotedRefusalSentence(text)} Rephrase the question, or use another model.`;
}

/** The marker for a sub-call's incomplete reply, by why it is incomplete (`stalledMs`: the request
 * timeout ended a 'dropped' reply, see ModelCallResult). */
export function cutReplyMarker(reason: CutReason, stalledMs?: number): string {
	if (reason === 'length') return CUT_REPLY_MARKER;
	if (reason === 'context_window') return WINDOW_CUT_REPLY_MARKER;
	if (reason === 'paused') return PAUSED_REPLY_MARKER;
	if (reason === 'content_filter') return FILTERED_REPLY_MARKER;
	if (reason === 'refusal') return REFUSED_REPLY_MARKER;
	if (stalledMs !== undefined) return `[cut off: the server sent nothing for ${seconds(stalledMs)}, so the request timeout ended this reply before it was finished; it is incomplete]`;
	return DROPPED_REPLY_MARKER;
}

/** Milliseconds as the user types them for --request-timeout: `5 s`, `0.3 s` (protocol/seconds.ts). */
export const seconds = formatSeconds;

/** For the user: the request timeout ended a reply the server stopped sending, and what to do. */
export function stallAdvice(stalledMs: number): string {
	return `the server sent nothing for ${seconds(stalledMs)}, the request timeout, so the request was ended (not by the server): raise --request-timeout (now ${Number((stalledMs / 1000).toFixed(1))}; /set request-timeout in the app; requestTimeoutMs in the library) if the server is slow, or check its log`;
}

/** The one line a run ends with when the request timeout ended two replies in a row mid-answer:
 * the server is stuck, and every turn left would wait as long again. */
export function stalledTwiceFailure(stalledMs: number): string {
	return `The model's reply was cut off twice in a row: ${stallAdvice(stalledMs)}.`;
}

/** The one line a run ends with when the server (or a proxy) cut two replies in a row mid-answer,
 * each on its last try (`droppedBy`: the last one's cause, a sentence naming the server). */
export function droppedTwiceFailure(droppedBy: string): string {
	return `The model's reply was cut off twice in a row, retries included: ${droppedBy.replace(/^The /, 'the ')}`;
}

/** What to do about replies a server keeps cutting (the run's error advice). */
export const DROPPED_TWICE_ADVICE = 'The server may be crashing mid-reply, or a proxy cuts long replies: see its log, or try again.';

/** The user-facing notice for a last reply asked for the answer (out of turns, or after a limit)
 * that was cut: its text is the answer, marked incomplete at its end. */
export function cutFinalNotice(reason: CutReason, stalledMs?: number): string {
	const why: Record<CutReason, string> = {
		length: 'it reached the output-token limit',
		context_window: "the model's context window filled",
		paused: 'the server paused it',
		content_filter: "the provider's content filter stopped it",
		refusal: 'the model refused',
		dropped: stalledMs !== undefined ? stallAdvice(stalledMs) : 'the server ended the stream before it was finished',
	};
	return `The final answer, asked for as the last reply, was cut off (${why[reason]}): it is incomplete, and marked so at its end.`;
}

/** Appended to a sub-call's text when the server truncated its prompt. */
export function cutPromptMarker(cut: PromptTruncation): string {
	return `[warning: the server truncated this prompt: it kept about ${tokens(cut.keptTokens)} of ${tokens(cut.sentTokens)} tokens, so this answer saw only part of it; send smaller prompts]`;
}

/** Told to the root model after its reply hit the output-token limit, or after the server dropped
 * its stream mid-reply (instead of "no code"). */
export function cutReplyNote(options: {ranBlocks: number; cutBlock: boolean; reason?: CutReason; stalledMs?: number}): string {
	const what = options.cutBlock ? ' Its last code block was unfinished, so it did not run.' : '';
	const ran = options.ranBlocks > 0 ? ' The complete blocks before the cut ran (their output is above).' : ' Nothing in it ran.';
	if (options.reason === 'context_window') {
		return `Your previous reply was cut off: the context window filled up before you finished it.${what}${ran} Write short replies and print little: one small \`\`\`repl block, then stop and wait for its output.`;
	}
	if (options.reason === 'paused') {
		return `Your previous reply was paused by the server before you finished it.${what}${ran} Continue from where it stopped; write an unfinished block again in full.`;
	}
	if (options.reason === 'refusal') {
		return `Your previous reply was a refusal, so it is not a final answer.${what}${ran} Go on with the task in other words; if it truly cannot be done, say why in your answer.`;
	}
	if (options.reason === 'content_filter') {
		return `Your previous reply was stopped by the provider's content filter before it was finished, so it is not a final answer.${what}${ran} Go on with the task in other words; if it cannot be done without tripping the filter, say so in your answer.`;
	}
	if (options.reason === 'dropped' && options.stalledMs !== undefined) {
		return `Your previous reply was cut off: the server sent nothing more for ${seconds(options.stalledMs)}, so the request was ended before the reply was finished.${what}${ran} Continue from where it stopped; write an unfinished block again in full.`;
	}
	if (options.reason === 'dropped') {
		return `Your previous reply was cut off: the connection to the server ended before it was finished.${what}${ran} Continue from where it stopped; write an unfinished block again in full.`;
	}
	return `Your previous reply was cut off at the output-token limit before you finished it.${what}${ran} Write shorter replies: one small \`\`\`repl block, then stop and wait for its output.`;
}

/** The user-facing notice for a root reply cut at the limit, stopped by a content filter, refused
 * (`text`: the reply, quoted) or dropped mid-stream. */
export function cutReplyNotice(
	iteration: number,
	outputTokens: number,
	cutBlock: boolean,
	reason: CutReason = 'length',
	{stalledMs, text = '', droppedBy}: {stalledMs?: number; text?: string; droppedBy?: string} = {},
): string {
	const block = cutBlock ? ' its unfinished code block did not run, and' : '';
	if (reason === 'context_window') {
		return `The reply of iteration ${iteration} was cut off because the model's context window filled (stop_reason model_context_window_exceeded) after ${tokens(outputTokens)} tokens of reply:${block} the model was told to continue with shorter replies. If it keeps happening, give it less context or use a model with a larger window.`;
	}
	if (reason === 'paused') {
		return `The reply of iteration ${iteration} was paused by the server (stop_reason pause_turn, which comes with server tools; rlm-tui uses none, so the server or a proxy chose to pause it):${block} it is taken as unfinished and the model was told to continue.`;
	}
	if (reason === 'refusal') {
		return `The model refused in iteration ${iteration}: ${quotedRefusalSentence(text)} It was told to go on in other words; if it keeps refusing, rephrase the question or use another model.`;
	}
	if (reason === 'content_filter') {
		return `The reply of iteration ${iteration} was stopped by the provider's content filter (finish_reason content_filter, or Anthropic's refusal) after ${tokens(outputTokens)} tokens:${block} the model was told. If it keeps happening, rephrase the question or use another model.`;
	}
	if (reason === 'dropped' && stalledMs !== undefined) {
		return `The reply of iteration ${iteration} was cut off: ${stallAdvice(stalledMs)}. ${cutBlock ? 'Its unfinished code block did not run, and the' : 'The'} model was told to continue.`;
	}
	if (reason === 'dropped' && droppedBy) {
		const how = droppedBy.replace(/^The /, 'the ').replace(/\.$/, '');
		return `The reply of iteration ${iteration} was cut off: ${how}. ${cutBlock ? 'Its unfinished code block did not run, and the' : 'The'} model was told to continue.`;
	}
	if (reason === 'dropped') {
		return `The reply of iteration ${iteration} was cut off: the server ended the stream before the reply was finished (no finish reason):${block} the model was told to continue.`;
	}
	return `The reply of iteration ${iteration} was cut at the output-token limit (${tokens(outputTokens)} tokens):${block} the model was told to continue with shorter replies.`;
}
