// The notice a retried stream shows (-e, -v, the TUI's row, serve's narration all print its message
// as it is): one line that says once what went wrong, for every reason a stream is retried.
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import type {Backend, StreamChunk} from '../../source/backends/types.js';
import {formatSeconds} from '../../source/protocol/seconds.js';
import {startFakeLlmServer, type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer();
});
afterAll(async () => {
	await server.close();
});
beforeEach(() => {
	server.requests.length = 0;
});

const backends = {
	openai: () => new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'sk-test', maxRetries: 2, paramMemory: new ParamMemory()}),
	anthropic: () => new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 2}),
} satisfies Record<string, () => Backend>;

const TEXT = '```repl\nprint("never")\nx = [1, 2, 3';

type Notice = Extract<StreamChunk, {type: 'notice'}>;

/** The first try fails as `failure`; the retry answers. The stream_retried notice. */
async function retryNoticeChunk(api: keyof typeof backends, failure: FakeReply, backend: Backend = backends[api]()): Promise<Notice> {
	const queue = [failure];
	server.setResponder(() => queue.shift() ?? {text: 'second try'});
	const chunks: StreamChunk[] = [];
	for await (const chunk of backend.stream([{role: 'user', content: 'hi'}], {model: 'm'})) chunks.push(chunk);
	expect(chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('')).toMatch(/second try$/);
	const notice = chunks.find((chunk): chunk is Notice => chunk.type === 'notice');
	expect(notice).toMatchObject({code: 'stream_retried'});
	return notice!;
}

/** The first try fails as `failure`; the retry answers. The stream_retried notice's message. */
async function retryNotice(api: keyof typeof backends, failure: FakeReply): Promise<string> {
	return (await retryNoticeChunk(api, failure)).message;
}

/** Words that say the stream or connection ended: one of them, once, is the whole story. */
const ENDINGS = /\b(closed?|broke|broken|reset|cut|ended|terminated)\b/g;

describe.each(['openai', 'anthropic'] as const)('%s: a retry notice says once what went wrong', (api) => {
	it.each([
		['before any text', 0],
		['after text', 20],
	])('a connection reset mid-stream (%s): the server closed the connection, said once', async (_when, afterChars) => {
		const message = await retryNotice(api, {text: TEXT, chunkSize: 4, drop: {afterChars, how: 'reset'}});
		expect(message).not.toContain('\n');
		expect(message).toMatch(/(closed the connection|was reset) mid-stream\. Retrying in \d\.\d s \(1 of 2\)\.$/);
		expect(message.match(ENDINGS)).toHaveLength(1);
		expect(message).not.toMatch(/stream.*stream|connection.*connection/);
	});

	it('a stream ended cleanly without its end marker: closed once, with the marker it missed', async () => {
		const message = await retryNotice(api, {text: TEXT, chunkSize: 4, drop: {afterChars: 0, how: 'end'}});
		expect(message).toMatch(/ closed the stream before the reply ended \(no [^)]+\)\. Retrying in \d\.\d s \(1 of 2\)\.$/);
		// "ended" in the sentence and "closed": no third word for the same thing.
		expect(message.match(ENDINGS)).toEqual(['closed', 'ended']);
	});

	it.each([
		['overloaded', {message: 'Overloaded', type: 'overloaded_error'}, /failed: Overloaded\. Retrying in/],
		['a server error', {message: 'Internal server error', type: 'api_error'}, /failed: Internal server error\. Retrying in/],
	] as const)('an error event (%s): the server’s words once, then the retry', async (_what, error, said) => {
		const message = await retryNotice(api, {text: TEXT, chunkSize: 4, streamError: {afterChars: 0, ...error}});
		expect(message).toMatch(said);
		expect(message.split(/\.\s/)).toHaveLength(2);
	});
});

describe.each(['openai', 'anthropic'] as const)('%s: a stream that stalls before any text', (api) => {
	it('the notice says the timeout and the flag, not also “try again” before “Retrying”', async () => {
		const queue: FakeReply[] = [{text: 'never sent', drop: {afterChars: 0, how: 'hang'}}];
		server.setResponder(() => queue.shift() ?? {text: 'second try'});
		const backend =
			api === 'openai'
				? new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'sk-test', maxRetries: 1, timeoutMs: 300, paramMemory: new ParamMemory()})
				: new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 1, timeoutMs: 300});
		const chunks: StreamChunk[] = [];
		for await (const chunk of backend.stream([{role: 'user', content: 'hi'}], {model: 'm'})) chunks.push(chunk);
		const notice = chunks.find((chunk) => chunk.type === 'notice') as {message: string} | undefined;
		expect(notice?.message).toMatch(/ sent nothing more for 0\.3 s after it began its reply: raise --request-timeout \([^)]*\) if the model needs longer\. Retrying in \d\.\d s \(1 of 1\)\.$/);
		expect(notice?.message).not.toMatch(/try again/);
	});
});

