// The one place where backend errors and URLs leave the backends room: every error a backend
// throws, every notice it streams and every URL or source it reports passes redactSecrets, with
// the secrets this backend was given (its key, secret-named headers, credentials in its URL).
// Sub-call errors go into Python, run errors into events, trajectories, --json and the screen.
import {redactSecrets, secretsOfHeaders, secretsOfURL} from '../protocol/redact.js';
import {BackendError, type Backend, type ChatMessage, type StreamChunk, type StreamOptions} from './types.js';

const REDACTING = Symbol('redacting');

export interface BackendSecrets {
	apiKey?: string | undefined;
	baseURL?: string | undefined;
	headers?: Record<string, string> | undefined;
}

/** The secrets a backend config carries, as literal strings to remove from text. */
export function secretsOf(config: BackendSecrets): string[] {
	return [
		...(config.apiKey ? [config.apiKey] : []),
		...(config.baseURL ? secretsOfURL(config.baseURL) : []),
		...secretsOfHeaders(config.headers),
	];
}

/** `error` with its message redacted: a BackendError keeps its code, status, transient flag and retry wait
 * (and its advice and summary, redacted too);
 * anything else becomes an Error with the redacted message. */
export function redactError(error: unknown, secrets: readonly string[]): Error {
	if (error instanceof BackendError) {
		const message = redactSecrets(error.message, secrets);
		const advice = error.advice === undefined ? undefined : redactSecrets(error.advice, secrets);
		const summary = error.summary === undefined ? undefined : redactSecrets(error.summary, secrets);
		if (message === error.message && advice === error.advice && summary === error.summary) return error;
		const redacted = new BackendError(message, error.code, error.status, advice);
		redacted.transient = error.transient;
		if (error.retryAfterMs !== undefined) redacted.retryAfterMs = error.retryAfterMs;
		if (summary !== undefined) redacted.summary = summary;
		return redacted;
	}
	const message = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
	const redacted = new Error(message);
	if (error instanceof Error) redacted.name = error.name;
	return redacted;
}

/** `backend` behind the redaction boundary (a backend already behind it is returned as it is). */
export function redactingBackend(backend: Backend, secrets: readonly string[] = []): Backend {
	if ((backend as {[REDACTING]?: true})[REDACTING]) return backend;
	const redact = (text: string) => redactSecrets(text, secrets);
	const fail = (error: unknown): never => {
		throw redactError(error, secrets);
	};
	const wrapped: Backend & {[REDACTING]: true} = {
		[REDACTING]: true,
		kind: backend.kind,
		name: backend.name,
		...(backend.baseURL !== undefined ? {baseURL: redact(backend.baseURL)} : {}),
		async *stream(messages: ChatMessage[], options: StreamOptions): AsyncIterable<StreamChunk> {
			try {
				for await (const chunk of backend.stream(messages, options)) {
					if (chunk.type !== 'notice') yield chunk;
					else if (chunk.code === 'stream_retried') yield {...chunk, message: redact(chunk.message), retry: {...chunk.retry, cause: redact(chunk.retry.cause)}};
					else yield {...chunk, message: redact(chunk.message)};
				}
			} catch (error) {
				fail(error);
			}
		},
		listModels: (signal?: AbortSignal) => backend.listModels(signal).catch(fail),
	};
	if (backend.contextWindow) {
		const contextWindow = backend.contextWindow.bind(backend);
		wrapped.contextWindow = async (model, signal) => {
			const found = await contextWindow(model, signal);
			return found && {...found, source: redact(found.source)};
		};
	}
	if (backend.windowAdvice) {
		const windowAdvice = backend.windowAdvice.bind(backend);
		wrapped.windowAdvice = (model) => {
			const advice = windowAdvice(model);
			return advice === undefined ? undefined : redact(advice);
		};
	}
	return wrapped;
}
