// OpenRouter passes an upstream failure on inside a 200: a JSON body `{"error": {"code": 429, ...}}`
// when not streamed, an SSE chunk with `error` and `finish_reason: "error"` when streamed
// (openrouter.ai/docs "Errors and Debugging"). Through the real openai SDK, each is retried as the same
// status sent as the response status is (count, backoff, a wait the server names), refused codes are
// not retried, and an error after answer text fails the call without repeating that text.

import {beforeEach, describe, expect, it} from 'vitest';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import type {ChatMessage, StreamChunk} from '../../source/backends/types.js';
import {caughtBackendError} from '../support/backend-error.js';
import {type FakeLlmServer, type FakeReply, type StreamError} from '../support/fake-llm-server.js';
import {fakeLlmServerForFile} from '../support/fake-llm-for-file.js';

const fakeServer = fakeLlmServerForFile();
let server: FakeLlmServer;

beforeEach(() => {
	server = fakeServer();
	server.requests.length = 0;
});

const MODEL = 'deepseek/deepseek-r1:free';
const messages: ChatMessage[] = [{role: 'user', content: 'How many?'}];
const openrouter = (maxRetries = 2) =>
	new OpenAIBackend({kind: 'openrouter', baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries, paramMemory: new ParamMemory()});

function replies(...queue: FakeReply[]) {
	server.setResponder(() => queue.shift() ?? {text: 'ok'});
}

/** OpenRouter's error body for an upstream failure with this code. */
const errorBody = (code: number | string, metadata: Record<string, unknown> = {provider_name: 'Chutes'}) =>
	JSON.stringify({error: {message: 'Provider returned error', code, metadata}, user_id: 'user_2x'});

/** A rate limit whose quota resets in three hours, as OpenRouter reports it in the error's metadata. */
const spentForHours = () => ({headers: {'X-RateLimit-Limit': '50', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(Date.now() + 3 * 3_600_000)}});

async function streamed(backend: OpenAIBackend, seen: StreamChunk[] = []): Promise<StreamChunk[]> {
	for await (const chunk of backend.stream(messages, {model: MODEL})) seen.push(chunk);
	return seen;
}

const textOf = (chunks: StreamChunk[]) => chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('');

describe('not streamed: a 200 whose JSON is an error is handled as the status it names', () => {
	const as = {
		'a 200 body': (code: number, metadata?: Record<string, unknown>): FakeReply => ({raw: errorBody(code, metadata), contentType: 'application/json'}),
		'the response status': (code: number, metadata?: Record<string, unknown>): FakeReply => ({raw: errorBody(code, metadata), status: code, contentType: 'application/json'}),
	};

	it.each(Object.keys(as) as Array<keyof typeof as>)('429 as %s: retried, and the retry answers', async (how) => {
		replies(as[how](429), {text: 'the answer'});
		const reply = await openrouter().complete(messages, {model: MODEL});
		expect(reply.text).toBe('the answer');
		expect(server.requests).toHaveLength(2);
	});

	it.each(Object.keys(as) as Array<keyof typeof as>)('502 as %s: retried maxRetries times, then one line in the server’s words', async (how) => {
		server.setResponder(() => as[how](502));
		const error = await caughtBackendError(openrouter(1).complete(messages, {model: MODEL}));
		expect(server.requests).toHaveLength(2);
		expect(error.code).toBe('server');
		expect(error.status).toBe(502);
		expect(error.message).toMatch(/\(502\): Provider returned error\.$/);
	});

	it.each([
		[400, 'bad_request'],
		[401, 'auth'],
		[402, 'insufficient_quota'],
		[403, 'auth'],
	] as const)('%i in a 200 body: not retried, read as that status (%s)', async (code, kind) => {
		replies(as['a 200 body'](code), {text: 'not reached'});
		const error = await caughtBackendError(openrouter().complete(messages, {model: MODEL}));
		expect(server.requests).toHaveLength(1);
		expect(error.code).toBe(kind);
		expect(error.status).toBe(code);
	});

	it.each(Object.keys(as) as Array<keyof typeof as>)('429 as %s with a quota that resets in hours: not retried, the wait named', async (how) => {
		replies(as[how](429, spentForHours()), {text: 'not reached'});
		const error = await caughtBackendError(openrouter().complete(messages, {model: MODEL}));
		expect(server.requests).toHaveLength(1);
		expect(error.code).toBe('rate_limited');
		expect(error.message).toMatch(/\(429\): Provider returned error\. The server asks to wait 3 h before a retry \(in its error body\), so it was not retried\.$/);
		expect(error.advice).toBe('Try again once that wait is over.');
	});

	it('a 200 JSON body that is a reply is passed on as it is', async () => {
		replies({raw: JSON.stringify({id: 'x', object: 'chat.completion', choices: [{index: 0, message: {role: 'assistant', content: 'whole'}, finish_reason: 'stop'}]}), contentType: 'application/json'});
		expect((await openrouter().complete(messages, {model: MODEL})).text).toBe('whole');
	});
});

