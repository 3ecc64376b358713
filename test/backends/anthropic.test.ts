// The real `@anthropic-ai/sdk` against the fake server, through AnthropicBackend.

import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {AnthropicBackend, toAnthropicPrompt} from '../../source/backends/anthropic.js';
import {collectStream, createBackend} from '../../source/backends/create.js';
import {type ChatMessage, type StreamChunk} from '../../source/backends/types.js';
import {queueResponder, startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {caughtBackendError as caught} from '../support/backend-error.js';

let server: FakeLlmServer;

beforeAll(async () => {
	server = await startFakeLlmServer({models: ['claude-sonnet-4-5', 'claude-haiku-4-5']});
});

afterAll(async () => {
	await server.close();
});

beforeEach(() => {
	vi.stubEnv('ANTHROPIC_API_KEY', undefined);
	vi.stubEnv('ANTHROPIC_BASE_URL', undefined);
	vi.stubEnv('ANTHROPIC_AUTH_TOKEN', undefined);
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

function backend(extra: {apiKey?: string; maxRetries?: number; timeoutMs?: number; baseURL?: string} = {}): AnthropicBackend {
	return new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 0, ...extra});
}

/** The key a request carried (this SDK sends `authorization: Bearer KEY`; older ones `x-api-key`). */
function sentKey(headers: Record<string, string>): string | undefined {
	return headers['x-api-key'] ?? headers['authorization']?.replace(/^Bearer /, '');
}

describe('toAnthropicPrompt', () => {
	it('moves system messages to `system`, merges same-role turns and starts with a user turn', () => {
		const prompt = toAnthropicPrompt([
			{role: 'system', content: 'Rule one.'},
			{role: 'assistant', content: 'I start.'},
			{role: 'user', content: 'First.'},
			{role: 'system', content: 'Rule two.'},
			{role: 'user', content: 'Second.'},
			{role: 'assistant', content: ''},
		]);
		expect(prompt.system).toBe('Rule one.\n\nRule two.');
		expect(prompt.messages).toEqual([
			{role: 'user', content: 'Continue.'},
			{role: 'assistant', content: 'I start.'},
			{role: 'user', content: 'First.\n\nSecond.'},
			{role: 'assistant', content: '(empty)'},
		]);
	});

	it('has no system field when there is no system message', () => {
		expect(toAnthropicPrompt([{role: 'user', content: 'hi'}])).toEqual({messages: [{role: 'user', content: 'hi'}]});
	});
});

describe('AnthropicBackend against the fake server', () => {
	it('streams text deltas then exactly one usage chunk, with system in `system`', async () => {
		server.setResponder(() => ({text: 'Hello from Claude.', usage: {inputTokens: 21, outputTokens: 6}, chunkSize: 3}));
		const chunks: StreamChunk[] = [];
		for await (const chunk of backend().stream(messages, {model: 'claude-sonnet-4-5', maxOutputTokens: 300})) chunks.push(chunk);
		const texts = chunks.filter((chunk) => chunk.type === 'text').map((chunk) => chunk.text);
		expect(texts.join('')).toBe('Hello from Claude.');
		expect(texts.length).toBe(6);
		expect(chunks.at(-1)).toEqual({type: 'usage', usage: {inputTokens: 21, outputTokens: 6}, finishReason: 'stop'});
		expect(chunks.filter((chunk) => chunk.type === 'usage')).toHaveLength(1);

		const [request] = server.requests;
		expect(request).toMatchObject({api: 'anthropic', path: '/v1/messages', model: 'claude-sonnet-4-5', stream: true});
		expect(request.body).toMatchObject({
			system: 'You are terse.',
			max_tokens: 300,
			messages: [{role: 'user', content: 'Say hello.'}],
		});
		// The server normalizes `system` back into a leading system message.
		expect(request.messages).toEqual(messages);
		expect(sentKey(request.headers)).toBe('sk-ant-test');
		expect(request.headers['anthropic-version']).toBeTruthy();
	});

	it('defaults max_tokens to 8192', async () => {
		await collectStream(backend().stream([{role: 'user', content: 'hi'}], {model: 'claude-haiku-4-5'}));
		expect(server.requests[0]!.body).toMatchObject({max_tokens: 8192});
		expect(server.requests[0]!.body).not.toHaveProperty('system');
	});

	it('estimates usage when the server sends none', async () => {
		server.setResponder(() => ({text: 'y'.repeat(20), omitUsage: true}));
		const result = await collectStream(backend().stream(messages, {model: 'm'}));
		expect(result.text).toBe('y'.repeat(20));
		expect(result.usage.outputTokens).toBe(5);
		expect(result.usage.inputTokens).toBeGreaterThan(0);
	});

	it('completes without streaming, with usage', async () => {
		server.setResponder(() => ({text: 'plain answer', usage: {inputTokens: 9, outputTokens: 2}}));
		const result = await backend().complete(messages, {model: 'claude-haiku-4-5'});
		expect(result).toEqual({text: 'plain answer', reasoning: '', reasoningInText: false, usage: {inputTokens: 9, outputTokens: 2}, finishReason: 'stop'});
		expect(server.requests[0]).toMatchObject({stream: false});
	});

	it('lists models in the Anthropic format', async () => {
		expect(await backend().listModels()).toEqual(['claude-sonnet-4-5', 'claude-haiku-4-5']);
	});

	it('strips a trailing /v1 from the base URL (the SDK appends /v1/messages)', async () => {
		const withV1 = backend({baseURL: `${server.url}/v1/`});
		expect(withV1.baseURL).toBe(server.url);
		expect((await collectStream(withV1.stream(messages, {model: 'm'}))).text).toBe('ok');
	});

	it('takes the key and base URL from the environment', async () => {
		vi.stubEnv('ANTHROPIC_API_KEY', 'sk-ant-env');
		vi.stubEnv('ANTHROPIC_BASE_URL', server.anthropicBaseURL);
		const fromEnv = createBackend({kind: 'anthropic', maxRetries: 0});
		expect(fromEnv.baseURL).toBe(server.anthropicBaseURL);
		await collectStream(fromEnv.stream(messages, {model: 'm'}));
		expect(sentKey(server.requests[0]!.headers)).toBe('sk-ant-env');
	});

	it('works against a custom URL without any key (placeholder key)', async () => {
		const keyless = new AnthropicBackend({baseURL: server.anthropicBaseURL, maxRetries: 0});
		expect((await collectStream(keyless.stream(messages, {model: 'm'}))).text).toBe('ok');
		expect(sentKey(server.requests[0]!.headers)).toBeTruthy();
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
					if (received.length === 2) controller.abort();
				}
			})(),
		);
		expect(error.code).toBe('aborted');
		expect(received).toHaveLength(2);
		await vi.waitFor(() => expect(server.aborted).toBe(abortedBefore + 1));
	});

	it('stops the HTTP stream when the consumer breaks out early', async () => {
		server.setResponder(() => ({text: 'word '.repeat(400), chunkSize: 5, chunkDelayMs: 5}));
		const abortedBefore = server.aborted;
		for await (const chunk of backend().stream(messages, {model: 'm'})) {
			expect(chunk.type).toBe('text');
			break;
		}
		await vi.waitFor(() => expect(server.aborted).toBe(abortedBefore + 1));
	});

	it('retries a 500 and then succeeds', async () => {
		server.setResponder(queueResponder([{status: 500, message: 'Internal server error'}, {text: 'recovered'}]));
		const result = await collectStream(backend({maxRetries: 1}).stream(messages, {model: 'm'}));
		expect(result.text).toBe('recovered');
		expect(server.requests).toHaveLength(2);
	});

	it('reports an overloaded 529 as a server error once retries are spent', async () => {
		server.setResponder(() => ({status: 529, message: 'Overloaded'}));
		const error = await caught(collectStream(backend({maxRetries: 1}).stream(messages, {model: 'm'})));
		expect(error.code).toBe('server');
		expect(error.message).toContain('529');
		expect(error.message).toContain('Overloaded');
		expect(server.requests).toHaveLength(2);
	});

	it('reports an unknown model as not_found with the server message', async () => {
		server.setResponder((request) => ({status: 404, message: `model: ${request.model}`}));
		const error = await caught(collectStream(backend().stream(messages, {model: 'claude-nope'})));
		expect(error.code).toBe('not_found');
		expect(error.message).toContain('model: claude-nope');
	});

	it('an event whose data is not JSON: one line that quotes it and says what to check', async () => {
		server.setResponder(() => ({raw: 'event: message_start\ndata: {bad json\n\n', contentType: 'text/event-stream'}));
		const error = await caught(collectStream(backend().stream(messages, {model: 'm'})));
		expect(error.code).toBe('bad_response');
		expect(error.message).toBe(`The Anthropic API at ${server.anthropicBaseURL} sent a stream chunk that is not JSON: "{bad json".`);
		expect(error.advice).toMatch(/^Check the base URL \(-u\)/);
	});

	it('reports 401 as auth, naming ANTHROPIC_API_KEY', async () => {
		server.setResponder(() => ({status: 401, message: 'invalid x-api-key'}));
		const error = await caught(collectStream(backend().stream(messages, {model: 'm'})));
		expect(error.code).toBe('auth');
		expect(error.message).toContain('invalid x-api-key');
		expect(error.message).not.toContain('ANTHROPIC_API_KEY');
		expect(error.advice).toBe('Check the key: pass -k KEY or export ANTHROPIC_API_KEY.');
	});

	it('times out a request per config.timeoutMs', async () => {
		server.setResponder(() => ({hang: true}));
		const error = await caught(collectStream(backend({timeoutMs: 150}).stream(messages, {model: 'm'})));
		expect(error.code).toBe('timeout');
	});
});
