// A slash command the app refuses keeps its line in the input, to be corrected or given again,
// whatever the reason: a question running (/clear, /resume), a bad argument. An unknown name is
// said and dropped, as a shell does.
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {waitFor, type Harness, type ScriptedRlm} from './harness.js';
import {closeScriptedApp, openScriptedApp} from './scripted-app.js';

let dir: string;
let rlm: ScriptedRlm;
let h: Harness;

beforeEach(() => {
	({dir, rlm, h} = openScriptedApp('rlm-ui-refused-', {columns: 110, rows: 30}));
});

afterEach(() => closeScriptedApp({dir, h}));

/** The input box: the last rows of the frame, under the chat's rule. */
const inputOf = (frame: string) => frame.split('\n').slice(-4).join('\n');

describe('a refused command', () => {
	it('/clear and /resume while a question runs stay in the input', async () => {
		h.write('a question\r');
		await waitFor(() => rlm.prompts.length === 1);
		for (const line of ['/clear', '/resume']) {
			h.write(`${line}\r`);
			// The refusal ends with the command's name: "…cancel it (Esc) before /clear."
			const frame = await h.waitForFrame((f) => f.includes(`${line}.`));
			expect(inputOf(frame)).toContain(`› ${line}`);
			h.write('\x01\x0b'); // Ctrl+A, Ctrl+K: empty the input for the next
			await h.waitForFrame((f) => !inputOf(f).includes(`› ${line}`));
		}
		rlm.finish('done');
	});

	it('a bad argument stays in the input; an unknown command does not', async () => {
		h.write('/clera\r');
		const unknown = await h.waitForFrame((f) => f.includes('Unknown command /clera'));
		expect(inputOf(unknown)).not.toContain('/clera');
		for (const [line, said] of [
			['/theme purple', 'Unknown theme "purple"'],
			['/backend nope', 'Unknown backend "nope"'],
			['/mouse of', 'Usage: /mouse on or /mouse off.'],
			['/set depth O', 'depth'],
		] as const) {
			h.write(`${line}\r`);
			const frame = await h.waitForFrame((f) => f.includes(said) && inputOf(f).includes(`› ${line}`));
			expect(frame).toContain('✗');
			h.write('\x01\x0b');
			await h.waitForFrame((f) => !inputOf(f).includes(`› ${line}`));
		}
	});

	it('a command that works empties the input', async () => {
		h.write('/mouse off\r');
		const frame = await h.waitForFrame((f) => f.toLowerCase().includes('mouse') && !inputOf(f).includes('/mouse off'));
		expect(inputOf(frame)).not.toContain('/mouse');
	});
});
