// Text typed while the tree or a view has focus is never lost: a key the pane binds keeps its
// meaning there; any other character moves the focus to the input and is typed into it, and a
// paste lands there whole.
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {KEYS, scriptRun, scriptRunDone, waitFor, type Harness, type ScriptedRlm} from './harness.js';
import {closeScriptedApp, openScriptedApp} from './scripted-app.js';

let dir: string;
let rlm: ScriptedRlm;
let h: Harness;

const bracketed = (text: string) => `\x1b[200~${text}\x1b[201~`;
const treeNote = (frame: string) => /(\d+)\/(\d+)( · following)?/.exec(frame.split('\n')[0] ?? '')?.slice(1, 3).map(Number) ?? [];
/** The hint line starts with the focused pane's keys. */
const treeFocused = (frame: string) => frame.includes('j/k move');
const inputFocused = (frame: string) => frame.includes('Enter send');
const detailOpen = (frame: string) => frame.includes('PgUp/PgDn scroll');

beforeEach(() => {
	({dir, rlm, h} = openScriptedApp('rlm-ui-tree-typing-', {columns: 120, rows: 36}));
});

afterEach(() => closeScriptedApp({dir, h}));

async function answered(question: string) {
	h.write(`${question}\r`);
	await waitFor(() => rlm.prompts.includes(question), 5000, 'the prompt to reach the engine');
	scriptRun(rlm);
	scriptRunDone(rlm);
	rlm.finish('The answer is **five**.');
	await h.waitForFrame((f) => f.includes('The answer is five') && treeNote(f).join('/') === '7/7');
}

describe('typing while the tree has focus', () => {
	it('Tab, ?, Esc, then a question typed key by key: the whole question is sent', async () => {
		await h.waitForFrame(inputFocused);
		h.write(KEYS.tab);
		await h.waitForFrame(treeFocused);
		h.write('?');
		await h.waitForFrame((f) => f.includes('╭─ Help'));
		h.write(KEYS.esc);
		await h.waitForFrame((f) => !f.includes('╭─ Help') && treeFocused(f));
		const question = 'Summarise this: the quick brown fox, 2 lines.';
		for (const char of question) h.write(char);
		await h.waitForFrame((f) => f.includes(`› ${question}`) && inputFocused(f));
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 1, 5000, 'the prompt to reach the engine');
		expect(rlm.prompts).toEqual([question]);
	});

	it('bound keys still act in the tree; an unbound one (a digit) sends what follows to the input', async () => {
		await answered('hello');
		h.write(`${KEYS.tab}k`);
		await h.waitForFrame((f) => treeNote(f).join('/') === '6/7' && treeFocused(f));
		// One read, as tmux send-keys or a fast typist delivers it: o, r and e are tree keys
		// (open, next running, next error), but they come after the 7 and so are typed.
		h.write('7 more rows?');
		const frame = await h.waitForFrame((f) => f.includes('› 7 more rows?') && inputFocused(f));
		expect(treeNote(frame)).toEqual([6, 7]);
		expect(detailOpen(frame)).toBe(false);
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 2, 5000, 'the second prompt');
		expect(rlm.prompts[1]).toBe('7 more rows?');
	});

	it('/ in the tree still filters its rows and : still starts a command, as the README says', async () => {
		await answered('hello');
		h.write(`${KEYS.tab}/output`);
		await h.waitForFrame((f) => f.includes('type to filter the rows') && treeNote(f).join('/') !== '7/7');
		h.write(KEYS.enter);
		let frame = await h.waitForFrame((f) => f.includes('Esc clear filter'));
		expect(frame).not.toContain('› /output');
		h.write(':');
		frame = await h.waitForFrame((f) => inputFocused(f) && /› \/\s/.test(f));
		expect(rlm.prompts).toEqual(['hello']);
	});

	it('a paste while the tree has focus lands whole in the input, not sent', async () => {
		await answered('hello');
		h.write(KEYS.tab);
		await h.waitForFrame(treeFocused);
		// Every letter of it a tree key, were it typed: j, k, o, e, r...
		const pasted = 'joke\nrecheck go';
		h.write(bracketed(pasted));
		await h.waitForFrame((f) => f.includes('› joke') && f.includes('recheck go') && inputFocused(f));
		expect(detailOpen(h.lastFrame())).toBe(false);
		expect(rlm.prompts).toEqual(['hello']);
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 2, 5000, 'the pasted prompt');
		expect(rlm.prompts[1]).toBe(pasted);
	});
});

describe('typing while the detail view is open', () => {
	it('an unbound character closes the view and is typed into the input; bound ones still scroll or close', async () => {
		await answered('hello');
		h.write(`${KEYS.tab}o`);
		await h.waitForFrame(detailOpen);
		h.write('Why so?');
		const frame = await h.waitForFrame((f) => f.includes('› Why so?') && inputFocused(f));
		expect(detailOpen(frame)).toBe(false);
		h.write(`${KEYS.tab}o`);
		await h.waitForFrame(detailOpen);
		h.write('q');
		await h.waitForFrame((f) => !detailOpen(f) && treeFocused(f));
		expect(h.lastFrame()).toContain('› Why so?');
	});

	it('a paste closes the view and lands whole in the input', async () => {
		await answered('hello');
		h.write(`${KEYS.tab}o`);
		await h.waitForFrame(detailOpen);
		h.write(bracketed('quit\nnow'));
		const frame = await h.waitForFrame((f) => f.includes('› quit') && inputFocused(f));
		expect(detailOpen(frame)).toBe(false);
		expect(h.exits).toEqual([]);
		h.write(KEYS.enter);
		await waitFor(() => rlm.prompts.length === 2, 5000, 'the pasted prompt');
		expect(rlm.prompts[1]).toBe('quit\nnow');
	});
});
