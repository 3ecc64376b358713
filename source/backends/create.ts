// Picks and builds the backend a config names.

import {AnthropicBackend} from './anthropic.js';
import {DemoBackend} from './demo.js';
import {OpenAIBackend} from './openai.js';
import {BACKEND_NAMES, defaultApiKey, isBackendName, kindOf} from '../protocol/backends.js';
import {redactError, redactingBackend, secretsOf} from './redacting-backend.js';
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

export {BACKEND_KINDS, BACKEND_NAMES} from '../protocol/backends.js';

/**
 * Builds the backend for `config` (a kind or a preset name), behind the redaction boundary: its
 * errors, notices and URL carry none of its secrets (redacting-backend.ts). Fails fast with a
 * BackendError: 'missing_key' for a hosted API without a key, 'bad_request' for an unknown name or
 * a base URL that is not a URL.
 */
export function createBackend(config: BackendConfig): Backend {
	const secrets = secretsOf({...config, apiKey: config.apiKey ?? keyFromEnvironment(config)});
	try {
		return redactingBackend(buildBackend(config), secrets);
	} catch (error) {
		throw redactError(error, secrets);
	}
}

/** The key the backend will read from the environment when the config names none. */
function keyFromEnvironment(config: BackendConfig): string | undefined {
	if (!isBackendName(config.kind) || kindOf(config.kind) === 'demo') return undefined;
	return defaultApiKey(config.kind, process.env, config.baseURL) ?? (kindOf(config.kind) === 'anthropic' ? process.env['ANTHROPIC_AUTH_TOKEN'] : undefined);
}

function buildBackend(config: BackendConfig): Backend {
	const name: string = config.kind;
	if (!isBackendName(name)) {
		throw new BackendError(`Unknown backend '${name}': use one of ${BACKEND_NAMES.join(', ')}.`, 'bad_request');
	}
	const kind = kindOf(name);
	if (config.baseURL !== undefined && config.baseURL.trim() !== '' && kind !== 'demo') checkURL(config.baseURL);
	if (kind === 'openai') return new OpenAIBackend(config);
	if (kind === 'anthropic') return new AnthropicBackend(config);
	return new DemoBackend();
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
