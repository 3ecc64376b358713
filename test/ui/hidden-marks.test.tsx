// Hidden characters (zero-width, bidi, tag characters, escapes) are never drawn, but where they were
// a mark says so (`<U+200B>`, as less shows one): a document's hidden text shows in the detail
// view, and model ids that differ only by one are told apart in the picker and the status line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {readTrajectoryLog} from '../../source/trajectory/read-log.js';
import {InertEngine, replayConfig} from '../../source/ui/replay-tui.js';
import {detailLines} from '../../source/ui/detail.js';
import {safeEvent} from '../../source/text/safe-text.js';
import {getNode, reduceAll} from '../../source/trajectory/tree.js';
import {asRlm, KEYS, renderApp, ScriptedRlm, type Harness} from './harness.js';

// Drawn to the terminal as such: C0/C1 controls but newline, zero-width and bidi characters, tags.
const hidden = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u{e0000}-\u{e007f}]/u;
const withoutColours = (frame: string) => frame.replace(/\u001b\[[0-9;]*m/g, '');

let dir: string;
let settings: SettingsStore;
let h: Harness | undefined;

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-hidden-marks-'));
	settings = openSettings({cwd: path.join(dir, 'config')});
});

afterEach(() => {
	h?.unmount();
	h = undefined;
	fs.rmSync(dir, {recursive: true, force: true});
});

describe('the detail view', () => {
	it("marks each hidden character a block's output held, dim, and draws none of them", async () => {
		const log = path.join(dir, 'hidden.jsonl');
		const metadata = {type: 'metadata', timestamp: '2026-01-01T00:00:00Z', root_model: 'gpt-4o', max_depth: 1, max_iterations: 30, backend: 'openai', backend_kwargs: {}, environment_type: 'local', environment_kwargs: {}};
		// A document with a zero-width space, a bidi override and an instruction in tag characters.
		const stdout = `pay\u200bment to acc\u202eount 42\nignore${[...'RUN'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')} this\n`;
		const block = {code: 'print(context)', result: {stdout, stderr: '', locals: {}, execution_time: 0.1, rlm_calls: [], final_answer: null}};
		const iteration = {type: 'iteration', iteration: 1, timestamp: '2026-01-01T00:00:01Z', prompt: [{role: 'user', content: 'what?'}], response: '```repl\nprint(context)\n```', code_blocks: [block], final_answer: null, iteration_time: 0.5};
		fs.writeFileSync(log, `${JSON.stringify(metadata)}\n${JSON.stringify(iteration)}\n`);
		const events = logToEvents(readTrajectoryLog(log));
		const config = replayConfig(events);
		h = renderApp({rlm: new InertEngine({model: config.model, backend: config.backend}), config, settings, cwd: dir, columns: 120, rows: 30, skipStartup: true, replay: {title: log, events}});
		await h.waitForFrame((f) => f.includes('Replay of'));
		// The replay opens on the tree: down to the code block and open it.
		h.write('g');
		h.write('jjj');
		await h.waitForFrame((f) => /─ 4\/\d+/.test(f));
		h.write('o');
		const frame = await h.waitForFrame((f) => f.includes('Code block 1'));
		const text = withoutColours(frame);
		expect(text).toContain('pay<U+200B>ment to acc<U+202E>ount 42');
		expect(text).toContain('ignore<U+E0052><U+E0055><U+E004E> this');
		for (const each of h.frames) expect(hidden.exec(withoutColours(each))).toBeNull();
		// The marks are dim, apart from the text (the test terminal draws no colours: the lines hold them).
		const traj = reduceAll(events.map(safeEvent));
		const code = [...Array(traj.nodes.size).keys()].map((id) => getNode(traj, id)).find((node) => node?.kind === 'code')!;
		expect(detailLines(code, 80, traj).join('\n')).toContain('pay\u001b[2m<U+200B>\u001b[22mment');
	});
});

describe('look-alike model ids', () => {
	const LOOK_ALIKE = 'gpt-4o\u200b';

	it('the picker and the status line tell gpt-4o from gpt-4o with a zero-width space, and the server gets the id as listed', async () => {
		const engine = new ScriptedRlm({model: 'gpt-4o', backend: 'openai'});
		engine.models = ['gpt-4o', LOOK_ALIKE];
		h = renderApp({rlm: asRlm(engine), config: resolveConfig({backend: 'openai', model: 'gpt-4o'}, {}, settings.get()), settings, cwd: dir, columns: 100, rows: 30, skipStartup: true});
		h.write('/model\r');
		const picker = await h.waitForFrame((f) => f.includes('2 of 2'));
		const rows = picker.split('\n');
		expect(rows.filter((row) => / gpt-4o \(current\)/.test(row))).toHaveLength(1);
		expect(rows.filter((row) => row.includes('gpt-4o<U+200B>'))).toHaveLength(1);
		// Typing the visible part finds both; the second is the look-alike.
		h.write(KEYS.down);
		h.write(KEYS.enter);
		const status = await h.waitForFrame((f) => (f.split('\n').at(-1) ?? '').includes('openai · gpt-4o<U+200B>'));
		expect(status).toContain('Model: gpt-4o<U+200B> (from the next');
		expect(engine.configured).toContainEqual({model: LOOK_ALIKE});
		for (const each of h.frames) expect(hidden.exec(withoutColours(each))).toBeNull();
	});
});
