// Anthropic backend through `@anthropic-ai/sdk` (the Messages API, streamed).

import type Anthropic from '@anthropic-ai/sdk';
import type {ClientOptions} from '@anthropic-ai/sdk';
import {sdkRetryNotice, brokenStreamError, droppedBy, droppedStreamError, isConnectionCut, listModelIds, missingKeyError, notAReplyError, raceAbort, recognizeSdkErrors, stalledStreamError, streamFailure, throwIfNotAReply, toBackendError, type ErrorContext} from './errors.js';
import {StreamStalled, withIdleTimeout} from './idle-timeout.js';
import {contextWindowTokens, estimateMessagesTokens, estimateTokens} from './model-info.js';
import {defaultApiKey, defaultBaseURL, DEFAULT_ANTHROPIC_BASE_URL} from '../protocol/backends.js';
import {inspectingFetch} from './response-body.js';
import {splitBaseURL} from './base-url.js';
import {withRetries, withStreamRetries} from './stream-retry.js';
import {ANTHROPIC_SDK_WAIT, retryTellingFetch, SdkRetryWatch, toldRetries} from './sdk-retries.js';
import {deprecationNotice, withSdkWarnings} from './sdk-warnings.js';
import {splitThinkText} from './reasoning.js';
import {
	DEFAULT_MAX_RETRIES,
	DEFAULT_TIMEOUT_MS,
	MAX_TIMEOUT_MS,
	type Backend,
	type BackendError,
	type BackendConfig,
	type ChatMessage,
	type CompleteOptions,
	type Completion,
	type FinishReason,
	type StreamChunk,
	type StreamOptions,
	type Usage,
} from './types.js';

export {DEFAULT_ANTHROPIC_BASE_URL} from '../protocol/backends.js';
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 8192;
/** Sent to a custom Anthropic-compatible URL when no key is given (proxies often need none). */
export const ANTHROPIC_PLACEHOLDER_KEY = 'not-needed';
/** What stands in for a missing first user turn (the Messages API requires one). */
export const CONTINUE_PROMPT = 'Continue.';