describe('OpenRouter error chunks that name a status (openai)', () => {
	it.each([
		['502', 502, /^Server error from \S+ \(502\): Provider returned error\. Retrying in \d\.\d s \(1 of 2\)\.$/],
		['429', 429, /^Rate limited by the OpenAI-compatible server at \S+ \(429\): Provider returned error\. Retrying in \d\.\d s \(1 of 2\)\.$/],
	] as const)('%s: one status, one message, then the retry', async (_what, code, expected) => {
		const message = await retryNotice('openai', {text: TEXT, chunkSize: 4, streamError: {afterChars: 0, message: 'Provider returned error', shape: 'openrouter', code}});
		expect(message).toMatch(expected);
	});
});

describe.each(['openai', 'anthropic'] as const)('%s: every try drops before any text', (api) => {
	it('the error says it happened on each try, and what to do, as a reset before the response does', async () => {
		server.setResponder(() => ({text: TEXT, chunkSize: 4, drop: {afterChars: 0, how: 'reset'}}));
		const chunks: StreamChunk[] = [];
		let failure: unknown;
		try {
			for await (const chunk of backends[api]().stream([{role: 'user', content: 'hi'}], {model: 'm'})) chunks.push(chunk);
		} catch (error) {
			failure = error;
		}
		expect(server.requests).toHaveLength(3);
		expect(failure).toMatchObject({message: expect.stringMatching(/mid-stream \(each of 3 tries\)\.$/), advice: 'It may have crashed or refused the request: see its log, or try again.'});
	});
});

describe.each(['openai', 'anthropic'] as const)('%s: the notice carries its facts, which no front end need read from its words', (api) => {
	it.each([
		['a connection reset before any text', {text: TEXT, chunkSize: 4, drop: {afterChars: 0, how: 'reset'}}, /^the (server closed the connection|connection was reset) mid-stream$/],
		['a reset after text', {text: TEXT, chunkSize: 4, drop: {afterChars: 20, how: 'reset'}}, /^the (server closed the connection|connection was reset) mid-stream$/],
		['a stream ended without its end marker', {text: TEXT, chunkSize: 4, drop: {afterChars: 0, how: 'end'}}, /^the server closed the stream before the reply ended \(no [^)]+\)$/],
		['an overloaded error event', {text: TEXT, chunkSize: 4, streamError: {afterChars: 0, message: 'Overloaded', type: 'overloaded_error'}}, /^Overloaded$/],
	] as const)('%s: which retry, the wait the message says, and the cause without the server', async (_what, failure, cause) => {
		const notice = await retryNoticeChunk(api, failure);
		expect(notice.retry).toEqual({retry: 1, maxRetries: 2, waitMs: expect.any(Number), cause: expect.stringMatching(cause)});
		expect(notice.message).toContain(`Retrying in ${formatSeconds(notice.retry!.waitMs!)} (1 of 2).`);
		expect(notice.retry!.cause).not.toContain('127.0.0.1');
	});

	it('a stall before any text: the timeout, in a few words', async () => {
		const backend =
			api === 'openai'
				? new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'sk-test', maxRetries: 1, timeoutMs: 300, paramMemory: new ParamMemory()})
				: new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 1, timeoutMs: 300});
		const notice = await retryNoticeChunk(api, {text: 'never sent', drop: {afterChars: 0, how: 'hang'}}, backend);
		expect(notice.retry).toMatchObject({retry: 1, maxRetries: 1, cause: 'the server sent nothing more for 0.3 s after it began its reply'});
	});
});

it('openai: an OpenRouter error chunk that names 429: the status and the server’s words are the cause', async () => {
	const notice = await retryNoticeChunk('openai', {text: TEXT, chunkSize: 4, streamError: {afterChars: 0, message: 'Provider returned error', shape: 'openrouter', code: 429}});
	expect(notice.retry).toMatchObject({retry: 1, maxRetries: 2, cause: '429: Provider returned error'});
});

it('openai: a reply that ends in finish_reason "error" with no message says so in a few words', async () => {
	const notice = await retryNoticeChunk('openai', {text: TEXT, chunkSize: 4, streamError: {afterChars: 0, message: '', shape: 'openrouter-finish'}});
	expect(notice.retry).toMatchObject({cause: 'finish_reason "error": the provider failed'});
});
