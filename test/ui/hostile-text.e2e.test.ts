// End to end, in a real terminal (tmux): a server whose model ids carry an OSC 0 (window title) and
// an OSC 52 (clipboard write) is listed in /model, and neither acts: the pane's title stays as it
// was and tmux holds no clipboard buffer, while the ids are shown without their escapes (a mark, `<U+001B>`, where each control character was).
import {afterAll, beforeAll, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {Tmux} from './tmux-driver.js';

const TITLE_ID = 'evil\x1b]0;PWNED\x07model';
const CLIPBOARD_ID = 'clip\x1b]52;c;UFdORUQtQ0xJUA==\x07board';

let t: Tmux;
let server: FakeLlmServer;

beforeAll(async () => {
	t = new Tmux();
	// Applications may set the clipboard (tmux keeps it as a paste buffer), as in many setups.
	t.run('set-option', '-s', 'set-clipboard', 'on');
	server = await startFakeLlmServer({models: [TITLE_ID, CLIPBOARD_ID, 'fake-model']});
});

afterAll(async () => {
	t?.close();
	await server?.close();
});

it("a server's hostile model ids set no window title and write no clipboard from /model", async () => {
	const s = t.start(t.cliCommand(['-u', server.openaiBaseURL, '-m', 'fake-model', '-k', 'test']), {columns: 120, rows: 30});
	await t.waitFor(s, (text) => text.includes('fake-model') && text.includes('Ask a question'), 'the TUI to start', 30_000);
	const title = t.display(s, '#{pane_title}');
	t.type(s, '/model');
	t.keys(s, 'Enter');
	await t.waitFor(s, (text) => text.includes('  clip<U+001B>]52;c;UFdORUQtQ0xJUA==<U+0007>board') && text.includes('  evil<U+001B>]0;PWNED<U+0007>model') && text.includes('Model · openai'), 'the picker with the ids cleaned (a mark for each control character)', 30_000);
	// The screen was drawn with the ids on it: had their sequences reached tmux, they would have acted by now.
	expect(t.display(s, '#{pane_title}')).toBe(title);
	expect(t.display(s, '#{pane_title}')).not.toContain('PWNED');
	expect(t.run('list-buffers', '-F', '#{buffer_sample}')).not.toContain('PWNED');
	t.keys(s, 'Escape');
	t.type(s, '/quit');
	t.keys(s, 'Enter');
	await t.waitFor(s, (text) => text.includes('EXIT:0'), 'the exit', 30_000);
}, 120_000);
