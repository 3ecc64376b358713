// Model code tries to drive the user's terminal through the headless CLI, as an attacker would:
// escape sequences (window title, OSC 52 clipboard, OSC 8 links) and bidi/zero-width characters in
// a variable name shown by --resume, in a sub-call's model name shown by -e, and in a server error
// shown when the run fails. The built CLI, the fake server and the real sandbox.
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
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
/** Python source for a string holding a title change, a clipboard write, a link, bidi and a zero-width space. */
const EVIL_PY = String.raw`"\x1b]0;pwned\x07\x1b]52;c;cm0gLXJmIH4=\x07\x1b]8;;http://evil\x1b\\x\u202egnp.exe\u200bz\x9b2J"`;
const ESCAPES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b]/;

describe('untrusted text on the terminal', () => {
	it('a variable name with escapes, shown by --resume, arrives as plain text', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-escapes-'));
		server.setResponder(scripted({root: () => repl(`globals()[${EVIL_PY}] = 1\nllm_output("stored")`)}));
		const first = await runCli([...model(), '--log-dir', logDir, '-p', 'store it']);
		expect(first.stdout.trim()).toBe('stored');
		server.setResponder(scripted({root: () => repl('llm_output("again")')}));
		const second = await runCli([...model(), '--resume', '--log-dir', logDir, '-p', 'again']);
		expect(second.code).toBe(0);
		// The name is listed, without what would drive the terminal.
		expect(second.stderr).toMatch(/variables: .*\bxgnp\.exez\b/);
		expect(second.stderr).not.toMatch(ESCAPES);
	});

	it('a sub-call model name with escapes, shown by -e, arrives as plain text', async () => {
		server.setResponder(
			scripted({
				root: ({turn}) => (turn === 0 ? repl(`r = llm_query("hi", model=${EVIL_PY})\nprint(r)`) : repl('llm_output("done")')),
				sub: () => ({text: 'sub says hi'}),
			}),
		);
		const result = await runCli([...model(), '-e', '-p', 'go']);
		expect(result.stdout.trim()).toBe('done');
		expect(result.stderr).toContain('── iter 1 ──');
		expect(result.stderr).not.toMatch(ESCAPES);
	});

	it("a server error with escapes, shown when the run fails, arrives as plain text", async () => {
		server.setResponder(() => ({status: 400, message: 'bad model \u001b]0;pwned\u0007name\u202e'}));
		const result = await runCli([...model(), '-p', 'go']);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/^rlm-tui: .*bad model name/m);
		expect(result.stderr).not.toMatch(ESCAPES);
	});
});
