// End to end: the built CLI in a real terminal (tmux), driven as a user would: send-keys, then
// read the screen with capture-pane. Ask -> answer -> tree navigation -> /model -> quit (terminal
// restored), then a relaunch shows the saved model.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Tmux} from './tmux-driver.js';

let t: Tmux;
let session = '';
const keys = (...names: string[]) => t.keys(session, ...names);
const type = (text: string) => t.type(session, text);
const waitForScreen = (predicate: (text: string) => boolean, what: string, timeoutMs = 60_000) => t.waitFor(session, predicate, what, timeoutMs);
let dir = '';

function launch(): void {
	session = t.start(t.cliCommand(['-b', 'demo']));
}

beforeAll(() => {
	t = new Tmux();
	dir = t.dir;
});

afterAll(() => t?.close());

describe('the TUI in tmux', () => {
	it('asks, navigates, switches the model, quits cleanly, and remembers the model', async () => {
		launch();
		await waitForScreen((s) => s.includes('demo · demo') && s.includes('Ask a question'), 'the TUI to start');
		expect(t.display(session, '#{alternate_on}')).toBe('1');

		// Ask; the demo model answers after three iterations.
		type('Count the words: alpha beta gamma alpha beta alpha');
		keys('Enter');
		await waitForScreen((s) => /run · demo/.test(s), 'the run to appear in the tree');
		// capture-pane can catch a frame half drawn: wait for one screen that shows all of it.
		await waitForScreen(
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
		let s = await waitForScreen((text) => text.includes('Code block 1 (iteration 1)'), 'the detail view');
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
		expect(t.display(session, '#{alternate_on}')).toBe('0');
		const saved = JSON.parse(fs.readFileSync(path.join(dir, 'config', 'rlm-tui', 'settings.json'), 'utf8'));
		expect(saved.models).toMatchObject({demo: 'demo-mini'});

		// Relaunch: the saved model is back; Ctrl+C twice leaves with status 0.
		const first = session;
		launch();
		t.kill(first);
		await waitForScreen((text) => text.includes('demo · demo-mini'), 'the saved model after a relaunch');
		keys('C-c');
		await waitForScreen((text) => text.includes('Ctrl+C again to quit'), 'the first Ctrl+C');
		keys('C-c');
		s = await waitForScreen((text) => text.includes('EXIT:0'), 'the exit after Ctrl+C twice');
		expect(s).not.toContain('╭─ Chat');
	}, 180_000);

	it('sends a question typed with its Enter while the app was still starting, in line mode or raw', async () => {
		const stages = {
			// Typed at once: the keys reach the terminal while it is still in line mode (Enter a line feed).
			'line mode': async () => {},
			// Typed once the command line has put the terminal in raw mode (often before the first frame).
			'raw mode': async () => {
				const tty = t.display(session, '#{pane_tty}');
				const deadline = Date.now() + 30_000;
				while (!/(^|\s)-icanon(\s|$)/.test(spawnSync('stty', ['-a', '-F', tty], {encoding: 'utf8'}).stdout)) {
					if (Date.now() > deadline) throw new Error('the terminal never went to raw mode');
					await new Promise((resolve) => setTimeout(resolve, 20));
				}
			},
		};
		for (const [stage, before] of Object.entries(stages)) {
			const previous = session;
			launch();
			if (previous) t.kill(previous);
			await before();
			const question = `Count the words, typed ahead in ${stage}`;
			type(question);
			keys('Enter');
			// Sent (not left in the input as two lines) and answered; the input empty again.
			const s = await waitForScreen((text) => /3 iterations ·/.test(text) && text.includes('Ask a question, or /help'), `the answer to the question typed ahead (${stage})`);
			expect(s).toContain(`› ${question}`);
		}
	}, 180_000);
});
