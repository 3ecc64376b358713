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

	it('the kept line is replaced by what is typed next, corrected by an editing key, and never runs on into new text', async () => {
		h.write('/set depth O\r');
		const refused = await h.waitForFrame((f) => f.includes('Invalid depth "O"') && inputOf(f).includes('› /set depth O'));
		// The hint says what the next keys do to it.
		expect(refused).toContain('refused: type to replace the line');
		// Typed anew: the new line replaces the refused one, which is not run again.
		h.write('/set depth 3\r');
		await h.waitForFrame((f) => f.includes('depth: 3 (saved'));
		expect(rlm.options.maxDepth).toBe(3);
		expect(h.lastFrame()).not.toContain('O/set');
		expect(rlm.configured).toEqual([{maxDepth: 3}]);

		// An editing key keeps it to correct: Backspace, then the right word.
		h.write('/theme purple\r');
		await h.waitForFrame((f) => f.includes('Unknown theme "purple"') && inputOf(f).includes('› /theme purple'));
		h.write('\x7f'.repeat('purple'.length));
		await h.waitForFrame((f) => inputOf(f).includes('› /theme') && !inputOf(f).includes('purple') && !f.includes('refused: type to replace'));
		h.write('light\r');
		await h.waitForFrame((f) => !inputOf(f).includes('/theme'));
		expect(h.lastFrame()).not.toContain('Unknown theme "light"');

		// Enter on the untouched line sends it again: the same refusal, said again.
		h.write('/set depth zero\r');
		await h.waitForFrame((f) => f.includes('Invalid depth "zero"'));
		h.write('\r');
		await waitFor(() => (h.lastFrame().match(/Invalid depth "zero"/g) ?? []).length === 2);
		expect(inputOf(h.lastFrame())).toContain('› /set depth zero');
	});

	it('a command that works empties the input', async () => {
		h.write('/mouse off\r');
		const frame = await h.waitForFrame((f) => f.toLowerCase().includes('mouse') && !inputOf(f).includes('/mouse off'));
		expect(inputOf(frame)).not.toContain('/mouse');
	});
});

describe('the refused line\'s hint on the status line', () => {
	const FULL = 'refused: type to replace the line · ←/Backspace edit it · Enter send it again';
	const SHORT = 'refused: type to replace · ← edit · Enter again';

	for (const [columns, expected] of [
		[200, FULL],
		[80, SHORT],
	] as const) {
		it(`is whole at ${columns} columns, beside a long model name`, async () => {
			closeScriptedApp({dir, h});
			({dir, rlm, h} = openScriptedApp('rlm-ui-refused-', {columns, rows: 30}, {model: 'llama-3.3-70b-instruct-q4'}));
			h.write('a question\r');
			await waitFor(() => rlm.prompts.length === 1);
			rlm.finish('done');
			await h.waitForFrame((f) => f.includes('done'));
			h.write('/theme purple\r');
			const frame = await h.waitForFrame((f) => f.replace(/[\s│]+/g, ' ').includes('Unknown theme "purple"') && f.includes('› /theme purple'));
			const status = frame.split('\n').at(-1)!;
			expect(status.trimEnd().endsWith(expected), status).toBe(true);
			expect(status).toContain('llama-3.3-70b-instruct-q4');
		});
	}
});

