// End to end, in a real terminal (tmux): the built app (the bundle, where a CommonJS library's
// dynamic import reads differently than in tsc's output) lays out a Markdown answer, heading and
// fenced Python included, and colours the Python.
import {afterAll, beforeAll, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {Tmux} from './tmux-driver.js';

let t: Tmux;
let server: FakeLlmServer;

beforeAll(async () => {
	t = new Tmux();
	// As a user's terminal: highlight.js colours through chalk 4, which colours nothing where CI is
	// set (as under .ci/run) unless it knows the CI vendor.
	t.run('set-environment', '-g', '-u', 'CI');
	server = await startFakeLlmServer({models: ['fake-model']});
});

afterAll(async () => {
	t?.close();
	await server?.close();
});

const ANSWER = '# Heading words\\n\\nSee:\\n\\n```python\\ndef add(a, b):\\n    return a + b\\n```\\n\\nDone.';

it('a Markdown answer with a fenced Python block is laid out, not shown as written, and its code is coloured', async () => {
	server.setResponder(scripted({root: () => repl(`llm_output("${ANSWER}")`)}));
	const s = t.start(t.cliCommand(['-u', server.openaiBaseURL, '-m', 'fake-model', '-k', 'test']), {columns: 120, rows: 30});
	await t.waitFor(s, (text) => text.includes('fake-model') && text.includes('Ask a question'), 'the TUI to start', 30_000);
	t.type(s, 'show me');
	t.keys(s, 'Enter');
	const screen = await t.waitFor(s, (text) => text.includes('Heading words') && text.includes('Done.') && text.includes('return a + b'), 'the answer', 60_000);
	// Laid out: no heading marker, no fence lines, in the chat (the tree's code row quotes the code).
	const chat = screen
		.split('\n')
		.map((line) => line.split('││')[0]!)
		.join('\n');
	expect(chat).toContain('Heading words');
	expect(chat).not.toContain('# Heading words');
	expect(chat).not.toContain('```');
	// Coloured: the keyword `def` carries an SGR sequence of its own (highlight.js's keyword style).
	const coloured = t.run('capture-pane', '-p', '-e', '-t', s);
	expect(coloured).toMatch(/\x1b\[[0-9;]*m\s*def\x1b\[/);
	t.type(s, '/quit');
	t.keys(s, 'Enter');
	await t.waitFor(s, (text) => text.includes('EXIT:0'), 'the exit', 30_000);
}, 120_000);
