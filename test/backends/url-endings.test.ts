// A server message that ends with a URL: the URL stays clean to click or select (in angle brackets,
// as RFC 3986 appendix C delimits a URL in text) and the next sentence does not run on after it.
// The TUI, which joins its own advice with its own sentence(), says the same text.
import {beforeEach, expect, it} from 'vitest';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import type {StreamChunk} from '../../source/backends/types.js';
import {withAdvice} from '../../source/protocol/errors.js';
import {failureText} from '../../source/ui/advice.js';
import {caughtBackendError} from '../support/backend-error.js';
import {type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';
import {fakeLlmServerForFile} from '../support/fake-llm-for-file.js';

const fakeServer = fakeLlmServerForFile();
let server: FakeLlmServer;
beforeEach(() => {
	server = fakeServer();
});

async function drain(stream: AsyncIterable<StreamChunk>): Promise<void> {
	for await (const chunk of stream) void chunk;
}

const openai = () => new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries: 2, paramMemory: new ParamMemory()});

const CREDITS = 'Insufficient credits. Add more using https://openrouter.ai/settings/credits';
const QUOTA = 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.';
const BAD_KEY = 'Incorrect API key provided: sk-abc. You can find your API key at https://platform.openai.com/account/api-keys.';

it.each([
	['OpenRouter’s 402', {status: 402, message: CREDITS, body: {error: {code: 402, message: CREDITS}}}, ' (402): Insufficient credits. Add more using <https://openrouter.ai/settings/credits>. Retrying will not help'],
	['OpenAI’s 429 insufficient_quota', {status: 429, message: QUOTA, type: 'insufficient_quota', code: 'insufficient_quota'}, 'read the docs: <https://platform.openai.com/docs/guides/error-codes/api-errors>. Retrying will not help'],
	['OpenAI’s 401', {status: 401, message: BAD_KEY, type: 'invalid_request_error', code: 'invalid_api_key'}, 'find your API key at <https://platform.openai.com/account/api-keys>. Check the key: '],
] as [string, FakeReply, string][])('%s: the URL in <>, a full stop after it, and the same text in the TUI', async (_what, reply, said) => {
	server.setResponder(() => reply);
	const error = await caughtBackendError(drain(openai().stream([{role: 'user', content: 'hi'}], {model: 'm'})));
	const text = withAdvice(error);
	expect(text).toContain(said);
	expect(text).not.toMatch(/https?:\/\/[^\s<>]+ [A-Z]/);
	if (error.code !== 'auth') expect(failureText({error: error.message, errorCode: error.code, ...(error.advice ? {errorAdvice: error.advice} : {})})).toBe(text);
});

it('Anthropic: a message ending with a URL is said the same way', async () => {
	server.setResponder(() => ({status: 400, message: 'Your credit balance is too low. Add credits at https://console.anthropic.com/settings/billing', type: 'invalid_request_error'}));
	const anthropic = new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'sk-ant-test', maxRetries: 2});
	const error = await caughtBackendError(drain(anthropic.stream([{role: 'user', content: 'hi'}], {model: 'm'})));
	expect(withAdvice(error)).toMatch(/Add credits at <https:\/\/console\.anthropic\.com\/settings\/billing>\. Retrying will not help until that is done\.$/);
});
