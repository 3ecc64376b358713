// The SDKs' own retries (maxRetries: a 429, a 5xx, Anthropic's 529, a try with no response by the
// request timeout, a reset connection) are told as they happen: a stream_retried notice before the
// answer, one line that says what failed and that it is retried, with the wait the server named.
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import type {Backend, StreamChunk} from '../../source/backends/types.js';
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
	openai: (timeoutMs?: number) =>
		new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'sk-test', maxRetries: 2, paramMemory: new ParamMemory(), ...(timeoutMs ? {timeoutMs} : {})}),
	anthropic: (timeoutMs?: number) => new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 2, ...(timeoutMs ? {timeoutMs} : {})}),
} satisfies Record<string, (timeoutMs?: number) => Backend>;

type Notice = Extract<StreamChunk, {type: 'notice'}>;

/** The tries fail as `failures`, then the server answers. The notices, and the answer. */
async function streamAfter(api: keyof typeof backends, failures: FakeReply[], timeoutMs?: number): Promise<{notices: Notice[]; text: string; order: string[]}> {
	const queue = [...failures];
	server.setResponder(() => queue.shift() ?? {text: 'the answer'});
	const chunks: StreamChunk[] = [];
	for await (const chunk of backends[api](timeoutMs).stream([{role: 'user', content: 'hi'}], {model: 'm'})) chunks.push(chunk);
	return {
		notices: chunks.filter((chunk): chunk is Notice => chunk.type === 'notice'),
		text: chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join(''),
		order: chunks.map((chunk) => chunk.type),
	};
}

/** No word twice in a row ("the the"), no ". ." or ".." */
function expectCleanLine(message: string): void {
	expect(message).not.toContain('\n');
	expect(message).not.toMatch(/\b(\w+) \1\b/i);
	expect(message).not.toMatch(/\.\s*\./);
}

