// Servers as they really behave, through the real SDKs: error bodies in every shape, parameters a
// model refuses, replies cut at the limit, 200s that are not replies, and error events inside streams.

import {afterAll, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import {collectStream} from '../../source/backends/create.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import {type Backend, type ChatMessage, type StreamChunk} from '../../source/backends/types.js';
import {parameterRejection, startFakeLlmServer, type FakeLlmServer, type FakeReply, type RejectionShape} from '../support/fake-llm-server.js';
import {caughtBackendError as caught} from '../support/backend-error.js';

let server: FakeLlmServer;

beforeAll(async () => {
	server = await startFakeLlmServer();
});

afterAll(async () => {
	await server.close();
});

beforeEach(() => {
	for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL']) vi.stubEnv(name, undefined);
	server.requests.length = 0;
	server.setResponder(() => ({text: 'ok'}));
	return () => vi.unstubAllEnvs();
});

const messages: ChatMessage[] = [{role: 'user', content: 'Say hello.'}];

function openai(extra: {maxRetries?: number; paramMemory?: ParamMemory} = {}): OpenAIBackend {
	return new OpenAIBackend({baseURL: server.openaiBaseURL, maxRetries: 0, paramMemory: new ParamMemory(), ...extra});
}

function anthropic(extra: {maxRetries?: number} = {}): AnthropicBackend {
	return new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 0, ...extra});
}

async function chunksOf(backend: Backend, model = 'm', options: {temperature?: number; maxOutputTokens?: number} = {}): Promise<StreamChunk[]> {
	const chunks: StreamChunk[] = [];
	for await (const chunk of backend.stream(messages, {model, ...options})) chunks.push(chunk);
	return chunks;
}

/** Replies from a queue, then 'ok'. */
function replies(...queue: FakeReply[]) {
	server.setResponder(() => queue.shift() ?? {text: 'ok'});
}

const bodyOf = (index: number) => server.requests[index]!.body as Record<string, unknown>;

describe('the server’s own error text, from every body shape', () => {
	const said = 'Model "ghost" is not served here';
	const shapes: Array<[string, FakeReply]> = [
		['error.message', {status: 400, message: said}],
		['top-level message', {status: 400, message: said, body: {error_code: 'BAD_REQUEST', message: said}}],
		['AWS Message', {status: 400, message: said, body: {Message: said}}],
		['detail', {status: 400, message: said, body: {detail: said}}],
		['pydantic detail list', {status: 422, message: said, body: {detail: [{type: 'value_error', loc: ['body', 'model'], msg: said}]}}],
		['error string', {status: 400, message: said, body: {error: said}}],
		['plain text', {status: 400, message: said, body: said}],
		['an HTML error page', {status: 502, message: said, body: `<html><head><title>${said}</title></head><body><h1>502</h1></body></html>`, contentType: 'text/html'}],
	];

	it.each(shapes)('%s reaches the message, with no "(no body)" and no doubled stop', async (_shape, reply) => {
		replies(reply);
		const error = await caught(collectStream(openai().stream(messages, {model: 'ghost'})));
		expect(error.message).toContain(said);
		expect(error.message).not.toMatch(/no body/);
		expect(error.message).not.toMatch(/\.\./);
	});

	it('keeps one full stop after a message that ends in one', async () => {
		replies({status: 400, message: 'Only the default (1) value is supported.', body: {message: 'Only the default (1) value is supported.'}});
		const rejected = await caught(collectStream(openai().stream(messages, {model: 'm'})));
		expect(rejected.message).toMatch(/\(400\): Only the default \(1\) value is supported\.$/);
		replies({status: 401, message: 'Invalid API key.', body: {detail: 'Invalid API key.'}});
		const auth = await caught(collectStream(openai().stream(messages, {model: 'm'})));
		expect(auth.message).toMatch(/\(401\): Invalid API key\.$/);
		expect(auth.advice).toMatch(/^Check the key/);
	});

	it('reads Anthropic-compatible proxies that answer in other shapes', async () => {
		server.setResponder(() => ({status: 400, message: said, body: {message: said}}));
		const error = await caught(collectStream(anthropic().stream(messages, {model: 'm'})));
		expect(error.message).toContain(said);
		expect(error.message).not.toMatch(/no body/);
	});
});

