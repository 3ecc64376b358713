// An end-of-turn token a server leaves after a reply's closing fence (a wrong chat template, or
// skip_special_tokens=false), end to end through the real SDKs and the real sandbox: the block runs
// once and answers; the token line is never run as Python.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {apis, of, runScripted} from '../support/scripted-run.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';

let server: FakeLlmServer;
let logDir: string;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
	logDir = mkdtempSync(join(tmpdir(), 'rlm-tui-end-of-turn-'));
});
afterAll(async () => {
	await server?.close();
	rmSync(logDir, {recursive: true, force: true});
});

const TOKENS = ['<|end|>', '<|im_end|>', '</s>', '<|eot_id|>', '<|return|>', '<|endoftext|>'];

describe.each(apis)('through the %s SDK', (api) => {
	it.each(TOKENS)('a reply ending ```%s: its block runs once and answers', async (token) => {
		for (const chunkSize of [1, 4, 13]) {
			const text = `Counting.\n\`\`\`repl\nFINAL("tok")\n\`\`\`${token}`;
			const {result, events} = await runScripted(server, logDir, api, {root: () => ({text, chunkSize})}, {maxIterations: 3});
			expect({chunkSize, status: result.status, response: result.response}).toEqual({chunkSize, status: 'answered', response: 'tok'});
			expect(of(events, 'code.start').map((e) => e.code)).toEqual(['FINAL("tok")']);
			expect(result.iterations).toHaveLength(1);
			expect(result.iterations[0]!.response).toBe('Counting.\n```repl\nFINAL("tok")\n```');
		}
	});
});
