// Real reply shapes at the backend line, through the real SDKs: an error event after the model began
// thinking (OpenAI-compatible error chunks in three shapes, Anthropic's event: error), reasoning
// interleaved with the answer, a non-streamed reply whose content is null beside its reasoning, and
// OpenAI's refusal field.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import type {ChatMessage, StreamChunk} from '../../source/backends/types.js';
import {emptyReplyCause} from '../../source/engine/empty-reply.js';
import {callModel} from '../../source/engine/model-call.js';
import {queueResponder, startFakeLlmServer, type FakeLlmServer, type FakeReply, type ReasoningField} from '../support/fake-llm-server.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['m']});
});
afterAll(async () => {
	await server?.close();
});

const messages: ChatMessage[] = [{role: 'user', content: 'How many?'}];
const backends = {
	openai: (maxRetries = 2) => new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries, paramMemory: new ParamMemory()}),
	anthropic: (maxRetries = 2) => new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'k', maxRetries}),
};
type Api = keyof typeof backends;

function replies(...queue: FakeReply[]) {
	server.requests.length = 0;
	server.setResponder(queueResponder(queue));
}

async function chunksOf(stream: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
	const chunks: StreamChunk[] = [];
	for await (const chunk of stream) chunks.push(chunk);
	return chunks;
}
const joined = (chunks: StreamChunk[], type: 'text' | 'reasoning') => chunks.map((chunk) => (chunk.type === type ? chunk.text : '')).join('');

/** The error shapes each API sends inside a 200 stream. */
const errorShapes: Array<[Api, 'error' | 'object' | 'openrouter' | undefined]> = [
	['openai', 'error'],
	['openai', 'object'],
	['openai', 'openrouter'],
	['anthropic', undefined],
];

describe.each(errorShapes)('%s: an error event after the model began thinking (%s)', (api, shape) => {
	const failing = (text: string, afterChars: number): FakeReply => ({
		text,
		reasoning: 'Let me think about the count',
		chunkSize: 5,
		streamError: {afterChars, message: 'Overloaded', ...(shape ? {shape} : {})},
	});

	it('before any answer text: retried, the thinking shown kept, the notice says the model was thinking', async () => {
		replies(failing('never', 0), {text: '42', reasoning: 'Counting again'});
		const chunks = await chunksOf(backends[api]().stream(messages, {model: 'm'}));
		expect(joined(chunks, 'text')).toBe('42');
		expect(joined(chunks, 'reasoning')).toBe('Let me think about the countCounting again');
		expect(chunks.find((chunk) => chunk.type === 'notice')).toMatchObject({
			code: 'stream_retried',
			message: expect.stringMatching(/Overloaded\. The model was still thinking \(its thinking so far is kept\)\. Retrying in 0\.\d s \(1 of 2\)\.$/),
		});
		expect(chunks.find((chunk) => chunk.type === 'notice')).not.toHaveProperty('replyWithdrawn');
		expect(chunks.at(-1)).toMatchObject({type: 'usage', finishReason: 'stop'});
		expect(server.requests).toHaveLength(2);
	});

	it('after answer text: retried, and the notice withdraws the reply so far (its thinking kept); the call’s text is the retried reply alone', async () => {
		replies(failing('The answer is 42', 7), {text: 'Forty-two'});
		const chunks = await chunksOf(backends[api]().stream(messages, {model: 'm'}));
		const retried = chunks.findIndex((chunk) => chunk.type === 'notice');
		expect(chunks[retried]).toMatchObject({
			code: 'stream_retried',
			replyWithdrawn: true,
			message: expect.stringMatching(/^The reply so far is withdrawn \(its thinking is kept\): .*Overloaded\. Retrying in 0\.\d s \(1 of 2\)\.$/),
		});
		expect(joined(chunks.slice(0, retried), 'text')).toBe('The ans');
		expect(joined(chunks.slice(retried), 'text')).toBe('Forty-two');
		expect(joined(chunks, 'reasoning')).toBe('Let me think about the count');
		expect(server.requests).toHaveLength(2);

		replies(failing('The answer is 42', 7), {text: 'Forty-two', reasoning: 'Counting again'});
		const withdrawn: string[] = [];
		const result = await callModel(backends[api](), messages, {model: 'm'}, {onReplyWithdrawn: () => withdrawn.push('withdrawn')});
		expect(result.text).toBe('Forty-two');
		expect(result.reasoning).toBe('Let me think about the count\n\nCounting again');
		expect(withdrawn).toEqual(['withdrawn']);
	});

	it('after answer text on every try: one line with the server’s message once the retries are spent', async () => {
		server.requests.length = 0;
		server.setResponder(() => failing('The answer is 42', 7));
		let caught: unknown;
		try {
			await chunksOf(backends[api](1).stream(messages, {model: 'm'}));
		} catch (error) {
			caught = error;
		}
		expect((caught as Error).message).toMatch(/Overloaded/);
		expect((caught as Error).message).not.toContain('\n');
		expect(server.requests).toHaveLength(2);
	});
});