describe('parameters a model refuses', () => {
	const shapes: RejectionShape[] = ['openai', 'message', 'detail', 'detail-list', 'error-string', 'text'];

	it.each(shapes)('a refused temperature (%s body) is retried without it, remembered, and reported once', async (shape) => {
		server.setResponder((request) => ('temperature' in (request.body as object) ? parameterRejection('temperature', shape) : {text: 'hello'}));
		const backend = openai();
		const first = await chunksOf(backend, 'picky-model');
		expect(first.filter((chunk) => chunk.type === 'text').map((chunk) => (chunk as {text: string}).text).join('')).toBe('hello');
		const notices = first.filter((chunk) => chunk.type === 'notice');
		expect(notices).toEqual([{type: 'notice', code: 'param_dropped', message: expect.stringMatching(/picky-model .* does not take temperature: sent without it/)}]);
		expect(server.requests).toHaveLength(2);
		expect(bodyOf(0)).toHaveProperty('temperature', 0.7);
		expect(bodyOf(1)).not.toHaveProperty('temperature');

		// The rest of the session: sent without it at once, and no second notice.
		const second = await chunksOf(backend, 'picky-model');
		expect(second.some((chunk) => chunk.type === 'notice')).toBe(false);
		expect(server.requests).toHaveLength(3);
		expect(bodyOf(2)).not.toHaveProperty('temperature');
	});

	it('renames max_tokens to max_completion_tokens when the server says so', async () => {
		server.setResponder((request) => ('max_tokens' in (request.body as object) ? parameterRejection('max_tokens', 'openai') : {text: 'fine'}));
		const chunks = await chunksOf(openai(), 'deployment-7', {maxOutputTokens: 300});
		expect(chunks.find((chunk) => chunk.type === 'notice')).toMatchObject({code: 'param_dropped', message: expect.stringContaining('sent max_completion_tokens instead')});
		expect(bodyOf(1)).toMatchObject({max_completion_tokens: 300});
		expect(bodyOf(1)).not.toHaveProperty('max_tokens');
	});

	it('drops stream_options for a gateway that refuses unknown fields, and estimates usage', async () => {
		server.setResponder((request) => ('stream_options' in (request.body as object) ? parameterRejection('stream_options', 'detail-list') : {text: 'x'.repeat(40)}));
		const result = await collectStream(openai().stream(messages, {model: 'strict'}));
		expect(result.text).toBe('x'.repeat(40));
		expect(result.usage.outputTokens).toBe(10);
		expect(bodyOf(1)).not.toHaveProperty('stream_options');
	});

	it('does not retry a 400 that names no parameter it sent', async () => {
		replies({status: 400, message: 'messages: too many images'});
		const error = await caught(collectStream(openai().stream(messages, {model: 'm'})));
		expect(error.code).toBe('bad_request');
		expect(server.requests).toHaveLength(1);
	});

	it('gives GPT-5 and the o-series no temperature and max_completion_tokens on any host', async () => {
		for (const model of ['gpt-5-mini', 'openai/o3-mini', 'o1']) {
			server.requests.length = 0;
			await chunksOf(openai(), model, {maxOutputTokens: 50});
			expect(bodyOf(0)).not.toHaveProperty('temperature');
			expect(bodyOf(0)).not.toHaveProperty('max_tokens');
			expect(bodyOf(0)).toMatchObject({max_completion_tokens: 50});
		}
		server.requests.length = 0;
		await chunksOf(openai(), 'gpt-4o', {maxOutputTokens: 50});
		expect(bodyOf(0)).toMatchObject({temperature: 0.7, max_tokens: 50});
	});

	it('sends a temperature the user chose to GPT-5, and drops it with a notice when refused', async () => {
		server.setResponder((request) => ('temperature' in (request.body as object) ? parameterRejection('temperature', 'openai') : {text: 'ok'}));
		const chunks = await chunksOf(openai(), 'gpt-5', {temperature: 0.2});
		expect(bodyOf(0)).toHaveProperty('temperature', 0.2);
		expect(bodyOf(1)).not.toHaveProperty('temperature');
		expect(chunks.filter((chunk) => chunk.type === 'notice')).toHaveLength(1);
	});

	it('a temperature the user chose, refused: one warning line naming the model and the parameter, once per session, not per call', async () => {
		server.setResponder((request) => ('temperature' in (request.body as object) ? parameterRejection('temperature', 'openai') : {text: 'ok'}));
		// The session's memory, shared as the root's and the sub-calls' backends share it.
		const paramMemory = new ParamMemory();
		const root = openai({paramMemory});
		const sub = openai({paramMemory});
		const options = {temperature: 0.2};
		// The first calls go out together (a batch of sub-calls), then more follow.
		const calls = await Promise.all([chunksOf(root, 'gpt-5', options), chunksOf(sub, 'gpt-5', options), chunksOf(sub, 'gpt-5', options)]);
		calls.push(await chunksOf(root, 'gpt-5', options), await chunksOf(sub, 'gpt-5', options));
		const notices = calls.flat().filter((chunk) => chunk.type === 'notice');
		expect(notices).toEqual([{type: 'notice', code: 'param_dropped', level: 'warn', message: expect.stringMatching(/^gpt-5 at \S+ does not take temperature: sent without it for the rest of this session\.$/)}]);
		expect(calls.every((chunks) => chunks.some((chunk) => chunk.type === 'text' && chunk.text === 'ok'))).toBe(true);
	});

	it('applies to non-streamed completions too', async () => {
		server.setResponder((request) => ('temperature' in (request.body as object) ? parameterRejection('temperature', 'message') : {text: 'plain'}));
		const result = await openai().complete(messages, {model: 'picky'});
		expect(result.text).toBe('plain');
		expect(server.requests).toHaveLength(2);
	});
});

