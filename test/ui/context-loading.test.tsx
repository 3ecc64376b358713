// /context while an earlier /context still reads (a pipe): /context alone says that read is under
// way, a later /context replaces it (the earlier read, ending last, is not used), and the size
// cap's error says how to raise the cap from the app: a restart with the flag (no /set key has it).
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, expect, it} from 'vitest';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {asRlm, renderApp, ScriptedRlm, waitFor, type Harness} from './harness.js';

let dir: string;
let settings: SettingsStore;
let rlm: ScriptedRlm;
let h: Harness;

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ui-context-loading-'));
	settings = openSettings({cwd: path.join(dir, 'config')});
	rlm = new ScriptedRlm();
});

afterEach(() => {
	h.unmount();
	fs.rmSync(dir, {recursive: true, force: true});
});

function start(contextLoad?: {maxBytes?: number; format?: 'json'}): void {
	h = renderApp({rlm: asRlm(rlm), config: resolveConfig({}, {}, settings.get()), settings, cwd: dir, columns: 160, rows: 36, skipStartup: true, ...(contextLoad ? {contextLoad} : {})});
}

/** The chat's history alone (not the tree beside it, not the input under it), its wrapped lines joined. */
const chatText = (frame: string) => {
	const width = frame.split('\n')[0]!.indexOf('╮') + 1;
	const lines = frame.split('\n').map((line) => line.slice(0, width));
	const inputRule = lines.findIndex((line) => line.startsWith('│─'));
	return lines
		.slice(0, inputRule < 0 ? undefined : inputRule)
		.join('\n')
		.replace(/[\s│]+/g, ' ');
};

function pipe(name: string): string {
	const fifo = path.join(dir, name);
	execFileSync('mkfifo', [fifo]);
	return fifo;
}

it('/context alone while a /context still reads says that read is under way, not that there is no context', async () => {
	start();
	const fifo = pipe('feed');
	h.write('/context feed\r');
	await h.waitForFrame((f) => chatText(f).includes('Reading the context (feed)… questions asked meanwhile wait for it'));
	h.write('/context\r');
	const frame = chatText(await h.waitForFrame((f) => chatText(f).includes('Still reading the context (feed); the next questions wait for it and get it.')));
	expect(frame).not.toContain('No context');
	fs.writeFileSync(fifo, 'piped text');
	await h.waitForFrame((f) => chatText(f).includes('Context: feed'));
	expect(rlm.contexts).toEqual(['piped text']);
	// Read: /context alone says what is loaded again.
	h.write('/context\r');
	await h.waitForFrame((f) => chatText(f).includes('Replace it with /context PATH…, clear it with /context off.'));
});

it('a /context given while an earlier one still reads replaces it: the earlier read, ending last, is not used', async () => {
	start();
	const fifo = pipe('feed');
	h.write('/context feed\r');
	await h.waitForFrame((f) => chatText(f).includes('Reading the context (feed)…'));
	h.write('/context off\r');
	await h.waitForFrame((f) => chatText(f).includes('Context cleared'));
	h.write('/context\r');
	await h.waitForFrame((f) => chatText(f).includes('No context: each question is its own context.'));
	fs.writeFileSync(fifo, 'late text');
	await h.waitForFrame((f) => chatText(f).includes('Context: the read of feed ended after a later /context: not used.'));
	expect(rlm.contexts).toEqual([null]);
	expect(h.lastFrame().split('\n').at(-1)).not.toContain('ctx');
});

it("the size cap's error says to restart with --max-context-bytes: no /set key changes it", async () => {
	start({maxBytes: 8});
	fs.mkdirSync(path.join(dir, 'data'));
	fs.writeFileSync(path.join(dir, 'data/a.txt'), 'more than eight bytes');
	h.write('/context data\r');
	const frame = chatText(await h.waitForFrame((f) => chatText(f).includes('more than the 8 B cap')));
	expect(frame).toContain('restart the app with --max-context-bytes 1M (no /set key changes it)');
	expect(frame).not.toContain('raise it with --max-context-bytes');
	expect(rlm.contexts).toEqual([]);
});

/** Writes into the pipe without blocking the test (a sync write waits for a reader forever). */
async function feed(fifo: string, text: string): Promise<void> {
	await fs.promises.writeFile(fifo, text);
}

