// The run-wide limits from the command line: the built CLI against the fake server and the real
// sandbox. Each flag (and its settings entry) stops a run with its best answer, exit code 3, and a
// line naming the limit; -e and --json show use against each cap; bad values are one clear line.
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted, subRequests} from '../support/rlm-script.js';
import {cleanEnv, runCli} from '../support/run-cli.js';
import {expectOneLineError} from '../support/one-line-error.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model', 'sub-model', 'other-model']});
});
afterAll(async () => {
	await server?.close();
});

const base = () => ['-u', server.openaiBaseURL, '-m', 'root-model'];

/** Root code that keeps calling the sub-model, writing a draft answer after the second call. */
const subCallLoop = repl(
	['for i in range(1000):', '    r = llm_query(f"part {i}")', '    if i == 1:', '        answer["content"] = "draft after two calls"'].join('\n'),
);

describe('run-wide limits on the command line', () => {
	it('--max-sub-calls stops an llm_query loop: the draft answer on stdout, exit 3, the limit named on stderr', async () => {
		server.setResponder(scripted({root: () => subCallLoop}));
		server.requests.splice(0);
		const result = await runCli([...base(), '--max-sub-calls', '4', '-p', 'loop']);
		expect(result.stdout.trim()).toBe('draft after two calls');
		expect(result.code).toBe(3);
		expect(result.stderr).toMatch(/^rlm-tui: stopped by a limit: .*limit of 4 sub-calls \(--max-sub-calls\).*\(above: the best answer it had\)$/m);
		expect(subRequests(server.requests)).toHaveLength(4);
	});

	it('-e shows use against each cap on the iteration lines and at the end, and which limit stopped the run', async () => {
		server.setResponder(scripted({root: () => subCallLoop}));
		const result = await runCli([...base(), '-e', '--max-sub-calls', '3', '--max-tokens', '1000000', '--max-budget', '$5', '-p', 'loop']);
		expect(result.code).toBe(3);
		// The first iteration line: nothing used yet, each cap that is set.
		expect(result.stderr).toContain('── iter 1 ── $0/$5.00 · 0/1.0M tok · 0/3 sub-calls');
		expect(result.stderr).toMatch(/■ limited \(maxSubCalls\) after 1 iteration/);
		expect(result.stderr).toMatch(/limits: .*\/1\.0M tok · 3\/3 sub-calls/);
		// What stopped it is told once, before the summary line.
		const told = result.stderr.split('\n').filter((line) => /^\s*! .*--max-sub-calls/.test(line));
		expect(told).toHaveLength(1);
		expect(result.stderr.indexOf(told[0]!)).toBeLessThan(result.stderr.indexOf('■ limited'));
		// The block the limit interrupted says so on its line, not a bare KeyboardInterrupt.
		expect(result.stderr).toMatch(/→ ■ The run's limit of 3 sub-calls \(--max-sub-calls\) is reached\. The block was interrupted\./);
		expect(result.stderr).not.toMatch(/→ ✗ .*KeyboardInterrupt/);
	});

	it('--json reports status limited and the limit', async () => {
		server.setResponder(scripted({root: () => subCallLoop}));
		const result = await runCli([...base(), '--json', '--max-sub-calls', '2', '-p', 'loop']);
		expect(result.code).toBe(3);
		const json = JSON.parse(result.stdout) as {status: string; limit: string; response: string};
		expect(json).toMatchObject({status: 'limited', limit: 'maxSubCalls', response: 'draft after two calls'});
	});

	it('--max-tokens stops the tree at input plus output tokens', async () => {
		server.setResponder(
			scripted({root: () => ({...subCallLoop, usage: {inputTokens: 300, outputTokens: 50}}), sub: () => ({text: 'ok', usage: {inputTokens: 100, outputTokens: 100}})}),
		);
		server.requests.splice(0);
		const result = await runCli([...base(), '--max-tokens', '1000', '--json', '-p', 'loop']);
		expect(result.code).toBe(3);
		const json = JSON.parse(result.stdout) as {status: string; limit: string; usage: {totalTokens: number}};
		expect(json).toMatchObject({status: 'limited', limit: 'maxTokens'});
		// 350 for the root reply, then 200 a sub-call: the cap of 1,000 is reached at the fourth.
		expect(subRequests(server.requests).length).toBeLessThanOrEqual(4);
		expect(json.usage.totalTokens).toBeGreaterThanOrEqual(1000);
	});

	it('--max-errors stops a run whose blocks keep failing, with the forced best answer', async () => {
		server.setResponder(scripted({root: ({turn, lastUser}) => (/No code\./.test(lastUser) ? {text: `FINAL(gave up after ${turn} tries)`} : repl('1/0'))}));
		const result = await runCli([...base(), '--max-errors', '2', '--json', '-p', 'divide']);
		expect(result.code).toBe(3);
		const json = JSON.parse(result.stdout) as {status: string; limit: string; response: string};
		expect(json).toMatchObject({status: 'limited', limit: 'maxErrors', response: 'gave up after 2 tries'});
	});

	it('out of iterations with no answer even from the forced call: exit 3 and a line that says so, not a silent 0', async () => {
		server.setResponder(scripted({root: () => repl('1/0', '')}));
		const result = await runCli([...base(), '--max-iterations', '1', '-p', 'divide']);
		expect(result.code).toBe(3);
		expect(result.stdout).toBe('');
		expect(result.stderr.trim().split('\n').at(-1)).toBe('rlm-tui: out of iterations (1) with no answer, even when asked for one: raise --max-iterations, or ask again');
	});

	it('out of iterations, --json names the limit that forced the answer (maxIterations), with or without an answer', async () => {
		server.setResponder(scripted({root: () => repl('1/0', '')}));
		const empty = await runCli([...base(), '--max-iterations', '1', '--json', '-p', 'divide']);
		expect(empty.code).toBe(3);
		expect(JSON.parse(empty.stdout)).toMatchObject({status: 'forced', limit: 'maxIterations', response: ''});
		server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('x = 1', '') : {text: 'FINAL(one)'})}));
		const answered = await runCli([...base(), '--max-iterations', '1', '--json', '-p', 'answer']);
		expect(answered.code).toBe(0);
		expect(JSON.parse(answered.stdout)).toMatchObject({status: 'forced', limit: 'maxIterations', response: 'one'});
	});

	it('out of iterations, and the forced answer cut at the output-token limit: the answer, marked, and exit 3 with why', async () => {
		server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('x = 1', '') : {text: 'The answer is the first half of', finishReason: 'length'})}));
		const result = await runCli([...base(), '--max-iterations', '1', '-p', 'answer']);
		expect(result.code).toBe(3);
		expect(result.stdout).toMatch(/^The answer is the first half of\n\n\[cut off: this reply reached the output-token limit and is incomplete\]\n$/);
		expect(result.stderr.trim().split('\n').at(-1)).toBe('rlm-tui: out of iterations (1); the answer was forced from the work so far, and that reply was cut off (length): it is incomplete');
	});

	it('--max-timeout counts time waiting on a sub-call: a sub-model that never answers stops at the limit', async () => {
		server.setResponder(scripted({root: () => repl('llm_output(llm_query("hang"))'), sub: () => new Promise(() => {})}));
		const result = await runCli([...base(), '--max-timeout', '1', '--json', '-p', 'wait']);
		expect(result.code).toBe(3);
		const json = JSON.parse(result.stdout) as {status: string; limit: string};
		expect(json).toMatchObject({status: 'limited', limit: 'maxTimeout'});
	});

	it('--allow-models lets model= name another model; any other gets an Error: string', async () => {
		const code = 'a = llm_query("x", model="other-model")\nb = llm_query("x", model="secret-model")\nllm_output(a[:6] + "|" + b[:6])';
		server.setResponder(scripted({root: () => repl(code), sub: (_prompt, request) => ({text: `from ${request.model}`})}));
		const allowed = await runCli([...base(), '--allow-models', 'other-model', '-p', 'pick']);
		expect(allowed.code).toBe(0);
		expect(allowed.stdout.trim()).toBe('from o|Error:');
		const refused = await runCli([...base(), '-p', 'pick']);
		expect(refused.stdout.trim()).toBe('Error:|Error:');
	});

	it('allowModels saved in the settings file holds when no --allow-models is given', async () => {
		const env = cleanEnv();
		mkdirSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui'), {recursive: true});
		writeFileSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui', 'settings.json'), JSON.stringify({allowModels: ['other-model']}));
		const code = 'a = llm_query("x", model="other-model")\nllm_output(a[:6])';
		server.setResponder(scripted({root: () => repl(code), sub: (_prompt, request) => ({text: `from ${request.model}`})}));
		const result = await runCli([...base(), '-p', 'pick'], {env});
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('from o');
	});

	it('the settings file sets a limit; a flag wins over it', async () => {
		const env = cleanEnv();
		mkdirSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui'), {recursive: true});
		writeFileSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui', 'settings.json'), JSON.stringify({maxSubCalls: 2}));
		server.setResponder(scripted({root: () => subCallLoop}));
		server.requests.splice(0);
		const fromSettings = await runCli([...base(), '--json', '-p', 'loop'], {env});
		expect(JSON.parse(fromSettings.stdout)).toMatchObject({status: 'limited', limit: 'maxSubCalls'});
		expect(subRequests(server.requests)).toHaveLength(2);
		server.requests.splice(0);
		const fromFlag = await runCli([...base(), '--json', '--max-sub-calls', '3', '-p', 'loop'], {env});
		expect(JSON.parse(fromFlag.stdout)).toMatchObject({status: 'limited', limit: 'maxSubCalls'});
		expect(subRequests(server.requests)).toHaveLength(3);
	});

	it('a bad value is one clear line naming the flag, and nothing runs', async () => {
		for (const [args, pattern] of [
			[['--max-budget', 'lots'], /--max-budget needs a number, not "lots"/],
			[['--max-budget', '0'], /Invalid --max-budget "0": expected a number above 0 \(USD/],
			[['--max-tokens', '1.5'], /Invalid --max-tokens "1\.5": expected a whole number/],
			[['--max-errors', '0'], /Invalid --max-errors "0"/],
			[['--max-timeout', '-3'], /Invalid --max-timeout "-3"/],
			[['--max-sub-calls'], /--max-sub-calls needs a number/],
		] as Array<[string[], RegExp]>) {
			const result = await runCli([...base(), ...args, '-p', 'q']);
			expect(result.code).toBe(2);
			expectOneLineError(result.stderr, pattern);
		}
	});
});

