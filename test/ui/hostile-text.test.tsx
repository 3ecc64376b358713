// Strings from outside (a server's model ids and error messages, the -c file's name, a replayed
// log's root_model, the commands typed) never reach the terminal with their escape sequences: an
// OSC 52 in a model id would write the user's clipboard, an OSC 0 the window title. Every frame is
// checked whole; the id itself is still sent to the server exactly as the server listed it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {render} from 'ink-testing-library';
import stringWidth from 'string-width';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {readTrajectoryLog} from '../../source/trajectory/read-log.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {StatusLine, type StatusLineProps} from '../../source/ui/components/status-line.js';
import {Text} from '../../source/ui/components/text.js';
import {runLineMode} from '../../source/ui/line-mode.js';
import {InertEngine, replayConfig} from '../../source/ui/replay-tui.js';
import {themeFor} from '../../source/ui/theme.js';
import {pickerMatches} from '../../source/ui/state/app-state.js';
import {emptyInput} from '../../source/ui/state/line-input.js';
import type {ModelPickerDialog} from '../../source/ui/state/types.js';
import {asRlm, KEYS, renderApp, ScriptedRlm, waitFor, type Harness} from './harness.js';

const TITLE_ID = 'evil\x1b]0;PWNED\x07model';
const CLIPBOARD_ID = 'clip\x1b]52;c;UFdORUQtQ0xJUA==\x07board';
const BIDI_ID = 'gpt\u202e4o\u202c-rtl';
const C1_ID = 'c1\u009b2Jmodel';
const FILE_NAME = 'c\x1b]52;c;RklMRUNMSVA=\x07.txt';

// What must never be written: C0 controls but newline, DEL, C1 controls (ESC and BEL among them),
// bidi embeddings, overrides, isolates and marks. SGR colours of our own are allowed (and taken out first).
const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const withoutColours = (frame: string) => frame.replace(/\u001b\[[0-9;]*m/g, '');

function expectClean(frames: readonly string[]): void {
	expect(frames.length).toBeGreaterThan(0);
	for (const frame of frames) {
		const bad = unsafe.exec(withoutColours(frame));
		expect(bad, `U+${bad?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} in a frame:\n${JSON.stringify(frame)}`).toBeNull();
	}
}

let dir: string;
let settings: SettingsStore;
let h: Harness | undefined;

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-hostile-text-'));
	settings = openSettings({cwd: path.join(dir, 'config')});
});

afterEach(() => {
	h?.unmount();
	h = undefined;
	fs.rmSync(dir, {recursive: true, force: true});
});

const statusOf = (frame: string) => frame.split('\n').at(-1) ?? '';

