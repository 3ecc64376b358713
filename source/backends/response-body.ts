// What a server said, from whatever it sent. The SDKs read only `{"error": {...}}` bodies (OpenAI)
// or keep the parsed JSON (Anthropic); gateways and local servers answer in other shapes, and a
// wrong base URL often answers 200 with a web page. The fetch given to the SDKs keeps what they drop.

/** A 200 whose body is not an API reply (an HTML page, a proxy's error page), as it arrived. */
export interface NotAReply {
	/** The response's content-type header ('' when absent). */
	contentType: string;
	/** The first characters of the body. */
	head: string;
}

const errorBodies = new WeakMap<object, string>();
const notReplies = new WeakMap<object, NotAReply>();

/** Characters of a body kept for messages. */
const KEPT_CHARS = 4000;

/** Content types that are never an API reply (JSON or SSE). */
const PAGE_TYPES = /^\s*(text\/html|application\/xhtml|text\/xml|application\/xml)/i;

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** The longest 200 JSON body looked at for an error. */
const ERROR_BODY_MAX_CHARS = 64_000;

/** Statuses a Response may not be made with a body for. */
const bodyless = (status: number) => status === 204 || status === 205 || status === 304;

/** Content types of a JSON body. */
const JSON_TYPES = /^\s*application\/([\w.+-]*\+)?json/i;

/**
 * A fetch for the SDKs: an error response's body is read and remembered (keyed by the headers object
 * the SDK puts on its error), and a 200 that is a web page is remembered as not a reply (keyed by the
 * response). Both are handed on with their body intact. A 200 whose JSON is an error that names an
 * error status is handed on as that status (see statusOfErrorBody), so the SDK retries it and it
 * reads as a real one does.
 */
export function inspectingFetch(inner: Fetch = (input, init) => fetch(input, init)): Fetch {
	return async (input, init) => {
		const response = await inner(input, init);
		const contentType = response.headers.get('content-type') ?? '';
		if (response.ok && /^\s*text\/event-stream/i.test(contentType) && response.body) return watchingForDone(response, response.body);
		const page = PAGE_TYPES.test(contentType);
		const json = JSON_TYPES.test(contentType);
		if (response.ok && !page && !json) return response;
		const text = await response.text().catch(() => '');
		const status = response.ok ? (json ? statusOfErrorBody(text) : undefined) : response.status;
		if (status === undefined) {
			const copy = new Response(bodyless(response.status) ? null : text, {status: response.status, statusText: response.statusText, headers: response.headers});
			if (page) notReplies.set(copy, {contentType, head: text.slice(0, KEPT_CHARS)});
			return copy;
		}
		const headers = new Headers(response.headers);
		// A wait the body names (OpenRouter's rate-limit metadata) counts as the header the SDKs read.
		const bodyWait = retryAfterMs(headers) === undefined ? retryAfterInBody(text) : undefined;
		if (bodyWait !== undefined) headers.set('retry-after-ms', String(Math.max(0, Math.round(bodyWait))));
		// The SDKs wait as long as retry-after says (the openai SDK without a cap) before their retry,
		// silently: past a minute, the request fails at once and its error says how long to wait.
		if ((retryAfterMs(headers) ?? 0) > MAX_RETRY_WAIT_MS) headers.set('x-should-retry', 'false');
		// OpenAI's 429 insufficient_quota (xAI's 429 out of credits): the SDKs would retry it as a rate limit, though no wait helps.
		if (status === 429 && namesNoCredit(text)) headers.set('x-should-retry', 'false');
		const copy = new Response(bodyless(status) ? null : text, {
			status,
			statusText: response.ok ? '' : response.statusText,
			headers,
		});
		errorBodies.set(copy.headers, text.slice(0, KEPT_CHARS));
		if (bodyWait !== undefined) bodyWaits.add(copy.headers);
		return copy;
	};
}

/** The error types and codes that mean the account cannot pay for the request: OpenAI's
 * `insufficient_quota` (sent with a 429), Anthropic's `billing_error`, a 402's `payment_required`,
 * LiteLLM's `budget_exceeded` (a key's, user's or team's budget spent: sent with a 400 or a 429,
 * BerriAI/litellm#36729, open-webui/open-webui#5469). */
export const QUOTA_ERROR_TYPES = /^(insufficient_quota|insufficient_credits|billing_error|payment_required|budget_exceeded)$/i;

