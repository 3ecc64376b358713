// The transports an MCP client reaches the server over: stdio (the client starts `rlm-tui mcp` as
// its child: one session, stdout is the protocol's alone) and Streamable HTTP (`--http`: one session
// per client, each with its own McpServer over the shared runtime), both from the official SDK.
import {randomUUID} from 'node:crypto';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import {StreamableHTTPServerTransport} from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {isInitializeRequest} from '@modelcontextprotocol/sdk/types.js';
import {HOST_REFUSAL, isLocalHostHeader, isLoopback} from '../server/local-host.js';
import {bearerTokenCheck} from '../server/bearer-token.js';
import {clientFilter, filterOutgoing} from './for-client.js';
import type {McpOptions, McpRuntime} from './runtime.js';
import {createMcpServer} from './tools.js';
import {formatCount} from '../protocol/numbers.js';
import {LineStdioTransport} from './stdio-transport.js';

/** The largest message a client may send, in bytes, on either transport (a call's `context` text
 * travels in it): 256 MiB. The whole message is held in memory while it is parsed. */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** The upstream LLM servers' addresses (the root's and the sub-calls'), which no client is told. */
const upstreams = ({rlm}: McpOptions) => [rlm.backendInstance?.baseURL ?? rlm.baseURL, rlm.subBackendInstance?.baseURL ?? rlm.subBaseURL];

/** Serves one session on stdin/stdout; resolves when the client closes it (stdin ends). A message
 * over `maxMessageBytes` is refused with an error and the session goes on. Protocol errors (a
 * message skipped, a line that is not JSON-RPC) are written to stderr. */
export async function serveStdio(runtime: McpRuntime, version: string, maxMessageBytes = MAX_MESSAGE_BYTES): Promise<void> {
	const server = createMcpServer(runtime, version);
	// The client is local (it started this process): it may see the log folder, never the upstream.
	const transport = filterOutgoing(new LineStdioTransport(maxMessageBytes), clientFilter(upstreams(runtime.options)));
	server.server.onerror = (error) => process.stderr.write(`rlm-tui mcp: ${error.message}\n`);
	const closed = new Promise<void>((resolve) => {
		transport.onclose = () => resolve();
		// The transport does not notice the end of stdin by itself.
		process.stdin.once('end', () => resolve());
		process.stdin.once('close', () => resolve());
	});
	await server.connect(transport);
	await closed;
	await server.close().catch(() => undefined);
}

export interface McpHttpOptions {
	host: string;
	port: number;
	/** Bearer token clients must send; required for a host that is not loopback. */
	token?: string;
	/** Largest request body accepted, in bytes (a call's `context` text travels in it); default
	 * MAX_MESSAGE_BYTES. */
	maxBodyBytes?: number;
}

export interface McpHttpServer {
	/** The endpoint, e.g. http://127.0.0.1:8765/mcp */
	url: string;
	/** Sessions open now. */
	readonly sessions: number;
	close(): Promise<void>;
}

class HttpRefusal extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}


/** A JSON-RPC error as the SDK's transport sends one (no id: the request was not read). */
function sendRefusal(res: ServerResponse, status: number, message: string): void {
	res.writeHead(status, {'content-type': 'application/json'});
	res.end(JSON.stringify({jsonrpc: '2.0', error: {code: -32000, message}, id: null}));
}

/**
 * Serves Streamable HTTP at `/mcp`. The rules are `serve`'s: without a token only loopback binds,
 * and requests from web pages (an Origin header) or with a Host that is not local (DNS
 * rebinding: local-host.ts) are refused; with a token every request needs `Authorization: Bearer TOKEN`.
 * @throws Error when a host that is not loopback has no token, or as `listen` does (EADDRINUSE...).
 */