describe('the model picker', () => {
	function openPicker(current: string, models: string[]): ScriptedRlm {
		const engine = new ScriptedRlm({model: current, backend: 'openai'});
		engine.models = models;
		h = renderApp({rlm: asRlm(engine), config: resolveConfig({backend: 'openai', model: current}, {}, settings.get()), settings, cwd: dir, columns: 100, rows: 30, skipStartup: true});
		h.write('/model\r');
		return engine;
	}

	it("shows hostile ids with a mark for each hidden character instead of it, in rows as wide as the frame, and sends the picked id as listed", async () => {
		const engine = openPicker(TITLE_ID, [TITLE_ID, CLIPBOARD_ID, BIDI_ID, C1_ID, 'plain']);
		const frame = await h!.waitForFrame((f) => f.includes('5 of 5'));
		expect(frame).toContain('now: evil<U+001B>]0;PWNED<U+0007>model');
		expect(frame).toContain('evil<U+001B>]0;PWNED<U+0007>model (current)');
		expect(frame).toContain('  clip<U+001B>]52;c;UFdORUQtQ0xJUA==<U+0007>board');
		expect(frame).toContain('  gpt<U+202E>4o<U+202C>-rtl');
		expect(frame).toContain('  c1<U+009B>2Jmodel');
		// Every row of the picker ends on its right border, in the last column.
		const rows = frame.split('\n').slice(0, -1);
		for (const row of rows) expect(stringWidth(row), row).toBe(100);
		for (const row of rows.slice(1, -1)) expect(row.endsWith('│'), row).toBe(true);
		expectClean(h!.frames);

		h!.write('board');
		await h!.waitForFrame((f) => f.includes('1 of 5'));
		h!.write(KEYS.enter);
		await h!.waitForFrame((f) => statusOf(f).includes('openai · clip<U+001B>]52;c;'));
		// The server gets the id it listed, and settings keep it so (only the display is cleaned).
		expect(engine.configured).toContainEqual({model: CLIPBOARD_ID});
		expect(JSON.stringify(settings.get())).toContain(JSON.stringify(CLIPBOARD_ID).slice(1, -1));
		expectClean(h!.frames);
	});

	it("shows a hostile error message from the server on one row, without its escapes", async () => {
		const engine = new ScriptedRlm({model: 'plain', backend: 'openai'});
		engine.listModels = () => Promise.reject(new Error('bad\x1b]52;c;RVJST1I=\x07 gateway\x1b[2J\nsecond line'));
		h = renderApp({rlm: asRlm(engine), config: resolveConfig({backend: 'openai', model: 'plain'}, {}, settings.get()), settings, cwd: dir, columns: 100, rows: 30, skipStartup: true});
		h.write('/model\r');
		const frame = await h.waitForFrame((f) => f.includes('could not list models'));
		const line = frame.split('\n').find((row) => row.includes('could not list models'))!;
		expect(line).toContain('could not list models: bad gateway (type a name');
		expect(stringWidth(line)).toBe(100);
		expectClean(h.frames);
	});
});

describe('the status line', () => {
	function statusLine(props: Partial<StatusLineProps>, width = 120): string {
		const all: StatusLineProps = {
			width,
			backend: 'openai',
			model: 'plain',
			iteration: 2,
			maxIterations: 30,
			cancelling: false,
			usage: {inputTokens: 0, outputTokens: 0},
			costUsd: undefined,
			hints: 'Enter send · Tab tree · /help',
			theme: themeFor('dark'),
			now: 0,
			...props,
		};
		const instance = render(<StatusLine {...all} />);
		Object.defineProperty(instance.stdout, 'columns', {value: width, configurable: true});
		instance.rerender(<StatusLine {...all} />);
		const frames = [...instance.frames];
		instance.unmount();
		expectClean(frames);
		return frames.at(-1)!;
	}

	it('shows the model, the next model and the context file without their escapes (the ids with marks), fitted to the width', () => {
		const line = statusLine({model: TITLE_ID, next: {backend: 'openai', model: BIDI_ID}, context: {label: FILE_NAME, files: 1, bytes: 10}}, 160);
		expect(line).toContain('openai · evil<U+001B>]0;PWNED<U+0007>model (next question: gpt<U+202E>4o<U+202C>-rtl)');
		expect(line).toContain('ctx c.txt · 10 B');
		expect(line).toContain('Enter send · Tab tree · /help');
		expect(stringWidth(line)).toBe(160);
	});

	it('in the app: the -c file name and a bidi model id', async () => {
		const engine = new ScriptedRlm({model: BIDI_ID, backend: 'openai'});
		h = renderApp({rlm: asRlm(engine), config: resolveConfig({backend: 'openai', model: BIDI_ID}, {}, settings.get()), settings, cwd: dir, columns: 120, rows: 30, skipStartup: true, contextBadge: {label: FILE_NAME, files: 1, bytes: 10}});
		const frame = await h.waitForFrame((f) => statusOf(f).includes('ctx c.txt'));
		expect(statusOf(frame)).toContain('openai · gpt<U+202E>4o<U+202C>-rtl');
		expectClean(h.frames);
	});
});

