// The one interface every model backend implements. The engine only ever talks to this.
import type {BackendKind, BackendName} from '../protocol/backends.js';
import type {BackendErrorCode, ChatMessage, FinishReason, NoticeCode, RetryFacts, Usage} from '../protocol/llm.js';
import {DEFAULT_REQUEST_TIMEOUT_SECONDS, MAX_REQUEST_TIMEOUT_SECONDS} from '../protocol/defaults.js';
import type {ParamMemory} from './request-params.js';

export type {BackendKind, BackendName} from '../protocol/backends.js';
export type {BackendErrorCode, ChatMessage, ChatRole, FinishReason, NoticeCode, RetryFacts, Usage} from '../protocol/llm.js';
export {addUsage, zeroUsage} from '../protocol/llm.js';

export interface StreamOptions {
	model: string;
	/** The caller's choice. Absent: OpenAI-compatible servers get DEFAULT_TEMPERATURE (0.7), except
	 * models that take none (GPT-5, the o-series), which get no temperature at all. */
	temperature?: number;
	/** Output-token limit (sent as max_tokens, or max_completion_tokens where the model wants it). */
	maxOutputTokens?: number;
	signal?: AbortSignal;
}

/** One piece of a streamed reply. `reasoning` is the model's thinking (reasoning fields, `<think>`
 * text, Anthropic thinking blocks): shown, logged, never run and never the answer. `notice` is
 * something the user should know about the request (a parameter the server refused, a retry). */
export type StreamChunk =
	| {type: 'text'; text: string}
	| {type: 'reasoning'; text: string}
	/** `level` 'warn': something the user asked for is not done (a temperature they set, dropped). */
	/** `replyWithdrawn` (on a `stream_retried` notice): answer text had streamed before the failure,
	 * and it is withdrawn: the retried reply streams again from its start, so whatever shows or keeps
	 * the reply drops its text so far (its thinking stays). `retry` (on a `stream_retried` notice): the
	 * retry's facts, which front ends show instead of reading the message: every retry notice has them. */
	| ({type: 'notice'; message: string; level?: 'warn'; replyWithdrawn?: true} & ({code: Exclude<NoticeCode, 'stream_retried'>; retry?: undefined} | {code: 'stream_retried'; retry: RetryFacts}))
	/** `stalledMs`: the reply is 'dropped' because no part of it came for this long, the request
	 * timeout (BackendConfig.timeoutMs), so the client ended it: not the server. */
	| {
			type: 'usage';
			usage: Usage;
			finishReason: FinishReason;
			stalledMs?: number;
			/** On a 'dropped' reply the server or a proxy cut (not the request timeout): one sentence saying
			 * how. withStreamRetries retries such a reply; the last try's keeps it, for the engine's notice. */
			droppedBy?: string;
			/** With `droppedBy`: how, in a few words without the server's name (BackendError.summary). */
			droppedSummary?: string;
	  };

export interface Backend {
	readonly kind: BackendKind;
	/** The name the user chose: a kind, or a preset such as 'groq' or 'lmstudio'. */
	readonly name: BackendName;
	/** The base URL requests go to (undefined for the offline demo). */
	readonly baseURL?: string;
	/** Streams text and reasoning deltas, then exactly one usage chunk (with the finish reason) at the end. */
	stream(messages: ChatMessage[], options: StreamOptions): AsyncIterable<StreamChunk>;
	listModels(signal?: AbortSignal): Promise<string[]>;
	/** `model`'s context window in tokens as this server runs it, when it can tell; never rejects. */
	contextWindow?(model: string, signal?: AbortSignal): Promise<{tokens: number; source: string} | undefined>;
	/** How to give `model` a larger context window on this server (for a truncated-prompt warning). */
	windowAdvice?(model: string): string | undefined;
}

export interface BackendConfig {
	/** A kind, or a preset name ('groq', 'lmstudio', ...: see protocol/backends.ts). */
	kind: BackendName;
	/** Default: the preset's URL, or where the environment points (protocol/backends.ts defaultBaseURL). */
	baseURL?: string;
	/** Default: the backend's key variable (OPENAI_API_KEY, GROQ_API_KEY, ...). */
	apiKey?: string;
	/** Extra request headers (gateways such as Portkey; Azure's api-key is set from the key). */
	headers?: Record<string, string>;
	/** The model the session starts with: with OPENAI_API_KEY set and no URL, an OpenAI model goes
	 * to api.openai.com rather than local Ollama. */
	model?: string;
	/** Per-request timeout in milliseconds: for the reply to start (each try; the SDK retries a
	 * timeout), and between the parts of a streamed reply. At most MAX_TIMEOUT_MS (more is
	 * lowered to it: Node's fetch waits no longer). */
	timeoutMs?: number;
	/** Retries for 429 and 5xx (with backoff), and for error events inside a stream (after answer text
	 * too: the reply so far is then withdrawn). */
	maxRetries?: number;
	/** Where refused request parameters are remembered (default: the process's session memory). */
	paramMemory?: ParamMemory;
	/** The fetch requests go through (default: the global fetch), e.g. one with a proxy agent. */
	fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
}

/**
 * A backend failure: a one-line message fit for a user that names the URL and what went wrong,
 * its stable code, and apart from the message what to do about it in the command line's words
 * (`advice`: "Start the server (`ollama serve`), pass -u URL, or try -b demo."). The command line
 * prints both (protocol/errors.ts `withAdvice`); the TUI gives its own advice by the code.
 */
export class BackendError extends Error {
	/** An error event inside a stream (or a cut connection) that a retry may get past. */
	transient = false;
	/** How long the server asked to wait before a retry, in ms (retry-after, or a wait its error body
	 * names): a retry of a `transient` error waits this long instead of the backoff. */
	retryAfterMs?: number;
	/** What failed in a few words, without the server's name and address ("503: Service
	 * Unavailable", "the server closed the connection mid-stream"): a retry notice's cause. */
	summary?: string;

	constructor(
		message: string,
		readonly code: BackendErrorCode,
		readonly status?: number,
		readonly advice?: string,
	) {
		super(message);
		this.name = 'BackendError';
	}
}

/** StreamOptions for a non-streamed completion (complete()), which has no stream to carry notices. */
export interface CompleteOptions extends StreamOptions {
	/** Told each retry as it comes (a `stream_retried` notice, as a stream would carry it). */
	onNotice?: (notice: Extract<StreamChunk, {type: 'notice'}>) => void;
}

/** A finished, non-streamed completion (OpenAIBackend.complete / AnthropicBackend.complete). */
export interface Completion {
	text: string;
	/** The model's thinking, when it sent any (empty otherwise). */
	reasoning: string;
	/** Some of the reasoning came inside the answer text (`<think>…</think>`), not in a reasoning
	 * field or thinking block (as ModelCallResult.reasoningInText for a streamed reply). */
	reasoningInText?: boolean;
	usage: Usage;
	finishReason: FinishReason;
}

/** Defaults for BackendConfig.timeoutMs and BackendConfig.maxRetries. */
export const DEFAULT_TIMEOUT_MS = DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000;
/** The longest timeout that is honoured (protocol/defaults.ts MAX_REQUEST_TIMEOUT_SECONDS). */
export const MAX_TIMEOUT_MS = MAX_REQUEST_TIMEOUT_SECONDS * 1000;
export const DEFAULT_MAX_RETRIES = 2;
