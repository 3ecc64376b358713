// The CLI keeps the conventions its users rely on: help and version anywhere, one clear line for
// a mistake (naming the flag and the value), model aliases, and the cost at the end of -e.
import {spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {cleanEnv, cliPath, runCli} from '../support/run-cli.js';
import {expectOneLineError} from '../support/one-line-error.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string}).version;

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['gpt-4o', 'claude-sonnet-5-5']});
});
afterAll(async () => {
	await server?.close();
});

const oneLine = (stderr: string, pattern: RegExp) => {
	expectOneLineError(stderr, pattern);
	expect(stderr).not.toMatch(/NaN|\n\s+at /);
};

describe('help and version', () => {
	it('--help, -h anywhere on the line, and `rlm-tui help` print the help on stdout and exit 0', async () => {
		for (const args of [['--help'], ['-h'], ['-b', 'demo', '-p', 'q', '--help'], ['help']]) {
			const result = await runCli(args);
			expect(result.code, args.join(' ')).toBe(0);
			expect(result.stdout).toContain('Usage');
			expect(result.stdout).toContain('--max-iterations');
			expect(result.stderr).toBe('');
		}
	});

	it('`rlm-tui serve --help` and `rlm-tui help serve` print serve\'s help, and start no server', async () => {
		for (const args of [['serve', '--help'], ['help', 'serve'], ['serve', '--port', '0', '-h']]) {
			const result = await runCli(args, {timeoutMs: 20_000});
			expect(result.code, args.join(' ')).toBe(0);
			expect(result.stdout).toContain('rlm-tui serve');
			expect(result.stdout).toContain('/v1/responses');
			expect(result.stdout).toContain('--cors');
			expect(result.stderr).toBe('');
		}
	});

	it('`rlm-tui help TOPIC` without such a topic is a usage error: one line naming the topics, exit 2', async () => {
		for (const args of [['help', 'frob'], ['-b', 'demo', 'help', 'frob']]) {
			const result = await runCli(args);
			expect(result.code, args.join(' ')).toBe(2);
			expect(result.stdout).toBe('');
			expect(result.stderr).toBe('rlm-tui: no help on "frob": the topics are serve and mcp (rlm-tui help [serve|mcp])\n');
		}
	});

	it('-V and --version print the package version', async () => {
		for (const flag of ['-V', '--version']) {
			const result = await runCli([flag]);
			expect(result.code).toBe(0);
			expect(result.stdout).toBe(`${packageVersion}\n`);
		}
	});

	it('lists the model aliases per backend', async () => {
		const {stdout} = await runCli(['--help']);
		expect(stdout).toMatch(/anthropic: sonnet = claude-sonnet-5-5, opus = claude-opus-5-5, haiku = claude-haiku-5-5/);
		expect(stdout).toMatch(/openai: .*4o = gpt-4o/);
	});
});

