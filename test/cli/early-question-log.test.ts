// A question is in the trajectory log from the moment the engine takes it, before anything it
// waits for: the model list (no -m), the tools file. A process killed or hung up meanwhile leaves
// it there as an unfinished turn that --resume brings back; a cancel meanwhile is a cancel, not a
// failure. The built CLI, the fake LLM server (holding its model list) and the real sandbox.
import {spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {cleanEnv, cliPath, runCli} from '../support/run-cli.js';

let llm: FakeLlmServer;
beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['m']});
});
afterAll(async () => {
	await llm?.close();
});

/** The log lines of every file in `dir`. */
const logRecords = (dir: string) =>
	readdirSync(dir).map((name) =>
		readFileSync(join(dir, name), 'utf8')
			.split('\n')
			.filter(Boolean)
			.map((line) => JSON.parse(line) as {type: string; root_model?: string; rlm_tui?: {question?: string; run_status?: string}}),
	);

/** Starts the CLI, waits until the engine has taken `question` in (in a log file of `logDir`, no
 * longer marked queued, as it is from before the engine loads), sends `signal` and resolves with the exit code. */
async function askAndStop(args: string[], logDir: string, question: string, signal: NodeJS.Signals): Promise<number | null> {
	const child = spawn(process.execPath, [cliPath, '--log-dir', logDir, ...args, '-p', question], {env: cleanEnv(), stdio: ['ignore', 'ignore', 'ignore']});
	const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
	try {
		await expect
			.poll(() =>
				readdirSync(logDir).some((name) => {
					const text = readFileSync(join(logDir, name), 'utf8');
					return text.includes(question) && !text.includes('"queued":true');
				}),
			)
			.toBe(true);
		child.kill(signal);
		return await exited;
	} finally {
		child.kill('SIGKILL');
	}
}

describe('a question is logged before the run waits for anything', () => {
	it('while the CLI waits for the model list (no -m): a hang-up leaves an unfinished turn that --resume names', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-early-question-'));
		let release = () => {};
		llm.modelsHeldUntil = new Promise<void>((resolve) => (release = resolve));
		try {
			const code = await askAndStop(['-b', 'vllm', '-u', llm.openaiBaseURL], logDir, 'asked while the model list was awaited', 'SIGHUP');
			expect(code).toBe(129);
		} finally {
			release();
			llm.modelsHeldUntil = undefined;
		}
		expect(llm.requests).toHaveLength(0);
		const [lines] = logRecords(logDir);
		expect(lines).toHaveLength(1);
		expect(lines[0]!.type).toBe('metadata');
		expect(lines[0]!.rlm_tui!.question).toBe('asked while the model list was awaited');

		llm.setResponder(scripted({root: () => repl('llm_output("ok")')}));
		const result = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '--resume', '-p', 'next']);
		expect(result.code).toBe(0);
		expect(result.stderr).toContain('(last asked: "asked while the model list was awaited")');
		expect(result.stderr).toContain('rlm-tui: turn 1 "asked while the model list was awaited" has no answer: it was cut short when the app or CLI was closed or killed');
	});

	it('Ctrl+C while the CLI waits for the model list: the question is logged as cancelled (exit 130), not as a failure', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-early-question-'));
		let release = () => {};
		llm.modelsHeldUntil = new Promise<void>((resolve) => (release = resolve));
		try {
			expect(await askAndStop(['-b', 'vllm', '-u', llm.openaiBaseURL], logDir, 'cancelled while the list was awaited', 'SIGINT')).toBe(130);
		} finally {
			release();
			llm.modelsHeldUntil = undefined;
		}
		const [lines] = logRecords(logDir);
		expect(lines.map((line) => line.type)).toEqual(['metadata', 'iteration']);
		expect(lines[0]!.rlm_tui!.question).toBe('cancelled while the list was awaited');
		expect(lines[1]!.rlm_tui!.run_status).toBe('cancelled');
	});

	it('the model the server lists first still names the run once it is chosen', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-early-question-'));
		llm.setResponder(scripted({root: () => repl('llm_output("chosen")')}));
		const result = await runCli(['-b', 'vllm', '-u', llm.openaiBaseURL, '--log-dir', logDir, '-p', 'which model?']);
		expect(result.stdout.trim()).toBe('chosen');
		const [lines] = logRecords(logDir);
		expect(lines.filter((line) => line.type === 'metadata')).toHaveLength(1);
		expect(lines[0]!.root_model).toBe('m');
		expect(readdirSync(logDir)).toHaveLength(1);
	});

	it('while a tools file is still loading: a kill leaves the question in the log', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-early-question-'));
		const tools = join(logDir, '..', `slow-tools-${process.pid}-${Date.now()}.py`);
		// A tools file that takes its time: the run waits for it before its first model call.
		writeFileSync(tools, 'import time\ntime.sleep(60)\n');
		llm.requests.length = 0;
		await askAndStop(['-u', llm.openaiBaseURL, '-m', 'm', '--timeout', '120', '--tools', tools], logDir, 'asked while the tools loaded', 'SIGKILL');
		expect(llm.requests).toHaveLength(0);
		const [lines] = logRecords(logDir);
		expect(lines).toHaveLength(1);
		expect(lines[0]!.rlm_tui!.question).toBe('asked while the tools loaded');
	});
});
