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

/** Why a reply ended, in the OpenAI wire's words: `stop` (the model finished), `length` (cut at the
 * output-token limit: OpenAI `finish_reason: "length"`, Anthropic `stop_reason: "max_tokens"`), or
 * `other` (content filter, tool call, a stream that ended without saying). */
export type FinishReason = 'stop' | 'length' | 'other';

/** One piece of a streamed reply. `reasoning` is the model's thinking (reasoning fields, `<think>`
 * text, Anthropic thinking blocks): shown, logged, never run and never the answer. */
export type StreamChunk =
	| {type: 'text'; text: string}
	| {type: 'reasoning'; text: string}
	| {type: 'usage'; usage: Usage; finishReason: FinishReason};

export interface Backend {
	readonly kind: BackendKind;
	/** The base URL requests go to (undefined for the offline demo). */
	readonly baseURL?: string;
	/** Streams text and reasoning deltas, then exactly one usage chunk (with the finish reason) at the end. */
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
	/** The model's thinking, when it sent any (empty otherwise). */
	reasoning: string;
	usage: Usage;
	finishReason: FinishReason;
}

/** Defaults for BackendConfig.timeoutMs and BackendConfig.maxRetries. */
export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
export const DEFAULT_MAX_RETRIES = 2;
