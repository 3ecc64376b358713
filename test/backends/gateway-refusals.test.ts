// Parameter refusals in the exact shapes real gateways send them, through the real openai SDK:
// Databricks, a Bedrock front and Azure AI Foundry refusing stream_options, and Azure OpenAI
// deployments (named as their owner likes, not after the model) refusing a reasoning model's
// temperature and max_tokens.

import {beforeEach, describe, expect, it, vi} from 'vitest';
import {collectStream} from '../../source/backends/create.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import {type ChatMessage, type StreamChunk} from '../../source/backends/types.js';
import {parameterRejection, requestRefusal, type FakeLlmServer, type FakeReply, type FakeRequest} from '../support/fake-llm-server.js';
import {fakeLlmServerForFile} from '../support/fake-llm-for-file.js';
import {caughtBackendError as caught} from '../support/backend-error.js';

const fakeServer = fakeLlmServerForFile();
let server: FakeLlmServer;

beforeEach(() => {
	server = fakeServer();
	for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'AZURE_OPENAI_API_KEY', 'OPENAI_API_VERSION', 'AZURE_OPENAI_API_VERSION']) vi.stubEnv(name, undefined);
	server.requests.length = 0;
	return () => vi.unstubAllEnvs();
});

const messages: ChatMessage[] = [{role: 'user', content: 'Say hello.'}];
const bodyOf = (index: number) => server.requests[index]!.body as Record<string, unknown>;
const sent = (request: FakeRequest, param: string) => param in (request.body as object);

function openai(): OpenAIBackend {
	return new OpenAIBackend({baseURL: server.openaiBaseURL, maxRetries: 0, paramMemory: new ParamMemory()});
}

async function chunksOf(backend: OpenAIBackend, model: string, options: {temperature?: number; maxOutputTokens?: number} = {}): Promise<StreamChunk[]> {
	const chunks: StreamChunk[] = [];
	for await (const chunk of backend.stream(messages, {model, ...options})) chunks.push(chunk);
	return chunks;
}

const textOf = (chunks: StreamChunk[]) => chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('');
const noticesOf = (chunks: StreamChunk[]) => chunks.filter((chunk) => chunk.type === 'notice');

describe('gateways that refuse stream_options', () => {
	it.each(['databricks', 'bedrock', 'foundry'] as const)('%s: retried without it at once, usage estimated, one notice, remembered', async (shape) => {
		server.setResponder((request) => (sent(request, 'stream_options') ? parameterRejection('stream_options', shape) : {text: 'x'.repeat(40)}));
		const backend = openai();
		const chunks = await chunksOf(backend, 'databricks-claude-sonnet-4');
		expect(textOf(chunks)).toBe('x'.repeat(40));
		expect(noticesOf(chunks)).toEqual([{type: 'notice', code: 'param_dropped', message: expect.stringMatching(/databricks-claude-sonnet-4 at .* does not take stream_options: sent without it/)}]);
		expect(chunks.find((chunk) => chunk.type === 'usage')).toMatchObject({usage: {outputTokens: 10}, finishReason: 'stop'});
		expect(server.requests).toHaveLength(2);
		expect(bodyOf(0)).toHaveProperty('stream_options');
		expect(bodyOf(1)).not.toHaveProperty('stream_options');
		// What else was sent is kept.
		expect(bodyOf(1)).toMatchObject({temperature: 0.7, stream: true});

		await chunksOf(backend, 'databricks-claude-sonnet-4');
		expect(server.requests).toHaveLength(3);
		expect(bodyOf(2)).not.toHaveProperty('stream_options');
	});

	it('databricks: when the retry fails too, the error is the server’s own message (its top-level message), not the first refusal', async () => {
		const missing = "INVALID_PARAMETER_VALUE: Missing required Chat parameter: 'messages'";
		server.setResponder((request): FakeReply =>
			sent(request, 'stream_options') ? parameterRejection('stream_options', 'databricks') : {status: 400, message: missing, body: {error_code: 'INVALID_PARAMETER_VALUE', message: missing}},
		);
		const error = await caught(collectStream(openai().stream(messages, {model: 'databricks-llama-4-maverick'})));
		expect(error.code).toBe('bad_request');
		expect(error.message).toMatch(/\(400\): INVALID_PARAMETER_VALUE: Missing required Chat parameter: 'messages'\.$/);
		expect(error.message).not.toMatch(/stream_options|no body/);
		expect(server.requests).toHaveLength(2);
	});

	it('databricks: an unknown field it names that was not sent is not retried, and its words are shown', async () => {
		server.setResponder(() => parameterRejection('inputs', 'databricks'));
		const error = await caught(collectStream(openai().stream(messages, {model: 'databricks-gpt-oss-20b'})));
		expect(error.message).toMatch(/\(400\): Bad request: json: unknown field "inputs"\.$/);
		expect(server.requests).toHaveLength(1);
	});
});