describe.each(['openai', 'anthropic'] as const)('%s: the SDK retries a failed try, and says so', (api) => {
	it('the header that names the watched request never reaches the server, on any try', async () => {
		const {text} = await streamAfter(api, [{status: 503, message: 'busy'}]);
		expect(text).toBe('the answer');
		expect(server.requests).toHaveLength(2);
		for (const request of server.requests) expect(Object.keys(request.headers).filter((name) => /rlm/i.test(name))).toEqual([]);
	});

	it('a whole (non-streamed) completion is watched the same way, its header not sent', async () => {
		const queue: FakeReply[] = [{status: 503, message: 'busy'}];
		server.setResponder(() => queue.shift() ?? {text: 'whole answer'});
		const told: string[] = [];
		const reply = await backends[api]().complete([{role: 'user', content: 'hi'}], {model: 'm', onNotice: (notice) => told.push(notice.message)});
		expect(reply.text).toBe('whole answer');
		expect(told).toHaveLength(1);
		expect(told[0]).toMatch(/ answered 503: busy\. Retrying/);
		for (const request of server.requests) expect(Object.keys(request.headers).filter((name) => /rlm/i.test(name))).toEqual([]);
	});

	it('retry-after-ms and retry-after both sent: the wait is retry-after-ms’s, as the SDK reads it, and the try is retried', async () => {
		const {notices, text} = await streamAfter(api, [{status: 429, message: 'Slow down.', retryAfterMs: 1500, headers: {'retry-after': '120'}}]);
		expect(text).toBe('the answer');
		expect(server.requests).toHaveLength(2);
		expect(notices[0]!.message).toMatch(/ answered 429: Slow down\. Retrying in 1\.5 s \(1 of 2\)\.$/);
	});

	it('a wait of a millisecond is said “at once”, not “in 0.0 s”', async () => {
		const {notices} = await streamAfter(api, [{status: 503, message: 'Busy', retryAfterMs: 1}]);
		expect(notices[0]!.message).toMatch(/ answered 503: Busy\. Retrying at once \(1 of 2\)\.$/);
	});

	it('a 429 with retry-after: the status, the server message, the wait, and which retry', async () => {
		const {notices, text, order} = await streamAfter(api, [{status: 429, message: 'Rate limit reached for requests.', retryAfterMs: 1500, headers: {'retry-after-ms': '20'}}]);
		expect(text).toBe('the answer');
		expect(server.requests).toHaveLength(2);
		expect(notices).toHaveLength(1);
		expect(notices[0]).toMatchObject({code: 'stream_retried'});
		expect(notices[0]!.message).toMatch(/ answered 429: Rate limit reached for requests\. Retrying at once \(1 of 2\)\.$/);
		// The facts a front end shows, without the server's name or address.
		expect(notices[0]!.retry).toEqual({retry: 1, maxRetries: 2, waitMs: 20, cause: '429: Rate limit reached for requests'});
		expect(notices[0]!.message).toContain(api === 'openai' ? server.openaiBaseURL.replace(/\/v1$/, '') : server.anthropicBaseURL);
		expectCleanLine(notices[0]!.message);
		// Told before the answer streams.
		expect(order.indexOf('notice')).toBeLessThan(order.indexOf('text'));
	});

	it('two 5xx tries: two notices, 1 of 2 then 2 of 2', async () => {
		const {notices, text} = await streamAfter(api, [
			{status: 503, message: 'Service temporarily unavailable', retryAfterMs: 1},
			{status: 500, message: '', body: '', retryAfterMs: 1},
		]);
		expect(text).toBe('the answer');
		expect(notices.map((notice) => notice.message.replace(/^.*? at \S+ /, ''))).toEqual([
			'answered 503: Service temporarily unavailable. Retrying at once (1 of 2).',
			'answered 500 (internal server error). Retrying at once (2 of 2).',
		]);
		expect(notices.map((notice) => notice.retry)).toEqual([
			{retry: 1, maxRetries: 2, waitMs: 1, cause: '503: Service temporarily unavailable'},
			{retry: 2, maxRetries: 2, waitMs: 1, cause: '500 (internal server error)'},
		]);
	});

	it('a proxy’s 502 page: its title once, the status not said twice', async () => {
		const page = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
		const {notices, text} = await streamAfter(api, [{status: 502, message: '', body: page, contentType: 'text/html', retryAfterMs: 1}]);
		expect(text).toBe('the answer');
		expect(notices[0]!.message).toMatch(/ answered 502: Bad Gateway\. Retrying at once \(1 of 2\)\.$/);
		expect(notices[0]!.message.match(/502/g)).toHaveLength(1);
	});

	it('a try that sends nothing by the request timeout: said, retried, answered', async () => {
		const {notices, text} = await streamAfter(api, [{hang: true}], 400);
		expect(text).toBe('the answer');
		expect(notices).toHaveLength(1);
		// No wait was named: the SDK sleeps its backoff, whose longest for the first retry is 0.5 s.
		expect(notices[0]!.message).toMatch(/ sent no response within 0\.4 s\. Retrying within 0\.5 s \(1 of 2\)\.$/);
		expect(notices[0]!.retry).toEqual({retry: 1, maxRetries: 2, waitAtMostMs: 500, cause: 'no response within 0.4 s'});
		expectCleanLine(notices[0]!.message);
	});

	it('a connection reset before the response: said as a reset, retried, answered', async () => {
		const {notices, text} = await streamAfter(api, [{reset: true}]);
		expect(text).toBe('the answer');
		expect(notices).toHaveLength(1);
		expect(notices[0]!.message).toMatch(/ reset the connection before it answered\. Retrying within 0\.5 s \(1 of 2\)\.$/);
		expect(notices[0]!.retry).toEqual({retry: 1, maxRetries: 2, waitAtMostMs: 500, cause: 'the server reset the connection before it answered'});
	});

	it('a Retry-After of 0: said as the SDK acts on it (openai retries at once, @anthropic-ai/sdk sleeps its backoff)', async () => {
		const {notices, text} = await streamAfter(api, [{status: 503, message: 'Busy', retryAfterMs: null, headers: {'retry-after': '0'}}]);
		expect(text).toBe('the answer');
		if (api === 'openai') {
			expect(notices[0]!.message).toMatch(/ answered 503: Busy\. Retrying at once \(1 of 2\)\.$/);
			expect(notices[0]!.retry).toEqual({retry: 1, maxRetries: 2, waitMs: 0, cause: '503: Busy'});
		} else {
			expect(notices[0]!.message).toMatch(/ answered 503: Busy\. Retrying within 0\.5 s \(1 of 2\)\.$/);
			expect(notices[0]!.retry).toEqual({retry: 1, maxRetries: 2, waitAtMostMs: 500, cause: '503: Busy'});
		}
	});

	it('the last try fails: notices for the retries, then the error (no notice for a retry that does not come)', async () => {
		const failure: FakeReply = {status: 502, message: 'Bad gateway', retryAfterMs: 1};
		const queue = [failure, failure, failure];
		server.setResponder(() => queue.shift() ?? {text: 'never'});
		const notices: string[] = [];
		const failed = (async () => {
			for await (const chunk of backends[api]().stream([{role: 'user', content: 'hi'}], {model: 'm'})) if (chunk.type === 'notice') notices.push(chunk.message);
		})();
		await expect(failed).rejects.toThrow(/502/);
		expect(notices.map((message) => /\((\d) of 2\)\.$/.exec(message)?.[1])).toEqual(['1', '2']);
	});

	it('a refusal the SDK does not retry (400): no notice', async () => {
		server.setResponder(() => ({status: 400, message: 'bad request'}));
		const chunks: StreamChunk[] = [];
		const failed = (async () => {
			for await (const chunk of backends[api]().stream([{role: 'user', content: 'hi'}], {model: 'm'})) chunks.push(chunk);
		})();
		await expect(failed).rejects.toThrow(/400/);
		expect(chunks.filter((chunk) => chunk.type === 'notice')).toEqual([]);
	});

	it.each([
		['x-should-retry: false on a 503', {status: 503, message: 'Down for maintenance', headers: {'x-should-retry': 'false'}}],
		['a 429 whose retry-after asks for an hour', {status: 429, message: 'Slow down', retryAfterMs: null, headers: {'retry-after': '3600'}}],
		['a 429 insufficient_quota', {status: 429, message: 'You exceeded your current quota.', type: 'insufficient_quota', code: 'insufficient_quota'}],
	] as const)('a failure the SDK does not retry (%s): one request, no notice', async (_what, reply) => {
		server.setResponder(() => reply);
		const chunks: StreamChunk[] = [];
		const failed = (async () => {
			for await (const chunk of backends[api]().stream([{role: 'user', content: 'hi'}], {model: 'm'})) chunks.push(chunk);
		})();
		await expect(failed).rejects.toThrow();
		expect(server.requests).toHaveLength(1);
		expect(chunks.filter((chunk) => chunk.type === 'notice')).toEqual([]);
	});

	it('complete(): each retry told to onNotice, and the answer', async () => {
		const queue: FakeReply[] = [{status: 503, message: 'Busy', retryAfterMs: 1}];
		server.setResponder(() => queue.shift() ?? {text: 'whole answer'});
		const notices: string[] = [];
		const reply = await backends[api]().complete([{role: 'user', content: 'hi'}], {model: 'm', onNotice: (notice) => notices.push(notice.message)});
		expect(reply.text).toBe('whole answer');
		expect(notices).toHaveLength(1);
		expect(notices[0]).toMatch(/ answered 503: Busy\. Retrying at once \(1 of 2\)\.$/);
	});
});

it('anthropic: a 529 overloaded_error is told in its own words', async () => {
	const {notices, text} = await streamAfter('anthropic', [{status: 529, message: 'Overloaded', retryAfterMs: 1}]);
	expect(text).toBe('the answer');
	expect(notices[0]!.message).toMatch(/^The Anthropic API at \S+ answered 529: Overloaded\. Retrying at once \(1 of 2\)\.$/);
});
