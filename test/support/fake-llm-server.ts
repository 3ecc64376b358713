// A scripted LLM server on a loopback port that speaks the real wire formats of the OpenAI chat
// completions API and the Anthropic messages API (JSON and SSE streaming, usage, /v1/models, error
// bodies). The real SDKs talk to it over HTTP; nothing is mocked below the HTTP line.

import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import type {ChatMessage, ChatRole} from '../../source/backends/types.js';
import {
	effectiveWindow,
	flavorEndpoint,
	modelListFields,
	ollamaTruncate,
	overflowBody,
	tokensOf,
	type FakeModelWindow,
	type ServerFlavor,
} from './fake-server-flavors.js';
import {harmonyText, type HarmonyVariant} from './harmony-text.js';

export type {HarmonyVariant} from './harmony-text.js';
export type {FakeModelWindow, ServerFlavor} from './fake-server-flavors.js';

export interface FakeRequest {
	api: 'openai' | 'anthropic';
	path: string;
	/** The request URL's query parameters (a gateway key in `?key=`, Azure's `api-version`). */
	query: Record<string, string>;
	model: string;
	/** Anthropic `system` is normalized to a leading {role: 'system'} message. */
	messages: ChatMessage[];
	stream: boolean;
	headers: Record<string, string>;
	body: unknown;
	/** Ollama flavor: the prompt was over the loaded window, so `messages` is the tail the model saw
	 * and this is the prompt_tokens reported (num_ctx/2 + 2). */
	keptTokens?: number;
}

/**
 * An error inside a 200 stream (FakeReply.streamError). For the `openrouter` shape, `code` is the
 * error's `code` (default: `type`; OpenRouter sends the HTTP status it stands for, 429, 502...) and
 * `metadata` its `metadata` (a rate limit's headers); `shape: 'openrouter-finish'` is its chunk with
 * `finish_reason: "error"` but no `error` field (a proxy that re-serializes chunks drops fields it
 * does not know).
 */
export interface StreamError {
	afterChars: number;
	/** What `afterChars` counts: answer text (the default), or `reasoning`: the error comes after that
	 * many characters of the reply's reasoning field or thinking blocks, in the middle of its thinking
	 * (no answer text is sent unless `parts` put some before it). Thinking written in the text
	 * (`think-tags`, `harmony`) is text: cut it with the default. */
	in?: CutIn;
	message: string;
	type?: string;
	shape?: 'error' | 'object' | 'openrouter' | 'openrouter-finish' | 'llamacpp-field' | 'tgi';
	code?: number | string;
	metadata?: Record<string, unknown>;
}

