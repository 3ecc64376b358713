// A question cancelled (Ctrl+C, SIGINT) or killed (SIGKILL) before its first iteration ended is
// still a turn of its session: --resume brings that session back as the newest, names it, and
// says the question has no answer. The built CLI, the fake LLM server (one that answers, one that
// never does) and the real sandbox.
import {spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {cleanEnv, cliPath, runCli} from '../support/run-cli.js';

let llm: FakeLlmServer;
let hanging: FakeLlmServer;
beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['m']});
	hanging = await startFakeLlmServer({models: ['h']});
	hanging.setResponder(() => ({hang: true}));
});
afterAll(async () => {
	await llm?.close();
	await hanging?.close();
});

/** Runs the CLI against the server that never answers, waits until `question`'s run has started
 * in a log file of `logDir` (its metadata line, no longer queued behind a resume), then sends
 * `signal` and waits for the exit. */
async function askAndStop(args: string[], logDir: string, question: string, signal: NodeJS.Signals): Promise<void> {
	const before = new Set(readdirSync(logDir));
	const child = spawn(process.execPath, [cliPath, '-u', hanging.openaiBaseURL, '-m', 'h', '--log-dir', logDir, ...args, '-p', question], {env: cleanEnv(), stdio: ['ignore', 'ignore', 'ignore']});
	const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
	try {
		for (;;) {
			const fresh = readdirSync(logDir).filter((name) => !before.has(name));
			if (fresh.some((name) => {
				const text = readFileSync(join(logDir, name), 'utf8');
				return text.includes(question) && !text.includes('"queued":true');
			}))
				break;
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		child.kill(signal);
		await exited;
	} finally {
		child.kill('SIGKILL');
	}
}

const answerWithWhatItSees = () => llm.setResponder(scripted({root: () => repl('llm_output(repr([h["question"] for h in history]) + " | a=" + str(globals().get("a")))')}));

describe('--resume and questions stopped before their first iteration ended', () => {
	it('a cancelled question alone in its session: that session is resumed, named, and its question noted unanswered', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-resume-unfinished-'));
		llm.setResponder(scripted({root: () => repl('a = 1\nllm_output("answer A")')}));
		const first = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '-p', 'session A']);
		expect(first.stdout.trim()).toBe('answer A');

		await askAndStop([], logDir, 'session B: my long careful question', 'SIGINT');
		const logB = readdirSync(logDir).map((name) => readFileSync(join(logDir, name), 'utf8')).find((text) => text.includes('session B'))!;
		expect(logB).toContain('"run_status":"cancelled"');

		answerWithWhatItSees();
		llm.requests.length = 0;
		const result = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '--resume', '-p', 'which session?']);
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/resumed 1 turn\(s\) of the session of \d{4}-\d\d-\d\d \d\d:\d\d UTC \(last asked: "session B: my long careful question"\)/);
		expect(result.stderr).toContain('rlm-tui: turn 1 "session B: my long careful question" has no answer: it was cancelled');
		// Session B's: no answered turn, none of session A's variables.
		expect(result.stdout.trim()).toBe('[] | a=None');
		const told = rootRequests(llm.requests)[0]!.messages.find((message) => message.role === 'user')!.content;
		expect(told).toContain('This chat has 1 earlier turn(s). None was answered, so `history` is empty. 1 ended without an answer');
		expect(told).toContain('You have 2 contexts available');
	});

	it('a question killed (SIGKILL) in a longer session comes back as an unfinished turn, after the answered one', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-resume-unfinished-'));
		llm.setResponder(scripted({root: () => repl('a = 7\nllm_output("first answer")')}));
		expect((await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '-p', 'first question'])).code).toBe(0);

		await askAndStop(['--resume'], logDir, 'second question, killed', 'SIGKILL');
		// The killed run's log holds its metadata line only.
		const killed = readdirSync(logDir).map((name) => readFileSync(join(logDir, name), 'utf8')).find((text) => text.includes('second question, killed'))!;
		expect(killed.trim().split('\n')).toHaveLength(1);

		answerWithWhatItSees();
		const result = await runCli(['-u', llm.openaiBaseURL, '-m', 'm', '--log-dir', logDir, '--resume', '-p', 'third']);
		expect(result.code).toBe(0);
		expect(result.stderr).toContain('resumed 2 turn(s) of the session of');
		expect(result.stderr).toContain('(last asked: "second question, killed")');
		expect(result.stderr).toContain('rlm-tui: turn 2 "second question, killed" has no answer: it was cut short when the app or CLI was closed or killed');
		expect(result.stdout.trim()).toBe("['first question'] | a=7");
	});
});
