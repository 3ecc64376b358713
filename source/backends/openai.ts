// OpenAI-compatible backend (Ollama, vLLM, LM Studio, llama.cpp server, OpenAI) through the `openai` SDK.

import OpenAI from 'openai';
import type {ChatCompletionCreateParams} from 'openai/resources/chat/completions';
import {listModelIds, missingKeyError, raceAbort, toBackendError, type ErrorContext} from './errors.js';
import {estimateMessagesTokens, estimateTokens} from './model-info.js';
import {
	DEFAULT_MAX_RETRIES,
	DEFAULT_TIMEOUT_MS,
	type Backend,
	type BackendConfig,
	type ChatMessage,
	type Completion,
	type FinishReason,
	type StreamChunk,
	type StreamOptions,
	type Usage,
} from './types.js';

export const DEFAULT_OPENAI_BASE_URL = 'http://localhost:11434/v1';
/** The key sent to local servers when none is given (they ignore it; the SDK insists on one). */
export const LOCAL_PLACEHOLDER_KEY = 'ollama';

function nonEmpty(value: string | undefined): string | undefined {
	return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function hostOf(url: string): string | undefined {
	try {
		return new URL(url).hostname.toLowerCase();
	} catch {
		return undefined;
	}
}

export function isOfficialOpenAI(url: string): boolean {
	const host = hostOf(url);
	return host === 'api.openai.com';
}

/** An OpenAI `finish_reason` in our words (null or absent: the stream ended without saying). */
export function finishReasonOf(reason: string | null | undefined): FinishReason {
	if (reason === 'stop') return 'stop';
	if (reason === 'length') return 'length';
	return 'other';
}

export class OpenAIBackend implements Backend {
	readonly kind = 'openai' as const;
	readonly baseURL: string;
	readonly timeoutMs: number;
	readonly maxRetries: number;
	private readonly client: OpenAI;

	/** Throws BackendError 'missing_key' for api.openai.com without a key. */
	constructor(config: Omit<BackendConfig, 'kind'> = {}) {
		this.baseURL = (
			nonEmpty(config.baseURL) ??
			nonEmpty(process.env['OPENAI_BASE_URL']) ??
			DEFAULT_OPENAI_BASE_URL
		).replace(/\/+$/, '');
		this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		this.maxRetries = config.maxRetries ?? DEFAULT_MAX_RETRIES;
		let apiKey = nonEmpty(config.apiKey) ?? nonEmpty(process.env['OPENAI_API_KEY']);
		if (apiKey === undefined) {
			if (isOfficialOpenAI(this.baseURL)) throw missingKeyError('openai');
			apiKey = LOCAL_PLACEHOLDER_KEY;
		}
		this.client = new OpenAI({
			apiKey,
			baseURL: this.baseURL,
			timeout: this.timeoutMs,
			maxRetries: this.maxRetries,
		});
	}

	private context(options?: {model?: string; signal?: AbortSignal}): ErrorContext {
		return {kind: 'openai', baseURL: this.baseURL, model: options?.model, signal: options?.signal, timeoutMs: this.timeoutMs};
	}

	private params(messages: ChatMessage[], options: StreamOptions): ChatCompletionCreateParams {
		const params: ChatCompletionCreateParams = {
			model: options.model,
			messages: messages.map((message) => ({role: message.role, content: message.content})),
		};
		if (options.temperature !== undefined) params.temperature = options.temperature;
		if (options.maxTokens !== undefined) {
			// OpenAI itself wants max_completion_tokens (its reasoning models reject max_tokens);
			// local servers know max_tokens best.
			if (isOfficialOpenAI(this.baseURL)) params.max_completion_tokens = options.maxTokens;
			else params.max_tokens = options.maxTokens;
		}
		return params;
	}

	async *stream(messages: ChatMessage[], options: StreamOptions): AsyncGenerator<StreamChunk> {
		const {signal} = options;
		const context = this.context(options);
		let output = '';
		let serverUsage: Usage | undefined;
		let finish: string | null | undefined;
		try {
			if (signal?.aborted) throw toBackendError(undefined, context);
			const stream = await raceAbort(
				this.client.chat.completions.create(
					{...this.params(messages, options), stream: true, stream_options: {include_usage: true}},
					{signal},
				),
				signal,
			);
			for await (const chunk of stream) {
				finish = chunk.choices?.[0]?.finish_reason ?? finish;
				const delta = chunk.choices?.[0]?.delta?.content;
				if (typeof delta === 'string' && delta !== '') {
					output += delta;
					yield {type: 'text', text: delta};
				}
				if (chunk.usage) {
					serverUsage = {
						inputTokens: chunk.usage.prompt_tokens ?? 0,
						outputTokens: chunk.usage.completion_tokens ?? 0,
					};
				}
			}
			// The SDK ends the iteration quietly when the request is aborted.
			if (signal?.aborted) throw toBackendError(undefined, context);
		} catch (error) {
			throw toBackendError(error, context);
		}
		yield {
			type: 'usage',
			usage: serverUsage ?? {inputTokens: estimateMessagesTokens(messages), outputTokens: estimateTokens(output)},
			finishReason: finishReasonOf(finish),
		};
	}

	/** One non-streamed completion. */
	async complete(messages: ChatMessage[], options: StreamOptions): Promise<Completion> {
		const {signal} = options;
		const context = this.context(options);
		try {
			if (signal?.aborted) throw toBackendError(undefined, context);
			const response = await raceAbort(
				this.client.chat.completions.create({...this.params(messages, options), stream: false}, {signal}),
				signal,
			);
			const text = response.choices?.[0]?.message?.content ?? '';
			const finishReason = finishReasonOf(response.choices?.[0]?.finish_reason);
			const usage: Usage = response.usage
				? {inputTokens: response.usage.prompt_tokens ?? 0, outputTokens: response.usage.completion_tokens ?? 0}
				: {inputTokens: estimateMessagesTokens(messages), outputTokens: estimateTokens(text)};
			return {text, reasoning: '', usage, finishReason};
		} catch (error) {
			throw toBackendError(error, context);
		}
	}

	listModels(signal?: AbortSignal): Promise<string[]> {
		return listModelIds(this.client.models.list({signal}), signal, this.context({signal}));
	}
}
