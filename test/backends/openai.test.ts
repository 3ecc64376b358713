// The real `openai` SDK against the fake server, through OpenAIBackend.

import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {collectStream, createBackend} from '../../source/backends/create.js';
import {type ChatMessage, type StreamChunk} from '../../source/backends/types.js';
import {queueResponder, startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {caughtBackendError as caught} from '../support/backend-error.js';

let server: FakeLlmServer;

beforeAll(async () => {
	server = await startFakeLlmServer({models: ['llama3.1:8b', 'qwen2.5:7b']});
});

afterAll(async () => {
	await server.close();
});

beforeEach(() => {
	vi.stubEnv('OPENAI_API_KEY', undefined);
	vi.stubEnv('OPENAI_BASE_URL', undefined);
	server.requests.length = 0;
	server.setResponder(() => ({text: 'ok'}));
});

afterEach(() => {
	vi.unstubAllEnvs();
});

const messages: ChatMessage[] = [
	{role: 'system', content: 'You are terse.'},
	{role: 'user', content: 'Say hello.'},
];

function backend(extra: {apiKey?: string; maxRetries?: number; timeoutMs?: number} = {}): OpenAIBackend {
	return new OpenAIBackend({baseURL: server.openaiBaseURL, maxRetries: 0, ...extra});
}

describe('OpenAIBackend against the fake server', () => {
	it('streams text deltas then exactly one usage chunk from the server', async () => {
		server.setResponder(() => ({text: 'Hello there, friend!', usage: {inputTokens: 11, outputTokens: 5}, chunkSize: 4}));
		const chunks: StreamChunk[] = [];
		for await (const chunk of backend().stream(messages, {model: 'llama3.1:8b', temperature: 0.3, maxOutputTokens: 100})) {
			chunks.push(chunk);
		}
		const texts = chunks.filter((chunk) => chunk.type === 'text').map((chunk) => chunk.text);
		expect(texts.join('')).toBe('Hello there, friend!');
		expect(texts.length).toBe(5);
		expect(chunks.at(-1)).toEqual({type: 'usage', usage: {inputTokens: 11, outputTokens: 5}, finishReason: 'stop'});
		expect(chunks.filter((chunk) => chunk.type === 'usage')).toHaveLength(1);

		const [request] = server.requests;
		expect(request).toMatchObject({api: 'openai', path: '/v1/chat/completions', model: 'llama3.1:8b', stream: true});
		expect(request.messages).toEqual(messages);
		expect(request.body).toMatchObject({temperature: 0.3, max_tokens: 100, stream_options: {include_usage: true}});
		// A local URL without a key sends the placeholder key.
		expect(request.headers['authorization']).toBe('Bearer ollama');
	});

	it('estimates usage (chars/4) when the server sends none', async () => {
		server.setResponder(() => ({text: 'x'.repeat(40), omitUsage: true}));
		const result = await collectStream(backend().stream(messages, {model: 'm'}));
		expect(result.text).toBe('x'.repeat(40));
		const promptChars = messages.reduce((sum, message) => sum + message.content.length, 0);
		expect(result.usage).toEqual({inputTokens: Math.ceil(promptChars / 4), outputTokens: 10});
	});

	it.each([
		['OpenAI (usage chunk with choices: [])', {usageChoices: 'empty'}],
		['Fireworks / Groq proxies (usage chunk with no choices key)', {usageChoices: 'absent'}],
		['MiniMax (usage chunk with choices: null)', {usageChoices: 'null'}],
		['Azure OpenAI (a prompt_filter_results chunk first)', {promptFilter: true}],
		['OpenRouter (": OPENROUTER PROCESSING" comments first)', {processingComments: 3}],
		['Azure OpenAI content filter (results per delta, an annotation-only frame, a trailing chunk with delta null)', {promptFilter: true, contentFilter: true}],
	] as const)('streams text and usage from %s', async (_name, frames) => {
		server.setResponder(() => ({text: 'the whole reply', usage: {inputTokens: 11, outputTokens: 4}, chunkSize: 3, frames}));
		const result = await collectStream(backend().stream(messages, {model: 'm'}));
		expect(result.text).toBe('the whole reply');
		expect(result.usage).toEqual({inputTokens: 11, outputTokens: 4});
		expect(result.finishReason).toBe('stop');
	});

	it('completes without streaming, with usage', async () => {
		server.setResponder(() => ({text: 'plain answer', usage: {inputTokens: 7, outputTokens: 3}}));
		const result = await backend().complete(messages, {model: 'qwen2.5:7b'});
		expect(result).toEqual({text: 'plain answer', reasoning: '', reasoningInText: false, usage: {inputTokens: 7, outputTokens: 3}, finishReason: 'stop'});
		expect(server.requests[0]).toMatchObject({stream: false, model: 'qwen2.5:7b'});
	});

	it('sends the given key and lists models', async () => {
		const models = await backend({apiKey: 'sk-test'}).listModels();
		expect(models).toEqual(['llama3.1:8b', 'qwen2.5:7b']);
		await collectStream(backend({apiKey: 'sk-test'}).stream(messages, {model: 'm'}));
		expect(server.requests[0]!.headers['authorization']).toBe('Bearer sk-test');
	});

	it('takes the key and base URL from the environment', async () => {
		vi.stubEnv('OPENAI_API_KEY', 'sk-env');
		vi.stubEnv('OPENAI_BASE_URL', server.openaiBaseURL);
		const fromEnv = createBackend({kind: 'openai', maxRetries: 0});
		expect(fromEnv.baseURL).toBe(server.openaiBaseURL);
		await collectStream(fromEnv.stream(messages, {model: 'm'}));
		expect(server.requests[0]!.headers['authorization']).toBe('Bearer sk-env');
	});

	it('aborts mid-stream: the HTTP stream is closed and the error is "aborted"', async () => {
		server.setResponder(() => ({text: 'word '.repeat(400), chunkSize: 5, chunkDelayMs: 5}));
		const abortedBefore = server.aborted;
		const controller = new AbortController();
		const received: string[] = [];
		const error = await caught(
			(async () => {
				for await (const chunk of backend().stream(messages, {model: 'm', signal: controller.signal})) {
					if (chunk.type === 'usage') throw new Error('no usage expected after abort');
					if (chunk.type === 'text') received.push(chunk.text);
					if (received.length === 3) controller.abort();
				}
			})(),
		);
		expect(error.code).toBe('aborted');
		expect(received).toHaveLength(3);
		await vi.waitFor(() => expect(server.aborted).toBe(abortedBefore + 1));
	});

	it('aborts a request that hangs before any header', async () => {
		server.setResponder(() => ({hang: true}));
		const abortedBefore = server.aborted;
		const controller = new AbortController();
		const pending = collectStream(backend().stream(messages, {model: 'm', signal: controller.signal}));
		await vi.waitFor(() => expect(server.requests).toHaveLength(1));
		controller.abort();
		expect((await caught(pending)).code).toBe('aborted');
		await vi.waitFor(() => expect(server.aborted).toBe(abortedBefore + 1));
	});

	it('fails at once with "aborted" when the signal has already fired', async () => {
		const controller = new AbortController();
		controller.abort();
		const error = await caught(collectStream(backend().stream(messages, {model: 'm', signal: controller.signal})));
		expect(error.code).toBe('aborted');
		expect(server.requests).toHaveLength(0);
	});

	it('retries a 500 and then succeeds', async () => {
		server.setResponder(queueResponder([{status: 500, message: 'boom'}, {text: 'second time lucky'}]));
		const result = await collectStream(backend({maxRetries: 1}).stream(messages, {model: 'm'}));
		expect(result.text).toBe('second time lucky');
		expect(server.requests).toHaveLength(2);
	});

	it('aborts promptly while the SDK waits to retry', async () => {
		// The server asks for a 50-second wait (under the minute a retry is waited for): only a prompt
		// abort lets this test finish in time.
		server.setResponder(() => ({status: 503, message: 'busy', retryAfterMs: 50_000}));
		const controller = new AbortController();
		const pending = collectStream(backend({maxRetries: 2}).stream(messages, {model: 'm', signal: controller.signal}));
		await vi.waitFor(() => expect(server.requests).toHaveLength(1));
		controller.abort();
		expect((await caught(pending)).code).toBe('aborted');
		expect(server.requests).toHaveLength(1);
	});

	it('reports 429 after its retries as rate_limited', async () => {
		server.setResponder(() => ({status: 429, message: 'Rate limit reached for requests'}));
		const error = await caught(collectStream(backend({maxRetries: 1}).stream(messages, {model: 'm'})));
		expect(error.code).toBe('rate_limited');
		expect(error.status).toBe(429);
		expect(error.message).toContain('Rate limit reached for requests');
		expect(server.requests).toHaveLength(2);
		expect(error.advice).toBe('Wait a moment and try again.');
	});

	it('reports a 5xx that persists as a server error with status and message', async () => {
		server.setResponder(() => ({status: 503, message: 'the model is loading'}));
		const error = await caught(collectStream(backend().stream(messages, {model: 'm'})));
		expect(error.code).toBe('server');
		expect(error.message).toContain('503');
		expect(error.message).toContain('the model is loading');
	});

	it('reports an unknown model as not_found with the server message', async () => {
		server.setResponder((request) => ({status: 404, message: `model '${request.model}' not found, try pulling it first`}));
		const error = await caught(collectStream(backend().stream(messages, {model: 'nope:1b'})));
		expect(error.code).toBe('not_found');
		expect(error.status).toBe(404);
		expect(error.message).toContain("model 'nope:1b' not found, try pulling it first");
		expect(error.message).not.toContain('\n');
	});

	it('reports 401 as auth, naming OPENAI_API_KEY', async () => {
		server.setResponder(() => ({status: 401, message: 'Incorrect API key provided: sk-bad'}));
		const error = await caught(collectStream(backend({apiKey: 'sk-bad'}).stream(messages, {model: 'm'})));
		expect(error.code).toBe('auth');
		// What went wrong in the message; what to do apart from it (the TUI gives its own).
		expect(error.message).toContain('Incorrect API key provided');
		expect(error.message).not.toContain('OPENAI_API_KEY');
		expect(error.advice).toBe('Check the key: pass -k KEY or export OPENAI_API_KEY.');
	});

	it('reports a 400 as bad_request with the server message', async () => {
		server.setResponder(() => ({status: 400, message: "This model's maximum context length is 8192 tokens"}));
		const error = await caught(backend().complete(messages, {model: 'm'}));
		expect(error.code).toBe('bad_request');
		expect(error.message).toContain('maximum context length is 8192 tokens');
	});

	it('times out a request per config.timeoutMs', async () => {
		server.setResponder(() => ({hang: true}));
		const error = await caught(collectStream(backend({timeoutMs: 150}).stream(messages, {model: 'm'})));
		expect(error.code).toBe('timeout');
		expect(error.message).toContain(server.openaiBaseURL);
	});
});
