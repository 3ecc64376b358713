// `rlm-tui serve`: the RLM as an OpenAI-compatible endpoint. Each request runs in its own Rlm
// (its own sandbox); a bounded pool runs them, a bounded queue holds the rest, then 429.
// Routes: POST /v1/chat/completions, POST /v1/responses, GET /v1/models, GET /v1/models/{id},
// GET /health.
import {randomBytes} from 'node:crypto';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import {DEFAULTS, Rlm} from '../engine/rlm.js';
import {HOST_REFUSAL, isLocalHostHeader, isLoopback} from './local-host.js';
import {bearerTokenCheck} from './bearer-token.js';
import type {RlmOptions} from '../engine/types.js';
import {callLimits, type CallLimits} from '../protocol/limits.js';
import {quotedClip} from '../protocol/quoted.js';
import {chatCompletions} from './chat-completions.js';
import type {Endpoint} from './endpoint.js';
import {HttpError} from './http-error.js';
import {hideUpstream} from '../text/upstream-address.js';
import {modelObject, sendError, sendJson} from './openai-wire.js';
import {responses} from './responses.js';
import {bodyReader} from './request-body.js';
import {runPool} from './run-pool.js';
import {requestLimits} from './request-schema.js';
import {DEFAULT_HOST, DEFAULT_MAX_CONCURRENT, DEFAULT_MAX_QUEUED, DEFAULT_SERVE_PORT} from '../protocol/defaults.js';
import {keptModelList} from './model-list.js';
import {servedModels} from './served-models.js';
import {clientGone} from './endpoint.js';
import {sendShutdownError, shutdownTracker} from './shutdown.js';

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
	/** Origins whose web pages may call the endpoint (CORS); '*' for any, which needs a token. */
	corsOrigins?: string[];
	/** Interval of the SSE heartbeat comment while a streamed run works, in ms (default 15,000). */
	heartbeatMs?: number;
	/** How GET /v1/models keeps the backend's list (model-list.ts: 30 s fresh, 30 s after a
	 * failure, 10 s per request, a poll answered within 2 s). */
	modelList?: {freshMs?: number; retryMs?: number; timeoutMs?: number; answerWithinMs?: number};
}

export interface RlmServer {
	url: string;
	/** Stops listening, ends every open request with a shutdown error in its protocol's shape,
	 * cancels the runs and waits a few seconds at most for them (shutdown.ts). Resolves to the
	 * number of requests that were still open, each answered with the shutdown error. */
	close(): Promise<number>;
	/** Runs in progress right now (for tests and status). */
	readonly active: number;
	/** Requests holding a place: reading their body, queued or running. */
	readonly admitted: number;
	/** Request body bytes buffered right now across all requests. */
	readonly bufferedBytes: number;
}

export {isLoopback} from './local-host.js';
export const generateToken = () => `rlm-${randomBytes(18).toString('base64url')}`;

