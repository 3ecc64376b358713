// Out of credits under another status: Anthropic's 400 invalid_request_error "Your credit balance is
// too low to access the Anthropic API" (anthropics/claude-code#4684, #66314), xAI's 403 or 429 "Your
// team … has either used all available credits" (warpdotdev/warp#14867, continuedev/continue#10373),
// DeepSeek's 402 "Insufficient Balance" typed unknown_error. Each is insufficient_quota (never retried,
// the advice to add credits), as a 402 is; a 400, 403 or 429 that says something else is not.

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
const ANTHROPIC_LOW = 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.';
const XAI_SPENT = 'Your team 0f2a has either used all available credits or reached its monthly spending limit. To continue making API requests, please purchase more credits or raise your spending limit.';
/** The server's message already says to buy credits: the advice does not say it again. */
const ADVICE = /^Retrying will not help until that is done\.$/;

function replies(...queue: FakeReply[]) {
	server.setResponder(() => queue.shift() ?? {text: 'not reached'});
}

async function drain(stream: AsyncIterable<StreamChunk>): Promise<void> {
	for await (const chunk of stream) void chunk;
}

const anthropic = () => new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 2});
const openai = () => new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries: 2, paramMemory: new ParamMemory()});

describe('Anthropic’s 400 “credit balance is too low”', () => {
	const low: FakeReply = {status: 400, message: ANTHROPIC_LOW, type: 'invalid_request_error'};

	it('streamed: insufficient_quota with the server’s words (its own add-credits advice, not ours again), one request', async () => {
		replies(low);
		const error = await caughtBackendError(drain(anthropic().stream(messages, {model: 'claude-x'})));
		expect(server.requests).toHaveLength(1);
		expect(error).toMatchObject({code: 'insufficient_quota', status: 400, transient: false});
		expect(error.message).toBe(`Out of credits or quota at ${server.anthropicBaseURL} (400): ${ANTHROPIC_LOW}`);
		expect(error.advice).toMatch(ADVICE);
	});

	it('not streamed: the same', async () => {
		replies(low);
		const error = await caughtBackendError(anthropic().complete(messages, {model: 'claude-x'}));
		expect(error.code).toBe('insufficient_quota');
		expect(server.requests).toHaveLength(1);
	});

	it('as an error event inside the 200 stream: insufficient_quota, not retried', async () => {
		replies({text: 'unused', streamError: {afterChars: 0, message: ANTHROPIC_LOW, type: 'invalid_request_error'}}, {text: 'not reached'});
		const error = await caughtBackendError(drain(anthropic().stream(messages, {model: 'claude-x'})));
		expect(server.requests).toHaveLength(1);
		expect(error).toMatchObject({code: 'insufficient_quota', transient: false});
	});

	it('another 400 invalid_request_error stays bad_request (the match is on the credit words)', async () => {
		replies({status: 400, message: 'max_tokens: 99999999 > 64000, which is the maximum allowed', type: 'invalid_request_error'});
		const error = await caughtBackendError(drain(anthropic().stream(messages, {model: 'claude-x'})));
		expect(error.code).toBe('bad_request');
	});
});

describe('xAI’s team out of credits', () => {
	const body = {code: 'The caller does not have permission to execute the specified operation', error: XAI_SPENT};

	it('403: insufficient_quota, not an authentication failure (“check the key” would mislead)', async () => {
		replies({status: 403, message: XAI_SPENT, body});
		const error = await caughtBackendError(drain(openai().stream(messages, {model: 'grok-4'})));
		expect(error).toMatchObject({code: 'insufficient_quota', status: 403});
		expect(error.message).toBe(`Out of credits or quota at ${server.openaiBaseURL} (403): ${XAI_SPENT}`);
		expect(error.advice).toMatch(ADVICE);
	});

	it('429: insufficient_quota, and the SDK does not retry it as a rate limit (one request)', async () => {
		replies({status: 429, message: XAI_SPENT, body: {error: XAI_SPENT}}, {text: 'not reached'});
		const error = await caughtBackendError(openai().complete(messages, {model: 'grok-4'}));
		expect(error).toMatchObject({code: 'insufficient_quota', status: 429});
		expect(server.requests).toHaveLength(1);
	});

	it('a plain 403 stays an authentication failure', async () => {
		replies({status: 403, message: 'The caller does not have permission to execute the specified operation'});
		const error = await caughtBackendError(openai().complete(messages, {model: 'grok-4'}));
		expect(error.code).toBe('auth');
	});
});

it('DeepSeek’s 402 “Insufficient Balance” (type unknown_error, code invalid_request_error): insufficient_quota', async () => {
	replies({status: 402, message: 'Insufficient Balance', type: 'unknown_error', code: 'invalid_request_error'});
	const error = await caughtBackendError(drain(openai().stream(messages, {model: 'deepseek-chat'})));
	expect(error).toMatchObject({code: 'insufficient_quota', status: 402});
	expect(error.message).toBe(`Out of credits or quota at ${server.openaiBaseURL} (402): Insufficient Balance.`);
});

describe('LiteLLM’s budget_exceeded (a key’s, user’s or team’s budget spent)', () => {
	const SPENT = 'Budget has been exceeded! Current cost: 0.3759, Max budget: 0.35';

	it.each([
		['400, type budget_exceeded', 400, {error: {message: SPENT, type: 'budget_exceeded', param: null, code: '400'}}],
		['429, type budget_exceeded', 429, {error: {message: SPENT, type: 'budget_exceeded', param: null, code: '429'}}],
		['400, older type auth_error (the words decide)', 400, {error: {message: SPENT, type: 'auth_error', param: null, code: 400}}],
	])('%s: insufficient_quota, one request, our advice (the message gives none)', async (_what, status, body) => {
		replies({status, message: SPENT, body}, {text: 'not reached'});
		const error = await caughtBackendError(drain(openai().stream(messages, {model: 'company-chat'})));
		expect(server.requests).toHaveLength(1);
		expect(error).toMatchObject({code: 'insufficient_quota', status});
		expect(error.message).toBe(`Out of credits or quota at ${server.openaiBaseURL} (${status}): ${SPENT}.`);
		expect(error.advice).toMatch(/^Add credits or check the plan and billing of the account at 127\.0\.0\.1;/);
	});
});
