// A stream that fails in the middle of the model's thinking, through the real SDKs: a connection
// reset or a clean early end (no [DONE], no message_stop) and an error event (OpenAI-compatible
// error chunks; Anthropic's `event: error` overloaded_error) after part of a reasoning field
// (`reasoning_content` as vLLM and DeepSeek send it, `reasoning` as Ollama and OpenRouter do,
// Magistral's thinking chunks) or of an Anthropic thinking block (thinking_delta, cut before its
// signature_delta). No answer text came, so the try is retried as a normal retry: the thinking shown
// stays, nothing is withdrawn, and none of the thinking becomes answer text or runs as code.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import type {ChatMessage, StreamChunk} from '../../source/backends/types.js';
import {callModel} from '../../source/engine/model-call.js';
import {queueResponder, startFakeLlmServer, type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';
import {of, runScripted, type Api} from '../support/scripted-run.js';
import {repl} from '../support/rlm-script.js';

let server: FakeLlmServer;
let logDir: string;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['m', 'root-model']});
	logDir = mkdtempSync(join(tmpdir(), 'rlm-tui-reasoning-cuts-'));
});
afterAll(async () => {
	await server?.close();
	rmSync(logDir, {recursive: true, force: true});
});

const messages: ChatMessage[] = [{role: 'user', content: 'How many?'}];
const backends = {
	openai: (maxRetries = 2) => new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries, paramMemory: new ParamMemory()}),
	anthropic: (maxRetries = 2) => new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'k', maxRetries}),
};

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

/** Thinking with a runnable-looking block and a FINAL in it: neither may run or answer. */
const THINKING = 'Plan: count them.\n```repl\nprint("from the thinking")\nFINAL(1)\n```\nThen check the count twice.';
/** Where the cut falls: inside the thinking's code block. */
const CUT = 40;

type Failure = Pick<Extract<FakeReply, {text: string}>, 'streamError' | 'drop'>;
const failures: Record<Api, Array<[string, Failure]>> = {
	openai: [
		['a connection reset', {drop: {afterChars: CUT, in: 'reasoning', how: 'reset'}}],
		['a clean end with no [DONE]', {drop: {afterChars: CUT, in: 'reasoning', how: 'end'}}],
		['an OpenAI-compatible error chunk', {streamError: {afterChars: CUT, in: 'reasoning', message: 'Internal server error', shape: 'error'}}],
		['a vLLM error object', {streamError: {afterChars: CUT, in: 'reasoning', message: 'engine dead', shape: 'object'}}],
		['an OpenRouter error chunk (502)', {streamError: {afterChars: CUT, in: 'reasoning', message: 'Provider returned error', shape: 'openrouter', code: 502}}],
		['an OpenRouter finish_reason "error" alone', {streamError: {afterChars: CUT, in: 'reasoning', message: '', shape: 'openrouter-finish'}}],
	],
	anthropic: [
		['a connection reset', {drop: {afterChars: CUT, in: 'reasoning', how: 'reset'}}],
		['a clean end with no message_stop', {drop: {afterChars: CUT, in: 'reasoning', how: 'end'}}],
		['an overloaded_error event', {streamError: {afterChars: CUT, in: 'reasoning', message: 'Overloaded', type: 'overloaded_error'}}],
	],
};
const fields = {openai: ['reasoning_content', 'reasoning', 'content-chunks'] as const, anthropic: ['reasoning_content'] as const};
const cases = (['openai', 'anthropic'] as const).flatMap((api) => fields[api].flatMap((field) => failures[api].map(([what, failure]) => [api, field, what, failure] as const)));

