// The TUI driven through ink-testing-library with a scripted stand-in engine, for the cases that
// need exact control of the event stream (navigation, reducers under several keys per tick,
// cancel, commands). engine.test.tsx drives the same App with the real engine.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import type {RlmEvent} from '../../source/protocol/events.js';
import {InertEngine} from '../../source/ui/replay-tui.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {parseTrajectoryLog} from '../../source/trajectory/read-log.js';
import {concurrentLog} from '../support/concurrent-log.js';
import {displayWidth} from '../../source/ui/format.js';
import {transcriptMarkdown, UNFINISHED_NOTE} from '../../source/ui/transcript.js';
import {asRlm, FakeTerminal, KEYS, renderApp, scriptRun, scriptRunDone, ScriptedRlm, stripAnsi, waitFor, type Harness} from './harness.js';

let dir: string;
let settings: SettingsStore;
let rlm: ScriptedRlm;
let h: Harness;

function start(options: {columns?: number; rows?: number; skipStartup?: boolean; terminal?: FakeTerminal; historyFile?: string; env?: NodeJS.ProcessEnv} & Pick<Parameters<typeof renderApp>[0], 'contextBadge' | 'contextLoad' | 'notices'> = {}) {
	rlm ??= new ScriptedRlm();
	h = renderApp({
		...(options.terminal ? {terminal: options.terminal} : {}),
		...(options.historyFile ? {historyFile: options.historyFile} : {}),
		rlm: asRlm(rlm),
		config: resolveConfig({}, {}, settings.get()),
		settings,
		cwd: dir,
		...(options.env ? {env: options.env} : {}),
		columns: options.columns ?? 120,
		rows: options.rows ?? 36,
		skipStartup: options.skipStartup ?? true,
		...(options.contextBadge ? {contextBadge: options.contextBadge} : {}),
		...(options.contextLoad ? {contextLoad: options.contextLoad} : {}),
		...(options.notices ? {notices: options.notices} : {}),
	});
	return h;
}

const treeNote = (frame: string) => /(\d+)\/(\d+)( · following)?/.exec(frame.split('\n')[0] ?? '')?.slice(0, 4) ?? [];
const cursorAt = (row: number, total: number) => (frame: string) => {
	const [, at, of] = treeNote(frame);
	return Number(at) === row && Number(of) === total;
};

async function askAndRun(question = 'hello') {
	h.write(`${question}\r`);
	await waitFor(() => rlm.prompts.includes(question), 5000, 'the prompt to reach the engine');
	scriptRun(rlm);
	scriptRunDone(rlm);
	rlm.finish('The answer is **five**.');
	await h.waitForFrame((frame) => frame.includes('The answer is five') && cursorAt(7, 7)(frame));
}

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ui-'));
	settings = openSettings({cwd: path.join(dir, 'config')});
	rlm = new ScriptedRlm();
});

afterEach(() => {
	h?.unmount();
	fs.rmSync(dir, {recursive: true, force: true});
});