describe('a mistake gets one line that names it', () => {
	it('an unknown flag, with a hint when one is close', async () => {
		const near = await runCli(['--max-dept', '3', '-p', 'q']);
		expect(near.code).toBe(2);
		oneLine(near.stderr, /unknown flag --max-dept \(did you mean --max-depth\?/);
		const far = await runCli(['--frobnicate', '-p', 'q']);
		oneLine(far.stderr, /unknown flag --frobnicate \(see rlm-tui --help\)/);
		oneLine((await runCli(['-x', '-p', 'q'])).stderr, /unknown flag -x/);
	});

	it('an unknown command', async () => {
		const result = await runCli(['sevre']);
		expect(result.code).toBe(2);
		oneLine(result.stderr, /unknown command "sevre" \(did you mean serve\?\)/);
	});

	it('a number flag given something else names the flag and the value', async () => {
		oneLine((await runCli(['-b', 'demo', '-t', 'hot', '-p', 'q'])).stderr, /-t\/--temperature needs a number, not "hot"/);
		oneLine((await runCli(['-b', 'demo', '--max-depth', 'two', '-p', 'q'])).stderr, /--max-depth needs a number, not "two"/);
		oneLine((await runCli(['serve', '-b', 'demo', '--port', 'http'])).stderr, /--port needs a number, not "http"/);
		oneLine((await runCli(['-b', 'demo', '--max-iterations', '0', '-p', 'q'])).stderr, /Invalid --max-iterations "0": expected a whole number/);
	});

	it('a number flag out of range is named with what was typed, then what it was read as', async () => {
		const cases: Array<[string[], RegExp]> = [
			[['--keep-warm', '90s'], /Invalid --keep-warm "90s" \(1\.5 minutes\): expected a whole number of minutes from 0 to 120/],
			[['--keep-warm', '3h'], /Invalid --keep-warm "3h" \(180 minutes\): expected a whole number of minutes/],
			[['--timeout', '2d'], /Invalid --timeout "2d" \(172800 seconds\): expected a number of seconds/],
			[['--max-timeout', '40d'], /Invalid --max-timeout "40d" \(3456000 seconds\): expected a number of seconds/],
			[['--request-timeout', '10m'], /Invalid --request-timeout "10m" \(600 seconds\): expected a number of seconds/],
			[['--memory-limit', '8G'], /Invalid --memory-limit "8G" \(8192 MB\): expected a whole number of MB/],
			[['--context-window', '1k'], /Invalid --context-window "1k" \(1000\): expected a whole number of tokens/],
			[['--max-budget', '$0'], /Invalid --max-budget "\$0" \(0 USD\): expected a number above 0/],
			[['--max-iterations', '0'], /Invalid --max-iterations "0": expected a whole number/],
		];
		for (const [flag, message] of cases) oneLine((await runCli(['-b', 'demo', ...flag, '-p', 'q'])).stderr, message);
		oneLine((await runCli(['serve', '-b', 'demo', '--port', '70_000'])).stderr, /Invalid --port "70_000" \(70000\): expected 0-65535/);
		oneLine((await runCli(['serve', '-b', 'demo', '--max-concurrent', '0.5'])).stderr, /Invalid --max-concurrent "0\.5": expected a whole number/);
		oneLine((await runCli(['mcp', '-b', 'demo', '--total-budget', '$0'])).stderr, /Invalid --total-budget "\$0" \(0 USD\): expected a number above 0/);
	});

	it('a value with line breaks is quoted escaped, on the error\'s one line', async () => {
		const header = await runCli(['-u', server.openaiBaseURL, '-m', 'gpt-4o', '--header', 'X-A: b\r\nEvil: 1', '-p', 'q']);
		expect(header.code).toBe(2);
		oneLine(header.stderr, /^rlm-tui: Invalid --header "X-A: b\\r\\nEvil: 1": a header's value must be one line/);
		for (const args of [['fr\nob'], ['-b', 'x\ny', '-p', 'q'], ['--max-iterations', '3\n4', '-p', 'q']]) {
			const result = await runCli(args);
			expect(result.code, args.join(' ')).toBe(2);
			oneLine(result.stderr, /"[^"\n]*\\n[^"\n]*"/);
		}
	});

	it('--replay with a flag of a run to make: the run would be dropped, so it is a usage error', async () => {
		for (const [extra, named] of [[['-p', 'q'], '-p'], [['-c', 'notes.txt'], '-c'], [['--resume'], '--resume']] as const) {
			const result = await runCli(['--replay', 'run.jsonl', ...extra]);
			expect(result.code).toBe(2);
			oneLine(result.stderr, new RegExp(`--replay shows a logged run and runs nothing, so ${named} has no use with it`));
		}
	});

	it('--replay with a question piped on stdin: one note says it is ignored, and the replay is shown; nothing piped, no note', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-replay-stdin-'));
		expect((await runCli(['-b', 'demo', '--log-dir', logDir, '-p', 'q'])).code).toBe(0);
		const file = join(logDir, readdirSync(logDir).find((name) => name.endsWith('.jsonl'))!);
		const piped = await runCli(['--replay', file, '--json'], {input: 'what is in the log?\n'});
		expect(piped.code).toBe(0);
		oneLine(piped.stderr, /^rlm-tui: note: the piped stdin is ignored: --replay shows a logged run and runs nothing/);
		expect(JSON.parse(piped.stdout)).toHaveProperty('runs');
		const quiet = await runCli(['--replay', file, '--json']);
		expect(quiet.code).toBe(0);
		expect(quiet.stderr).toBe('');
	});

	it('a serve option without serve, and a --cors that is not an origin', async () => {
		oneLine((await runCli(['-b', 'demo', '--port', '9000', '-p', 'q'])).stderr, /--port is an option of rlm-tui serve and rlm-tui mcp --http/);
		oneLine((await runCli(['serve', '-b', 'demo', '--port', '0', '--cors', 'localhost:3000/app'])).stderr, /Invalid --cors "localhost:3000\/app": expected an origin/);
		oneLine((await runCli(['serve', '-b', 'demo', '--port', '0', '--cors', '*'])).stderr, /--cors "\*" .*--token/);
	});

	it('a flag that takes one value, given twice, is named as it is typed', async () => {
		const twice = await runCli(['-u', 'http://a', '-u', 'http://b', '-p', 'hi']);
		expect(twice.code).not.toBe(0);
		oneLine(twice.stderr, /^rlm-tui: -u\/--backend-url can only be set once/);
		oneLine((await runCli(['-b', 'demo', '--max-depth', '2', '--max-depth', '3', '-p', 'q'])).stderr, /^rlm-tui: --max-depth can only be set once/);
		expect(twice.stderr).not.toMatch(/backendUrl|maxDepth/);
	});

	it('-m, -p and -c without their value say so', async () => {
		oneLine((await runCli(['-m'])).stderr, /-m\/--model needs a value/);
		oneLine((await runCli(['-m', '-p', 'q'])).stderr, /-m\/--model needs a value/);
		oneLine((await runCli(['-b', 'demo', '-p'])).stderr, /-p\/--prompt needs a value/);
		oneLine((await runCli(['-b', 'demo', '-c', '-p', 'q'])).stderr, /-c\/--context-file needs a value/);
	});
});

describe('model aliases', () => {
	it('`-b anthropic -m sonnet` asks the server for claude-sonnet-5-5', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: () => repl('llm_output("hi")')}));
		const result = await runCli(['-b', 'anthropic', '-u', server.anthropicBaseURL, '-m', 'sonnet', '-p', 'q'], {env: cleanEnv({ANTHROPIC_API_KEY: 'test-key'})});
		expect(result.stderr).toBe('');
		expect(result.stdout.trim()).toBe('hi');
		expect(rootRequests(server.requests)[0]!.model).toBe('claude-sonnet-5-5');
	});

	it('`-m 4o --sub-model 4o-mini` on an OpenAI-compatible server asks for gpt-4o and gpt-4o-mini', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: () => repl('llm_output(llm_query("x"))'), sub: () => ({text: 'sub answer'})}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', '4o', '--sub-model', '4o-mini', '-p', 'q']);
		expect(result.stdout.trim()).toBe('sub answer');
		expect(server.requests.map((request) => request.model)).toEqual(['gpt-4o', 'gpt-4o-mini']);
	});

	it('a name that is no alias of its backend goes through as typed', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: () => repl('llm_output("ok")')}));
		await runCli(['-u', server.openaiBaseURL, '-m', 'sonnet', '-p', 'q']);
		expect(rootRequests(server.requests)[0]!.model).toBe('sonnet');
	});
});

