// A large paste in the chat input, as a user edits it: one Backspace on its placeholder is a
// deletion Ctrl+Y undoes (never a loss), and an input recalled with ↑ comes back as it was typed.
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {KEYS, waitFor, type Harness, type ScriptedRlm} from './harness.js';
import {closeScriptedApp, openScriptedApp} from './scripted-app.js';

let dir: string;
let rlm: ScriptedRlm;
let h: Harness;

const paste = Array.from({length: 120}, (_, i) => `pasted line ${i}`).join('\n');
const bracketed = (text: string) => `\x1b[200~${text}\x1b[201~`;
/** The input box's text: the rows under the chat's last rule. */
const inputOf = (frame: string) => frame.split('\n').slice(-6).join('\n');
/** The chat pane's text alone, its wrapped lines joined (the tree pane beside it cut off). */
const chatText = (frame: string) => {
	const width = frame.split('\n')[0]!.indexOf('╮') + 1;
	return frame
		.split('\n')
		.map((line) => line.slice(0, width))
		.join('\n')
		.replace(/[\s│]+/g, ' ');
};

beforeEach(() => {
	({dir, rlm, h} = openScriptedApp('rlm-ui-paste-', {columns: 100, rows: 30}));
});

afterEach(() => closeScriptedApp({dir, h}));

describe('a large paste in the input', () => {
	it('Backspace on its placeholder deletes it as a kill: Ctrl+Y puts the paste back, not an earlier kill', async () => {
		h.write('old words');
		await h.waitForFrame((f) => f.includes('old words'));
		h.write('\x01\x0b'); // Ctrl+A, Ctrl+K: "old words" is the last kill
		await h.waitForFrame((f) => !f.includes('old words'));
		h.write('Q: ');
		h.write(bracketed(paste));
		await h.waitForFrame((f) => inputOf(f).includes('Q: [pasted 120 lines]'));
		h.write(KEYS.backspace);
		await h.waitForFrame((f) => !f.includes('[pasted 120 lines]'));
		h.write('\x19'); // Ctrl+Y
		const frame = await h.waitForFrame((f) => inputOf(f).includes('Q: [pasted 120 lines]'));
		expect(frame).not.toContain('old words');
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 1);
		expect(rlm.prompts[0]).toBe(`Q: ${paste}`);
	});

	it('Delete on its placeholder is undone by Ctrl+Y too', async () => {
		h.write(bracketed(paste));
		await h.waitForFrame((f) => inputOf(f).includes('[pasted 120 lines]'));
		h.write('\x01'); // Ctrl+A: the cursor before the placeholder
		h.write('\x1b[3~'); // Delete
		await h.waitForFrame((f) => !f.includes('[pasted 120 lines]'));
		h.write('\x19');
		await h.waitForFrame((f) => inputOf(f).includes('[pasted 120 lines]'));
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 1);
		expect(rlm.prompts[0]).toBe(paste);
	});

	it('Ctrl+W three times then Ctrl+Y brings back all three kills, the paste whole (consecutive kills join, as in readline)', async () => {
		h.write('before ');
		h.write(bracketed(paste));
		h.write(' after');
		await h.waitForFrame((f) => inputOf(f).includes('before [pasted 120 lines] after'));
		h.write('\x17\x17\x17'); // Ctrl+W ×3
		await h.waitForFrame((f) => !f.includes('[pasted 120 lines]') && !inputOf(f).includes('before'));
		h.write('\x19'); // Ctrl+Y
		await h.waitForFrame((f) => inputOf(f).includes('before [pasted 120 lines] after'));
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 1);
		expect(rlm.prompts[0]).toBe(`before ${paste} after`);
	});

	it('Ctrl+U then Ctrl+Y brings back the typed words as text, editable, and the paste as its placeholder', async () => {
		h.write('Q: ');
		h.write(bracketed(paste));
		h.write(' thanks');
		await h.waitForFrame((f) => inputOf(f).includes('Q: [pasted 120 lines] thanks'));
		h.write('\x15'); // Ctrl+U
		await h.waitForFrame((f) => !f.includes('[pasted 120 lines]'));
		h.write('\x19'); // Ctrl+Y
		await h.waitForFrame((f) => inputOf(f).includes('Q: [pasted 120 lines] thanks'));
		h.write('\x01'); // Ctrl+A, then Delete ×3: the typed "Q: " is text again
		h.write('\x1b[3~\x1b[3~\x1b[3~');
		await h.waitForFrame((f) => inputOf(f).includes('[pasted 120 lines] thanks') && !inputOf(f).includes('Q: '));
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 1);
		expect(rlm.prompts[0]).toBe(`${paste} thanks`);
	});

	it('↑ brings back an input as it was typed: the text around the placeholder, in the input and the chat', async () => {
		h.write('Q: ');
		h.write(bracketed(paste));
		h.write(' thanks');
		await h.waitForFrame((f) => inputOf(f).includes('Q: [pasted 120 lines] thanks'));
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 1);
		rlm.finish('first answer');
		await h.waitForFrame((f) => f.includes('first answer'));
		h.write(KEYS.up);
		await h.waitForFrame((f) => inputOf(f).includes('Q: [pasted 120 lines] thanks'));
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 2);
		expect(rlm.prompts[1]).toBe(`Q: ${paste} thanks`);
		// The chat shows each by its first and last lines (wrapped in the pane: compared flat).
		const frame = await h.waitForFrame((f) => chatText(f).split('› Q: pasted line 0 … (+118 lines) … pasted line 119 thanks').length === 3);
		expect(frame).not.toContain('› [pasted 122 lines]');
	});

	it('a draft with a paste comes back as it was after ↑ then ↓', async () => {
		h.write('earlier\r');
		await waitFor(() => rlm.prompts.length === 1);
		rlm.finish('ok');
		h.write('Q: ');
		h.write(bracketed(paste));
		await h.waitForFrame((f) => inputOf(f).includes('Q: [pasted 120 lines]'));
		h.write(KEYS.up);
		await h.waitForFrame((f) => inputOf(f).includes('earlier'));
		h.write(KEYS.down);
		await h.waitForFrame((f) => inputOf(f).includes('Q: [pasted 120 lines]'));
	});
});
