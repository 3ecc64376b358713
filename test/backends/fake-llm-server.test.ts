// The fake server's wire formats, checked with plain fetch (the SDK tests cover the rest).

import {afterAll, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {queueResponder, startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';

let server: FakeLlmServer;

beforeAll(async () => {
	server = await startFakeLlmServer({models: ['a', 'b']});
});

afterAll(async () => {
	await server.close();
});

beforeEach(() => {
	server.requests.length = 0;
	server.setResponder(() => ({text: 'ok'}));
});

function post(path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
	return fetch(`${server.url}${path}`, {
		method: 'POST',
		headers: {'content-type': 'application/json', ...headers},
		body: JSON.stringify(body),
		signal,
	});
}

function sseData(text: string): unknown[] {
	return text
		.split('\n')
		.filter((line) => line.startsWith('data: '))
		.map((line) => line.slice(6))
		.map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

describe('fake LLM server', () => {
	it('lists models in the OpenAI and the Anthropic format', async () => {
		const openai = await (await fetch(`${server.openaiBaseURL}/models`)).json();
		expect(openai).toMatchObject({object: 'list', data: [{id: 'a', object: 'model'}, {id: 'b', object: 'model'}]});
		const anthropic = await (await fetch(`${server.url}/v1/models`, {headers: {'anthropic-version': '2023-06-01'}})).json();
		expect(anthropic).toMatchObject({data: [{id: 'a', type: 'model'}, {id: 'b', type: 'model'}], has_more: false, first_id: 'a', last_id: 'b'});
	});

	it('streams OpenAI chunks, a usage chunk when asked, then [DONE]', async () => {
		server.setResponder(() => ({text: 'abcdefghij', chunkSize: 4}));
		const response = await post('/v1/chat/completions', {
			model: 'a',
			stream: true,
			stream_options: {include_usage: true},
			messages: [{role: 'user', content: [{type: 'text', text: '12345678'}]}],
		});
		expect(response.headers.get('content-type')).toBe('text/event-stream');
		const events = sseData(await response.text());
		expect(events.at(-1)).toBe('[DONE]');
		const chunks = events.slice(0, -1) as Array<{object: string; choices: Array<{delta: {content?: string}}>; usage?: unknown}>;
		expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
		expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('abcdefghij');
		expect(chunks.at(-1)).toMatchObject({choices: [], usage: {prompt_tokens: 2, completion_tokens: 3, total_tokens: 5}});
		expect(server.requests[0]!.messages).toEqual([{role: 'user', content: '12345678'}]);
	});

	it('streams Anthropic events in order', async () => {
		server.setResponder(() => ({text: 'hello', usage: {inputTokens: 3, outputTokens: 4}}));
		const response = await post('/v1/messages', {
			model: 'a',
			stream: true,
			max_tokens: 10,
			system: [{type: 'text', text: 'sys'}],
			messages: [{role: 'user', content: 'hi'}],
		});
		const types = (sseData(await response.text()) as Array<{type: string}>).map((event) => event.type);
		expect(types).toEqual([
			'message_start',
			'content_block_start',
			'ping',
			'content_block_delta',
			'content_block_stop',
			'message_delta',
			'message_stop',
		]);
		expect(server.requests[0]!.messages).toEqual([
			{role: 'system', content: 'sys'},
			{role: 'user', content: 'hi'},
		]);
	});

	it('answers errors in each API’s own error format', async () => {
		server.setResponder(queueResponder([{status: 404, message: "model 'x' not found"}, {status: 429, message: 'slow down'}]));
		const openai = await post('/v1/chat/completions', {model: 'x', messages: []});
		expect(openai.status).toBe(404);
		expect(await openai.json()).toMatchObject({error: {message: "model 'x' not found", type: 'invalid_request_error'}});
		const anthropic = await post('/v1/messages', {model: 'x', max_tokens: 1, messages: []});
		expect(anthropic.status).toBe(429);
		expect(anthropic.headers.get('retry-after-ms')).toBe('1');
		expect(await anthropic.json()).toEqual({type: 'error', error: {type: 'rate_limit_error', message: 'slow down'}});
		// The queue is empty now.
		expect((await post('/v1/chat/completions', {model: 'x', messages: []})).status).toBe(500);
	});

	it('cuts a stream in the middle of the thinking: reasoning deltas up to the cut, nothing after', async () => {
		const reply = {text: 'never', reasoning: 'abcdefghij', chunkSize: 4, drop: {afterChars: 6, in: 'reasoning' as const, how: 'end' as const}};
		server.setResponder(() => reply);
		const openai = sseData(await (await post('/v1/chat/completions', {model: 'a', stream: true, messages: []})).text()) as Array<{choices: Array<{delta: Record<string, unknown>; finish_reason: unknown}>}>;
		expect(openai.map((chunk) => chunk.choices[0]!.delta)).toEqual([{role: 'assistant', content: ''}, {content: null, reasoning_content: 'abcd'}, {content: null, reasoning_content: 'ef'}]);
		expect(openai.every((chunk) => chunk.choices[0]!.finish_reason === null)).toBe(true);
		const anthropic = sseData(await (await post('/v1/messages', {model: 'a', stream: true, max_tokens: 5, messages: []})).text()) as Array<{type: string; delta?: unknown}>;
		expect(anthropic.map((event) => event.type)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta']);
		expect(anthropic.slice(3).map((event) => event.delta)).toEqual([{type: 'thinking_delta', thinking: 'abcd'}, {type: 'thinking_delta', thinking: 'ef'}]);
	});

	it('sends a non-streamed reply’s error in the 200 body, in each shape', async () => {
		const body = async (error: Record<string, unknown>, api: 'openai' | 'anthropic' = 'openai') => {
			server.setResponder(() => ({text: 'The answer', streamError: {afterChars: 3, message: 'boom', ...error}}));
			const response = api === 'openai' ? await post('/v1/chat/completions', {model: 'a', messages: []}) : await post('/v1/messages', {model: 'a', max_tokens: 5, messages: []});
			expect(response.status).toBe(200);
			return (await response.json()) as {choices: Array<Record<string, unknown>>};
		};
		expect(await body({})).toEqual({error: {message: 'boom', type: 'server_error', param: null, code: null}});
		expect(await body({shape: 'object'})).toEqual({object: 'error', message: 'boom', type: 'server_error', param: null, code: 500});
		expect(await body({shape: 'tgi', type: 'overloaded'})).toEqual({error: 'boom', error_type: 'overloaded'});
		expect(await body({shape: 'openrouter', code: 502})).toMatchObject({
			object: 'chat.completion',
			choices: [{message: {role: 'assistant', content: 'The'}, finish_reason: 'error', error: {code: 502, message: 'boom'}}],
		});
		expect((await body({shape: 'openrouter-finish'})).choices[0]).not.toHaveProperty('error');
		expect(await body({}, 'anthropic')).toEqual({type: 'error', error: {type: 'overloaded_error', message: 'boom'}});
	});

	it('counts a client that disconnects from a hanging request as aborted', async () => {
		server.setResponder(() => ({hang: true}));
		const before = server.aborted;
		const controller = new AbortController();
		const pending = post('/v1/chat/completions', {model: 'a', messages: []}, {}, controller.signal);
		await vi.waitFor(() => expect(server.requests).toHaveLength(1));
		controller.abort();
		await expect(pending).rejects.toThrow();
		await vi.waitFor(() => expect(server.aborted).toBe(before + 1));
	});

	it('does not count finished replies as aborted', async () => {
		const before = server.aborted;
		await (await post('/v1/chat/completions', {model: 'a', messages: []})).json();
		await (await post('/v1/messages', {model: 'a', max_tokens: 5, stream: true, messages: []})).text();
		expect(server.aborted).toBe(before);
	});
});
