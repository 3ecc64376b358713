// A question is in the trajectory log from the moment the CLI takes it in, also while it waits its
// turn behind a --resume that re-runs the old session's code: a process ended meanwhile (the
// terminal closed, a kill) leaves it there as the resumed session's next turn, marked queued, and
// the next --resume shows it as a question that never started, without running it. The built CLI,
// the fake LLM server and the real sandbox.
import {execFileSync, spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {cleanEnv, cliPath, runCli} from '../support/run-cli.js';

let llm: FakeLlmServer;
beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['m']});
});
afterAll(async () => {
	await llm?.close();
});

type LogLine = {type: string; rlm_tui?: {question?: string; queued?: boolean; session_id?: string; turn?: number; run_status?: string}};

/** Each log file of `dir` by name, as its parsed lines. */
const logs = (dir: string) =>
	new Map(
		readdirSync(dir)
			.filter((name) => name.endsWith('.jsonl'))
			.map((name) => [name, readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine)]),
	);

/**
 * A session whose one block runs at once when it is answered (the tools file defines `live_tool`)
 * and never ends when --resume re-runs it (a resume loads no tools file): a resume that stays busy
 * re-running the code for as long as the test needs. Its context is too big to log, so a resume
 * given no context (-c) does not re-run that block at all. Returns the context file.
 */
async function sessionWithEndlessResume(logDir: string): Promise<string> {
	const base = join(logDir, '..', `queued-${process.pid}-${Date.now()}`);
	writeFileSync(`${base}.py`, 'def live_tool():\n    "Answers 1."\n    return 1\n');
	writeFileSync(`${base}.txt`, 'x'.repeat(1_100_000));
	llm.setResponder(scripted({root: () => repl('while "live_tool" not in globals():\n    pass\na = 7\nllm_output("first answer")')}));
	const first = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '--tools', `${base}.py`, '-c', `${base}.txt`, '-p', 'the first question']);
	expect(first.stdout.trim()).toBe('first answer');
	return `${base}.txt`;
}

describe('a question asked with --resume is logged before the resume has re-run the old code', () => {
	it('a hang-up while the resume runs leaves it as the session\'s next turn, queued; the next --resume shows it as never started and does not run it', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-queued-question-'));
		const context = await sessionWithEndlessResume(logDir);
		const [[firstName, firstLines]] = [...logs(logDir)] as [[string, LogLine[]]];
		const session = firstLines[0]!.rlm_tui!.session_id!;
		llm.requests.length = 0;

		const question = 'asked while the resume re-ran the code';
		const child = spawn(process.execPath, [cliPath, '-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '-c', context, '--resume', '-p', question], {env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
		const queuedFile = () => [...logs(logDir)].find(([name]) => name !== firstName);
		try {
			// The file is made before its line is written: wait for the line.
			await expect.poll(() => queuedFile()?.[1].length, {timeout: 60_000, interval: 20}).toBe(1);
			const [name, lines] = queuedFile()!;
			// The resumed session's turn 2, in a file of its own, marked queued: its run has not started.
			expect(name).toContain(`_${session}_t2_`);
			expect(lines).toHaveLength(1);
			expect(lines[0]!.rlm_tui).toMatchObject({question, queued: true, session_id: session, turn: 2});
			child.kill('SIGHUP');
			expect(await exited).toBe(129);
		} finally {
			child.kill('SIGKILL');
		}
		// The resume never ended, and no model was asked.
		expect(stderr).not.toContain('resumed');
		expect(llm.requests).toHaveLength(0);
		expect(logs(logDir).size).toBe(2);

		llm.setResponder(scripted({root: () => repl('llm_output("answered next")')}));
		const next = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '--resume', '-p', 'next']);
		expect(next.code).toBe(0);
		expect(next.stdout.trim()).toBe('answered next');
		expect(next.stderr).toContain(`(last asked: "${question}")`);
		expect(next.stderr).toContain(`rlm-tui: turn 2 "${question}" has no answer: it never started: the app or CLI was closed or killed while it waited its turn`);
		// Not answered now either: one run, for "next", which is turn 3.
		expect(rootRequests(llm.requests)).toHaveLength(1);
		const asked = rootRequests(llm.requests)[0]!.messages.filter((message) => message.role === 'user').at(-1)!.content;
		expect(asked).toContain('next');
		const third = [...logs(logDir)].find(([, lines]) => lines[0]!.rlm_tui?.question === 'next')!;
		expect(third[0]).toContain(`_${session}_t3_`);
		expect(third[1][0]!.rlm_tui!.queued).toBeUndefined();
		// --replay shows the queued turn as one that never started.
		const replayed = await runCli(['--replay', join(logDir, queuedFile()![0])]);
		expect(replayed.stdout).toContain('never started');
	}, 180_000);
});

