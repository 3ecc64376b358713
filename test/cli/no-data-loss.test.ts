// Nothing the user gave or asked for is lost: slow stdin is read to its end, slow readers get the
// whole output, and a run stopped by a signal prints what it has.
import {spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted, subRequests} from '../support/rlm-script.js';
import {cleanEnv, cliPath, runCli, type CliResult} from '../support/run-cli.js';

let server: FakeLlmServer;
const dir = mkdtempSync(join(tmpdir(), 'rlm-no-loss-'));
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

/** Runs a shell line in which $CLI is `node dist/cli.js`; the producers' sleeps are the scenario. */
function sh(script: string): Promise<CliResult> {
	return new Promise((resolve, reject) => {
		const line = script.replaceAll('$CLI', '"$NODE" "$CLI_JS"');
		const child = spawn('sh', ['-c', line], {env: cleanEnv({NODE: process.execPath, CLI_JS: cliPath}), cwd: dir, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('error', reject);
		child.on('close', (code) => resolve({code, stdout, stderr}));
	});
}

const backend = () => `-u ${server.openaiBaseURL} -m root-model`;

describe('stdin is read to its end', () => {
	it('from a pipe whose producer is slow to start', async () => {
		server.setResponder(scripted({root: () => repl('llm_output(context.strip().upper())')}));
		const result = await sh(`(sleep 1; printf 'from a slow pipe') | $CLI ${backend()} -p 'shout the context'`);
		expect(result.stderr).toBe('');
		expect(result.stdout.trim()).toBe('FROM A SLOW PIPE');
	});

	it('from a FIFO whose writer pauses between pieces', async () => {
		server.setResponder(scripted({root: () => repl('llm_output(context.strip().upper())')}));
		const result = await sh(`mkfifo slow.fifo; { exec 3>slow.fifo; printf 'first half, ' >&3; sleep 1; printf 'second half' >&3; exec 3>&-; } & $CLI ${backend()} -p 'shout' < slow.fifo; rm -f slow.fifo`);
		expect(result.stdout.trim()).toBe('FIRST HALF, SECOND HALF');
	});

	it('as the prompt when no -p is given, however slowly it comes', async () => {
		server.setResponder(scripted({root: ({request}) => repl(`llm_output(${JSON.stringify(request.messages[1]!.content.includes('late question') ? 'saw it' : 'missed')})`)}));
		const result = await sh(`(sleep 1; printf 'a late question') | $CLI ${backend()}`);
		expect(result.stdout.trim()).toBe('saw it');
	});

	it('says so when an open socket on stdin sends nothing, and goes on with the question', async () => {
		server.setResponder(scripted({root: () => repl('llm_output(repr(context))')}));
		const child = spawn(process.execPath, [cliPath, ...backend().split(' '), '-p', 'no context here'], {env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const code = await new Promise((resolve) => child.on('close', resolve));
		child.stdin.destroy();
		expect(code).toBe(0);
		expect(stdout.trim()).toBe("'no context here'");
		expect(stderr).toMatch(/^rlm-tui: note: stdin is open but sent nothing .*<\/dev\/null/);
	});

	it('refuses binary stdin like a binary -c file', async () => {
		const result = await runCli(['-b', 'demo', '-p', 'what is this?'], {input: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0, 0, 0]).toString('latin1')});
		expect(result.code).toBe(2);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(result.stderr).toMatch(/^rlm-tui: stdin looks binary/);
		expect(result.stdout).toBe('');
	});
});

describe('stdout is drained before exit', () => {
	it('gives a slow reader the whole --replay --json, past the 64 KiB a pipe holds', async () => {
		const logDir = join(dir, 'logs');
		writeFileSync(join(dir, 'big.txt'), 'lorem ipsum dolor '.repeat(12_000));
		const made = await runCli(['-b', 'demo', '-c', join(dir, 'big.txt'), '-p', 'summarize', '--log-dir', logDir]);
		expect(made.code).toBe(0);
		const log = join(logDir, readdirSync(logDir).find((name) => name.endsWith('.jsonl'))!);
		const result = await sh(`$CLI --replay '${log}' --json | { sleep 1; cat; }`);
		expect(result.stdout.length).toBeGreaterThan(128 * 1024);
		expect(JSON.parse(result.stdout).runs).toHaveLength(1);
	});

	it('gives a slow reader a whole large answer', async () => {
		server.setResponder(scripted({root: () => repl('llm_output("0123456789" * 30000)')}));
		const result = await sh(`$CLI ${backend()} -p 'big' | { sleep 1; wc -c; }`);
		expect(Number(result.stdout.trim())).toBe(300_001);
	});
});

describe('a run stopped by a signal prints what it has', () => {
	/** Starts a headless run whose second model turn never answers, then signals its process group
	 * (as Ctrl+C does: the sandbox host gets the signal too) once that turn has been asked. */
	async function stopMidRun(signal: NodeJS.Signals, extra: string[] = []): Promise<CliResult> {
		server.requests.length = 0;
		server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('notes = "half done"\nprint(notes)', 'First I look around.') : {hang: true})}));
		const child = spawn(process.execPath, [cliPath, ...backend().split(' '), '-p', 'a long job', ...extra], {env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
		await expect.poll(() => rootRequests(server.requests).length, {timeout: 30_000}).toBe(2);
		process.kill(-child.pid!, signal);
		return {code: await closed, stdout, stderr};
	}

	it('Ctrl+C (SIGINT): the partial answer (the last output of its code) on stdout, exit 130', async () => {
		const result = await stopMidRun('SIGINT');
		expect(result.code).toBe(130);
		expect(result.stdout.trim()).toBe('half done');
		expect(result.stderr).toMatch(/rlm-tui: cancelled \(above: the run's best partial answer, not a final answer\)/);
		// One Ctrl+C is one signal: the run winds down (no dependency re-raises it as a second).
		expect(result.stderr).not.toMatch(/stopped again|^rlm-tui: cancelled$/m);
	});

	it('with --json, the whole result with status cancelled', async () => {
		const result = await stopMidRun('SIGINT', ['--json']);
		expect(result.code).toBe(130);
		const parsed = JSON.parse(result.stdout);
		expect(parsed.status).toBe('cancelled');
		expect(parsed.response).toBe('half done');
		expect(parsed.iterations[0].codeBlocks[0].result.stdout).toBe('half done\n');
		expect(parsed.session.runs[0].status).toBe('cancelled');
		expect(JSON.stringify(parsed)).not.toContain('stopped again');
	});

	it('Ctrl+C during a code block (the whole process group, sandbox host included): the block is interrupted and the answer dict is the partial answer', async () => {
		server.requests.length = 0;
		const code = 'answer["content"] = "from the answer dict"\nllm_query("started")\nimport time\nfor i in range(3000):\n    print(f"tick {i}")\n    time.sleep(0.1)';
		server.setResponder(scripted({root: () => repl(code), sub: () => ({text: 'ok'})}));
		const child = spawn(process.execPath, [cliPath, ...backend().split(' '), '-e', '-p', 'a long block'], {env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
		// The answer dict is set before the sub-call; the block then prints and sleeps.
		await expect.poll(() => subRequests(server.requests).length, {timeout: 30_000}).toBe(1);
		process.kill(-child.pid!, 'SIGINT');
		expect(await closed).toBe(130);
		expect(stdout.trim()).toBe('from the answer dict');
		expect(stderr).not.toMatch(/killed by SIGINT/);
	});

	it('SIGTERM the same, exit 143', async () => {
		const result = await stopMidRun('SIGTERM');
		expect(result.code).toBe(143);
		expect(result.stdout.trim()).toBe('half done');
	});
});
