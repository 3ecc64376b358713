// The one interface every model backend implements. The engine only ever talks to this.

export type BackendKind = 'openai' | 'anthropic' | 'demo';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
	role: ChatRole;
	content: string;
}

export interface Usage {
	inputTokens: number;
	outputTokens: number;
}

export interface StreamOptions {
	model: string;
	temperature?: number;
	maxTokens?: number;
	signal?: AbortSignal;
}

export type StreamChunk =
	| {type: 'text'; text: string}
	| {type: 'usage'; usage: Usage};

export interface Backend {
	readonly kind: BackendKind;
	/** The base URL requests go to (undefined for the offline demo). */
	readonly baseURL?: string;
	/** Streams text deltas, then exactly one usage chunk at the end. */
	stream(messages: ChatMessage[], options: StreamOptions): AsyncIterable<StreamChunk>;
	listModels(signal?: AbortSignal): Promise<string[]>;
}

export interface BackendConfig {
	kind: BackendKind;
	baseURL?: string;
	apiKey?: string;
	/** Per-request timeout in milliseconds. */
	timeoutMs?: number;
	/** Retries for 429 and 5xx (with backoff). */
	maxRetries?: number;
}

export type BackendErrorCode =
	| 'unreachable'
	| 'auth'
	| 'not_found'
	| 'rate_limited'
	| 'server'
	| 'bad_request'
	| 'timeout'
	| 'aborted'
	| 'missing_key';

/** A backend failure with a one-line message fit for a user (names the URL and what to do). */
export class BackendError extends Error {
	constructor(
		message: string,
		readonly code: BackendErrorCode,
		readonly status?: number,
	) {
		super(message);
		this.name = 'BackendError';
	}
}

export const zeroUsage = (): Usage => ({inputTokens: 0, outputTokens: 0});

export function addUsage(a: Usage, b: Usage): Usage {
	return {inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens};
}

/** A finished, non-streamed completion (OpenAIBackend.complete / AnthropicBackend.complete). */
export interface Completion {
	text: string;
	usage: Usage;
}

/** Defaults for BackendConfig.timeoutMs and BackendConfig.maxRetries. */
export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
export const DEFAULT_MAX_RETRIES = 2;
