// `rlm-tui serve`: the RLM as an OpenAI-compatible endpoint. Each request runs in its own Rlm
// (its own sandbox); a bounded pool runs them, a bounded queue holds the rest, then 429.
import {randomBytes, timingSafeEqual} from 'node:crypto';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import {isIP} from 'node:net';
import pLimit from 'p-limit';
import type {Usage} from '../protocol/llm.js';
import type {RlmEvent} from '../protocol/events.js';
import {Rlm} from '../engine/rlm.js';
import type {RlmOptions} from '../engine/types.js';
import {ConversationError, toConversation} from './conversation.js';
import {HttpError} from './http-error.js';
import {chunkObject, completionObject, nowSeconds, sendError, sendJson, usageObject} from './openai-wire.js';
import {bodyReader} from './request-body.js';
import {chatRequestSchema, type ChatRequest} from './request-schema.js';
import {printableLine} from '../text/printable.js';

export interface RlmServerOptions {
	/** Options for every run; `model` is the root model behind the `rlm` alias. */
	rlm: Omit<RlmOptions, 'backendInstance'>;
	/** The backend every run shares (the engine's option; serve builds it once). */
	backend: NonNullable<RlmOptions['backendInstance']>;
	host?: string;
	port?: number;
	/** Required bearer token; undefined means no auth (loopback only). */
	token?: string;
	maxConcurrent?: number;
	maxQueued?: number;
	/** Largest request body accepted, in bytes (default 64 MiB: request-body.ts). */
	maxBodyBytes?: number;
	/** Cap on request bytes buffered across all requests at once, in bytes (default 256 MiB). */
	maxBufferedBytes?: number;
	/** Time a client has to send its request headers, in ms (default 20,000). */
	headersTimeoutMs?: number;
	/** Time a client has to send its whole request, body included, in ms (default 60,000). */
	requestTimeoutMs?: number;
}

export interface RlmServer {
	url: string;
	close(): Promise<void>;
	/** Runs in progress right now (for tests and status). */
	readonly active: number;
	/** Request body bytes buffered right now across all requests. */
	readonly bufferedBytes: number;
}

/** A loopback interface: localhost, ::1, or an IPv4 address in 127.0.0.0/8 (never a host name). */
export function isLoopback(host: string): boolean {
	const bare = host.replace(/^\[|\]$/g, '');
	if (bare === 'localhost' || bare === '::1') return true;
	return isIP(bare) === 4 && bare.startsWith('127.');
}

/** The Host header's name part, without the port. */
function hostName(header: string | undefined): string {
	if (!header) return '';
	if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
	return header.replace(/:\d+$/, '');
}
export const generateToken = () => `rlm-${randomBytes(18).toString('base64url')}`;

const aliasPrefix = 'rlm:';

