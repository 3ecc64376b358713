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
