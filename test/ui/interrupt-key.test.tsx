// Ctrl+C with text in the input, as the help (and the README's keys table) says it: the first
// press clears the typed text and never arms the quit (as a shell or the Node REPL); on the
// empty input the next press arms it, and a second within 2 s quits.
import {afterEach, beforeEach, expect, it} from 'vitest';
import {KEYS, waitFor, type Harness} from './harness.js';
import {closeScriptedApp, openScriptedApp} from './scripted-app.js';

let dir: string;
let h: Harness;

beforeEach(() => {
	({dir, h} = openScriptedApp('rlm-ui-ctrlc-', {columns: 110, rows: 60}));
});

afterEach(() => closeScriptedApp({dir, h}));

const flat = (frame: string) => frame.replace(/[\s│]+/g, ' ');

it('Ctrl+C on typed text clears it without arming the quit, as the help says; then twice quits', async () => {
	h.write('/help\r');
	const help = flat(await h.waitForFrame((f) => f.includes('Ctrl+C')));
	expect(help).toContain('else clear the typed input (↑ brings it back; as in a shell, this press never quits); a second Ctrl+C within 2 s of a cancel or of a press on an empty input quits');
	h.write(KEYS.esc);
	await h.waitForFrame((f) => !f.includes('this press never quits'));
	h.write('a draft');
	await h.waitForFrame((f) => f.includes('› a draft'));
	h.write(KEYS.ctrlC);
	const cleared = await h.waitForFrame((f) => f.includes('input cleared'));
	expect(cleared).not.toContain('again to quit');
	h.write(KEYS.ctrlC);
	await h.waitForFrame((f) => f.includes('Ctrl+C again to quit'));
	expect(h.exits).toEqual([]);
	h.write(KEYS.ctrlC);
	await waitFor(() => h.exits.length === 1, 5000, 'the exit');
	expect(h.exits).toEqual([0]);
});
