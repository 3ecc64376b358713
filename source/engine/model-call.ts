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
	for await (const chunk of backend.stream(messages, options)) {
		if (chunk.type === 'text') {
			text += chunk.text;
			onDelta?.(chunk.text);
		} else {
			usage = chunk.usage;
		}
	}
	return {text, usage, ms: performance.now() - started};
}
