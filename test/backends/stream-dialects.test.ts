// SSE as local and hosted servers really send it, through the real openai SDK: llama.cpp's old
// `error:` field (which SSE clients skip), Hugging Face TGI's string error, `: ping` keep-alive
// comments between deltas, and a reply cut at the limit that carries no usage.

import {beforeEach, describe, expect, it, vi} from 'vitest';
import {collectStream} from '../../source/backends/create.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import {BackendError, type ChatMessage, type StreamChunk} from '../../source/backends/types.js';
import {type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';
import {fakeLlmServerForFile} from '../support/fake-llm-for-file.js';

const fakeServer = fakeLlmServerForFile();
let server: FakeLlmServer;

beforeEach(() => {
	server = fakeServer();
	vi.stubEnv('OPENAI_API_KEY', undefined);
	vi.stubEnv('OPENAI_BASE_URL', undefined);
	server.requests.length = 0;
	return () => vi.unstubAllEnvs();
});

const messages: ChatMessage[] = [{role: 'user', content: 'Say hello.'}];
const openai = (maxRetries = 2) => new OpenAIBackend({baseURL: server.openaiBaseURL, maxRetries, paramMemory: new ParamMemory()});

function replies(...queue: FakeReply[]) {
	server.setResponder(() => queue.shift() ?? {text: 'ok'});
}

async function chunksOf(backend: OpenAIBackend): Promise<StreamChunk[]> {
	const chunks: StreamChunk[] = [];
	for await (const chunk of backend.stream(messages, {model: 'qwen2.5-7b-instruct'})) chunks.push(chunk);
	return chunks;
}

async function failure(backend: OpenAIBackend, seen: string[] = []): Promise<BackendError> {
	try {
		for await (const chunk of backend.stream(messages, {model: 'qwen2.5-7b-instruct'})) if (chunk.type === 'text') seen.push(chunk.text);
	} catch (error) {
		expect(error).toBeInstanceOf(BackendError);
		return error as BackendError;
	}
	throw new Error('expected a BackendError, got success');
}

const textOf = (chunks: StreamChunk[]) => chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('');

describe("llama.cpp's `error:` field inside a 200 stream (its server before September 2025)", () => {
	const overflow = 'the request exceeds the available context size. try increasing the context size or enable context shift';

	it('a prompt over the context: one line with the server’s words (it said "an empty stream"), not retried', async () => {
		replies({text: 'never', streamError: {afterChars: 0, message: overflow, type: 'invalid_request_error', shape: 'llamacpp-field'}}, {text: 'not reached'});
		const error = await failure(openai());
		expect(error.message).toContain(overflow);
		expect(error.message).not.toMatch(/empty stream|no events/);
		expect(error.message).not.toContain('\n');
		expect(server.requests).toHaveLength(1);
	});

	it('a server error before any text is retried like any error event, and the retry answers', async () => {
		replies({text: 'never', streamError: {afterChars: 0, message: 'slot unavailable', shape: 'llamacpp-field'}}, {text: 'second try'});
		const chunks = await chunksOf(openai());
		expect(textOf(chunks)).toBe('second try');
		expect(chunks.find((chunk) => chunk.type === 'notice')).toMatchObject({code: 'stream_retried', message: expect.stringContaining('slot unavailable')});
		expect(server.requests).toHaveLength(2);
	});

	it('after text on every try: what came is passed on, and the call fails with the server’s words once the retries are spent (the [DONE] after it does not make a finished reply)', async () => {
		const failing: FakeReply = {text: 'Hello, I was saying', streamError: {afterChars: 10, message: 'slot unavailable', shape: 'llamacpp-field'}};
		replies(failing, failing);
		const seen: string[] = [];
		const error = await failure(openai(1), seen);
		expect(seen.join('')).toBe('Hello, I wHello, I w');
		expect(error.message).toContain('slot unavailable');
		expect(server.requests).toHaveLength(2);
	});

	it('the field split across network chunks is still read', async () => {
		const frame = `error: ${JSON.stringify({code: 400, message: overflow, type: 'exceed_context_size_error'})}\n\ndata: [DONE]\n\n`;
		const {createServer} = await import('node:http');
		const slow = createServer((_req, res) => {
			res.writeHead(200, {'content-type': 'text/event-stream'});
			res.write(frame.slice(0, 20));
			setImmediate(() => res.end(frame.slice(20)));
		});
		await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
		try {
			const backend = new OpenAIBackend({baseURL: `http://127.0.0.1:${(slow.address() as {port: number}).port}/v1`, maxRetries: 0, paramMemory: new ParamMemory()});
			const error = await failure(backend);
			expect(error.message).toContain(overflow);
		} finally {
			slow.close();
		}
	});
});

describe('other dialects', () => {
	it('Hugging Face TGI’s string error in a data line: the server’s words, unquoted', async () => {
		replies({text: 'x', streamError: {afterChars: 0, message: 'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096', type: 'validation', shape: 'tgi'}});
		const error = await failure(openai(0));
		expect(error.message).toMatch(/: Input validation error: `inputs` tokens \+ `max_new_tokens` must be <= 4096\.?$/);
		expect(error.message).not.toContain('"Input');
	});

	it('`: ping` comments before and between deltas, with reasoning: the reply whole, finished', async () => {
		replies({text: 'the whole reply', reasoning: 'thinking it over', chunkSize: 3, frames: {pings: true}});
		const chunks = await chunksOf(openai());
		expect(textOf(chunks)).toBe('the whole reply');
		expect(chunks.filter((chunk) => chunk.type === 'reasoning').map((chunk) => (chunk as {text: string}).text).join('')).toBe('thinking it over');
		expect(chunks.at(-1)).toMatchObject({type: 'usage', finishReason: 'stop'});
	});

	it('finish_reason "length" with no usage at all: marked as cut, the usage estimated (not zero)', async () => {
		replies({text: 'x'.repeat(80), finishReason: 'length', omitUsage: true});
		const result = await collectStream(openai().stream(messages, {model: 'm'}));
		expect(result.finishReason).toBe('length');
		expect(result.usage.outputTokens).toBe(20);
		expect(result.usage.inputTokens).toBeGreaterThan(0);
		replies({text: 'y'.repeat(40), finishReason: 'length', omitUsage: true});
		const whole = await openai().complete(messages, {model: 'm'});
		expect(whole).toMatchObject({finishReason: 'length', usage: {outputTokens: 10}});
	});
});

describe('a stream chunk that is not JSON (a proxy that rewrites the stream, a broken server)', () => {
	const chunk = (content: string) => `data: ${JSON.stringify({id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{index: 0, delta: {content}, finish_reason: null}]})}\n\n`;

	it('one line that says so, quoting the chunk and saying what to check, not retried (it was the SDK\'s raw "Expected property name" error)', async () => {
		replies({raw: 'data: {bad json\n\n', contentType: 'text/event-stream'}, {text: 'not reached'});
		const error = await failure(openai());
		expect(error.message).toBe(`The OpenAI-compatible server at ${server.openaiBaseURL} sent a stream chunk that is not JSON: "{bad json".`);
		expect(error.code).toBe('bad_response');
		expect(error.advice).toMatch(/^Check the base URL \(-u\) and any proxy in between/);
		expect(server.requests).toHaveLength(1);
	});

	it('after good chunks: what came is passed on; the bad one is cut to 60 characters, its line breaks escaped, a key in it redacted', async () => {
		const key = `sk-proj-${'k'.repeat(30)}`;
		// A data field over two lines: one event, its lines joined by a line break.
		const lines = [`oops ${key}\tthen`, `second line ${'and on '.repeat(20)}`];
		replies({raw: `: hello\n\n${chunk('Hel')}${chunk('lo')}data: ${lines[0]}\ndata: ${lines[1]}\n\n${chunk('never')}data: [DONE]\n\n`, contentType: 'text/event-stream'});
		const seen: string[] = [];
		const error = await failure(openai(0), seen);
		expect(seen.join('')).toBe('Hello');
		const quoted = /not JSON: (".*")\.$/.exec(error.message)![1]!;
		const shown = JSON.parse(quoted) as string;
		expect(shown).toBe(`${lines.join('\n').replace(key, '[redacted]').slice(0, 60)}…`);
		expect(shown).toMatch(/…$/);
		expect(shown).not.toContain('kkkk');
		expect(error.message).not.toContain('\n');
		expect(error.message).not.toContain('\t');
	});

	it('the bad chunk far into a long stream, sent in many network pieces, is still the one quoted', async () => {
		const many = Array.from({length: 300}, (_, i) => chunk(`w${i} `)).join('');
		replies({raw: `${many}data: {"choices": [tail of nothing\n\n${chunk('after')}`, contentType: 'text/event-stream'});
		const seen: string[] = [];
		const error = await failure(openai(0), seen);
		expect(seen.join('')).toMatch(/^w0 w1 .* w299 $/);
		expect(error.message).toMatch(/not JSON: "\{\\"choices\\": \[tail of nothing"\.$/);
	});
});

describe('a 200 whose JSON is an error (OpenRouter passing on an upstream failure), not streamed', () => {
	const upstream = (code: number | string) =>
		JSON.stringify({error: {message: 'Provider returned error', code, metadata: {raw: 'deepseek/deepseek-r1:free is temporarily rate-limited upstream', provider_name: 'Chutes'}}, user_id: 'user_2x'});

	it('with an error status in its code: that failure, in the server’s words (it said "JSON that is not a chat completion")', async () => {
		server.setResponder(() => ({raw: upstream(429), contentType: 'application/json'}));
		let error: unknown;
		await openai(0)
			.complete(messages, {model: 'deepseek/deepseek-r1:free'})
			.catch((caught: unknown) => (error = caught));
		expect(error).toBeInstanceOf(BackendError);
		expect((error as BackendError).code).toBe('rate_limited');
		expect((error as BackendError).message).toMatch(/\(429\): Provider returned error\.$/);
	});

	it('with no status: still the server’s words, not "not a chat completion"', async () => {
		server.setResponder(() => ({raw: upstream('upstream_error'), contentType: 'application/json'}));
		let error: unknown;
		await openai(0)
			.complete(messages, {model: 'm'})
			.catch((caught: unknown) => (error = caught));
		expect(error).toBeInstanceOf(BackendError);
		expect((error as BackendError).message).toContain('Provider returned error');
		expect((error as BackendError).message).not.toMatch(/not a chat completion/);
	});
});

