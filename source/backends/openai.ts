// OpenAI-compatible backend (Ollama, vLLM, LM Studio, llama.cpp server, OpenAI) through the `openai` SDK.

import type OpenAI from 'openai';
import type {ChatCompletionChunk, ChatCompletionCreateParams} from 'openai/resources/chat/completions';
import type {Stream} from 'openai/streaming';
import {sdkRetryNotice, brokenStreamError, droppedBy, droppedStreamError, errorFinishError, isConnectionCut, listModelIds, missingKeyError, notAReplyError, raceAbort, recognizeSdkErrors, stalledStreamError, streamFailure, throwIfNotAReply, serverMessage, toBackendError, type ErrorContext} from './errors.js';
import {contextWindowTokens, estimateMessagesTokens, estimateTokens} from './model-info.js';
import {contentParts, reasoningField, splitThinkText} from './reasoning.js';
import {
	defaultApiKey,
	defaultBaseURL,
	DEFAULT_OPENAI_BASE_URL,
	isAzureURL,
	keyEnvOf,
	kindOf,
	presetOf,
	type BackendName,
} from '../protocol/backends.js';
import {
	adjustmentNotice,
	DEFAULT_TEMPERATURE,
	isReasoningFamily,
	refusedParameter,
	refusesStreaming,
	refusesSystemRole,
	restrictionNotice,
	sessionParamMemory,
	type ParamMemory,
} from './request-params.js';
import {inspectingFetch, sawDoneEvent, sseErrorField} from './response-body.js';
import {StreamStalled, withIdleTimeout} from './idle-timeout.js';
import {splitBaseURL, type SplitBaseURL} from './base-url.js';
import {withRetries, withStreamRetries} from './stream-retry.js';
import {OPENAI_SDK_WAIT, retryTellingFetch, SdkRetryWatch, toldRetries} from './sdk-retries.js';
import {flavorOfName, probeWindow, windowAdviceFor, type ContextWindow, type ServerFlavor} from './server-window.js';
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

export {DEFAULT_OPENAI_BASE_URL} from '../protocol/backends.js';

let sdk: Promise<typeof OpenAI> | undefined;

/** The SDK, loaded on first use: about 350 KB of code that a run on another backend (Anthropic,
 * the demo) never needs. A backend starts loading it as it is made. */
function loadSdk(): Promise<typeof OpenAI> {
	sdk ??= import('openai').then(({default: Sdk}) => {
		recognizeSdkErrors(Sdk);
		return Sdk;
	});
	return sdk;
}

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

/** An OpenAI `finish_reason` in our words (null or absent: the stream ended without saying).
 * `refused`: the reply carried a `refusal` (it comes with `finish_reason: "stop"`), so it is one. */
export function finishReasonOf(reason: string | null | undefined, refused = false): FinishReason {
	if (refused && (reason === 'stop' || reason === null || reason === undefined)) return 'refusal';
	if (reason === 'stop') return 'stop';
	if (reason === 'length') return 'length';
	// OpenAI and Azure OpenAI: the output filter stopped the reply (its content may be partial or null).
	if (reason === 'content_filter') return 'content_filter';
	return 'other';
}

/** Azure's api-version: from the URL's query, else OPENAI_API_VERSION / AZURE_OPENAI_API_VERSION,
 * else the GA version for the deployment-style URLs that need one (the /openai/v1 API needs none). */