describe.each(['openai', 'anthropic'] as const)('%s: thinking written in <think> tags, then an error event', (api) => {
	it('is retried like field reasoning, and the retry’s own <think> is read from its start', async () => {
		replies(
			{text: '<think>\nFirst try thinking, with a draft FINAL(1) in it', chunkSize: 6, streamError: {afterChars: 30, message: 'Overloaded'}},
			{text: '<think>\nSecond try\n</think>\n\nFINAL(42)', chunkSize: 6},
		);
		const result = await callModel(backends[api](), messages, {model: 'm'});
		expect(result.text).toBe('FINAL(42)');
		expect(result.reasoning).toContain('First try thinking');
		expect(result.reasoning).toContain('Second try');
		expect(result.reasoning).not.toContain('<think>');
		expect(server.requests).toHaveLength(2);
	});
});

describe.each(['openai', 'anthropic'] as const)('%s: reasoning interleaved with the answer', (api) => {
	const fields = api === 'openai' ? (['reasoning_content', 'reasoning', 'content-chunks'] as const) : (['reasoning_content'] as const);

	it.each(fields)('thinking, answer, thinking again, answer (%s): the answer is assembled whole, the thinking apart', async (field) => {
		const reply: FakeReply = {
			text: '',
			reasoningField: field,
			chunkSize: 4,
			parts: [
				{reasoning: 'Plan: print it.\n```repl\nllm_output("a draft")\n```'},
				{text: '```repl\nprint("as'},
				{reasoning: ' (mid-answer: FINAL(7))'},
				{text: 'sembled")\n```'},
			],
		};
		server.setResponder(() => reply);
		const shown = {text: '', reasoning: ''};
		const result = await callModel(backends[api](), messages, {model: 'm'}, {onText: (text) => (shown.text += text), onReasoning: (text) => (shown.reasoning += text)});
		expect(result.text).toBe('```repl\nprint("assembled")\n```');
		expect(result.reasoning).toBe('Plan: print it.\n```repl\nllm_output("a draft")\n``` (mid-answer: FINAL(7))');
		expect(shown).toEqual({text: result.text, reasoning: result.reasoning});
		expect(result.finishReason).toBe('stop');
		// The wire did interleave them: the backend's chunks, runs of one kind collapsed.
		const kinds = (await chunksOf(backends[api]().stream(messages, {model: 'm'})))
			.map((chunk) => chunk.type)
			.filter((type, index, all) => (type === 'text' || type === 'reasoning') && type !== all[index - 1]);
		expect(kinds).toEqual(['reasoning', 'text', 'reasoning', 'text']);
	});

	it('a delta carrying both the end of the thinking and the start of the answer (vLLM at </think>) loses neither', async () => {
		replies({text: '', chunkSize: 3, parts: [{reasoning: 'Counting the items'}, {reasoning: ' - done.', text: 'FINAL(4'}, {text: '2)'}]});
		const result = await callModel(backends[api](), messages, {model: 'm'});
		expect(result.text).toBe('FINAL(42)');
		expect(result.reasoning).toBe('Counting the items - done.');
	});
});