/** Default time a client has to send its request headers, in ms. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;
/** Default time a client has to send its whole request, in ms: a slow body cannot hold a slot. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export async function startRlmServer(options: RlmServerOptions): Promise<RlmServer> {
	const host = options.host ?? '127.0.0.1';
	if (!isLoopback(host) && !options.token) throw new Error(`Binding ${host} needs a bearer token (--token)`);
	const maxConcurrent = options.maxConcurrent ?? 2;
	const limit = pLimit(maxConcurrent);
	const maxQueued = options.maxQueued ?? 8;
	const bodies = bodyReader(options);
	/** Requests admitted to the pool, from before their body is read until their run ends. */
	let admitted = 0;
	const expected = options.token ? Buffer.from(`Bearer ${options.token}`) : null;

	const authorized = (req: IncomingMessage) => {
		if (!expected) return true;
		const given = Buffer.from(req.headers.authorization ?? '');
		return given.length === expected.length && timingSafeEqual(given, expected);
	};

	const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
	const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout);
	const server = createServer(
		// Node checks both timeouts every connectionsCheckingInterval; a 408 ends the connection.
		{headersTimeout, requestTimeout, connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4)))},
		(req, res) => {
			handle(req, res).catch((error: unknown) => {
				if (res.headersSent) {
					res.end();
					return;
				}
				// Refused before its body was read: the connection closes rather than read the rest.
				if (!req.complete) res.setHeader('connection', 'close');
				if (error instanceof HttpError) sendError(res, error.status, error.type, error.message, error.options);
				else sendError(res, 500, 'server_error', error instanceof Error ? error.message : String(error));
			});
		},
	);

	async function handle(req: IncomingMessage, res: ServerResponse) {
		const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/$/, '');
		// Without a token, only local programs may talk to us: web pages (Origin), DNS rebinding
		// (a Host that is not loopback) and form posts (not JSON) are turned away.
		if (!expected) {
			if (req.headers.origin !== undefined) throw new HttpError(403, 'authentication_error', 'Requests from web pages are refused; use a bearer token (--token) to allow them.');
			if (!isLoopback(hostName(req.headers.host))) throw new HttpError(403, 'authentication_error', 'Only loopback Host names are accepted without a bearer token.');
		}
		if (!authorized(req)) throw new HttpError(401, 'authentication_error', 'Missing or wrong bearer token.');
		if (req.method === 'POST' && !/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
			throw new HttpError(415, 'invalid_request_error', 'Send the request body as application/json.');
		if (req.method === 'GET' && path === '/v1/models') return listModels(res);
		if (req.method === 'POST' && path === '/v1/chat/completions') return chatCompletion(req, res);
		throw new HttpError(404, 'not_found_error', `No route for ${req.method} ${path}. Try GET /v1/models or POST /v1/chat/completions.`);
	}

	async function listModels(res: ServerResponse) {
		let models: string[] = [];
		try {
			models = await options.backend.listModels(AbortSignal.timeout(10_000));
		} catch {
			// The backend cannot list models right now: the alias still works.
		}
		const entry = (id: string) => ({id, object: 'model', created: nowSeconds(), owned_by: 'rlm-tui'});
		sendJson(res, 200, {object: 'list', data: [entry('rlm'), ...models.map((model) => entry(`${aliasPrefix}${model}`))]});
	}

	/** Holds a place in the pool from before the body is read until `task` ends.
	 * @throws HttpError 429 when the pool and its queue are full. */
	async function admittedRun<T>(task: () => Promise<T>): Promise<T> {
		if (admitted >= maxConcurrent + maxQueued)
			throw new HttpError(429, 'rate_limit_error', 'Too many RLM runs at once; try again shortly.', {headers: {'retry-after': '5'}});
		admitted++;
		try {
			return await task();
		} finally {
			admitted--;
		}
	}

	function rootModelFor(requested: string): string {
		if (requested === 'rlm') return options.rlm.model;
		if (requested.startsWith(aliasPrefix) && requested.length > aliasPrefix.length) return requested.slice(aliasPrefix.length);
		throw new HttpError(404, 'not_found_error', `Unknown model "${requested}": use "rlm" or "rlm:<model>" (see GET /v1/models).`);
	}

	async function chatCompletion(req: IncomingMessage, res: ServerResponse) {
		return admittedRun(() => runChatCompletion(req, res));
	}

	async function runChatCompletion(req: IncomingMessage, res: ServerResponse) {
		const parsed = chatRequestSchema.safeParse(await bodies.readJson(req));
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			throw new HttpError(400, 'invalid_request_error', `Invalid request: ${issue?.path.join('.') || 'body'}: ${issue?.message}`);
		}
		const request = parsed.data;
		const model = rootModelFor(request.model);
		let conversation;
		try {
			conversation = toConversation(request.messages);
		} catch (error) {
			if (error instanceof ConversationError) throw new HttpError(400, 'invalid_request_error', error.message);
			throw error;
		}

		const controller = new AbortController();
		res.on('close', () => {
			if (!res.writableFinished) controller.abort();
		});
		const streaming = Boolean(request.stream);
		const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
		if (streaming) startStream(res);

		await limit(async () => {
			if (controller.signal.aborted) return;
			const rlm = new Rlm({
				...options.rlm,
				model,
				backendInstance: options.backend,
				...(request.temperature != null ? {temperature: request.temperature} : {}),
				...((request.max_completion_tokens ?? request.max_tokens) ? {maxOutputTokens: (request.max_completion_tokens ?? request.max_tokens)!} : {}),
			});
			if (streaming) rlm.on('event', (event) => writeProgress(res, event));
			rlm.setHistory(conversation.history);
			try {
				const result = await rlm.completion(conversation.question, {
					...(conversation.context !== undefined ? {context: conversation.context} : {}),
					signal: controller.signal,
				});
				if (controller.signal.aborted) return;
				if (result.status === 'failed' || result.status === 'cancelled') {
					const message = result.error ?? (result.status === 'cancelled' ? 'The RLM run was cancelled.' : 'The RLM run failed.');
					if (streaming) endStreamWithError(res, message);
					else sendError(res, 502, 'upstream_error', message);
					return;
				}
				// A forced or limited answer is the best the run had when it had to stop: "length", as
				// OpenAI marks a reply cut at its limit.
				const finish = result.status === 'forced' || result.status === 'limited' ? 'length' : 'stop';
				if (streaming) endStream(res, id, request, result.response, result.usage, finish);
				else sendJson(res, 200, completionObject(id, request.model, result.response, result.usage, finish));
			} finally {
				await rlm.dispose();
			}
		});
	}

	function startStream(res: ServerResponse) {
		res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive'});
		res.write(': rlm-tui: queued\n\n');
	}

	/** Progress as SSE comments: standard clients skip them, curious ones can read them. */
	function writeProgress(res: ServerResponse, event: RlmEvent) {
		let line: string | null = null;
		if (event.type === 'iter.start') line = `iteration ${event.iteration}/${event.maxIterations}`;
		else if (event.type === 'code.start') line = `code block ${event.block} of iteration ${event.iteration}`;
		else if (event.type === 'call.start') line = `${event.fn}[${event.index}] -> ${event.model}`;
		else if (event.type === 'run.start' && event.depth > 0) line = `child RLM at depth ${event.depth}`;
		if (line && !res.writableEnded) res.write(`: rlm-tui: ${printableLine(line)}\n\n`);
	}

	function endStream(res: ServerResponse, id: string, request: ChatRequest, answer: string, usage: Usage, finish: 'stop' | 'length') {
		const send = (body: unknown) => res.write(`data: ${JSON.stringify(body)}\n\n`);
		send(chunkObject(id, request.model, {role: 'assistant', content: ''}));
		const piece = 256;
		for (let i = 0; i < answer.length; i += piece) send(chunkObject(id, request.model, {content: answer.slice(i, i + piece)}));
		send(chunkObject(id, request.model, {}, finish));
		if (request.stream_options?.include_usage)
			send({id, object: 'chat.completion.chunk', created: nowSeconds(), model: request.model, choices: [], usage: usageObject(usage)});
		res.end('data: [DONE]\n\n');
	}

	function endStreamWithError(res: ServerResponse, message: string) {
		res.write(`data: ${JSON.stringify({error: {message, type: 'upstream_error', param: null, code: null}})}\n\n`);
		res.end('data: [DONE]\n\n');
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 8080, host, () => resolve());
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : options.port;
	const shownHost = host.includes(':') ? `[${host}]` : host;
	return {
		url: `http://${shownHost}:${port}`,
		get active() {
			return limit.activeCount;
		},
		get bufferedBytes() {
			return bodies.buffered;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
