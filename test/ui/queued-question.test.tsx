// The TUI with the real engine and sandbox: a question typed while --resume re-runs the old
// session's code, or while a /context still reads, is in the trajectory log from the moment it is
// sent (marked queued), so an app closed or killed meanwhile keeps it; the next --resume shows it
// as a question that never started, and does not run it.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {renderApp, waitFor, type Harness} from './harness.js';

let dir: string;
let logDir: string;
let settings: SettingsStore;
let server: FakeLlmServer;
const engines: Rlm[] = [];
let h: Harness | undefined;

const SLOW = 120_000;
const flat = (frame: string) => frame.replace(/[\s│]+/g, ' ');
/** The chat's history alone (not the tree beside it, not the input under it), its wrapped lines joined. */
const chatText = (frame: string) => {
	const width = frame.split('\n')[0]!.indexOf('╮') + 1;
	const lines = frame.split('\n').map((line) => line.slice(0, width));
	const inputRule = lines.findIndex((line) => line.startsWith('│─'));
	return flat(lines.slice(0, inputRule < 0 ? undefined : inputRule).join('\n'));
};

type LogLine = {
	type: string;
	rlm_tui?: {question?: string; queued?: boolean; turn?: number; session_id?: string; run_status?: string; context?: {type: string; chars: number}; context_is_prompt?: boolean; context_text?: unknown};
};
/** Each log file of the log dir by name, as its parsed lines. */
const logs = () =>
	new Map(
		(fs.existsSync(logDir) ? fs.readdirSync(logDir) : [])
			.filter((name) => name.endsWith('.jsonl'))
			.map((name) => [name, fs.readFileSync(path.join(logDir, name), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine)]),
	);
const fileOf = (question: string) => [...logs()].find(([, lines]) => lines[0]?.rlm_tui?.question === question);

