// Pointing it at a server: presets, custom headers and Azure's conventions, through the real SDKs.
import {afterAll, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {collectStream, createBackend} from '../../source/backends/create.js';
import {BackendError, type ChatMessage} from '../../source/backends/types.js';
import {BACKEND_NAMES, BACKEND_PRESETS, defaultBaseURL, ollamaBaseURL} from '../../source/protocol/backends.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['only-model', 'second-model']});
});
afterAll(async () => {
	await server.close();
});

const ENV = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'OLLAMA_HOST', 'OPENAI_API_VERSION', 'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_API_VERSION', ...BACKEND_PRESETS.map((preset) => preset.keyEnv)];
beforeEach(() => {
	for (const name of ENV) vi.stubEnv(name, undefined);
	server.requests.length = 0;
	server.setResponder(() => ({text: 'ok'}));
	return () => vi.unstubAllEnvs();
});

const messages: ChatMessage[] = [{role: 'user', content: 'hi'}];

/** A fetch that sends every request to the fake server, keeping the URL the SDK meant. */
function redirectingFetch(seen: string[]) {
	return (input: string | URL | Request, init?: RequestInit) => {
		const url = new URL(input instanceof Request ? input.url : String(input));
		seen.push(url.toString());
		const path = url.pathname.endsWith('/chat/completions') ? '/v1/chat/completions' : url.pathname.endsWith('/models') ? '/v1/models' : url.pathname;
		return fetch(`${server.url}${path}`, init);
	};
}

function creationError(config: Parameters<typeof createBackend>[0]): BackendError {
	try {
		createBackend(config);
	} catch (error) {
		expect(error).toBeInstanceOf(BackendError);
		return error as BackendError;
	}
	throw new Error('expected createBackend to throw');
}

describe('presets', () => {
	it('has the hosts people use, each with a base URL and a key variable', () => {
		for (const name of ['openrouter', 'groq', 'deepseek', 'gemini', 'lmstudio', 'llamacpp', 'vllm', 'ollama']) expect(BACKEND_NAMES).toContain(name);
		for (const preset of BACKEND_PRESETS) {
			expect(() => new URL(preset.baseURL)).not.toThrow();
			expect(preset.keyEnv).toMatch(/^[A-Z_]+$/);
		}
	});

	it('takes a hosted preset’s URL and its own key variable, never OPENAI_API_KEY', () => {
		vi.stubEnv('OPENAI_API_KEY', 'sk-openai');
		const error = creationError({kind: 'groq'});
		expect(error.code).toBe('missing_key');
		expect(error.message).toBe('GROQ_API_KEY is not set.');
		expect(error.advice).toBe('Pass -k KEY or export GROQ_API_KEY.');
		vi.stubEnv('GROQ_API_KEY', 'gsk-1');
		const groq = createBackend({kind: 'groq'});
		expect(groq).toMatchObject({kind: 'openai', name: 'groq', baseURL: 'https://api.groq.com/openai/v1'});
	});

	it('sends the preset’s key to its server', async () => {
		vi.stubEnv('OPENROUTER_API_KEY', 'or-key');
		const seen: string[] = [];
		const backend = createBackend({kind: 'openrouter', fetch: redirectingFetch(seen)});
		await collectStream(backend.stream(messages, {model: 'openai/gpt-5-mini'}));
		expect(seen[0]).toBe('https://openrouter.ai/api/v1/chat/completions');
		expect(server.requests[0]!.headers['authorization']).toBe('Bearer or-key');
		// A GPT-5 behind a router is still a GPT-5: no temperature.
		expect(server.requests[0]!.body).not.toHaveProperty('temperature');
	});

	it('a local preset needs no key and names how to start it when it is not there', async () => {
		const closed = await startFakeLlmServer();
		await closed.close();
		const backend = createBackend({kind: 'lmstudio', baseURL: closed.openaiBaseURL, maxRetries: 0});
		const error = await collectStream(backend.stream(messages, {model: 'm'})).then(
			() => {
				throw new Error('expected a failure');
			},
			(caught: BackendError) => caught,
		);
		expect(error.code).toBe('unreachable');
		expect(error.message).toBe(`Cannot reach LM Studio at ${closed.openaiBaseURL}: connection refused.`);
		expect(error.advice).toBe('Start the server (`lms server start`), pass -u URL, or try -b demo.');
	});

	it('an unknown name lists the known ones', () => {
		expect(creationError({kind: 'grok' as never}).message).toMatch(/^Unknown backend 'grok': use one of openai, anthropic, demo, ollama, .*groq/);
	});
});