export type FakeReply =
	| {
			text: string;
			usage?: {inputTokens?: number; outputTokens?: number};
			/** Wait this long before sending headers. */
			delayMs?: number;
			/** Wait this long between SSE deltas. */
			chunkDelayMs?: number;
			/** Characters per SSE delta (default 8). */
			chunkSize?: number;
			/** Send no usage at all (like servers that ignore stream_options.include_usage). */
			omitUsage?: boolean;
			/** Why the reply ended: 'length' is sent as OpenAI `finish_reason: "length"` and Anthropic
			 * `stop_reason: "max_tokens"`; 'content_filter' as OpenAI/Azure `finish_reason:
			 * "content_filter"` and Anthropic `stop_reason: "refusal"` with its `stop_details` (Claude 4's
			 * streaming classifiers: platform.claude.com "Handle streaming refusals") (default 'stop':
			 * `stop` / `end_turn`). Anthropic's own: 'context_window' is `stop_reason:
			 * "model_context_window_exceeded"` (the reply filled the context window; OpenAI-compatible
			 * servers say `length` then, as vLLM does at max_model_len), 'paused' is `stop_reason:
			 * "pause_turn"` (server tools paused a long turn; on the OpenAI side it is passed through as
			 * an unknown finish_reason "pause_turn") (platform.claude.com "Handling stop reasons"). */
			finishReason?: Finish;
			/**
			 * Anthropic only: a `redacted_thinking` block with this `data` (encrypted thinking the safety
			 * systems flagged) before the reply's other blocks. Streamed as a content_block_start that
			 * carries the whole block and a content_block_stop, no deltas; not streamed, as a content
			 * block `{type: "redacted_thinking", data}`. The OpenAI side sends nothing for it.
			 */
			redactedThinking?: string;
			/**
			 * An error event inside the 200 stream after `afterChars` characters of text (0: before any
			 * text), then the stream ends: Anthropic `event: error` with `{"type": "error", "error":
			 * {type, message}}`; OpenAI-compatible `data: {"error": {message, type, code}}`, or with
			 * `shape: 'object'` vLLM's `data: {"object": "error", "message", "type", "code"}`, or with
			 * `shape: 'openrouter'` OpenRouter's chunk that carries both the error and a choice with
			 * `finish_reason: "error"` (openrouter.ai/docs "Handling Errors During Streaming"), or with
			 * `shape: 'llamacpp-field'` llama.cpp's server before September 2025: an SSE `error:` field
			 * (which SSE clients skip) with `{code, message, type}` (code 500 for a `server_error`, else
			 * 400), then `data: [DONE]` (ggml-org/llama.cpp#16109, coddy-project/coddy-agent#106), or
			 * with `shape: 'tgi'` Hugging Face TGI's `data: {"error": "...", "error_type": type}` (the
			 * error a string). The reply's reasoning, if any, is sent before it (a thinking model that
			 * failed mid-thought).
			 *
			 * Not streamed, the error comes in the 200 JSON body instead of the reply (nonStreamedError:
			 * OpenRouter and gateways answer 200 once the model began: openrouter.ai/docs "Errors and
			 * Debugging"): Anthropic `{"type": "error", "error": {type, message}}`; OpenAI-compatible
			 * `{"error": {message, type, param, code}}`, vLLM's `{"object": "error", ...}`, TGI's
			 * `{"error": "...", "error_type"}`, or, for `openrouter` and `openrouter-finish`, a completion
			 * whose choice has the text up to `afterChars`, `finish_reason: "error"` and (not for
			 * `openrouter-finish`) the error on the choice (OpenRouter's NonStreamingChoice.error).
			 */
			streamError?: StreamError;
			/**
			 * The model declines (OpenAI-compatible only): OpenAI's `refusal` field, after any `text`.
			 * Streamed as `choices[0].delta.refusal` pieces of `chunkSize` beside `content: null` (the
			 * opening delta carries `refusal: ""` when there is no text); not streamed, as
			 * `choices[0].message.refusal` beside `content: null`. `finish_reason` stays `stop`
			 * (openclaw/openclaw#102334; vercel/ai @ai-sdk/openai 3.0.138 "surface Chat Completions
			 * refusals"; platform.openai.com Structured Outputs "Refusals").
			 */
			refusal?: string;
			/** The model's thinking, sent as `reasoningField` says (before the text). */
			reasoning?: string;
			/**
			 * How the thinking travels. OpenAI-compatible fields: `reasoning_content` (vLLM, DeepSeek, LM
			 * Studio, SGLang; `content` null beside it) or `reasoning` (Ollama's /v1, OpenRouter; `content`
			 * ""). In the text itself: `think-tags` (`<think>…</think>` first) or `think-close-only` (only
			 * `</think>`: the chat template put the opening tag in the prompt). `content-chunks`: Mistral's
			 * Magistral models, whose `content` is a list of chunks, streamed and not: thinking as
			 * `{"type": "thinking", "thinking": [{"type": "text", "text"}]}`, the answer as `{"type":
			 * "text", "text"}` (BerriAI/litellm#16272, vercel/ai#8072). `harmony`: gpt-oss's harmony
			 * channels left in the text by a server that did not parse them,
			 * `<|channel|>analysis<|message|>…<|end|><|start|>assistant<|channel|>final<|message|>…<|return|>`
			 * (kekzl/imp#768, johnbean393/Sidekick#75, scouzi1966/maclocal-api#121). Anthropic sends
			 * `thinking` blocks (thinking_delta, signature_delta) for the field names. Default
			 * `reasoning_content`.
			 */
			reasoningField?: ReasoningField;
			/** With `reasoningField: 'harmony'`: which of the template's variants the text is written in
			 * (harmony-text.ts; default the canonical string above). */
			harmony?: HarmonyVariant;
			/**
			 * Reasoning and answer text interleaved, in this order, instead of `text` and `reasoning`
			 * (streamed replies; a non-streamed one joins each kind). A part with one field is sent as
			 * deltas of `chunkSize`; a part with both is one delta carrying both fields, as vLLM's
			 * reasoning parser sends the delta where `</think>` falls (BerriAI/litellm#27492). Proxies in
			 * front of Claude-family models interleave reasoning and content deltas
			 * (NousResearch/hermes-agent#40895); Anthropic sends each part as its own block. Uses the
			 * `reasoningField` names only (`reasoning_content` or `reasoning`).
			 */
			parts?: Array<{reasoning?: string; text?: string}>;
			/**
			 * OpenAI-compatible frames real servers send beside the deltas: `promptFilter`, Azure
			 * OpenAI's first chunk (`choices: []`, empty id and model, `prompt_filter_results`);
			 * `processingComments`, OpenRouter's `: OPENROUTER PROCESSING` SSE comments before the
			 * first chunk; `usageChoices`, how the usage chunk carries `choices`: `[]` as OpenAI sends
			 * it (the default), no key at all (Fireworks, Groq-fronting proxies), or `null` (MiniMax);
			 * `contentFilter`, Azure OpenAI's content filter in the stream: `content_filter_results` in
			 * each delta's choice, an annotation-only frame with `choices: []` between deltas, and a
			 * trailing metadata-only chunk after the finish whose choice has `delta: null` and
			 * `finish_reason: null` (learn.microsoft.com "Content streaming"; langfuse-python#1648).
			 */
			frames?: {
				promptFilter?: boolean;
				processingComments?: number;
				usageChoices?: 'empty' | 'absent' | 'null';
				contentFilter?: boolean;
				/** Chunks between deltas that carry no choice: `empty` a keep-alive `{"choices": []}`
				 * (gateways), `absent` one with no `choices` key at all, `usage` a usage-only chunk with
				 * `choices: []` (some gateways report running usage mid-stream). */
				keepAlive?: 'empty' | 'absent' | 'usage';
				/** SSE comment lines `: ping` before the first chunk and after every delta: llama.cpp's
				 * keep-alive while it reads a long prompt (mistralai/mistral-vibe#794), and proxies'. */
				pings?: boolean;
				/** No chunk carries a `finish_reason` (all null), but `data: [DONE]` ends the stream
				 * (gateways such as OpenCode Zen for some models: anomalyco/opencode#43379). */
				noFinishReason?: boolean;
			};
			/**
			 * The server drops the stream after `afterChars` characters of text (0: before any): no
			 * finish_reason and no `data: [DONE]` (OpenAI), no content_block_stop, message_delta or
			 * message_stop (Anthropic). `end` closes the response cleanly (a proxy that ends the body,
			 * a clean EOF); `reset` destroys the socket mid-body (a server that crashed: the client
			 * reads `terminated`); `hang` sends nothing more and keeps the response open (a stalled
			 * server: the client's timeout must end it). `in: 'reasoning'`: `afterChars` counts the
			 * reasoning field's (thinking block's) characters, so the cut falls in the middle of the
			 * model's thinking, before its signature_delta and content_block_stop (Anthropic).
			 */
			drop?: {afterChars: number; how?: 'end' | 'reset' | 'hang'; in?: CutIn};
	  }
	| {
			status: number;
			message: string;
			type?: string;
			/** OpenAI error fields: the parameter refused and the error code (e.g. 'unsupported_value'). */
			param?: string;
			code?: string;
			/**
			 * The whole body instead of the API's own error shape: an object is sent as JSON (a gateway's
			 * `{"message": ...}`, `{"detail": ...}`), a string as it is (`contentType`, default text/plain).
			 */
			body?: unknown;
			contentType?: string;
			/**
			 * The `retry-after-ms` header sent with 408/409/429/5xx replies (both SDKs honour it).
			 * Default 1, so retries in tests take no time (and not sent beside a `retry-after` header, as a
			 * number given is); null sends no header (SDK default backoff).
			 */
			retryAfterMs?: number | null;
			/** Other headers sent with the error: `x-should-retry` ('true'/'false', which both SDKs obey
			 * over the status), `retry-after` in seconds or an HTTP date. */
			headers?: Record<string, string>;
	  }
	/** A reply that is not an API reply: `body` as it is with this status (default 200) and content
	 * type (default text/html): a web UI's page, a proxy's error page, an empty stream. */
	| {raw: string; status?: number; contentType?: string}
	| {hang: true}
	/** The connection is reset before any response (a server that crashed on the request). */
	| {reset: true};

/** The body shapes servers and gateways use to refuse a request parameter. */
export type RejectionShape =
	| 'openai'
	| 'openai-parameter'
	| 'message'
	| 'databricks'
	| 'bedrock'
	| 'foundry'
	| 'detail'
	| 'detail-list'
	| 'error-string'
	| 'text';

