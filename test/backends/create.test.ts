// createBackend, keys, and the one-line errors for servers that are not there.

import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {collectStream, createBackend} from '../../source/backends/create.js';
import {BackendError, type BackendConfig, type BackendKind} from '../../source/backends/types.js';
import {startFakeLlmServer} from '../support/fake-llm-server.js';
import {caughtBackendError as caught} from '../support/backend-error.js';

beforeEach(() => {
	for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_AUTH_TOKEN']) {
		vi.stubEnv(name, undefined);
	}
});

afterEach(() => {
	vi.unstubAllEnvs();
});

function creationError(config: BackendConfig): BackendError {
	try {
		createBackend(config);
	} catch (error) {
		expect(error).toBeInstanceOf(BackendError);
		return error as BackendError;
	}
	throw new Error('expected createBackend to throw');
}

/** A loopback URL nothing listens on (a fake server started and closed again). */
async function closedPortURL(): Promise<string> {
	const server = await startFakeLlmServer();
	const {url} = server;
	await server.close();
	return url;
}

describe('createBackend', () => {
	it('builds each kind', () => {
		// Behind the redaction boundary (secrets.test.ts): the kind shows through.
		expect(createBackend({kind: 'openai'})).toMatchObject({kind: 'openai', name: 'openai'});
		expect(createBackend({kind: 'anthropic', apiKey: 'sk-ant-x'})).toMatchObject({kind: 'anthropic', name: 'anthropic'});
		const demo = createBackend({kind: 'demo'});
		expect(demo.kind).toBe('demo');
	});

	it('defaults the OpenAI-compatible URL to local Ollama, with a placeholder key', () => {
		const backend = createBackend({kind: 'openai'});
		expect(backend.baseURL).toBe('http://localhost:11434/v1');
	});

	it('defaults the Anthropic URL to the official API', () => {
		expect(createBackend({kind: 'anthropic', apiKey: 'k'}).baseURL).toBe('https://api.anthropic.com');
	});

	it('fails fast with missing_key for api.openai.com without a key', () => {
		const error = creationError({kind: 'openai', baseURL: 'https://api.openai.com/v1'});
		expect(error.code).toBe('missing_key');
		expect(error.message).toBe('OPENAI_API_KEY is not set.');
		expect(error.advice).toBe('Pass -k KEY or export OPENAI_API_KEY.');
	});

	it('fails fast with missing_key for the official Anthropic API without a key', () => {
		const error = creationError({kind: 'anthropic'});
		expect(error.code).toBe('missing_key');
		expect(error.message).toBe('ANTHROPIC_API_KEY is not set.');
		expect(error.advice).toBe('Pass -k KEY or export ANTHROPIC_API_KEY.');
	});

	it('accepts keys from the environment for hosted APIs', () => {
		vi.stubEnv('OPENAI_API_KEY', 'sk-env');
		vi.stubEnv('ANTHROPIC_API_KEY', 'sk-ant-env');
		expect(() => createBackend({kind: 'openai', baseURL: 'https://api.openai.com/v1'})).not.toThrow();
		expect(() => createBackend({kind: 'anthropic'})).not.toThrow();
	});

	it('treats an empty key as no key', () => {
		expect(creationError({kind: 'openai', baseURL: 'https://api.openai.com/v1', apiKey: ''}).code).toBe('missing_key');
	});

	it('rejects a base URL that is not a URL, and an unknown kind', () => {
		const badURL = creationError({kind: 'openai', baseURL: 'localhost:11434'});
		expect(badURL.code).toBe('bad_request');
		expect(badURL.message).toContain("'localhost:11434'");
		const badKind = creationError({kind: 'bard' as BackendKind});
		expect(badKind.message).toMatch(/^Unknown backend 'bard': use one of openai, anthropic, demo, ollama, .*gemini/);
	});
});

describe('unreachable servers', () => {
	it('OpenAI-compatible: connection refused names the URL and what to do', async () => {
		const url = `${await closedPortURL()}/v1`;
		const backend = createBackend({kind: 'openai', baseURL: url, maxRetries: 0});
		const error = await caught(collectStream(backend.stream([{role: 'user', content: 'hi'}], {model: 'm'})));
		expect(error.code).toBe('unreachable');
		expect(error.message).toBe(`Cannot reach the OpenAI-compatible server at ${url}: connection refused.`);
		expect(error.advice).toBe('Start the server (for Ollama: `ollama serve`), pass -u URL, or try -b demo.');
	});

	it('listModels reports the same', async () => {
		const url = `${await closedPortURL()}/v1`;
		const error = await caught(createBackend({kind: 'openai', baseURL: url, maxRetries: 0}).listModels());
		expect(error.code).toBe('unreachable');
		expect(error.message).toContain(url);
	});

	it('a server that takes the connection and closes it is not told to be started: it is there', async () => {
		const {createServer} = await import('node:net');
		const server = createServer((socket) => socket.destroy());
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as {port: number}).port}/v1`;
		try {
			const backend = createBackend({kind: 'openai', baseURL: url, maxRetries: 1});
			const error = await caught(collectStream(backend.stream([{role: 'user', content: 'hi'}], {model: 'm'})));
			expect(error.code).toBe('unreachable');
			expect(error.message).toMatch(new RegExp(`^The OpenAI-compatible server at ${url.replace(/[.]/g, '\\.')} took the connection and (closed|reset) it before it answered \\(each of 2 tries\\)\\.$`));
			expect(error.advice).toBe('It may have crashed or refused the request: see its log, or try again.');
		} finally {
			server.close();
		}
	});

	it('Anthropic: connection refused names the URL', async () => {
		const url = await closedPortURL();
		const backend = createBackend({kind: 'anthropic', baseURL: url, maxRetries: 0});
		const error = await caught(collectStream(backend.stream([{role: 'user', content: 'hi'}], {model: 'm'})));
		expect(error.code).toBe('unreachable');
		expect(error.message).toContain(`Cannot reach the Anthropic API at ${url}: connection refused.`);
		expect(error.message).not.toContain('\n');
	});
});

describe('the demo backend', () => {
	it('streams text and then usage offline', async () => {
		const demo = createBackend({kind: 'demo'});
		const chunks = [];
		for await (const chunk of demo.stream([{role: 'user', content: 'hello'}], {model: 'demo'})) chunks.push(chunk);
		expect(chunks.some((chunk) => chunk.type === 'text')).toBe(true);
		expect(chunks.at(-1)?.type).toBe('usage');
	});
});