it("a replayed log's hostile root_model is shown without its escapes, its hidden characters marked", async () => {
	const log = path.join(dir, 'hostile.jsonl');
	const metadata = {type: 'metadata', timestamp: '2026-01-01T00:00:00Z', root_model: CLIPBOARD_ID, max_depth: 1, max_iterations: 30, backend: 'openai', backend_kwargs: {}, environment_type: 'local', environment_kwargs: {}};
	const iteration = {type: 'iteration', iteration: 1, timestamp: '2026-01-01T00:00:01Z', prompt: [{role: 'user', content: 'what?'}], response: 'FINAL(42)', code_blocks: [], final_answer: '42', iteration_time: 0.5};
	fs.writeFileSync(log, `${JSON.stringify(metadata)}\n${JSON.stringify(iteration)}\n`);
	const events = logToEvents(readTrajectoryLog(log));
	const config = replayConfig(events);
	expect(config.model).toBe(CLIPBOARD_ID);
	h = renderApp({rlm: new InertEngine({model: config.model, backend: config.backend}), config, settings, cwd: dir, columns: 120, rows: 30, skipStartup: true, replay: {title: log, events}});
	const frame = await h.waitForFrame((f) => f.includes('Replay of') && statusOf(f).includes('openai · clip<U+001B>]52;c;'));
	expect(frame).toContain('run · clip<U+001B>]52;c;');
	expectClean(h.frames);
});

it('the line mode writes model names, notices and unknown commands without their escapes', async () => {
	const engine = new ScriptedRlm({model: TITLE_ID, backend: 'openai'});
	const stdin = new PassThrough();
	const stdout = new PassThrough();
	let text = '';
	stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
	const exit = runLineMode({rlm: asRlm(engine), stdin, stdout, notices: [`settings name ${FILE_NAME}`]});
	stdin.write(`/zz\x1b]0;T\x07zz\n`);
	await waitFor(() => text.includes('does not work in line mode'));
	stdin.end();
	expect(await exit).toBe(0);
	expect(text).toContain('openai · evilmodel');
	expect(text).toContain('settings name c.txt');
	expect(text).toContain('/zzzz');
	expectClean([text]);
});

describe('the Text every component draws with', () => {
	const frameOf = (node: React.ReactElement) => {
		const instance = render(node);
		const frame = instance.lastFrame() ?? '';
		instance.unmount();
		return frame;
	};

	it('keeps our own SGR colours only when told the text holds them, and cleans the rest either way', () => {
		const styled = '\x1b[1mbold\x1b[22m \x1b]52;c;QQ==\x07plain \x1b[2Jend';
		expect(frameOf(<Text ansi>{styled}</Text>)).toBe('\x1b[1mbold\x1b[22m plain end');
		expect(frameOf(<Text>{styled}</Text>)).toBe('bold plain end');
	});

	it('keeps a truncated row on one row, nested texts and fragments included', () => {
		const frame = frameOf(
			<Text wrap="truncate">
				a{'\n'}b
				<Text>{'c\nd'}</Text>
				<>{'e\x1b]0;T\x07\nf'}</>
			</Text>,
		);
		expect(frame).toBe('a bc de f');
	});
});

describe('the model picker filter', () => {
	it('finds a hostile id by the text the picker shows (its marks too) or by its visible part, not by its escape sequence', () => {
		const dialog = (typed: string, models = [TITLE_ID, 'plain']): ModelPickerDialog => ({type: 'models', backend: 'openai', status: 'ready', models, filter: {...emptyInput(), value: typed, cursor: typed.length}, cursor: 0, current: 'plain'});
		expect(pickerMatches(dialog('evilmodel'))).toEqual([TITLE_ID]);
		expect(pickerMatches(dialog('PWNED'))).toEqual([TITLE_ID]);
		expect(pickerMatches(dialog('\x1b'))).toEqual([]);
		// Look-alikes: the visible part finds both, a mark only the one that hides a character.
		const lookAlikes = ['gpt-4o', 'gpt-4o\u200b'];
		expect(pickerMatches(dialog('gpt-4o', lookAlikes))).toEqual(lookAlikes);
		expect(pickerMatches(dialog('<u+', lookAlikes))).toEqual(['gpt-4o\u200b']);
	});
});