/**
 * The messages that say the account cannot pay, from servers that send them under another status or
 * type: Anthropic's 400 `invalid_request_error` "Your credit balance is too low to access the
 * Anthropic API" (anthropics/claude-code#4684, continuedev/continue#5499), xAI's 403 or 429 "Your
 * team … has either used all available credits or reached its monthly spending limit"
 * (warpdotdev/warp#14867, continuedev/continue#10373), and the 402s' own words, OpenRouter's
 * "Insufficient credits" and DeepSeek's "Insufficient Balance" (type `unknown_error`), and LiteLLM's
 * "Budget has been exceeded! Current cost: …" under older versions' type `auth_error` (BerriAI/litellm#4208).
 */
export const NO_CREDIT_MESSAGE = /\b(credit balance is too low|used all available credits|insufficient (credits|balance)|budget has been exceeded)/i;

/** Whether an error body (JSON text) says the account is out of credits or quota. */
function namesNoCredit(text: string): boolean {
	if (text.length > ERROR_BODY_MAX_CHARS || !/"error"/.test(text)) return false;
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		return false;
	}
	const inner = isObject(body) ? body['error'] : undefined;
	if (isObject(inner) && [inner['type'], inner['code']].some((value) => typeof value === 'string' && QUOTA_ERROR_TYPES.test(value))) return true;
	return NO_CREDIT_MESSAGE.test(messageFromJson(body) ?? '');
}

/**
 * The error status a 200's JSON names: OpenRouter answers a failure upstream (the provider rate
 * limited, down) with 200 and `{"error": {"code": 429, "message", "metadata"}}` and no `choices`,
 * `code` being the status it stands for (openrouter.ai/docs "Errors and Debugging";
 * langchain-ai/langchainjs#11417, UKGovernmentBEIS/inspect_ai#1536; some send it as a string,
 * "429"). Undefined for any other body.
 */
function statusOfErrorBody(text: string): number | undefined {
	// An error body is short; a reply or a model list may be megabytes, not parsed twice for this.
	if (text.length > ERROR_BODY_MAX_CHARS || !/"error"/.test(text)) return undefined;
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (!isObject(body) || 'choices' in body || !isObject(body['error'])) return undefined;
	return errorStatusIn(body['error']);
}

/** An error object's `code` (or `status`) when it is an HTTP error status, 400-599. */
export function errorStatusIn(error: unknown): number | undefined {
	if (!isObject(error)) return undefined;
	const raw = error['code'] ?? error['status'];
	const code = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{3}$/.test(raw.trim()) ? Number(raw) : Number.NaN;
	return Number.isInteger(code) && code >= 400 && code <= 599 ? code : undefined;
}

/**
 * How long an error body asks a client to wait, in ms: OpenRouter passes the rate limit's headers on
 * inside the error, `{"error": {"code": 429, "metadata": {"headers": {"X-RateLimit-Limit",
 * "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "<epoch ms>"}}}}` (Gitlawb/openclaude#936),
 * and may name a Retry-After there. A reset counts only once nothing remains. `body` is the parsed
 * body, its `error`, or the text.
 */
export function retryAfterInBody(body: unknown): number | undefined {
	let parsed = body;
	if (typeof body === 'string') {
		try {
			parsed = JSON.parse(body);
		} catch {
			return undefined;
		}
	}
	const inner = isObject(parsed) && isObject(parsed['error']) ? parsed['error'] : parsed;
	const metadata = isObject(inner) ? inner['metadata'] : undefined;
	const given = isObject(metadata) ? metadata['headers'] : undefined;
	if (!isObject(given)) return undefined;
	const headers = new Headers();
	for (const [name, value] of Object.entries(given)) if (typeof value === 'string' || typeof value === 'number') headers.set(name, String(value));
	const asked = retryAfterMs(headers);
	if (asked !== undefined) return asked;
	const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN);
	if (!Number.isFinite(reset) || headers.get('x-ratelimit-remaining')?.trim() !== '0') return undefined;
	// An epoch in milliseconds (OpenRouter's) or in seconds.
	if (reset > 1e12) return reset - Date.now();
	if (reset > 1e9) return reset * 1000 - Date.now();
	return undefined;
}