/**
 * A 400 refusing `param`, in one of the shapes seen in the wild: OpenAI's (GPT-5's
 * `unsupported_value` for temperature, `unsupported_parameter` for max_tokens with "Use
 * 'max_completion_tokens' instead"); `openai-parameter`, o1's and o3-mini's temperature refusal on
 * OpenAI and Azure deployments ("Unsupported parameter: 'temperature' is not supported with this
 * model.", code `unsupported_parameter`: Azure/azure-sdk-for-python#39938); a gateway's top-level
 * `{"message"}`; `databricks`, Databricks model serving and AI Gateway, whose Go decoder names the
 * field (`{"error_code": "BAD_REQUEST", "message": "Bad request: json: unknown field \"x\""}`:
 * anomalyco/opencode#31156, databricks/databricks-sdk-py#1263); `bedrock`, an AWS Bedrock front's
 * `{"message"}` that names the nested key it refuses, `include_usage` for stream_options
 * (BerriAI/litellm#9916, repost.aws "bedrock-validation-exception-errors"); `foundry`, Azure AI
 * Foundry's serverless models (`{"detail": "Extra parameters ['x'] are not allowed when
 * extra-parameters is not set ..."}`: CherryHQ/cherry-studio#9214); `{"detail": "..."}`,
 * FastAPI/pydantic's `{"detail": [{"loc", "msg"}]}`, `{"error": "..."}`, or plain text.
 */
export function parameterRejection(param: string, shape: RejectionShape): FakeReply {
	const message =
		param === 'temperature'
			? "Unsupported value: 'temperature' does not support 0.7 with this model. Only the default (1) value is supported."
			: param === 'max_tokens'
				? "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
				: `Unrecognized request argument supplied: ${param}`;
	switch (shape) {
		case 'openai':
			return {status: 400, message, param, code: param === 'temperature' ? 'unsupported_value' : 'unsupported_parameter'};
		case 'openai-parameter': {
			const refused = `Unsupported parameter: '${param}' is not supported with this model.${param === 'max_tokens' ? " Use 'max_completion_tokens' instead." : ''}`;
			return {status: 400, message: refused, param, code: 'unsupported_parameter'};
		}
		case 'message':
			return {status: 400, message, body: {error_code: 'BAD_REQUEST', message}};
		case 'databricks': {
			const unknown = `Bad request: json: unknown field "${param}"`;
			return {status: 400, message: unknown, body: {error_code: 'BAD_REQUEST', message: unknown}};
		}
		case 'bedrock': {
			const key = param === 'stream_options' ? 'include_usage' : param;
			const refused = `Malformed input request: #: extraneous key [${key}] is not permitted, please reformat your input and try again.`;
			return {status: 400, message: refused, body: {message: refused}, headers: {'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/'}};
		}
		case 'foundry': {
			const refused = `Extra parameters ['${param}'] are not allowed when extra-parameters is not set or set to be 'error'. Set extra-parameters to 'pass-through' to pass to the model.`;
			return {status: 400, message: refused, body: {detail: refused}};
		}
		case 'detail':
			return {status: 400, message, body: {detail: message}};
		case 'detail-list':
			return {status: 422, message, body: {detail: [{type: 'extra_forbidden', loc: ['body', param], msg: 'Extra inputs are not permitted', input: 1}]}};
		case 'error-string':
			return {status: 400, message, body: {error: message}};
		case 'text':
			return {status: 400, message, body: message};
	}
}
/**
 * OpenAI's (and Azure OpenAI's) 400s that refuse how a request is made rather than a parameter's
 * value: `unverified-stream`, o3 and GPT-5 for an organization that has not verified its identity
 * (continuedev/continue#8209; OpenRouter passes it on: BeehiveInnovations/pal-mcp-server#134);
 * `o1-stream`, the o1 family before it could stream; `system-role`, o1-mini and o1-preview, which
 * take no system message (OpenHands/OpenHands#4839, chatboxai/chatbox#1623).
 */
export function requestRefusal(kind: 'unverified-stream' | 'o1-stream' | 'system-role'): Extract<FakeReply, {message: string}> {
	switch (kind) {
		case 'unverified-stream':
			return {
				status: 400,
				message:
					'Your organization must be verified to stream this model. Please go to: https://platform.openai.com/settings/organization/general and click on Verify Organization. If you just verified, it can take up to 15 minutes for access to propagate.',
				param: 'stream',
				code: 'unsupported_value',
			};
		case 'o1-stream':
			return {status: 400, message: "Unsupported value: 'stream' does not support true with this model. Supported values are: false.", param: 'stream', code: 'unsupported_value'};
		case 'system-role':
			return {status: 400, message: "Unsupported value: 'messages[0].role' does not support 'system' with this model.", param: 'messages[0].role', code: 'unsupported_value'};
	}
}

/**
 * Error bodies that echo the caller's credentials, as real servers have sent them: LiteLLM's proxy
 * 401 quoted the key it received (`Received API Key = ...`; in plain text when the key lacked its
 * `sk-` prefix, BerriAI/litellm#18902), and debugging proxies and gateways that dump the request's
 * headers into a 400's `detail`.
 */
export function credentialEcho(request: FakeRequest, shape: 'litellm' | 'headers'): Extract<FakeReply, {message: string}> {
	const authorization = request.headers['authorization'] ?? '';
	const key = request.headers['x-api-key'] ?? authorization.replace(/^Bearer\s+/i, '');
	if (shape === 'litellm') {
		const message = `Authentication Error, Invalid proxy server token passed. Received API Key = ${key}, Key Hash (Token) =d748053a55933f7b. Unable to find token in cache or LiteLLM_VerificationTokenTable`;
		return {status: 401, message, body: {error: {message, type: 'auth_error', param: 'None', code: '401'}}};
	}
	const echoed = Object.fromEntries(Object.entries(request.headers).filter(([name]) => ['authorization', 'x-api-key', 'api-key', 'host'].includes(name)));
	return {status: 400, message: 'bad request', body: {detail: `Malformed request; headers received: ${JSON.stringify(echoed)}`}};
}

/** What a cut's `afterChars` counts: answer text, or reasoning (a reasoning field, thinking blocks). */
export type CutIn = 'text' | 'reasoning';

export type ReasoningField = 'reasoning_content' | 'reasoning' | 'think-tags' | 'think-close-only' | 'content-chunks' | 'harmony';

/** Where reasoning travels beside the text on the OpenAI wire. */
type FieldName = 'reasoning_content' | 'reasoning' | 'content-chunks';

