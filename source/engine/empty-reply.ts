// Replies whose answer part is empty: why (a server that routes the whole reply into its reasoning
// channel, a model that wrote only its <think> text, thinking that used up the output-token limit,
// or nothing at all), and what each party is
// told: the user (a notice naming the cause and the fix), the model (a nudge), a sub-call slot (an
// `Error:` string), and the run when it happens twice in a row (one line, status failed).
import type {FinishReason, NoticeCode} from '../protocol/llm.js';
import {formatCount} from '../protocol/numbers.js';
import {seconds, stallAdvice} from './truncation.js';
import {hasVisibleText} from './visible-text.js';

export type EmptyReplyCause =
	/** Only reasoning came back: the server's reasoning parser or chat template sent the answer there. */
	| 'reasoning_only'
	/** The model wrote only `<think>…</think>` in its answer text, nothing after: it stopped after
	 * thinking (no server setting moved anything). */
	| 'think_only'
	/** The output-token limit was reached while the model was still thinking. */
	| 'cut_while_thinking'
	/** The server dropped the stream (no finish reason) while the model was still thinking. */
	| 'dropped_while_thinking'
	/** The model's context window filled while it was still thinking (stop_reason model_context_window_exceeded). */
	| 'window_while_thinking'
	/** The server paused the reply (stop_reason pause_turn) while the model was still thinking. */
	| 'paused_while_thinking'
	/** The provider's content filter stopped the reply before any answer (finish_reason
	 * content_filter, Anthropic stop_reason refusal): not an empty reply, a refused one. */
	| 'filtered'
	/** Neither answer text nor reasoning. */
	| 'empty';

/** Why a reply has no answer text, or null when it has some. Text with nothing a terminal draws
 * (whitespace, zero-width and other format characters: visible-text.ts) is none, as for final answers. */
export function emptyReplyCause(reply: {text: string; reasoning: string; reasoningInText?: boolean; finishReason: FinishReason}): EmptyReplyCause | null {
	if (hasVisibleText(reply.text)) return null;
	if (reply.finishReason === 'content_filter') return 'filtered';
	if (!hasVisibleText(reply.reasoning)) return 'empty';
	if (reply.finishReason === 'length') return 'cut_while_thinking';
	if (reply.finishReason === 'dropped') return 'dropped_while_thinking';
	if (reply.finishReason === 'context_window') return 'window_while_thinking';
	if (reply.finishReason === 'paused') return 'paused_while_thinking';
	return reply.reasoningInText ? 'think_only' : 'reasoning_only';
}

const chars = (n: number) => `${formatCount(n)} characters`;

/** The two shapes of thinking written in the answer text (backends/reasoning.ts, harmony.ts). */
const IN_TEXT_THINKING = "<think>…</think> or gpt-oss's analysis channel";

/** What makes a model that stops after its thinking answer, by its family (read from its name):
 * gpt-oss and DeepSeek-R1 cannot turn their thinking off, Qwen3 and DeepSeek-V3.1 can. */
export function thinkOnlyAdvice(model: string): string {
	const ask = 'it stopped after its thinking. Ask again; if it keeps doing so, ';
	if (/gpt-oss/i.test(model)) return `${ask}lower its reasoning effort (reasoning_effort "low" in the server's settings: gpt-oss cannot turn its thinking off) or use a model that answers after it thinks`;
	if (/deepseek[-_ ]?r1|deepseek-reasoner/i.test(model)) return `${ask}use a model that answers without thinking (DeepSeek-R1 cannot turn it off; DeepSeek-V3.1 can, with chat_template_kwargs {"thinking": false})`;
	if (/deepseek[-_ ]?v3\.[1-9]/i.test(model)) return `${ask}turn its thinking off (DeepSeek-V3.1: chat_template_kwargs {"thinking": false}) or use a model that answers after it thinks`;
	if (/qwq|qwen3.*thinking/i.test(model)) return `${ask}use a model that can answer without thinking (this Qwen model cannot turn it off; a Qwen3 Instruct or hybrid model can)`;
	if (/qwen3/i.test(model)) return `${ask}turn its thinking off (Qwen3: /no_think or chat_template_kwargs {"enable_thinking": false}) or use a model that answers after it thinks`;
	return `${ask}turn its thinking off if its server has a setting for that, or use a model that answers after it thinks`;
}

const FIX_PARSER =
	"check the server's reasoning parser and the model's chat template (vLLM --reasoning-parser, llama.cpp --reasoning-format, the template's <think> handling), or use a model or setting that answers outside its thinking";

/** The notice for the user, or null where another part already reports it (a cut reply is marked
 * by the truncation handling). `model`: the model's name, whose family the advice is for. */
export function emptyReplyNotice(cause: EmptyReplyCause, who: string, reasoningChars: number, model: string): {code: NoticeCode; message: string} | null {
	switch (cause) {
		case 'reasoning_only':
			return {
				code: 'reasoning_only',
				message: `The ${who}'s reply had no answer text, only reasoning (${chars(reasoningChars)}): the server put the whole reply in its reasoning channel. To fix it, ${FIX_PARSER}.`,
			};
		case 'think_only':
			return {
				code: 'reasoning_only',
				message: `The ${who}'s reply was all thinking in its text (${IN_TEXT_THINKING}, ${chars(reasoningChars)}), with nothing after it: ${thinkOnlyAdvice(model)}.`,
			};
		case 'empty':
			return {code: 'empty_reply', message: `The ${who}'s reply was empty (no text and no reasoning). Check the server's log; the model may not fit its context or may have failed to load.`};
		case 'cut_while_thinking':
		case 'dropped_while_thinking':
		case 'window_while_thinking':
		case 'paused_while_thinking':
		case 'filtered':
			return null;
	}
}

