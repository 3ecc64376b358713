// One streamed model call: collects the answer text and the reasoning (separated in one place,
// separateReasoning), reports both as they stream, and measures usage and time. A reply the backend
// withdraws (a failure mid-reply, retried) is dropped: the text returned is the retried reply's.
import {separateReasoning} from '../backends/reasoning.js';
import type {ChatMessage, FinishReason, NoticeCode, RetryFacts, Usage} from '../protocol/llm.js';
import type {Backend} from '../backends/types.js';
import {zeroUsage} from '../protocol/llm.js';

export interface ModelCallResult {
	/** The answer part of the reply (what is parsed, run and returned). */
	text: string;
	/** The model's thinking (never run, never the answer); empty when it sent none. */
	reasoning: string;
	/** Some of the reasoning came inside the answer text (`<think>…</think>`), not in a reasoning
	 * channel: the server separated nothing, the model wrote its thinking as text. */
	reasoningInText: boolean;
	usage: Usage;
	finishReason: FinishReason;
	/** Set when the reply is 'dropped' because the request timeout (this many ms) passed with no
	 * part of it: the client ended the request, not the server. */
	stalledMs?: number;
	/** Set when the reply is 'dropped' on its last try: what ended it, a sentence (the backend's). */
	droppedBy?: string;
	ms: number;
}

export interface ModelCallHandlers {
	/** Answer text as it streams. */
	onText?(text: string): void;
	/** Reasoning as it streams. `movedFromText`: this is the answer text streamed so far, which turned
	 * out to be thinking (a lone `</think>` arrived): take it out of the answer shown. */
	onReasoning?(text: string, movedFromText: boolean): void;
	/** Told what the backend reports about the request (a refused parameter, a retry). */
	onNotice?(notice: {code: NoticeCode; message: string; level: 'info' | 'warn'; retry?: RetryFacts}): void;
	/** The answer text streamed so far is withdrawn (after the retry notice that says why): the call
	 * failed mid-reply and is retried, and its reply streams again from its start. The reasoning stays. */
	onReplyWithdrawn?(): void;
}

export async function callModel(
	backend: Backend,
	messages: ChatMessage[],
	options: {model: string; temperature?: number; maxOutputTokens?: number; signal?: AbortSignal},
	handlers: ModelCallHandlers = {},
): Promise<ModelCallResult> {
	const started = performance.now();
	let text = '';
	let reasoning = '';
	let reasoningInText = false;
	let usage = zeroUsage();
	let finishReason: FinishReason = 'other';
	let stalledMs: number | undefined;
	let droppedBy: string | undefined;
	// The SDKs leave a listener on the signal they are given: give each call its own, linked to
	// the run's, so a long run does not pile listeners onto one signal.
	const own = new AbortController();
	const forward = () => own.abort(options.signal?.reason);
	if (options.signal?.aborted) own.abort(options.signal.reason);
	else options.signal?.addEventListener('abort', forward, {once: true});
	try {
		for await (const chunk of separateReasoning(backend.stream(messages, {...options, signal: own.signal}))) {
			if (chunk.type === 'text') {
				text += chunk.text;
				handlers.onText?.(chunk.text);
			} else if (chunk.type === 'reasoning') {
				reasoning += chunk.text;
				if ('inText' in chunk) reasoningInText = true;
				handlers.onReasoning?.(chunk.text, false);
			} else if (chunk.type === 'retract') {
				text = text.startsWith(chunk.text) ? text.slice(chunk.text.length) : '';
				reasoning += chunk.text;
				reasoningInText = true;
				handlers.onReasoning?.(chunk.text, true);
			} else if (chunk.type === 'notice') {
				handlers.onNotice?.({code: chunk.code, message: chunk.message, level: chunk.level ?? 'info', ...(chunk.retry ? {retry: chunk.retry} : {})});
				if (chunk.replyWithdrawn) {
					// The retried reply alone is parsed, run and returned.
					text = '';
					handlers.onReplyWithdrawn?.();
				}
			} else if (chunk.type === 'usage') {
				({usage, finishReason, stalledMs, droppedBy} = chunk);
			}
		}
	} finally {
		options.signal?.removeEventListener('abort', forward);
	}
	return {text, reasoning, reasoningInText, usage, finishReason, ...(stalledMs !== undefined ? {stalledMs} : {}), ...(droppedBy !== undefined ? {droppedBy} : {}), ms: performance.now() - started};
}
