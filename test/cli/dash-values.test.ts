// A flag that takes a value takes the next word as it, even when that word starts with a dash
// (as getopt does for an option's required argument): a question, instructions or a number.
// Only one of our own flags there means the value was left out. Through the built CLI, the fake
// server and the real sandbox.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

const model = () => ['-u', server.openaiBaseURL, '-m', 'root-model'];
const oneLine = (stderr: string, pattern: RegExp) => {
	const lines = stderr.trim().split('\n');
	expect(lines).toHaveLength(1);
	expect(lines[0]).toMatch(pattern);
};

describe('values that start with a dash', () => {
	it('-p takes a question that starts with - or -- as the question, word for word', async () => {
		for (const question of ['-e is the flag for what?', '--verbose mode?', '-5 degrees', '--help me', '-h?']) {
			server.requests.length = 0;
			server.setResponder(scripted({root: ({lastUser}) => repl(`llm_output(${JSON.stringify(lastUser.includes(question) ? 'seen' : 'lost')})`)}));
			const result = await runCli([...model(), '-p', question]);
			expect(result.stderr, question).toBe('');
			expect(result.code, question).toBe(0);
			expect(result.stdout.trim(), question).toBe('seen');
			expect(rootRequests(server.requests)[0]!.messages.find((m) => m.role === 'user')!.content).toContain(question);
		}
	});

	it('-s takes instructions that start with a dash, and --prompt= still works', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: ({system}) => repl(`llm_output(${JSON.stringify(system.includes('- answer in French') ? 'seen' : 'lost')})`)}));
		const result = await runCli([...model(), '-s', '- answer in French', '--prompt=--why?']);
		expect(result.stderr).toBe('');
		expect(result.stdout.trim()).toBe('seen');
		expect(rootRequests(server.requests)[0]!.messages.find((m) => m.role === 'user')!.content).toContain('--why?');
	});

	it('a flag of ours after a flag that takes a value is a missing value, not the value', async () => {
		server.requests.length = 0;
		oneLine((await runCli(['-m', '-p', 'q'])).stderr, /^rlm-tui: -m\/--model needs a value: a model name/);
		oneLine((await runCli([...model(), '-p', '--verbose'])).stderr, /^rlm-tui: -p\/--prompt needs a value: the question/);
		oneLine((await runCli([...model(), '-p', '-ve'])).stderr, /^rlm-tui: -p\/--prompt needs a value/);
		oneLine((await runCli([...model(), '-p'])).stderr, /^rlm-tui: -p\/--prompt needs a value/);
		expect(server.requests).toHaveLength(0);
	});

	it('an empty value is called empty, not missing; a blank question says so too', async () => {
		server.requests.length = 0;
		oneLine((await runCli([...model(), '-p', ''])).stderr, /^rlm-tui: -p\/--prompt is empty: give the question, e\.g\. -p "what changed\?"$/);
		oneLine((await runCli([...model(), '--prompt='])).stderr, /^rlm-tui: -p\/--prompt is empty: give the question/);
		oneLine((await runCli(['-m', '', '-p', 'q'])).stderr, /^rlm-tui: -m\/--model is empty: give a model name/);
		oneLine((await runCli([...model(), '-p', '   '], {input: ''})).stderr, /^rlm-tui: -p\/--prompt is only blanks or invisible characters: give the question/);
		expect(server.requests).toHaveLength(0);
	});

	// Zero-width spaces, a BOM, escape sequences, control characters: printable() takes them out, and
	// nothing is left to ask.
	it.each([
		['-p of zero-width spaces', ['-p', '\u200b\u200b'], '', /^rlm-tui: -p\/--prompt is only blanks or invisible characters: give the question/],
		['-p of a BOM, a word joiner and blanks', ['-p', ' \ufeff\u2060 '], '', /^rlm-tui: -p\/--prompt is only blanks or invisible characters/],
		['a piped question of escape sequences and zero-width spaces', [], '\u001b[31m\u200b\u001b[0m\u200b\n', /^rlm-tui: the question piped on stdin is only blanks or invisible characters: pipe the question, or pass -p "question"$/],
		['a piped question of blanks', [], '  \n\t\n', /^rlm-tui: the question piped on stdin is only blanks or invisible characters/],
	])('a question with nothing visible is refused, as blanks are: %s', async (_shape, args, input, message) => {
		server.requests.length = 0;
		const result = await runCli([...model(), ...args], {input});
		expect(result.code).toBe(2);
		oneLine(result.stderr, message);
		expect(result.stdout).toBe('');
		expect(server.requests).toHaveLength(0);
	});

	it('a question with visible text among invisible characters is asked', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: () => repl('llm_output("asked")')}));
		const result = await runCli([...model(), '-p', '\u200bwhy?\u200b']);
		expect(result.stdout.trim()).toBe('asked');
		expect(server.requests.length).toBeGreaterThan(0);
	});

	it('an unknown flag is named as typed, quoted when it is not a plain flag word', async () => {
		oneLine((await runCli([...model(), '--verbose mode?'])).stderr, /^rlm-tui: unknown flag "--verbose mode\?" \(see rlm-tui --help\)$/);
		oneLine((await runCli([...model(), '-5 degrees'])).stderr, /^rlm-tui: unknown flag "-5 degrees" /);
		oneLine((await runCli([...model(), '--maxDept', '3', '-p', 'q'])).stderr, /^rlm-tui: unknown flag --maxDept \(did you mean --max-depth\? /);
		oneLine((await runCli([...model(), '-vx', '-p', 'q'])).stderr, /^rlm-tui: unknown flag -x /);
	});

	it('the early look for --help agrees: a value is not a request for help, a lone -h is', async () => {
		const asked = await runCli(['-b', 'demo', '-p', '--help']);
		expect(asked.stdout).toContain('Usage');
		const model = await runCli(['-b', 'demo', '-m', 'help', '-p', 'q', '-t', '-0.5']);
		expect(model.stdout).not.toContain('Usage');
		oneLine(model.stderr, /--temperature/);
	});
});
