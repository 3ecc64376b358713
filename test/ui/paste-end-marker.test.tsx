// A pasted end marker (tmux's paste-buffer -p passes one through) balanced by a fresh start marker
// in the same paste: the whole read is one paste, so nothing is sent and no command runs by itself.
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {KEYS, waitFor, type Harness, type ScriptedRlm} from './harness.js';
import {closeScriptedApp, openScriptedApp, type ScriptedApp} from './scripted-app.js';

let app: ScriptedApp;
let rlm: ScriptedRlm;
let h: Harness;

/** What tmux paste-buffer -p sends for a clipboard: its own markers around it, nothing filtered. */
const tmuxPaste = (clip: string) => `\x1b[200~${clip}\x1b[201~`;

beforeEach(() => {
	app = openScriptedApp('rlm-ui-paste-end-marker-', {columns: 120, rows: 30});
	({rlm, h} = app);
});

afterEach(() => closeScriptedApp(app));

describe('a paste holding an end marker and a fresh start marker', () => {
	it.each([
		['a command', '\x1b[201~/set depth 7\r\x1b[200~ rest', ' rest'],
		['a question', 'harmless text\x1b[201~/set depth 7\r\x1b[200~ more', ' more'],
		['earlier lines', 'L1\rL2\rL3\rL4\x1b[201~\r\x1b[200~L5', 'L5'],
	])('sends no %s and runs nothing: it waits in the input box, whole', async (_what, clip, tail) => {
		const before = app.settings.get();
		h.write(tmuxPaste(clip));
		await h.waitForFrame((f) => f.includes(tail));
		expect(rlm.prompts).toEqual([]);
		expect(app.settings.get()).toEqual(before);
		// Enter sends the whole paste as one question; the pasted /set never ran.
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 1);
		expect(rlm.prompts[0]).toBe(clip.replaceAll('\r', '\n'));
		expect(app.settings.get()).toEqual(before);
		rlm.finish('done');
	});
});