export type FakeResponder = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakeLlmServer {
	/** http://127.0.0.1:PORT */
	url: string;
	/** url + '/v1' */
	openaiBaseURL: string;
	/** url (the SDK appends /v1/messages) */
	anthropicBaseURL: string;
	/** Every chat request received, in order. */
	requests: FakeRequest[];
	/** Every request's method and path ('GET /v1/models'), chat requests included, in order. */
	paths: string[];
	/** What GET /v1/models lists (mutable). */
	models: string[];
	/** Per-model context windows the flavor's endpoints report and enforce (mutable). */
	windows: Record<string, FakeModelWindow>;
	/** Models a request has been made for (Ollama's /api/ps lists them). */
	loaded: Set<string>;
	/** When set, GET /v1/models answers 200 with this HTML instead of the list (a web UI at the URL). */
	modelsPage: string | undefined;
	/** When set, GET /v1/models answers this error (status and message) instead of the list (mutable). */
	modelsError: {status: number; message: string} | undefined;
	/** When true, every request but a chat request gets 200 headers and then nothing: a proxy or a
	 * busy server that holds the body of /v1/models, /props, /api/show... (mutable). */
	stallMetadata: boolean;
	/** When set, GET /v1/models waits for this before it answers (an upstream slow to list). */
	modelsHeldUntil: Promise<void> | undefined;
	setResponder(responder: FakeResponder): void;
	/** Number of requests whose connection the client closed before the reply ended. */
	readonly aborted: number;
	close(): Promise<void>;
}

const DEFAULT_MODELS = ['fake-model', 'fake-model-mini'];
const DEFAULT_CHUNK_SIZE = 8;

const defaultResponder: FakeResponder = () => ({text: 'ok'});

/** Convenience responder: replies from a queue in order (a 500 reply when empty). */
export function queueResponder(replies: FakeReply[]): FakeResponder {
	const queue = [...replies];
	return () =>
		queue.shift() ?? {status: 500, message: 'fake LLM server: the reply queue is empty', type: 'server_error'};
}

export async function startFakeLlmServer(
	options: {
		responder?: FakeResponder;
		models?: string[];
		/** Behave as this local server: its endpoints that tell the context window, and what it does
		 * with a prompt longer than the window (Ollama cuts it silently; the others refuse it). */
		flavor?: ServerFlavor;
		windows?: Record<string, FakeModelWindow>;
	} = {},
): Promise<FakeLlmServer> {
	const flavor = options.flavor;
	const windows: Record<string, FakeModelWindow> = {...options.windows};
	const loaded = new Set<string>();
	let responder = options.responder ?? defaultResponder;
	let aborted = 0;
	let closing = false;
	let sequence = 0;
	const requests: FakeRequest[] = [];
	const paths: string[] = [];
	const models = options.models ? [...options.models] : [...DEFAULT_MODELS];
	const open = new Set<ServerResponse>();

	const server = createServer((req, res) => {
		open.add(res);
		res.on('close', () => {
			open.delete(res);
			if (!res.writableFinished && !closing && (res as {countsAsAbort?: boolean}).countsAsAbort) aborted++;
		});
		handle(req, res).catch((error: unknown) => {
			if (!res.headersSent && !res.destroyed) {
				sendJSON(res, 500, {error: {message: `fake LLM server: ${String(error)}`, type: 'server_error', code: null}});
			} else {
				res.destroy();
			}
		});
	});

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const path = (req.url ?? '/').split('?')[0]!;
		const raw = await readBody(req);
		const headers = flattenHeaders(req);
		const isAnthropicClient = 'anthropic-version' in headers || 'x-api-key' in headers;
		paths.push(`${req.method ?? 'GET'} ${path}`);
		const isChat = req.method === 'POST' && (path === '/v1/chat/completions' || path === '/v1/messages');

		if (fake.stallMetadata && !isChat) {
			res.writeHead(200, {'content-type': 'application/json'});
			res.flushHeaders();
			return;
		}
		if (req.method === 'GET' && path === '/v1/models') {
			if (fake.modelsHeldUntil) await fake.modelsHeldUntil;
			if (fake.modelsError !== undefined) {
				sendError(res, isAnthropicClient ? 'anthropic' : 'openai', fake.modelsError);
				return;
			}
			if (fake.modelsPage !== undefined) {
				res.writeHead(200, {'content-type': 'text/html; charset=utf-8'});
				res.end(fake.modelsPage);
				return;
			}
			if (isAnthropicClient) sendJSON(res, 200, anthropicModelList(models));
			else sendJSON(res, 200, openaiModelList(models, (id) => modelListFields(flavor, windows[id])));
			return;
		}
		if (flavor) {
			let parsed: Record<string, unknown> = {};
			try {
				const value: unknown = raw === '' ? {} : JSON.parse(raw);
				if (isRecord(value)) parsed = value;
			} catch {
				// An endpoint that needs a body will answer for its absence.
			}
			const answer = flavorEndpoint(flavor, req.method ?? 'GET', path, parsed, models, windows, loaded);
			if (answer) {
				if (typeof answer[1] === 'string') {
					res.writeHead(answer[0], {'content-type': 'text/plain; charset=utf-8'});
					res.end(answer[1]);
				} else sendJSON(res, answer[0], answer[1]);
				return;
			}
		}
		if (isChat) {
			const api = path === '/v1/messages' ? 'anthropic' : 'openai';
			let body: unknown;
			try {
				body = raw === '' ? {} : JSON.parse(raw);
			} catch {
				sendError(res, api, {status: 400, message: 'could not parse the JSON body'});
				return;
			}
			const record = (isRecord(body) ? body : {});
			const request: FakeRequest = {
				api,
				path,
				query: Object.fromEntries(new URL(req.url ?? '/', 'http://fake').searchParams),
				model: typeof record['model'] === 'string' ? record['model'] : '',
				messages: api === 'anthropic' ? anthropicMessages(record) : openaiMessages(record),
				stream: record['stream'] === true,
				headers,
				body,
			};
			requests.push(request);
			(res as {countsAsAbort?: boolean}).countsAsAbort = true;
			if (flavor && api === 'openai') {
				loaded.add(request.model);
				const window = effectiveWindow(flavor, windows[request.model]);
				const tokens = tokensOf(request.messages);
				if (tokens > window) {
					if (flavor !== 'ollama') {
						sendJSON(res, 400, overflowBody(flavor, window, tokens));
						return;
					}
					const cut = ollamaTruncate(request.messages, window);
					request.messages = cut.messages;
					request.keptTokens = cut.kept;
				}
			}
			let reply: FakeReply;
			try {
				reply = await responder(request);
			} catch (error) {
				reply = {status: 500, message: `fake LLM server responder threw: ${error instanceof Error ? error.message : String(error)}`};
			}
			await sendReply(res, request, reply);
			return;
		}
		const message = `Unknown request URL: ${req.method ?? 'GET'} ${path}`;
		if (isAnthropicClient) sendJSON(res, 404, {type: 'error', error: {type: 'not_found_error', message}});
		else sendJSON(res, 404, {error: {message, type: 'invalid_request_error', param: null, code: 'unknown_url'}});
	}

	async function sendReply(res: ServerResponse, request: FakeRequest, reply: FakeReply): Promise<void> {
		if ('hang' in reply) return; // The response stays open until the client (or close()) ends it.
		if ('reset' in reply) {
			res.socket?.resetAndDestroy();
			return;
		}
		if ('raw' in reply) {
			if (res.destroyed) return;
			res.writeHead(reply.status ?? 200, {'content-type': reply.contentType ?? 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(reply.raw)});
			res.end(reply.raw);
			return;
		}
		if ('status' in reply) {
			sendError(res, request.api, reply);
			return;
		}
		if (reply.delayMs) await sleepUnlessClosed(res, reply.delayMs);
		if (res.destroyed) return;
		const id = `${request.api === 'openai' ? 'chatcmpl' : 'msg'}-fake${++sequence}`;
		const thinking = thinkingOf(reply);
		const usage = {
			inputTokens: reply.usage?.inputTokens ?? request.keptTokens ?? Math.ceil(promptChars(request.messages) / 4),
			outputTokens: reply.usage?.outputTokens ?? Math.ceil((thinking.text.length + (reply.reasoning ?? thinking.field?.text ?? '').length) / 4),
		};
		const withUsage = reply.omitUsage ? undefined : usage;
		const finish = reply.finishReason ?? 'stop';
		if (!request.stream && reply.streamError) {
			sendJSON(res, 200, nonStreamedError(id, request, thinking, reply.streamError));
			return;
		}
		if (!request.stream) {
			sendJSON(
				res,
				200,
				request.api === 'openai'
					? openaiCompletion(id, request.model, thinking, withUsage, finish, reply.refusal)
					: anthropicMessage(id, request.model, thinking, usage, finish, reply.redactedThinking),
			);
			return;
		}
		const size = Math.max(1, reply.chunkSize ?? DEFAULT_CHUNK_SIZE);
		const cut = reply.streamError ?? reply.drop;
		const deltas = cut?.in === 'reasoning' ? cutReasoning(deltasOf(reply, thinking, size), cut.afterChars) : cutDeltas(deltasOf(reply, thinking, size), cut?.afterChars);
		res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive'});
		const field = thinking.field?.name ?? 'reasoning_content';
		const events =
			request.api === 'openai'
				? openaiEvents(id, request.model, deltas, includeUsage(request.body) ? withUsage : undefined, finish, field, reply.frames, reply.refusal === undefined ? undefined : split(reply.refusal, size))
				: anthropicEvents(id, request.model, deltas, usage, reply.omitUsage === true, finish, reply.redactedThinking);
		if (reply.drop || reply.streamError) {
			// Everything up to the last content delta (the deltas are all there before any end event).
			const last = events.findLastIndex((event) => event.delta);
			events.splice(last === -1 ? events.findIndex((event) => event.opens) + 1 : last + 1);
		}
		if (reply.streamError) {
			events.push(request.api === 'openai' ? openaiErrorEvent(id, request.model, reply.streamError) : anthropicErrorEvent(reply.streamError));
		}
		for (const event of events) {
			if (res.destroyed) return;
			if (event.delta && reply.chunkDelayMs) {
				await sleepUnlessClosed(res, reply.chunkDelayMs);
				if (res.destroyed) return;
			}
			res.write(event.text);
		}
		if (reply.drop?.how === 'hang') return; // Open until the client (or close()) ends it.
		if (reply.drop?.how === 'reset') {
			// Let the written bytes reach the client before the socket goes.
			await new Promise<void>((resolve) => res.write('', () => resolve()));
			res.socket?.destroy();
			return;
		}
		res.end();
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const {port} = server.address() as AddressInfo;
	const url = `http://127.0.0.1:${port}`;

	const fake: FakeLlmServer = {
		url,
		openaiBaseURL: `${url}/v1`,
		anthropicBaseURL: url,
		requests,
		paths,
		models,
		windows,
		loaded,
		modelsPage: undefined,
		modelsError: undefined,
		stallMetadata: false,
		modelsHeldUntil: undefined,
		setResponder(next) {
			responder = next;
		},
		get aborted() {
			return aborted;
		},
		async close() {
			closing = true;
			for (const res of open) res.destroy();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
	return fake;
}

// ---------------------------------------------------------------------------------------------
// Requests

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(req.headers)) {
		if (value === undefined) continue;
		headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return headers;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text of a content field: a string, or an array of parts/blocks with `text`. */
function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		return content
			.map((part) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : ''))
			.join('');
	}
	return '';
}