describe('replies cut at the output limit', () => {
	it.each(['openai', 'anthropic'] as const)('%s: the finish reason says length', async (api) => {
		replies({text: '```repl\nprint(1', finishReason: 'length'});
		const backend = api === 'openai' ? openai() : anthropic();
		const result = await collectStream(backend.stream(messages, {model: 'm'}));
		expect(result).toMatchObject({text: '```repl\nprint(1', finishReason: 'length'});
		replies({text: 'whole', finishReason: 'length'});
		const complete = await backend.complete(messages, {model: 'm'});
		expect(complete.finishReason).toBe('length');
	});
});

const textOf = (chunks: StreamChunk[]) => chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('');
const usageOf = (chunks: StreamChunk[]) => chunks.find((chunk) => chunk.type === 'usage');

describe('a stream the server drops mid-reply', () => {
	it.each([
		['openai', 'end'],
		['openai', 'reset'],
		['anthropic', 'end'],
		['anthropic', 'reset'],
	] as const)('%s, connection %s after text: retried, the notice withdraws the reply so far; the retried reply follows', async (api, how) => {
		replies({text: '```repl\nprint("never")\nx = [1, 2, 3', drop: {afterChars: 20, how}}, {text: 'second try'});
		const chunks = await chunksOf(api === 'openai' ? openai({maxRetries: 2}) : anthropic({maxRetries: 2}));
		const retried = chunks.findIndex((chunk) => chunk.type === 'notice');
		expect(chunks[retried]).toMatchObject({
			code: 'stream_retried',
			replyWithdrawn: true,
			message: expect.stringMatching(/^The reply so far is withdrawn: .* (closed the stream before the reply ended \(.+\)|closed the connection mid-stream|was reset mid-stream)\. Retrying in 0\.\d s \(1 of 2\)\.$/),
		});
		expect(textOf(chunks.slice(0, retried))).toBe('```repl\nprint("never');
		expect(textOf(chunks.slice(retried))).toBe('second try');
		expect(chunks.filter((chunk) => chunk.type === 'usage')).toEqual([{type: 'usage', usage: expect.anything(), finishReason: 'stop'}]);
		expect(server.requests).toHaveLength(2);
	});

	it.each([
		['openai', 'end'],
		['openai', 'reset'],
		['anthropic', 'end'],
		['anthropic', 'reset'],
	] as const)('%s, connection %s after text on every try: the last reply so far, marked dropped (not finished), once the retries are spent', async (api, how) => {
		server.requests.length = 0;
		server.setResponder(() => ({text: '```repl\nprint("never")\nx = [1, 2, 3', drop: {afterChars: 20, how}}));
		const chunks = await chunksOf(api === 'openai' ? openai({maxRetries: 1}) : anthropic({maxRetries: 1}));
		const retried = chunks.findIndex((chunk) => chunk.type === 'notice');
		expect(textOf(chunks.slice(retried))).toBe('```repl\nprint("never');
		// What cut the last try stays on it: the engine's notice says it.
		const cause = how === 'reset' ? /(closed the connection|was reset) mid-stream\.$/ : /closed the stream before the reply ended \(no (finish_reason|message_delta stop_reason)/;
		// And in a few words without the server's name, for a retry notice's cause.
		const summary = how === 'reset' ? /^the (server closed the connection|connection was reset) mid-stream$/ : /^the server closed the stream before the reply ended \(no (finish_reason|message_delta stop_reason).*\)$/;
		expect(chunks.at(-1)).toEqual({type: 'usage', usage: expect.anything(), finishReason: 'dropped', droppedBy: expect.stringMatching(cause), droppedSummary: expect.stringMatching(summary)});
		expect(server.requests).toHaveLength(2);
	});

	it.each([
		['openai', 'end'],
		['openai', 'reset'],
		['anthropic', 'end'],
		['anthropic', 'reset'],
	] as const)('%s, connection %s before any text: retried, as nothing was shown', async (api, how) => {
		replies({text: 'lost', drop: {afterChars: 0, how}}, {text: 'second try'});
		const chunks = await chunksOf(api === 'openai' ? openai({maxRetries: 2}) : anthropic({maxRetries: 2}));
		expect(textOf(chunks)).toBe('second try');
		expect(usageOf(chunks)).toMatchObject({finishReason: 'stop'});
		expect(server.requests).toHaveLength(2);
		expect(chunks.find((chunk) => chunk.type === 'notice')).toMatchObject({code: 'stream_retried', message: expect.stringMatching(how === 'end' ? /closed the stream before the reply ended \(.+\)\. Retrying/ : /(closed the connection|was reset) mid-stream\. Retrying/)});
	});

	it.each(['openai', 'anthropic'] as const)('%s: dropped before text on every try, one line that says so', async (api) => {
		server.setResponder(() => ({text: 'lost', drop: {afterChars: 0}}));
		const error = await caught(collectStream((api === 'openai' ? openai({maxRetries: 1}) : anthropic({maxRetries: 1})).stream(messages, {model: 'm'})));
		expect(error.message).toMatch(/closed the stream before the reply ended \(no (finish_reason and no data: \[DONE\]|message_delta stop_reason and no message_stop)\) \(each of 2 tries\)\.$/);
		expect(error.message).not.toContain('\n');
		expect(server.requests).toHaveLength(2);
	});

	it('openai: a gateway that sends [DONE] but never a finish_reason has finished (not dropped, no retry loop)', async () => {
		replies({text: 'the whole reply', frames: {noFinishReason: true}});
		const chunks = await chunksOf(openai({maxRetries: 2}));
		expect(textOf(chunks)).toBe('the whole reply');
		expect(usageOf(chunks)).toMatchObject({finishReason: 'other'});
		expect(server.requests).toHaveLength(1);
	});

	it('openai: a finish_reason without [DONE] (a proxy that cut the tail) has finished', async () => {
		server.setResponder(() => ({raw: `data: ${JSON.stringify({id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{index: 0, delta: {content: 'all of it'}, finish_reason: 'stop'}]})}\n\n`, contentType: 'text/event-stream'}));
		const chunks = await chunksOf(openai());
		expect(textOf(chunks)).toBe('all of it');
		expect(usageOf(chunks)).toMatchObject({finishReason: 'stop'});
	});
});

describe('retries as the server asks', () => {
	const backendFor = (api: 'openai' | 'anthropic', maxRetries = 2) => (api === 'openai' ? openai({maxRetries}) : anthropic({maxRetries}));

	it.each([
		['openai', 408],
		['openai', 409],
		['openai', 429],
		['openai', 502],
		['anthropic', 408],
		['anthropic', 409],
		['anthropic', 429],
		['anthropic', 529],
	] as const)('%s: a %i is retried and the retry answers', async (api, status) => {
		replies({status, message: 'try later'}, {text: 'second try'});
		expect((await collectStream(backendFor(api).stream(messages, {model: 'm'}))).text).toBe('second try');
		expect(server.requests).toHaveLength(2);
	});

	it.each(['openai', 'anthropic'] as const)('%s: x-should-retry: false is obeyed on a 503, which fails at once with one line', async (api) => {
		replies({status: 503, message: 'Model is being replaced', headers: {'x-should-retry': 'false'}}, {text: 'not reached'});
		const error = await caught(collectStream(backendFor(api).stream(messages, {model: 'm'})));
		expect(error.message).toMatch(/^Server error from http:\/\/127\.0\.0\.1:\d+(\/v1)? \(503\): Model is being replaced\.$/);
		expect(server.requests).toHaveLength(1);
	});

	it.each(['openai', 'anthropic'] as const)('%s: x-should-retry: false on a 409 fails with one line naming the status', async (api) => {
		replies({status: 409, message: 'Conflict: request already in progress', headers: {'x-should-retry': 'false'}});
		const error = await caught(collectStream(backendFor(api).stream(messages, {model: 'm'})));
		expect(error.message).toMatch(/\(409\): Conflict: request already in progress\.$/);
		expect(error.message).not.toContain('\n');
		expect(server.requests).toHaveLength(1);
	});

	it.each(['openai', 'anthropic'] as const)('%s: x-should-retry: true is obeyed on a 400', async (api) => {
		replies({status: 400, message: 'transient validation glitch', headers: {'x-should-retry': 'true'}}, {text: 'second try'});
		expect((await collectStream(backendFor(api).stream(messages, {model: 'm'}))).text).toBe('second try');
		expect(server.requests).toHaveLength(2);
	});

	it.each(['openai', 'anthropic'] as const)('%s: retry-after in seconds, and as an HTTP date, is waited for and retried', async (api) => {
		replies(
			{status: 429, message: 'slow down', headers: {'retry-after': '0.01'}},
			{status: 503, message: 'busy', headers: {'retry-after': new Date(Date.now() - 1000).toUTCString()}},
			{text: 'third try'},
		);
		expect((await collectStream(backendFor(api).stream(messages, {model: 'm'}))).text).toBe('third try');
		expect(server.requests).toHaveLength(3);
	});

	it.each(['openai', 'anthropic'] as const)('%s: a retry-after past a minute is not waited out in silence: one line says how long', async (api) => {
		replies({status: 429, message: 'Rate limit reached for requests.', headers: {'retry-after': '3600'}}, {text: 'not reached'});
		const error = await caught(collectStream(backendFor(api).stream(messages, {model: 'm'})));
		expect(error.code).toBe('rate_limited');
		expect(error.message).toMatch(/\(429\): Rate limit reached for requests\. The server asks to wait 60 min before a retry \(retry-after\), so it was not retried\.$/);
		// The advice does not contradict the wait (it said "Wait a moment and try again.").
		expect(error.advice).toBe('Try again once that wait is over.');
		expect(server.requests).toHaveLength(1);
		replies({status: 503, message: 'down for maintenance', headers: {'retry-after-ms': String(3 * 3600_000)}}, {text: 'not reached'});
		expect((await caught(collectStream(backendFor(api).stream(messages, {model: 'm'})))).message).toMatch(/\(503\): down for maintenance\. The server asks to wait 3 h before a retry/);
		expect(server.requests).toHaveLength(2);
	});

	it.each(['openai', 'anthropic'] as const)('%s: a wait past a minute names the header that asked and is not rounded (90 s, not 2 min)', async (api) => {
		replies({status: 429, message: 'Slow down.', retryAfterMs: 90_000}, {text: 'not reached'});
		const error = await caught(collectStream(backendFor(api).stream(messages, {model: 'm'})));
		expect(error.message).toMatch(/\(429\): Slow down\. The server asks to wait 90 s before a retry \(retry-after-ms\), so it was not retried\.$/);
		expect(server.requests).toHaveLength(1);
	});

	it.each(['openai', 'anthropic'] as const)('%s: a server that drops every connection is tried maxRetries + 1 times, not retried again on top', async (api) => {
		const {createServer} = await import('node:http');
		let connections = 0;
		const down = createServer((req) => {
			connections++;
			req.socket.destroy();
		});
		await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
		try {
			const url = `http://127.0.0.1:${(down.address() as {port: number}).port}`;
			const backend =
				api === 'openai'
					? new OpenAIBackend({baseURL: `${url}/v1`, maxRetries: 1})
					: new AnthropicBackend({baseURL: url, apiKey: 'sk-ant-test', maxRetries: 1});
			const error = await caught(collectStream(backend.stream(messages, {model: 'm'})));
			expect(error.code).toBe('unreachable');
			expect(connections).toBe(2);
		} finally {
			down.close();
		}
	});
});

describe('the request timeout', () => {
	const timed = (api: 'openai' | 'anthropic') =>
		api === 'openai'
			? new OpenAIBackend({baseURL: server.openaiBaseURL, maxRetries: 0, timeoutMs: 300, paramMemory: new ParamMemory()})
			: new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 0, timeoutMs: 300});

	it.each(['openai', 'anthropic'] as const)('%s: a server that never answers fails with one line naming the timeout and the flag', async (api) => {
		server.setResponder(() => ({hang: true}));
		const error = await caught(collectStream(timed(api).stream(messages, {model: 'm'})));
		expect(error.code).toBe('timeout');
		expect(error.message).toMatch(/^Timed out after 0\.3 s waiting for .* raise --request-timeout \(seconds; \/set request-timeout in the app; requestTimeoutMs in the library\), or try again\.$/);
	});

	it.each(['openai', 'anthropic'] as const)('%s: a stream that stalls before any text fails the same way, not after undici’s 300 s', async (api) => {
		server.setResponder(() => ({text: 'never sent', drop: {afterChars: 0, how: 'hang'}}));
		const error = await caught(collectStream(timed(api).stream(messages, {model: 'm'})));
		expect(error.code).toBe('timeout');
		expect(error.message).toMatch(/sent nothing more for 0\.3 s after it began its reply: raise --request-timeout/);
		expect(server.requests).toHaveLength(1);
	});

	it.each(['openai', 'anthropic'] as const)('%s: a stream that stalls before any text is retried within maxRetries, like an error event', async (api) => {
		replies({text: 'never sent', drop: {afterChars: 0, how: 'hang'}}, {text: 'second try'});
		const backend =
			api === 'openai'
				? new OpenAIBackend({baseURL: server.openaiBaseURL, maxRetries: 1, timeoutMs: 300, paramMemory: new ParamMemory()})
				: new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 1, timeoutMs: 300});
		const chunks: StreamChunk[] = [];
		for await (const chunk of backend.stream(messages, {model: 'm'})) chunks.push(chunk);
		expect(textOf(chunks)).toBe('second try');
		expect(chunks.find((chunk) => chunk.type === 'notice')).toMatchObject({code: 'stream_retried', message: expect.stringMatching(/sent nothing more for 0\.3 s after it began its reply: .* Retrying in 0\.\d s \(1 of 1\)\.$/)});
		expect(server.requests).toHaveLength(2);
	});

	it.each(['openai', 'anthropic'] as const)('%s: a stream that stalls after text is a dropped reply, what came kept, marked as ended by the timeout', async (api) => {
		server.setResponder(() => ({text: 'half of the reply and more', drop: {afterChars: 12, how: 'hang'}}));
		const chunks: StreamChunk[] = [];
		for await (const chunk of timed(api).stream(messages, {model: 'm'})) chunks.push(chunk);
		expect(textOf(chunks)).toBe('half of the ');
		expect(usageOf(chunks)).toMatchObject({finishReason: 'dropped', stalledMs: 300});
	});

	it.each(['openai', 'anthropic'] as const)('%s: a stream the server drops after text is not marked as ended by the timeout', async (api) => {
		server.setResponder(() => ({text: 'half of the reply and more', drop: {afterChars: 12, how: 'end'}}));
		const chunks: StreamChunk[] = [];
		for await (const chunk of timed(api).stream(messages, {model: 'm'})) chunks.push(chunk);
		expect(usageOf(chunks)).toMatchObject({finishReason: 'dropped'});
		expect(usageOf(chunks)).not.toHaveProperty('stalledMs');
	});

	it.each(['openai', 'anthropic'] as const)('%s: a slow stream within the timeout between its parts is not cut', async (api) => {
		server.setResponder(() => ({text: 'slow but steady', chunkSize: 3, chunkDelayMs: 20}));
		const backend =
			api === 'openai'
				? new OpenAIBackend({baseURL: server.openaiBaseURL, maxRetries: 0, timeoutMs: 5000, paramMemory: new ParamMemory()})
				: new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 0, timeoutMs: 5000});
		expect(await collectStream(backend.stream(messages, {model: 'm'}))).toMatchObject({text: 'slow but steady', finishReason: 'stop'});
	});
});

