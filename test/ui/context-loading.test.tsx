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
import {asRlm, renderApp, ScriptedRlm, type Harness} from './harness.js';

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

function start(contextLoad?: {maxBytes: number}): void {
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
	const frame = chatText(await h.waitForFrame((f) => chatText(f).includes('Reading the context (feed)…: the next questions wait for it and get it.')));
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