function asRole(role: unknown): ChatRole {
	return role === 'system' || role === 'assistant' ? role : role === 'developer' ? 'system' : 'user';
}

function openaiMessages(body: Record<string, unknown>): ChatMessage[] {
	const messages = Array.isArray(body['messages']) ? body['messages'] : [];
	return messages.filter(isRecord).map((message) => ({role: asRole(message['role']), content: contentText(message['content'])}));
}

function anthropicMessages(body: Record<string, unknown>): ChatMessage[] {
	const result: ChatMessage[] = [];
	const system = body['system'];
	if (system !== undefined) result.push({role: 'system', content: contentText(system)});
	const messages = Array.isArray(body['messages']) ? body['messages'] : [];
	for (const message of messages.filter(isRecord)) {
		result.push({role: message['role'] === 'assistant' ? 'assistant' : 'user', content: contentText(message['content'])});
	}
	return result;
}

function promptChars(messages: ChatMessage[]): number {
	return messages.reduce((sum, message) => sum + message.content.length, 0);
}

function includeUsage(body: unknown): boolean {
	return isRecord(body) && isRecord(body['stream_options']) && body['stream_options']['include_usage'] === true;
}

// ---------------------------------------------------------------------------------------------
// Replies

function sendJSON(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	if (res.destroyed) return;
	const text = JSON.stringify(body);
	res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers});
	res.end(text);
}

const OPENAI_ERROR_TYPES: Record<number, string> = {
	400: 'invalid_request_error',
	401: 'invalid_request_error',
	403: 'invalid_request_error',
	404: 'invalid_request_error',
	429: 'rate_limit_exceeded',
};

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
	400: 'invalid_request_error',
	401: 'authentication_error',
	403: 'permission_error',
	404: 'not_found_error',
	413: 'request_too_large',
	429: 'rate_limit_error',
	529: 'overloaded_error',
};