function nonEmpty(value: string | undefined): string | undefined {
	return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The SDK appends /v1/messages itself, so a URL the user gave ending in /v1 loses it. */
export function normalizeAnthropicBaseURL(url: string): string {
	return url.replace(/\/+$/, '').replace(/\/v1$/, '').replace(/\/+$/, '');
}

export function isOfficialAnthropic(url: string): boolean {
	try {
		return new URL(url).hostname.toLowerCase() === 'api.anthropic.com';
	} catch {
		return false;
	}
}

export interface AnthropicPrompt {
	system?: string;
	messages: Array<{role: 'user' | 'assistant'; content: string}>;
}

/**
 * Chat messages to the Messages API's shape: system messages joined into `system`, consecutive
 * same-role turns merged, the first turn a user turn, no empty text.
 */
export function toAnthropicPrompt(messages: readonly ChatMessage[]): AnthropicPrompt {
	const system: string[] = [];
	const turns: Array<{role: 'user' | 'assistant'; content: string}> = [];
	for (const message of messages) {
		if (message.role === 'system') {
			if (message.content.trim() !== '') system.push(message.content);
			continue;
		}
		const last = turns.at(-1);
		if (last && last.role === message.role) {
			last.content = joinContent(last.content, message.content);
		} else {
			turns.push({role: message.role, content: message.content});
		}
	}
	if (turns.length === 0 || turns[0]!.role !== 'user') turns.unshift({role: 'user', content: CONTINUE_PROMPT});
	for (const turn of turns) {
		// The API rejects empty text blocks.
		if (turn.content.trim() === '') turn.content = turn.role === 'user' ? CONTINUE_PROMPT : '(empty)';
	}
	const prompt: AnthropicPrompt = {messages: turns};
	if (system.length > 0) prompt.system = system.join('\n\n');
	return prompt;
}

function joinContent(a: string, b: string): string {
	if (a === '') return b;
	if (b === '') return a;
	return `${a}\n\n${b}`;
}

/** An Anthropic `stop_reason` in our words: `max_tokens` is the OpenAI wire's `length`, `refusal`
 * (Claude 4's streaming classifiers stopped the reply: platform.claude.com "Handle streaming
 * refusals") its `content_filter`; `model_context_window_exceeded` (the reply filled the context
 * window) is `context_window`, a cut like `length`; `pause_turn` (the server paused a long turn of
 * server tools) is `paused`, an unfinished reply (the AI SDK's map-anthropic-stop-reason.ts reads
 * the first as its length cut). */
export function stopReasonOf(reason: string | null | undefined): FinishReason {
	if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop';
	if (reason === 'max_tokens') return 'length';
	if (reason === 'model_context_window_exceeded') return 'context_window';
	if (reason === 'pause_turn') return 'paused';
	if (reason === 'refusal') return 'content_filter';
	return 'other';
}

let sdk: Promise<typeof Anthropic> | undefined;

/** The SDK, loaded on first use: about 1 MB of code that a run on another backend never needs. */
function loadSdk(): Promise<typeof Anthropic> {
	sdk ??= import('@anthropic-ai/sdk').then(({default: Sdk}) => {
		recognizeSdkErrors(Sdk);
		return Sdk;
	});
	return sdk;
}

export class AnthropicBackend implements Backend {
	readonly kind = 'anthropic' as const;
	readonly name = 'anthropic' as const;
	readonly baseURL: string;
	readonly timeoutMs: number;
	readonly maxRetries: number;
	/** Made once the SDK has loaded (it starts loading with the backend). */
	private readonly client: Promise<Anthropic>;
	/** Models whose deprecation was told. */
	private readonly warnedModels = new Set<string>();

	/** Throws BackendError 'missing_key' for the official API without a key. */
	constructor(config: Partial<BackendConfig> = {}) {
		const split = splitBaseURL(nonEmpty(config.baseURL) ?? defaultBaseURL('anthropic', process.env) ?? DEFAULT_ANTHROPIC_BASE_URL);
		this.baseURL = normalizeAnthropicBaseURL(split.baseURL);
		const headers = {...config.headers, ...(split.basicAuth ? {Authorization: split.basicAuth} : {})};
		this.timeoutMs = Math.min(config.timeoutMs ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
		this.maxRetries = config.maxRetries ?? DEFAULT_MAX_RETRIES;
		const apiKey = nonEmpty(config.apiKey) ?? defaultApiKey('anthropic', process.env);
		const authToken = apiKey === undefined ? nonEmpty(process.env['ANTHROPIC_AUTH_TOKEN']) : undefined;
		const common = {
			baseURL: this.baseURL,
			timeout: this.timeoutMs,
			maxRetries: this.maxRetries,
			...(Object.keys(headers).length > 0 ? {defaultHeaders: headers} : {}),
			...(Object.keys(split.query).length > 0 ? {defaultQuery: split.query} : {}),
			fetch: retryTellingFetch(inspectingFetch(config.fetch), this.maxRetries, ANTHROPIC_SDK_WAIT),
			// The SDK logs unparsable events to the console, which would draw over the TUI.
			logLevel: 'off' as const,
		};
		let options: ClientOptions;
		if (apiKey !== undefined) options = {...common, apiKey};
		else if (authToken !== undefined) options = {...common, authToken};
		else if (isOfficialAnthropic(this.baseURL)) throw missingKeyError('anthropic');
		else options = {...common, apiKey: ANTHROPIC_PLACEHOLDER_KEY};
		this.client = loadSdk().then((Sdk) => new Sdk(options));
		// A failed load is reported by the request that awaits it.
		this.client.catch(() => {});
	}

	private context(options?: {model?: string; signal?: AbortSignal}): ErrorContext {
		return {kind: 'anthropic', baseURL: this.baseURL, model: options?.model, signal: options?.signal, timeoutMs: this.timeoutMs, maxRetries: this.maxRetries};
	}

	private params(messages: ChatMessage[], options: StreamOptions): Anthropic.MessageCreateParamsNonStreaming {
		const prompt = toAnthropicPrompt(messages);
		const params: Anthropic.MessageCreateParamsNonStreaming = {
			model: options.model,
			max_tokens: options.maxOutputTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
			messages: prompt.messages,
		};
		if (prompt.system !== undefined) params.system = prompt.system;
		// options.temperature is not sent: the Messages API has deprecated sampling parameters and
		// this SDK no longer types them.
		return params;
	}

	stream(messages: ChatMessage[], options: StreamOptions): AsyncGenerator<StreamChunk> {
		return withStreamRetries(() => this.streamOnce(messages, options), {maxRetries: this.maxRetries, signal: options.signal});
	}

	private async *streamOnce(messages: ChatMessage[], options: StreamOptions): AsyncGenerator<StreamChunk> {
		const {signal} = options;
		const context = this.context(options);
		let output = '';
		/** The answer text alone (output is thinking and answer). */
		let answer = '';
		// Only answer text starts a reply: a stream that ends or stalls while the model is still
		// thinking (thinking blocks, or `<think>` text) is retried like an error event at that point.
		const answerBegan = () => splitThinkText(answer).text.trim() !== '';
		let inputTokens: number | undefined;
		let outputTokens: number | undefined;
		let stopReason: string | null | undefined;
		let events = 0;
		let stopped = false;
		let answered = false;
		let stalled = false;
		/** What the retry notice says of a connection that broke after the reply began. */
		let broke: BackendError | undefined;
		let response: Response | undefined;
		try {
			if (signal?.aborted) throw toBackendError(undefined, context);
			const client = await raceAbort(this.client, signal);
			// The SDK's own retries of a failed try, each told as it happens (sdk-retries.ts).
			const watch = new SdkRetryWatch(signal);
			const {sending, notices} = watch.run((headers) => {
				const params = {...this.params(messages, options), stream: true as const};
				return this.create(options.model, () => client.messages.create(params, {signal, headers}).withResponse());
			});
			// Awaited below, after the notices: a failure meanwhile is not unhandled.
			sending.catch(() => undefined);
			yield* notices;
			const {data: stream, response: raw} = yield* watch.notices(raceAbort(sending, signal), (failure) => sdkRetryNotice(context, failure));
			answered = true;
			response = raw;
			throwIfNotAReply(response, context);
			for await (const event of withIdleTimeout(stream, this.timeoutMs, () => stream.controller.abort(), () => stalledStreamError(context, answerBegan()))) {
				events++;
				switch (event.type) {
					case 'message_start': {
						// Anthropic-compatible proxies do not always send usage.
						const usage = event.message.usage as Partial<Anthropic.Usage> | undefined;
						if (typeof usage?.input_tokens === 'number') {
							inputTokens = usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
						}
						if (typeof usage?.output_tokens === 'number') outputTokens = usage.output_tokens;
						break;
					}
					case 'content_block_delta': {
						if (event.delta.type === 'text_delta' && event.delta.text !== '') {
							output += event.delta.text;
							answer += event.delta.text;
							yield {type: 'text', text: event.delta.text};
						} else if (event.delta.type === 'thinking_delta' && event.delta.thinking !== '') {
							// Thinking blocks come before the text; their signature_delta carries no text.
							output += event.delta.thinking;
							yield {type: 'reasoning', text: event.delta.thinking};
						}
						break;
					}
					case 'message_delta': {
						stopReason = event.delta.stop_reason ?? stopReason;
						// Cumulative counts.
						const usage = event.usage as Partial<Anthropic.MessageDeltaUsage> | undefined;
						if (typeof usage?.output_tokens === 'number') outputTokens = usage.output_tokens;
						if (typeof usage?.input_tokens === 'number' && usage.input_tokens > 0) {
							inputTokens = usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
						}
						break;
					}
					case 'message_stop':
						stopped = true;
						break;
					default:
						break;
				}
			}
			if (signal?.aborted) throw toBackendError(undefined, context);
			if (events === 0) throw notAReplyError(context, 'an empty stream (no events)');
		} catch (error) {
			// A connection that broke after the reply began (or after its stop_reason) leaves what was
			// read: judged below like a stream that ended.
			const broken = error instanceof StreamStalled || isConnectionCut(error);
			if (signal?.aborted || !answered || !broken) throw streamFailure(error, context, answered, response);
			if (!answerBegan() && stopReason == null && !stopped) throw error instanceof StreamStalled ? error : brokenStreamError(context, error);
			stalled = error instanceof StreamStalled;
			if (!stalled) broke = brokenStreamError(context, error);
		}
		// No stop_reason and no message_stop: the server or a proxy dropped the stream. Before any
		// answer text, it is retried (withStreamRetries); after, the reply is marked incomplete, and
		// withStreamRetries retries it while retries are left (it is kept so after the last).
		const dropped = stopReason == null && !stopped;
		if (dropped && !answerBegan()) throw droppedStreamError(context, 'no message_delta stop_reason and no message_stop');
		yield {
			type: 'usage',
			// A cut reply counts what the server reported, or nothing: not an estimate passed off as usage.
			usage: {
				inputTokens: inputTokens ?? (dropped ? 0 : estimateMessagesTokens(messages)),
				outputTokens: outputTokens ?? (dropped ? 0 : estimateTokens(output)),
			},
			finishReason: dropped ? 'dropped' : stopReasonOf(stopReason),
			...(dropped && stalled ? {stalledMs: this.timeoutMs} : {}),
			// Retried (withStreamRetries), as a cut before the answer is; not a stall, which would wait the timeout again.
			...(dropped && !stalled ? droppedBy(broke ?? droppedStreamError(context, 'no message_delta stop_reason and no message_stop')) : {}),
		};
	}

	/**
	 * One non-streamed completion; thinking blocks and <think> text go to `reasoning`. A 200 whose body
	 * is an error (`{"type": "error", "error": {...}}`, as a proxy may send it) is retried as a stream's
	 * error event is (up to maxRetries), then thrown.
	 */
	complete(messages: ChatMessage[], options: CompleteOptions): Promise<Completion> {
		const once = () => toldRetries(options, (headers) => this.completeOnce(messages, options, headers), (failure) => sdkRetryNotice(this.context(options), failure));
		return withRetries(once, {maxRetries: this.maxRetries, signal: options.signal, ...(options.onNotice ? {onNotice: options.onNotice} : {})});
	}

	/** messages.create, with the SDK's console warnings kept from the console: a deprecated model's
	 * becomes a notice, once per model for the backend's life (the SDK warns on every request). */
	private create<T>(model: string, call: () => T): {sending: T; notices: Array<Extract<StreamChunk, {type: 'notice'}>>} {
		const {result, warnings} = withSdkWarnings(call);
		const notices: Array<Extract<StreamChunk, {type: 'notice'}>> = [];
		for (const warning of warnings) {
			const notice = deprecationNotice(warning);
			if (notice === undefined || this.warnedModels.has(model)) continue;
			this.warnedModels.add(model);
			notices.push({type: 'notice', code: 'model_deprecated', message: notice, level: 'warn'});
		}
		return {sending: result, notices};
	}

	/** `headers`: request headers of the SDK call (a retry watch's, sdk-retries.ts). */
	private async completeOnce(messages: ChatMessage[], options: CompleteOptions, headers?: Record<string, string>): Promise<Completion> {
		const {signal} = options;
		const context = this.context(options);
		/** The 200 came: a failure from here on is in its body (the SDK retried what came before). */
		let answered = false;
		try {
			if (signal?.aborted) throw toBackendError(undefined, context);
			const client = await raceAbort(this.client, signal);
			const params = this.params(messages, options);
			const {sending, notices} = this.create(options.model, () => client.messages.create(params, {signal, ...(headers ? {headers} : {})}).withResponse());
			for (const notice of notices) options.onNotice?.(notice);
			const {data: response, response: raw} = await raceAbort(sending, signal);
			answered = true;
			throwIfNotAReply(raw, context);
			if (typeof response !== 'object' || response === null || !Array.isArray(response.content)) {
				const body = response as unknown;
				if (typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object' && body.error !== null) {
					// An error in the 200 body: thrown as the SDK throws an `event: error`, in the server's words.
					const {APIError} = await loadSdk();
					throw new APIError(undefined, body, undefined, raw.headers);
				}
				throw notAReplyError(context, 'JSON that is not a message');
			}
			let content = '';
			let thinking = '';
			for (const block of response.content) {
				if (block.type === 'text') content += block.text;
				else if (block.type === 'thinking') thinking += block.thinking;
			}
			const split = splitThinkText(content);
			const text = split.text;
			const reasoning = thinking + split.reasoning;
			const reported = response.usage as Partial<Anthropic.Usage> | undefined;
			const usage: Usage = {
				inputTokens:
					typeof reported?.input_tokens === 'number'
						? reported.input_tokens + (reported.cache_read_input_tokens ?? 0) + (reported.cache_creation_input_tokens ?? 0)
						: estimateMessagesTokens(messages),
				outputTokens: typeof reported?.output_tokens === 'number' ? reported.output_tokens : estimateTokens(text),
			};
			return {text, reasoning, reasoningInText: split.reasoning !== '', usage, finishReason: stopReasonOf(response.stop_reason)};
		} catch (error) {
			const converted = toBackendError(error, context);
			if (!answered) converted.transient = false;
			throw converted;
		}
	}

	async listModels(signal?: AbortSignal): Promise<string[]> {
		const client = await this.client;
		return listModelIds((bounded) => client.models.list({}, {signal: bounded}), signal, this.context({signal}));
	}

	/** The model catalog's window for `model` (the Messages API does not report one). */
	async contextWindow(model: string): Promise<{tokens: number; source: string} | undefined> {
		const tokens = contextWindowTokens(model);
		return tokens ? {tokens, source: 'the model catalog'} : undefined;
	}
}