describe('a reply that ran out of output tokens while thinking, streamed and not', () => {
	const THINKING = 'Let me count.\n```repl\nllm_output(len(context))\n```\nFINAL(a guess)';
	const shapes: Array<[Api, ReasoningField]> = [
		['openai', 'reasoning_content'],
		['openai', 'reasoning'],
		['openai', 'think-tags'],
		['openai', 'think-close-only'],
		['anthropic', 'reasoning_content'],
		['anthropic', 'think-tags'],
	];

	it('vLLM sends content null beside the reasoning when not streamed', async () => {
		server.setResponder(() => ({text: '', reasoning: THINKING, finishReason: 'length'}));
		const response = await fetch(`${server.openaiBaseURL}/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({model: 'm', messages})});
		const body = (await response.json()) as {choices: Array<{message: Record<string, unknown>; finish_reason: string}>};
		expect(body.choices[0]).toMatchObject({message: {content: null, reasoning_content: THINKING}, finish_reason: 'length'});
	});

	it.each(shapes)('%s, reasoning as %s: complete() and the stream agree on the text, the thinking and why it is empty', async (api, field) => {
		for (const finishReason of ['length', 'stop'] as const) {
			server.setResponder(() => ({text: '', reasoning: THINKING, reasoningField: field, finishReason, chunkSize: 7}));
			const streamed = await callModel(backends[api](), messages, {model: 'm'});
			const whole = await backends[api]().complete(messages, {model: 'm'});
			// The code and FINAL inside the thinking stay in the thinking: nothing of them is answer text.
			expect(whole.text).toBe('');
			expect(streamed.text).toBe('');
			expect(whole.reasoning.trim()).toBe(THINKING);
			expect(streamed.reasoning.trim()).toBe(THINKING);
			expect(whole.finishReason).toBe(finishReason);
			expect(emptyReplyCause(whole)).toBe(emptyReplyCause(streamed));
			expect(emptyReplyCause(whole)).toBe(finishReason === 'length' ? 'cut_while_thinking' : field.startsWith('think') ? 'think_only' : 'reasoning_only');
		}
	});
});

describe("OpenAI's refusal field, streamed and not", () => {
	const REFUSAL = "I'm sorry, but I can't help with that request.";

	it('the wire carries it as OpenAI sends it: delta.refusal beside content null, message.refusal beside content null, finish_reason stop', async () => {
		server.setResponder(() => ({text: '', refusal: REFUSAL, chunkSize: 10}));
		const whole = await fetch(`${server.openaiBaseURL}/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({model: 'm', messages})});
		const body = (await whole.json()) as {choices: Array<{message: Record<string, unknown>; finish_reason: string}>};
		expect(body.choices[0]).toMatchObject({message: {content: null, refusal: REFUSAL}, finish_reason: 'stop'});
		const streamed = await fetch(`${server.openaiBaseURL}/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({model: 'm', messages, stream: true})});
		const deltas = (await streamed.text())
			.split('\n\n')
			.filter((frame) => frame.startsWith('data: {'))
			.map((frame) => (JSON.parse(frame.slice('data: '.length)) as {choices: Array<{delta: Record<string, unknown>; finish_reason: string | null}>}).choices[0]!);
		expect(deltas.map((choice) => (typeof choice.delta['refusal'] === 'string' ? choice.delta['refusal'] : '')).join('')).toBe(REFUSAL);
		expect(deltas.filter((choice) => choice.delta['refusal']).every((choice) => choice.delta['content'] === null)).toBe(true);
		expect(deltas.at(-1)!.finish_reason).toBe('stop');
	});

	it('is the reply text, with finish reason refusal, through the SDK streamed and not', async () => {
		server.setResponder(() => ({text: '', refusal: REFUSAL, chunkSize: 10}));
		const streamed = await callModel(backends.openai(), messages, {model: 'm'});
		const whole = await backends.openai().complete(messages, {model: 'm'});
		for (const reply of [streamed, whole]) {
			expect(reply).toMatchObject({text: REFUSAL, finishReason: 'refusal'});
			expect(emptyReplyCause(reply)).toBeNull();
		}
	});

	it('after some answer text, both stay, in order', async () => {
		server.setResponder(() => ({text: 'Here is the start.', refusal: REFUSAL, chunkSize: 6}));
		const streamed = await callModel(backends.openai(), messages, {model: 'm'});
		const whole = await backends.openai().complete(messages, {model: 'm'});
		for (const reply of [streamed, whole]) expect(reply).toMatchObject({text: `Here is the start.\n\n${REFUSAL}`, finishReason: 'refusal'});
	});

	it('a reply without one is not a refusal (refusal: null beside the content)', async () => {
		server.setResponder(() => ({text: 'fine'}));
		expect(await backends.openai().complete(messages, {model: 'm'})).toMatchObject({text: 'fine', finishReason: 'stop'});
		expect(await callModel(backends.openai(), messages, {model: 'm'})).toMatchObject({text: 'fine', finishReason: 'stop'});
	});
});

describe("Anthropic's other stop reasons and redacted thinking", () => {
	const anthropicStream = async (): Promise<Array<Record<string, unknown>>> => {
		const response = await fetch(`${server.anthropicBaseURL}/v1/messages`, {
			method: 'POST',
			headers: {'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'k'},
			body: JSON.stringify({model: 'm', max_tokens: 10, messages, stream: true}),
		});
		return (await response.text())
			.split('\n\n')
			.map((frame) => frame.split('\n').find((line) => line.startsWith('data: ')))
			.filter((line): line is string => line !== undefined)
			.map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
	};

	it.each([
		['model_context_window_exceeded', 'context_window'],
		['pause_turn', 'paused'],
	] as const)('stop_reason %s is read back as %s, streamed and not', async (stopReason, finishReason) => {
		server.setResponder(() => ({text: 'Half of it', finishReason}));
		const events = await anthropicStream();
		expect(events.find((event) => event['type'] === 'message_delta')).toMatchObject({delta: {stop_reason: stopReason}});
		const streamed = await callModel(backends.anthropic(), messages, {model: 'm'});
		const whole = await backends.anthropic().complete(messages, {model: 'm'});
		for (const reply of [streamed, whole]) expect(reply).toMatchObject({text: 'Half of it', finishReason});
	});

	it('a redacted_thinking block (its data on content_block_start, no deltas) is neither text nor an error, streamed and not', async () => {
		const data = 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfXXGmKDxH4mPnZ5sQ7vB5URj';
		server.setResponder(() => ({text: 'The answer is 4.', reasoning: 'Two and two', reasoningField: 'reasoning', redactedThinking: data}));
		const events = await anthropicStream();
		expect(events.find((event) => event['type'] === 'content_block_start')).toEqual({type: 'content_block_start', index: 0, content_block: {type: 'redacted_thinking', data}});
		expect(events.filter((event) => event['index'] === 0).map((event) => event['type'])).toEqual(['content_block_start', 'content_block_stop']);
		const streamed = await callModel(backends.anthropic(), messages, {model: 'm'});
		const whole = await backends.anthropic().complete(messages, {model: 'm'});
		for (const reply of [streamed, whole]) expect(reply).toMatchObject({text: 'The answer is 4.', reasoning: 'Two and two', finishReason: 'stop'});
		expect(JSON.stringify([streamed, whole])).not.toContain(data);
	});
});

describe.each(['openai', 'anthropic'] as const)('%s: a stream that stalls while the model is still thinking', (api) => {
	const backend = () =>
		api === 'openai'
			? new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'k', timeoutMs: 1000, paramMemory: new ParamMemory()})
			: new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'k', timeoutMs: 1000});

	it.each(['reasoning', 'think-tags'] as const)('thinking as %s: retried like an error event, since no answer text came', async (field) => {
		replies({text: 'never', reasoning: 'Let me count them all carefully', reasoningField: field, chunkSize: 5, drop: {afterChars: field === 'think-tags' ? 20 : 0, how: 'hang'}}, {text: '42'});
		const chunks = await chunksOf(backend().stream(messages, {model: 'm'}));
		expect(joined(chunks, 'text')).toMatch(field === 'think-tags' ? /^<think>\nLet me count[\s\S]*42$/ : /^42$/);
		expect(chunks.filter((chunk) => chunk.type === 'notice').map((chunk) => chunk.type === 'notice' && chunk.code)).toEqual(['stream_retried']);
		expect(chunks.at(-1)).toMatchObject({type: 'usage', finishReason: 'stop'});
		expect(server.requests).toHaveLength(2);
	});

	it('after answer text it is not retried: the reply is kept, marked as ended by the request timeout', async () => {
		replies({text: 'The answer is 42 because', reasoning: 'Thinking', chunkSize: 5, drop: {afterChars: 10, how: 'hang'}}, {text: 'never sent'});
		const chunks = await chunksOf(backend().stream(messages, {model: 'm'}));
		expect(joined(chunks, 'text')).toBe('The answer');
		expect(chunks.at(-1)).toMatchObject({type: 'usage', finishReason: 'dropped', stalledMs: 1000});
		expect(server.requests).toHaveLength(1);
	});
});