describe('chunks that carry no choice', () => {
	it.each(['empty', 'absent', 'usage'] as const)('openai: a keep-alive chunk with choices %s between deltas is neither an error nor the end', async (keepAlive) => {
		replies({text: 'the whole reply', chunkSize: 4, usage: {inputTokens: 7, outputTokens: 3}, frames: {keepAlive, promptFilter: true}});
		const chunks = await chunksOf(openai());
		expect(textOf(chunks)).toBe('the whole reply');
		expect(usageOf(chunks)).toEqual({type: 'usage', usage: {inputTokens: 7, outputTokens: 3}, finishReason: 'stop'});
	});
});

describe('200s that are not replies', () => {
	const page = '<!doctype html><html><head><title>Open WebUI</title></head><body>app</body></html>';

	it.each(['openai', 'anthropic'] as const)('%s: an HTML page is an error naming the URL', async (api) => {
		server.setResponder(() => ({raw: page}));
		const backend = api === 'openai' ? openai() : anthropic();
		const error = await caught(collectStream(backend.stream(messages, {model: 'm'})));
		expect(error.code).toBe('bad_response');
		expect(error.message).toContain(api === 'openai' ? server.openaiBaseURL : server.anthropicBaseURL);
		expect(error.message).toContain('an HTML page ("Open WebUI")');
		const completeError = await caught(backend.complete(messages, {model: 'm'}));
		expect(completeError.code).toBe('bad_response');
	});

	it.each(['openai', 'anthropic'] as const)('%s: an empty stream is an error naming the URL', async (api) => {
		server.setResponder(() => ({raw: '', contentType: 'text/event-stream'}));
		const error = await caught(collectStream((api === 'openai' ? openai() : anthropic()).stream(messages, {model: 'm'})));
		expect(error.code).toBe('bad_response');
		expect(error.message).toMatch(/answered 200 with an empty stream/);
	});

	it.each(['openai', 'anthropic'] as const)('%s: a web page where the model list should be is an error, not an empty list', async (api) => {
		server.modelsPage = '<html><head><title>Login</title></head></html>';
		try {
			const error = await caught((api === 'openai' ? openai() : anthropic()).listModels());
			expect(error.code).toBe('bad_response');
			expect(error.message).toContain('an HTML page ("Login")');
		} finally {
			server.modelsPage = undefined;
		}
		expect(await openai().listModels()).toEqual(['fake-model', 'fake-model-mini']);
	});

	it('JSON that is not a completion is an error, not an empty answer', async () => {
		server.setResponder(() => ({raw: '{"status": "ok"}', contentType: 'application/json'}));
		const error = await caught(openai().complete(messages, {model: 'm'}));
		expect(error.code).toBe('bad_response');
	});
});