describe('streamed: an error chunk inside the 200 stream is retried as the status it names', () => {
	const chunk = (code: number | string, more: Partial<StreamError> = {}): FakeReply => ({
		text: 'The answer is 42',
		chunkSize: 4,
		streamError: {afterChars: 0, message: 'Provider returned error', shape: 'openrouter', code, ...more},
	});

	it('429 before any text: a retry notice, then the retry’s answer', async () => {
		replies(chunk(429), {text: 'second try'});
		const chunks = await streamed(openrouter());
		expect(textOf(chunks)).toBe('second try');
		expect(chunks.find((each) => each.type === 'notice')).toMatchObject({code: 'stream_retried', message: expect.stringMatching(/^Rate limited by OpenRouter at .*\(429\): Provider returned error\. Retrying in 0\.\d s \(1 of 2\)\.$/)});
		expect(server.requests).toHaveLength(2);
	});

	const limitedByStatus: FakeReply = {status: 429, message: 'Provider returned error'};
	it.each([
		['a chunk', chunk('429')],
		['the response status', limitedByStatus],
	])('429 every time, as %s: maxRetries retries, then the same rate-limit error', async (_how, reply) => {
		server.setResponder(() => reply);
		const error = await caughtBackendError(streamed(openrouter(1)));
		expect(server.requests).toHaveLength(2);
		expect(error.code).toBe('rate_limited');
		expect(error.status).toBe(429);
		expect(error.message).toMatch(/\(429\): Provider returned error\.$/);
	});

	it.each([
		[400, 'bad_request'],
		[401, 'auth'],
		[402, 'insufficient_quota'],
		[403, 'auth'],
	] as const)('%i: not retried, read as that status (%s)', async (code, kind) => {
		replies(chunk(code), {text: 'not reached'});
		const error = await caughtBackendError(streamed(openrouter()));
		expect(server.requests).toHaveLength(1);
		expect(error.code).toBe(kind);
		expect(error.status).toBe(code);
	});

	it('a Retry-After in the error’s metadata is the wait before the retry', async () => {
		replies(chunk(429, {metadata: {headers: {'Retry-After': '0.2'}}}), {text: 'second try'});
		const chunks = await streamed(openrouter());
		expect(textOf(chunks)).toBe('second try');
		expect(chunks.find((each) => each.type === 'notice')).toMatchObject({message: expect.stringMatching(/Retrying in 0\.2 s \(1 of 2\)\.$/)});
	});

	it('a quota that resets in hours: not retried, the wait named', async () => {
		replies(chunk(429, {metadata: spentForHours()}), {text: 'not reached'});
		const error = await caughtBackendError(streamed(openrouter()));
		expect(server.requests).toHaveLength(1);
		expect(error.code).toBe('rate_limited');
		expect(error.message).toMatch(/The server asks to wait 3 h before a retry \(in its error body\), so it was not retried\.$/);
	});

	const finishAlone: FakeReply = {text: 'The answer is 42', chunkSize: 4, streamError: {afterChars: 7, message: '', shape: 'openrouter-finish'}};
	it.each([
		['an error chunk', chunk(502, {afterChars: 7})],
		['finish_reason "error" alone', finishAlone],
	])('%s after answer text: retried, the notice withdraws the text handed on, the retried reply follows', async (_what, reply) => {
		replies(reply, {text: 'second try'});
		const chunks = await streamed(openrouter());
		const retried = chunks.findIndex((each) => each.type === 'notice');
		expect(chunks[retried]).toMatchObject({code: 'stream_retried', replyWithdrawn: true, message: expect.stringMatching(/^The reply so far is withdrawn: .+ Retrying in 0\.\d s \(1 of 2\)\.$/)});
		expect(textOf(chunks.slice(0, retried))).toBe('The ans');
		expect(textOf(chunks.slice(retried))).toBe('second try');
		expect(server.requests).toHaveLength(2);
	});

	it.each([
		['an error chunk', chunk(502, {afterChars: 7})],
		['finish_reason "error" alone', finishAlone],
	])('%s after answer text on every try: the call fails with one line once the retries are spent', async (_what, reply) => {
		server.setResponder(() => reply);
		const seen: StreamChunk[] = [];
		const error = await caughtBackendError(streamed(openrouter(1), seen));
		expect(textOf(seen)).toBe('The ansThe ans');
		expect(error.message).not.toContain('\n');
		expect(server.requests).toHaveLength(2);
	});

	it('after answer text, as before it: the Retry-After its metadata names is the wait; a 4xx or a wait of hours is not retried', async () => {
		replies(chunk(429, {afterChars: 7, metadata: {headers: {'Retry-After': '0.2'}}}), {text: 'second try'});
		const chunks = await streamed(openrouter());
		expect(chunks.find((each) => each.type === 'notice')).toMatchObject({replyWithdrawn: true, message: expect.stringMatching(/Retrying in 0\.2 s \(1 of 2\)\.$/)});
		expect(server.requests).toHaveLength(2);

		for (const reply of [chunk(400, {afterChars: 7}), chunk(429, {afterChars: 7, metadata: spentForHours()})]) {
			server.requests.length = 0;
			replies(reply, {text: 'not reached'});
			const seen: StreamChunk[] = [];
			await caughtBackendError(streamed(openrouter(), seen));
			expect(textOf(seen)).toBe('The ans');
			expect(seen.some((each) => each.type === 'notice')).toBe(false);
			expect(server.requests).toHaveLength(1);
		}
	});

	it('after answer text, a cancel during the wait before the retry ends the call as aborted, with no second request', async () => {
		replies(chunk(429, {afterChars: 7, metadata: {headers: {'Retry-After': '30'}}}), {text: 'not reached'});
		const controller = new AbortController();
		const seen: StreamChunk[] = [];
		const error = await caughtBackendError(
			(async () => {
				for await (const each of openrouter().stream(messages, {model: MODEL, signal: controller.signal})) {
					seen.push(each);
					if (each.type === 'notice') controller.abort();
				}
			})(),
		);
		expect(error.code).toBe('aborted');
		expect(seen.find((each) => each.type === 'notice')).toMatchObject({replyWithdrawn: true, message: expect.stringMatching(/Retrying in 30 s/)});
		expect(server.requests).toHaveLength(1);
	});

	it('finish_reason "error" with no error field, before any text: retried like the error chunk', async () => {
		replies({text: 'never', streamError: {afterChars: 0, message: '', shape: 'openrouter-finish'}}, {text: 'second try'});
		const chunks = await streamed(openrouter());
		expect(textOf(chunks)).toBe('second try');
		expect(chunks.find((each) => each.type === 'notice')).toMatchObject({code: 'stream_retried', message: expect.stringContaining('finish_reason "error"')});
		expect(server.requests).toHaveLength(2);
	});
});