function sendError(
	res: ServerResponse,
	api: 'openai' | 'anthropic',
	reply: {status: number; message: string; type?: string; param?: string; code?: string; body?: unknown; contentType?: string; retryAfterMs?: number | null; headers?: Record<string, string>},
): void {
	const {status, message} = reply;
	const headers: Record<string, string> = {...reply.headers};
	const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
	const retryAfterMs = reply.retryAfterMs === undefined ? 1 : reply.retryAfterMs;
	// A retryAfterMs given is sent beside a retry-after header too (the default 1 is not).
	const given = typeof reply.retryAfterMs === 'number';
	if (retryable && retryAfterMs !== null && (given || !('retry-after' in headers)) && !('retry-after-ms' in headers)) headers['retry-after-ms'] = String(retryAfterMs);
	if (reply.body !== undefined) {
		if (typeof reply.body !== 'string') {
			sendJSON(res, status, reply.body, headers);
			return;
		}
		if (res.destroyed) return;
		res.writeHead(status, {'content-type': reply.contentType ?? 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(reply.body), ...headers});
		res.end(reply.body);
		return;
	}
	if (api === 'openai') {
		const type = reply.type ?? OPENAI_ERROR_TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
		const code = reply.code ?? (status === 401 ? 'invalid_api_key' : status === 404 ? 'model_not_found' : null);
		sendJSON(res, status, {error: {message, type, param: reply.param ?? null, code}}, headers);
	} else {
		const type = reply.type ?? ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
		sendJSON(res, status, {type: 'error', error: {type, message}}, {...headers, 'request-id': 'req_fake'});
	}
}

function openaiModelList(models: string[], extra: (id: string) => Record<string, unknown>): unknown {
	return {
		object: 'list',
		data: models.map((id) => ({id, object: 'model', created: 1_700_000_000, owned_by: 'fake-llm-server', ...extra(id)})),
	};
}

function anthropicModelList(models: string[]): unknown {
	return {
		data: models.map((id) => ({id, type: 'model', display_name: id, created_at: '2025-01-01T00:00:00Z'})),
		has_more: false,
		first_id: models[0] ?? null,
		last_id: models.at(-1) ?? null,
	};
}

interface Usage {
	inputTokens: number;
	outputTokens: number;
}

function openaiUsage(usage: Usage): unknown {
	return {
		prompt_tokens: usage.inputTokens,
		completion_tokens: usage.outputTokens,
		total_tokens: usage.inputTokens + usage.outputTokens,
	};
}

type Finish = 'stop' | 'length' | 'content_filter' | 'context_window' | 'paused';

/** The OpenAI wire's finish_reason for each. */
const openaiFinish = (finish: Finish) => ({stop: 'stop', length: 'length', content_filter: 'content_filter', context_window: 'length', paused: 'pause_turn'})[finish];

/** The reply's text as sent, and its thinking when that travels outside the text. */
interface Thinking {
	text: string;
	field?: {name: FieldName; text: string};
}

function thinkingOf(reply: {text: string; reasoning?: string; reasoningField?: ReasoningField; harmony?: HarmonyVariant; parts?: Array<{reasoning?: string; text?: string}>}): Thinking {
	if (reply.parts) {
		const name = reply.reasoningField === 'reasoning' || reply.reasoningField === 'content-chunks' ? reply.reasoningField : 'reasoning_content';
		const joined = (key: 'reasoning' | 'text') => reply.parts!.map((part) => part[key] ?? '').join('');
		return {text: joined('text'), field: {name, text: joined('reasoning')}};
	}
	const reasoning = reply.reasoning;
	if (reasoning === undefined) return {text: reply.text};
	switch (reply.reasoningField ?? 'reasoning_content') {
		case 'think-tags':
			return {text: `<think>\n${reasoning}\n</think>\n\n${reply.text}`};
		case 'think-close-only':
			return {text: `${reasoning}\n</think>\n\n${reply.text}`};
		case 'harmony':
			return {text: harmonyText(reasoning, reply.text, reply.harmony)};
		case 'reasoning':
			return {text: reply.text, field: {name: 'reasoning', text: reasoning}};
		case 'content-chunks':
			return {text: reply.text, field: {name: 'content-chunks', text: reasoning}};
		default:
			return {text: reply.text, field: {name: 'reasoning_content', text: reasoning}};
	}
}
const anthropicStop = (finish: Finish) =>
	({stop: 'end_turn', length: 'max_tokens', content_filter: 'refusal', context_window: 'model_context_window_exceeded', paused: 'pause_turn'})[finish];

/** What Claude sends beside `stop_reason: "refusal"` (on message_delta when streamed). */
const REFUSAL_DETAILS = {type: 'refusal', category: 'cyber', explanation: 'This request was declined because it could enable cyber harm.'};

/** One streamed delta: reasoning, answer text, or both in one chunk. */
interface Delta {
	reasoning?: string;
	text?: string;
}

/** The reply's deltas in the order they are sent: its parts, else its reasoning then its text. */
function deltasOf(reply: {parts?: Array<{reasoning?: string; text?: string}>}, thinking: Thinking, size: number): Delta[] {
	const pieces = (key: 'reasoning' | 'text', text: string): Delta[] => split(text, size).map((piece) => ({[key]: piece}));
	if (reply.parts) {
		return reply.parts.flatMap((part): Delta[] => {
			if (part.reasoning && part.text) return [{reasoning: part.reasoning, text: part.text}];
			return part.reasoning ? pieces('reasoning', part.reasoning) : pieces('text', part.text ?? '');
		});
	}
	return [...(thinking.field ? pieces('reasoning', thinking.field.text) : []), ...pieces('text', thinking.text)];
}

/** The deltas up to `cutAt` characters of text (none cut when undefined); reasoning past it is not sent. */
function cutDeltas(deltas: Delta[], cutAt: number | undefined): Delta[] {
	if (cutAt === undefined) return deltas;
	const kept: Delta[] = [];
	let left = cutAt;
	for (const delta of deltas) {
		if (delta.text === undefined) {
			if (left <= 0 && kept.some((k) => k.text !== undefined)) break;
			kept.push(delta);
			continue;
		}
		if (left <= 0) break;
		const chars = Array.from(delta.text);
		kept.push({...delta, text: chars.slice(0, left).join('')});
		left -= Math.min(left, chars.length);
	}
	return kept;
}

/** The deltas up to `cutAt` characters of reasoning: the rest of that reasoning and all after it is
 * not sent (answer text before it is). */
function cutReasoning(deltas: Delta[], cutAt: number): Delta[] {
	const kept: Delta[] = [];
	let left = cutAt;
	for (const delta of deltas) {
		if (delta.reasoning === undefined) {
			kept.push(delta);
			continue;
		}
		if (left <= 0) break;
		const chars = Array.from(delta.reasoning);
		kept.push({reasoning: chars.slice(0, left).join('')});
		left -= Math.min(left, chars.length);
		if (left <= 0) break;
	}
	return kept;
}