export async function serveHttp(runtime: McpRuntime, version: string, options: McpHttpOptions): Promise<McpHttpServer> {
	const {host} = options;
	if (!isLoopback(host) && !options.token) throw new Error(`Binding ${host} needs a bearer token (--token)`);
	const tokenMatches = bearerTokenCheck(options.token);
	const maxBodyBytes = options.maxBodyBytes ?? MAX_MESSAGE_BYTES;
	const transports = new Map<string, StreamableHTTPServerTransport>();
	// A client over HTTP may be on another machine: it learns neither the upstream nor the log folder.
	const forRemote = clientFilter(upstreams(runtime.options), runtime.options.logDir);

	const check = (req: IncomingMessage) => {
		if (!options.token) {
			if (req.headers.origin !== undefined) throw new HttpRefusal(403, 'Requests from web pages are refused; start rlm-tui mcp --http with --token to allow them.');
			if (!isLocalHostHeader(req.headers.host)) throw new HttpRefusal(403, HOST_REFUSAL);
			return;
		}
		if (!tokenMatches(req.headers.authorization)) throw new HttpRefusal(401, 'Missing or wrong bearer token.');
	};

	const readJson = async (req: IncomingMessage): Promise<unknown> => {
		const chunks: Buffer[] = [];
		let size = 0;
		for await (const chunk of req) {
			size += (chunk as Buffer).length;
			if (size > maxBodyBytes) throw new HttpRefusal(413, `The request body is over ${formatCount(maxBodyBytes)} bytes.`);
			chunks.push(chunk as Buffer);
		}
		try {
			return JSON.parse(Buffer.concat(chunks).toString('utf8'));
		} catch {
			throw new HttpRefusal(400, 'The request body is not JSON.');
		}
	};

	const handle = async (req: IncomingMessage, res: ServerResponse) => {
		const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/$/, '');
		check(req);
		if (path !== '/mcp') throw new HttpRefusal(404, `No route ${req.method} ${path}: the MCP endpoint is /mcp.`);
		const sessionId = req.headers['mcp-session-id'];
		const existing = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
		if (req.method !== 'POST') {
			// GET (the server's own stream) and DELETE (end the session) need a session.
			if (!existing) throw new HttpRefusal(sessionId ? 404 : 400, sessionId ? 'No such session: initialize a new one.' : 'No mcp-session-id header.');
			return existing.handleRequest(req, res);
		}
		const body = await readJson(req);
		if (existing) return existing.handleRequest(req, res, body);
		if (sessionId !== undefined) throw new HttpRefusal(404, 'No such session: initialize a new one.');
		if (!isInitializeRequest(body)) throw new HttpRefusal(400, 'No mcp-session-id header: the first request of a session is initialize.');
		const transport = filterOutgoing(
			new StreamableHTTPServerTransport({
				sessionIdGenerator: () => randomUUID(),
				onsessioninitialized: (id) => {
					transports.set(id, transport);
				},
			}),
			forRemote,
		);
		const server = createMcpServer(runtime, version);
		transport.onclose = () => {
			if (transport.sessionId) transports.delete(transport.sessionId);
			void server.close().catch(() => undefined);
		};
		await server.connect(transport);
		return transport.handleRequest(req, res, body);
	};

	const http = createServer((req, res) => {
		handle(req, res).catch((error: unknown) => {
			if (res.headersSent) {
				res.end();
				return;
			}
			if (error instanceof HttpRefusal) sendRefusal(res, error.status, error.message);
			else sendRefusal(res, 500, forRemote(error instanceof Error ? error.message : String(error)));
		});
	});
	await new Promise<void>((resolve, reject) => {
		http.once('error', reject);
		http.listen(options.port, host, () => resolve());
	});
	const address = http.address();
	const port = typeof address === 'object' && address ? address.port : options.port;
	const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
	return {
		url: `http://${shownHost}:${port}/mcp`,
		get sessions() {
			return transports.size;
		},
		close: async () => {
			await Promise.all([...transports.values()].map((transport) => transport.close().catch(() => undefined)));
			await new Promise<void>((resolve) => {
				http.closeAllConnections();
				http.close(() => resolve());
			});
		},
	};
}
