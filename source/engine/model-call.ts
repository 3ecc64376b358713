// One streamed model call: collects the text, reports deltas, and measures usage and time.
import type {Backend, ChatMessage, Usage} from '../backends/types.js';
import {zeroUsage} from '../backends/types.js';

export interface ModelCallResult {
	text: string;
	usage: Usage;
	ms: number;
}

export async function callModel(
	backend: Backend,
	messages: ChatMessage[],
	options: {model: string; temperature?: number; maxTokens?: number; signal?: AbortSignal},
	onDelta?: (text: string) => void,
): Promise<ModelCallResult> {
	const started = performance.now();
	let text = '';
	let usage = zeroUsage();
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
			} else {
				usage = chunk.usage;
			}
		}
	} finally {
		options.signal?.removeEventListener('abort', forward);
	}
	return {text, usage, ms: performance.now() - started};
}