function openaiCompletion(id: string, model: string, {text, field}: Thinking, usage: Usage | undefined, finish: Finish, refusal?: string): unknown {
	return {
		id,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model,
		choices: [
			{
				index: 0,
				// A reply that is all reasoning has `content: null` beside it, as vLLM and DeepSeek send it
				// (vllm-project/vllm#52640: finish_reason "length", content null, reasoning set).
				// A refusal comes with `content: null` when no text came before it.
				message:
					field?.name === 'content-chunks'
						? {role: 'assistant', content: [...mistralChunks({reasoning: field.text}), ...mistralChunks({text})]}
						: {role: 'assistant', content: text === '' && (field || refusal !== undefined) ? null : text, refusal: refusal ?? null, ...(field ? {[field.name]: field.text} : {})},
				logprobs: null,
				finish_reason: openaiFinish(finish),
			},
		],
		...(usage ? {usage: openaiUsage(usage)} : {}),
	};
}

function anthropicMessage(id: string, model: string, {text, field}: Thinking, usage: Usage, finish: Finish, redacted?: string): unknown {
	return {
		id,
		type: 'message',
		role: 'assistant',
		model,
		content: [
			...(redacted !== undefined ? [{type: 'redacted_thinking', data: redacted}] : []),
			...(field ? [{type: 'thinking', thinking: field.text, signature: FAKE_SIGNATURE}] : []),
			{type: 'text', text},
		],
		stop_reason: anthropicStop(finish),
		stop_sequence: null,
		...(finish === 'content_filter' ? {stop_details: REFUSAL_DETAILS} : {}),
		usage: {input_tokens: usage.inputTokens, output_tokens: usage.outputTokens},
	};
}

interface SseEvent {
	text: string;
	/** A content delta (chunkDelayMs applies before it). */
	delta: boolean;
	/** The event that opens the reply (a stream cut before any delta keeps up to it). */
	opens?: boolean;
}

function split(text: string, size: number): string[] {
	const chars = Array.from(text);
	const pieces: string[] = [];
	for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
	return pieces;
}

function openaiChunk(id: string, model: string) {
	const created = Math.floor(Date.now() / 1000);
	return (choices: unknown[], extra: Record<string, unknown> = {}): string =>
		`data: ${JSON.stringify({id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices, ...extra})}\n\n`;
}

function openaiEvents(
	id: string,
	model: string,
	deltas: Delta[],
	usage: Usage | undefined,
	finish: Finish,
	field: FieldName,
	frames: Extract<FakeReply, {text: string}>['frames'] = {},
	refusal?: string[],
): SseEvent[] {
	const chunk = openaiChunk(id, model);
	const events: SseEvent[] = [];
	const safe = {filtered: false, severity: 'safe'};
	for (let i = 0; i < (frames.processingComments ?? 0); i++) events.push({text: ': OPENROUTER PROCESSING\n\n', delta: false});
	const ping: SseEvent = {text: ': ping\n\n', delta: false};
	if (frames.pings) events.push(ping);
	if (frames.promptFilter) {
		const filter = {prompt_index: 0, content_filter_results: {hate: safe, self_harm: safe, sexual: safe, violence: safe}};
		events.push({text: `data: ${JSON.stringify({choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [filter]})}\n\n`, delta: false});
	}
	const refusesOnly = refusal !== undefined && !deltas.some((delta) => delta.text);
	const opening = refusesOnly ? {role: 'assistant', content: null, refusal: ''} : {role: 'assistant', content: ''};
	events.push({text: chunk([{index: 0, delta: opening, logprobs: null, finish_reason: null}]), delta: false, opens: true});
	const filterResults = frames.contentFilter ? {content_filter_results: {hate: safe, self_harm: safe, sexual: safe, violence: safe}} : {};
	const texts = deltas.filter((delta) => delta.text !== undefined).length;
	let textIndex = 0;
	let textChars = 0;
	for (const {reasoning, text} of deltas) {
		if (text === undefined) {
			// DeepSeek and vLLM send content null beside reasoning_content; Ollama sends "" beside reasoning.
			const delta = field === 'content-chunks' ? {content: mistralChunks({reasoning})} : {content: field === 'reasoning' ? '' : null, [field]: reasoning};
			events.push({text: chunk([{index: 0, delta, logprobs: null, finish_reason: null}]), delta: true});
			if (frames.pings) events.push(ping);
			continue;
		}
		const delta =
			field === 'content-chunks'
				? {content: mistralChunks({reasoning, text})}
				: reasoning === undefined
					? {content: text}
					: {content: text, [field]: reasoning};
		events.push({text: chunk([{index: 0, delta, logprobs: null, finish_reason: null, ...filterResults}]), delta: true});
		if (frames.pings) events.push(ping);
		textChars += text.length;
		if (frames.contentFilter && textIndex === Math.floor(texts / 2)) {
			events.push({text: `data: ${JSON.stringify({choices: [], created: 0, id: '', model: '', object: ''})}\n\n`, delta: false});
		}
		if (frames.keepAlive) {
			const {choices, ...rest} = JSON.parse(chunk([]).slice('data: '.length)) as Record<string, unknown>;
			const frame = {absent: rest, empty: {...rest, choices}, usage: {...rest, choices, usage: openaiUsage({inputTokens: 1, outputTokens: textIndex + 1})}}[frames.keepAlive];
			events.push({text: `data: ${JSON.stringify(frame)}\n\n`, delta: false});
		}
		textIndex++;
	}
	for (const piece of refusal ?? []) {
		events.push({text: chunk([{index: 0, delta: {content: null, refusal: piece}, logprobs: null, finish_reason: null}]), delta: true});
	}
	events.push({text: chunk([{index: 0, delta: {}, logprobs: null, finish_reason: frames.noFinishReason ? null : openaiFinish(finish)}]), delta: false});
	if (frames.contentFilter) {
		const offsets = {check_offset: 0, start_offset: 0, end_offset: textChars};
		events.push({text: chunk([{index: 0, delta: null, finish_reason: null, content_filter_offsets: offsets, ...filterResults}]), delta: false});
	}
	if (usage) {
		const choices = {empty: {choices: []}, absent: {}, null: {choices: null}}[frames.usageChoices ?? 'empty'];
		const body = {id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, ...choices, usage: openaiUsage(usage)};
		events.push({text: `data: ${JSON.stringify(body)}\n\n`, delta: false});
	}
	events.push({text: 'data: [DONE]\n\n', delta: false});
	return events;
}

/** Mistral's content chunks for a piece of thinking and of answer text. */
function mistralChunks({reasoning, text}: Delta): unknown[] {
	return [
		...(reasoning ? [{type: 'thinking', thinking: [{type: 'text', text: reasoning}]}] : []),
		...(text ? [{type: 'text', text}] : []),
	];
}