/** A question asked and answered in full (its run in the tree, ended), as the engine tells it. */
async function askAndAnswer(question: string): Promise<void> {
	h.write(`${question}\r`);
	await waitFor(() => rlm.prompts.includes(question));
	rlm.emitEvent({type: 'run.start', runId: 'r1', depth: 0, model: 'm', backend: 'openai', question, context: {type: 'str', chars: question.length}, maxIterations: 30});
	rlm.emitEvent({type: 'iter.start', runId: 'r1', iteration: 1, maxIterations: 30});
	rlm.emitEvent({type: 'llm.start', runId: 'r1', iteration: 1, messages: 2, promptChars: 100});
	rlm.emitEvent({type: 'llm.done', runId: 'r1', iteration: 1, text: 'FINAL(42)', usage: {inputTokens: 1, outputTokens: 1}, ms: 1});
	rlm.emitEvent({type: 'run.done', runId: 'r1', answer: '42', status: 'answered', usage: {inputTokens: 1, outputTokens: 1}, ms: 9, iterations: 1});
	rlm.finish('42');
	await h.waitForFrame((f) => !f.includes('working'));
}

it("a question waiting for a /context still reading says so on its working line, not the last run's step", async () => {
	start();
	await askAndAnswer('first');
	const fifo = pipe('feed');
	h.write('/context feed\r');
	h.write('second\r');
	const frame = await h.waitForFrame((f) => f.includes('waiting for the context (feed)…'));
	expect(frame).not.toContain('reply done');
	expect(rlm.prompts).toEqual(['first']);
	void feed(fifo, 'piped text');
	await waitFor(() => rlm.prompts.length === 2);
	// Started, its run not begun yet: no longer waiting, and still not the last run's step.
	const started = await h.waitForFrame((f) => !f.includes('waiting for the context') && f.includes('working'));
	expect(started).not.toContain('reply done');
});

it('questions that waited for a /context whose read failed are not asked: they come back to the input, nothing lost', async () => {
	start({format: 'json'});
	const fifo = pipe('feed.json');
	h.write('/context feed.json\r');
	h.write('what is in it?\r');
	await h.waitForFrame((f) => f.includes('waiting for the context (feed.json)…'));
	h.write('and then?\r');
	await h.waitForFrame((f) => f.includes('and then?  (queued'));
	void feed(fifo, '{not json');
	const frame = await h.waitForFrame((f) => f.includes('› and then?') && !f.includes('working'));
	const chat = chatText(frame);
	expect(chat).toContain('is not valid JSON');
	expect(chat).toContain('Not asked: the context it waited for (feed.json) failed to load.');
	// Both back, in the order asked, in the one input; the engine started neither.
	const lines = frame.split('\n');
	const input = lines.slice(lines.findIndex((line) => line.startsWith('│─'))).join(' ');
	expect(input).toContain('what is in it?');
	expect(input).toContain('and then?');
	expect(rlm.prompts).toEqual([]);
	expect(rlm.taken).toEqual(['what is in it?', 'and then?']);
});

it('a question asked after a failed read settled runs (the failure holds only those that waited for it)', async () => {
	start({format: 'json'});
	const fifo = pipe('feed.json');
	h.write('/context feed.json\r');
	await h.waitForFrame((f) => chatText(f).includes('Reading the context (feed.json)…'));
	void feed(fifo, '{not json');
	await h.waitForFrame((f) => chatText(f).includes('is not valid JSON'));
	h.write('/help\r');
	h.write('\x1b');
	h.write('plain question\r');
	await waitFor(() => rlm.prompts.includes('plain question'));
	expect(chatText(h.lastFrame())).not.toContain('Not asked');
});

it("a read's outcome is the chat's last word on it, after a /context alone said it was still reading", async () => {
	start({format: 'json'});
	const fifo = pipe('feed.json');
	h.write('/context feed.json\r');
	await h.waitForFrame((f) => chatText(f).includes('Reading the context (feed.json)…'));
	h.write('/context\r');
	await h.waitForFrame((f) => chatText(f).includes('Still reading the context (feed.json);'));
	void feed(fifo, '{not json');
	const chat = chatText(await h.waitForFrame((f) => chatText(f).includes('is not valid JSON')));
	expect(chat.indexOf('is not valid JSON')).toBeGreaterThan(chat.indexOf('Still reading the context (feed.json);'));
	expect(chat).not.toContain('…:');
});
