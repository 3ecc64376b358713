// serve when the upstream account is out of credits or quota: the client gets OpenAI's own body for
// it (type and code insufficient_quota), under 402 rather than OpenAI's 429 (which the openai SDK
// without x-should-retry, the AI SDK and LangChain retry as a rate limit), with the backend's
// advice that retrying will not help; streamed, one error (chat: an error chunk; Responses:
// response.failed), then a clean end. Neither serve nor any client asks again: each case makes
// one upstream request, with every client's retries as shipped.
import {createOpenAI} from '@ai-sdk/openai';
import {ChatOpenAI} from '@langchain/openai';
import {generateText, streamText} from 'ai';
import OpenAI from 'openai';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {createBackend} from '../../source/backends/create.js';
import type {BackendConfig} from '../../source/backends/types.js';
import {startRlmServer, type RlmServer} from '../../source/server/server.js';
import {startFakeLlmServer, type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';

let llm: FakeLlmServer;
const servers: RlmServer[] = [];
beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['gpt-4o', 'claude-x']});
});
afterEach(async () => {
	await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(async () => {
	await llm?.close();
});

const CREDITS = 'Insufficient credits. Add more using https://openrouter.ai/settings/credits';
const OPENROUTER_402: FakeReply = {status: 402, message: CREDITS, body: {error: {code: 402, message: CREDITS}}};
const ANTHROPIC_LOW = 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.';
// OpenAI's own, as its API sends it (a 429).
const OPENAI_QUOTA = 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.';
const OPENAI_429: FakeReply = {status: 429, message: OPENAI_QUOTA, body: {error: {message: OPENAI_QUOTA, type: 'insufficient_quota', param: null, code: 'insufficient_quota'}}};
/** The advice serve adds: the backend's own, which here says only that a retry will not help (the
 * server's message says what to do), else where to add credits. */
const NO_RETRY = /(Retrying will not help until that is done|retrying will not help until then)\.$/;

/** serve over the fake server, its backend retrying as shipped (two retries). */
async function serve(kind: 'openai' | 'anthropic' = 'openai'): Promise<RlmServer> {
	const config: BackendConfig =
		kind === 'openai'
			? {kind, baseURL: llm.openaiBaseURL, apiKey: 'upstream-key', maxRetries: 2}
			: {kind, baseURL: llm.anthropicBaseURL, apiKey: 'sk-ant-upstream', maxRetries: 2};
	const server = await startRlmServer({rlm: {model: kind === 'openai' ? 'gpt-4o' : 'claude-x', maxIterations: 4, logDir: false}, backend: createBackend(config), port: 0});
	servers.push(server);
	return server;
}

/** The SDK as users construct it: its default two retries on. */
const clientFor = (server: RlmServer) => new OpenAI({baseURL: `${server.url}/v1`, apiKey: 'unused'});

/** Iterates a stream to its end; the chunks it gave and the error it threw, if any. */
async function drain<T>(stream: AsyncIterable<T>): Promise<{chunks: T[]; error?: unknown}> {
	const chunks: T[] = [];
	try {
		for await (const chunk of stream) chunks.push(chunk);
	} catch (error) {
		return {chunks, error};
	}
	return {chunks};
}

describe('a plain request, through the openai SDK', () => {
	it.each([
		['OpenAI’s 429 insufficient_quota', 'openai', OPENAI_429, /^402 The RLM run failed: Out of credits or quota at the upstream server \(429\): You exceeded your current quota, please check your plan and billing details\. .* Retrying will not help until that is done\.$/],
		['OpenRouter’s 402', 'openai', OPENROUTER_402, /^402 The RLM run failed: Out of credits or quota at the upstream server \(402\): Insufficient credits\. Add more using <https:\/\/openrouter\.ai\/settings\/credits>\. Retrying will not help until that is done\.$/],
		['Anthropic’s 400 “credit balance is too low”', 'anthropic', {status: 400, message: ANTHROPIC_LOW, type: 'invalid_request_error'}, /^402 The RLM run failed: Out of credits or quota at the upstream server \(400\): Your credit balance is too low.* Retrying will not help until that is done\.$/],
	] as const)('%s: 402 with OpenAI’s insufficient_quota body and the advice; one upstream request', async (_what, kind, reply, said) => {
		llm.requests.length = 0;
		llm.setResponder(() => reply);
		const server = await serve(kind);
		const error = await clientFor(server).chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'q'}]}).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(OpenAI.APIError);
		const apiError = error as InstanceType<typeof OpenAI.APIError>;
		expect(apiError.status).toBe(402);
		expect(apiError.type).toBe('insufficient_quota');
		expect(apiError.code).toBe('insufficient_quota');
		expect(apiError.message).toMatch(said);
		expect(apiError.message).toMatch(NO_RETRY);
		expect(apiError.headers?.get('x-should-retry')).toBe('false');
		expect(llm.requests).toHaveLength(1);
		// The Responses API answers the same.
		const viaResponses = (await clientFor(server).responses.create({model: 'rlm', input: 'q'}).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
		expect([viaResponses.status, viaResponses.type, viaResponses.code]).toEqual([402, 'insufficient_quota', 'insufficient_quota']);
		expect(viaResponses.message).toMatch(NO_RETRY);
		expect(llm.requests).toHaveLength(2);
	});
});