/** Per SSE response from the inspecting fetch: whether `data: [DONE]` went by. */
/** Error responses' headers whose retry-after-ms the inspecting fetch set from a wait in the body. */
const bodyWaits = new WeakSet<Headers>();

/** Whether `headers`' retry-after-ms was a wait the error body named (see inspectingFetch). */
export function waitFromBody(headers: Headers): boolean {
	return bodyWaits.has(headers);
}

/** The header retryAfterMs read its wait from. */
export function retryAfterHeader(headers: Headers): 'retry-after-ms' | 'retry-after' {
	const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
	return Number.isFinite(ms) && (ms !== 0 || !headers.has('retry-after')) ? 'retry-after-ms' : 'retry-after';
}

/** The longest wait a server's retry-after may ask before a retry: 60 s, in ms. */
export const MAX_RETRY_WAIT_MS = 60_000;

/**
 * How long `headers` ask a client to wait before retrying, in ms, as the SDKs read them:
 * `retry-after-ms`, else `retry-after` in seconds or as an HTTP date; undefined when neither says.
 */
export function retryAfterMs(headers: Headers): number | undefined {
	const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
	// As the SDKs read it: a retry-after-ms of 0 gives way to retry-after.
	if (Number.isFinite(ms) && (ms !== 0 || !headers.has('retry-after'))) return ms;
	const after = headers.get('retry-after');
	if (!after) return undefined;
	const seconds = Number.parseFloat(after);
	if (Number.isFinite(seconds)) return seconds * 1000;
	const date = Date.parse(after);
	return Number.isFinite(date) ? date - Date.now() : undefined;
}

interface StreamWatch {
	done: boolean;
	/** The payload of an SSE `error:` field line, if one went by (the first, capped). */
	errorField?: string;
	/** The last RECENT_CHUNKS pieces of the stream as text: the SDK reads at most a piece behind, so
	 * an event it could not parse is among them. */
	recent: string[];
	/** Whether earlier pieces were let go (the first line of `recent` may be a line's end). */
	cut: boolean;
}

const RECENT_CHUNKS = 3;

const doneSeen = new WeakMap<object, StreamWatch>();

/** `data: [DONE]`, the OpenAI-compatible stream's last event, at the start of a line. */
const DONE_EVENT = /\ndata:[ \t]*\[DONE\]/;

/** An `error:` field at the start of a line: llama.cpp's server until September 2025 sent a failure
 * inside a 200 stream as `error: {"code", "message", "type"}`, a field the SSE spec (and so the SDK)
 * ignores, then `data: [DONE]` (ggml-org/llama.cpp#16109). */
const ERROR_FIELD = /\nerror:[ \t]?([^\r\n]*)\r?\n/;

/** The SSE response, its body passed on as it comes, noting when `data: [DONE]` or an `error:` field go by. */
function watchingForDone(response: Response, body: ReadableStream<Uint8Array>): Response {
	const decoder = new TextDecoder();
	const state: StreamWatch = {done: false, recent: [], cut: false};
	let tail = '\n';
	const watched = body.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			transform(chunk, controller) {
				if (!state.done) {
					const decoded = decoder.decode(chunk, {stream: true});
					state.recent.push(decoded);
					if (state.recent.length > RECENT_CHUNKS) {
						state.recent.shift();
						state.cut = true;
					}
					const text = tail + decoded;
					state.done = DONE_EVENT.test(text);
					if (state.errorField === undefined) {
						const found = ERROR_FIELD.exec(text)?.[1];
						if (found !== undefined) state.errorField = found.slice(0, KEPT_CHARS);
					}
					// Enough of the last line to find a field that is split across chunks.
					const lastLine = text.lastIndexOf('\n');
					tail = text.length - lastLine <= KEPT_CHARS ? text.slice(lastLine) : text.slice(-16);
				}
				controller.enqueue(chunk);
			},
		}),
	);
	const copy = new Response(watched, {status: response.status, statusText: response.statusText, headers: response.headers});
	doneSeen.set(copy, state);
	return copy;
}

/**
 * Whether the SSE `response` (from the inspecting fetch) carried `data: [DONE]` so far. The SDK
 * swallows that event, and without it and a finish_reason a stream that ended was cut short.
 */
export function sawDoneEvent(response: unknown): boolean {
	return isObject(response) && doneSeen.get(response)?.done === true;
}

