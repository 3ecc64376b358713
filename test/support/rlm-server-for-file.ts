// The fake LLM server and the rlm-tui serve instances a test file's tests share: serve over the
// fake server (root model `root-model`), and raw sockets to it, all closed after each test.
import {connect, type Socket} from 'node:net';
import {afterEach} from 'vitest';
import {createBackend} from '../../source/backends/create.js';
import {startRlmServer, type RlmServer, type RlmServerOptions} from '../../source/server/server.js';
import {fakeLlmServerForFile} from './fake-llm-for-file.js';
import type {FakeLlmServer} from './fake-llm-server.js';

export interface RlmServerForFile {
	/** The fake LLM server behind every serve (inside a test or a hook). */
	llm: () => FakeLlmServer;
	/** Starts serve on a free port over the fake server; `options` over the defaults. Closed after the test. */
	serve: (options?: Partial<RlmServerOptions>) => Promise<RlmServer>;
	/** A raw TCP connection to `server` (its errors ignored), destroyed after the test. */
	socketTo: (server: RlmServer) => Socket;
}

/** Call at the file's top level: the fake server starts before the file's tests, and after each
 * test its sockets are destroyed and its servers closed. */
export function rlmServerForFile(): RlmServerForFile {
	const llm = fakeLlmServerForFile({models: ['root-model']});
	const servers: RlmServer[] = [];
	const sockets: Socket[] = [];
	afterEach(async () => {
		for (const socket of sockets.splice(0)) socket.destroy();
		await Promise.all(servers.splice(0).map((server) => server.close()));
	});
	return {
		llm,
		serve: async (options = {}) => {
			const server = await startRlmServer({
				rlm: {model: 'root-model', maxIterations: 3},
				backend: createBackend({kind: 'openai', baseURL: llm().openaiBaseURL, apiKey: 'upstream-key'}),
				port: 0,
				...options,
			});
			servers.push(server);
			return server;
		},
		socketTo: (server) => {
			const url = new URL(server.url);
			const socket = connect(Number(url.port), url.hostname);
			sockets.push(socket);
			socket.on('error', () => undefined);
			return socket;
		},
	};
}