describe('chat completions, stream: true', () => {
	it.each([
		['OpenRouter’s 402', 'openai', OPENROUTER_402, /^The RLM run failed: Out of credits or quota at the upstream server \(402\): Insufficient credits\. Add more using/],
		['OpenAI’s 429 insufficient_quota', 'openai', OPENAI_429, /^The RLM run failed: Out of credits or quota at the upstream server \(429\): You exceeded your current quota/],
		['Anthropic’s 400 “credit balance is too low”', 'anthropic', {status: 400, message: ANTHROPIC_LOW, type: 'invalid_request_error'}, /^The RLM run failed: Out of credits or quota at the upstream server \(400\): Your credit balance is too low/],
	] as const)('%s: the client sees one insufficient_quota error and no answer; one upstream request', async (_what, kind, reply, said) => {
		llm.requests.length = 0;
		llm.setResponder(() => reply);
		const client = clientFor(await serve(kind));
		const stream = await client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'q'}], stream: true});
		const {chunks, error} = await drain(stream);
		expect(error).toBeInstanceOf(OpenAI.APIError);
		const apiError = error as InstanceType<typeof OpenAI.APIError>;
		expect(apiError.code).toBe('insufficient_quota');
		expect(apiError.type).toBe('insufficient_quota');
		expect(apiError.message).toMatch(said);
		expect(apiError.message).toMatch(NO_RETRY);
		expect(apiError.message).not.toContain('\n');
		expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('');
		expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
		// Neither serve's backend nor the client asked again.
		expect(llm.requests).toHaveLength(1);
	});

	it('on the wire: the error chunk, then data: [DONE], then the end of the response', async () => {
		llm.setResponder(() => OPENROUTER_402);
		const server = await serve();
		const response = await fetch(`${server.url}/v1/chat/completions`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify({model: 'rlm', messages: [{role: 'user', content: 'q'}], stream: true}),
		});
		expect(response.status).toBe(200);
		// text() resolves only when serve ends the response.
		const body = await response.text();
		const events = body.split('\n\n').filter((event) => event.startsWith('data: '));
		expect(events.at(-1)).toBe('data: [DONE]');
		const errors = events.filter((event) => event.includes('"error"'));
		expect(errors).toHaveLength(1);
		expect(errors[0]).toBe(events.at(-2));
		expect(JSON.parse(errors[0]!.slice('data: '.length))).toMatchObject({error: {type: 'insufficient_quota', code: 'insufficient_quota', message: expect.stringContaining('(402)')}});
	});
});

describe('Responses, stream: true', () => {
	it('response.failed with insufficient_quota is the last event, and the stream ends', async () => {
		llm.requests.length = 0;
		llm.setResponder(() => OPENROUTER_402);
		const client = clientFor(await serve());
		const stream = await client.responses.create({model: 'rlm', input: 'q', stream: true});
		const {chunks, error} = await drain(stream);
		expect(error).toBeUndefined();
		const last = chunks.at(-1)!;
		expect(last.type).toBe('response.failed');
		expect(last).toMatchObject({response: {status: 'failed', error: {code: 'insufficient_quota', message: expect.stringMatching(/Out of credits or quota at the upstream server \(402\)/)}}});
		expect(last.type === 'response.failed' && last.response.error?.message).toMatch(NO_RETRY);
		expect(chunks.filter((event) => event.type === 'response.output_text.delta')).toEqual([]);
		expect(llm.requests).toHaveLength(1);
	});
});

describe('other clients, their retries as shipped', () => {
	const providerFor = (server: RlmServer) => createOpenAI({baseURL: `${server.url}/v1`, apiKey: 'unused'});

	it('the AI SDK: generateText and streamText, on chat and on the Responses API, each one upstream request', async () => {
		llm.setResponder(() => OPENAI_429);
		const openai = providerFor(await serve());
		for (const model of [openai('rlm'), openai.chat('rlm')]) {
			llm.requests.length = 0;
			await expect(generateText({model, prompt: 'q'})).rejects.toThrow(NO_RETRY);
			expect(llm.requests, 'generateText').toHaveLength(1);
			llm.requests.length = 0;
			const errors: unknown[] = [];
			const result = streamText({model, prompt: 'q', onError: ({error}) => void errors.push(error)});
			for await (const part of result.textStream) expect(part).toBe('');
			expect(errors).toHaveLength(1);
			expect(String((errors[0] as Error).message)).toMatch(NO_RETRY);
			expect(llm.requests, 'streamText').toHaveLength(1);
		}
	});

	it('LangChain: invoke and stream, each one upstream request', async () => {
		llm.setResponder(() => OPENAI_429);
		const chat = new ChatOpenAI({model: 'rlm', apiKey: 'unused', configuration: {baseURL: `${(await serve()).url}/v1`}});
		llm.requests.length = 0;
		await expect(chat.invoke('q')).rejects.toThrow(NO_RETRY);
		expect(llm.requests).toHaveLength(1);
		llm.requests.length = 0;
		const streamed = async () => {
			for await (const chunk of await chat.stream('q')) void chunk;
		};
		await expect(streamed()).rejects.toThrow(NO_RETRY);
		expect(llm.requests).toHaveLength(1);
	});
});