/** What an SSE `error:` field line in `response` (from the inspecting fetch) carried, if one did. */
export function sseErrorField(response: unknown): string | undefined {
	return isObject(response) ? doneSeen.get(response)?.errorField : undefined;
}

/**
 * The data of the first event in the latest pieces of the SSE `response` (from the inspecting fetch)
 * that is not JSON (nor `[DONE]`): what an SDK failed to parse. Read only after a parse failed.
 */
export function nonJsonEventOf(response: unknown): string | undefined {
	const watch = isObject(response) ? doneSeen.get(response) : undefined;
	if (!watch) return undefined;
	const lines = watch.recent.join('').split(/\r\n|\r|\n/);
	if (watch.cut) lines.shift();
	let data: string[] = [];
	const notJson = (): string | undefined => {
		const text = data.join('\n');
		data = [];
		if (text === '' || text.startsWith('[DONE]')) return undefined;
		try {
			JSON.parse(text);
			return undefined;
		} catch {
			return text;
		}
	};
	// As the SSE spec reads a stream: `data:` lines (one space after the colon dropped) make one
	// event's data, and an empty line ends the event.
	for (const line of lines) {
		if (line === '') {
			const found = notJson();
			if (found !== undefined) return found;
		} else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
	}
	return notJson();
}

/** The raw body of the error response whose headers the SDK attached to `error`, if it was kept. */
export function errorBodyOf(error: unknown): string | undefined {
	const headers = isObject(error) ? error['headers'] : undefined;
	return isObject(headers) ? errorBodies.get(headers) : undefined;
}

/** Set when `response` was a 200 that is not an API reply. */
export function notAReply(response: unknown): NotAReply | undefined {
	return isObject(response) ? notReplies.get(response) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/** Keys that hold a server's message, in the order they are tried. */
const MESSAGE_KEYS = ['error', 'message', 'Message', 'detail', 'error_message', 'errorMessage', 'msg', 'errors', 'title'];

/**
 * The message inside a parsed error body, from the shapes servers use: `{"error": {"message"}}`
 * (OpenAI, Anthropic), `{"error": "..."}`, `{"message"}` (Databricks, many gateways), `{"Message"}`
 * (AWS), `{"detail": "..."}` and FastAPI/pydantic's `{"detail": [{"loc", "msg"}]}` (vLLM and
 * Python servers), `{"errors": [...]}`.
 */
export function messageFromJson(body: unknown, depth = 0): string | undefined {
	if (depth > 4) return undefined;
	if (typeof body === 'string') return body.trim() === '' ? undefined : body.trim();
	if (Array.isArray(body)) {
		const parts = body.map((item) => messageFromJson(item, depth + 1)).filter((part): part is string => part !== undefined);
		return parts.length > 0 ? parts.slice(0, 3).join('; ') : undefined;
	}
	if (!isObject(body)) return undefined;
	if (typeof body['msg'] === 'string' && Array.isArray(body['loc'])) {
		const where = body['loc'].filter((part) => part !== 'body').join('.');
		return where ? `${where}: ${body['msg']}` : body['msg'];
	}
	for (const key of MESSAGE_KEYS) {
		const found = messageFromJson(body[key], depth + 1);
		if (found !== undefined) return found;
	}
	return undefined;
}

/** The message in a body as text: JSON in any of the shapes above, an HTML page's title, or the text. */
export function messageFromText(text: string): string | undefined {
	const trimmed = text.trim();
	if (trimmed === '') return undefined;
	if (/^[[{]/.test(trimmed)) {
		try {
			return messageFromJson(JSON.parse(trimmed));
		} catch {
			// Not JSON after all: fall through to text.
		}
	}
	if (/^<|<html|<!doctype/i.test(trimmed)) return pageSummary(trimmed);
	return trimmed;
}

/** An HTML page in a few words: its title, else its first heading, else its text. */
export function pageSummary(html: string): string | undefined {
	const pick = (pattern: RegExp) => pattern.exec(html)?.[1]?.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
	const text =
		pick(/<title[^>]*>([\s\S]*?)<\/title>/i) ||
		pick(/<h1[^>]*>([\s\S]*?)<\/h1>/i) ||
		html
			.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
			.replace(/<[^>]*>/g, ' ')
			.replace(/\s+/g, ' ')
			.trim();
	return text ? text : undefined;
}
