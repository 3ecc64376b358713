// The built CLI's -e log when a block fails: the one line says what happened (the sandbox's
// timeout notice, not the bare KeyboardInterrupt its interrupt leaves as the traceback's last
// line; the exception line of an ordinary error).
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {cleanEnv, runCli} from '../support/run-cli.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer();
});
afterAll(async () => {
	await server?.close();
});

const run = (code: string) => {
	server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl(code) : {text: 'FINAL(done)'})}));
	return runCli(['-b', 'openai', '-u', server.openaiBaseURL, '-m', 'm', '-e', '--timeout', '1', '-p', 'q'], {env: cleanEnv({OPENAI_API_KEY: 'sk-test'})});
};

describe('-e: the line of a failed block', () => {
	it.each([['while True: pass'], ['import time\ntime.sleep(100)']])('a timeout (%s) says it timed out, not KeyboardInterrupt', async (code) => {
		const result = await run(code);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toMatch(/^→ ✗ Timed out after 1 s of Python time \(waiting for sub-calls does not count\): the block was interrupt/m);
		expect(result.stderr).not.toMatch(/→ ✗ KeyboardInterrupt/);
	});

	it('an exception says its exception line', async () => {
		const result = await run('def f():\n    raise ValueError("bad value")\nf()');
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toMatch(/^→ ✗ ValueError: bad value$/m);
	});
});