function engine(extra: Partial<ConstructorParameters<typeof Rlm>[0]> = {}): Rlm {
	const rlm = new Rlm({model: 'm', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', logDir, timeoutSeconds: 120, ...extra});
	engines.push(rlm);
	return rlm;
}

const config = () => resolveConfig({backend: 'openai', backendUrl: server.openaiBaseURL, model: 'm'}, {}, settings.get());

beforeEach(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ui-queued-'));
	logDir = path.join(dir, 'logs');
	settings = openSettings({cwd: path.join(dir, 'config')});
	server = await startFakeLlmServer({models: ['m']});
});

afterEach(async () => {
	h?.unmount();
	h = undefined;
	await Promise.all(engines.splice(0).map((rlm) => rlm.dispose()));
	await server.close();
	fs.rmSync(dir, {recursive: true, force: true});
});

describe('a question typed while the app is busy is in the log at once', () => {
	it('typed while --resume re-runs the old code: logged queued as the next turn; a later --resume shows it as never started and does not run it', async () => {
		// One answered turn whose block runs at once live (the tools code defines live_tool) and never
		// ends when a resume re-runs it. Its context is too big to log: a resume given no context
		// does not re-run it at all.
		const context = 'x'.repeat(1_100_000);
		server.setResponder(scripted({root: () => repl('while "live_tool" not in globals():\n    pass\nllm_output("first answer")')}));
		const first = engine({toolsCode: 'def live_tool():\n    "Answers 1."\n    return 1\n'});
		expect((await first.completion('the first question', {context})).status).toBe('answered');
		const [[firstName, firstLines]] = [...logs()] as [[string, LogLine[]]];
		const session = firstLines[0]!.rlm_tui!.session_id!;
		server.requests.length = 0;

		const resuming = engine();
		resuming.setContext(context);
		h = renderApp({rlm: resuming, config: config(), settings, cwd: dir, env: {}, columns: 140, rows: 40, resume: true});
		await h.waitForFrame((f) => f.includes('Resuming the last session'), SLOW);
		h.write('typed while it resumed\r');
		await waitFor(() => fileOf('typed while it resumed'), 30_000, 'the question in the log');
		const [name, lines] = fileOf('typed while it resumed')!;
		expect(name).not.toBe(firstName);
		expect(name).toContain(`_${session}_t2_`);
		expect(lines).toHaveLength(1);
		expect(lines[0]!.rlm_tui).toMatchObject({queued: true, turn: 2, session_id: session});
		// The app is closed while the resume still runs: what the log holds is all there is.
		h.unmount();
		h = undefined;
		await resuming.dispose();
		expect(server.requests).toHaveLength(0);

		server.setResponder(scripted({root: () => repl('llm_output("never asked")')}));
		const later = engine();
		h = renderApp({rlm: later, config: config(), settings, cwd: dir, env: {}, columns: 140, rows: 40, resume: true});
		const resumed = flat(await h.waitForFrame((f) => f.includes('Resumed 2 turn(s)'), SLOW));
		expect(resumed).toContain('typed while it resumed');
		expect(resumed).toContain("No answer: this question's run never started: the app or CLI was closed or killed while it waited its turn, so it has no answer.");
		// Shown, not run: no model was asked, and no new file was written.
		expect(server.requests).toHaveLength(0);
		expect(logs().size).toBe(2);
	}, SLOW);

	it('typed while /context reads a pipe: logged queued at once; once the read ends it runs in that same file, not queued any more', async () => {
		server.setResponder(scripted({root: () => repl('llm_output(f"read {len(context)}")')}));
		const rlm = engine();
		h = renderApp({rlm, config: config(), settings, cwd: dir, env: {}, columns: 140, rows: 40});
		const fifo = path.join(dir, 'feed');
		execFileSync('mkfifo', [fifo]);
		h.write('/context feed\r');
		await h.waitForFrame((f) => f.includes('Reading the context (feed)…'));
		h.write('what is in the pipe?\r');
		await waitFor(() => fileOf('what is in the pipe?'), 30_000, 'the question in the log');
		const [name, lines] = fileOf('what is in the pipe?')!;
		expect(lines).toHaveLength(1);
		expect(lines[0]!.rlm_tui!.queued).toBe(true);
		// Queued behind the read: no context yet, and never the question as its own context.
		expect(lines[0]!.rlm_tui).not.toHaveProperty('context_is_prompt');
		expect(lines[0]!.rlm_tui).not.toHaveProperty('context');
		expect(lines[0]!.rlm_tui).not.toHaveProperty('context_text');
		expect(server.requests).toHaveLength(0);

		fs.writeFileSync(fifo, 'piped text');
		await h.waitForFrame((f) => f.includes('read 10'), SLOW);
		expect(logs().size).toBe(1);
		const ran = logs().get(name)!;
		expect(ran[0]!.rlm_tui!.queued).toBeUndefined();
		// Its run's line has the context it ran with.
		expect(ran[0]!.rlm_tui).toMatchObject({context: {type: 'str', chars: 10}, context_text: 'piped text'});
		expect(ran[0]!.rlm_tui).not.toHaveProperty('context_is_prompt');
		expect(ran.at(-1)!.rlm_tui!.run_status).toBe('answered');
	}, SLOW);

	it('cancelled while /context reads a pipe: logged as cancelled, with no context (it was never read), not as its own context', async () => {
		const rlm = engine();
		h = renderApp({rlm, config: config(), settings, cwd: dir, env: {}, columns: 140, rows: 40});
		const fifo = path.join(dir, 'feed');
		execFileSync('mkfifo', [fifo]);
		h.write('/context feed\r');
		await h.waitForFrame((f) => f.includes('Reading the context (feed)…'));
		h.write('never mind\r');
		await waitFor(() => fileOf('never mind'), 30_000, 'the question in the log');
		h.write('\x1b');
		await waitFor(() => fileOf('never mind')?.[1].at(-1)?.rlm_tui?.run_status === 'cancelled', 30_000, 'the cancelled turn in the log');
		const [, lines] = fileOf('never mind')!;
		expect(lines[0]!.rlm_tui!.queued).toBeUndefined();
		expect(lines[0]!.rlm_tui).not.toHaveProperty('context_is_prompt');
		expect(lines[0]!.rlm_tui).not.toHaveProperty('context');
		expect(server.requests).toHaveLength(0);
		// The read goes on; the pipe is ended so that nothing waits on it.
		fs.writeFileSync(fifo, 'late');
		await h.waitForFrame((f) => f.includes('Context: feed'), SLOW);
	}, SLOW);

	it('typed while an answer runs: logged queued at once, asked when that answer is done; one taken back (↑) leaves no turn: no log file, no run, its turn number given back, nothing of it on --resume', async () => {
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		server.setResponder(
			scripted({
				root: async ({lastUser}) => {
					if (lastUser.includes('the second question')) return repl('llm_output("second answer")');
					if (lastUser.includes('the third question')) return repl('llm_output("third answer")');
					await gate;
					return repl('llm_output("first answer")');
				},
			}),
		);
		const rlm = engine();
		h = renderApp({rlm, config: config(), settings, cwd: dir, env: {}, columns: 140, rows: 40});
		h.write('the first question\r');
		await waitFor(() => server.requests.length === 1, 30_000, 'the first model call');
		h.write('the second question\r');
		h.write('the third question\r');
		await waitFor(() => fileOf('the second question') && fileOf('the third question'), 30_000, 'the queued questions in the log');
		for (const question of ['the second question', 'the third question']) expect(fileOf(question)![1][0]!.rlm_tui).toMatchObject({queued: true});
		const thirdTurn = fileOf('the third question')![1][0]!.rlm_tui!.turn;
		await h.waitForFrame((f) => chatText(f).includes('› the third question'));
		h.write('\x1b[A');
		await h.waitForFrame((f) => !chatText(f).includes('› the third question'));
		// Gone from the log (the take-back runs as an effect after the render).
		await waitFor(() => fileOf('the third question') === undefined, 30_000, 'the taken-back question out of the log');
		// Enter queues it again: a new question, with the turn number it had.
		h.write('\r');
		await waitFor(() => fileOf('the third question'), 30_000, 'the question queued again in the log');
		expect(fileOf('the third question')![1][0]!.rlm_tui!.turn).toBe(thirdTurn);
		release();
		const frame = chatText(await h.waitForFrame((f) => chatText(f).includes('third answer'), SLOW));
		const at = ['first answer', '› the second question', 'second answer', '› the third question', 'third answer'].map((text) => frame.indexOf(text));
		expect(at.every((index, i) => index >= 0 && (i === 0 || index > at[i - 1]!))).toBe(true);
		expect(frame).not.toContain('queued');
		expect(flat(h.lastFrame())).not.toContain('⊘');
		const second = fileOf('the second question')![1];
		expect(second[0]!.rlm_tui!.queued).toBeUndefined();
		expect(second.at(-1)!.rlm_tui!.run_status).toBe('answered');
		expect(fileOf('the third question')![1].at(-1)!.rlm_tui!.run_status).toBe('answered');
		expect([...logs().values()].map((lines) => lines[0]!.rlm_tui!.turn).sort()).toEqual([1, 2, 3]);
		expect(server.requests.some((request) => request.messages.some((message) => String(message.content).includes('the second question')))).toBe(true);
		// --resume brings back the three turns asked, none for the one taken back; the next question is turn 4.
		h.unmount();
		const later = engine();
		h = renderApp({rlm: later, config: config(), settings, cwd: dir, env: {}, columns: 140, rows: 40, resume: true});
		const resumed = chatText(await h.waitForFrame((f) => f.includes('Resumed 3 turn(s)'), SLOW));
		expect(resumed.match(/› the third question/g)).toHaveLength(1);
		expect(resumed).not.toContain('Cancelled');
		h.write('the fifth question\r');
		await waitFor(() => fileOf('the fifth question'), 30_000, 'the fifth question in the log');
		expect(fileOf('the fifth question')![1][0]!.rlm_tui!.turn).toBe(4);
	}, SLOW);
});
