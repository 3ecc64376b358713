// Typing ahead: a question sent while another runs is queued. The chat shows it at once, marked
// queued; the engine takes it in at once (its log has it) and asks it when the one before it ends,
// answered, failed or cancelled; ↑ on an empty input takes it back. Slash commands run at once.
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {QUEUED_AFTER_NOTE, QUEUED_NOTE} from '../../source/ui/state/app-state.js';
import {transcriptMarkdown} from '../../source/ui/transcript.js';
import {KEYS, waitFor} from './harness.js';
import {closeScriptedApp, openScriptedApp, type ScriptedApp} from './scripted-app.js';

let app: ScriptedApp;

beforeEach(() => {
	app = openScriptedApp('rlm-ui-type-ahead-', {columns: 120, rows: 36});
});

afterEach(() => closeScriptedApp(app));

/** The chat's history alone (not its input), its wrapped lines joined (the tree pane beside it cut off). */
const chatText = (frame: string) => {
	const width = frame.split('\n')[0]!.indexOf('╮') + 1;
	const lines = frame.split('\n').map((line) => line.slice(0, width));
	const inputRule = lines.findIndex((line) => line.startsWith('│─'));
	return lines
		.slice(0, inputRule < 0 ? undefined : inputRule)
		.join('\n')
		.replace(/[\s│]+/g, ' ');
};
const inputOf = (frame: string) => frame.split('\n').slice(-3).join('\n');
/** Where each text is in the chat (-1: not there). */
const order = (frame: string, ...texts: string[]) => texts.map((text) => chatText(frame).indexOf(text));
const ascending = (positions: number[]) => positions.every((at, index) => at >= 0 && (index === 0 || at > positions[index - 1]!));

async function askFirst(): Promise<void> {
	app.h.write('first question\r');
	await waitFor(() => app.rlm.prompts.length === 1, 5000, 'the first question');
}

