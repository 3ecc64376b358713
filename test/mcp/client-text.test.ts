// A message that quotes what an MCP client sent (a model name) shows no key in it: a client that
// pastes a key as the model gets [redacted] back, and the key reaches no log or screen.
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {expect, it} from 'vitest';
import {CallRefused, McpRuntime} from '../../source/mcp/runtime.js';

it('a model name that is a key is refused as "[redacted]", and a long one is cut', async () => {
	const runtime = new McpRuntime({
		// Never reached: the model is refused before anything runs.
		rlm: {model: 'fake-model', backend: 'openai', baseURL: 'http://127.0.0.1:1/v1', apiKey: 'test'},
		logDir: mkdtempSync(join(tmpdir(), 'rlm-mcp-client-text-')),
		allowDirs: [],
		callLimits: {},
		lifetime: {},
	});
	const call = {folders: async () => [], signal: new AbortController().signal};
	const refusal = (model: string) => runtime.query({question: 'q', context: 'c', model, limits: {}}, call).then(() => undefined, (error: unknown) => error as Error);
	try {
		const key = await refusal('sk-ant-abcdefghijklmnop1234567890');
		expect(key).toBeInstanceOf(CallRefused);
		expect(key?.message).toMatch(/^Model "\[redacted\]" is not one this server runs: use one of fake-model /);
		expect(key?.message).not.toContain('abcdefghijklmnop');
		expect((await refusal('m'.repeat(3000)))?.message).toMatch(new RegExp(`^Model "m{60}…" is not one`));
	} finally {
		await runtime.close();
	}
});
