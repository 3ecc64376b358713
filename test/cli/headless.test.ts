// The built CLI in headless mode: answers on stdout, logs on stderr, one clear line for bad input.
import {closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {createServer} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {cleanEnv, runCli} from '../support/run-cli.js';
import {expectOneLineError} from '../support/one-line-error.js';

let server: FakeLlmServer;
const dir = mkdtempSync(join(tmpdir(), 'rlm-cli-'));
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

const expectOneLineNoTrace = (stderr: string, pattern: RegExp) => {
	expectOneLineError(stderr, pattern);
	expect(stderr).not.toMatch(/\n\s+at /);
};

async function closedPort(): Promise<number> {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const port = (probe.address() as {port: number}).port;
	await new Promise((resolve) => probe.close(resolve));
	return port;
}

describe('rlm-tui -p', () => {
	it('the demo names the most frequent words also when none has four letters', async () => {
		const result = await runCli(['-b', 'demo', '-p', 'the the the cat']);
		expect(result.code).toBe(0);
		expect(result.stdout).toMatch(/\*\*4 words\*\*.*Most frequent words: the \(3\), cat \(1\)\./);
	});

	it('answers with the offline demo model and prints the exec log on stderr', async () => {
		const result = await runCli(['-b', 'demo', '-e', '-p', 'The cat sat on the mat. The dog sat too.']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('Demo answer');
		expect(result.stdout).toMatch(/\*\*10 words\*\*/);
		expect(result.stderr).toContain('── iter 1 ──');
		expect(result.stderr).toMatch(/⚡ kind = type\(context\)/);
		expect(result.stderr).toContain('↳ llm_query_batched[0] demo');
		expect(result.stderr).toContain('🎯 FINAL');
	});

	it('computes over a context file through an OpenAI-compatible server', async () => {
		const file = join(dir, 'numbers.txt');
		writeFileSync(file, Array.from({length: 100}, (_, i) => `n=${i}`).join('\n'));
		server.setResponder(scripted({root: () => repl('import re\nllm_output(str(sum(map(int, re.findall(r"n=(\\d+)", context)))))')}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '-c', file, '-p', 'sum them']);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('4950');
	});

	it('takes the prompt from piped stdin and prints JSON with --json', async () => {
		server.setResponder(scripted({root: ({request}) => repl(`llm_output(${JSON.stringify(request.messages[1]!.content.includes('piped question') ? 'saw it' : 'missed')})`)}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '--json'], {input: 'piped question'});
		expect(result.code).toBe(0);
		const parsed = JSON.parse(result.stdout);
		expect(parsed.response).toBe('saw it');
		expect(parsed.status).toBe('answered');
		expect(parsed.iterations[0].codeBlocks[0].code).toContain('llm_output');
		expect(parsed.usage.totalTokens).toBeGreaterThan(0);
	});

	it('uses piped stdin as the context when -p is given', async () => {
		server.setResponder(scripted({root: () => repl('llm_output(context.strip().upper())')}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '-p', 'shout the context'], {input: 'from a pipe'});
		expect(result.stdout.trim()).toBe('FROM A PIPE');
	});
});

describe('a log folder that cannot be made', () => {
	// Node's recursive mkdir never returns for a missing path under /proc; the run must not hang.
	it.each([
		['under /proc', '/proc/rlm-tui-no-such-dir/logs'],
		['under a file', join(dir, 'a-file', 'logs')],
	])('%s: the answer still comes, with one warning', async (_where, logDir) => {
		writeFileSync(join(dir, 'a-file'), 'not a folder');
		server.setResponder(scripted({root: () => repl('llm_output("answered anyway")')}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '--log-dir', logDir, '-p', 'q']);
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('answered anyway');
		expect(result.stderr).toMatch(/trajector|log/i);
	});
});

describe('a config, cache, state or runtime folder that cannot be made', () => {
	// XDG_CONFIG_HOME=/proc/self hung the app: Node's recursive mkdir never returns for a missing
	// folder under /proc. Each folder rlm-tui makes under these gives one line, never a hang.
	it.each([
		['XDG_CONFIG_HOME', [], /^rlm-tui: Settings file \/proc\/self\/rlm-tui\/settings\.json could not be opened \(ENOENT[^\n]*; using defaults for this session \(changes made in the app, with \/set, \/model or \/backend, are not saved\)\.$/m],
		['XDG_STATE_HOME', [], /^rlm-tui: warning: Trajectory log turned off: cannot write to \/proc\/self\/rlm-tui\/trajectories \(ENOENT/m],
		['XDG_RUNTIME_DIR', ['--keep-warm', '1'], /^rlm-tui: not keeping a warm sandbox: \/proc\/self\/rlm-tui could not be made \(ENOENT[^\n]*\)$/m],
		// The snapshot cache: a failed write only means the next start is cold, so nothing is said.
		['XDG_CACHE_HOME', [], null],
	] as const)('%s=/proc/self: the answer still comes', async (variable, flags, line) => {
		server.setResponder(scripted({root: () => repl('llm_output("answered anyway")')}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', ...flags, '-p', 'q'], {env: cleanEnv({[variable]: '/proc/self'})});
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('answered anyway');
		if (line) expect(result.stderr).toMatch(line);
		expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(1);
	});
});

describe('terminal safety', () => {
	it('drops escape sequences printed by model code from the exec log', async () => {
		server.setResponder(scripted({root: () => repl('print("\\x1b]52;c;SGVsbG8=\\x07copied? \\x1b[2J cleared?")\nllm_output("done")')}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '-e', '-p', 'q']);
		expect(result.code).toBe(0);
		expect(result.stderr).toContain('copied?');
		expect(result.stderr).not.toContain('\x1b');
		expect(result.stderr).not.toContain('\x07');
	});
});

describe('an answer refused as empty', () => {
	it.each([['-v'], ['-e']])('%s: the line of the block whose answer was refused claims no success', async (flag) => {
		server.setResponder(scripted({root: ({turn}) => repl(turn === 0 ? 'print("looked")\nllm_output("\\u200b")' : 'llm_output("the real answer")')}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', flag, '-p', 'q']);
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('the real answer');
		const outcomes = result.stderr.split('\n').filter((line) => line.startsWith('→ '));
		expect(outcomes).toEqual(['→ ! final answer empty: not taken, the run goes on', '→ ✓ (no output)']);
		expect(result.stderr.match(/🎯 FINAL/g)).toHaveLength(1);
	});
});

describe('bad input gets one clear line and a non-zero exit', () => {
	it('counts a forced answer as the iterations there were: the log and the note agree', async () => {
		server.setResponder(scripted({root: ({lastUser}) => (/out of turns/i.test(lastUser) ? {text: 'best guess: 7'} : repl('n = 7\nprint(n)'))}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '-e', '--max-iterations', '2', '-p', 'count it']);
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('best guess: 7');
		expect(result.stderr).toMatch(/forced after 2 iteration\(s\)/);
		expect(result.stderr).toContain('out of iterations (2)');
		expect(result.stderr).not.toContain('iter 3');
	});

	it('names the unreachable URL and what to do', async () => {
		const url = `http://127.0.0.1:${await closedPort()}/v1`;
		const result = await runCli(['-u', url, '-p', 'hi']);
		expect(result.code).not.toBe(0);
		expectOneLineNoTrace(result.stderr, new RegExp(`${url.replace(/[/.]/g, '\\$&')}: connection refused\\. Start the server \\(for Ollama: \`ollama serve\`\\), pass -u URL, or try -b demo\\.`));
		// --json keeps them apart: what went wrong, its code, and the advice in flags.
		const json = JSON.parse((await runCli(['-u', url, '--json', '-p', 'hi'])).stdout) as Record<string, unknown>;
		expect(json).toMatchObject({status: 'failed', errorCode: 'unreachable', error: `Cannot reach the OpenAI-compatible server at ${url}: connection refused.`});
		expect(json['errorAdvice']).toBe('Start the server (for Ollama: `ollama serve`), pass -u URL, or try -b demo.');
	});

	it('a stream chunk that is not JSON: one line quoting it and saying what to check (it was the SDK\'s raw JSON.parse message)', async () => {
		server.setResponder(() => ({raw: 'data: {bad json\n\n', contentType: 'text/event-stream'}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '-p', 'hi']);
		expect(result.code).not.toBe(0);
		expectOneLineNoTrace(result.stderr, /sent a stream chunk that is not JSON: "\{bad json"\. Check the base URL \(-u\) and any proxy in between/);
		expect(result.stderr).not.toMatch(/Expected property name/);
	});

	it('--request-timeout (or the settings key) bounds the wait for a server that never answers, root and sub-calls, in one line naming the flag', async () => {
		server.setResponder(() => ({hang: true}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '--request-timeout', '0.3', '-p', 'hi']);
		expect(result.code).not.toBe(0);
		expectOneLineNoTrace(result.stderr, /Timed out after 0\.3 s \(each of 3 tries\) waiting for the OpenAI-compatible server at .*: raise --request-timeout \(seconds; \/set request-timeout in the app; requestTimeoutMs in the library\), or try again\./);
		const env = cleanEnv();
		mkdirSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui'), {recursive: true});
		writeFileSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui', 'settings.json'), JSON.stringify({requestTimeoutSeconds: 0.4}));
		// The root answers; its sub-call hangs: the sub-call's slot says it timed out, the run goes on.
		server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('print(llm_query("x"))') : repl('llm_output("went on")')), sub: () => ({hang: true})}));
		const sub = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '-e', '-p', 'hi'], {env});
		expect(sub.stdout.trim()).toBe('went on');
		expect(sub.stderr).toMatch(/Timed out after 0\.4 s \(each of 3 tries\) waiting for/);
		expectOneLineNoTrace((await runCli(['-b', 'demo', '--request-timeout', '0', '-p', 'q'])).stderr, /Invalid --request-timeout "0": expected a number of seconds/);
		// Node's fetch gives up on a server's headers after 300 s (UND_ERR_HEADERS_TIMEOUT): more would be a promise not kept.
		expectOneLineNoTrace((await runCli(['-b', 'demo', '--request-timeout', '900', '-p', 'q'])).stderr, /Invalid --request-timeout "900": expected a number of seconds from above 0 up to 300 \(Node's fetch waits no longer/);
	});

	it('a settings value out of range is named in one line and the run goes on with the default', async () => {
		const env = cleanEnv();
		mkdirSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui'), {recursive: true});
		writeFileSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui', 'settings.json'), JSON.stringify({requestTimeoutSeconds: 400}));
		const result = await runCli(['-b', 'demo', '-p', 'the the the cat'], {env});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('the');
		expectOneLineNoTrace(result.stderr, /^rlm-tui: Settings file .*settings\.json: "requestTimeoutSeconds": 400 is not a number above 0, at most 300\. It was ignored and the default is used\.$/);
	});

	it('--request-timeout beats the settings key and reaches every front end’s runs (mcp’s too)', async () => {
		const {resolveConfig} = await import('../../source/settings/resolve.js');
		const {parseSettings} = await import('../../source/settings/schema.js');
		const {mcpOptionsFrom} = await import('../../source/cli/mcp.js');
		const {rlmOptionsFrom} = await import('../../source/cli/headless.js');
		const saved = parseSettings({requestTimeoutSeconds: 7});
		expect(rlmOptionsFrom(resolveConfig({backend: 'demo'}, {}, saved)).requestTimeoutMs).toBe(7000);
		expect(rlmOptionsFrom(resolveConfig({backend: 'demo', requestTimeout: 2.5}, {}, saved)).requestTimeoutMs).toBe(2500);
		expect(mcpOptionsFrom(resolveConfig({backend: 'demo', requestTimeout: 2}, {}, saved), {}).rlm.requestTimeoutMs).toBe(2000);
		expect(rlmOptionsFrom(resolveConfig({backend: 'demo'}, {}, parseSettings({requestTimeoutSeconds: -1}))).requestTimeoutMs).toBeUndefined();
	});

	it('reports a missing and a binary context file, and a folder with nothing to load', async () => {
		const missing = await runCli(['-b', 'demo', '-c', join(dir, 'nope.txt'), '-p', 'q']);
		expect(missing.code).toBe(2);
		expectOneLineNoTrace(missing.stderr, /Context file not found: .*nope\.txt/);
		const binary = join(dir, 'blob.bin');
		writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0, 0, 0]));
		expectOneLineNoTrace((await runCli(['-b', 'demo', '-c', binary, '-p', 'q'])).stderr, /looks binary/);
		expectOneLineNoTrace((await runCli(['-b', 'demo', '-c', mkdtempSync(join(tmpdir(), 'rlm-empty-')), '-p', 'q'])).stderr, /folder .* has no files/);
	});

	it('names the limit and what to do for a context file too big for one string', async () => {
		// A sparse 2 GiB file: its size is all the check reads.
		const huge = join(dir, 'huge.txt');
		const fd = openSync(huge, 'w');
		ftruncateSync(fd, 2 * 1024 ** 3);
		closeSync(fd);
		const result = await runCli(['-b', 'demo', '-c', huge, '-p', 'q']);
		expect(result.code).toBe(2);
		expectOneLineNoTrace(result.stderr, /huge\.txt is 2 GiB, over the 512 MiB it may hold: split it into smaller files and pass each with its own -c/);
	});

	it('rejects an unknown backend, bad numbers and unknown flags', async () => {
		expectOneLineNoTrace((await runCli(['-b', 'gpt', '-p', 'q'])).stderr, /Unknown backend "gpt"/);
		expectOneLineNoTrace((await runCli(['-b', 'demo', '-t', 'hot', '-p', 'q'])).stderr, /--temperature needs a number, not "hot"/);
		expectOneLineNoTrace((await runCli(['-b', 'demo', '-t', '5', '-p', 'q'])).stderr, /Invalid --temperature "5"/);
		expectOneLineNoTrace((await runCli(['-b', 'demo', '--max-iterations', '0', '-p', 'q'])).stderr, /Invalid --max-iterations "0"/);
		expectOneLineNoTrace((await runCli(['-b', 'demo', '--timeout', '-3', '-p', 'q'])).stderr, /Invalid --timeout "-3"/);
		expectOneLineNoTrace((await runCli(['-b', 'demo', '--timeout', '3000000', '-p', 'q'])).stderr, /Invalid --timeout "3000000"/);
		const unknown = await runCli(['--frobnicate', '-p', 'q']);
		expect(unknown.code).toBe(2);
		expectOneLineNoTrace(unknown.stderr, /unknown flag --frobnicate/);
	});

	it('asks for a key for a hosted API without one', async () => {
		const anthropic = await runCli(['-b', 'anthropic', '-p', 'q']);
		expect(anthropic.code).toBe(2);
		expectOneLineNoTrace(anthropic.stderr, /ANTHROPIC_API_KEY/);
		const openai = await runCli(['-u', 'https://api.openai.com/v1', '-m', 'gpt-4o', '-p', 'q']);
		expectOneLineNoTrace(openai.stderr, /OPENAI_API_KEY/);
	});

	it("passes on the server's message for a model that does not exist", async () => {
		server.setResponder(() => ({status: 404, message: "model 'ghost' not found, try pulling it first"}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'ghost', '-p', 'q'], {env: cleanEnv()});
		expect(result.code).toBe(1);
		expectOneLineNoTrace(result.stderr, /model 'ghost' not found/);
		// The server's list, read once at that point, names what it does serve.
		expectOneLineNoTrace(result.stderr, /Check the model name \(-m\) and the base URL \(-u\)\. It serves: root-model\.$/);
	});

	it('names a few of the models a server serves after a 404, cleaned of controls; nothing when its list cannot be read or has the model', async () => {
		server.setResponder(() => ({status: 404, message: "model 'ghost' not found"}));
		const listed = server.models.slice();
		try {
			server.models.splice(0, server.models.length, 'bad\u001b[2Jname', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8');
			const many = await runCli(['-u', server.openaiBaseURL, '-m', 'ghost', '-p', 'q'], {env: cleanEnv()});
			expect(many.code).toBe(1);
			expect(many.stderr).not.toContain('\u001b');
			expectOneLineNoTrace(many.stderr, /It serves: bad.*name, m2, m3, m4, m5 \(and 3 more\)\.$/);

			// The server lists the model (its 404 is about something else): no list to offer.
			server.models.splice(0, server.models.length, 'ghost:latest', 'm2');
			const has = await runCli(['-u', server.openaiBaseURL, '-m', 'ghost', '-p', 'q'], {env: cleanEnv()});
			expectOneLineNoTrace(has.stderr, /model 'ghost' not found/);
			expect(has.stderr).not.toContain('It serves');

			server.modelsError = {status: 404, message: 'no such route'};
			const unread = await runCli(['-u', server.openaiBaseURL, '-m', 'ghost', '-p', 'q'], {env: cleanEnv()});
			expectOneLineNoTrace(unread.stderr, /model 'ghost' not found.*Check the model name \(-m\) and the base URL \(-u\)\.$/);
		} finally {
			server.modelsError = undefined;
			server.models.splice(0, server.models.length, ...listed);
		}
	});

	it('ends with one line and exit 1 when a server routes every reply into the reasoning channel', async () => {
		server.setResponder(scripted({root: () => ({text: '', reasoning: 'The answer is 4950, done.'})}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '-p', 'sum them']);
		expect(result.code).toBe(1);
		expect(result.stdout).toBe('');
		// The warning as it happened, then the one line the run ends with.
		const lines = result.stderr.trim().split('\n');
		expect(lines).toHaveLength(2);
		expect(lines[0]).toMatch(/^rlm-tui: warning: The model's reply had no answer text, only reasoning/);
		expectOneLineNoTrace(lines[1]!, /only reasoning: the server puts the whole reply in its reasoning channel.*reasoning parser/);
	});

	it('shows thinking in the exec log, and runs only the answer part', async () => {
		server.setResponder(scripted({root: () => ({text: '```repl\nllm_output("done")\n```', reasoning: 'draft:\n```repl\nllm_output("draft")\n```', reasoningField: 'think-tags'})}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '-e', '-p', 'q']);
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('done');
		expect(result.stderr).toMatch(/💭 thinking: \d+ chars \(never run\)/);
		expect(result.stderr).not.toContain('draft');
	});
});
