// serve when the upstream account is out of credits and the client streams: the real openai client
// sees one error that says upstream_insufficient_quota (chat completions: an error chunk; Responses:
// response.failed), the stream then ends cleanly, and neither serve nor the client asks again.
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

describe('chat completions, stream: true', () => {
	it.each([
		['OpenRouter’s 402', 'openai', OPENROUTER_402, /^The RLM run failed: Out of credits or quota at the upstream server \(402\): Insufficient credits\. Add more using/],
		['Anthropic’s 400 “credit balance is too low”', 'anthropic', {status: 400, message: ANTHROPIC_LOW, type: 'invalid_request_error'}, /^The RLM run failed: Out of credits or quota at the upstream server \(400\): Your credit balance is too low/],
	] as const)('%s: the client sees one upstream_insufficient_quota error and no answer; one upstream request', async (_what, kind, reply, said) => {
		llm.requests.length = 0;
		llm.setResponder(() => reply);
		const client = clientFor(await serve(kind));
		const stream = await client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'q'}], stream: true});
		const {chunks, error} = await drain(stream);
		expect(error).toBeInstanceOf(OpenAI.APIError);
		const apiError = error as InstanceType<typeof OpenAI.APIError>;
		expect(apiError.code).toBe('upstream_insufficient_quota');
		expect(apiError.type).toBe('upstream_error');
		expect(apiError.message).toMatch(said);
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
		expect(JSON.parse(errors[0]!.slice('data: '.length))).toMatchObject({error: {type: 'upstream_error', code: 'upstream_insufficient_quota', message: expect.stringContaining('(402)')}});
	});
});

describe('Responses, stream: true', () => {
	it('response.failed with upstream_insufficient_quota is the last event, and the stream ends', async () => {
		llm.requests.length = 0;
		llm.setResponder(() => OPENROUTER_402);
		const client = clientFor(await serve());
		const stream = await client.responses.create({model: 'rlm', input: 'q', stream: true});
		const {chunks, error} = await drain(stream);
		expect(error).toBeUndefined();
		const last = chunks.at(-1)!;
		expect(last.type).toBe('response.failed');
		expect(last).toMatchObject({response: {status: 'failed', error: {code: 'upstream_insufficient_quota', message: expect.stringMatching(/Out of credits or quota at the upstream server \(402\)/)}}});
		expect(chunks.filter((event) => event.type === 'response.output_text.delta')).toEqual([]);
		expect(llm.requests).toHaveLength(1);
	});
});
