// A paste lands whole: escape sequences, bidi overrides and tabs stay in what is sent, in the chat
// and tree's data and in /save and /export files; only what the terminal is shown leaves them out.
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {KEYS, waitFor, type Harness, type ScriptedRlm} from './harness.js';
import {closeScriptedApp, openScriptedApp} from './scripted-app.js';

let dir: string;
let rlm: ScriptedRlm;
let h: Harness;

const pasted = 'a\x1b[31mred\x1b[0m \u202Eevil\u202C tab\t end\u{E0041} \x1b]52;c;SGk=\x07 \x9b2J';
const bracketed = (text: string) => `\x1b[200~${text}\x1b[201~`;
/** What reached the terminal, its own colours and styles (SGR) aside: a pasted ESC or bidi override must not. */
const raw = (frame: string) => frame.replace(/\x1b\[[0-9;]*m/g, '');
const drawnNothingRaw = () => h.frames.every((frame) => !/[\x1b\x9b\u202a-\u202e\u{e0000}-\u{e007f}]/u.test(raw(frame)));

beforeEach(() => {
	({dir, rlm, h} = openScriptedApp('rlm-ui-paste-whole-', {columns: 120, rows: 30}));
});

afterEach(() => closeScriptedApp({dir, h}));

describe('a paste with escape bytes and bidi overrides', () => {
	it('is sent, chatted, treed, saved and exported whole; the terminal is shown none of them', async () => {
		h.write(bracketed(pasted));
		// The input box shows the text around what it leaves out; an OSC sequence's own text is text.
		await h.waitForFrame((f) => f.includes('› a[31mred[0m evil tab     end ]52;c;SGk= 2J'));
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 1);
		expect(rlm.prompts[0]).toBe(pasted.trimEnd());
		rlm.emitEvent({type: 'run.start', runId: 'r1', depth: 0, model: 'cogito:14b', backend: 'openai', question: rlm.prompts[0]!, context: {type: 'none', chars: 0}, maxIterations: 3});
		rlm.finish('done');
		// The chat draws the question printable: whole sequences gone, their text with them.
		await h.waitForFrame((f) => f.includes('› ared evil tab     end ') && f.includes('run · cogito:14b') && f.includes('done'));
		expect(drawnNothingRaw()).toBe(true);

		h.write('/save s.json\r');
		await h.waitForFrame((f) => f.includes('Saved the session to'));
		const savedText = fs.readFileSync(path.join(dir, 's.json'), 'utf8');
		expect(savedText).not.toMatch(/[\x1b\x9b\u202a-\u202e\u{e0000}-\u{e007f}]/u); // safe to `cat`...
		const saved = JSON.parse(savedText);
		expect(saved.history[0].question).toBe(pasted.trimEnd()); // ...and the real text
		expect(saved.runs[0].question).toBe(pasted.trimEnd());

		h.write('/export t.md\r');
		await h.waitForFrame((f) => f.includes('Saved the transcript to'));
		expect(fs.readFileSync(path.join(dir, 't.md'), 'utf8')).toContain(`## Question\n\n${pasted.trimEnd()}\n`);
		expect(drawnNothingRaw()).toBe(true);
	});

	it('the tree row and the detail view draw the question printable, a mark for each hidden character', async () => {
		h.write(bracketed(pasted));
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 1);
		rlm.emitEvent({type: 'run.start', runId: 'r1', depth: 0, model: 'cogito:14b', backend: 'openai', question: rlm.prompts[0]!, context: {type: 'none', chars: 0}, maxIterations: 3});
		await h.waitForFrame((f) => f.includes('run · cogito:14b "a<U+001B>[31mred<U+001B>[0m'));
		h.write(`${KEYS.tab}o`); // the tree, then its detail view of the run
		await h.waitForFrame((f) => f.includes('Question') && f.replace(/[\s│]+/g, ' ').includes('a<U+001B>[31mred<U+001B>[0m <U+202E>evil<U+202C> tab end<U+E0041> <U+001B>]52;c;SGk=<U+0007> <U+009B>2J'));
		expect(drawnNothingRaw()).toBe(true);
		rlm.finish('done');
	});

	it('Up brings a sent paste back whole', async () => {
		h.write(bracketed(pasted));
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 1);
		rlm.finish('done');
		await h.waitForFrame((f) => f.includes('done'));
		h.write('\x1b[A');
		await h.waitForFrame((f) => f.includes('› a[31mred[0m evil'));
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 2);
		expect(rlm.prompts[1]).toBe(pasted.trimEnd());
		rlm.finish('done');
	});
});
