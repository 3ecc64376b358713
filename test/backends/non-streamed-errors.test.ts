// A non-streamed reply that failed inside a 200: the JSON body carries an error instead of the reply
// (OpenRouter and gateways answer 200 once the model began; vLLM's error object; TGI's error string;
// an Anthropic-compatible proxy's error body), or OpenRouter's completion whose choice ended in
// `finish_reason: "error"` (with the error on the choice, or with none). Through the real SDKs, none is
// taken as an empty or partial answer: a failure worth retrying is retried, then reported in one line
// in the server's words; a refused request is reported at once.
import {beforeEach, describe, expect, it} from 'vitest';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import type {ChatMessage, StreamChunk} from '../../source/backends/types.js';
import {caughtBackendError} from '../support/backend-error.js';
import {requestRefusal, type FakeLlmServer, type FakeReply, type StreamError} from '../support/fake-llm-server.js';
import {fakeLlmServerForFile} from '../support/fake-llm-for-file.js';

const fakeServer = fakeLlmServerForFile();
let server: FakeLlmServer;
beforeEach(() => {
	server = fakeServer();
	server.requests.length = 0;
});

const messages: ChatMessage[] = [{role: 'user', content: 'How many?'}];
const openai = (maxRetries = 2, paramMemory = new ParamMemory()) => new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries, paramMemory});
const anthropic = (maxRetries = 2) => new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'k', maxRetries});

function replies(...queue: FakeReply[]) {
	server.setResponder(() => queue.shift() ?? {text: 'not reached'});
}

const failed = (error: Omit<StreamError, 'afterChars'>, afterChars = 7): FakeReply => ({text: 'The answer is 42', streamError: {afterChars, ...error}});

/** Each OpenAI-compatible shape, as a failure worth retrying, and the words the error must carry. */
const shapes: Array<[string, Omit<StreamError, 'afterChars'>, RegExp]> = [
	['an {"error": {...}} body', {message: 'Upstream overloaded', shape: 'error'}, /Upstream overloaded/],
	['vLLM’s {"object": "error"} body', {message: 'engine dead', shape: 'object'}, /engine dead/],
	['TGI’s {"error": "..."} body', {message: 'Model is overloaded', type: 'overloaded', shape: 'tgi'}, /Model is overloaded/],
	['OpenRouter’s choice with finish_reason "error" and its error (502)', {message: 'Provider returned error', shape: 'openrouter', code: 502}, /\(502\): Provider returned error/],
	['a choice with finish_reason "error" and no error', {message: '', shape: 'openrouter-finish'}, /finish_reason "error"/],
];

describe.each(shapes)('not streamed, OpenAI-compatible: %s', (_what, error, words) => {
	it('is retried, and the retry’s reply is the answer (not the failed one’s partial text)', async () => {
		replies(failed(error), {text: 'Forty-two'});
		const reply = await openai().complete(messages, {model: 'm'});
		expect(reply).toMatchObject({text: 'Forty-two', finishReason: 'stop'});
		expect(server.requests).toHaveLength(2);
	});

	it('on every try: one line in the server’s words once the retries are spent, never an empty answer', async () => {
		server.setResponder(() => failed(error));
		const caught = await caughtBackendError(openai(1).complete(messages, {model: 'm'}));
		expect(caught.message).toMatch(words);
		expect(caught.message).not.toContain('\n');
		expect(caught.code).toBe('server');
		expect(server.requests).toHaveLength(2);
	});
});

describe('not streamed, OpenAI-compatible: an error beside the choices', () => {
	it('a gateway’s completion with an empty choice and an error at the top: retried, never the empty answer', async () => {
		const body = {id: 'gen-1', object: 'chat.completion', created: 0, model: 'm', choices: [{index: 0, message: {role: 'assistant', content: ''}, finish_reason: null}], error: {code: 502, message: 'Upstream idle timeout'}};
		replies({raw: JSON.stringify(body), contentType: 'application/json'}, {text: 'Forty-two'});
		expect(await openai().complete(messages, {model: 'm'})).toMatchObject({text: 'Forty-two'});
		expect(server.requests).toHaveLength(2);
		server.setResponder(() => ({raw: JSON.stringify(body), contentType: 'application/json'}));
		expect((await caughtBackendError(openai(0).complete(messages, {model: 'm'}))).message).toMatch(/\(502\): Upstream idle timeout/);
	});
});