describe('layout', () => {
	it('fits the terminal: two panes when wide, stacked when narrow, never taller than rows - 1', async () => {
		start({columns: 120, rows: 36});
		let frame = await h.waitForFrame((f) => f.includes('Chat') && f.includes('Tree') && f.split('\n').length === 35);
		expect(frame.split('\n')[0]).toMatch(/╭─ Chat .*╮╭─ Tree .*╮/);
		expect(frame.split('\n').length).toBe(35);
		await askAndRun();
		for (const [columns, rows] of [[80, 24], [100, 30], [99, 24], [160, 50]] as const) {
			h.resize(columns, rows);
			frame = await h.waitForFrame((f) => f.split('\n').length === rows - 1);
			const lines = frame.split('\n');
			for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
			if (columns < 100) expect(lines.filter((line) => line.startsWith('╭─')).length).toBe(2);
			else expect(lines[0]).toMatch(/Chat.*Tree/);
			// The key hints stay whole; at 80 columns the backend's name gives way to them.
			expect(lines.at(-1)).toContain(columns >= 100 ? 'openai · cogito:14b' : 'cogito:14b');
			expect(lines.at(-1)).toContain('Enter send · Tab tree · /help');
		}
	});

	it('says so, wrapped to fit, when the terminal is too small for the panes, and recovers', async () => {
		start({columns: 120, rows: 36});
		await h.waitForFrame((f) => f.includes('Chat'));
		h.resize(30, 8);
		const small = await h.waitForFrame((f) => f.includes('Terminal too small (30×8)'));
		// The whole message, over lines of at most 30 columns (it was cut at the first line's end).
		expect(small.split('\n').join(' ')).toContain('Terminal too small (30×8): make it at least 40×10. Ctrl+C twice quits.');
		for (const line of small.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(30);
		h.resize(6, 3);
		const tiny = await h.waitForFrame((f) => f.includes('40×10') && !f.includes('Terminal'));
		expect(tiny.split('\n')).toEqual(['Needs', '40×10']);
		h.resize(80, 24);
		await h.waitForFrame((f) => f.includes('Chat') && f.split('\n').length === 23);
	});
});

describe('the too-small message', () => {
	it('fits every width and height down to one cell: its lines, and as few as the rows hold, say the size needed', async () => {
		const {tooSmallLines} = await import('../../source/ui/too-small.js');
		for (let columns = 1; columns < 40; columns++) {
			for (let rows = 1; rows < 10; rows++) {
				const lines = tooSmallLines({columns, rows}, {columns: 40, rows: 10}, 'Ctrl+C');
				for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(columns);
				expect(lines.length).toBeLessThanOrEqual(Math.max(1, rows - 1));
				if (columns * Math.max(1, rows - 1) >= 5) expect(lines.join('')).toContain('40×10');
				if (columns >= 9 && rows >= 8) expect(lines.join(' ')).toContain('twice quits');
			}
		}
	});
});

describe('asking', () => {
	it('sends the question, shows rows as events arrive, then the Markdown answer and the rolled-up tokens', async () => {
		start();
		h.write('hello\r');
		await h.waitForFrame((f) => f.includes('› hello') && f.includes('working'));
		await waitFor(() => rlm.prompts.length === 1);
		expect(rlm.prompts).toEqual(['hello']);
		scriptRun(rlm);
		const live = await h.waitForFrame((f) => f.includes('llm_query_batched[1]'));
		expect(live).toContain('iteration 1/30');
		expect(live).toContain('code #1 print(len(context))');
		expect(live).toContain('output 5');
		expect(live).toMatch(/iter 1\/30/);
		scriptRunDone(rlm);
		rlm.finish('The answer is **five**.');
		const done = await h.waitForFrame((f) => f.includes('The answer is five.'));
		expect(done).not.toContain('**');
		expect(done).toContain('1 iteration');
		expect(done).toContain('↑120 ↓30 tok');
	});

	it("shows this question's usage beside the session's once there is more than one", async () => {
		start({columns: 140});
		await askAndRun('first');
		expect(h.lastFrame()).not.toContain('session ↑');
		h.write('second\r');
		await waitFor(() => rlm.prompts.includes('second'));
		scriptRun(rlm, 'r2', 'second');
		rlm.emitEvent({type: 'run.done', runId: 'r2', answer: 'six', status: 'answered', usage: {inputTokens: 500, outputTokens: 70}, ms: 200, iterations: 1});
		rlm.finish('six');
		const frame = await h.waitForFrame((f) => f.includes('run ↑500 ↓70') && f.includes('session ↑620 ↓100 tok'));
		expect(frame.split('\n').at(-1)).toMatch(/run ↑500 ↓70 │ session ↑620 ↓100 tok/);
	});

	it('keeps every key when text and Enter arrive in one chunk, and edits with backspace', async () => {
		start();
		h.write('helo');
		h.write(`${KEYS.backspace}lo there${KEYS.left}${KEYS.left}${KEYS.backspace}X\r`);
		await waitFor(() => rlm.prompts.length === 1, 5000, 'a prompt');
		expect(rlm.prompts[0]).toBe('hello thXre');
	});

	it('keeps a paste in the input, line breaks and all, until Enter: bracketed or not', async () => {
		start();
		// Without brackets: a read with text, a line break and more text is a paste.
		h.write('line one\nline two\r');
		await h.waitForFrame((f) => f.includes('› line one') && f.includes('  line two'));
		expect(rlm.prompts).toEqual([]);
		h.write('\r');
		await waitFor(() => rlm.prompts.length === 1, 5000, 'a prompt');
		expect(rlm.prompts[0]).toBe('line one\nline two');
		rlm.finish('ok');
		// Bracketed, split over reads, with an Enter inside and escape bytes: verbatim, not sent.
		h.write('\x1b[200~first\r\x1b[31mred');
		h.write('\x1b[0m\r\x1b[201~');
		await h.waitForFrame((f) => f.includes('› first') && f.includes('[31mred'));
		expect(rlm.prompts).toHaveLength(1);
		h.write('\r');
		await waitFor(() => rlm.prompts.length === 2, 5000, 'the pasted question');
		expect(rlm.prompts[1]).toBe('first\n\x1b[31mred\x1b[0m');
	});

	it('shows a very large paste as a placeholder and sends it whole', async () => {
		start();
		const lines = Array.from({length: 120}, (_, i) => `row ${i}`);
		h.write(`\x1b[200~${lines.join('\n')}\x1b[201~`);
		await h.waitForFrame((f) => f.includes('[pasted 120 lines]'));
		h.write(' — summarise\r');
		await waitFor(() => rlm.prompts.length === 1, 5000, 'the prompt');
		expect(rlm.prompts[0]).toBe(`${lines.join('\n')} — summarise`);
		// Its first and last lines and the count between: the typed instruction after the paste shows.
		const frame = await h.waitForFrame((f) => f.includes('› row 0 … (+118 lines) … row 119 — summarise'));
		expect(frame).not.toContain('row 60');
	});

	it('grows the input to a few rows for several lines, and wraps a long line', async () => {
		start({columns: 120, rows: 36});
		h.write('one\x1b\rtwo\x1b\rthree');
		const frame = await h.waitForFrame((f) => f.includes('› one') && f.includes('  two') && f.includes('  three'));
		expect(rlm.prompts).toEqual([]);
		const long = `${'abcdefghij'.repeat(12)}END`;
		h.write(`\x15\x1b\x7f\x1b\x7f${long}`);
		void frame;
		const wrapped = await h.waitForFrame((f) => f.includes('END') && !f.includes('three'));
		// The long line is drawn whole over several rows, its start still in view.
		expect(wrapped).toContain('› abcdefghij');
		for (const line of wrapped.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(120);
	});

	it('cancels the running question with Esc', async () => {
		start();
		h.write('first\r');
		await waitFor(() => rlm.prompts.length === 1);
		h.write(KEYS.esc);
		await h.waitForFrame((f) => f.includes('Cancelled'));
		expect(rlm.signals[0]!.aborted).toBe(true);
	});

	it('counts a cancelled run the same in the chat and the tree: the iterations started', async () => {
		start();
		h.write('hello\r');
		await waitFor(() => rlm.prompts.length === 1);
		scriptRun(rlm);
		rlm.emitEvent({type: 'iter.start', runId: 'r1', iteration: 2, maxIterations: 30});
		rlm.emitEvent({type: 'llm.start', runId: 'r1', iteration: 2, messages: 4, promptChars: 900});
		await h.waitForFrame((f) => f.includes('iteration 2/30'));
		h.write(KEYS.esc);
		rlm.emitEvent({type: 'run.done', runId: 'r1', answer: '', status: 'cancelled', usage: {inputTokens: 120, outputTokens: 30}, ms: 200, iterations: 1});
		await h.waitForFrame((f) => f.includes('Cancelled in iteration 2/30'));
		// The run's row, at the top of the tree.
		h.write(`${KEYS.tab}g`);
		const frame = await h.waitForFrame((f) => / cancelled 2 it/.test(f));
		expect(frame).not.toMatch(/Cancelled after 1 iteration/);
	});

	it('shows the forced final call as the answer after the limit, never as iteration 31/30', async () => {
		start();
		h.write('hello\r');
		await waitFor(() => rlm.prompts.length === 1);
		rlm.emitEvent({type: 'run.start', runId: 'r1', depth: 0, model: 'cogito:14b', backend: 'openai', question: 'hello', context: {type: 'str', chars: 5}, maxIterations: 30});
		for (let iteration = 1; iteration <= 30; iteration++) {
			rlm.emitEvent({type: 'iter.start', runId: 'r1', iteration, maxIterations: 30});
			rlm.emitEvent({type: 'llm.done', runId: 'r1', iteration, text: 'more', usage: {inputTokens: 1, outputTokens: 1}, ms: 1});
		}
		rlm.emitEvent({type: 'llm.start', runId: 'r1', iteration: 31, messages: 62, promptChars: 9000});
		await h.waitForFrame((f) => f.includes('final answer (out of iterations)'));
		expect(h.lastFrame()).not.toContain('31/30');
		rlm.emitEvent({type: 'llm.done', runId: 'r1', iteration: 31, text: 'best guess', usage: {inputTokens: 1, outputTokens: 1}, ms: 1});
		rlm.emitEvent({type: 'run.done', runId: 'r1', answer: 'best guess', status: 'forced', usage: {inputTokens: 31, outputTokens: 31}, ms: 99, iterations: 30});
		rlm.finish('best guess', 'forced', 30);
		await h.waitForFrame((f) => f.includes('best answer after the iteration limit · 30 iterations'));
		h.write(`${KEYS.tab}g`);
		const frame = await h.waitForFrame((f) => /forced 30 it/.test(f));
		expect(frame).not.toContain('31/30');
	});

	it('Ctrl+C cancels a run and a second within 2 s quits; the hint expires; a draft is cleared, not lost', async () => {
		start();
		h.write('first\r');
		await waitFor(() => rlm.prompts.length === 1);
		h.write(KEYS.ctrlC);
		await h.waitForFrame((f) => f.includes('Cancelled') && f.includes('Ctrl+C again to quit'));
		expect(h.exits).toEqual([]);
		// The hint expires: the next Ctrl+C only arms again.
		await h.waitForFrame((f) => !f.includes('Ctrl+C again to quit'));
		h.write('a draft');
		await h.waitForFrame((f) => f.includes('› a draft'));
		h.write(KEYS.ctrlC);
		await h.waitForFrame((f) => f.includes('input cleared') && !f.includes('› a draft'));
		h.write(KEYS.up);
		await h.waitForFrame((f) => f.includes('› a draft'));
		expect(h.exits).toEqual([]);
		h.write(KEYS.ctrlC);
		h.write(KEYS.ctrlC);
		await h.waitForFrame((f) => f.includes('Ctrl+C again to quit'));
		h.write(KEYS.ctrlC);
		await waitFor(() => h.exits.length === 1, 5000, 'exit');
		expect(h.exits).toEqual([0]);
	});

	it('two Ctrl+C during a run: cancel and quit', async () => {
		start();
		h.write('first\r');
		await waitFor(() => rlm.prompts.length === 1);
		h.write(KEYS.ctrlC + KEYS.ctrlC);
		await waitFor(() => h.exits.length === 1, 5000, 'exit');
		expect(rlm.signals[0]!.aborted).toBe(true);
	});

	it('Ctrl+\\ quits at once, as SIGQUIT would: during a run (cancelled), over the help view, in the kitty protocol\'s form too', async () => {
		start();
		h.write('first\r');
		await waitFor(() => rlm.prompts.length === 1);
		h.write('a draft');
		await h.waitForFrame((f) => f.includes('› a draft'));
		h.write('\x1c');
		await waitFor(() => h.exits.length === 1, 5000, 'exit');
		expect(h.exits).toEqual([131]);
		expect(rlm.signals[0]!.aborted).toBe(true);
		h.unmount();
		start();
		h.write('/help\r');
		await h.waitForFrame((f) => f.includes('Ctrl+\\') && f.includes('quit at once'));
		h.write('\x1b[92;5u');
		await waitFor(() => h.exits.length === 1, 5000, 'exit');
		expect(h.exits).toEqual([131]);
	});

	it('Esc that closes the detail view never cancels the running answer; Ctrl+D quits on an empty line', async () => {
		start();
		h.write('question\r');
		await waitFor(() => rlm.prompts.length === 1);
		scriptRun(rlm);
		await h.waitForFrame((f) => f.includes('llm_query_batched[1]'));
		h.write(KEYS.tab);
		h.write(KEYS.enter);
		await h.waitForFrame((f) => f.includes('PgUp/PgDn scroll'));
		// Esc twice in one read, as a repeating or impatient key sends it.
		h.write(KEYS.esc + KEYS.esc);
		await h.waitForFrame((f) => f.includes('Esc again to cancel'));
		expect(rlm.signals[0]!.aborted).toBe(false);
		h.write(KEYS.tab);
		await h.waitForFrame((f) => f.includes('Esc/Ctrl+C cancel'));
		h.write('x\x04');
		await h.waitForFrame((f) => f.includes('› x'));
		h.write(`${KEYS.left}\x04`);
		await h.waitForFrame((f) => !f.includes('› x'));
		expect(h.exits).toEqual([]);
		h.write('\x04');
		await h.waitForFrame((f) => f.includes('Ctrl+D again to quit'));
		h.write('\x04');
		await waitFor(() => h.exits.length === 1, 5000, 'exit');
	});
});

describe('tree navigation', () => {
	it('moves, collapses, expands and follows, with several keys per tick', async () => {
		start();
		await askAndRun();
		// Tab and three keys in one chunk (as tmux send-keys delivers them): focus moves first.
		h.write(`${KEYS.tab}kkj`);
		await h.waitForFrame(cursorAt(6, 7));
		expect(h.lastFrame()).toContain('j/k move');
		expect(treeNote(h.lastFrame())[3]).toBeUndefined();
		// Escape sequences and letters mixed in one chunk.
		h.write(`${KEYS.up}${KEYS.up}k`);
		await h.waitForFrame(cursorAt(3, 7));
		h.write('j');
		await h.waitForFrame(cursorAt(4, 7));
		expect(h.lastFrame()).toMatch(/▾ ✓ code #1/);
		h.write('h');
		await h.waitForFrame(cursorAt(4, 4));
		expect(h.lastFrame()).toMatch(/▸ ✓ code #1/);
		expect(h.lastFrame()).not.toContain('output 5');
		h.write('l');
		await h.waitForFrame(cursorAt(4, 7));
		h.write('l');
		await h.waitForFrame(cursorAt(5, 7));
		// Left on a leaf goes to the parent; twice more collapses the iteration.
		h.write('hh');
		await h.waitForFrame(cursorAt(4, 4));
		h.write('kh');
		await h.waitForFrame(cursorAt(2, 4));
		h.write('h');
		await h.waitForFrame(cursorAt(2, 2));
		h.write('g');
		await h.waitForFrame(cursorAt(1, 2));
		h.write(`${KEYS.enter}`);
		await h.waitForFrame((f) => f.includes('Run') && f.includes('Question'));
		h.write(KEYS.esc);
		await h.waitForFrame(cursorAt(1, 2));
		h.write('G');
		await h.waitForFrame((f) => cursorAt(2, 2)(f) && f.includes('following'));
		h.write('l');
		await h.waitForFrame(cursorAt(2, 4));
		// A new question while following: the cursor tracks the newest row.
		h.write(KEYS.tab);
		h.write('again\r');
		await waitFor(() => rlm.prompts.length === 2);
		scriptRun(rlm, 'r2', 'again');
		await h.waitForFrame((f) => /\b8\/8 · following/.test(f));
	});

	it('a block whose answer was refused as empty gets no tick: its code and output rows warn', async () => {
		start({columns: 120, rows: 24});
		h.write('empty\r');
		await waitFor(() => rlm.prompts.length === 1);
		rlm.emitEvent({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'empty', context: {type: 'str', chars: 4}, maxIterations: 3});
		rlm.emitEvent({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'llm_output("")'});
		rlm.emitEvent({type: 'code.done', runId: 'r', iteration: 1, block: 1, ok: true, stdout: '', stderr: 'Your final answer is empty, so it was not taken\n', ms: 5, truncatedChars: 0, variables: [], final: null, restarted: false, answerRefused: 'empty'});
		rlm.emitEvent({type: 'code.start', runId: 'r', iteration: 1, block: 2, code: 'print("fine")'});
		rlm.emitEvent({type: 'code.done', runId: 'r', iteration: 1, block: 2, ok: true, stdout: 'fine\n', stderr: '', ms: 5, truncatedChars: 0, variables: [], final: null, restarted: false});
		const frame = stripAnsi(await h.waitForFrame((f) => f.includes('code #2') && f.includes('fine')));
		const rowOf = (label: string) => frame.split('\n').find((line) => line.includes(label)) ?? '';
		expect(rowOf('code #1')).toMatch(/! code #1/);
		expect(rowOf('code #1')).toContain('empty answer refused');
		expect(rowOf('Your final answer')).toMatch(/! output/);
		expect(rowOf('code #2')).toMatch(/✓ code #2/);
		expect(rowOf('output fine')).toMatch(/✓ output/);
	});

	it('opens the detail view on a leaf and scrolls long text with PgUp/PgDn', async () => {
		start({columns: 120, rows: 24});
		h.write('long\r');
		await waitFor(() => rlm.prompts.length === 1);
		rlm.emitEvent({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'long', context: {type: 'str', chars: 4}, maxIterations: 3});
		rlm.emitEvent({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'for i in range(100): print(i)'});
		const out = Array.from({length: 100}, (_, i) => `line ${i}`).join('\n');
		rlm.emitEvent({type: 'code.done', runId: 'r', iteration: 1, block: 1, ok: true, stdout: out, stderr: '', ms: 5, truncatedChars: 0, variables: [], final: null, restarted: false});
		rlm.emitEvent({type: 'call.start', callId: 'c', runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: 'sub', prompt: 'What is the full prompt text?'});
		rlm.emitEvent({type: 'call.done', callId: 'c', response: 'The complete response.', usage: {inputTokens: 3, outputTokens: 4}, ms: 9});
		await h.waitForFrame((f) => f.includes('llm_query'));
		h.write(KEYS.tab);
		h.write(KEYS.enter);
		let frame = await h.waitForFrame((f) => f.includes('Prompt'));
		expect(frame).toContain('What is the full prompt text?');
		expect(frame).toContain('The complete response.');
		h.write(`${KEYS.esc}k`);
		await h.waitForFrame(cursorAt(4, 5));
		h.write(KEYS.enter);
		frame = await h.waitForFrame((f) => f.includes('stdout'));
		expect(frame).toContain('line 0');
		expect(frame).not.toContain('line 40');
		h.write(KEYS.pgdn + KEYS.pgdn);
		frame = await h.waitForFrame((f) => f.includes('line 40'));
		expect(frame).not.toContain('line 0\n');
		h.write('G');
		await h.waitForFrame((f) => f.includes('line 99'));
		h.write(KEYS.pgup);
		await h.waitForFrame((f) => !f.includes('line 99'));
		h.write(KEYS.esc);
		await h.waitForFrame((f) => f.includes('Tree') && f.includes('Chat'));
	});
});

describe('commands', () => {
	it('/model lists, filters and picks; the pick is applied and saved', async () => {
		start();
		h.write('/model\r');
		let frame = await h.waitForFrame((f) => f.includes('Model · openai') && f.includes('qwen2.5:7b'));
		expect(frame).toContain('cogito:14b (current)');
		h.write('qw');
		frame = await h.waitForFrame((f) => f.includes('filter › qw'));
		expect(frame).not.toContain('llama3.2:3b');
		h.write(KEYS.enter);
		await h.waitForFrame((f) => f.includes('Model: qwen2.5:7b'));
		expect(rlm.configured).toContainEqual({model: 'qwen2.5:7b'});
		expect(h.lastFrame().split('\n').at(-1)).toContain('openai · qwen2.5:7b');
		expect(openSettings({cwd: path.join(dir, 'config')}).get().models.openai).toBe('qwen2.5:7b');
		// Esc leaves without changing anything; a typed name that is not listed can be used.
		h.write('/model\r');
		await h.waitForFrame((f) => f.includes('Model · openai'));
		h.write(KEYS.esc);
		await h.waitForFrame((f) => f.includes('Chat'));
		h.write('/model\r');
		await h.waitForFrame((f) => f.includes('Model · openai') && f.includes('llama3.2:3b'));
		h.write('my-custom\r');
		await h.waitForFrame((f) => f.includes('Model: my-custom'));
	});

	it('/model NAME the server does not list is kept with a warning; the filter counts matches', async () => {
		start();
		h.write('/model qwen\r');
		await h.waitForFrame((f) => f.includes('Model: qwen') && f.includes('does not list "qwen"') && f.includes('qwen2.5:7b'));
		h.write('/model qwen2.5:7b\r');
		await h.waitForFrame((f) => f.includes('Model: qwen2.5:7b'));
		expect(h.lastFrame().match(/does not list/g)).toHaveLength(1);
		h.write('/model\r');
		await h.waitForFrame((f) => f.includes('Model · openai') && f.includes('4 of 4'));
		h.write('qw');
		const filtered = await h.waitForFrame((f) => f.includes('filter › qw'));
		// One listed match (the typed text is offered as a row too, but is not a match).
		expect(filtered).toContain('1 of 4');
		expect(filtered).toContain('(use this name)');
		h.write(KEYS.esc);
		await h.waitForFrame((f) => f.includes('Chat'));
	});

	it('/backend back to the launch backend keeps the model /model picked, not the -m flag', async () => {
		start();
		h.write('/model my-model\r');
		await h.waitForFrame((f) => f.includes('Model: my-model'));
		h.write('/backend demo\r');
		await h.waitForFrame((f) => f.includes('Backend: demo · model demo'));
		h.write('/backend openai\r');
		await h.waitForFrame((f) => f.includes('Backend: openai') && f.includes('model my-model'));
		expect(rlm.configured.at(-1)).toMatchObject({backend: 'openai', model: 'my-model'});
		expect(h.lastFrame().split('\n').at(-1)).toContain('openai · my-model');
	});

	it('says "waiting for the first token" until a byte arrives, then "model is writing"', async () => {
		start({columns: 160});
		h.write('q\r');
		await waitFor(() => rlm.prompts.length === 1);
		rlm.emitEvent({type: 'run.start', runId: 'w', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 30});
		rlm.emitEvent({type: 'iter.start', runId: 'w', iteration: 1, maxIterations: 30});
		rlm.emitEvent({type: 'llm.start', runId: 'w', iteration: 1, messages: 2, promptChars: 100});
		await h.waitForFrame((f) => f.includes('waiting for the first token'));
		expect(h.lastFrame()).not.toContain('model is writing');
		rlm.emitEvent({type: 'llm.delta', runId: 'w', iteration: 1, text: 'H'});
		await h.waitForFrame((f) => f.includes('model is writing'));
	});

	it('cuts a working line too long for the chat pane at a word, with an ellipsis (was "waiting for the fir")', async () => {
		start({columns: 120});
		h.write('q\r');
		await waitFor(() => rlm.prompts.length === 1);
		rlm.emitEvent({type: 'run.start', runId: 'w', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 30});
		rlm.emitEvent({type: 'iter.start', runId: 'w', iteration: 1, maxIterations: 30});
		rlm.emitEvent({type: 'llm.start', runId: 'w', iteration: 1, messages: 2, promptChars: 100});
		const frame = await h.waitForFrame((f) => f.includes('iteration 1/30 ·'));
		const line = frame.split('\n').find((row) => row.includes('iteration 1/30'))!;
		const shown = /working \S+ · iteration 1\/30 · ([^│]*?)\s*│/.exec(line)?.[1];
		expect(shown).toBeDefined();
		// Whole words of "waiting for the first token", then an ellipsis if cut.
		expect(['waiting for the first token', 'waiting for the first…', 'waiting for the…', 'waiting for…', 'waiting…']).toContain(shown);
	});

	it('/copy puts the last answer, or with row the selected row, on the clipboard through the terminal', async () => {
		const terminal = new FakeTerminal();
		start({terminal});
		h.write('/copy\r');
		await h.waitForFrame((f) => f.includes('Nothing to copy yet'));
		expect(terminal.copied).toEqual([]);
		await askAndRun();
		h.write('/copy\r');
		await h.waitForFrame((f) => f.includes('Copied the last answer'));
		expect(terminal.copied).toEqual(['The answer is **five**.']);
		// The code block's row (run, iteration, reply, code), then the command from the tree.
		h.write(`${KEYS.tab}gjjj`);
		await h.waitForFrame(cursorAt(4, 7));
		h.write(':copy row\r');
		await h.waitForFrame((f) => f.includes('Copied code block 1'));
		expect(terminal.copied[1]).toBe('print(len(context))\nx = llm_query_batched(["a", "b"])');
	});

	it('Ctrl+Z suspends through the terminal and redraws on resume; /mouse off gives the mouse back', async () => {
		const terminal = new FakeTerminal();
		start({terminal});
		await h.waitForFrame((f) => f.includes('Ask a question'));
		h.write('\x1a');
		await waitFor(() => terminal.suspends === 1, 5000, 'the suspend');
		const frames = h.frames.length;
		terminal.resume();
		await waitFor(() => h.frames.length > frames, 5000, 'a redraw after the resume');
		h.write('/mouse off\r');
		await h.waitForFrame((f) => f.includes('Mouse: off'));
		await waitFor(() => terminal.mouse.length === 1, 5000, 'the mouse switch');
		expect(terminal.mouse).toEqual([false]);
		h.write('/mouse\r');
		await h.waitForFrame((f) => f.includes('Mouse: on'));
		await waitFor(() => terminal.mouse.length === 2, 5000, 'the mouse switch');
		expect(terminal.mouse).toEqual([false, true]);
	});

	it('keeps input history across restarts in the state directory, never a secret', async () => {
		const historyFile = path.join(dir, 'state', 'input-history.jsonl');
		start({historyFile});
		h.write('first question\r');
		await waitFor(() => rlm.prompts.length === 1);
		rlm.finish('ok');
		await h.waitForFrame((f) => f.includes('Enter send'));
		h.write('my key is sk-ant-api03-abcdefghijklmnopqrstuvwxyz\r');
		await waitFor(() => rlm.prompts.length === 2);
		rlm.finish('ok');
		await h.waitForFrame((f) => f.includes('Enter send'));
		await waitFor(() => fs.existsSync(historyFile) && fs.readFileSync(historyFile, 'utf8').includes('first question'), 5000, 'the history file');
		h.unmount();
		rlm = new ScriptedRlm();
		start({historyFile});
		await h.waitForFrame((f) => f.includes('Ask a question'));
		// The history file is read after the first frame: Up until the earlier input shows.
		await waitFor(() => {
			if (h.lastFrame().includes('› first question')) return true;
			if (!h.lastFrame().includes('› ')) return false;
			h.write(KEYS.up);
			return false;
		}, 5000, 'the earlier input');
		expect(fs.readFileSync(historyFile, 'utf8')).not.toContain('sk-ant');
	});

	it('/backend switches (saved), rejects unknown names', async () => {
		start();
		h.write('/backend nope\r');
		await h.waitForFrame((f) => f.includes('Unknown backend "nope"'));
		// The refused line stays in the input: Ctrl+U empties it.
		h.write('\x15/backend demo\r');
		await h.waitForFrame((f) => f.includes('Backend: demo · model demo'));
		expect(rlm.configured.at(-1)).toMatchObject({backend: 'demo', model: 'demo', baseURL: undefined});
		expect(openSettings({cwd: path.join(dir, 'config')}).get().backend).toBe('demo');
		h.write('/backend openai http://127.0.0.1:9/v1\r');
		await h.waitForFrame((f) => f.includes('Backend: openai at http://127.0.0.1:9/v1'));
		expect(openSettings({cwd: path.join(dir, 'config')}).get().baseURLs.openai).toBe('http://127.0.0.1:9/v1');
	});

	it('/backend with credentials in the URL uses them this session only: never saved, shown or kept in history', async () => {
		const historyFile = path.join(dir, 'state', 'input-history.jsonl');
		start({historyFile});
		h.write('/backend openai http://127.0.0.1:9/v1\r');
		await h.waitForFrame((f) => f.includes('Backend: openai at http://127.0.0.1:9/v1'));
		for (const [url, secret, shown] of [
			['http://u:pw@127.0.0.1:1/v1', 'u:pw', 'http://[redacted]@127.0.0.1:1/v1'],
			['http://host.test/v1?key=AIzaSyShort', 'AIzaSy', 'http://host.test/v1?key=[redacted]'],
			['https://tok123@host.test/v1', 'tok123', 'https://[redacted]@host.test/v1'],
		] as const) {
			h.write(`/backend openai ${url}\r`);
			const flat = (f: string) => f.replace(/[\s│]+/g, ' ');
			const frame = flat(await h.waitForFrame((f) => flat(f).includes(`Backend: openai at ${shown}`)));
			expect(frame).toContain('kept for this session only');
			expect(frame).not.toContain(secret);
			// The engine gets the URL as typed (credentials go out as basic auth / query parameters).
			expect(rlm.configured.at(-1)?.baseURL).toBe(url);
			// The settings file keeps the last URL without credentials.
			expect(fs.readFileSync(settings.path, 'utf8')).not.toContain(secret);
			expect(openSettings({cwd: path.join(dir, 'config')}).get().baseURLs.openai).toBe('http://127.0.0.1:9/v1');
		}
		h.write('/backend\r');
		await h.waitForFrame((f) => f.includes('Switch with /backend NAME'));
		expect(h.lastFrame()).not.toContain('tok123');
		h.write('/backend openai http://127.0.0.1:8/v1\r');
		await waitFor(() => fs.existsSync(historyFile) && fs.readFileSync(historyFile, 'utf8').includes('127.0.0.1:8'), 5000, 'the history file');
		expect(fs.readFileSync(historyFile, 'utf8')).not.toMatch(/u:pw|AIzaSy|tok123/);
	});

	it('/backend takes a preset: its URL, its own key variable, its model', async () => {
		start({env: {GROQ_API_KEY: 'gsk-test', OPENAI_API_KEY: 'sk-not-for-groq'}});
		h.write('/backend groq\r');
		await h.waitForFrame((f) => f.includes('Backend: groq at https://api.groq.com/openai/v1'));
		expect(rlm.configured.at(-1)).toMatchObject({backend: 'groq', baseURL: 'https://api.groq.com/openai/v1', apiKey: 'gsk-test', model: 'llama-3.3-70b-versatile'});
		expect(openSettings({cwd: path.join(dir, 'config')}).get().backend).toBe('groq');
	});

	it('takes a pasted block with tab indents as one input, not as Tab keys', async () => {
		start();
		h.write('for x in y:\n\tprint(x)\n\tprint(y)');
		const frame = await h.waitForFrame((f) => f.includes('print(y)'));
		expect(frame).toContain('for x in y:');
		expect(rlm.prompts).toEqual([]);
		h.write('\r');
		await waitFor(() => rlm.prompts.length === 1, 5000, 'the pasted question to be sent');
		// Verbatim: line breaks and tabs kept.
		expect(rlm.prompts[0]).toBe('for x in y:\n\tprint(x)\n\tprint(y)');
	});

	it('edits like readline (Alt+B, Ctrl+W, Delete, Ctrl+A/E/K) and never cancels the running question', async () => {
		start();
		h.write('hello\r');
		await waitFor(() => rlm.prompts.includes('hello'), 5000, 'the prompt to reach the engine');
		h.write('alpha beta gamma');
		await h.waitForFrame((f) => f.includes('› alpha beta gamma'));
		// Alt+B (ESC b) twice: to "beta"; a word typed there; Ctrl+W deletes it again.
		h.write('\x1bb');
		h.write('\x1bb');
		h.write('NEW ');
		await h.waitForFrame((f) => f.includes('› alpha NEW beta gamma'));
		h.write('\x17');
		await h.waitForFrame((f) => f.includes('› alpha beta gamma'));
		// Ctrl+A then Delete (ESC[3~) deletes forwards; Ctrl+E then Ctrl+Left and Ctrl+K cut the end.
		h.write('\x01\x1b[3~');
		await h.waitForFrame((f) => f.includes('› lpha beta gamma'));
		h.write('\x05\x1b[1;5D\x0b');
		await h.waitForFrame((f) => f.includes('› lpha beta ') && !f.includes('gamma'));
		expect(rlm.signals.at(-1)!.aborted).toBe(false);
	});

	it('keeps the cursor in view when the input holds wide characters', async () => {
		start({columns: 120, rows: 36});
		h.write(`${'漢字'.repeat(40)}XYZ`);
		const frame = await h.waitForFrame((f) => f.includes('XYZ'));
		for (const line of frame.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(120);
	});

	it('does not scroll the chat or the help past their ends', async () => {
		start();
		await askAndRun();
		h.write(KEYS.pgup.repeat(10));
		await h.waitForFrame((f) => f.includes('The answer is five'));
		expect(h.lastFrame()).not.toContain('scrolled ↑');
		h.write('/help\r');
		await h.waitForFrame((f) => f.includes('Anywhere'));
		h.write('j'.repeat(300));
		const bottom = await h.waitForFrame((f) => f.includes('/quit'));
		h.write('k');
		// One step up from the real bottom shows a line the bottom did not.
		await h.waitForFrame((f) => f !== bottom && !f.includes('/quit'));
	});

	it('/theme switches the colours and saves them; anything else shows the usage', async () => {
		start();
		h.write('/theme purple\r');
		await h.waitForFrame((f) => f.includes('Unknown theme "purple": /theme dark or /theme light'));
		h.write('\x15/theme light\r');
		const light = await h.waitForFrame((f) => f.includes('Theme: light (saved).'));
		expect(openSettings({cwd: path.join(dir, 'config')}).get().theme).toBe('light');
		expect(light).toContain('Chat');
		h.write('/theme dark\r');
		await h.waitForFrame((f) => f.includes('Theme: dark (saved).'));
		expect(openSettings({cwd: path.join(dir, 'config')}).get().theme).toBe('dark');
	});

	it('/theme alone says the theme in use; messages keep the order their commands were given in', async () => {
		start();
		h.write('/theme\r');
		await h.waitForFrame((f) => f.includes('Theme: dark. Change it with'));
		// Typed ahead, before the app has drawn: the theme's message (said after the render) still
		// comes before the next command's.
		for (const line of ['/theme light', '/foo', '/theme', '/bar']) h.write(`${line}\r`);
		const frame = await h.waitForFrame((f) => f.includes('Unknown command /bar') && f.includes('Theme: light. Change'));
		const at = (text: string) => frame.indexOf(text);
		expect(at('Theme: light (saved).')).toBeGreaterThan(-1);
		expect(at('Theme: light (saved).')).toBeLessThan(at('Unknown command /foo'));
		expect(at('Unknown command /foo')).toBeLessThan(at('Theme: light. Change'));
		expect(at('Theme: light. Change')).toBeLessThan(at('Unknown command /bar'));
	});

	it('/context loads text files and gives one-line errors for missing and binary ones', async () => {
		start();
		fs.writeFileSync(path.join(dir, 'notes.txt'), 'some notes');
		fs.writeFileSync(path.join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 3, 0, 255]));
		h.write('/context missing.txt\r');
		await h.waitForFrame((f) => f.includes('Context file not found'));
		h.write('/context blob.bin\r');
		await h.waitForFrame((f) => f.includes('looks binary'));
		h.write('/context notes.txt\r');
		await h.waitForFrame((f) => f.includes('Context: notes.txt (10 characters, 10 B)'));
		expect(rlm.contexts).toEqual(['some notes']);
	});

	it('/context still reading (a pipe): the chat says so, and a question asked meanwhile waits for it, then runs with it', async () => {
		start();
		const fifo = path.join(dir, 'feed');
		execFileSync('mkfifo', [fifo]);
		h.write('/context feed\r');
		await h.waitForFrame((f) => f.includes('Reading the context (feed)…'));
		h.write('what is in it?\r');
		await h.waitForFrame((f) => f.includes('what is in it?'));
		expect(rlm.prompts).toEqual([]);
		// The reader is waiting on the pipe (in a thread of its own): this write meets it.
		fs.writeFileSync(fifo, 'piped text');
		await waitFor(() => rlm.prompts.length > 0, 10_000, 'the question to run');
		expect(rlm.contexts).toEqual(['piped text']);
		expect(rlm.prompts).toEqual(['what is in it?']);
		// What the read said once it ended comes after the question that waited for it, in the order
		// it happened, not above a question already shown.
		const frame = await h.waitForFrame((f) => f.includes('Context: feed'));
		expect(frame.indexOf('Reading the context (feed)')).toBeLessThan(frame.indexOf('what is in it?'));
		expect(frame.indexOf('what is in it?')).toBeLessThan(frame.indexOf('Context: feed'));
		rlm.finish('done');
		const answered = await h.waitForFrame((f) => f.includes('done') && f.includes('iteration'));
		expect(answered.indexOf('Context: feed')).toBeLessThan(answered.lastIndexOf('done'));
	});

	it('/context takes several files, folders and globs; the status line shows what is loaded; off clears it', async () => {
		start({columns: 140});
		fs.mkdirSync(path.join(dir, 'src/deep'), {recursive: true});
		fs.mkdirSync(path.join(dir, 'docs'));
		fs.writeFileSync(path.join(dir, 'src/.gitignore'), 'secret.txt\n');
		fs.writeFileSync(path.join(dir, 'src/a.ts'), 'const a = 1;');
		fs.writeFileSync(path.join(dir, 'src/secret.txt'), 'hidden');
		fs.writeFileSync(path.join(dir, 'src/deep/logo.png'), Buffer.from([0x89, 0x50, 0, 0, 1]));
		fs.writeFileSync(path.join(dir, 'docs/one.md'), '# one');
		fs.writeFileSync(path.join(dir, 'docs/two.md'), '# two');
		fs.writeFileSync(path.join(dir, 'my notes.txt'), 'notes');
		h.write('/context src docs/*.md "my notes.txt"\r');
		const frame = await h.waitForFrame((f) => f.includes('Context: 5 files (a dict of 5 files'));
		expect(rlm.contexts).toEqual([
			{'src/.gitignore': 'secret.txt\n', 'src/a.ts': 'const a = 1;', 'docs/one.md': '# one', 'docs/two.md': '# two', 'my notes.txt': 'notes'},
		]);
		expect(frame).toContain('skipped 1 file: 1 binary (src/deep/logo.png)');
		const status = frame.split('\n').at(-1)!;
		expect(status).toContain('ctx 5 files · 38 B');
		h.write('/context src\r');
		await h.waitForFrame((f) => f.split('\n').at(-1)!.includes('ctx src/ · 2 files, 23 B'));
		h.write('/context off\r');
		await h.waitForFrame((f) => f.includes('Context cleared') && !f.split('\n').at(-1)!.includes('ctx '));
		expect(rlm.contexts.at(-1)).toBeNull();
	});

	it('/context alone says what is loaded now and how to change it, not a usage error', async () => {
		// The chat pane's text with its wrapped lines joined: a long line is checked whole.
		const chatText = (frame: string) =>
			frame
				.split('\n')
				.filter((line) => line.startsWith('│'))
				.map((line) => line.slice(1, line.indexOf('│', 1)).replace(/^\s*·?\s*/, '').trim())
				.join(' ');
		start({columns: 160});
		h.write('/context\r');
		await h.waitForFrame((f) => chatText(f).includes('No context: each question is its own context. Load one with /context PATH… (files, folders, quoted globs such as "docs/**/*.md").'));
		fs.mkdirSync(path.join(dir, 'docs'));
		for (const name of ['a.md', 'b.md', 'c.md', 'd.md', 'e.md', 'f.md']) fs.writeFileSync(path.join(dir, 'docs', name), '# x');
		h.write('/context docs\r');
		await h.waitForFrame((f) => chatText(f).includes('Context: docs/ (a dict of 6 files, 18 B) for the next questions.'));
		h.write('/context\r');
		const frame = chatText(await h.waitForFrame((f) => chatText(f).includes('a.md, b.md, c.md, d.md, e.md and 1 more.')));
		expect(frame).toContain('Context: docs/ (a dict of 6 files, 18 B): a.md, b.md, c.md, d.md, e.md and 1 more. Replace it with /context PATH…, clear it with /context off.');
		expect(frame).not.toContain('Usage: /context');
	});

	it('/context keeps to the size cap and format the command line gave, and shows the context -c loaded', async () => {
		start({columns: 140, contextBadge: {label: 'big/', files: 3, bytes: 3 * 1024 * 1024}, contextLoad: {maxBytes: 8, format: 'json'}});
		await h.waitForFrame((f) => f.split('\n').at(-1)!.includes('ctx big/ · 3 files, 3 MiB'));
		h.write('/context\r');
		await h.waitForFrame((f) => f.includes('Context: big/ (3 files, 3 MiB). Replace it with'));
		fs.mkdirSync(path.join(dir, 'data'));
		fs.writeFileSync(path.join(dir, 'data/a.txt'), 'more than eight bytes');
		h.write('/context data\r');
		await h.waitForFrame((f) => f.includes('more than the 8 B cap') && f.includes('--max-context-bytes'));
		fs.writeFileSync(path.join(dir, 'rows.jsonl'), '{"n": 1}\n{"n": 2}\n');
		h.write('/context rows.jsonl\r');
		await h.waitForFrame((f) => f.includes('Context: rows.jsonl (a list of 2 items'));
		expect(rlm.contexts).toEqual([[{n: 1}, {n: 2}]]);
	});

	it('/save writes the session as JSON (the --json serializer): chat history and the tree', async () => {
		start();
		await askAndRun();
		h.write('/save\r');
		await h.waitForFrame((f) => f.includes('Saved the session to'));
		const file = fs.readdirSync(dir).find((name) => name.startsWith('rlm-session-'));
		expect(file).toBeDefined();
		const saved = JSON.parse(fs.readFileSync(path.join(dir, file!), 'utf8'));
		expect(saved.version).toBe(1);
		expect(saved.history).toEqual([{question: 'hello', answer: 'The answer is **five**.'}]);
		expect(saved.runs[0].kind).toBe('run');
		expect(saved.runs[0].children.length).toBeGreaterThan(0);
		// It carries the user's documents: only the user may read it.
		expect(fs.statSync(path.join(dir, file!)).mode & 0o777).toBe(0o600);
	});

	it('/export writes a Markdown transcript in the working directory and says where', async () => {
		start();
		await askAndRun();
		h.write('/export\r');
		await h.waitForFrame((f) => f.includes('Saved the transcript to'));
		const file = fs.readdirSync(dir).find((name) => name.startsWith('rlm-transcript-'));
		expect(file).toBeDefined();
		const text = fs.readFileSync(path.join(dir, file!), 'utf8');
		expect(text).toContain('## Question\n\nhello');
		expect(text).toContain('The answer is **five**.');
		expect(fs.statSync(path.join(dir, file!)).mode & 0o777).toBe(0o600);
	});

	it('/export carries the conversation (questions, answers, how a question failed or was cancelled), not the app notes /save leaves out too', async () => {
		start({notices: ['a startup notice']});
		await askAndRun();
		h.write('/set depth 4\r');
		await h.waitForFrame((f) => f.includes('depth: 4 (saved'));
		h.write('/frob\r');
		await h.waitForFrame((f) => f.includes('Unknown command /frob'));
		h.write('second question\r');
		await waitFor(() => rlm.prompts.includes('second question'));
		rlm.finish('', 'failed');
		await h.waitForFrame((f) => !f.includes('working'));
		h.write('third question\r');
		await waitFor(() => rlm.prompts.includes('third question'));
		h.write(KEYS.esc);
		await h.waitForFrame((f) => f.includes('Cancelled'));
		h.write('/export talk.md\r');
		await h.waitForFrame((f) => f.includes('Saved the transcript to'));
		const text = fs.readFileSync(path.join(dir, 'talk.md'), 'utf8');
		const sections = text.split('\n').filter((line) => /^(## |> )/.test(line));
		expect(sections[0]).toBe('## Question');
		expect(sections.filter((line) => line === '## Question')).toHaveLength(3);
		expect(sections.filter((line) => line === '## Answer')).toHaveLength(1);
		expect(text).toContain('The answer is **five**.');
		expect(text).toMatch(/## Question\n\nsecond question\n\n> \*\*Error:\*\*/);
		expect(text).toMatch(/## Question\n\nthird question\n\n> Cancelled/);
		// The chat showed them (waited for above); the transcript leaves them out.
		expect(h.frames.some((f) => f.includes('a startup notice'))).toBe(true);
		for (const note of ['a startup notice', 'depth: 4', 'Unknown command']) expect(text).not.toContain(note);
		expect(text).not.toContain('Saved the');
		// /save's history has the answered question only; its tree has every run.
		h.write('/save talk.json\r');
		await h.waitForFrame((f) => f.includes('Saved the session to'));
		const saved = JSON.parse(fs.readFileSync(path.join(dir, 'talk.json'), 'utf8'));
		expect(saved.history).toEqual([{question: 'hello', answer: 'The answer is **five**.'}]);
	});

	it('a question cancelled while a /context is still being read says it never started, not an earlier run\'s iteration', async () => {
		start();
		await askAndRun();
		const fifo = path.join(dir, 'slow-pipe');
		execFileSync('mkfifo', [fifo]);
		h.write(`/context ${fifo}\r`);
		h.write('waits for it\r');
		await h.waitForFrame((f) => f.includes('waits for it'));
		h.write(KEYS.esc);
		const frame = await h.waitForFrame((f) => f.includes('Cancelled before it started'));
		expect(frame).not.toContain('Cancelled in iteration');
		expect(rlm.prompts).not.toContain('waits for it');
		fs.writeFileSync(fifo, 'ff');
	});

	it('/export notes a question with nothing under it: still running, or unfinished (a session the app was killed in)', async () => {
		start();
		h.write('still going\r');
		await waitFor(() => rlm.prompts.includes('still going'));
		h.write('/export live.md\r');
		await h.waitForFrame((f) => f.includes('Saved the transcript to'));
		expect(fs.readFileSync(path.join(dir, 'live.md'), 'utf8')).toMatch(/## Question\n\nstill going\n\n> _Still running when this transcript was written: no answer yet\._\n$/);
		const killed = transcriptMarkdown(
			[
				{id: 1, kind: 'user', text: 'killed one'},
				{id: 2, kind: 'notice', text: 'Unfinished: the session ended while this question ran.'},
				{id: 3, kind: 'user', text: 'next one'},
				{id: 4, kind: 'answer', text: 'six'},
				{id: 5, kind: 'user', text: 'last one'},
			],
			{model: 'm', backend: 'demo', date: new Date()},
		);
		expect(killed).toContain(`## Question\n\nkilled one\n\n${UNFINISHED_NOTE}\n\n## Question\n\nnext one\n\n## Answer\n\nsix`);
		expect(killed.endsWith(`## Question\n\nlast one\n\n${UNFINISHED_NOTE}\n`)).toBe(true);
	});

	it("the file name's extension decides the format: /save notes.md writes Markdown, /export data.json JSON; another extension is refused in one line", async () => {
		start();
		await askAndRun();
		for (const [line, name, said] of [
			['/save notes.md', 'notes.md', 'Saved the transcript as Markdown (for .md)'],
			['/save "my notes.txt"', 'my notes.txt', 'Saved the transcript as Markdown (for .txt)'],
			['/export answers.markdown', 'answers.markdown', 'Saved the transcript to'],
		] as const) {
			h.write(`${line}\r`);
			await h.waitForFrame((f) => f.includes(said));
			const text = fs.readFileSync(path.join(dir, name), 'utf8');
			expect(text).toContain('## Question\n\nhello');
			expect(text).toContain('The answer is **five**.');
			expect(() => JSON.parse(text)).toThrow();
		}
		h.write('/export data.json\r');
		await h.waitForFrame((f) => f.includes('Saved the session as JSON (for .json)'));
		expect(JSON.parse(fs.readFileSync(path.join(dir, 'data.json'), 'utf8'))).toMatchObject({version: 1, history: [{question: 'hello'}]});
		// Neither JSON nor Markdown: nothing written, one line naming what each command writes, the line kept to correct.
		h.write('/save page.html\r');
		const flat = (f: string) => f.replace(/[\s│]+/g, '');
		const refusal = 'Not saved: ".html" is neither JSON nor Markdown. /save writes the session as JSON (.json), /export the transcript as Markdown (.md or .markdown or .txt).';
		await h.waitForFrame((f) => flat(f).includes(flat(refusal)));
		expect(h.lastFrame()).toContain('/save page.html');
		expect(fs.existsSync(path.join(dir, 'page.html'))).toBe(false);
	});

	it('/save and /export never replace an existing file without --force; a replaced file is 0600', async () => {
		start();
		await askAndRun();
		// Long paths wrap anywhere in the chat pane: compare its text without the layout.
		const flat = (f: string) =>
			f
				.split('\n')
				.map((line) => line.split('││')[0])
				.join('')
				.replace(/[\s│]+/g, '');
		for (const [command, name] of [
			['/save', 'mine.json'],
			['/export', 'my notes.md'],
		] as const) {
			const file = path.join(dir, name);
			fs.writeFileSync(file, 'precious', {mode: 0o644});
			fs.chmodSync(file, 0o644);
			h.write(`${command} "${name}"\r`);
			await h.waitForFrame((f) => flat(f).includes(flat(`Not saved: ${file} exists. ${command} ${name.includes(' ') ? `"${name}"` : name} --force replaces it.`)));
			expect(fs.readFileSync(file, 'utf8')).toBe('precious');
			// The option before or after the path, the path quoted or not.
			h.write(command === '/save' ? `${command} --force ${name}\r` : `${command} ${name} --force\r`);
			await h.waitForFrame((f) => flat(f).includes(flat(`to ${file}`)));
			expect(fs.readFileSync(file, 'utf8')).toContain('five');
			expect(fs.statSync(file).mode & 0o777).toBe(0o600);
			// No temporary file is left beside it.
			expect(fs.readdirSync(dir).filter((entry) => entry.includes('.tmp'))).toEqual([]);
		}
		// A new file needs no --force.
		h.write('/save fresh.json\r');
		await waitFor(() => fs.existsSync(path.join(dir, 'fresh.json')), 5000, 'the new file');
		expect(fs.statSync(path.join(dir, 'fresh.json')).mode & 0o777).toBe(0o600);		// A folder named: the file goes into it under its usual name.
		fs.mkdirSync(path.join(dir, 'saves'));
		h.write('/save saves\r');
		await waitFor(() => fs.readdirSync(path.join(dir, 'saves')).some((entry) => entry.endsWith('.json')), 5000, 'the file in the folder');
	});

	it('/clear starts a fresh session; /help opens and closes; unknown commands say so; /quit exits', async () => {
		start();
		await askAndRun();
		h.write('/clear\r');
		await h.waitForFrame((f) => f.includes('New session') && !f.includes('The answer is five'));
		expect(rlm.resets).toBe(1);
		h.write('/help\r');
		await h.waitForFrame((f) => f.includes('Anywhere'));
		// Esc then a letter in one chunk arrives as Alt+letter: still an Esc and a letter.
		h.write(`${KEYS.esc}i`);
		await h.waitForFrame((f) => f.includes('› i'));
		h.write(`${KEYS.backspace}/frobnicate\r`);
		await h.waitForFrame((f) => f.includes('Unknown command /frobnicate'));
		h.write('/quit\r');
		await waitFor(() => h.exits.length === 1);
		expect(h.exits).toEqual([0]);
	});

	it('says when the backend is unreachable at start and offers the demo', async () => {
		rlm.checkError = new Error('Cannot connect to http://localhost:11434/v1 (connection refused)');
		start({skipStartup: false, columns: 90});
		const frame = await h.waitForFrame((f) => f.includes('/backend demo'));
		expect(frame.replace(/[\s│]+/g, ' ')).toContain('Cannot reach the openai backend at http://localhost:11434/v1: Cannot connect');
	});
});

describe('ten thousand rows', () => {
	it('stays instant: only the visible window renders', async () => {
		start({columns: 120, rows: 40});
		h.write('big\r');
		await waitFor(() => rlm.prompts.length === 1);
		const started = performance.now();
		rlm.emitEvent({type: 'run.start', runId: 'big', depth: 0, model: 'm', backend: 'openai', question: 'big', context: {type: 'str', chars: 3}, maxIterations: 30});
		rlm.emitEvent({type: 'iter.start', runId: 'big', iteration: 1, maxIterations: 30});
		rlm.emitEvent({type: 'code.start', runId: 'big', iteration: 1, block: 1, code: 'answers = [llm_query(p) for p in prompts]'});
		for (let i = 0; i < 10_000; i++) {
			rlm.emitEvent({type: 'call.start', callId: `c${i}`, runId: 'big', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: 'sub', prompt: `prompt ${i}`});
			rlm.emitEvent({type: 'call.done', callId: `c${i}`, response: `answer ${i}`, usage: {inputTokens: 1, outputTokens: 1}, ms: 1});
		}
		await h.waitForFrame((f) => /10003\/10003/.test(f), 30_000);
		const loadMs = performance.now() - started;
		h.write(KEYS.tab);
		await h.waitForFrame((f) => f.includes('j/k move'));
		const latencies: number[] = [];
		for (let i = 0; i < 30; i++) {
			const target = 10_003 - i - 1;
			const t0 = performance.now();
			h.write('k');
			await waitFor(() => cursorAt(target, 10_003)(h.lastFrame()), 5000, `row ${target}`);
			latencies.push(performance.now() - t0);
		}
		let t0 = performance.now();
		h.write('g');
		await h.waitForFrame(cursorAt(1, 10_003));
		const jumpTop = performance.now() - t0;
		t0 = performance.now();
		h.write('h');
		await h.waitForFrame(cursorAt(1, 1));
		const collapseAll = performance.now() - t0;
		t0 = performance.now();
		h.write('l');
		await h.waitForFrame(cursorAt(1, 10_003));
		const expandAll = performance.now() - t0;
		latencies.sort((a, b) => a - b);
		const median = latencies[Math.floor(latencies.length / 2)]!;
		const p90 = latencies[Math.floor(latencies.length * 0.9)]!;
		// The numbers for the report.
		process.stderr.write(
			`[10k rows] 20,003 events applied + first frame: ${loadMs.toFixed(0)}ms; keypress->frame median ${median.toFixed(1)}ms, p90 ${p90.toFixed(1)}ms; g ${jumpTop.toFixed(1)}ms; collapse ${collapseAll.toFixed(1)}ms; expand ${expandAll.toFixed(1)}ms\n`,
		);
		// The frame holds the window, not the tree.
		expect(h.lastFrame().split('\n').length).toBe(39);
	});
});

describe('replay', () => {
	/** Records a scripted run's events and opens them as a replay; returns the events. */
	function openReplay(): RlmEvent[] {
		const events: RlmEvent[] = [];
		rlm.on('event', (event: RlmEvent) => events.push(event));
		scriptRun(rlm);
		scriptRunDone(rlm);
		h = renderApp({
			rlm: new InertEngine({model: 'cogito:14b', backend: 'openai'}),
			config: resolveConfig({}, {}, settings.get()),
			settings,
			cwd: dir,
			skipStartup: true,
			replay: {title: 'run.jsonl', events},
		});
		return events;
	}

	it('shows a logged run read-only: tree focused at the top, the question and answer in the chat', async () => {
		openReplay();
		const frame = await h.waitForFrame((f) => cursorAt(1, 7)(f) && f.includes('The answer is five'));
		expect(frame).toContain('Replay of run.jsonl');
		expect(frame).toContain('› hello');
		expect(frame).toContain('j/k move');
		h.write('jjj');
		await h.waitForFrame(cursorAt(4, 7));
		h.write(`${KEYS.tab}what now?\r`);
		await h.waitForFrame((f) => f.includes('This is a replay'));
		h.write('/quit\r');
		await waitFor(() => h.exits.length === 1);
	});

	it("says how to give a command from the replay's tree, and : then quit leaves", async () => {
		openReplay();
		const frame = await h.waitForFrame((f) => f.includes('The answer is five'));
		expect(frame.replace(/[\s│]+/g, ' ')).toContain(': starts one from the tree');
		// The input's own line says it too, not a /quit that the tree would take as a filter.
		expect(frame).toContain('replay: in the tree : then /quit');
		h.write(':quit\r');
		await waitFor(() => h.exits.length === 1);
	});

	it('steps through the run event by event with [ and ], by tenths with { and }', async () => {
		const events = openReplay();
		const total = events.length;
		await h.waitForFrame((f) => f.includes(`event ${total}/${total}`) && cursorAt(1, 7)(f));
		h.write('{');
		const earlier = await h.waitForFrame((f) => f.includes(`event ${total - Math.max(1, Math.round(total / 10))}/${total}`));
		h.write('['.repeat(total));
		// At the very start the tree is empty; one event in, the run row appears.
		await h.waitForFrame((f) => f.includes(`event 0/${total}`));
		h.write(']');
		const first = await h.waitForFrame((f) => f.includes(`event 1/${total}`) && /─ 1\/1 /.test(f));
		expect(first).toContain('run');
		h.write('}'.repeat(total));
		await h.waitForFrame((f) => f.includes(`event ${total}/${total}`) && cursorAt(7, 7)(f));
		expect(earlier).not.toEqual(first);
	});
});

describe('replay clock', () => {
	it('counts running rows on the log clock while stepping, never 0ms', async () => {
		const events = logToEvents(parseTrajectoryLog(concurrentLog()));
		h = renderApp({
			rlm: new InertEngine({model: 'root', backend: 'openai'}),
			config: resolveConfig({}, {}, settings.get()),
			settings,
			cwd: dir,
			columns: 140,
			rows: 40,
			skipStartup: true,
			replay: {title: 'fan-out.jsonl', events},
		});
		const total = events.length;
		await h.waitForFrame((f) => f.includes(`event ${total}/${total}`));
		// Back to just before the first child ends: the root's iteration 1 and the children still run.
		const firstChildDone = events.findIndex((event) => event.type === 'run.done' && event.runId === 'child_0');
		h.write('['.repeat(total - firstChildDone));
		const frame = await h.waitForFrame((f) => f.includes(`event ${firstChildDone}/${total}`));
		const row = frame.split('\n').find((line) => line.includes('iteration 1/30'));
		expect(row).toBeDefined();
		expect(row).not.toMatch(/ 0ms/);
		// The child's second iteration started ~7.5 s in, and the root's first ~9.6 s before that.
		expect(row).toMatch(/1[4-9](\.\d)?s/);
	});
});

describe('the tree at scale', () => {
	/** A run with a 200-slot batch: two slots fail, three still run. */
	function emitBatch() {
		rlm.emitEvent({type: 'run.start', runId: 'b', depth: 0, model: 'm', backend: 'openai', question: 'label the tickets', context: {type: 'str', chars: 3}, maxIterations: 30});
		rlm.emitEvent({type: 'iter.start', runId: 'b', iteration: 1, maxIterations: 30});
		rlm.emitEvent({type: 'code.start', runId: 'b', iteration: 1, block: 1, code: 'labels = llm_query_batched(prompts)'});
		for (let i = 0; i < 200; i++) rlm.emitEvent({type: 'call.start', callId: `s${i}`, runId: 'b', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query_batched', index: i, model: 'sub', prompt: `ticket ${i}`});
		for (let i = 0; i < 197; i++) {
			const error = i === 40 || i === 160 ? 'Error: rate limited (429)' : undefined;
			rlm.emitEvent({type: 'call.done', callId: `s${i}`, response: error ?? `label ${i}`, usage: {inputTokens: 1, outputTokens: 1}, ms: 1, ...(error ? {error} : {})});
		}
	}

	it('groups a 200-slot batch in one row; / filters, e jumps to failures, - and + collapse and expand all', async () => {
		start({columns: 180, rows: 36});
		h.write('label\r');
		await waitFor(() => rlm.prompts.length === 1);
		emitBatch();
		let frame = await h.waitForFrame((f) => f.includes('batch ×200') && f.includes('195 ✓ · 3 running · 2 ✗'));
		expect(treeNote(frame)[2]).toBe('4');
		h.write(`${KEYS.tab}g`);
		await h.waitForFrame(cursorAt(1, 4));
		// e: the first failed slot, its batch opened.
		h.write('e');
		frame = await h.waitForFrame((f) => cursorAt(45, 204)(f));
		// Under the batch's row (which names the function) a slot is titled by its index.
		expect(frame).toMatch(/✗ \[40\] "ticket 40"/);
		h.write('e');
		await h.waitForFrame(cursorAt(165, 204));
		// / filters the rows as the text is typed; Esc clears it.
		h.write('/rate lim');
		frame = await h.waitForFrame((f) => f.includes('/rate lim▏') && /\/\d+ /.test(f.split('\n')[0]!) && f.includes('[160] "ticket 160"'));
		expect(frame).not.toContain('[41] "ticket 41"');
		h.write('\r');
		await h.waitForFrame((f) => f.includes('/rate lim ·') && f.includes('Esc clear filter'));
		h.write(KEYS.esc);
		await h.waitForFrame((f) => !f.includes('/rate lim') && cursorAt(165, 204)(f));
		h.write('-');
		await h.waitForFrame(cursorAt(1, 1));
		h.write('+');
		await h.waitForFrame((f) => /1\/204/.test(f.split('\n')[0]!));
		// : still types a command from the tree.
		h.write(':');
		await h.waitForFrame((f) => f.includes('› /'));
	});

	it('draws a key and the engine events that came before it in one frame', async () => {
		start({columns: 180, rows: 36});
		h.write('label\r');
		await waitFor(() => rlm.prompts.length === 1);
		emitBatch();
		await h.waitForFrame((f) => f.includes('195 ✓ · 3 running · 2 ✗'));
		h.write(KEYS.tab);
		await h.waitForFrame(cursorAt(4, 4));
		const seen = h.frames.length;
		// A slot finishes, and a key arrives before the app has drawn it.
		rlm.emitEvent({type: 'call.done', callId: 's197', response: 'label 197', usage: {inputTokens: 1, outputTokens: 1}, ms: 1});
		h.write('k');
		await h.waitForFrame(cursorAt(3, 4));
		// The first frame after the key has both: not the key now and the slot a frame later.
		const first = stripAnsi(h.frames[seen]!);
		expect(cursorAt(3, 4)(first)).toBe(true);
		expect(first).toContain('196 ✓ · 2 running · 2 ✗');
	});
});
