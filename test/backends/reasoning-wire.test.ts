// Every reasoning shape real servers send, through the real SDKs, streamed (callModel: the one place
// thinking is separated) and not (complete()): the answer part and the thinking come apart.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import type {ChatMessage, StreamChunk} from '../../source/backends/types.js';
import {callModel} from '../../source/engine/model-call.js';
import {startFakeLlmServer, type FakeLlmServer, type FakeReply, type ReasoningField} from '../support/fake-llm-server.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['m']});
});
afterAll(async () => {
	await server?.close();
});

const messages: ChatMessage[] = [{role: 'user', content: 'How many?'}];
const THINKING = 'Let me count.\n```repl\nllm_output("a guess")\n```\nFINAL(guess)';
const ANSWER = '```repl\nprint(len(context))\n```';

const backends = {
	openai: () => new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries: 0}),
	anthropic: () => new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'k', maxRetries: 0}),
};

/** Shapes per API: OpenAI-compatible servers use both fields and the text; Anthropic thinking blocks
 * (sent for the field names) and the text (gpt-oss's harmony leaks through Anthropic-compatible
 * endpoints too, kekzl/imp#768). */
const shapes: Record<keyof typeof backends, ReasoningField[]> = {
	openai: ['reasoning_content', 'reasoning', 'think-tags', 'think-close-only', 'content-chunks', 'harmony'],
	anthropic: ['reasoning_content', 'think-tags', 'think-close-only', 'harmony'],
};

const cases = (Object.keys(shapes) as Array<keyof typeof backends>).flatMap((api) => shapes[api].map((field) => [api, field] as const));

describe.each(cases)('%s with reasoning as %s', (api, field) => {
	const reply: FakeReply = {text: ANSWER, reasoning: THINKING, reasoningField: field, chunkSize: 3};

	it('streamed: the answer and the thinking come apart, live', async () => {
		server.setResponder(() => reply);
		const shown = {text: '', reasoning: ''};
		const result = await callModel(backends[api](), messages, {model: 'm'}, {
			onText: (text) => (shown.text += text),
			onReasoning: (text, moved) => {
				if (moved) shown.text = shown.text.slice(text.length);
				shown.reasoning += text;
			},
		});
		expect(result.text).toBe(ANSWER);
		expect(result.reasoning.trim()).toBe(THINKING);
		expect(shown).toEqual({text: result.text, reasoning: result.reasoning});
		expect(result.finishReason).toBe('stop');
		expect(result.usage.outputTokens).toBeGreaterThan(Math.floor(ANSWER.length / 4));
	});

	it('not streamed: complete() splits the same way', async () => {
		server.setResponder(() => reply);
		const result = await backends[api]().complete(messages, {model: 'm'});
		expect(result.text).toBe(ANSWER);
		expect(result.reasoning.trim()).toBe(THINKING);
	});

	it('a reply routed wholly into the reasoning channel has an empty answer part', async () => {
		server.setResponder(() => ({text: '', reasoning: THINKING, reasoningField: field}));
		const streamed = await callModel(backends[api](), messages, {model: 'm'});
		expect(streamed.text).toBe('');
		expect(streamed.reasoning.trim()).toBe(THINKING);
		const whole = await backends[api]().complete(messages, {model: 'm'});
		expect(whole.text).toBe('');
		expect(whole.reasoning.trim()).toBe(THINKING);
	});
});