/** Default time a client has to send its request headers, in ms. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;
/** Default time a client has to send its whole request, in ms: a slow body cannot hold a slot. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export async function startRlmServer(options: RlmServerOptions): Promise<RlmServer> {
	const host = options.host ?? DEFAULT_HOST;
	if (!isLoopback(host) && !options.token) throw new Error(`Binding ${host} needs a bearer token (--token)`);
	const corsOrigins = new Set((options.corsOrigins ?? []).map((origin) => origin.replace(/\/$/, '')));
	if (corsOrigins.has('*') && !options.token) throw new Error('--cors "*" lets every web page call the endpoint: it needs a bearer token (--token)');
	const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
	const pool = runPool(maxConcurrent);
	const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
	const bodies = bodyReader(options);
	const shutdown = shutdownTracker();
	/** Requests admitted to the pool, from before their body is read until their run ends. */
	let admitted = 0;
	const tokenMatches = bearerTokenCheck(options.token);
	const authorized = (req: IncomingMessage) => tokenMatches(req.headers.authorization);
	const allowedOrigin = (origin: string | undefined) => origin !== undefined && (corsOrigins.has('*') || corsOrigins.has(origin));

	// What a request's `rlm` caps may not pass: the server's own, else the engine's defaults.
	const serverCeilings: CallLimits = {
		maxIterations: options.rlm.maxIterations ?? DEFAULTS.maxIterations,
		maxDepth: options.rlm.maxDepth ?? DEFAULTS.maxDepth,
		maxSubCalls: options.rlm.maxSubCalls ?? DEFAULTS.maxSubCalls,
		...(options.rlm.maxBudget !== undefined ? {maxBudget: options.rlm.maxBudget} : {}),
		...(options.rlm.maxTimeout !== undefined ? {maxTimeout: options.rlm.maxTimeout} : {}),
		...(options.rlm.maxTokens !== undefined ? {maxTokens: options.rlm.maxTokens} : {}),
		...(options.rlm.maxErrors !== undefined ? {maxErrors: options.rlm.maxErrors} : {}),
	};

	const endpoint: Endpoint = {
		async rlmOptions(res, {model: requested, temperature, rlm}) {
			const model = await models.rootModelFor(requested);
			const {limits, lowered} = callLimits(serverCeilings, requestLimits(rlm));
			if (lowered.length) res.setHeader('rlm-limits-lowered', lowered.join('; '));
			return {
				...options.rlm,
				...limits,
				model,
				backendInstance: options.backend,
				...(temperature != null ? {temperature} : {}),
			};
		},
		admit() {
			if (pool.active + pool.queued >= maxConcurrent + maxQueued)
				throw new HttpError(429, 'rate_limit_error', 'Too many RLM runs at once; try again shortly.', {headers: {'retry-after': '5'}});
		},
		schedule: (task, signal) => pool.run(task, signal),
		runSignal: (res) => AbortSignal.any([clientGone(res), shutdown.signal]),
		onShutdown: (res, end) => shutdown.onShutdown(res, end),
		...(options.heartbeatMs ? {heartbeatMs: options.heartbeatMs} : {}),
	};

	const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
	const headersTimeout = Math.min(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout);
	const server = createServer(
		// Node checks both timeouts every connectionsCheckingInterval; a 408 ends the connection.
		{headersTimeout, requestTimeout, connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4)))},
		(req, res) => {
			// A request on a kept-alive connection after the shutdown began.
			if (shutdown.begun) return sendShutdownError(res);
			const handled = handle(req, res).catch((error: unknown) => {
				if (res.headersSent) {
					res.end();
					return;
				}
				// Refused before its body was read: the connection closes rather than read the rest.
				if (!req.complete) res.setHeader('connection', 'close');
				if (error instanceof HttpError) sendError(res, error.status, error.type, error.message, error.options);
				else sendError(res, 500, 'server_error', hideUpstream(error instanceof Error ? error.message : String(error), options.backend.baseURL), {retry: false});
			});
			shutdown.track(res, handled);
		},
	);

	async function handle(req: IncomingMessage, res: ServerResponse) {
		const url = new URL(req.url ?? '/', 'http://x');
		const path = url.pathname.replace(/\/$/, '');
		const origin = req.headers.origin;
		if (origin !== undefined && allowedOrigin(origin)) {
			res.setHeader('access-control-allow-origin', origin);
			res.setHeader('vary', 'Origin');
		}
		// Without a token, only local programs (and the --cors origins) may talk to us: other web
		// pages (Origin), DNS rebinding (a Host that is not local: local-host.ts) and form posts are turned away.
		if (!options.token) {
			if (origin !== undefined && !allowedOrigin(origin))
				throw new HttpError(403, 'authentication_error', 'Requests from web pages are refused; allow this origin with --cors ORIGIN (or use a bearer token).');
			if (!isLocalHostHeader(req.headers.host)) throw new HttpError(403, 'authentication_error', HOST_REFUSAL);
		} else if (origin !== undefined && !allowedOrigin(origin)) {
			throw new HttpError(403, 'authentication_error', 'Requests from this web page\'s origin are refused; allow it with --cors ORIGIN.');
		}
		if (req.method === 'OPTIONS') {
			// A CORS preflight: it carries no credentials, so it is answered before the token check.
			res.writeHead(204, {
				'access-control-allow-methods': 'GET, POST, OPTIONS',
				'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'authorization, content-type',
				'access-control-max-age': '600',
			});
			res.end();
			return;
		}
		if (req.method === 'GET' && path === '/health') return sendJson(res, 200, {status: 'ok', active: pool.active, queued: pool.queued});
		if (!authorized(req)) throw new HttpError(401, 'authentication_error', 'Missing or wrong bearer token.', {code: 'invalid_api_key'});
		if (req.method === 'POST' && !/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
			throw new HttpError(415, 'invalid_request_error', 'Send the request body as application/json.');
		if (req.method === 'GET' && path === '/v1/models') return listModels(res);
		if (req.method === 'GET' && path.startsWith('/v1/models/')) return getModel(res, path.slice('/v1/models/'.length));
		if (req.method === 'POST' && path === '/v1/chat/completions') return admittedRun(async () => chatCompletions(endpoint, await bodies.readJson(req), res));
		if (req.method === 'POST' && path === '/v1/responses') return admittedRun(async () => responses(endpoint, await bodies.readJson(req), res));
		const allowed = routeMethods(path);
		if (allowed)
			throw new HttpError(405, 'invalid_request_error', `${path} takes ${allowed}, not ${quotedClip(req.method ?? '')}.`, {code: 'method_not_allowed', retry: false, headers: {allow: allowed}});
		throw new HttpError(404, 'not_found_error', `No route for ${req.method} ${quotedClip(path)}. Try POST /v1/chat/completions, POST /v1/responses or GET /v1/models.`);
	}

	// Undefined when the backend cannot list models right now: the `rlm` alias still works.
	const backendModels = keptModelList((signal) => options.backend.listModels(signal), options.modelList);
	const models = servedModels({
		rootModel: options.rlm.model,
		subModel: options.rlm.subModel,
		allowModels: options.rlm.allowModels,
		modelId: (name) => Rlm.modelId(options.backend.kind, name),
		backendModels,
	});

	async function listModels(res: ServerResponse) {
		sendJson(res, 200, {object: 'list', data: (await models.ids()).map((id) => modelObject(id))});
	}

	/** GET /v1/models/{id}: `encoded` is the id as the path holds it. */
	async function getModel(res: ServerResponse, encoded: string) {
		let id: string;
		try {
			id = decodeURIComponent(encoded);
		} catch {
			throw new HttpError(400, 'invalid_request_error', `Invalid model id ${quotedClip(encoded)} in the path: it is not percent-encoded UTF-8.`, {param: 'model'});
		}
		await models.rootModelFor(id);
		sendJson(res, 200, modelObject(id));
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

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? DEFAULT_SERVE_PORT, host, () => resolve());
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : options.port;
	const shownHost = host.includes(':') ? `[${host}]` : host;
	return {
		url: `http://${shownHost}:${port}`,
		get active() {
			return pool.active;
		},
		get admitted() {
			return admitted;
		},
		get bufferedBytes() {
			return bodies.buffered;
		},
		close: () => shutdown.close(server),
	};
}

/** The method a route of serve's takes (RFC 9110 §15.5.6: a 405 names it in Allow), or undefined
 * for a path that is no route. */
function routeMethods(path: string): string | undefined {
	if (path === '/v1/chat/completions' || path === '/v1/responses') return 'POST';
	if (path === '/v1/models' || path.startsWith('/v1/models/') || path === '/health') return 'GET';
	return undefined;
}
