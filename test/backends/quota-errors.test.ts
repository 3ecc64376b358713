// An account out of credits or quota: OpenRouter's 402 "Insufficient credits", Anthropic's 402
// billing_error, OpenAI's 429 insufficient_quota. Through the real openai and @anthropic-ai/sdk clients
// it is its own code (insufficient_quota), never retried by us, with one line that says to add credits
// at the provider the base URL names.

import {beforeEach, describe, expect, it} from 'vitest';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import type {ChatMessage, StreamChunk} from '../../source/backends/types.js';
import {caughtBackendError} from '../support/backend-error.js';
import {type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';
import {fakeLlmServerForFile} from '../support/fake-llm-for-file.js';

const fakeServer = fakeLlmServerForFile();
let server: FakeLlmServer;

beforeEach(() => {
	server = fakeServer();
	server.requests.length = 0;
});

const messages: ChatMessage[] = [{role: 'user', content: 'How many?'}];
const CREDITS = 'Insufficient credits. Add more using https://openrouter.ai/credits';

function replies(...queue: FakeReply[]) {
	server.setResponder(() => queue.shift() ?? {text: 'not reached'});
}

async function drain(stream: AsyncIterable<StreamChunk>): Promise<void> {
	for await (const chunk of stream) void chunk;
}

const openrouter = () => new OpenAIBackend({kind: 'openrouter', baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries: 2, paramMemory: new ParamMemory()});
const plainOpenAI = (maxRetries = 2) => new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries, paramMemory: new ParamMemory()});
const anthropic = () => new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 2});

describe('402 Payment Required', () => {
	it('OpenRouter’s 402 (openai SDK, streamed): insufficient_quota, one request, says (in OpenRouter’s words) to add credits', async () => {
		replies({status: 402, message: CREDITS, body: {error: {code: 402, message: CREDITS}}});
		const error = await caughtBackendError(drain(openrouter().stream(messages, {model: 'openai/gpt-5-mini'})));
		expect(server.requests).toHaveLength(1);
		expect(error.code).toBe('insufficient_quota');
		expect(error.status).toBe(402);
		expect(error.transient).toBe(false);
		// No stop glued to the URL; the server's "Add more using …" is the advice, not said twice.
		expect(error.message).toBe(`Out of credits or quota at ${server.openaiBaseURL} (402): Insufficient credits. Add more using <https://openrouter.ai/credits>.`);
		expect(error.advice).toBe('Retrying will not help until that is done.');
	});

	it('a 402 inside a 200 body (OpenRouter’s error chunk shape, not streamed): insufficient_quota, not retried', async () => {
		replies({raw: JSON.stringify({error: {code: 402, message: CREDITS}}), contentType: 'application/json'});
		const error = await caughtBackendError(openrouter().complete(messages, {model: 'openai/gpt-5-mini'}));
		expect(server.requests).toHaveLength(1);
		expect(error.code).toBe('insufficient_quota');
	});

	it('OpenRouter’s 402 error chunk inside a 200 stream: insufficient_quota, not retried', async () => {
		replies({text: 'unused', streamError: {afterChars: 0, message: CREDITS, shape: 'openrouter', code: 402}}, {text: 'not reached'});
		const error = await caughtBackendError(drain(openrouter().stream(messages, {model: 'openai/gpt-5-mini'})));
		expect(server.requests).toHaveLength(1);
		expect(error.code).toBe('insufficient_quota');
		expect(error.transient).toBe(false);
		expect(error.message).toContain('https://openrouter.ai/credits');
	});

	it('a gateway’s bare 402 (no preset): the advice names the host from the base URL', async () => {
		replies({status: 402, message: 'Payment Required', body: 'Payment Required'});
		const error = await caughtBackendError(plainOpenAI().complete(messages, {model: 'm'}));
		expect(server.requests).toHaveLength(1);
		expect(error.code).toBe('insufficient_quota');
		expect(error.advice).toContain('at 127.0.0.1;');
	});

	it('Anthropic’s 402 billing_error (@anthropic-ai/sdk, streamed): insufficient_quota, one request', async () => {
		const said = 'Your credit balance is too low to access the Anthropic API.';
		replies({status: 402, message: said, type: 'billing_error'});
		const error = await caughtBackendError(drain(anthropic().stream(messages, {model: 'claude-x'})));
		expect(server.requests).toHaveLength(1);
		expect(error.code).toBe('insufficient_quota');
		expect(error.message).toBe(`Out of credits or quota at ${server.anthropicBaseURL} (402): ${said}`);
		expect(error.advice).toMatch(/^Add credits or check the plan and billing of the account at 127\.0\.0\.1;/);
	});
});

describe('OpenAI’s 429 insufficient_quota', () => {
	const quota = {status: 429, message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota'} as const;

	it('is insufficient_quota with the billing advice, not “wait a moment”', async () => {
		replies(quota);
		const error = await caughtBackendError(plainOpenAI(0).complete(messages, {model: 'gpt-5-mini'}));
		expect(error.code).toBe('insufficient_quota');
		expect(error.status).toBe(429);
		// "please check your plan and billing details" is the server's: ours is not said after it.
		expect(error.advice).toBe('Retrying will not help until that is done.');
	});

	it('a server message with no advice of its own gets ours', async () => {
		replies({status: 429, message: 'You exceeded your current quota.', type: 'insufficient_quota', code: 'insufficient_quota'});
		const error = await caughtBackendError(plainOpenAI(0).complete(messages, {model: 'gpt-5-mini'}));
		expect(error.code).toBe('insufficient_quota');
		expect(error.advice).toMatch(/^Add credits or check the plan and billing of the account at 127\.0\.0\.1; retrying will not help until then\.$/);
	});

	it('is not retried by the SDK either (it would wait and ask again as for a rate limit): one request, streamed or not', async () => {
		replies(quota, {text: 'not reached'});
		const error = await caughtBackendError(plainOpenAI(2).complete(messages, {model: 'gpt-5-mini'}));
		expect(error.code).toBe('insufficient_quota');
		expect(server.requests).toHaveLength(1);
		server.requests.length = 0;
		replies(quota, {text: 'not reached'});
		expect((await caughtBackendError(drain(plainOpenAI(2).stream(messages, {model: 'gpt-5-mini'})))).code).toBe('insufficient_quota');
		expect(server.requests).toHaveLength(1);
	});

	it('a plain 429 is still retried by the SDK and then answers', async () => {
		replies({status: 429, message: 'Rate limit reached for requests'}, {text: 'fine'});
		expect((await plainOpenAI(2).complete(messages, {model: 'gpt-5-mini'})).text).toBe('fine');
		expect(server.requests).toHaveLength(2);
	});

	it('a plain 429 stays rate_limited', async () => {
		replies({status: 429, message: 'Rate limit reached for requests'});
		const error = await caughtBackendError(plainOpenAI(0).complete(messages, {model: 'gpt-5-mini'}));
		expect(error.code).toBe('rate_limited');
	});

	it('as an error event inside a 200 stream: insufficient_quota and not retried', async () => {
		replies({text: 'unused', streamError: {afterChars: 0, message: quota.message, type: 'insufficient_quota'}}, {text: 'not reached'});
		const error = await caughtBackendError(drain(plainOpenAI().stream(messages, {model: 'gpt-5-mini'})));
		expect(server.requests).toHaveLength(1);
		expect(error.code).toBe('insufficient_quota');
		expect(error.transient).toBe(false);
	});
});
