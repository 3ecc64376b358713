// Model code tries to drive the user's terminal through the headless CLI, as an attacker would:
// escape sequences (window title, OSC 52 clipboard, OSC 8 links) and bidi/zero-width characters in
// a variable name shown by --resume, in a sub-call's model name shown by -e, and in a server error
// shown when the run fails. The built CLI, the fake server and the real sandbox.
import {mkdtempSync, readdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {fakeLlmServerForFile, rootModelFlags} from '../support/fake-llm-for-file.js';
import {repl, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';

const server = fakeLlmServerForFile({models: ['root-model']});

const model = () => rootModelFlags(server());
/** Python source for a string holding a title change, a clipboard write, a link, bidi and a zero-width space. */
const EVIL_PY = String.raw`"\x1b]0;pwned\x07\x1b]52;c;cm0gLXJmIH4=\x07\x1b]8;;http://evil\x1b\\x\u202egnp.exe\u200bz\x9b2J"`;
const ESCAPES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b]/;

describe('untrusted text on the terminal', () => {
	it('a variable name with escapes, shown by --resume, arrives as plain text', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-escapes-'));
		server().setResponder(scripted({root: () => repl(`globals()[${EVIL_PY}] = 1\nllm_output("stored")`)}));
		const first = await runCli([...model(), '--log-dir', logDir, '-p', 'store it']);
		expect(first.stdout.trim()).toBe('stored');
		server().setResponder(scripted({root: () => repl('llm_output("again")')}));
		const second = await runCli([...model(), '--resume', '--log-dir', logDir, '-p', 'again']);
		expect(second.code).toBe(0);
		// The name is listed, without what would drive the terminal.
		expect(second.stderr).toMatch(/variables: .*\bxgnp\.exez\b/);
		expect(second.stderr).not.toMatch(ESCAPES);
	});

	it('a sub-call model name with escapes, shown by -e, arrives as plain text', async () => {
		server().setResponder(
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
		server().setResponder(() => ({status: 400, message: 'bad model \u001b]0;pwned\u0007name\u202e'}));
		const result = await runCli([...model(), '-p', 'go']);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/^rlm-tui: .*bad model name/m);
		expect(result.stderr).not.toMatch(ESCAPES);
	});

	it('an answer with escapes: piped, written exactly; --json (and --replay --json) holds it exactly, every control written as a \\u escape', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-escapes-'));
		server().setResponder(scripted({root: () => repl(`llm_output(${EVIL_PY})`)}));
		// The characters the Python literal means (its \\xNN, \\uNNNN and \\\\ escapes).
		const exact = EVIL_PY.slice(1, -1).replace(/\\(x[0-9a-f]{2}|u[0-9a-f]{4}|\\)/g, (_, code: string) => (code === '\\' ? '\\' : String.fromCharCode(parseInt(code.slice(1), 16))));
		const piped = await runCli([...model(), '--log-dir', logDir, '-p', 'go']);
		expect(piped.stdout).toBe(`${exact}\n`);
		const json = await runCli([...model(), '--json', '-p', 'go']);
		expect(json.code).toBe(0);
		expect(json.stdout).not.toMatch(ESCAPES);
		expect((JSON.parse(json.stdout) as {response: unknown}).response).toBe(exact);
		const [file] = readdirSync(logDir).filter((name) => name.endsWith('.jsonl'));
		const replayed = await runCli(['--replay', join(logDir, file), '--json']);
		expect(replayed.code).toBe(0);
		expect(replayed.stdout).not.toMatch(ESCAPES);
		expect(replayed.stdout).toContain('\\u009b2J');
	});
});