/** A fetch that sends every request to the fake server, keeping the URL the SDK meant. */
function toFakeServer(seen: string[]) {
	return (input: string | URL | Request, init?: RequestInit) => {
		const url = new URL(input instanceof Request ? input.url : String(input));
		seen.push(url.toString());
		return fetch(`${server.url}${url.pathname.endsWith('/chat/completions') ? '/v1/chat/completions' : url.pathname}`, init);
	};
}

/** An Azure OpenAI deployment named `deployment`, as the user points rlm-tui at it. */
function azure(deployment: string, seen: string[] = []): OpenAIBackend {
	return new OpenAIBackend({
		baseURL: `https://contoso-ai.openai.azure.com/openai/deployments/${deployment}?api-version=2024-12-01-preview`,
		apiKey: 'azure-key',
		maxRetries: 0,
		paramMemory: new ParamMemory(),
		fetch: toFakeServer(seen),
	});
}

/** A reasoning model behind the deployment: it refuses temperature (as `temperatureShape` says) and
 * max_tokens, and answers once neither is sent. */
function reasoningDeployment(temperatureShape: 'openai' | 'openai-parameter') {
	return (request: FakeRequest): FakeReply => {
		if (sent(request, 'temperature')) return parameterRejection('temperature', temperatureShape);
		if (sent(request, 'max_tokens')) return parameterRejection('max_tokens', 'openai-parameter');
		return {text: 'Hello from a reasoning deployment.'};
	};
}

describe('Azure OpenAI deployments named apart from their model', () => {
	it.each([
		['o3-mini, o1 (temperature: unsupported_parameter)', 'openai-parameter'],
		['o3, o4-mini, GPT-5 (temperature: unsupported_value)', 'openai'],
	] as const)('a reasoning model (%s) answers on the first run: temperature dropped, max_tokens renamed, each said once', async (_models, shape) => {
		server.setResponder(reasoningDeployment(shape));
		const seen: string[] = [];
		const backend = azure('team-assistant-prod', seen);
		const chunks = await chunksOf(backend, 'team-assistant-prod', {maxOutputTokens: 800});
		expect(textOf(chunks)).toBe('Hello from a reasoning deployment.');
		expect(seen.every((url) => url === 'https://contoso-ai.openai.azure.com/openai/deployments/team-assistant-prod/chat/completions?api-version=2024-12-01-preview')).toBe(true);
		const last = bodyOf(server.requests.length - 1);
		expect(last).not.toHaveProperty('temperature');
		expect(last).not.toHaveProperty('max_tokens');
		expect(last).toMatchObject({max_completion_tokens: 800});
		expect(server.requests).toHaveLength(3);
		expect(noticesOf(chunks).map((notice) => notice.type === 'notice' && notice.message)).toEqual([
			expect.stringMatching(/team-assistant-prod at https:\/\/contoso-ai\.openai\.azure\.com\/openai\/deployments\/team-assistant-prod does not take temperature: sent without it/),
			expect.stringMatching(/does not take max_tokens: sent max_completion_tokens instead/),
		]);

		// The next call goes out right at once, with nothing said.
		const again = await chunksOf(backend, 'team-assistant-prod', {maxOutputTokens: 800});
		expect(noticesOf(again)).toEqual([]);
		expect(server.requests).toHaveLength(4);
		expect(bodyOf(3)).toMatchObject({max_completion_tokens: 800});
		expect(bodyOf(3)).not.toHaveProperty('temperature');
	});

	it('without an output limit, only the temperature is learned (one extra request)', async () => {
		server.setResponder(reasoningDeployment('openai-parameter'));
		const chunks = await chunksOf(azure('my-o3-mini'), 'my-o3-mini');
		expect(textOf(chunks)).toBe('Hello from a reasoning deployment.');
		expect(server.requests).toHaveLength(2);
		expect(noticesOf(chunks)).toHaveLength(1);
	});

	it('non-streamed completions (llm_query) learn the same way', async () => {
		server.setResponder(reasoningDeployment('openai-parameter'));
		const result = await azure('summarizer').complete(messages, {model: 'summarizer', maxOutputTokens: 100});
		expect(result.text).toBe('Hello from a reasoning deployment.');
		expect(bodyOf(server.requests.length - 1)).toMatchObject({max_completion_tokens: 100});
	});

	it('a temperature the user set is dropped with a warning, not silently', async () => {
		server.setResponder(reasoningDeployment('openai-parameter'));
		const chunks = await chunksOf(azure('reasoner'), 'reasoner', {temperature: 0.2});
		expect(textOf(chunks)).toBe('Hello from a reasoning deployment.');
		expect(noticesOf(chunks)).toEqual([expect.objectContaining({level: 'warn', message: expect.stringContaining('does not take temperature')})]);
	});
});

