// A turn brought back (--resume, --replay) says in the chat what the live session said: a
// cancelled run whose code had printed keeps that output as its best answer so far, with its
// status line; and its tree keeps the notice of where its sub-calls went. The real engine and
// sandbox against the fake server (real SDK over HTTP); the app through ink-testing-library.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {readTrajectoryLog} from '../../source/trajectory/read-log.js';
import {InertEngine} from '../../source/ui/replay-tui.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {KEYS, renderApp, type Harness} from './harness.js';

const SLOW = 90_000;
let dir: string;
let settings: SettingsStore;
let server: FakeLlmServer | undefined;
const harnesses: Harness[] = [];
const engines: Rlm[] = [];

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-resume-as-live-'));
	settings = openSettings({cwd: path.join(dir, 'config')});
});

afterEach(async () => {
	for (const h of harnesses.splice(0)) h.unmount();
	for (const rlm of engines.splice(0)) await rlm.dispose();
	await server?.close();
	server = undefined;
	fs.rmSync(dir, {recursive: true, force: true});
});

const flat = (text: string) => text.replace(/[\s│]+/g, ' ');
/** The chat pane's text alone, its lines joined (the tree pane beside it cut off). */
const chatText = (frame: string) => {
	const width = frame.split('\n')[0]!.indexOf('╮') + 1;
	return flat(frame.split('\n').map((line) => line.slice(0, width)).join('\n'));
};
/** The tree pane's text alone. */
const treeText = (frame: string) => {
	const width = frame.split('\n')[0]!.indexOf('╮') + 1;
	return flat(frame.split('\n').map((line) => line.slice(width)).join('\n'));
};
/** What the chat says of the question, from it to what comes after (durations as T: a replay
 * measures them from the log's timestamps). */
const turnText = (chat: string, end: string) => {
	const from = chat.indexOf('› what is in the box?');
	return chat.slice(from, chat.indexOf(end, from)).replace(/\b\d+(\.\d+)?(ms|s)\b/g, 'T').trim();
};

it('a run cancelled after its code printed: its best answer so far and its status line come back, and its sub-calls notice', async () => {
	const logDir = path.join(dir, 'logs');
	server = await startFakeLlmServer({models: ['fake-model'], responder: scripted({root: ({turn}) => (turn === 0 ? repl('x = llm_query("hi")\nprint("found 42")') : {hang: true})})});
	const options = {model: 'fake-model', backend: 'openai' as const, baseURL: server.openaiBaseURL, apiKey: 'k', logDir, origin: 'tui' as const, subBaseURL: server.openaiBaseURL};
	const config = resolveConfig({backend: 'openai', backendUrl: server.openaiBaseURL, model: 'fake-model'}, {}, settings.get());
	const live = new Rlm(options);
	engines.push(live);
	const h = renderApp({rlm: live, config, settings, cwd: dir, env: {}, columns: 160, rows: 40});
	harnesses.push(h);
	h.write('what is in the box?\r');
	await h.waitForFrame((f) => f.includes('iteration 2/30'), SLOW);
	h.write(KEYS.esc);
	const liveFrame = await h.waitForFrame((f) => f.includes('best answer so far'), SLOW);
	const liveTurn = turnText(chatText(liveFrame), '──');
	expect(liveTurn).toMatch(/Cancelled in iteration 2\/30\. found 42 best answer so far: the run was cancelled · 2 iterations · T/);
	expect(treeText(liveFrame)).toContain('Sub-calls: fake-model on openai');
	h.unmount();

	const again = new Rlm(options);
	engines.push(again);
	const resumed = renderApp({rlm: again, config, settings, cwd: dir, env: {}, columns: 160, rows: 40, resume: true});
	harnesses.push(resumed);
	const resumedFrame = await resumed.waitForFrame((f) => f.includes('Resumed 1 turn(s)'), SLOW);
	expect(turnText(chatText(resumedFrame), '· Resumed')).toBe(liveTurn);
	// The status line tells the last question's time, as it did live.
	expect(liveFrame.trimEnd().split('\n').at(-1)).toMatch(/│ iter 2\/30 │ \d+:\d\d │/);
	expect(resumedFrame.trimEnd().split('\n').at(-1)).toMatch(/│ iter 2\/30 │ \d+:\d\d │/);
	expect(treeText(resumedFrame)).toContain('Sub-calls: fake-model on openai');

	const replay = renderApp({rlm: new InertEngine({model: 'fake-model', backend: 'openai'}), config, settings, cwd: dir, env: {}, columns: 160, rows: 40, skipStartup: true, replay: {title: 'the log', events: logToEvents(readTrajectoryLog(live.logFiles[0]!))}});
	harnesses.push(replay);
	expect(turnText(chatText(replay.lastFrame()), '──')).toBe(liveTurn);
}, SLOW);
