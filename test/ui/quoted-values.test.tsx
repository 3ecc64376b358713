// What the user typed after /theme, /backend, /set or /save comes back in an error quoted as the command
// line's flag errors quote it (protocol/quoted.ts): in double quotes, JSON-escaped, and without
// a secret it holds, which shows as [redacted]. The typed line itself stays in the input to correct.
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {Harness, ScriptedRlm} from './harness.js';
import {closeScriptedApp, openScriptedApp} from './scripted-app.js';

let dir: string;
let rlm: ScriptedRlm;
let h: Harness;

beforeEach(() => {
	({dir, rlm, h} = openScriptedApp('rlm-ui-quoted-', {columns: 160, rows: 40}));
});

afterEach(() => closeScriptedApp({dir, h}));

/** An OpenAI-shaped key (redact.ts knows the shape). */
const KEY = 'sk-proj-abcdefghijklmnop1234';

/** The frame without its input box (the last rows, under the chat's rule), words joined on one line. */
const chatOf = (frame: string) => frame.split('\n').slice(0, -4).join('\n').replace(/[\s│]+/g, ' ');

/** Types `line`, waits for `said` in the chat, and empties the input again. */
async function refused(line: string, said: string): Promise<string> {
	h.write(`${line}\r`);
	const chat = chatOf(await h.waitForFrame((f) => chatOf(f).includes(said)));
	h.write('\x01\x0b'); // Ctrl+A, Ctrl+K
	await h.waitForFrame((f) => !f.includes(`› ${line}`));
	return chat;
}

describe('a typed value in an error', () => {
	it('is quoted JSON-escaped, as the flag errors quote it', async () => {
		await refused('/theme "dark', 'Unknown theme "\\"dark": /theme dark or /theme light');
		await refused('/backend "nope', 'Unknown backend "\\"nope": use one of');
		await refused('/backend openai not a url', 'Not a URL: "not" (for example');
		await refused('/set depth "zero', 'Invalid depth "\\"zero": expected a whole number from 1 to 100.');
		await refused('/set "colour blue', 'Unknown setting "\\"colour": use one of');
		await refused('/save notes.h"tml', 'Not saved: ".h\\"tml" is neither JSON nor Markdown.');
		expect(rlm.configured).toEqual([]);
	});

	it('never shows a key typed where a name or a number goes', async () => {
		for (const [line, said] of [
			[`/theme ${KEY}`, 'Unknown theme "[redacted]": /theme dark or /theme light'],
			[`/backend ${KEY}`, 'Unknown backend "[redacted]": use one of'],
			['/backend openai http://alice:hunter2-secret@[bad/v1', 'Not a URL: "http://[redacted]@[bad/v1"'],
			[`/set depth ${KEY}`, 'Invalid depth "[redacted]": expected a whole number from 1 to 100.'],
			[`/set timeout 1 ${KEY}`, 'Invalid timeout "1 [redacted]": expected a number of seconds'],
			['/set sub-url http://127.0.0.1:11434/v1?api_key=hunter2-secret', 'Invalid sub-url "http://127.0.0.1:11434/v1?api_key=[redacted]": it carries credentials'],
		] as const) {
			const chat = await refused(line, said);
			expect(chat).not.toMatch(/abcdefghijklmnop|hunter2/);
		}
		expect(rlm.configured).toEqual([]);
	});

	it('never shows a key inside a setting it shows (a key typed into one is refused, not saved)', async () => {
		h.write(`/set instructions Always answer with ${KEY} in mind\r`);
		const set = chatOf(await h.waitForFrame((f) => chatOf(f).includes('Invalid instructions')));
		expect(set).toContain('Invalid instructions "Always answer with [redacted] in mind": it');
		h.write('\x15');
		h.write('/settings\r');
		const shown = chatOf(await h.waitForFrame((f) => chatOf(f).includes('Run settings')));
		expect(shown).toMatch(/instructions \(none\)/);
		expect(set + shown).not.toMatch(/sk-proj|abcdefghijklmnop/);
	});
});
