// Turns whatever an SDK throws into a BackendError with one line a user can act on.

import {errorBodyOf, errorStatusIn, NO_CREDIT_MESSAGE, QUOTA_ERROR_TYPES, MAX_RETRY_WAIT_MS, messageFromJson, messageFromText, nonJsonEventOf, notAReply, pageSummary, retryAfterHeader, retryAfterInBody, retryAfterMs, waitFromBody} from './response-body.js';
import {StreamStalled} from './idle-timeout.js';
import type {RetriedFailure} from './sdk-retries.js';
import {BackendError, type BackendKind} from './types.js';
import {BACKEND_KINDS} from '../protocol/backends.js';
import {RETRY_AT_ONCE_MS, type RetryFacts} from '../protocol/llm.js';
import {formatSeconds} from '../protocol/seconds.js';
import {quoted} from '../protocol/quoted.js';
import {redactSecrets} from '../protocol/redact.js';

export interface ErrorContext {
	kind: BackendKind;
	/** The base URL the request went to. */
	baseURL: string;
	/** The model asked for, when there was one. */
	model?: string;
	/** The caller's signal: when it has fired, any failure is reported as 'aborted'. */
	signal?: AbortSignal;
	/** The per-request timeout in milliseconds (for the timeout message). */
	timeoutMs?: number;
	/** The SDK's retries (a timeout before the reply starts is retried that many times). */
	maxRetries?: number;
	/** What to call the server in messages ("Groq"); default: the kind's label. */
	label?: string;
	/** The environment variable the key is read from; default: the kind's. */
	keyEnv?: string;
	/** How to start the server when it cannot be reached (a local preset's command). */
	start?: string;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** The error classes both SDKs (openai, @anthropic-ai/sdk) export under these names. */
export interface SdkErrors {
	APIError: ErrorClass;
	APIUserAbortError: ErrorClass;
	APIConnectionError: ErrorClass;
	APIConnectionTimeoutError: ErrorClass;
}

/** The SDKs loaded so far: only an SDK that made a client can have thrown. */
const sdks = new Set<SdkErrors>();

/** Called by a backend with its SDK once loaded, so its errors are read as that SDK's errors (each
 * SDK loads only when a backend of its kind is made: the Anthropic one is about 1 MB of code). */
export function recognizeSdkErrors(sdk: SdkErrors): void {
	sdks.add(sdk);
}

const isSdkError = (error: unknown, name: keyof SdkErrors): boolean => [...sdks].some((sdk) => error instanceof sdk[name]);

const labelOf = (context: ErrorContext) => context.label ?? kindLabel(context.kind);

const MAX_SERVER_MESSAGE = 300;

/** A human label for the kind of server a backend talks to. */
export function kindLabel(kind: BackendKind): string {
	switch (kind) {
		case 'openai':
			return 'the OpenAI-compatible server';
		case 'anthropic':
			return 'the Anthropic API';
		case 'demo':
			return 'the demo model';
	}
}

/** The environment variable that holds the key for a backend kind. */
export function keyEnvVar(kind: BackendKind): string {
	return kind === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
}

/** No key for a service that needs one; `env` is the variable it is read from (or a kind). */
export function missingKeyError(env: string): BackendError {
	const kind = BACKEND_KINDS.find((known) => known === env);
	const name = kind ? keyEnvVar(kind) : env;
	return new BackendError(`${name} is not set.`, 'missing_key', undefined, `Pass -k KEY or export ${name}.`);
}

export function abortedError(): BackendError {
	return new BackendError('Request cancelled.', 'aborted');
}

/** Squeezes a server message onto one short line. */
export function oneLine(text: string, max = MAX_SERVER_MESSAGE): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/** A JSON field as text when it is a string or a number; '' for anything else. */
function scalarText(value: unknown): string {
	return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** `text` ending in one full stop: none added after a sentence that already ends in punctuation.
 * A URL at the end goes in angle brackets before the stop (RFC 3986 appendix C): a terminal that
 * links it stops at the `>`, and the next sentence does not run on from it (a stop the server
 * glued to the URL is dropped). */
export function sentence(text: string): string {
	const trimmed = text.trimEnd();
	const url = /\bhttps?:\/\/\S+$/.exec(trimmed);
	if (url) return `${trimmed.slice(0, url.index)}<${url[0].replace(/[.,;:]+$/, '')}>.`;
	return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** What the SDKs write when they found no body they could read. */
const SDK_PLACEHOLDER = /^(\d{3} )?status code \(no body\)$|^\(no status code or body\)$/;

/**
 * The message the server itself sent: read from the raw error body when it was kept (any shape:
 * `error.message`, `message`, `detail`, `{"error": "..."}`, plain text, an HTML page), else from the
 * body the SDK parsed, else the SDK's own message without its status prefix.
 */
export function serverMessage(error: unknown): string | undefined {
	const raw = errorBodyOf(error);
	const fromRaw = raw === undefined ? undefined : messageFromText(raw);
	if (fromRaw) return oneLine(fromRaw);
	if (!isObject(error)) return undefined;
	const fromBody = messageFromJson((error as {error?: unknown}).error);
	if (fromBody) return oneLine(fromBody);
	const message = (error as {message?: unknown}).message;
	if (typeof message === 'string' && message.trim() !== '' && !SDK_PLACEHOLDER.test(message.trim())) {
		// The SDKs prefix the status ("404 model 'x' not found"); drop it.
		return oneLine(message.replace(/^\d{3}\s+/, ''));
	}
	return undefined;
}

/** Walks an error's `cause` chain (and AggregateError members) looking for a Node system error code. */
export function systemErrorCode(error: unknown): string | undefined {
	const seen = new Set<unknown>();
	const queue: unknown[] = [error];
	while (queue.length > 0) {
		const current = queue.shift();
		if (!isObject(current) || seen.has(current)) continue;
		seen.add(current);
		const code = current['code'];
		// Node's (ECONNRESET) and undici's (UND_ERR_SOCKET: the other side closed mid-body).
		if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
		queue.push(current['cause']);
		const errors = current['errors'];
		if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
	}
	return undefined;
}

/** The message of the innermost `cause`, when it says more than the SDK's generic wrappers. */
function rootCauseMessage(error: unknown): string | undefined {
	let current: unknown = error;
	let message: string | undefined;
	for (let depth = 0; depth < 8 && isObject(current); depth++) {
		const text = current['message'];
		if (typeof text === 'string' && text !== '' && !/^(Connection error\.|fetch failed)$/.test(text)) message = text;
		current = current['cause'];
	}
	return message;
}

function isUserAbort(error: unknown): boolean {
	return (
		isSdkError(error, 'APIUserAbortError') ||
		(error instanceof Error && error.name === 'AbortError')
	);
}

function isTimeout(error: unknown): boolean {
	return isSdkError(error, 'APIConnectionTimeoutError');
}

function isConnectionError(error: unknown): boolean {
	return isSdkError(error, 'APIConnectionError');
}

function statusOf(error: unknown): number | undefined {
	if (!isSdkError(error, 'APIError')) return undefined;
	const status = (error as {status?: unknown}).status;
	return typeof status === 'number' ? status : undefined;
}

/** The error object inside an SDK error that has no status (an error event inside a 200 stream). */
function bodyErrorOf(error: unknown): unknown {
	const body = isObject(error) ? error['error'] : undefined;
	return isObject(body) && isObject(body['error']) ? body['error'] : body;
}

/** The HTTP status an error event inside a 200 stream stands for: OpenRouter's `{"error": {"code":
 * 429, ...}}` chunk (openrouter.ai/docs "Errors and Debugging"), vLLM's `code`. */
function statusInEvent(error: unknown): number | undefined {
	if (!isSdkError(error, 'APIError') || statusOf(error) !== undefined) return undefined;
	return errorStatusIn(bodyErrorOf(error));
}

/** How long the server asked to wait before a retry, in ms: retry-after headers, else a wait its
 * error body names (OpenRouter's rate-limit metadata). */
function retryAfterOf(error: unknown): number | undefined {
	const headers = isObject(error) ? error['headers'] : undefined;
	const fromHeaders = headers instanceof Headers ? retryAfterMs(headers) : undefined;
	return fromHeaders ?? (isSdkError(error, 'APIError') ? retryAfterInBody(bodyErrorOf(error)) : undefined);
}

/** What named the wait retryAfterOf reads: the header the SDKs read it from, or the error body. */
function waitSourceOf(error: unknown): string {
	const headers = isObject(error) ? error['headers'] : undefined;
	if (!(headers instanceof Headers) || retryAfterMs(headers) === undefined || waitFromBody(headers)) return 'in its error body';
	return retryAfterHeader(headers);
}

const CONNECTION_PROBLEMS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host not found (DNS lookup failed)',
	ECONNRESET: 'connection reset',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	ETIMEDOUT: 'connection timed out',
	EPIPE: 'connection closed',
	UND_ERR_SOCKET: 'connection closed',
	EPROTO: 'TLS/protocol error',
};

/** What broke a connection, in a few words ('connection reset', 'connection closed'). */
function connectionProblem(error: unknown): string {
	const code = systemErrorCode(error);
	const root = rootCauseMessage(error);
	return (code && CONNECTION_PROBLEMS[code]) ?? (code ? `connection failed (${code})` : root ? `connection failed (${oneLine(root, 120)})` : 'connection failed');
}

/** What the other side did to a connection it had taken, by the code of its failure: the server is there. */
const BROKEN_AFTER_CONNECTING: Record<string, 'closed' | 'reset'> = {ECONNRESET: 'reset', EPIPE: 'closed', UND_ERR_SOCKET: 'closed'};

/** What to do about a server that took the connection and dropped it. */
const DROPPED_ADVICE = 'It may have crashed or refused the request: see its log, or try again.';

/** The errors of streams whose connection was dropped (droppedStreamError, brokenStreamError). */
const drops = new WeakSet<BackendError>();

/** Whether `error` says a stream's connection was dropped (its last try's error says on how many tries). */
export function isDroppedStream(error: unknown): boolean {
	return error instanceof BackendError && drops.has(error);
}

function unreachableError(context: ErrorContext, problem: string, code?: string): BackendError {
	const broken = code === undefined ? undefined : BROKEN_AFTER_CONNECTING[code];
	if (broken) {
		const tries = (context.maxRetries ?? 0) > 0 ? ` (each of ${context.maxRetries! + 1} tries)` : '';
		return summarized(
			new BackendError(
				`${capitalize(labelOf(context))} at ${context.baseURL} took the connection and ${broken === 'reset' ? 'reset' : 'closed'} it before it answered${tries}.`,
				'unreachable',
				undefined,
				DROPPED_ADVICE,
			),
			`the server ${broken} the connection before it answered`,
		);
	}
	const message = `Cannot reach ${labelOf(context)} at ${context.baseURL}: ${problem}.`;
	const advice = context.start
		? `Start the server (${context.start}), pass -u URL, or try -b demo.`
		: context.kind === 'anthropic' || context.label
			? 'Check the network or the URL, pass -u URL, or try -b demo.'
			: 'Start the server (for Ollama: `ollama serve`), pass -u URL, or try -b demo.';
	return summarized(new BackendError(message, 'unreachable', undefined, advice), problem);
}

/** `error` with its `summary` set (BackendError.summary: what failed in a few words, no server named). */
function summarized<E extends BackendError>(error: E, summary: string): E {
	error.summary = oneLine(summary).replace(/\.$/, '');
	return error;
}

/**
 * Maps any error from an SDK call to a BackendError with a one-line message; BackendErrors pass
 * through. An error event inside a stream that is worth retrying comes out `transient`.
 */
export function toBackendError(error: unknown, context: ErrorContext): BackendError {
	if (error instanceof BackendError) return error;
	const converted = describeError(error, context);
	if (converted.code === 'aborted') return converted;
	const wait = retryAfterOf(error);
	if (wait !== undefined) converted.retryAfterMs = Math.max(0, wait);
	// A wait past MAX_RETRY_WAIT_MS is not waited out, as the SDKs' retries do not (response-body.ts).
	if (isTransientStreamError(error) && (wait ?? 0) <= MAX_RETRY_WAIT_MS) converted.transient = true;
	return converted;
}

/** A server message without the status it begins with (a proxy page's "502 Bad Gateway"), which
 * the line says already; undefined when nothing else is left. */
function withoutStatus(said: string | undefined, status: number): string | undefined {
	const rest = said?.replace(new RegExp(`^${status}\\b\\s*[:-]?\\s*`), '');
	return rest === '' ? undefined : rest;
}

/** What a status the SDKs retry stands for, said when the server sent no message of its own. */
const RETRIED_STATUS: Record<number, string> = {
	408: 'request timeout',
	409: 'conflict',
	429: 'rate limited',
	500: 'internal server error',
	502: 'bad gateway',
	503: 'service unavailable',
	504: 'gateway timeout',
	529: 'overloaded',
};

/** A status and what the server said with it, in a few words: "503: Service Unavailable", or
 * "503 (service unavailable)" when it said nothing (RETRIED_STATUS names what the status means). */
function statusSummary(status: number, said: string | undefined): string {
	const meaning = RETRIED_STATUS[status] ?? (status >= 500 ? 'server error' : undefined);
	return `${status}${said ? `: ${said.replace(/\.$/, '')}` : meaning ? ` (${meaning})` : ''}`;
}

/** A retry notice: what failed (`failure`, a sentence), then when the retry comes and which it is:
 * "… Retrying in 2 s (1 of 2).", "… Retrying at once (1 of 2).", or, when the SDK sleeps its own
 * backoff, its longest: "… Retrying within 0.5 s (1 of 2)." */
export function retryNoticeText(failure: string, retry: RetryFacts): string {
	const wait = retry.waitMs !== undefined ? ` ${retryWait(retry.waitMs)}` : retry.waitAtMostMs !== undefined ? ` within ${formatSeconds(retry.waitAtMostMs)}` : '';
	return `${failure} Retrying${wait} (${retry.retry} of ${retry.maxRetries}).`;
}

/**
 * The notice for a try the SDK retries (sdk-retries.ts): what failed, and that it is retried, with the
 * wait the response named, else the SDK's backoff at its longest: "The Anthropic API at https://…
 * answered 529: Overloaded. Retrying in 2 s (1 of 2)."; and the retry's facts (RetryFacts).
 */
export function sdkRetryNotice(context: ErrorContext, failure: RetriedFailure): {message: string; retry: RetryFacts} {
	const server = `${labelOf(context)} at ${context.baseURL}`;
	let what: string;
	let cause: string;
	if (failure.how === 'timeout') {
		const within = context.timeoutMs === undefined ? '' : ` within ${formatSeconds(context.timeoutMs)}`;
		what = `${capitalize(server)} sent no response${within}.`;
		cause = `no response${within}`;
	} else if (failure.how === 'connection') {
		const code = systemErrorCode(failure.error);
		const broken = code === undefined ? undefined : BROKEN_AFTER_CONNECTING[code];
		const problem = connectionProblem(failure.error);
		what = broken ? `${capitalize(server)} ${broken} the connection before it answered.` : `Cannot reach ${server}: ${problem}.`;
		cause = broken ? `the server ${broken} the connection before it answered` : problem;
	} else {
		const said = failure.said === undefined ? undefined : withoutStatus(oneLine(failure.said, 200), failure.status);
		cause = statusSummary(failure.status, said);
		what = sentence(`${capitalize(server)} answered ${failure.status}${said ? `: ${said}` : cause.slice(String(failure.status).length)}`);
	}
	const wait = failure.waitMs !== undefined ? {waitMs: failure.waitMs} : {waitAtMostMs: sdkBackoffMs(failure.retry - 1)};
	const retry: RetryFacts = {retry: failure.retry, maxRetries: failure.maxRetries, ...wait, cause};
	return {message: retryNoticeText(what, retry), retry};
}

/** The request took longer than context.timeoutMs (each try). */
function timedOutError(context: ErrorContext): BackendError {
	const tries = (context.maxRetries ?? 0) > 0 ? ` (each of ${context.maxRetries! + 1} tries)` : '';
	const seconds = context.timeoutMs === undefined ? '' : ` after ${formatSeconds(context.timeoutMs)}${tries}`;
	return new BackendError(
		`Timed out${seconds} waiting for ${labelOf(context)} at ${context.baseURL}. The server may be overloaded or the model still loading: raise --request-timeout (seconds; /set request-timeout in the app; requestTimeoutMs in the library), or try again.`,
		'timeout',
	);
}

function describeError(error: unknown, context: ErrorContext): BackendError {
	if (context.signal?.aborted || isUserAbort(error)) return abortedError();

	const at = context.baseURL;
	if (isTimeout(error)) return timedOutError(context);

	const status = statusOf(error) ?? statusInEvent(error);
	if (status === undefined && isQuotaError(error)) {
		const said = serverMessage(error);
		return new BackendError(sentence(`Out of credits or quota at ${at}${said ? `: ${said}` : ''}`), 'insufficient_quota', undefined, quotaAdvice(context, said));
	}
	if (status === undefined) {
		const code = systemErrorCode(error);
		if (isConnectionError(error) || code !== undefined) {
			return unreachableError(context, connectionProblem(error), code);
		}
		// An error event inside a stream (APIError without a status), or something unexpected.
		const message = serverMessage(error) ?? oneLine(error instanceof Error ? error.message : String(error));
		return summarized(new BackendError(sentence(`Request to ${labelOf(context)} at ${at} failed: ${message}`), 'server'), message);
	}
	const said = withoutStatus(serverMessage(error), status);
	return summarized(statusError(error, context, status, said), statusSummary(status, said));
}

/** describeError for an error with an HTTP status (or one an error event inside a stream stands for). */
function statusError(error: unknown, context: ErrorContext, status: number, said: string | undefined): BackendError {
	const at = context.baseURL;
	const wait = longWaitNote(error);
	const saidPart = wait ? `${said ? `: ${sentence(said)}` : '.'} ${wait}` : said ? `: ${said}` : '';
	// Before 401/403: xAI says a team is out of credits with a 403, Anthropic with a 400.
	if (status === 402 || (status < 500 && isQuotaError(error))) {
		return new BackendError(sentence(`Out of credits or quota at ${at} (${status})${saidPart}`), 'insufficient_quota', status, quotaAdvice(context, said));
	}
	// OpenAI's 403 "Project `proj_…` does not have access to model `gpt-5`" (code model_not_found): the key is good.
	if (status === 403 && isModelAccessError(error, said)) {
		const model = context.model ? `model '${context.model}'` : 'the model';
		return new BackendError(sentence(`No access to ${model} at ${at} (403)${saidPart}`), 'not_found', status, `The key works but may not use this model: choose another (-m), or give the key's project access to it.`);
	}
	// Anthropic's 403 permission_error "Your API key does not have permission to use the specified
	// resource": the key authenticated; it may not use this model (or resource).
	if (status === 403 && isPermissionRefusal(said)) {
		const model = context.model ? `model '${context.model}'` : 'the model';
		return new BackendError(sentence(`No permission for ${model} at ${at} (403)${saidPart}`), 'not_found', status, `The key works but may not use this model or resource: choose another (-m), or ask the account's admin for access.`);
	}
	if (status === 401 || status === 403) {
		const env = context.keyEnv ?? keyEnvVar(context.kind);
		return new BackendError(sentence(`Authentication failed at ${at} (${status})${saidPart}`), 'auth', status, `Check the key: pass -k KEY or export ${env}.`);
	}
	if (status === 404) {
		const what = said ?? (context.model ? `model '${context.model}' not found` : 'not found');
		return new BackendError(sentence(`Not found at ${at} (404): ${what}`), 'not_found', status, 'Check the model name (-m) and the base URL (-u).');
	}
	if (status === 429) {
		// A wait the server names is the advice: "wait a moment" would contradict an hour.
		return new BackendError(sentence(`Rate limited by ${labelOf(context)} at ${at} (429)${saidPart}`), 'rate_limited', status, wait ? 'Try again once that wait is over.' : 'Wait a moment and try again.');
	}
	if (status === 408) {
		return new BackendError(sentence(`Timed out at ${at} (408)${saidPart}`), 'timeout', status);
	}
	if (status >= 500) {
		return new BackendError(sentence(`Server error from ${at} (${status})${saidPart}`), 'server', status);
	}
	return new BackendError(sentence(`Request rejected by ${at} (${status})${saidPart}`), 'bad_request', status);
}

/** An SDK error whose body says the account is out of credits or quota: by its type or code, or
 * in its message (NO_CREDIT_MESSAGE: servers that say so under another status or type). */
function isQuotaError(error: unknown): boolean {
	if (!isSdkError(error, 'APIError')) return false;
	const inner = bodyErrorOf(error);
	if (isObject(inner) && (QUOTA_ERROR_TYPES.test(scalarText(inner['type'])) || QUOTA_ERROR_TYPES.test(scalarText(inner['code'])))) return true;
	return NO_CREDIT_MESSAGE.test(serverMessage(error) ?? '');
}

/** A server message that already says what to do about billing ("please check your plan and
 * billing details", "add more credits", "purchase credits at …"). */
const BILLING_ADVICE = /\b(check|add|buy|purchase|top up|upgrade|increase|raise|contact|go to)\b.{0,80}?\b(plan|billing|credits?|balance|budget|funds|payment|quota)\b/i;

/** A 403 that refuses the model, not the key (OpenAI's code `model_not_found` beside "Project … does
 * not have access to model …"). */
function isModelAccessError(error: unknown, said: string | undefined): boolean {
	const inner = bodyErrorOf(error);
	if (isObject(inner) && scalarText(inner['code']) === 'model_not_found') return true;
	return /\b(does not|doesn't|do not|don't) have access to (the )?model\b|\bno access to (the )?model\b|\bnot allowed to (use|access) (the )?model\b/i.test(said ?? '');
}

/** A 403 whose words say the key may not use what it asked for (not that the key is bad):
 * Anthropic's "does not have permission to use the specified resource", xAI's "The API key … cannot
 * be used to make requests against grok-2-1212 because it lacks the permissions to do so" (beside
 * its code "The caller does not have permission to execute the specified operation", which alone
 * says no more than the 403 does). */
function isPermissionRefusal(said: string | undefined): boolean {
	return /\b(does not|doesn't|do not|don't) have permission to (use|access)\b|\b(cannot|can't|can not) be used to make requests against\b/i.test(said ?? '');
}

/** What to do when the account is out of credits: at the provider the base URL names; when the
 * server's message already says it (`said`), only that retrying will not help. */
function quotaAdvice(context: ErrorContext, said?: string): string {
	if (BILLING_ADVICE.test(said ?? '')) return 'Retrying will not help until that is done.';
	let host = '';
	try {
		host = new URL(context.baseURL).hostname;
	} catch {
		// Not a URL: the label says where.
	}
	const provider = context.label ?? (host || labelOf(context));
	const where = context.label && host ? `${context.label} (${host})` : provider;
	return `Add credits or check the plan and billing of the account at ${where}; retrying will not help until then.`;
}

/** A retry-after past MAX_RETRY_WAIT_MS (the request was not retried): how long the server asks to wait. */
function longWaitNote(error: unknown): string {
	const wait = retryAfterOf(error);
	if (wait === undefined || wait <= MAX_RETRY_WAIT_MS) return '';
	const minutes = Math.round(wait / 60_000);
	const span = wait < 600_000 ? formatSeconds(wait) : minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
	return `The server asks to wait ${span} before a retry (${waitSourceOf(error)}), so it was not retried`;
}

/** When a retry comes, after `ms`: "in 1.5 s", or "at once" for a wait under RETRY_AT_ONCE_MS. */
export function retryWait(ms: number): string {
	return ms < RETRY_AT_ONCE_MS ? 'at once' : `in ${formatSeconds(ms)}`;
}

/**
 * Resolves or rejects like `promise`, but rejects with an 'aborted' BackendError as soon as `signal`
 * fires (the SDKs sleep between retries without watching the signal).
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
	if (!signal) return promise;
	if (signal.aborted) {
		promise.catch(() => undefined);
		return Promise.reject(abortedError());
	}
	return new Promise<T>((resolve, reject) => {
		const onAbort = (): void => {
			promise.catch(() => undefined);
			reject(abortedError());
		};
		signal.addEventListener('abort', onAbort, {once: true});
		promise.then(
			(value) => {
				signal.removeEventListener('abort', onAbort);
				resolve(value);
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onAbort);
				// eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- relays the promise's own rejection as it was
				reject(error);
			},
		);
	});
}

/** Model ids from an SDK's paginated list: abortable, failures as one-line BackendErrors. */
export async function listModelIds(
	open: (signal: AbortSignal | undefined) => AsyncIterable<{id: string}> & {withResponse?: () => Promise<{response: Response}>},
	signal: AbortSignal | undefined,
	context: ErrorContext,
): Promise<string[]> {
	// The SDK's own timeout ends when the headers come: the whole list (its body, further pages) gets
	// the request timeout too, or a server that sends headers and then holds the body holds the start.
	const deadline = context.timeoutMs === undefined ? undefined : AbortSignal.timeout(context.timeoutMs);
	const bounded = deadline && signal ? AbortSignal.any([signal, deadline]) : (deadline ?? signal);
	try {
		const pages = open(bounded);
		const collect = async (): Promise<string[]> => {
			// A web page where the model list should be (a wrong URL) is an error, not an empty list.
			if (pages.withResponse) throwIfNotAReply((await pages.withResponse()).response, context);
			const ids: string[] = [];
			for await (const model of pages) ids.push(model.id);
			return ids;
		};
		return await raceAbort(collect(), bounded);
	} catch (error) {
		if (deadline?.aborted && !signal?.aborted) throw timedOutError(context);
		throw toBackendError(error, context);
	}
}

/** Error types that will not go away on a retry. */
const PERMANENT_TYPES = /invalid_request|authentication|permission|not_found|bad_request|context_length|unsupported|insufficient_quota|insufficient_credits|billing|payment_required/i;

/**
 * An error that arrived inside a 200 stream (Anthropic's `event: error` with `overloaded_error` or
 * `api_error`, an OpenAI-compatible `{"error": ...}` chunk) or a connection cut mid-stream, and is
 * worth retrying: not a request the server will refuse again.
 */
export function isTransientStreamError(error: unknown): boolean {
	if (error instanceof BackendError || isUserAbort(error) || isTimeout(error)) return false;
	if (isConnectionError(error) || (statusOf(error) === undefined && systemErrorCode(error) !== undefined)) return true;
	if (!isSdkError(error, 'APIError') || (error as {status?: unknown}).status !== undefined || isQuotaError(error)) return false;
	const inner = bodyErrorOf(error);
	const type = isObject(inner) ? `${scalarText(inner['type'])} ${scalarText(inner['code'])}` : '';
	// The statuses the SDKs retry when they come as a response status: 408, 409, 429 and 5xx.
	const status = errorStatusIn(inner);
	if (status !== undefined && status < 500 && status !== 408 && status !== 409 && status !== 429) return false;
	return !PERMANENT_TYPES.test(type);
}

/**
 * `toBackendError` for a streamed request. Before the response (`answered` false) the SDK has
 * already retried what it retries (408, 409, 429, 5xx unless `x-should-retry: false`, connection
 * failures, timeouts), so nothing from there is `transient`: retrying it again would multiply the
 * attempts (3 × 3 for a server that is down). Inside the 200 stream the SDKs retry nothing.
 */
export function streamFailure(error: unknown, context: ErrorContext, answered: boolean, response?: unknown): BackendError {
	// The SDKs JSON.parse each event's data and let the SyntaxError out as it is.
	if (answered && error instanceof SyntaxError) return notJsonChunkError(context, nonJsonEventOf(response));
	const converted = toBackendError(error, context);
	if (!answered) converted.transient = false;
	return converted;
}

/**
 * The connection broke while a 200 stream was being read (a server that crashed, a proxy that cut
 * the body: undici's `terminated`, ECONNRESET), as opposed to an error event the server sent.
 */
export function isConnectionCut(error: unknown): boolean {
	if (error instanceof BackendError || isUserAbort(error) || isTimeout(error) || statusOf(error) !== undefined) return false;
	return isConnectionError(error) || systemErrorCode(error) !== undefined;
}

/**
 * A stream that ended before the server said the reply was over (`what`: the end marker it did not
 * send): `transient`, so it is retried like an error event.
 */
export function droppedStreamError(context: ErrorContext, what: string): BackendError {
	const error = new BackendError(
		`${capitalize(labelOf(context))} at ${context.baseURL} closed the stream before the reply ended (${what}).`,
		'server',
		undefined,
		DROPPED_ADVICE,
	);
	error.transient = true;
	error.summary = `the server closed the stream before the reply ended (${what})`;
	drops.add(error);
	return error;
}

/** A usage chunk's fields for a reply `error` cut (its message, and its summary when it has one). */
export function droppedBy(error: BackendError): {droppedBy: string; droppedSummary?: string} {
	return {droppedBy: error.message, ...(error.summary !== undefined ? {droppedSummary: error.summary} : {})};
}

/**
 * A stream whose connection broke mid-stream (`error`: what the SDK threw, see isConnectionCut), in
 * one sentence that says how: `transient`, so it is retried like an error event.
 */
export function brokenStreamError(context: ErrorContext, error: unknown): BackendError {
	const code = systemErrorCode(error);
	const broken = code === undefined ? undefined : BROKEN_AFTER_CONNECTING[code];
	const server = `${labelOf(context)} at ${context.baseURL}`;
	let message: string;
	let summary: string;
	if (broken === 'closed') {
		message = `${capitalize(server)} closed the connection mid-stream.`;
		summary = 'the server closed the connection mid-stream';
	} else if (broken === 'reset') {
		message = `The connection to ${server} was reset mid-stream.`;
		summary = 'the connection was reset mid-stream';
	} else {
		const detail = (code && CONNECTION_PROBLEMS[code]) ?? code ?? rootCauseMessage(error);
		const how = `broke mid-stream${detail ? `: ${oneLine(detail, 120)}` : ''}`;
		message = sentence(`The connection to ${server} ${how}`);
		summary = `the connection ${how}`;
	}
	const converted = summarized(new BackendError(message, 'server', undefined, DROPPED_ADVICE), summary);
	converted.transient = true;
	drops.add(converted);
	return converted;
}

/**
 * A stream whose reply ended in `finish_reason: "error"` with no error beside it: OpenRouter's mark of
 * a reply its provider failed (openrouter.ai/docs "Errors and Debugging": the chunk also carries an
 * `error`, which the SDK throws on, but a proxy that re-serializes chunks drops a field it does not
 * know). `transient`, as that error would be.
 */
export function errorFinishError(context: ErrorContext): BackendError {
	const error = new BackendError(`${capitalize(labelOf(context))} at ${context.baseURL} ended the reply with finish_reason "error" and no message: its provider failed.`, 'server');
	error.summary = 'finish_reason "error": the provider failed';
	error.transient = true;
	return error;
}

/** The longest the SDKs' backoff before retry number `retry` + 1 can be, in ms: 0.5 s doubling to
 * at most 8 s (openai and @anthropic-ai/sdk, calculateDefaultRetryTimeoutMillis). */
export function sdkBackoffMs(retry: number): number {
	return Math.min(500 * 2 ** retry, 8000);
}

/** The SDKs' retry backoff (sdkBackoffMs, less up to a quarter of jitter), in ms. */
export function retryDelayMs(retry: number): number {
	return sdkBackoffMs(retry) * (1 - Math.random() * 0.25);
}

/**
 * A streamed reply that sent nothing for the request timeout (StreamStalled: see idle-timeout.ts).
 * Before any of the reply (`started` false) it is `transient`: retried like an error event, since
 * nothing was shown (a server still loading the model may send its headers and then wait).
 */
export function stalledStreamError(context: ErrorContext, started = true): StreamStalled {
	const seconds = context.timeoutMs === undefined ? '' : ` for ${formatSeconds(context.timeoutMs)}`;
	const where = started ? 'in the middle of its reply' : 'after it began its reply';
	// Not "or try again" when it is retried: the retry notice goes on "Retrying in 0.5 s".
	const otherwise = started ? ', or try again' : ' if the model needs longer';
	const error = new StreamStalled(
		`${capitalize(labelOf(context))} at ${context.baseURL} sent nothing more${seconds} ${where}: raise --request-timeout (seconds; /set request-timeout in the app; requestTimeoutMs in the library)${otherwise}.`,
		'timeout',
	);
	error.summary = `the server sent nothing more${seconds} ${where}`;
	error.transient = !started;
	return error;
}

/** A 200 that is not an API reply, as an error that names the URL and what to check. */
export function notAReplyError(context: ErrorContext, what: string): BackendError {
	const where =
		context.kind === 'anthropic'
			? 'Anthropic-compatible APIs are at the host root (the client adds /v1/messages)'
			: 'OpenAI-compatible APIs usually end in /v1';
	return new BackendError(
		sentence(`${capitalize(labelOf(context))} at ${context.baseURL} answered 200 with ${what}, not an API reply`),
		'bad_response',
		200,
		`Check the base URL (-u): ${where}.`,
	);
}

/** Characters of a stream chunk quoted in an error. */
const QUOTED_CHUNK_CHARS = 60;

/** A 200 stream with an event whose data is not JSON (`chunk`: that data, when it was found). */
export function notJsonChunkError(context: ErrorContext, chunk: string | undefined): BackendError {
	let shown = '';
	if (chunk !== undefined) {
		// Redacted before it is cut: a key cut in half would no longer look like one.
		const points = [...redactSecrets(chunk.slice(0, QUOTED_CHUNK_CHARS * 8))];
		shown = `: ${quoted(points.length > QUOTED_CHUNK_CHARS ? `${points.slice(0, QUOTED_CHUNK_CHARS).join('')}…` : points.join(''))}`;
	}
	return new BackendError(
		`${capitalize(labelOf(context))} at ${context.baseURL} sent a stream chunk that is not JSON${shown}.`,
		'bad_response',
		200,
		'Check the base URL (-u) and any proxy in between: each data: line of the stream must be one JSON object.',
	);
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Throws when `response` (from the inspecting fetch) was a 200 that is not an API reply. */
export function throwIfNotAReply(response: Response, context: ErrorContext): void {
	const page = notAReply(response);
	if (!page) return;
	const title = pageSummary(page.head);
	const what = /html|xml/i.test(page.contentType)
		? `an HTML page${title ? ` ("${oneLine(title, 80)}")` : ''}`
		: `a ${page.contentType || 'non-JSON'} body`;
	throw notAReplyError(context, what);
}