describe.each(cases)('%s, thinking as %s, cut mid-thought by %s', (api, field, _what, failure) => {
	const cutReply: FakeReply = {text: 'never sent', reasoning: THINKING, reasoningField: field, chunkSize: 7, ...failure};

	it('the stream: the partial thinking, one stream_retried notice that withdraws nothing, then the retry whole', async () => {
		replies(cutReply, {text: 'Forty-two', reasoning: 'Counting again', reasoningField: field});
		const chunks = await chunksOf(backends[api]().stream(messages, {model: 'm'}));
		const notices = chunks.filter((chunk) => chunk.type === 'notice');
		expect(notices).toHaveLength(1);
		expect(notices[0]).toMatchObject({code: 'stream_retried', message: expect.stringMatching(/The model was still thinking \(its thinking so far is kept\)\. Retrying in \d\.\d s \(1 of 2\)\.$/)});
		expect(notices[0]).not.toHaveProperty('replyWithdrawn');
		const at = chunks.indexOf(notices[0]!);
		expect(joined(chunks.slice(0, at), 'reasoning')).toBe(THINKING.slice(0, CUT));
		expect(joined(chunks.slice(0, at), 'text')).toBe('');
		expect(joined(chunks.slice(at), 'reasoning')).toBe('Counting again');
		expect(joined(chunks, 'text')).toBe('Forty-two');
		expect(chunks.filter((chunk) => chunk.type === 'usage')).toHaveLength(1);
		expect(chunks.at(-1)).toMatchObject({type: 'usage', finishReason: 'stop'});
		expect(server.requests).toHaveLength(2);
	});

	it('the call: the answer is the retry’s text alone, the thinking both tries’', async () => {
		replies(cutReply, {text: 'Forty-two', reasoning: 'Counting again', reasoningField: field});
		const withdrawn: string[] = [];
		const result = await callModel(backends[api](), messages, {model: 'm'}, {onReplyWithdrawn: () => withdrawn.push('withdrawn')});
		expect(result).toMatchObject({text: 'Forty-two', reasoning: `${THINKING.slice(0, CUT)}\n\nCounting again`, finishReason: 'stop'});
		expect(withdrawn).toEqual([]);
	});

	it('cut mid-thought on every try: one line that names the failure, and no answer text', async () => {
		server.requests.length = 0;
		server.setResponder(() => cutReply);
		const chunks: StreamChunk[] = [];
		let caught: unknown;
		try {
			for await (const chunk of backends[api](1).stream(messages, {model: 'm'})) chunks.push(chunk);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(Error);
		expect((caught as Error).message).not.toContain('\n');
		expect((caught as Error).message).toMatch(/closed the stream before the reply ended|closed the connection mid-stream|was reset mid-stream|Internal server error|engine dead|Provider returned error|finish_reason "error"|Overloaded/);
		expect(joined(chunks, 'text')).toBe('');
		expect(chunks.filter((chunk) => chunk.type === 'usage')).toEqual([]);
		expect(server.requests).toHaveLength(2);
	});
});

describe.each(['openai', 'anthropic'] as const)('%s: a root reply cut mid-thought, end to end', (api) => {
	const cut: Failure = api === 'openai' ? {drop: {afterChars: CUT, in: 'reasoning', how: 'reset'}} : {streamError: {afterChars: CUT, in: 'reasoning', message: 'Overloaded', type: 'overloaded_error'}};
	const RETRIED = repl('print(2)\nllm_output("from the retry")');

	it('runs only the retry’s block; the events show the thinking, the notice, no llm.restart, then the retry', async () => {
		let tries = 0;
		const {result, events, log, roots} = await runScripted(server, logDir, api, {
			root: () => (tries++ === 0 ? {text: 'never sent', reasoning: THINKING, reasoningField: 'reasoning_content', chunkSize: 7, ...cut} : RETRIED),
		});
		expect(result).toMatchObject({status: 'answered', response: 'from the retry'});
		expect(roots).toHaveLength(2);
		expect(of(events, 'code.start').map((event) => event.code)).toEqual(['print(2)\nllm_output("from the retry")']);
		expect(of(events, 'llm.restart')).toEqual([]);
		const notice = events.findIndex((event) => event.type === 'notice' && event.code === 'stream_retried');
		expect(notice).toBeGreaterThan(0);
		const text = (from: number, to: number, type: 'llm.delta' | 'llm.reasoning') => of(events.slice(from, to), type).map((event) => event.text).join('');
		expect(text(0, notice, 'llm.reasoning')).toBe(THINKING.slice(0, CUT));
		expect(text(0, notice, 'llm.delta')).toBe('');
		expect(text(notice, events.length, 'llm.delta')).toBe(RETRIED.text);
		const [done] = of(events, 'llm.done');
		expect(done).toMatchObject({text: RETRIED.text, reasoning: expect.stringContaining(THINKING.slice(0, CUT))});
		expect(log!.iterations[0]!.response).toBe(RETRIED.text);
	});
});