function azureApiVersion(split: SplitBaseURL): string | undefined {
	return (
		split.query['api-version'] ??
		nonEmpty(process.env['OPENAI_API_VERSION']) ??
		nonEmpty(process.env['AZURE_OPENAI_API_VERSION']) ??
		(/\/openai\/deployments\//.test(split.baseURL) ? AZURE_DEFAULT_API_VERSION : undefined)
	);
}

/** Azure OpenAI's GA data-plane version, for deployment URLs given without one. */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

export class OpenAIBackend implements Backend {
	readonly kind = 'openai' as const;
	readonly name: BackendName;
	readonly baseURL: string;
	readonly timeoutMs: number;
	readonly maxRetries: number;
	/** Made once the SDK has loaded (it starts loading with the backend). */
	private readonly client: Promise<OpenAI>;
	private readonly memory: ParamMemory;
	private readonly identity: Pick<ErrorContext, 'label' | 'keyEnv' | 'start'>;
	/** A hosted API (OpenAI, Azure, a hosted preset): windows come from the model catalog, no probing. */
	private readonly hosted: boolean;
	/** The kind of local server, once known (a preset says; else the first probe that answers). */
	private server: ServerFlavor | undefined;
	/** Windows the server confirmed, per model (null: a server that tells none); and probes under way. */
	private readonly windows = new Map<string, ContextWindow | null>();
	private readonly probing = new Map<string, Promise<ContextWindow | undefined>>();

	/**
	 * `config.kind` may name a preset ('groq', 'lmstudio', ...): its URL and key variable are the
	 * defaults. Throws BackendError 'missing_key' for a hosted API (OpenAI, Azure, a hosted preset)
	 * without a key.
	 */
	constructor(config: Partial<BackendConfig> = {}) {
		this.name = config.kind !== undefined && kindOf(config.kind) === 'openai' ? config.kind : 'openai';
		const preset = presetOf(this.name);
		const given = nonEmpty(config.baseURL) ?? defaultBaseURL(this.name, process.env, config.model) ?? DEFAULT_OPENAI_BASE_URL;
		const azure = isAzureURL(given);
		const split = splitBaseURL(given);
		const apiVersion = azure ? azureApiVersion(split) : undefined;
		const query = {...split.query, ...(apiVersion ? {'api-version': apiVersion} : {})};
		this.baseURL = split.baseURL;
		this.timeoutMs = Math.min(config.timeoutMs ?? DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS);
		this.maxRetries = config.maxRetries ?? DEFAULT_MAX_RETRIES;
		const keyEnv = keyEnvOf(this.name, this.baseURL);
		this.identity = {
			...(preset ? {label: preset.label} : {}),
			keyEnv,
			...(preset?.start ? {start: preset.start} : {}),
		};
		let apiKey = nonEmpty(config.apiKey) ?? defaultApiKey(this.name, process.env, this.baseURL);
		if (apiKey === undefined) {
			if (preset?.needsKey || isOfficialOpenAI(this.baseURL) || azure) throw missingKeyError(keyEnv);
			apiKey = LOCAL_PLACEHOLDER_KEY;
		}
		// Azure takes the key as `api-key`, not as a bearer token.
		const headers: Record<string, string | null> = {...config.headers};
		if (azure) Object.assign(headers, {'api-key': apiKey, Authorization: null});
		if (split.basicAuth) headers['Authorization'] = split.basicAuth;
		this.hosted = Boolean(preset?.needsKey) || isOfficialOpenAI(this.baseURL) || azure;
		this.server = flavorOfName(this.name);
		this.memory = config.paramMemory ?? sessionParamMemory;
		const options = {
			apiKey,
			baseURL: this.baseURL,
			timeout: this.timeoutMs,
			maxRetries: this.maxRetries,
			defaultHeaders: headers,
			...(Object.keys(query).length > 0 ? {defaultQuery: query} : {}),
			fetch: retryTellingFetch(inspectingFetch(config.fetch), this.maxRetries, OPENAI_SDK_WAIT),
			// The SDK logs unparsable chunks to the console, which would draw over the TUI.
			logLevel: 'off' as const,
		};
		this.client = loadSdk().then((Sdk) => new Sdk(options));
		// Awaited by every request; unhandled only by a backend that never sends one.
		this.client.catch(() => {});
	}

	private context(options?: {model?: string; signal?: AbortSignal}): ErrorContext {
		return {kind: 'openai', baseURL: this.baseURL, model: options?.model, signal: options?.signal, timeoutMs: this.timeoutMs, maxRetries: this.maxRetries, ...this.identity};
	}

	private params(messages: ChatMessage[], options: StreamOptions): ChatCompletionCreateParams {
		const params: ChatCompletionCreateParams = {
			model: options.model,
			messages: messages.map((message) => ({role: message.role, content: message.content})),
		};
		// GPT-5 and the o-series take no temperature but their default, whatever the host.
		const reasoning = isReasoningFamily(options.model);
		const temperature = options.temperature ?? (reasoning ? undefined : DEFAULT_TEMPERATURE);
		if (temperature !== undefined) params.temperature = temperature;
		if (options.maxOutputTokens !== undefined) {
			// OpenAI itself and its reasoning models anywhere want max_completion_tokens; local servers
			// know max_tokens best.
			if (reasoning || isOfficialOpenAI(this.baseURL)) params.max_completion_tokens = options.maxOutputTokens;
			else params.max_tokens = options.maxOutputTokens;
		}
		return params;
	}

	/**
	 * Sends `body` through `send`. A 400 (or 422) that names an optional parameter is retried without
	 * it (or under its other name), and the server's refusal is remembered for this base URL and model;
	 * the first time it is learned, a notice for the user goes into `notices`: a warning when what is
	 * dropped is a value the caller set (a temperature the user gave is not applied). A 400 refusing
	 * to stream the model is remembered the same way, and answered with `streamRefused()` (the caller
	 * asks for the reply whole) when the caller gives one.
	 */
	private async sendAdapting<T, W = never>(
		options: StreamOptions,
		body: ChatCompletionCreateParams,
		send: (body: ChatCompletionCreateParams) => Promise<T>,
		notices: StreamChunk[],
		streamRefused?: () => W,
	): Promise<T | W> {
		const {model} = options;
		let current = this.memory.apply(this.baseURL, model, body);
		const tried = new Set<string>();
		for (;;) {
			try {
				return await send(current);
			} catch (error) {
				const status = (error as {status?: unknown}).status;
				// A refusal comes from the server: the SDK sent the request, so it is loaded.
				const {APIError} = await loadSdk();
				if (!(error instanceof APIError) || (status !== 400 && status !== 422) || tried.size >= 6) throw error;
				const message = serverMessage(error) ?? '';
				if (streamRefused && status === 400 && refusesStreaming({message, param: error.param})) {
					if (this.memory.restrict(this.baseURL, model, 'noStream')) {
						notices.push({type: 'notice', code: 'param_dropped', message: restrictionNotice(model, this.baseURL, 'noStream', message)});
					}
					return streamRefused();
				}
				if (refusesSystemRole({message, param: error.param}) && current.messages.some((m) => m.role === 'system') && this.memory.restrict(this.baseURL, model, 'systemAsUser')) {
					notices.push({type: 'notice', code: 'param_dropped', message: restrictionNotice(model, this.baseURL, 'systemAsUser', message)});
					current = this.memory.apply(this.baseURL, model, body);
					continue;
				}
				const adjustment = refusedParameter({message, param: error.param, code: error.code}, Object.keys(current), tried);
				if (!adjustment) throw error;
				tried.add(adjustment.param);
				if (adjustment.replacement) tried.add(adjustment.replacement);
				if (this.memory.learn(this.baseURL, model, adjustment)) {
					const userValueLost = adjustment.param === 'temperature' && options.temperature !== undefined && !adjustment.replacement;
					notices.push({type: 'notice', code: 'param_dropped', message: adjustmentNotice(model, this.baseURL, adjustment), ...(userValueLost ? {level: 'warn' as const} : {})});
				}
				const next = this.memory.apply(this.baseURL, model, body);
				// A refusal the memory cannot act on (already applied) would loop: give up.
				if (JSON.stringify(next) === JSON.stringify(current)) throw error;
				current = next;
			}
		}
	}

	stream(messages: ChatMessage[], options: StreamOptions): AsyncGenerator<StreamChunk> {
		return withStreamRetries(() => this.streamOnce(messages, options), {maxRetries: this.maxRetries, signal: options.signal});
	}

	/**
	 * A reply asked for whole and handed on as one stream (its reasoning, its text, its usage): for a
	 * server that refuses to stream this model.
	 */
	private async *wholeReply(messages: ChatMessage[], options: StreamOptions): AsyncGenerator<StreamChunk> {
		// One try: the stream's retries (withStreamRetries) retry it, with their notice.
		const watch = new SdkRetryWatch(options.signal);
		const reply = yield* watch.notices(watch.run((headers) => this.completeOnce(messages, options, headers)), (failure) => sdkRetryNotice(this.context(options), failure));
		if (reply.reasoning !== '') yield {type: 'reasoning', text: reply.reasoning};
		if (reply.text !== '') yield {type: 'text', text: reply.text};
		yield {type: 'usage', usage: reply.usage, finishReason: reply.finishReason};
	}

	private async *streamOnce(messages: ChatMessage[], options: StreamOptions): AsyncGenerator<StreamChunk> {
		if (this.memory.refusesStreaming(this.baseURL, options.model)) {
			yield* this.wholeReply(messages, options);
			return;
		}
		const {signal} = options;
		const context = this.context(options);
		let output = '';
		/** The answer text alone (output is reasoning and answer). */
		let answer = '';
		let refused = false;
		// Only answer text starts a reply: a stream that ends or stalls while the model is still
		// thinking (reasoning, or `<think>` text) is retried like an error event at that point.
		const answerBegan = () => splitThinkText(answer).text.trim() !== '';
		let serverUsage: Usage | undefined;
		let finish: string | null | undefined;
		let chunks = 0;
		let stalled = false;
		/** What the retry notice says of a connection that broke after the reply began. */
		let broke: BackendError | undefined;
		const notices: StreamChunk[] = [];
		let sent: {data: Stream<ChatCompletionChunk>; response: Response} | undefined;
		try {
			if (signal?.aborted) throw toBackendError(undefined, context);
			// The SDK's own retries of a failed try, each told as it happens (sdk-retries.ts).
			const watch = new SdkRetryWatch(signal);
			const sending = watch.run((headers) =>
				this.sendAdapting(
					options,
					{...this.params(messages, options), stream: true, stream_options: {include_usage: true}},
					async (body) => (await this.client).chat.completions.create({...body, stream: true}, {signal, headers}).withResponse(),
					notices,
					() => undefined,
				),
			);
			sent = yield* watch.notices(raceAbort(sending, signal), (failure) => sdkRetryNotice(context, failure));
		} catch (error) {
			throw streamFailure(error, context, false);
		}
		yield* notices;
		// The server refuses to stream this model (learned just now).
		if (sent === undefined) {
			yield* this.wholeReply(messages, options);
			return;
		}
		const {data: stream, response} = sent;
		try {
			throwIfNotAReply(response, context);
			const {APIError} = await loadSdk();
			for await (const chunk of withIdleTimeout(stream, this.timeoutMs, () => stream.controller.abort(), () => stalledStreamError(context, answerBegan()))) {
				chunks++;
				throwIfErrorChunk(chunk, APIError);
				finish = chunk.choices?.[0]?.finish_reason ?? finish;
				const content = contentParts(chunk.choices?.[0]?.delta?.content);
				const thinking = reasoningField(chunk.choices?.[0]?.delta) + content.reasoning;
				if (thinking) {
					output += thinking;
					yield {type: 'reasoning', text: thinking};
				}
				const delta = content.text;
				if (delta !== '') {
					output += delta;
					answer += delta;
					yield {type: 'text', text: delta};
				}
				// The model declined: its refusal streams in `delta.refusal` beside `content: null`
				// (OpenAI's structured outputs and safety refusals). It is the reply's text, never dropped.
				const refusal = chunk.choices?.[0]?.delta?.refusal;
				if (typeof refusal === 'string' && refusal !== '') {
					const text = !refused && answer.trim() !== '' ? `\n\n${refusal}` : refusal;
					refused = true;
					output += text;
					answer += text;
					yield {type: 'text', text};
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
			throwIfErrorField(response, APIError);
			if (finish === 'error') throw errorFinishError(context);
			if (chunks === 0) throw notAReplyError(context, 'an empty stream (no events)');
		} catch (error) {
			// A connection that broke after the reply began (or after its finish_reason: a proxy that cut
			// the tail) leaves what was read: judged below like a stream that ended.
			const broken = error instanceof StreamStalled || isConnectionCut(error);
			if (signal?.aborted || !broken) throw streamFailure(error, context, true, response);
			if (!answerBegan() && finish == null) throw error instanceof StreamStalled ? error : brokenStreamError(context, error);
			stalled = error instanceof StreamStalled;
			if (!stalled) broke = brokenStreamError(context, error);
		}
		// No finish_reason and no [DONE]: the server or a proxy dropped the stream. Before any answer
		// text, it is retried (withStreamRetries); after, the reply is marked incomplete, and
		// withStreamRetries retries it while retries are left (it is kept so after the last).
		const dropped = finish == null && !sawDoneEvent(response);
		if (dropped && !answerBegan()) throw droppedStreamError(context, 'no finish_reason and no data: [DONE]');
		yield {
			type: 'usage',
			// A cut reply counts what the server reported, or nothing: not an estimate passed off as usage.
			usage: serverUsage ?? (dropped ? {inputTokens: 0, outputTokens: 0} : {inputTokens: estimateMessagesTokens(messages), outputTokens: estimateTokens(output)}),
			finishReason: dropped ? 'dropped' : finishReasonOf(finish, refused),
			...(dropped && stalled ? {stalledMs: this.timeoutMs} : {}),
			// Retried (withStreamRetries), as a cut before the answer is; not a stall, which would wait the timeout again.
			...(dropped && !stalled ? droppedBy(broke ?? droppedStreamError(context, 'no finish_reason and no data: [DONE]')) : {}),
		};
	}

	/**
	 * One non-streamed completion; its reasoning separated from its text as the stream's is. A 200
	 * whose body is an error, or whose choice ended in `finish_reason: "error"`, is retried as a
	 * stream's error event is (up to maxRetries), then thrown.
	 */
	complete(messages: ChatMessage[], options: CompleteOptions): Promise<Completion> {
		const once = () => toldRetries(options, (headers) => this.completeOnce(messages, options, headers), (failure) => sdkRetryNotice(this.context(options), failure));
		return withRetries(once, {maxRetries: this.maxRetries, signal: options.signal, ...(options.onNotice ? {onNotice: options.onNotice} : {})});
	}

	/** `headers`: request headers of the SDK call (a retry watch's, sdk-retries.ts). */
	private async completeOnce(messages: ChatMessage[], options: StreamOptions, headers?: Record<string, string>): Promise<Completion> {
		const {signal} = options;
		const context = this.context(options);
		/** The 200 came: a failure from here on is in its body (the SDK retried what came before). */
		let answered = false;
		try {
			if (signal?.aborted) throw toBackendError(undefined, context);
			const {data: response, response: raw} = await raceAbort(
				this.sendAdapting(
					options,
					{...this.params(messages, options), stream: false},
					async (body) => (await this.client).chat.completions.create({...body, stream: false}, {signal, ...(headers ? {headers} : {})}).withResponse(),
					[],
				),
				signal,
			);
			answered = true;
			throwIfNotAReply(raw, context);
			if (typeof response !== 'object' || response === null || !Array.isArray(response.choices)) {
				await throwIfErrorBody(response, raw);
				throw notAReplyError(context, 'JSON that is not a chat completion');
			}
			// OpenRouter puts a failure that came after the model began on the choice (beside
			// `finish_reason: "error"`); a gateway may put it beside the choices.
			await throwIfErrorBody(response, raw);
			await throwIfErrorBody(response.choices[0], raw);
			if (response.choices[0]?.finish_reason === ('error' as string)) throw errorFinishError(context);
			const message = response.choices[0]?.message;
			// vLLM and DeepSeek send `content: null` beside the reasoning of a reply that is all thinking
			// (finish_reason "length" when it ran out while thinking: vllm-project/vllm#52640).
			const content = contentParts(message?.content);
			const split = splitThinkText(content.text);
			// A refusal comes in `message.refusal`, usually beside `content: null`: it is the reply's text.
			const refusal = typeof message?.refusal === 'string' && message.refusal !== '' ? message.refusal : undefined;
			const text = refusal === undefined ? split.text : split.text.trim() === '' ? refusal : `${split.text}\n\n${refusal}`;
			const reasoning = reasoningField(message) + content.reasoning + split.reasoning;
			const finishReason = finishReasonOf(response.choices?.[0]?.finish_reason, refusal !== undefined);
			const usage: Usage = response.usage
				? {inputTokens: response.usage.prompt_tokens ?? 0, outputTokens: response.usage.completion_tokens ?? 0}
				: {inputTokens: estimateMessagesTokens(messages), outputTokens: estimateTokens(text)};
			return {text, reasoning, reasoningInText: split.reasoning !== '', usage, finishReason};
		} catch (error) {
			const converted = toBackendError(error, context);
			if (!answered) converted.transient = false;
			throw converted;
		}
	}

	async listModels(signal?: AbortSignal): Promise<string[]> {
		const client = await raceAbort(this.client, signal);
		return listModelIds((bounded) => client.models.list({signal: bounded}), signal, this.context({signal}));
	}

	/**
	 * `model`'s context window in tokens as the server runs it (see server-window.ts), else the
	 * model catalog's figure, else undefined. A window the server confirmed is kept for the session;
	 * an Ollama or LM Studio model not loaded yet is asked about again next time. Never rejects.
	 */
	async contextWindow(model: string, signal?: AbortSignal): Promise<ContextWindow | undefined> {
		const known = contextWindowTokens(model);
		const catalog = known ? {tokens: known, source: 'the model catalog'} : undefined;
		if (this.hosted) return catalog;
		const confirmed = this.windows.get(model);
		if (confirmed !== undefined) return confirmed ?? catalog;
		let probe = this.probing.get(model);
		if (!probe) {
			// The SDK's timeout ends when the headers come; the signal bounds the body too (a server or
			// proxy that sends headers and then holds the body would hold the run's start).
			const request = async (method: 'get' | 'post', url: string, body?: Record<string, unknown>) =>
				(await this.client)[method](url, {...(body ? {body} : {}), maxRetries: 0, timeout: PROBE_TIMEOUT_MS, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS)}) as Promise<unknown>;
			probe = probeWindow(request, this.baseURL, model, this.server).then((found) => {
				if (found.server) this.server = found.server;
				// A server of no known kind will not tell later either; Ollama and LM Studio will once the model is loaded.
				if (found.window || !found.server) this.windows.set(model, found.window ?? null);
				return found.window;
			});
			const settled = probe.finally(() => this.probing.delete(model));
			settled.catch(() => undefined);
			this.probing.set(model, probe);
		}
		const found = await raceAbort(probe, signal).catch(() => undefined);
		return found ?? catalog;
	}

	windowAdvice(model: string): string | undefined {
		return this.server ? windowAdviceFor(this.server, model) : undefined;
	}
}

/** How long a window probe may take (a local server answers in milliseconds). */
const PROBE_TIMEOUT_MS = 3000;

/**
 * A 200 whose JSON is an error, not a completion, naming no error status (one that names it is handed
 * to the SDK as that status: response-body.ts statusOfErrorBody), or a choice that carries an error:
 * thrown as the SDK throws an error chunk, so it reads as the server's words. vLLM's `{"object":
 * "error", "message": ...}` and TGI's `{"error": "...", "error_type": ...}` too.
 */
async function throwIfErrorBody(body: unknown, response: Response): Promise<void> {
	if (typeof body !== 'object' || body === null) return;
	const record = body as Record<string, unknown>;
	const said = record['error'];
	// TGI's error is a string, its kind beside it.
	const error = typeof said === 'string' && said !== '' ? {message: said, type: record['error_type']} : saysSomething(said) ? said : record['object'] === 'error' ? record : undefined;
	if (!error) return;
	const {APIError} = await loadSdk();
	throw new APIError(undefined, error, undefined, response.headers);
}

/** Whether an error field holds anything: gateways built on structs without omitempty (one-api's
 * TextResponse) send every reply with `"error": {"message": "", "type": "", "code": null}`. */
function saysSomething(value: unknown): boolean {
	if (typeof value === 'object' && value !== null) return Object.values(value).some(saysSomething);
	return value !== null && value !== undefined && value !== '' && value !== 0 && value !== false;
}

/** An error sent in an SSE `error:` field (llama.cpp's server until September 2025), which the SDK
 * skips: thrown as the SDK throws an error chunk. */
function throwIfErrorField(response: Response, APIError: typeof OpenAI.APIError): void {
	const field = sseErrorField(response);
	if (field === undefined) return;
	let body: object = {message: field};
	try {
		const parsed: unknown = JSON.parse(field);
		if (typeof parsed === 'object' && parsed !== null) body = parsed;
	} catch {
		// Not JSON: its text is the message.
	}
	throw new APIError(undefined, body, undefined, undefined);
}

/**
 * An error sent as a data chunk that the SDK passes on as if it were a chunk: vLLM's and other
 * servers' `{"object": "error", "message": ...}` (the SDK itself throws on `{"error": ...}`).
 */
function throwIfErrorChunk(chunk: unknown, APIError: typeof OpenAI.APIError): void {
	if (typeof chunk !== 'object' || chunk === null || 'choices' in chunk) return;
	const record = chunk as Record<string, unknown>;
	if (record['object'] === 'error' || (typeof record['message'] === 'string' && record['id'] === undefined)) {
		throw new APIError(undefined, record, undefined, undefined);
	}
}