describe('-e exec log', () => {
	it('ends with the cost when the model has a known price', async () => {
		server.setResponder(scripted({root: () => ({...repl('llm_output("done")'), usage: {inputTokens: 1_000_000, outputTokens: 100_000}})}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'gpt-4o', '-e', '-p', 'q']);
		expect(result.code).toBe(0);
		// gpt-4o: $2.50 per million input tokens, $10 per million output tokens.
		expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^■ answered after 1 iteration\(s\), .*1,000,000 in \/ 100,000 out, ~\$3\.50$/);
	});

	it('marks the answer with 🎯 whether code submitted it or the reply wrote FINAL(...)', async () => {
		server.setResponder(scripted({root: () => ({text: 'I know this one.\nFINAL(forty-two)'})}));
		const prose = await runCli(['-u', server.openaiBaseURL, '-m', 'gpt-4o', '-e', '-p', 'q']);
		expect(prose.stdout.trim()).toBe('forty-two');
		expect(prose.stderr).toContain('🎯 FINAL (in the reply)');
		server.setResponder(scripted({root: () => repl('llm_output("done")')}));
		const code = await runCli(['-u', server.openaiBaseURL, '-m', 'gpt-4o', '-e', '-p', 'q']);
		expect(code.stderr.match(/🎯 FINAL/g)).toHaveLength(1);
		expect(code.stderr).not.toContain('(in the reply)');
	});

	it('says nothing of cost for a model without a known price', async () => {
		const result = await runCli(['-b', 'demo', '-e', '-p', 'The cat sat.']);
		expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^■ answered after \d+ iteration\(s\), [^$]*out$/);
	});
});

describe('the process name', () => {
	it.runIf(process.platform === 'linux')('ps shows "rlm-tui serve", not an empty name, and not the flags (a -k key)', async () => {
		const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '-b', 'demo', '-k', 'sk-visible-to-ps-1234'], {env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe']});
		try {
			// serve says where it listens once it is up.
			await new Promise<void>((resolve, reject) => {
				let stderr = '';
				child.stderr.on('data', (chunk: Buffer) => {
					stderr += chunk.toString();
					if (stderr.includes('http://')) resolve();
				});
				child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
			});
			const shown = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
			expect(shown).toBe('rlm-tui serve');
			expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8')).not.toContain('sk-visible-to-ps');
		} finally {
			child.kill('SIGTERM');
		}
	});
});
