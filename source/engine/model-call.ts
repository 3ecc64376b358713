// One streamed model call: collects the text, reports deltas, and measures usage and time.
import type {Backend, ChatMessage, FinishReason, NoticeCode, Usage} from '../backends/types.js';
import {zeroUsage} from '../backends/types.js';

export interface ModelCallResult {
	text: string;
	/** The model's thinking (never run, never the answer); empty when it sent none. */
	reasoning: string;
	usage: Usage;
	finishReason: FinishReason;
	ms: number;
}

export async function callModel(
	backend: Backend,
	messages: ChatMessage[],
	options: {model: string; temperature?: number; maxTokens?: number; signal?: AbortSignal},
	onDelta?: (text: string) => void,
	/** Told what the backend reports about the request (a refused parameter, a retry). */
	onNotice?: (notice: {code: NoticeCode; message: string}) => void,
): Promise<ModelCallResult> {
	const started = performance.now();
	let text = '';
	let reasoning = '';
	let usage = zeroUsage();
	let finishReason: FinishReason = 'other';
	// The SDKs leave a listener on the signal they are given: give each call its own, linked to
	// the run's, so a long run does not pile listeners onto one signal.
	const own = new AbortController();
	const forward = () => own.abort(options.signal?.reason);
	if (options.signal?.aborted) own.abort(options.signal.reason);
	else options.signal?.addEventListener('abort', forward, {once: true});
	try {
		for await (const chunk of backend.stream(messages, {...options, signal: own.signal})) {
			if (chunk.type === 'text') {
				text += chunk.text;
				onDelta?.(chunk.text);
			} else if (chunk.type === 'reasoning') {
				reasoning += chunk.text;
			} else if (chunk.type === 'notice') {
				onNotice?.({code: chunk.code, message: chunk.message});
			} else {
				({usage, finishReason} = chunk);
			}
		}
	} finally {
		options.signal?.removeEventListener('abort', forward);
	}
	return {text, reasoning, usage, finishReason, ms: performance.now() - started};
}