describe('error events inside a stream', () => {
	it.each(['openai', 'anthropic'] as const)('%s: before any text, retried with backoff', async (api) => {
		replies({text: 'never', streamError: {afterChars: 0, message: 'Overloaded'}}, {text: 'second try'});
		const backend = api === 'openai' ? openai({maxRetries: 2}) : anthropic({maxRetries: 2});
		const chunks: StreamChunk[] = [];
		for await (const chunk of backend.stream(messages, {model: 'm'})) chunks.push(chunk);
		expect(chunks.filter((chunk) => chunk.type === 'text').map((chunk) => (chunk as {text: string}).text).join('')).toBe('second try');
		expect(chunks.find((chunk) => chunk.type === 'notice')).toMatchObject({code: 'stream_retried', message: expect.stringMatching(/Overloaded\. Retrying in 0\.\d s \(1 of 2\)\.$/)});
		expect(server.requests).toHaveLength(2);
	});

	it.each(['openai', 'anthropic'] as const)('%s: after text, retried too; the notice withdraws the text so far', async (api) => {
		replies({text: 'Hello, I was saying', streamError: {afterChars: 10, message: 'Overloaded'}}, {text: 'second try'});
		const backend = api === 'openai' ? openai({maxRetries: 2}) : anthropic({maxRetries: 2});
		const chunks = await chunksOf(backend);
		const retried = chunks.findIndex((chunk) => chunk.type === 'notice');
		expect(chunks[retried]).toMatchObject({code: 'stream_retried', replyWithdrawn: true, message: expect.stringMatching(/^The reply so far is withdrawn: .*Overloaded\. Retrying in 0\.\d s \(1 of 2\)\.$/)});
		expect(textOf(chunks.slice(0, retried))).toBe('Hello, I w');
		expect(textOf(chunks.slice(retried))).toBe('second try');
		expect(server.requests).toHaveLength(2);
	});

	it.each(['openai', 'anthropic'] as const)('%s: after text on every try, the call fails with the server’s message once the retries are spent', async (api) => {
		server.requests.length = 0;
		server.setResponder(() => ({text: 'Hello, I was saying', streamError: {afterChars: 10, message: 'Overloaded'}}));
		const error = await caught(collectStream((api === 'openai' ? openai({maxRetries: 1}) : anthropic({maxRetries: 1})).stream(messages, {model: 'm'})));
		expect(error.message).toContain('Overloaded');
		expect(error.message).not.toContain('\n');
		expect(server.requests).toHaveLength(2);
	});

	it('gives up after the retries, with the server’s message', async () => {
		server.setResponder(() => ({text: 'x', streamError: {afterChars: 0, message: 'Overloaded', type: 'overloaded_error'}}));
		const error = await caught(collectStream(anthropic({maxRetries: 1}).stream(messages, {model: 'm'})));
		expect(error.message).toContain('Overloaded');
		expect(server.requests).toHaveLength(2);
	});

	it('does not retry an in-stream error the server will repeat', async () => {
		replies({text: 'x', streamError: {afterChars: 0, message: 'prompt is too long', type: 'invalid_request_error'}});
		const error = await caught(collectStream(anthropic({maxRetries: 2}).stream(messages, {model: 'm'})));
		expect(error.message).toContain('prompt is too long');
		expect(server.requests).toHaveLength(1);
	});

	it('reads vLLM’s {"object": "error"} chunk as an error', async () => {
		replies({text: 'x', streamError: {afterChars: 0, message: 'engine dead', shape: 'object'}}, {text: 'recovered'});
		const result = await collectStream(openai({maxRetries: 1}).stream(messages, {model: 'm'}));
		expect(result.text).toBe('recovered');
		replies({text: 'abc', streamError: {afterChars: 2, message: 'engine dead', shape: 'object'}}, {text: 'abc', streamError: {afterChars: 2, message: 'engine dead', shape: 'object'}});
		const error = await caught(collectStream(openai({maxRetries: 1}).stream(messages, {model: 'm'})));
		expect(error.message).toContain('engine dead');
	});
});