describe('a server that refuses to stream the model', () => {
	it('OpenAI’s "organization must be verified to stream": the reply is asked for whole, once said, and remembered', async () => {
		server.setResponder((request) => (request.stream ? requestRefusal('unverified-stream') : {text: 'The whole answer.', reasoning: 'Thought it through.'}));
		const backend = openai();
		const chunks = await chunksOf(backend, 'o3');
		expect(chunks).toEqual([
			{type: 'notice', code: 'param_dropped', message: expect.stringMatching(/^o3 at http:\/\/127\.0\.0\.1:\d+\/v1 does not stream for this key \(Your organization must be verified to stream this model\. .*\): replies arrive whole, with no live text, for the rest of this session\.$/)},
			{type: 'reasoning', text: 'Thought it through.'},
			{type: 'text', text: 'The whole answer.'},
			{type: 'usage', usage: expect.objectContaining({inputTokens: expect.any(Number)}), finishReason: 'stop'},
		]);
		expect(server.requests.map((request) => request.stream)).toEqual([true, false]);
		expect(bodyOf(1)).not.toHaveProperty('stream_options');

		const again = await chunksOf(backend, 'o3');
		expect(noticesOf(again)).toEqual([]);
		expect(textOf(again)).toBe('The whole answer.');
		expect(server.requests.map((request) => request.stream)).toEqual([true, false, false]);
	});

	it('the o1 family’s "\'stream\' does not support true" on an Azure deployment; a cut reply stays marked as cut', async () => {
		server.setResponder((request) => (request.stream ? requestRefusal('o1-stream') : {text: '```repl\nprint(1', finishReason: 'length'}));
		const result = await collectStream(azure('legal-o1').stream(messages, {model: 'legal-o1'}));
		expect(result).toMatchObject({text: '```repl\nprint(1', finishReason: 'length'});
		expect(server.requests).toHaveLength(2);
	});

	it('only that model is asked whole; another model on the same server still streams', async () => {
		server.setResponder((request) => (request.stream && request.model === 'o3' ? requestRefusal('unverified-stream') : {text: 'ok'}));
		const backend = openai();
		await chunksOf(backend, 'o3');
		server.requests.length = 0;
		await chunksOf(backend, 'gpt-4.1');
		expect(server.requests.map((request) => request.stream)).toEqual([true]);
	});

	it('a failure of the whole request is its own error, in one line', async () => {
		server.setResponder((request) => (request.stream ? requestRefusal('unverified-stream') : {status: 429, message: 'You exceeded your current quota.', headers: {'x-should-retry': 'false'}}));
		const error = await caught(collectStream(openai().stream(messages, {model: 'o3'})));
		expect(error.code).toBe('rate_limited');
		expect(error.message).toMatch(/\(429\): You exceeded your current quota\.$/);
	});
});

describe('a model that takes no system message (o1-mini, o1-preview)', () => {
	const withSystem: ChatMessage[] = [
		{role: 'system', content: 'You answer by writing code.'},
		{role: 'user', content: 'Count the words.'},
	];

	it('is sent its instructions as a user message, once said, then at once; and its temperature refusal is learned on the way', async () => {
		server.setResponder((request): FakeReply => {
			if (request.messages.some((message) => message.role === 'system')) return requestRefusal('system-role');
			if (sent(request, 'temperature')) return parameterRejection('temperature', 'openai-parameter');
			return {text: 'Counted.'};
		});
		const backend = azure('support-bot');
		const chunks: StreamChunk[] = [];
		for await (const chunk of backend.stream(withSystem, {model: 'support-bot'})) chunks.push(chunk);
		expect(textOf(chunks)).toBe('Counted.');
		expect(noticesOf(chunks).map((notice) => notice.type === 'notice' && notice.message)).toEqual([
			expect.stringMatching(/support-bot at .* does not take a system message: the instructions go as a user message for the rest of this session\.$/),
			expect.stringMatching(/does not take temperature/),
		]);
		expect(server.requests).toHaveLength(3);
		expect((bodyOf(2)['messages'] as Array<{role: string; content: string}>)).toEqual([
			{role: 'user', content: 'You answer by writing code.'},
			{role: 'user', content: 'Count the words.'},
		]);

		const result = await backend.complete(withSystem, {model: 'support-bot'});
		expect(result.text).toBe('Counted.');
		expect(server.requests).toHaveLength(4);
	});

	it('a refusal of the system role when none was sent is the server’s error, not a loop', async () => {
		server.setResponder(() => requestRefusal('system-role'));
		const error = await caught(collectStream(openai().stream(messages, {model: 'o1-mini'})));
		expect(error.message).toMatch(/\(400\): Unsupported value: 'messages\[0\]\.role' does not support 'system' with this model\.$/);
		expect(server.requests).toHaveLength(1);
	});
});

