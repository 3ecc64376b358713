// End to end: the built CLI in a real terminal (tmux), driven as a user would: send-keys, then
// read the screen with capture-pane. Ask -> answer -> tree navigation -> /model -> quit (terminal
// restored), then a relaunch shows the saved model.
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cli = path.join(root, 'dist', 'cli.js');
const socket = `rlm-e2e-${process.pid}-${Date.now()}`;
const session = 'rlm';
let dir: string;

function tmux(...args: string[]): string {
	return execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
}

const screen = () => tmux('capture-pane', '-p', '-t', session);
const keys = (...names: string[]) => tmux('send-keys', '-t', session, ...names);
const type = (text: string) => tmux('send-keys', '-t', session, '-l', text);

async function waitForScreen(predicate: (text: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	let text = '';
	for (;;) {
		text = screen();
		if (predicate(text)) return text;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${text}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

function launch(): void {
	const command = [
		'echo BEFORE-THE-TUI;',
		`XDG_CONFIG_HOME=${quote(path.join(dir, 'config'))}`,
		`HOME=${quote(dir)}`,
		'TERM=xterm-256color',
		quote(process.execPath),
		quote(cli),
		'-b demo;',
		'echo "EXIT:$?";',
		'sleep 600',
	].join(' ');
	tmux('new-session', '-d', '-x', '120', '-y', '36', '-s', session, '-c', dir, command);
}

beforeAll(() => {
	const probe = spawnSync('tmux', ['-V'], {encoding: 'utf8'});
	if (probe.error || probe.status !== 0) {
		throw new Error('tmux is not installed: the end-to-end TUI test needs it (apt-get install tmux).');
	}
	if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" before this test.`);
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-e2e-'));
});

afterAll(() => {
	spawnSync('tmux', ['-L', socket, 'kill-server']);
	if (dir) fs.rmSync(dir, {recursive: true, force: true});
});

describe('the TUI in tmux', () => {
	it('asks, navigates, switches the model, quits cleanly, and remembers the model', async () => {
		launch();
		await waitForScreen((s) => s.includes('demo · demo') && s.includes('Ask a question'), 'the TUI to start');
		expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('1');

		// Ask; the demo model answers after three iterations.
		type('Count the words: alpha beta gamma alpha beta alpha');
		keys('Enter');
		await waitForScreen((s) => /run · demo/.test(s), 'the run to appear in the tree');
		// capture-pane can catch a frame half drawn: wait for one screen that shows all of it.
		let s = await waitForScreen(
			(text) => text.includes('Demo answer') && /3 iterations ·/.test(text) && /iteration 3\/30/.test(text) && /llm_query_batched\[0\]/.test(text) && /iter 3\/30/.test(text),
			'the answer, the tree rows and the status line',
		);

		// Tree navigation.
		keys('Tab');
		await waitForScreen((text) => text.includes('j/k move'), 'the tree to take focus');
		keys('g');
		await waitForScreen((text) => /─ 1\/13 ─/.test(text), 'the first row');
		keys('j', 'j', 'j');
		await waitForScreen((text) => /─ 4\/13 ─/.test(text), 'the fourth row');
		keys('h');
		await waitForScreen((text) => /▸ ✓ code #1 kind/.test(text) && /─ 4\/12 ─/.test(text), 'the code block to collapse');
		keys('Right');
		await waitForScreen((text) => /▾ ✓ code #1 kind/.test(text), 'the code block to expand');
		keys('o');
		s = await waitForScreen((text) => text.includes('Code block 1 (iteration 1)'), 'the detail view');
		expect(s).toContain('kind = type(context).__name__');
		keys('Escape');
		await waitForScreen((text) => /─ 4\/13 ─/.test(text), 'the tree again');
		keys('G');
		await waitForScreen((text) => /13\/13 · following/.test(text), 'the last row');

		// /model: the demo lists one model; a typed name is accepted and saved.
		keys('Tab');
		await waitForScreen((text) => text.includes('Enter send'), 'the input to take focus');
		type('/model');
		keys('Enter');
		await waitForScreen((text) => text.includes('Model · demo') && text.includes('demo (current)'), 'the model picker');
		type('demo-mini');
		await waitForScreen((text) => text.includes('filter › demo-mini'), 'the filter');
		keys('Enter');
		await waitForScreen((text) => text.includes('demo · demo-mini'), 'the new model in the status line');

		// Quit: the shell's screen comes back.
		type('/quit');
		keys('Enter');
		s = await waitForScreen((text) => text.includes('EXIT:0'), 'the exit');
		expect(s).toContain('BEFORE-THE-TUI');
		expect(s).not.toContain('╭─ Chat');
		expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('0');
		const saved = JSON.parse(fs.readFileSync(path.join(dir, 'config', 'rlm-tui', 'settings.json'), 'utf8'));
		expect(saved.models).toMatchObject({demo: 'demo-mini'});

		// Relaunch: the saved model is back; Ctrl+C twice leaves with status 0. The server must
		// outlive its only session, or the relaunch can meet a server that is shutting down.
		tmux('set-option', '-s', 'exit-empty', 'off');
		tmux('kill-session', '-t', session);
		launch();
		await waitForScreen((text) => text.includes('demo · demo-mini'), 'the saved model after a relaunch');
		keys('C-c');
		await waitForScreen((text) => text.includes('Ctrl+C again to quit'), 'the first Ctrl+C');
		keys('C-c');
		s = await waitForScreen((text) => text.includes('EXIT:0'), 'the exit after Ctrl+C twice');
		expect(s).not.toContain('╭─ Chat');
	}, 180_000);
});
