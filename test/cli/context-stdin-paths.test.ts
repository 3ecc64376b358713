// `-c /dev/stdin` (or /dev/fd/0, /proc/self/fd/0) is `-c -`: stdin read once as the context,
// not a file read beside the stdin the app also takes. Through the built CLI and the real sandbox.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

const model = () => ['-u', server.openaiBaseURL, '-m', 'root-model'];

describe('stdin named by its path', () => {
	it.each(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0'])('-c %s gives Python the piped text, as -c - does', async (path) => {
		server.setResponder(scripted({root: () => repl('import json\nllm_output(json.dumps(context))')}));
		const result = await runCli([...model(), '-c', path, '-p', 'q'], {input: 'hello stdin\n'});
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(JSON.parse(result.stdout)).toBe('hello stdin\n');
	});

	it('beside a file it is the "stdin" entry, once', async () => {
		server.setResponder(scripted({root: () => repl('import json\nllm_output(json.dumps(context, sort_keys=True))')}));
		const result = await runCli([...model(), '-c', 'package.json', '-c', '/dev/stdin', '-p', 'q'], {input: 'hello stdin\n'});
		expect(result.code).toBe(0);
		const context = JSON.parse(result.stdout) as Record<string, string>;
		expect(Object.keys(context)).toEqual(['package.json', 'stdin']);
		expect(context.stdin).toBe('hello stdin\n');
	});
});
