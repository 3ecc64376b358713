// rlm-tui serve shutting down (SIGINT, SIGTERM: server.close()) while requests are being answered:
// every client gets a proper end in its protocol's shape, through the real openai SDK.
import OpenAI from 'openai';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {createBackend} from '../../source/backends/create.js';
import {startRlmServer, type RlmServer} from '../../source/server/server.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';

let llm: FakeLlmServer;

beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['gpt-4o']});
});
afterAll(async () => {
	await llm?.close();
});

async function serve(): Promise<RlmServer> {
	return startRlmServer({
		rlm: {model: 'gpt-4o', maxIterations: 2, logDir: false},
		backend: createBackend({kind: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'upstream-key', maxRetries: 0}),
		port: 0,
		maxConcurrent: 4,
	});
}

const ask = [{role: 'user' as const, content: 'q'}];
const chatRequests = () => llm.requests.filter((request) => request.path.endsWith('/chat/completions')).length;

describe('shutting down while requests are answered', () => {
	it('a stream gets an error chunk and [DONE], a plain request a 503 error body, a Responses stream an error event; then the server is gone', async () => {
		llm.requests.length = 0;
		// The upstream model never answers: every run is still working when the server shuts down.
		llm.setResponder(() => ({hang: true}));
		const server = await serve();
		const client = new OpenAI({baseURL: `${server.url}/v1`, apiKey: 'unused'});

		const streamed = (async () => {
			const chunks: unknown[] = [];
			try {
				for await (const chunk of await client.chat.completions.create({model: 'rlm', messages: ask, stream: true})) chunks.push(chunk);
				return {chunks, error: undefined};
			} catch (error) {
				return {chunks, error};
			}
		})();
		const plain = client.chat.completions.create({model: 'rlm', messages: ask}).catch((error: unknown) => error);
		const responsesStream = (async () => {
			const events: Array<{type: string; code?: string | null}> = [];
			for await (const event of await client.responses.create({model: 'rlm', input: 'q', stream: true})) events.push(event);
			return events;
		})();
		const raw = fetch(`${server.url}/v1/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({model: 'rlm', messages: ask, stream: true})}).then(async (res) => res.text());

		await vi.waitFor(() => expect(chatRequests()).toBe(4), {timeout: 60_000, interval: 50});
		expect(await server.close()).toBe(4);

		const stream = await streamed;
		expect(stream.chunks.length).toBeGreaterThan(0);
		expect(stream.error).toBeInstanceOf(OpenAI.APIError);
		expect(stream.error).toMatchObject({code: 'server_shutting_down', type: 'server_error'});
		expect((stream.error as Error).message).toMatch(/shutting down/);

		const refused = await plain;
		expect(refused).toBeInstanceOf(OpenAI.APIError);
		expect(refused).toMatchObject({status: 503, code: 'server_shutting_down', type: 'server_error'});
		expect((refused as Error).message).toMatch(/shutting down/);

		const events = await responsesStream;
		expect(events.at(0)?.type).toBe('response.created');
		expect(events.at(-1)).toMatchObject({type: 'error', code: 'server_shutting_down'});

		const text = await raw;
		expect(text).toMatch(/data: \{"error":\{"message":"[^"]*shutting down[^"]*","type":"server_error","param":null,"code":"server_shutting_down"\}\}\n\ndata: \[DONE\]\n\n$/);

		await expect(fetch(`${server.url}/health`)).rejects.toThrow();
	}, 120_000);
});