/** What the model is told after an empty reply (`stalledMs`: the request timeout ended a dropped one). */
export function emptyReplyNudge(cause: EmptyReplyCause, stalledMs?: number): string {
	if (cause === 'dropped_while_thinking' && stalledMs !== undefined)
		return `Your reply was cut off while you were still thinking (the server sent nothing more for ${seconds(stalledMs)}, so the request was ended), so no answer or code reached me. Write a \`\`\`repl block or your answer.`;
	if (cause === 'think_only') return 'Your reply ended with your thinking: nothing after it reached me. After thinking, write your code in a ```repl block, or your answer, as plain reply text.';
	if (cause === 'filtered')
		return "Your reply was stopped by the provider's content filter before any answer or code reached me. Go on with the task in other words; if it cannot be done without tripping the filter, say so as your answer.";
	if (cause === 'cut_while_thinking')
		return 'Your reply reached the output-token limit while you were still thinking, so no answer or code reached me. Think briefly, then write a ```repl block or your answer.';
	if (cause === 'window_while_thinking')
		return 'Your reply was cut off while you were still thinking: the context window filled, so no answer or code reached me. Think briefly, then write a ```repl block or your answer.';
	if (cause === 'paused_while_thinking')
		return 'Your reply was paused by the server while you were still thinking, so no answer or code reached me. Write a ```repl block or your answer.';
	if (cause === 'dropped_while_thinking')
		return 'Your reply was cut off while you were still thinking (the connection to the server ended), so no answer or code reached me. Write a ```repl block or your answer.';
	return 'Your reply reached me empty: nothing outside your thinking arrived. Write your code in a ```repl block, or your answer, as plain reply text.';
}

/** The one line a run ends with after two empty replies in a row (`model`: as for emptyReplyNotice). */
export function emptyRepliesFailure(cause: EmptyReplyCause, model: string, stalledMs?: number): string {
	if (cause === 'dropped_while_thinking' && stalledMs !== undefined) return `The model's reply was cut off while it was still thinking, twice in a row: ${stallAdvice(stalledMs)}.`;
	switch (cause) {
		case 'reasoning_only':
			return `The model's replies had no answer text twice in a row, only reasoning: the server puts the whole reply in its reasoning channel. To fix it, ${FIX_PARSER}.`;
		case 'think_only':
			return `The model's replies were all thinking in their text (${IN_TEXT_THINKING}) twice in a row, with nothing after: ${thinkOnlyAdvice(model)}.`;
		case 'cut_while_thinking':
			return 'The model spent its whole output-token limit thinking twice in a row, with no answer: raise the limit (maxOutputTokens) or lower its reasoning effort.';
		case 'dropped_while_thinking':
			return "The server ended the model's stream while it was still thinking, twice in a row: check the server's log, or a proxy's timeout between the client and the server.";
		case 'window_while_thinking':
			return "The model's context window filled while it was still thinking, twice in a row (stop_reason model_context_window_exceeded): give it less context, or use a model with a larger window.";
		case 'paused_while_thinking':
			return 'The server paused the model\'s reply while it was still thinking, twice in a row (stop_reason pause_turn, which comes with server tools; rlm-tui uses none): check the server, or a proxy in front of it.';
		case 'filtered':
			return "The provider's content filter stopped the model's reply twice in a row before any answer (finish_reason content_filter, or Anthropic's refusal): rephrase the question, or use another model.";
		case 'empty':
			return "The model's replies were empty twice in a row (no text, no reasoning): check the server's log (the model may not fit its context or may have failed to load).";
	}
}

/** Why a sub-call's empty reply failed (its slot holds "Error: " and this: a clear error rather than ''). */
export function emptySubCallError(cause: EmptyReplyCause, reasoningChars: number, stalledMs?: number): string {
	if (cause === 'dropped_while_thinking' && stalledMs !== undefined) {
		return `the server sent nothing for ${seconds(stalledMs)} while the sub-model was still thinking, so the request timeout ended it and it has no answer (raise --request-timeout, or /set request-timeout in the app, if the server is slow).`;
	}
	switch (cause) {
		case 'reasoning_only':
			return `the sub-model's reply had no answer, only reasoning (${chars(reasoningChars)}): the server put the whole reply in its reasoning channel (check its reasoning parser and chat template).`;
		case 'think_only':
			return `the sub-model's reply was all thinking in its text (${IN_TEXT_THINKING}, ${chars(reasoningChars)}), with nothing after it: it gave no answer.`;
		case 'cut_while_thinking':
			return "the sub-model's reply was cut at the output-token limit while it was still thinking, so it has no answer.";
		case 'dropped_while_thinking':
			return "the server ended the sub-model's stream while it was still thinking, so it has no answer.";
		case 'window_while_thinking':
			return "the sub-model's context window filled while it was still thinking, so it has no answer (send a shorter prompt).";
		case 'paused_while_thinking':
			return "the server paused the sub-model's reply (stop_reason pause_turn) while it was still thinking, so it has no answer.";
		case 'filtered':
			return "the provider's content filter stopped the sub-model's reply before it gave an answer (finish_reason content_filter, or Anthropic's refusal): rephrase the prompt.";
		case 'empty':
			return 'the sub-model returned an empty reply.';
	}
}
