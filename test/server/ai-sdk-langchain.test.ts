// rlm-tui serve under the clients people point at an OpenAI-compatible endpoint: the Vercel AI
// SDK (@ai-sdk/openai: the Responses API by default, chat on request) and LangChain
// (@langchain/openai), each with its retries as shipped.
import {createOpenAI} from '@ai-sdk/openai';
import {ChatOpenAI} from '@langchain/openai';
import {generateObject, generateText, streamText} from 'ai';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {z} from 'zod';
import {createBackend} from '../../source/backends/create.js';
import {startRlmServer, type RlmServer} from '../../source/server/server.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';

let llm: FakeLlmServer;
let server: RlmServer;

beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['gpt-4o']});
});
afterEach(async () => {
	await server?.close();
});
afterAll(async () => {
	await llm?.close();
});

async function serve() {
	server = await startRlmServer({
		rlm: {model: 'gpt-4o', maxIterations: 4, logDir: false},
		backend: createBackend({kind: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'upstream-key', maxRetries: 0}),
		port: 0,
	});
	return server;
}

const Recipe = z.object({name: z.string(), steps: z.array(z.string()).min(1)});
const recipeModel = () => scripted({root: () => repl('import json\nllm_output(json.dumps({"name": "tea", "steps": ["boil water", "steep"]}))')});

describe('Vercel AI SDK (@ai-sdk/openai)', () => {
	const providerFor = (rlm: RlmServer) => createOpenAI({baseURL: `${rlm.url}/v1`, apiKey: 'unused'});

	it('generateText on the Responses API (its default) and on chat', async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("hello from the RLM")', 'Looking.')}));
		const openai = providerFor(await serve());
		const viaResponses = await generateText({model: openai('rlm'), prompt: 'Say hello.'});
		expect(viaResponses.text).toBe('hello from the RLM');
		expect(viaResponses.reasoningText).toContain('Looking.');
		expect(viaResponses.usage.inputTokens).toBeGreaterThan(0);
		const viaChat = await generateText({model: openai.chat('rlm'), prompt: 'Say hello.'});
		expect(viaChat.text).toBe('hello from the RLM');
	});

	it('generateObject with a zod schema, on both paths', async () => {
		llm.requests.length = 0;
		llm.setResponder(recipeModel());
		const openai = providerFor(await serve());
		const viaResponses = await generateObject({model: openai('rlm'), schema: Recipe, prompt: 'A recipe for tea.'});
		expect(viaResponses.object).toEqual({name: 'tea', steps: ['boil water', 'steep']});
		const viaChat = await generateObject({model: openai.chat('rlm'), schema: Recipe, prompt: 'A recipe for tea.'});
		expect(viaChat.object).toEqual({name: 'tea', steps: ['boil water', 'steep']});
		for (const root of rootRequests(llm.requests)) expect(root.messages[0]!.content).toContain('"steps"');
	});

	it('streamText shows the run as reasoning, then the answer', async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("streamed")', 'Step by step.')}));
		const openai = providerFor(await serve());
		const result = streamText({model: openai('rlm'), prompt: 'q'});
		let text = '';
		for await (const part of result.textStream) text += part;
		expect(text).toBe('streamed');
		expect(await result.reasoningText).toContain('Step by step.');
	});

	it('a failed run is not retried', async () => {
		llm.requests.length = 0;
		llm.setResponder(() => ({status: 500, message: 'upstream broke'}));
		const openai = providerFor(await serve());
		await expect(generateText({model: openai('rlm'), prompt: 'q'})).rejects.toThrow(/upstream broke/);
		expect(llm.requests).toHaveLength(1);
	});
});

describe('LangChain (@langchain/openai)', () => {
	const chatFor = (rlm: RlmServer, extra: Partial<ConstructorParameters<typeof ChatOpenAI>[0]> = {}) =>
		new ChatOpenAI({model: 'rlm', apiKey: 'unused', configuration: {baseURL: `${rlm.url}/v1`}, ...extra});

	it('invoke, on chat and on the Responses API', async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("langchain ok")')}));
		const rlm = await serve();
		expect((await chatFor(rlm).invoke('Say ok.')).content).toBe('langchain ok');
		const viaResponses = await chatFor(rlm, {useResponsesApi: true}).invoke('Say ok.');
		expect(viaResponses.text).toBe('langchain ok');
	});

	it('withStructuredOutput (json_schema, its default for this model)', async () => {
		llm.setResponder(recipeModel());
		const structured = chatFor(await serve()).withStructuredOutput(Recipe, {name: 'recipe'});
		expect(await structured.invoke('A recipe for tea.')).toEqual({name: 'tea', steps: ['boil water', 'steep']});
	});

	it('a failed run is not retried', async () => {
		llm.requests.length = 0;
		llm.setResponder(() => ({status: 502, message: 'bad gateway upstream'}));
		await expect(chatFor(await serve()).invoke('q')).rejects.toThrow(/bad gateway upstream/);
		expect(llm.requests).toHaveLength(1);
	});
});
