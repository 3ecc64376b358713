// Picks and builds the backend a config names.

import {AnthropicBackend} from './anthropic.js';
import {DemoBackend} from './demo.js';
import {OpenAIBackend} from './openai.js';
import {
	BackendError,
	zeroUsage,
	type Backend,
	type BackendConfig,
	type Completion,
	type FinishReason,
	type StreamChunk,
	type Usage,
} from './types.js';

export const BACKEND_KINDS = ['openai', 'anthropic', 'demo'] as const;

/**
 * Builds the backend for `config`. Fails fast with a BackendError: 'missing_key' for a hosted API
 * without a key, 'bad_request' for an unknown kind or a base URL that is not a URL.
 */
export function createBackend(config: BackendConfig): Backend {
	if (config.baseURL !== undefined && config.baseURL.trim() !== '' && config.kind !== 'demo') {
		checkURL(config.baseURL);
	}
	switch (config.kind) {
		case 'openai':
			return new OpenAIBackend(config);
		case 'anthropic':
			return new AnthropicBackend(config);
		case 'demo':
			return new DemoBackend();
		default: {
			const kind: string = config.kind;
			throw new BackendError(`Unknown backend '${kind}': use one of ${BACKEND_KINDS.join(', ')}.`, 'bad_request');
		}
	}
}

function checkURL(url: string): void {
	let parsed: URL;
	try {
		parsed = new URL(url.trim());
	} catch {
		throw new BackendError(`Invalid base URL '${url}': expected something like http://localhost:11434/v1.`, 'bad_request');
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new BackendError(`Invalid base URL '${url}': it must start with http:// or https://.`, 'bad_request');
	}
}

/** Drains a backend stream into its full text and usage. */
export async function collectStream(stream: AsyncIterable<StreamChunk>): Promise<Completion> {
	let text = '';
	let reasoning = '';
	let usage: Usage = zeroUsage();
	let finishReason: FinishReason = 'other';
	for await (const chunk of stream) {
		if (chunk.type === 'text') text += chunk.text;
		else if (chunk.type === 'reasoning') reasoning += chunk.text;
		else if (chunk.type === 'usage') ({usage, finishReason} = chunk);
	}
	return {text, reasoning, usage, finishReason};
}
