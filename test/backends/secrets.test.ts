// Secrets stay behind the backends' door: a base URL's credentials are sent (as query parameters
// and HTTP basic auth) but never shown, and a server that echoes the key back has it redacted from
// every error and notice that leaves a backend made by createBackend.
import {afterAll, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {collectStream, createBackend} from '../../source/backends/create.js';
import {BackendError, type BackendConfig} from '../../source/backends/types.js';
import {credentialEcho, startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {caughtBackendError as caught} from '../support/backend-error.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer();
});
afterAll(async () => {
	await server.close();
});
beforeEach(() => {
	for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_AUTH_TOKEN']) vi.stubEnv(name, undefined);
	server.requests.length = 0;
	server.setResponder(() => ({text: 'ok'}));
	return () => vi.unstubAllEnvs();
});

const KEY = 'plainkey-4f9c2e7a1b'; // no provider prefix: only knowing the key finds it
const TOKEN = 'gw-token-93ab17';
const messages = [{role: 'user' as const, content: 'hi'}];

const withCredentials = (base: string) => {
	const url = new URL(base);
	url.username = 'alice';
	url.password = 'hunter2-secret';
	return url.toString();
};

describe('credentials in a base URL', () => {
	it.each(['openai', 'anthropic'] as const)('%s: query parameters go with every request, the URL shown has none', async (kind) => {
		const base = kind === 'openai' ? server.openaiBaseURL : server.anthropicBaseURL;
		const backend = createBackend({kind, baseURL: `${base}?key=${TOKEN}`, apiKey: KEY, maxRetries: 0});
		const result = await collectStream(backend.stream(messages, {model: 'm'}));
		expect(result.text).toBe('ok');
		expect(server.requests[0]!.query).toEqual({key: TOKEN});
		expect(server.requests[0]!.path).toBe(kind === 'openai' ? '/v1/chat/completions' : '/v1/messages');
		expect(backend.baseURL).not.toContain(TOKEN);
	});

	it.each(['openai', 'anthropic'] as const)('%s: userinfo is sent as HTTP basic auth, as curl sends it', async (kind) => {
		const base = kind === 'openai' ? server.openaiBaseURL : server.anthropicBaseURL;
		const backend = createBackend({kind, baseURL: withCredentials(base), apiKey: KEY, maxRetries: 0});
		expect((await collectStream(backend.stream(messages, {model: 'm'}))).text).toBe('ok');
		expect(server.requests[0]!.headers['authorization']).toBe(`Basic ${Buffer.from('alice:hunter2-secret').toString('base64')}`);
		expect(backend.baseURL).not.toContain('hunter2');
	});

	it('an unreachable URL with credentials is named without them', async () => {
		const backend = createBackend({kind: 'openai', baseURL: 'http://bob:hunter2-secret@127.0.0.1:9/v1?api_key=' + TOKEN, maxRetries: 0});
		const error = await caught(collectStream(backend.stream(messages, {model: 'm'})));
		expect(error.code).toBe('unreachable');
		expect(error.message).toContain('127.0.0.1:9');
		expect(error.message).not.toMatch(/hunter2|bob|gw-token/);
	});

	it('an invalid base URL is refused without echoing its secrets', () => {
		let thrown: unknown;
		try {
			createBackend({kind: 'openai', baseURL: 'ftp://u:hunter2-secret@h/v1?token=' + TOKEN});
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(BackendError);
		expect((thrown as Error).message).toContain('http://');
		expect((thrown as Error).message).not.toMatch(/hunter2|gw-token/);
	});
});

describe('a server that echoes credentials', () => {
	const configs: Array<[string, BackendConfig]> = [
		['openai key', {kind: 'openai', baseURL: '', apiKey: KEY, maxRetries: 0}],
		['anthropic key', {kind: 'anthropic', baseURL: '', apiKey: KEY, maxRetries: 0}],
		['a header', {kind: 'openai', baseURL: '', headers: {'x-api-key': KEY}, maxRetries: 0}],
	];
	for (const [what, config] of configs) {
		it.each(['litellm', 'headers'] as const)(`${what}: %s shape, redacted from the error`, async (shape) => {
			const base = config.kind === 'anthropic' ? server.anthropicBaseURL : server.openaiBaseURL;
			server.setResponder((request) => credentialEcho(request, shape));
			const backend = createBackend({...config, baseURL: base});
			const error = await caught(collectStream(backend.stream(messages, {model: 'm'})));
			// The server did echo it: the test would see the key without the boundary.
			expect(JSON.stringify(server.requests[0]!.headers)).toContain(KEY);
			expect(error.message).not.toContain(KEY);
			expect(error.message).toContain('[redacted]');
			expect(error.code).toBe(shape === 'litellm' ? 'auth' : 'bad_request');
		});
	}

	it.each(['X-Authentication', 'X-Csrftoken', 'Proxy-Authorization', 'X-Gateway-Secret'])('a --header named %s is known too, when a server echoes it', async (name) => {
		// Only that header: the message a backend hands on is cut to its first few hundred characters.
		server.setResponder((request) => ({status: 400, message: 'bad request', body: {detail: `Malformed request; headers received: ${JSON.stringify({[name]: request.headers[name.toLowerCase()]})}`}}));
		const backend = createBackend({kind: 'openai', baseURL: server.openaiBaseURL, apiKey: 'unrelated-key-000', headers: {[name]: KEY}, maxRetries: 0});
		const error = await caught(collectStream(backend.stream(messages, {model: 'm'})));
		expect(server.requests[0]!.headers[name.toLowerCase()]).toBe(KEY);
		expect(error.message).toContain(`Malformed request; headers received: {"${name}":`);
		expect(error.message).not.toContain(KEY);
	});

	it('a key the server message is cut in the middle of shows not even its start', async () => {
		// The message is cut to one line of 300 characters before it is redacted: the cut falls inside the key.
		server.setResponder(() => ({status: 401, message: 'denied', body: {detail: `${'a'.repeat(285)} key ${KEY} is not valid`}}));
		const backend = createBackend({kind: 'openai', baseURL: server.openaiBaseURL, apiKey: KEY, maxRetries: 0});
		const error = await caught(collectStream(backend.stream(messages, {model: 'm'})));
		expect(error.message).toMatch(/a{20} key \[redacted\]…/);
		expect(error.message).not.toContain(KEY.slice(0, 5));
	});

	it('a key in the environment is known too', async () => {
		vi.stubEnv('OPENAI_API_KEY', KEY);
		server.setResponder((request) => credentialEcho(request, 'litellm'));
		const backend = createBackend({kind: 'openai', baseURL: server.openaiBaseURL, maxRetries: 0});
		const error = await caught(collectStream(backend.stream(messages, {model: 'm'})));
		expect(server.requests[0]!.headers['authorization']).toBe(`Bearer ${KEY}`);
		expect(error.message).not.toContain(KEY);
	});
});