const anthropicEvent = (type: string, data: Record<string, unknown>): string =>
	`event: ${type}\ndata: ${JSON.stringify({type, ...data})}\n\n`;

/** The OpenAI-compatible error chunk that ends a stream, in the shape `error.shape` names. */
function openaiErrorEvent(id: string, model: string, error: StreamError): SseEvent {
	const type = error.type ?? 'server_error';
	if (error.shape === 'llamacpp-field') {
		const field = {code: type === 'server_error' ? 500 : 400, message: error.message, type};
		return {text: `error: ${JSON.stringify(field)}\n\ndata: [DONE]\n\n`, delta: false};
	}
	if (error.shape === 'tgi') return {text: `data: ${JSON.stringify({error: error.message, error_type: type})}\n\n`, delta: false};
	const body =
		error.shape === 'object'
			? {object: 'error', message: error.message, type, param: null, code: 500}
			: error.shape === 'openrouter' || error.shape === 'openrouter-finish'
				? {
						id,
						object: 'chat.completion.chunk',
						created: Math.floor(Date.now() / 1000),
						model,
						provider: 'FakeProvider',
						...(error.shape === 'openrouter' ? {error: {code: error.code ?? type, message: error.message, ...(error.metadata ? {metadata: error.metadata} : {})}} : {}),
						choices: [{index: 0, delta: {content: ''}, finish_reason: 'error'}],
					}
				: {error: {message: error.message, type, param: null, code: null}};
	return {text: `data: ${JSON.stringify(body)}\n\n`, delta: false};
}

/** The 200 JSON body of a non-streamed reply that failed (FakeReply.streamError). */
function nonStreamedError(id: string, request: FakeRequest, {text}: Thinking, error: StreamError): unknown {
	if (request.api === 'anthropic') return {type: 'error', error: {type: error.type ?? 'overloaded_error', message: error.message}};
	const type = error.type ?? 'server_error';
	switch (error.shape) {
		case 'object':
			return {object: 'error', message: error.message, type, param: null, code: 500};
		case 'tgi':
			return {error: error.message, error_type: type};
		case 'openrouter':
		case 'openrouter-finish': {
			const failure = error.shape === 'openrouter' ? {error: {code: error.code ?? type, message: error.message, ...(error.metadata ? {metadata: error.metadata} : {})}} : {};
			const message = {role: 'assistant', content: Array.from(text).slice(0, error.afterChars).join(''), refusal: null};
			return {
				id,
				object: 'chat.completion',
				created: Math.floor(Date.now() / 1000),
				model: request.model,
				provider: 'FakeProvider',
				choices: [{index: 0, message, logprobs: null, finish_reason: 'error', native_finish_reason: 'error', ...failure}],
			};
		}
		default:
			return {error: {message: error.message, type, param: null, code: null}};
	}
}

/** Anthropic's `event: error` (overloaded_error by default), after which the stream ends. */
function anthropicErrorEvent(error: {message: string; type?: string}): SseEvent {
	return {text: anthropicEvent('error', {error: {type: error.type ?? 'overloaded_error', message: error.message}}), delta: false};
}

const FAKE_SIGNATURE = 'EqQBCkYIBRgCKkBfakeSignature==';

function anthropicEvents(id: string, model: string, deltas: Delta[], usage: Usage, omitUsage: boolean, finish: Finish, redacted?: string): SseEvent[] {
	const event = anthropicEvent;
	const events: SseEvent[] = [
		{
			text: event('message_start', {
				message: {
					id,
					type: 'message',
					role: 'assistant',
					model,
					content: [],
					stop_reason: null,
					stop_sequence: null,
					usage: omitUsage ? {} : {input_tokens: usage.inputTokens, output_tokens: 1},
				},
			}),
			delta: false,
		},
	];
	const ping = {text: event('ping', {}), delta: false};
	// Blocks in order: extended thinking (its text, then its signature) and text; a delta with both
	// closes a thinking block and opens a text block.
	const blocks: Array<{type: 'redacted_thinking' | 'thinking' | 'text'; pieces: string[]}> = redacted !== undefined ? [{type: 'redacted_thinking', pieces: [redacted]}] : [];
	const add = (type: 'thinking' | 'text', piece: string) => {
		const last = blocks.at(-1);
		if (last?.type === type) last.pieces.push(piece);
		else blocks.push({type, pieces: [piece]});
	};
	for (const delta of deltas) {
		if (delta.reasoning !== undefined) add('thinking', delta.reasoning);
		if (delta.text !== undefined) add('text', delta.text);
	}
	if (!blocks.some((block) => block.type === 'text')) blocks.push({type: 'text', pieces: []});
	for (const [index, block] of blocks.entries()) {
		if (block.type === 'redacted_thinking') {
			// The whole block comes on its start event; no deltas follow.
			events.push({text: event('content_block_start', {index, content_block: {type: 'redacted_thinking', data: block.pieces[0]}}), delta: false, opens: index === 0});
			if (index === 0) events.push(ping);
		} else if (block.type === 'thinking') {
			events.push({text: event('content_block_start', {index, content_block: {type: 'thinking', thinking: '', signature: ''}}), delta: false, opens: index === 0});
			if (index === 0) events.push(ping);
			for (const thought of block.pieces) events.push({text: event('content_block_delta', {index, delta: {type: 'thinking_delta', thinking: thought}}), delta: true});
			events.push({text: event('content_block_delta', {index, delta: {type: 'signature_delta', signature: FAKE_SIGNATURE}}), delta: false});
		} else {
			events.push({text: event('content_block_start', {index, content_block: {type: 'text', text: ''}}), delta: false, opens: index === 0});
			if (index === 0) events.push(ping);
			for (const piece of block.pieces) events.push({text: event('content_block_delta', {index, delta: {type: 'text_delta', text: piece}}), delta: true});
		}
		events.push({text: event('content_block_stop', {index}), delta: false});
	}
	events.push(
		{
			text: event('message_delta', {
				delta: {stop_reason: anthropicStop(finish), stop_sequence: null, ...(finish === 'content_filter' ? {stop_details: REFUSAL_DETAILS} : {})},
				usage: omitUsage ? {} : {output_tokens: usage.outputTokens},
			}),
			delta: false,
		},
		{text: event('message_stop', {}), delta: false},
	);
	return events;
}

/** Waits `ms`, or less if the response closes first. */
function sleepUnlessClosed(res: ServerResponse, ms: number): Promise<void> {
	return new Promise((resolve) => {
		const done = (): void => {
			clearTimeout(timer);
			res.off('close', done);
			resolve();
		};
		const timer = setTimeout(done, ms);
		res.on('close', done);
	});
}