describe('not streamed, OpenAI-compatible: a reply with an error field that says nothing', () => {
	// Gateways built on Go structs without omitempty (one-api's TextResponse) send every reply with an
	// empty error object beside its choices; the SDK's own streams only throw an error that is set.
	it.each([
		['an empty error object at the top', {error: {message: '', type: '', param: '', code: null}}, {}],
		['an empty {} error at the top', {error: {}}, {}],
		['an empty error object on the choice', {}, {error: {message: '', type: '', code: null}}],
	])('%s: the reply is the answer, asked once', async (_what, top, onChoice) => {
		const body = {id: 'c-1', object: 'chat.completion', created: 0, model: 'm', choices: [{index: 0, message: {role: 'assistant', content: 'Forty-two'}, finish_reason: 'stop', ...onChoice}], ...top};
		replies({raw: JSON.stringify(body), contentType: 'application/json'}, {text: 'not reached'});
		expect(await openai().complete(messages, {model: 'm'})).toMatchObject({text: 'Forty-two', finishReason: 'stop'});
		expect(server.requests).toHaveLength(1);
	});
});

describe('not streamed, OpenAI-compatible: a refused request in a 200 body', () => {
	it('is not retried and says why', async () => {
		replies(failed({message: "This model's maximum context length is 4096 tokens", type: 'invalid_request_error', shape: 'error'}), {text: 'not reached'});
		const caught = await caughtBackendError(openai().complete(messages, {model: 'm'}));
		expect(caught.message).toMatch(/maximum context length is 4096 tokens/);
		expect(server.requests).toHaveLength(1);
	});

	it('OpenRouter’s choice error with a refused code (400): not retried', async () => {
		replies(failed({message: 'Input is too long for requested model', shape: 'openrouter', code: 400}), {text: 'not reached'});
		const caught = await caughtBackendError(openai().complete(messages, {model: 'm'}));
		expect(caught.message).toMatch(/Input is too long for requested model/);
		expect(server.requests).toHaveLength(1);
	});
});

describe('a server that refuses to stream the model, then fails inside a 200 body', () => {
	it('the stream retries the whole reply after a stream_retried notice, and streams the retry’s answer', async () => {
		replies(requestRefusal('o1-stream'), failed({message: 'Provider returned error', shape: 'openrouter', code: 502}), {text: 'Forty-two'});
		const chunks: StreamChunk[] = [];
		for await (const chunk of openai().stream(messages, {model: 'o1-mini'})) chunks.push(chunk);
		expect(chunks.filter((chunk) => chunk.type === 'notice').map((chunk) => chunk.type === 'notice' && chunk.code)).toEqual(['param_dropped', 'stream_retried']);
		expect(chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('')).toBe('Forty-two');
		expect(chunks.at(-1)).toMatchObject({type: 'usage', finishReason: 'stop'});
		expect(server.requests.map((request) => request.stream)).toEqual([true, false, false]);
	});
});

describe('not streamed, Anthropic-compatible: a 200 body {"type": "error", "error": {...}}', () => {
	it('overloaded_error: retried, and the retry’s reply is the answer', async () => {
		replies(failed({message: 'Overloaded', type: 'overloaded_error'}), {text: 'Forty-two'});
		expect(await anthropic().complete(messages, {model: 'm'})).toMatchObject({text: 'Forty-two', finishReason: 'stop'});
		expect(server.requests).toHaveLength(2);
	});

	it('overloaded_error on every try: one line in the server’s words', async () => {
		server.setResponder(() => failed({message: 'Overloaded', type: 'overloaded_error'}));
		const caught = await caughtBackendError(anthropic(1).complete(messages, {model: 'm'}));
		expect(caught.message).toMatch(/Overloaded/);
		expect(caught.message).not.toMatch(/not an API reply/);
		expect(server.requests).toHaveLength(2);
	});

	it('invalid_request_error: not retried, in the server’s words', async () => {
		replies(failed({message: 'prompt is too long: 250000 tokens > 200000 maximum', type: 'invalid_request_error'}), {text: 'not reached'});
		const caught = await caughtBackendError(anthropic().complete(messages, {model: 'm'}));
		expect(caught.message).toMatch(/prompt is too long/);
		expect(server.requests).toHaveLength(1);
	});
});
