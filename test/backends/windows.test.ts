// A model's real context window, learned from the server that runs it (the fake server speaking
// each local server's own endpoints), through the real openai SDK.
import {afterEach, describe, expect, it, vi} from 'vitest';
import {createBackend} from '../../source/backends/create.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {collectStream} from '../../source/backends/create.js';
import {startFakeLlmServer, type FakeLlmServer, type FakeModelWindow, type ServerFlavor} from '../support/fake-llm-server.js';

const servers: FakeLlmServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map((server) => server.close()));
	vi.unstubAllEnvs();
});

async function serverAs(flavor: ServerFlavor | undefined, windows: Record<string, FakeModelWindow>, models = Object.keys(windows)) {
	const server = await startFakeLlmServer({...(flavor ? {flavor} : {}), windows, models});
	servers.push(server);
	return {server, backend: new OpenAIBackend({baseURL: server.openaiBaseURL, maxRetries: 0})};
}

describe('learning a model’s window from its server', () => {
	it('Ollama: a Modelfile num_ctx, capped by what the model was trained for', async () => {
		const {backend} = await serverAs('ollama', {'qwen2.5:7b': {numCtx: 8192, trained: 32_768}, 'tiny:1b': {numCtx: 200_000, trained: 32_768}});
		expect(await backend.contextWindow('qwen2.5:7b')).toEqual({tokens: 8192, source: 'Ollama num_ctx'});
		expect(await backend.contextWindow('tiny:1b')).toEqual({tokens: 32_768, source: 'Ollama num_ctx'});
		expect(backend.windowAdvice('qwen2.5:7b')).toMatch(/OLLAMA_CONTEXT_LENGTH=32768 ollama serve/);
	});

	it('Ollama: without num_ctx, the context it loaded the model with, once it is loaded', async () => {
		const {backend} = await serverAs('ollama', {'llama3.1:8b': {trained: 131_072}});
		// Not loaded yet: the server cannot say, and nothing is made up.
		expect(await backend.contextWindow('llama3.1:8b')).toBeUndefined();
		await collectStream(backend.stream([{role: 'user', content: 'hi'}], {model: 'llama3.1:8b'}));
		expect(await backend.contextWindow('llama3.1:8b')).toEqual({tokens: 4096, source: 'the context Ollama loaded it with'});
	});

	it('vLLM: max_model_len in /v1/models', async () => {
		const {backend} = await serverAs('vllm', {'Qwen/Qwen2.5-7B-Instruct': {loaded: 16_384}});
		expect(await backend.contextWindow('Qwen/Qwen2.5-7B-Instruct')).toEqual({tokens: 16_384, source: 'vLLM max_model_len'});
		expect(backend.windowAdvice('Qwen/Qwen2.5-7B-Instruct')).toMatch(/--max-model-len/);
	});

	it('LM Studio: the context a loaded model has', async () => {
		const {backend} = await serverAs('lmstudio', {'qwen2.5-7b-instruct': {loaded: 8192, trained: 32_768}, 'not-loaded': {trained: 32_768}});
		expect(await backend.contextWindow('qwen2.5-7b-instruct')).toEqual({tokens: 8192, source: 'the context LM Studio loaded it with'});
		expect(await backend.contextWindow('not-loaded')).toBeUndefined();
		expect(backend.windowAdvice('not-loaded')).toMatch(/lms load not-loaded --context-length/);
	});

	it('llama.cpp: n_ctx from /props', async () => {
		const {backend} = await serverAs('llamacpp', {'model.gguf': {loaded: 4096, trained: 32_768}});
		expect(await backend.contextWindow('model.gguf')).toEqual({tokens: 4096, source: 'llama.cpp n_ctx'});
	});

	it('a server that tells nothing: the catalog for a known model, else nothing, and it is not asked again', async () => {
		const {backend} = await serverAs(undefined, {'gpt-4o': {}, mystery: {}});
		expect(await backend.contextWindow('gpt-4o')).toEqual({tokens: 128_000, source: 'the model catalog'});
		expect(await backend.contextWindow('mystery')).toBeUndefined();
		expect(backend.windowAdvice('mystery')).toBeUndefined();
	});

	it('a server of unknown kind is asked all the ways at once (one round trip before the first request, not four)', async () => {
		const {server} = await serverAs(undefined, {mystery: {}});
		// Each probe's answer is held until all four have been sent (or 2 s passed, so asking one at a
		// time ends too): asked at once, four are outstanding together; one at a time, never more than one.
		let outstanding = 0;
		let most = 0;
		let sent = 0;
		let allSentNow = () => {};
		const allSent = new Promise<void>((resolve) => (allSentNow = resolve));
		const backend = createBackend({
			kind: 'openai',
			baseURL: server.openaiBaseURL,
			apiKey: 'k',
			fetch: async (input, init) => {
				outstanding++;
				most = Math.max(most, outstanding);
				if (++sent === 4) allSentNow();
				await Promise.race([allSent, new Promise((resolve) => setTimeout(resolve, 2_000))]);
				outstanding--;
				return fetch(input, init);
			},
		});
		expect(await backend.contextWindow!('mystery')).toBeUndefined();
		expect(most).toBe(4);
	});

	it('a hosted preset is not probed: its models come from the catalog', async () => {
		vi.stubEnv('OPENROUTER_API_KEY', 'k');
		const seen: string[] = [];
		const backend = createBackend({
			kind: 'openrouter',
			fetch: (input, init) => {
				seen.push(input instanceof Request ? input.url : String(input));
				return fetch(input, init);
			},
		});
		expect(await backend.contextWindow!('gpt-4o')).toEqual({tokens: 128_000, source: 'the model catalog'});
		expect(seen).toEqual([]);
	});

	it('a server that sends the headers and then holds the body: the probes and the model list give up', async () => {
		const server = await startFakeLlmServer({models: ['mystery']});
		servers.push(server);
		server.stallMetadata = true;
		const backend = new OpenAIBackend({baseURL: server.openaiBaseURL, maxRetries: 0, timeoutMs: 1000});
		// The probes' own limit (3 s) ends them: nothing is known, and the question goes on.
		expect(await backend.contextWindow('mystery')).toBeUndefined();
		expect(server.paths).toContain('GET /props');
		// The model list gets the request timeout for its body too, and says so.
		await expect(backend.listModels()).rejects.toThrow(/Timed out after 1 s waiting for .* at http:\/\/127\.0\.0\.1:\d+\/v1\. .*--request-timeout/);
	});
});
