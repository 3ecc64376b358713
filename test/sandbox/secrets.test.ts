// Secrets never reach model code, events, trajectories or results: a key the server echoes in a
// sub-call's error, a token in the base URL's query, a password in its userinfo. End to end on the
// real sandbox, the real SDK and the fake server.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent} from '../../source/protocol/events.js';
import {credentialEcho, startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {testCacheDir} from './helpers.js';

const KEY = 'plainkey-4f9c2e7a1b';
const TOKEN = 'gw-token-93ab17';
const PASSWORD = 'hunter2-secret';

let server: FakeLlmServer;
let logDir: string;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model', 'sub-model']});
	logDir = mkdtempSync(join(tmpdir(), 'rlm-tui-secrets-'));
});
afterAll(async () => {
	await server?.close();
	rmSync(logDir, {recursive: true, force: true});
});

/** Everything a run left behind: its result, its events and its trajectory files. */
function everything(rlm: Rlm, result: unknown, events: RlmEvent[]): string {
	return [JSON.stringify(result), JSON.stringify(events), ...rlm.logFiles.map((file) => readFileSync(file, 'utf8'))].join('\n');
}

describe('secrets and model code', () => {
	it.each([
		['the key', ''],
		['the key and the URL token', `?key=${TOKEN}`],
	])('a sub-call whose server echoes %s gives Python an error string without them', async (_what, query) => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({turn}) =>
					turn === 0
						? repl('r = llm_query("hello")\nprint(r)')
						: repl('llm_output(r)'),
				sub: (_prompt, request) => {
					const echo = credentialEcho(request, 'litellm');
					// A gateway that also quotes the URL it was called at.
					return query ? {status: echo.status, message: `${echo.message} at ${request.path}?key=${request.query['key']}`} : echo;
				},
			}),
		);
		const rlm = new Rlm({model: 'root-model', subModel: 'sub-model', backend: 'openai', baseURL: `${server.openaiBaseURL}${query}`, apiKey: KEY, maxIterations: 4, logDir, cacheDir: testCacheDir});
		const events: RlmEvent[] = [];
		rlm.on('event', (event) => events.push(event));
		try {
			const result = await rlm.completion('go', {context: 'x'});
			expect(result.status, result.error).toBe('answered');
			// Python did get the server's error, with the secrets cut out of it.
			expect(result.response).toMatch(/^Error: Authentication failed/);
			expect(result.response).toContain('Received API Key = [redacted]');
			expect(result.iterations[0]!.codeBlocks[0]!.result.stdout).toContain('[redacted]');
			// The sub-call really went out with both secrets, and the server really sent them back.
			const sub = server.requests.find((request) => request.model === 'sub-model')!;
			expect(sub.headers['authorization']).toBe(`Bearer ${KEY}`);
			if (query) expect(sub.query['key']).toBe(TOKEN);
			const all = everything(rlm, result, events);
			expect(rlm.logFiles.length).toBeGreaterThan(0);
			expect(all).not.toContain(KEY);
			expect(all).not.toContain(TOKEN);
		} finally {
			await rlm.dispose();
		}
	});

	it('a run that cannot reach a URL with a password says where without it', async () => {
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: `http://alice:${PASSWORD}@127.0.0.1:9/v1?api_key=${TOKEN}`, maxIterations: 2, logDir, cacheDir: testCacheDir, requestTimeoutMs: 5000});
		const events: RlmEvent[] = [];
		rlm.on('event', (event) => events.push(event));
		try {
			const result = await rlm.completion('go', {context: 'x'});
			expect(result.status).toBe('failed');
			expect(result.error).toContain('127.0.0.1:9');
			const all = everything(rlm, result, events);
			expect(all).not.toContain(PASSWORD);
			expect(all).not.toContain(TOKEN);
		} finally {
			await rlm.dispose();
		}
	});
});
