// The fake LLM server a test file's tests share, and the CLI flags that point the root model at it.
import {afterAll, beforeAll} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from './fake-llm-server.js';

/** Starts a fake LLM server before the calling file's tests and closes it after them (call it at
 * the file's top level). Returns the server, for use inside tests and hooks. */
export function fakeLlmServerForFile(options?: Parameters<typeof startFakeLlmServer>[0]): () => FakeLlmServer {
	let server: FakeLlmServer | undefined;
	beforeAll(async () => {
		server = await startFakeLlmServer(options);
	});
	afterAll(async () => {
		await server?.close();
	});
	return () => {
		if (!server) throw new Error('The fake LLM server starts before the tests: use it inside a test or a hook');
		return server;
	};
}

/** `-u <server's OpenAI URL> -m <model>`: the root model's calls go to the fake server. */
export const rootModelFlags = (server: FakeLlmServer, model = 'root-model') => ['-u', server.openaiBaseURL, '-m', model];