describe('wire details', () => {
	it("Mistral's content chunks are sent as lists, streamed and not, and arrive as reasoning and text", async () => {
		server.setResponder(() => ({text: 'Five.', reasoning: 'Counting.', reasoningField: 'content-chunks', chunkSize: 20}));
		const raw = await fetch(`${server.openaiBaseURL}/chat/completions`, {method: 'POST', body: JSON.stringify({model: 'm', messages, stream: true})});
		const deltas = (await raw.text())
			.split('\n\n')
			.filter((frame) => frame.startsWith('data: {'))
			.map((frame) => (JSON.parse(frame.slice(6)) as {choices: Array<{delta: {content?: unknown}}>}).choices[0]?.delta.content)
			.filter((content) => Array.isArray(content));
		expect(deltas).toEqual([[{type: 'thinking', thinking: [{type: 'text', text: 'Counting.'}]}], [{type: 'text', text: 'Five.'}]]);
		const chunks: StreamChunk[] = [];
		for await (const chunk of backends.openai().stream(messages, {model: 'm'})) chunks.push(chunk);
		expect(chunks.filter((chunk) => chunk.type !== 'usage')).toEqual([
			{type: 'reasoning', text: 'Counting.'},
			{type: 'text', text: 'Five.'},
		]);
		expect(await backends.openai().complete(messages, {model: 'm'})).toMatchObject({text: 'Five.', reasoning: 'Counting.', reasoningInText: false});
	});

	it('OpenAI-compatible reasoning fields arrive as reasoning chunks from the backend itself', async () => {
		for (const field of ['reasoning_content', 'reasoning'] as const) {
			server.setResponder(() => ({text: 'ok', reasoning: 'hmm', reasoningField: field}));
			const chunks: StreamChunk[] = [];
			for await (const chunk of backends.openai().stream(messages, {model: 'm'})) chunks.push(chunk);
			expect(chunks.filter((c) => c.type === 'reasoning').map((c) => (c as {text: string}).text).join('')).toBe('hmm');
			expect(chunks.filter((c) => c.type === 'text').map((c) => (c as {text: string}).text).join('')).toBe('ok');
		}
	});

	it('Anthropic thinking blocks (thinking_delta, signature_delta) arrive as reasoning chunks', async () => {
		server.setResponder(() => ({text: 'ok', reasoning: 'deep thought'}));
		const chunks: StreamChunk[] = [];
		for await (const chunk of backends.anthropic().stream(messages, {model: 'm'})) chunks.push(chunk);
		expect(chunks.filter((c) => c.type === 'reasoning').map((c) => (c as {text: string}).text).join('')).toBe('deep thought');
		expect(chunks.at(-1)).toMatchObject({type: 'usage', finishReason: 'stop'});
	});

	it("gpt-oss's harmony text arrives in the SDK's content deltas, tokens split across them, and leaves no token in either part", async () => {
		server.setResponder(() => ({text: 'Five.', reasoning: 'Counting.', reasoningField: 'harmony', chunkSize: 4}));
		const raw = await fetch(`${server.openaiBaseURL}/chat/completions`, {method: 'POST', body: JSON.stringify({model: 'm', messages, stream: true})});
		const contents = (await raw.text())
			.split('\n\n')
			.filter((frame) => frame.startsWith('data: {'))
			.map((frame) => (JSON.parse(frame.slice(6)) as {choices: Array<{delta: {content?: unknown}}>}).choices[0]?.delta.content)
			.filter((content): content is string => typeof content === 'string' && content !== '');
		expect(contents.join('')).toBe('<|channel|>analysis<|message|>Counting.<|end|><|start|>assistant<|channel|>final<|message|>Five.<|return|>');
		expect(contents.some((content) => content.includes('<|') && !/<\|\w+\|>/.test(content))).toBe(true);
		for (const api of ['openai', 'anthropic'] as const) {
			const result = await callModel(backends[api](), messages, {model: 'm'});
			expect(result).toMatchObject({text: 'Five.', reasoning: 'Counting.', reasoningInText: true});
			expect(await backends[api]().complete(messages, {model: 'm'})).toMatchObject({text: 'Five.', reasoning: 'Counting.'});
		}
	});

	it("Qwen3's empty <think></think> before the answer leaves the answer alone", async () => {
		for (const api of ['openai', 'anthropic'] as const) {
			server.setResponder(() => ({text: '<think>\n\n</think>\n\nFINAL(42)', chunkSize: 2}));
			const result = await callModel(backends[api](), messages, {model: 'm'});
			expect(result.text).toBe('FINAL(42)');
			expect(result.reasoning.trim()).toBe('');
		}
	});
});