describe('a question typed while one runs', () => {
	it('is queued: in the chat at once marked so, taken in by the engine, asked when the answer is done; its line then sits under that answer', async () => {
		const {h, rlm} = app;
		await askFirst();
		h.write('second question\r');
		const queued = await h.waitForFrame((f) => chatText(f).includes(`› second question ${QUEUED_NOTE}`));
		expect(chatText(queued)).not.toContain('Still working');
		// The engine has it (its log line, marked queued) but has not started it.
		await waitFor(() => rlm.taken.length === 2, 5000, 'the engine to take it in');
		expect(rlm.taken).toEqual(['first question', 'second question']);
		expect(rlm.prompts).toEqual(['first question']);
		rlm.finish('the first answer');
		await waitFor(() => rlm.prompts.length === 2, 5000, 'the queued question to start');
		expect(rlm.prompts[1]).toBe('second question');
		const started = await h.waitForFrame((f) => chatText(f).includes('› second question') && !chatText(f).includes(QUEUED_NOTE));
		expect(ascending(order(started, '› first question', 'the first answer', '› second question'))).toBe(true);
		// It runs now: Esc cancels it, not the one before.
		h.write(KEYS.esc);
		await waitFor(() => rlm.signals[1]?.aborted === true, 5000, 'the second question cancelled');
		await h.waitForFrame((f) => chatText(f).includes('Cancelled'));
	});

	it('several go in the order typed, each when the one before it ends, failed ones too', async () => {
		const {h, rlm} = app;
		await askFirst();
		h.write('second\r');
		h.write('third\r');
		// The second waits for the running answer, the third for the second; the working line is under the running question.
		const both = await h.waitForFrame((f) => chatText(f).includes(`› third ${QUEUED_AFTER_NOTE}`));
		expect(ascending(order(both, '› first question', 'working', `› second ${QUEUED_NOTE}`, `› third ${QUEUED_AFTER_NOTE}`))).toBe(true);
		rlm.finish('', 'failed');
		await waitFor(() => rlm.prompts.length === 2, 5000, 'the second question');
		expect(rlm.prompts).toEqual(['first question', 'second']);
		const frame = await h.waitForFrame((f) => chatText(f).includes(`› third ${QUEUED_NOTE}`) && !chatText(f).includes(`› second ${QUEUED_NOTE}`));
		expect(ascending(order(frame, '› first question', '› second', 'working', `› third ${QUEUED_NOTE}`))).toBe(true);
		rlm.finish('the second answer');
		await waitFor(() => rlm.prompts.length === 3, 5000, 'the third question');
		rlm.finish('the third answer');
		const done = await h.waitForFrame((f) => chatText(f).includes('the third answer'));
		expect(ascending(order(done, '› second', 'the second answer', '› third', 'the third answer'))).toBe(true);
		expect(chatText(done)).not.toContain('(queued');
	});

	it('goes on after Esc cancels the running one: the cancel is about that answer alone', async () => {
		const {h, rlm} = app;
		await askFirst();
		h.write('second\r');
		await h.waitForFrame((f) => chatText(f).includes(`› second ${QUEUED_NOTE}`));
		h.write(KEYS.esc);
		await waitFor(() => rlm.prompts.length === 2, 5000, 'the queued question after the cancel');
		expect(rlm.signals[0]!.aborted).toBe(true);
		expect(rlm.signals[1]!.aborted).toBe(false);
		const frame = await h.waitForFrame((f) => chatText(f).includes('Cancelled') && !chatText(f).includes(QUEUED_NOTE));
		expect(ascending(order(frame, '› first question', 'Cancelled', '› second'))).toBe(true);
	});

	it('↑ on an empty input takes the last one back into the input: out of the chat, never asked; Enter queues it again', async () => {
		const {h, rlm} = app;
		await askFirst();
		h.write('second\r');
		await h.waitForFrame((f) => chatText(f).includes(`› second ${QUEUED_NOTE}`) && f.includes('↑ takes the queued question back'));
		h.write(KEYS.up);
		const back = await h.waitForFrame((f) => inputOf(f).includes('second') && !chatText(f).includes('› second'));
		expect(back.split('\n').at(-1)).toContain('taken back · Enter queues it again');
		// Edited and queued again.
		h.write(' again\r');
		await h.waitForFrame((f) => chatText(f).includes(`› second again ${QUEUED_NOTE}`));
		rlm.finish('the first answer');
		await waitFor(() => rlm.prompts.length === 2, 5000, 'the queued question');
		expect(rlm.prompts).toEqual(['first question', 'second again']);
		rlm.finish('the second answer');
		await h.waitForFrame((f) => chatText(f).includes('the second answer'));
		expect(rlm.prompts).toHaveLength(2);
	});

	it('the take-back note keeps its Enter hint at 110 columns while a question runs', async () => {
		closeScriptedApp(app);
		// A long model name crowds the status line, as a real one with tokens and cost does.
		app = openScriptedApp('rlm-ui-type-ahead-', {columns: 110, rows: 36}, {model: 'a-long-model-name-from-a-proxy-that-lists-long-ones-v2-instruct'});
		const {h} = app;
		await askFirst();
		h.write('second\r');
		await h.waitForFrame((f) => chatText(f).includes(`› second ${QUEUED_NOTE}`));
		h.write(KEYS.up);
		const back = await h.waitForFrame((f) => inputOf(f).includes('second') && !chatText(f).includes('› second'));
		expect(back.split('\n').at(-1)).toContain('taken back · Enter queues it again');
	});

	it('taken back and not queued again: the app is idle once the running answer is done', async () => {
		const {h, rlm} = app;
		await askFirst();
		h.write('second\r');
		await h.waitForFrame((f) => chatText(f).includes(`› second ${QUEUED_NOTE}`));
		h.write(KEYS.up);
		await h.waitForFrame((f) => inputOf(f).includes('second') && !chatText(f).includes('› second'));
		rlm.finish('the first answer');
		const frame = await h.waitForFrame((f) => chatText(f).includes('the first answer') && f.includes('Enter send'));
		expect(rlm.prompts).toEqual(['first question']);
		expect(inputOf(frame)).toContain('second');
	});

	it('a slash command typed meanwhile still runs at once, and one that needs the app idle is still refused', async () => {
		const {h, rlm} = app;
		await askFirst();
		h.write('/set max-iterations 7\r');
		await h.waitForFrame((f) => chatText(f).includes('iterations: 7 (saved; from the next question)'));
		h.write('/clear\r');
		await h.waitForFrame((f) => chatText(f).includes('A question is running: cancel it (Esc) before /clear.'));
		expect(rlm.taken).toEqual(['first question']);
	});

	it('/export leaves a queued question out until it is asked', () => {
		const entries = [
			{id: 1, kind: 'user' as const, text: 'first question'},
			{id: 2, kind: 'user' as const, text: 'second', queued: true as const},
		];
		const markdown = transcriptMarkdown(entries, {model: 'm', backend: 'openai', date: new Date(0), running: true});
		expect(markdown).toContain('first question');
		expect(markdown).not.toContain('second');
	});
});
