// Answers, replies and outputs of megabytes in the full-screen app: they once overflowed the
// stack (a spread of 150,000 wrapped rows into push()) and took minutes to wrap. The views lay
// out a bounded head and say how much more there is and where to find it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {RlmEvent} from '../../source/protocol/events.js';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {firstLine, lastLine} from '../../source/ui/format.js';
import {InertEngine} from '../../source/ui/replay-tui.js';
import {shownPart, SHOWN_CHARS, SHOWN_LINES} from '../../source/ui/long-text.js';
import {asRlm, KEYS, renderApp, ScriptedRlm, waitFor, type Harness} from './harness.js';

let dir: string;
let settings: SettingsStore;
let rlm: ScriptedRlm;
let h: Harness | undefined;

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ui-huge-'));
	settings = openSettings({cwd: path.join(dir, 'config')});
	rlm = new ScriptedRlm();
});

afterEach(() => {
	h?.unmount();
	h = undefined;
	fs.rmSync(dir, {recursive: true, force: true});
});

const LINES = 150_000;
const manyLines = Array.from({length: LINES}, (_, i) => `row ${i}`).join('\n');
const flat = (frame: string) => frame.replace(/[\s│]+/g, ' ');

function start(): Harness {
	h = renderApp({rlm: asRlm(rlm), config: resolveConfig({}, {}, settings.get()), settings, cwd: dir, columns: 100, rows: 30, skipStartup: true});
	return h;
}

function runEvents(answer: string, response: string): void {
	rlm.emitEvent({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'big', context: {type: 'str', chars: 3}, maxIterations: 3});
	rlm.emitEvent({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 3});
	rlm.emitEvent({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'x = llm_query("lines")'});
	rlm.emitEvent({type: 'call.start', callId: 'c', runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: 'sub', prompt: 'many lines please'});
	rlm.emitEvent({type: 'call.done', callId: 'c', response, usage: {inputTokens: 3, outputTokens: 4}, ms: 9});
	rlm.emitEvent({type: 'code.done', runId: 'r', iteration: 1, block: 1, ok: true, stdout: '', stderr: '', ms: 5, truncatedChars: 0, variables: [], final: null, restarted: false});
	rlm.emitEvent({type: 'run.done', runId: 'r', answer, status: 'answered', usage: {inputTokens: 1, outputTokens: 1}, ms: 10, iterations: 1});
}

describe('a huge answer in the full-screen app', () => {
	it('shows the head of a 150,000-line answer and says how much more there is', async () => {
		start();
		h!.write('big\r');
		await waitFor(() => rlm.prompts.length === 1);
		runEvents(manyLines, 'short');
		rlm.finish(manyLines);
		const frame = await h!.waitForFrame((f) => flat(f).includes('not shown here'), 60_000);
		expect(flat(frame)).toContain(`… ${(LINES - SHOWN_LINES).toLocaleString('en-US')} more lines`);
		expect(flat(frame)).toContain('/export writes the whole answer to a file');
		expect(frame).toContain(`row ${SHOWN_LINES - 1}`);
		expect(frame).not.toContain('interface crashed');
	});

	it("opens the detail view of an llm_query whose reply has 150,000 lines", async () => {
		start();
		h!.write('big\r');
		await waitFor(() => rlm.prompts.length === 1);
		runEvents('done', manyLines);
		rlm.finish('done');
		await h!.waitForFrame((f) => f.includes('llm_query'));
		h!.write(KEYS.tab);
		await h!.waitForFrame((f) => f.includes('j/k move'));
		h!.write('g');
		// The run, its iteration, the block, the call: the call is the fourth row.
		h!.write('jjj');
		h!.write(KEYS.enter);
		let frame = await h!.waitForFrame((f) => f.includes('many lines please') && f.includes('row 0'), 60_000);
		h!.write('G');
		frame = await h!.waitForFrame((f) => flat(f).includes('not shown here'), 60_000);
		expect(flat(frame)).toContain(`… ${(LINES - SHOWN_LINES).toLocaleString('en-US')} more lines`);
		expect(frame).toContain(`row ${SHOWN_LINES - 1}`);
	});

	it('reopens a trajectory with such an answer as a replay', async () => {
		const events: RlmEvent[] = [];
		rlm.on('event', (event: RlmEvent) => events.push(event));
		runEvents(manyLines, manyLines);
		h = renderApp({rlm: new InertEngine({model: 'm', backend: 'openai'}), config: resolveConfig({}, {}, settings.get()), settings, cwd: dir, columns: 100, rows: 30, skipStartup: true, replay: {title: 'big.jsonl', events}});
		const frame = await h.waitForFrame((f) => flat(f).includes('not shown here'), 60_000);
		expect(frame).not.toContain('interface crashed');
	});

	it('lays out a 9 MB one-line answer as its first characters', async () => {
		start();
		h!.write('big\r');
		await waitFor(() => rlm.prompts.length === 1);
		const wide = 'w'.repeat(9_000_000);
		runEvents(wide, 'short');
		const started = performance.now();
		rlm.finish(wide);
		const frame = await h!.waitForFrame((f) => flat(f).includes('not shown here'), 60_000);
		process.stderr.write(`[9 MB answer] finish -> frame with the note: ${(performance.now() - started).toFixed(0)}ms\n`);
		expect(flat(frame)).toContain(`… this line goes on for ${(9_000_000 - SHOWN_CHARS).toLocaleString('en-US')} more characters, not shown here`);
	});
});

describe('shownPart', () => {
	it('keeps a short text whole and cuts a long one at a line end', () => {
		expect(shownPart('a\nb', 5, 100)).toEqual({head: 'a\nb', restLines: 0, restChars: 0, midLine: false});
		expect(shownPart('a\nb\nc\nd', 2, 100)).toEqual({head: 'a\nb', restLines: 2, restChars: 3, midLine: false});
		// Bounded by characters: cut after the last whole line when that keeps most of it.
		expect(shownPart('aaaa\nbbbb\ncccc', 100, 12)).toEqual({head: 'aaaa\nbbbb', restLines: 1, restChars: 4, midLine: false});
		// One long line is cut inside it.
		expect(shownPart('x\nyyyyyyyyyyyyyyyyyyyy', 100, 10)).toEqual({head: 'x\nyyyyyyyy', restLines: 1, restChars: 12, midLine: true});
	});
});

describe('firstLine and lastLine (line by line, never a split of the whole text)', () => {
	it('find the first and last non-empty lines', () => {
		for (const [text, first, last] of [
			['', '', ''],
			['\n', '', ''],
			['\n\n  \n', '', ''],
			['a', 'a', 'a'],
			['\n a \nb\n\n', ' a', 'b'],
			['x\ny\nz', 'x', 'z'],
		] as const) {
			expect(firstLine(text)).toBe(first);
			expect(lastLine(text)).toBe(last);
		}
	});
});