describe('where requests go without a URL', () => {
	it('honours OLLAMA_HOST in the forms Ollama accepts', () => {
		expect(ollamaBaseURL('0.0.0.0')).toBe('http://127.0.0.1:11434/v1');
		expect(ollamaBaseURL('0.0.0.0:11435')).toBe('http://127.0.0.1:11435/v1');
		expect(ollamaBaseURL('gpu-box')).toBe('http://gpu-box:11434/v1');
		expect(ollamaBaseURL('http://gpu-box')).toBe('http://gpu-box:11434/v1');
		expect(ollamaBaseURL('https://ollama.example.com')).toBe('https://ollama.example.com/v1');
		expect(ollamaBaseURL('http://[::1]:11500')).toBe('http://[::1]:11500/v1');
	});

	it('sends an OpenAI model to OpenAI when only OPENAI_API_KEY is set, anything else to Ollama', () => {
		const env = {OPENAI_API_KEY: 'sk-x'};
		expect(defaultBaseURL('openai', env, 'gpt-4o')).toBe('https://api.openai.com/v1');
		expect(defaultBaseURL('openai', env, 'o3-mini')).toBe('https://api.openai.com/v1');
		expect(defaultBaseURL('openai', env, 'gpt-oss:20b')).toBe('http://localhost:11434/v1');
		expect(defaultBaseURL('openai', env, 'qwen3:8b')).toBe('http://localhost:11434/v1');
		expect(defaultBaseURL('openai', {}, 'gpt-4o')).toBe('http://localhost:11434/v1');
		expect(defaultBaseURL('openai', {...env, OPENAI_BASE_URL: 'http://proxy/v1'}, 'gpt-4o')).toBe('http://proxy/v1');
		expect(defaultBaseURL('openai', {OLLAMA_HOST: 'gpu-box:11434'}, 'qwen3:8b')).toBe('http://gpu-box:11434/v1');
	});

	it('a library user gets the same rule from createBackend', async () => {
		vi.stubEnv('OPENAI_API_KEY', 'sk-x');
		expect(createBackend({kind: 'openai', model: 'gpt-4o'}).baseURL).toBe('https://api.openai.com/v1');
		vi.stubEnv('OLLAMA_HOST', server.url.replace('http://', ''));
		const local = createBackend({kind: 'openai', model: 'only-model', maxRetries: 0});
		expect(local.baseURL).toBe(server.openaiBaseURL);
		expect(await local.listModels()).toEqual(['only-model', 'second-model']);
	});
});

describe('custom headers', () => {
	it.each(['openai', 'anthropic'] as const)('%s: --header values reach the server', async (kind) => {
		const backend = createBackend({
			kind,
			baseURL: kind === 'openai' ? server.openaiBaseURL : server.anthropicBaseURL,
			apiKey: 'k',
			headers: {'X-Portkey-Provider': 'openai', 'X-Trace': 'abc'},
		});
		await collectStream(backend.stream(messages, {model: 'm'}));
		expect(server.requests[0]!.headers).toMatchObject({'x-portkey-provider': 'openai', 'x-trace': 'abc'});
	});
});

describe('Azure OpenAI', () => {
	it('sends the key as api-key (no bearer) and the api-version from the URL', async () => {
		const seen: string[] = [];
		const backend = createBackend({
			kind: 'openai',
			baseURL: 'https://my-res.openai.azure.com/openai/deployments/gpt5?api-version=2025-01-01-preview',
			apiKey: 'azure-key',
			fetch: redirectingFetch(seen),
		});
		expect(backend.baseURL).toBe('https://my-res.openai.azure.com/openai/deployments/gpt5');
		await collectStream(backend.stream(messages, {model: 'gpt-5'}));
		expect(seen[0]).toBe('https://my-res.openai.azure.com/openai/deployments/gpt5/chat/completions?api-version=2025-01-01-preview');
		expect(server.requests[0]!.headers['api-key']).toBe('azure-key');
		expect(server.requests[0]!.headers['authorization']).toBeUndefined();
	});

	it('reads AZURE_OPENAI_API_KEY, needs a key, and needs no api-version on the v1 API', async () => {
		expect(creationError({kind: 'openai', baseURL: 'https://my-res.openai.azure.com/openai/v1'}).message).toMatch(/^AZURE_OPENAI_API_KEY is not set/);
		vi.stubEnv('AZURE_OPENAI_API_KEY', 'az-env');
		const seen: string[] = [];
		const backend = createBackend({kind: 'openai', baseURL: 'https://my-res.openai.azure.com/openai/v1', fetch: redirectingFetch(seen)});
		await collectStream(backend.stream(messages, {model: 'my-deployment'}));
		expect(seen[0]).toBe('https://my-res.openai.azure.com/openai/v1/chat/completions');
		expect(server.requests[0]!.headers['api-key']).toBe('az-env');
	});
});