describe('a headless question is logged before its context is read and the engine loads', () => {
	it('-p with a -c pipe nobody writes: a hang-up while it waits leaves the question, queued; --resume shows it as never started', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-early-headless-'));
		const fifo = join(logDir, '..', `early-fifo-${process.pid}-${Date.now()}`);
		execFileSync('mkfifo', [fifo]);
		llm.requests.length = 0;
		const question = 'asked while its context was still being read';
		const child = spawn(process.execPath, [cliPath, '-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '-c', fifo, '-p', question], {env: cleanEnv(), stdio: ['ignore', 'ignore', 'ignore']});
		const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
		try {
			// The file is made before its line is written: wait for the line.
			await expect.poll(() => [...logs(logDir)].map(([, lines]) => lines.length), {timeout: 60_000, interval: 20}).toEqual([1]);
			const [[name, lines]] = [...logs(logDir)] as [[string, LogLine[]]];
			expect(name).toMatch(/_headless_[0-9a-f]{8}_t1_/);
			expect(lines).toHaveLength(1);
			expect(lines[0]!.rlm_tui).toMatchObject({question, queued: true, turn: 1});
			child.kill('SIGHUP');
			expect(await exited).toBe(129);
		} finally {
			child.kill('SIGKILL');
		}
		expect(llm.requests).toHaveLength(0);

		llm.setResponder(scripted({root: () => repl('llm_output("answered next")')}));
		const next = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '--resume', '-p', 'next']);
		expect(next.code).toBe(0);
		expect(next.stdout.trim()).toBe('answered next');
		expect(next.stderr).toContain(`rlm-tui: turn 1 "${question}" has no answer: it never started: the app or CLI was closed or killed while it waited its turn`);
		expect(rootRequests(llm.requests)).toHaveLength(1);
		const third = [...logs(logDir)].find(([, lines]) => lines[0]!.rlm_tui?.question === 'next')!;
		expect(third[0]).toMatch(/_t2_/);
	}, 120_000);

	it('--resume with a -c pipe nobody writes: the question is already the found session\'s next turn, queued; a hang-up keeps it there', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-early-headless-'));
		llm.setResponder(scripted({root: () => repl('a = 7\nllm_output("first answer")')}));
		expect((await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '-p', 'the first question'])).stdout.trim()).toBe('first answer');
		const [[firstName, firstLines]] = [...logs(logDir)] as [[string, LogLine[]]];
		const session = firstLines[0]!.rlm_tui!.session_id!;
		const fifo = join(logDir, '..', `early-fifo-${process.pid}-${Date.now()}`);
		execFileSync('mkfifo', [fifo]);
		llm.requests.length = 0;
		const question = 'asked with --resume while its context was read';
		const child = spawn(process.execPath, [cliPath, '-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '--resume', '-c', fifo, '-p', question], {env: cleanEnv(), stdio: ['ignore', 'ignore', 'ignore']});
		const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
		try {
			// The file is made before its line is written: wait for the line.
			await expect.poll(() => [...logs(logDir)].find(([file]) => file !== firstName)?.[1].length ?? 0, {timeout: 60_000, interval: 20}).toBe(1);
			const [name, lines] = [...logs(logDir)].find(([file]) => file !== firstName)!;
			expect(name).toContain(`_${session}_t2_`);
			expect(lines).toEqual([expect.objectContaining({rlm_tui: expect.objectContaining({question, queued: true, turn: 2, session_id: session})})]);
			child.kill('SIGHUP');
			expect(await exited).toBe(129);
		} finally {
			child.kill('SIGKILL');
		}
		expect(llm.requests).toHaveLength(0);
		llm.setResponder(scripted({root: () => repl('llm_output(f"a is {a}")')}));
		const next = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '--resume', '-p', 'next']);
		expect(next.stdout.trim()).toBe('a is 7');
		expect(next.stderr).toContain('resumed 2 turn(s)');
		expect(next.stderr).toContain(`rlm-tui: turn 2 "${question}" has no answer: it never started`);
		expect([...logs(logDir)].find(([, lines]) => lines[0]!.rlm_tui?.question === 'next')![0]).toContain(`_${session}_t3_`);
	}, 120_000);

	it('--resume with nothing to resume: the early line becomes the new session\'s turn 1, in one file', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-early-headless-'));
		llm.setResponder(scripted({root: () => repl('llm_output("fresh")')}));
		const result = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '--resume', '-p', 'nothing before me']);
		expect(result.stdout.trim()).toBe('fresh');
		expect(result.stderr).toContain('nothing to resume');
		const files = [...logs(logDir)];
		expect(files).toHaveLength(1);
		expect(files[0]![0]).toMatch(/_t1_/);
		expect(files[0]![1][0]!.rlm_tui!.queued).toBeUndefined();
		expect(files[0]![1].at(-1)!.rlm_tui!.run_status).toBe('answered');
	}, 120_000);

	it('the early line is taken over by the run: one file per question, its line complete (model, context), not queued', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-early-headless-'));
		llm.setResponder(scripted({root: () => repl('llm_output(f"read {len(context)}")')}));
		const piped = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir], {input: 'a question piped on stdin'});
		expect(piped.stdout.trim()).toBe('read 25');
		const asked = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '-p', 'how long is it?'], {input: 'piped context'});
		expect(asked.stdout.trim()).toBe('read 13');
		const files = [...logs(logDir)];
		expect(files).toHaveLength(2);
		for (const [, lines] of files) {
			expect(lines[0]!.rlm_tui!.queued).toBeUndefined();
			expect(lines[0]).toMatchObject({root_model: 'm', backend_kwargs: {model_name: 'm', base_url: expect.stringContaining('127.0.0.1')}});
			expect(lines.at(-1)!.rlm_tui!.run_status).toBe('answered');
		}
		expect(readdirSync(logDir).filter((name) => !name.endsWith('.jsonl'))).toEqual([]);
	}, 120_000);

	it('a question refused before it runs (a -c file that is not there, no API key) leaves no log file', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-early-headless-'));
		const result = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '-c', join(logDir, 'missing.txt'), '-p', 'about a missing file']);
		expect(result.code).toBe(2);
		const noKey = await runCli(['-b', 'anthropic', '--log-dir', logDir, '-p', 'without a key']);
		expect(noKey.code).toBe(2);
		expect(noKey.stderr).toContain('ANTHROPIC_API_KEY is not set');
		expect(readdirSync(logDir)).toEqual([]);
	});
});

describe('SIGQUIT (Ctrl+\\ in a terminal) quits a headless run at once', () => {
	it('exit code 131, no core dump, nothing more printed, and the run left unfinished in the log (not cancelled), as the app leaves one', async () => {
		const hanging = await startFakeLlmServer({models: ['h']});
		hanging.setResponder(() => ({hang: true}));
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-sigquit-'));
		const child = spawn(process.execPath, [cliPath, '-u', hanging.openaiBaseURL, '-m', 'h', '--log-dir', logDir, '-p', 'quit while it runs'], {env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])));
		try {
			await expect.poll(() => hanging.requests.length, {timeout: 60_000}).toBeGreaterThan(0);
			child.kill('SIGQUIT');
			expect(await exited).toEqual([131, null]);
		} finally {
			child.kill('SIGKILL');
			await hanging.close();
		}
		expect(stdout).toBe('');
		expect(stderr).not.toContain('cancelled');
		const [[, lines]] = [...logs(logDir)] as [[string, LogLine[]]];
		expect(lines.map((line) => line.rlm_tui?.run_status)).not.toContain('cancelled');
		expect(lines[0]!.rlm_tui!.queued).toBeUndefined();
	}, 120_000);
});
