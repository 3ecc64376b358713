// The built CLI in a real terminal (tmux), as terminals really behave: pastes of 5,000 lines
// (bracketed and not), escape sequences split across reads, mouse and focus reports, readline keys,
// suspend and resume, a resize that must keep the scrollback, odd terminals (TERM=dumb, a 0x0 pty)
// and every way out (SIGTERM, SIGHUP, SIGQUIT, the terminal going away).
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {alive, childrenOf, cli, quote, Tmux} from './tmux-driver.js';

let t: Tmux;
let server: FakeLlmServer;

beforeAll(async () => {
	t = new Tmux();
	server = await startFakeLlmServer();
});

afterAll(async () => {
	t?.close();
	await server?.close();
});

const READY = (s: string) => s.includes('Ask a question');
const logDir = () => path.join(t.dir, 'logs');

/** Questions the app sent, from its trajectory logs (the first line of each run's file; a first
 * line still being written, without its line break yet, is not read: a 5,000-line question makes
 * a line of hundreds of KiB that a read can catch half written). */
function loggedQuestions(): string[] {
	if (!fs.existsSync(logDir())) return [];
	return fs
		.readdirSync(logDir())
		.sort()
		.map((name) => fs.readFileSync(path.join(logDir(), name), 'utf8'))
		.filter((text) => text.includes('\n'))
		.map((text) => JSON.parse(text.slice(0, text.indexOf('\n'))))
		.filter((record) => record.type === 'metadata')
		.map((record) => record.rlm_tui.question as string);
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

describe('pasting into the TUI in tmux', () => {
	it('takes 5,000 lines, bracketed and not, into the input without sending; Enter sends all of it', async () => {
		const s = t.start(t.cliCommand(['-b', 'demo', '--log-dir', logDir()]));
		await t.waitFor(s, READY, 'the TUI to start');
		const lines = Array.from({length: 5000}, (_, i) => `line ${i}: ${'x'.repeat(i % 40)}`);
		const text = lines.join('\n');

		t.paste(s, text, true);
		await t.waitFor(s, (screen) => screen.includes('[pasted 5,000 lines]'), 'the bracketed paste placeholder');
		expect(t.screen(s)).not.toContain('working');
		expect(loggedQuestions()).toEqual([]);
		t.keys(s, 'Enter');
		await t.waitFor(s, (screen) => /▾ ✓ run · demo/.test(screen), 'the answer to the bracketed paste', 90_000);
		expect(loggedQuestions()).toEqual([text]);

		// Without brackets (tmux pastes with CR line ends, in reads of a few KiB): the same.
		t.paste(s, text, false);
		await t.waitFor(s, (screen) => screen.includes('[pasted 5,000 lines]'), 'the unbracketed paste placeholder');
		expect(loggedQuestions()).toHaveLength(1);
		expect(t.screen(s)).not.toContain('Still working');
		t.keys(s, 'Enter');
		await waitUntil(() => loggedQuestions().length === 2, 'the second question');
		expect(loggedQuestions()[1]).toBe(text);
		t.kill(s);
	}, 240_000);
});

describe('keys as they really arrive', () => {
	it('a split arrow key never cancels a running answer and is never typed; Esc alone cancels', async () => {
		server.setResponder(() => ({hang: true}));
		const s = t.start(t.cliCommand(['-u', server.openaiBaseURL, '-m', 'fake-model', '-k', 'test']), {columns: 180, rows: 30});
		await t.waitFor(s, READY, 'the TUI to start');
		t.type(s, 'first question');
		t.keys(s, 'Enter');
		// Before any byte arrives the status says so.
		await t.waitFor(s, (screen) => screen.includes('waiting for the first token'), 'the run to wait for the model');
		// ESC, a pause, then "[A": one Up arrow split across two reads.
		t.bytesSplit(s, '\x1b', '[A', 0.03);
		t.bytesSplit(s, '\x1b[1;', '5D', 0.03);
		t.type(s, 'next');
		await t.waitFor(s, (screen) => screen.includes('› first nextquestion'), 'history through a split Up arrow, then Ctrl+Left through a split sequence');
		let screen = t.screen(s);
		expect(screen).not.toContain('Cancelled');
		expect(screen).not.toContain('[A');
		expect(screen).not.toContain('5D');
		expect(server.aborted).toBe(0);
		// Focus reports and mouse reports are not typing.
		t.bytes(s, '\x1b[I\x1b[O\x1b[<64;5;5M\x1b[<65;5;5M');
		t.type(s, '!');
		screen = await t.waitFor(s, (text) => text.includes('› first next!question'), 'the next key');
		expect(screen).not.toMatch(/\[I|\[O|<64/);
		// A real Esc cancels.
		t.keys(s, 'Escape');
		await t.waitFor(s, (text) => text.includes('Cancelled'), 'the cancel');
		await waitUntil(() => server.aborted === 1, 'the request to be aborted');
		// The input keeps its text through the cancel; Ctrl+E, Ctrl+U empty it; Up brings back the question.
		t.keys(s, 'C-e', 'C-u');
		await t.waitFor(s, (text) => !text.includes('› first next!question'), 'the input to clear');
		t.bytesSplit(s, '\x1b', '[A', 0.03);
		await t.waitFor(s, (text) => text.includes('› first question'), 'history through a split Up arrow');
		t.kill(s);
	}, 120_000);

	it('edits like readline in a real terminal: emoji stay whole, Delete, Alt+Backspace, Ctrl+Left, Alt+Enter', async () => {
		const s = t.start(t.cliCommand(['-b', 'demo']));
		await t.waitFor(s, READY, 'the TUI to start');
		t.type(s, 'a👍b');
		t.keys(s, 'Left', 'Left', 'BSpace');
		await t.waitFor(s, (screen) => screen.includes('› 👍b'), 'backspace before the emoji');
		t.keys(s, 'DC');
		await t.waitFor(s, (screen) => screen.includes('› b') && !screen.includes('👍'), 'Delete removing the whole emoji forwards');
		t.keys(s, 'End');
		t.type(s, ' alpha beta');
		t.keys(s, 'M-BSpace');
		await t.waitFor(s, (screen) => /› b alpha\s/.test(screen), 'Alt+Backspace deleting a word');
		t.keys(s, 'C-Left');
		t.type(s, '>');
		await t.waitFor(s, (screen) => screen.includes('› b >alpha'), 'Ctrl+Left moving a word');
		t.keys(s, 'End', 'M-Enter');
		t.type(s, 'second line');
		await t.waitFor(s, (screen) => screen.includes('› b >alpha') && screen.includes('  second line'), 'Alt+Enter making a new line');
		t.kill(s);
	}, 120_000);

	it('the mouse wheel scrolls the pane under the pointer and never steps through the history', async () => {
		const s = t.start(t.cliCommand(['-b', 'demo']), {columns: 100, rows: 30});
		await t.waitFor(s, READY, 'the TUI to start');
		// Done when the run's row has its ✓ and the chat its summary line (at 100 columns the status
		// line's usage and limits leave no room for the key hints).
		for (const n of [1, 2]) {
			t.paste(s, Array.from({length: 8}, (_, i) => `question ${n} line ${i}`).join('\n'), true);
			t.keys(s, 'Enter');
			await t.waitFor(s, (screen) => (screen.match(/✓ run · demo/g) ?? []).length === n && /\d+ iterations · /.test(screen), `answer ${n}`, 90_000);
		}
		const before = await t.waitFor(s, (screen) => /(\d+)\/\1 · following/.test(screen), 'the tree following');
		const total = Number(/(\d+)\/\1 · following/.exec(before)![1]);
		// Wheel up over the tree (right half), then over the chat (left half).
		t.bytes(s, '\x1b[<64;80;10M');
		await t.waitFor(s, (screen) => screen.includes(`${total - 3}/${total}`), 'the tree to scroll');
		t.bytes(s, '\x1b[<64;10;10M');
		const scrolled = await t.waitFor(s, (screen) => screen.includes('scrolled ↑'), 'the chat to scroll');
		// The input stayed empty: the wheel is not Up.
		const lines = scrolled.split('\n');
		expect(lines[lines.findIndex((line) => line.startsWith('│──')) + 1]).toContain('Ask a question');
		t.kill(s);
	}, 240_000);
});

describe('suspend and resume', () => {
	it('Ctrl+Z gives the shell back (screen and line mode); fg takes it again and redraws', async () => {
		const s = t.start(`env -i PATH=${quote(process.env.PATH ?? '')} PS1='$ ' bash --norc --noprofile -i`);
		await t.waitFor(s, (screen) => screen.includes('$'), 'the shell');
		const vars = Object.entries(t.env).map(([key, value]) => `${key}=${quote(value)}`).join(' ');
		t.type(s, `${vars} ${quote(process.execPath)} ${quote(cli)} -b demo`);
		t.keys(s, 'Enter');
		await t.waitFor(s, READY, 'the TUI to start');
		t.type(s, 'draft');
		await t.waitFor(s, (screen) => screen.includes('› draft'), 'the draft');
		t.keys(s, 'C-z');
		await t.waitFor(s, (screen) => /Stopped/.test(screen), 'the job to stop');
		expect(t.display(s, '#{alternate_on}')).toBe('0');
		// The shell works in line mode again.
		t.type(s, 'echo SHELL-$((6*7))');
		t.keys(s, 'Enter');
		await t.waitFor(s, (screen) => screen.includes('SHELL-42'), 'the shell to answer');
		t.type(s, 'fg');
		t.keys(s, 'Enter');
		await t.waitFor(s, (screen) => screen.includes('› draft') && screen.includes('╭─ Chat'), 'the app redrawn with its state');
		expect(t.display(s, '#{alternate_on}')).toBe('1');
		// Raw mode is back: single keys reach the app at once.
		t.type(s, 'X');
		await t.waitFor(s, (screen) => screen.includes('› draftX'), 'a key after the resume');
		// kill -TSTP from outside suspends the same way.
		process.kill(await t.cliPid(s), 'SIGTSTP');
		await t.waitFor(s, (screen) => (screen.match(/Stopped/g) ?? []).length >= 2 && !screen.includes('╭─ Chat'), 'the stop from kill -TSTP');
		t.type(s, 'fg');
		t.keys(s, 'Enter');
		await t.waitFor(s, (screen) => screen.includes('› draftX'), 'the app again');
		t.keys(s, 'C-u');
		t.type(s, '/quit');
		t.keys(s, 'Enter');
		await t.waitFor(s, (screen) => !screen.includes('╭─ Chat') && screen.trimEnd().endsWith('$'), 'the shell after quitting');
		t.kill(s);
	}, 120_000);
});

describe('terminals', () => {
	it('a resize clears only the screen: the scrollback above stays', async () => {
		const s = t.start(`seq -f 'SCROLLBACK-%g' 1 150; ${t.cliCommand(['-b', 'demo'])}`, {columns: 120, rows: 36});
		await t.waitFor(s, READY, 'the TUI to start');
		const before = Number(t.display(s, '#{history_size}'));
		expect(before).toBeGreaterThan(100);
		t.run('resize-window', '-t', s, '-x', '100', '-y', '24');
		await t.waitFor(s, (screen) => screen.split('\n').some((line) => line.startsWith('╭─ Chat')) && screen.includes('demo · demo'), 'a redraw at 100x24');
		t.run('resize-window', '-t', s, '-x', '90', '-y', '20');
		await t.waitFor(s, (screen) => screen.includes('demo · demo') && screen.split('\n').filter((line) => line.startsWith('╭─')).length === 2, 'a redraw at 90x20');
		t.type(s, '/quit');
		t.keys(s, 'Enter');
		await t.waitFor(s, (screen) => screen.includes('EXIT:0'), 'the exit');
		expect(Number(t.display(s, '#{history_size}'))).toBeGreaterThan(100);
		expect(t.history(s)).toContain('SCROLLBACK-1\n');
		t.kill(s);
	}, 120_000);

	it('TERM=dumb gets a line mode that answers questions, not the full screen', async () => {
		const s = t.start(t.cliCommand(['-b', 'demo'], {TERM: 'dumb'}));
		await t.waitFor(s, (screen) => screen.includes('line mode'), 'the line mode');
		expect(t.display(s, '#{alternate_on}')).toBe('0');
		t.type(s, 'count words: a b a');
		t.keys(s, 'Enter');
		const screen = await t.waitFor(s, (text) => text.includes('Demo answer'), 'the answer', 90_000);
		expect(screen).toContain('── iteration 1');
		t.type(s, '/quit');
		t.keys(s, 'Enter');
		await t.waitFor(s, (text) => text.includes('EXIT:0'), 'the exit');
		t.kill(s);
	}, 120_000);

	it('TERM=dumb: Ctrl+C cancels the running answer (one press is one signal), a question typed ahead is answered, Ctrl+D leaves after', async () => {
		server.setResponder((request) => (JSON.stringify(request.messages).includes('slow question') ? {hang: true} : {text: 'FINAL(the quick answer)'}));
		const aborted = server.aborted;
		const s = t.start(t.cliCommand(['-u', server.openaiBaseURL, '-m', 'fake-model', '-k', 'test'], {TERM: 'dumb'}));
		await t.waitFor(s, (screen) => screen.includes('line mode'), 'the line mode');
		t.type(s, 'slow question');
		t.keys(s, 'Enter');
		await t.waitFor(s, (screen) => screen.includes('── iteration 1'), 'the first run');
		t.type(s, 'quick question');
		t.keys(s, 'Enter');
		await t.waitFor(s, (screen) => screen.includes('(queued: runs after the current answer)'), 'the question typed ahead to wait');
		t.keys(s, 'C-c');
		await t.waitFor(s, (screen) => screen.includes('the quick answer'), 'the typed-ahead answer after the cancel', 60_000);
		expect(server.aborted).toBe(aborted + 1);
		expect(t.screen(s)).not.toContain('EXIT:');
		t.keys(s, 'C-d');
		await t.waitFor(s, (screen) => screen.includes('EXIT:0'), 'the exit');
		t.kill(s);
	}, 120_000);

	it('a 0x0 pty is drawn at 80x24, and keys do not wipe it', async () => {
		const s = t.start(`stty rows 0 cols 0; ${t.cliCommand(['-b', 'demo'])}`, {columns: 120, rows: 36});
		const screen = await t.waitFor(s, READY, 'the TUI to start');
		const lines = screen.split('\n');
		const top = lines.findIndex((line) => line.startsWith('╭─ Chat'));
		expect(top).toBeGreaterThanOrEqual(0);
		// 80 columns wide (stacked: the tree is below the chat), 23 rows tall.
		expect([...lines[top]!.trimEnd()].length).toBe(80);
		expect(lines.findIndex((line) => line.startsWith('╭─ Tree'))).toBeGreaterThan(top);
		const status = lines.findIndex((line) => line.includes('demo · demo'));
		expect(status - top).toBe(22);
		t.type(s, 'abc');
		const typed = await t.waitFor(s, (text) => text.includes('› abc'), 'typing');
		expect(typed.split('\n').findIndex((line) => line.startsWith('╭─ Chat'))).toBe(top);
		t.kill(s);
	}, 120_000);

	it('NO_COLOR draws without colours', async () => {
		const s = t.start(t.cliCommand(['-b', 'demo'], {NO_COLOR: '1'}));
		await t.waitFor(s, READY, 'the TUI to start');
		const styled = t.run('capture-pane', '-p', '-e', '-t', s);
		expect(styled).not.toMatch(/\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;[25])[;m]/);
		t.kill(s);
	}, 120_000);
});

describe('ways out', () => {
	for (const [signal, code] of [
		['SIGTERM', 143],
		['SIGHUP', 129],
		['SIGQUIT', 131],
	] as const) {
		it(`${signal} restores the terminal and exits with ${code}, sandbox and all`, async () => {
			const s = t.start(t.cliCommand(['-b', 'demo']));
			await t.waitFor(s, READY, 'the TUI to start');
			const pid = await t.cliPid(s);
			await waitUntil(() => childrenOf(pid).length > 0, 'the sandbox to start', 60_000);
			const children = childrenOf(pid);
			process.kill(pid, signal);
			const screen = await t.waitFor(s, (text) => /EXIT:\d+/.test(text), 'the exit');
			expect(screen).toContain(`EXIT:${code}`);
			expect(screen).toContain('BEFORE-THE-TUI');
			expect(screen).not.toContain('╭─ Chat');
			expect(t.display(s, '#{alternate_on}')).toBe('0');
			await waitUntil(() => children.every((child) => !alive(child)), 'the sandbox to end', 10_000);
			t.kill(s);
		}, 120_000);
	}

	it('the terminal going away ends the app and its sandbox at once', async () => {
		const s = t.start(t.cliCommand(['-b', 'demo']));
		await t.waitFor(s, READY, 'the TUI to start');
		const pid = await t.cliPid(s);
		await waitUntil(() => childrenOf(pid).length > 0, 'the sandbox to start', 60_000);
		const children = childrenOf(pid);
		t.run('kill-pane', '-t', s);
		await waitUntil(() => !alive(pid) && children.every((child) => !alive(child)), 'the app and the sandbox to end', 10_000);
	}, 120_000);
});