describe('a window given on the command line or saved', () => {
	it('the over-window warning names --context-window, or the settings file, as where the figure came from', async () => {
		server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('print("a")') : repl('llm_output("done")'))}));
		const question = 'Why? '.repeat(700);
		const flag = await runCli([...base(), '--context-window', '1024', '-p', question]);
		expect(flag.code).toBe(0);
		expect(flag.stderr).toMatch(/rlm-tui: warning: .*over the 1,024-token window of root-model \(--context-window\)/);
		const env = cleanEnv();
		mkdirSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui'), {recursive: true});
		writeFileSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui', 'settings.json'), JSON.stringify({contextWindow: 1024}));
		const saved = await runCli([...base(), '-p', question], {env});
		expect(saved.code).toBe(0);
		expect(saved.stderr).toMatch(/over the 1,024-token window of root-model \(contextWindow in the settings file\)/);
	});

	it('a small window never cuts the question: every root request holds it whole; on 2,048 tokens it fits without a warning', async () => {
		server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('print("a" * 3000)') : repl('llm_output("done")'))}));
		const question = `${'Which of the listed items matters most, and why? '.repeat(14)}THE-END-OF-MY-QUESTION`;
		expect(question.length).toBeGreaterThan(700);
		for (const window of ['2048', '1024']) {
			server.requests.splice(0);
			const result = await runCli([...base(), '--context-window', window, '-p', question]);
			expect(result.code).toBe(0);
			const roots = rootRequests(server.requests);
			expect(roots.length).toBeGreaterThanOrEqual(2);
			for (const request of roots) {
				expect(request.messages[0]!.role).toBe('system');
				expect(request.messages[1]!.content).toContain(question);
			}
			if (window === '2048') expect(result.stderr).not.toMatch(/over the/);
		}
	});

	it('the over-window warning counts what it says: a prompt under the window is over only with the reply’s room, and says so', async () => {
		server.setResponder(scripted({root: () => repl('llm_output("done")')}));
		// About 830 tokens of prompt (system and question): under 1,024 tokens, over it with a 256-token reply.
		const result = await runCli([...base(), '--context-window', '1024', '-p', 'Why? '.repeat(260)]);
		expect(result.code).toBe(0);
		const warning = result.stderr.split('\n').find((line) => line.includes('window of root-model'));
		const [, tokens] = /about ([\d,]+) tokens/.exec(warning ?? '') ?? [];
		expect(Number(tokens.replace(/,/g, ''))).toBeLessThan(1024);
		expect(warning).toMatch(/The system prompt and the question alone are about [\d,]+ tokens; with room for a 256-token reply that is over the 1,024-token window of root-model \(--context-window\): the server will cut or refuse it/);
	});
});
