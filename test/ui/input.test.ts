// The input path as terminals really deliver it: the key decoder (split reads, pastes, mouse and
// focus reports, modified keys), the line editor (multi-line, grapheme clusters, readline keys,
// paste placeholders) and the reducer's Ctrl+C / Esc / Ctrl+D scheme.
import {EventEmitter} from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {appendHistory, loadHistory, looksSecret} from '../../source/ui/input-history.js';
import {appReducer, EXIT_WINDOW_MS, ESC_AFTER_CLOSE_MS, initialAppState, type AppState} from '../../source/ui/state/app-state.js';
import {ESC_WAIT_MS, KeyDecoder, LATE_TAIL_MS, PASTE_CONTINUE_MS, PASTE_QUIET_MS, type InputEvent} from '../../source/ui/state/key-decoder.js';
import {KEYMAP, keyName} from '../../source/ui/state/keys.js';
import {COMMANDS} from '../../source/ui/commands/index.js';
import {HELP_LINES, helpLines} from '../../source/ui/help-lines.js';
import {displayWidth} from '../../source/ui/format.js';
import {layoutInput, pasteLabel} from '../../source/ui/state/input-layout.js';
import {clearInput, editInput, emptyInput, insertPaste, insertText, inputText, submitInput, type LineInputState} from '../../source/ui/state/line-input.js';
import {FrameDiff, keepScrollback, Screen} from '../../source/ui/terminal.js';
import {colorless, setColors, themeFor} from '../../source/ui/theme.js';
import {safeText} from '../../source/text/safe-text.js';

/** Feeds reads at the given times, expiring waits as the clock passes; returns key names etc. */
function decode(reads: Array<[number, string]>, end = 10_000): InputEvent[] {
	const decoder = new KeyDecoder();
	const out: InputEvent[] = [];
	let now = 0;
	const advance = (to: number) => {
		for (;;) {
			const wait = decoder.waitMs(now);
			if (wait === undefined || now + wait > to) break;
			now += wait;
			out.push(...decoder.expire(now));
		}
		now = to;
	};
	for (const [at, data] of reads) {
		advance(at);
		out.push(...decoder.push(data, now));
	}
	advance(end);
	return out;
}

const names = (events: InputEvent[]) =>
	events.map((event) => (event.type === 'key' ? (event.press.key.paste ? `paste:${event.press.input}` : keyName(event.press)) : event.type === 'mouse' ? `mouse:${event.button}@${event.x},${event.y}` : `focus:${event.focused}`));

describe('key decoder', () => {
	it('decodes keys, modifiers and Alt in the encodings terminals use', () => {
		expect(names(decode([[0, 'ab\x1b[A\x1b[1;5C\x1b[1;3D\x1b[3~\x7f\x1b\x7f\x1bb\x1b\r\x1b[13;2u\x1b[27;2;13~\x1b[99;5u\x1bOA\x1b[Z\t\n\x04']]))).toEqual([
			'ab',
			'up',
			'ctrl+right',
			'alt+left',
			'delete',
			'backspace',
			'alt+backspace',
			'alt+b',
			'alt+return',
			'shift+return',
			'shift+return',
			'ctrl+c',
			'up',
			'shift+tab',
			'tab',
			'ctrl+j',
			'ctrl+d',
		]);
	});

	it('waits for the rest of an escape sequence split across reads, and never types it', () => {
		// ESC, then "[A" 30 ms later: one Up arrow, no Esc.
		expect(names(decode([[0, '\x1b'], [30, '[A']]))).toEqual(['up']);
		// Split inside the parameters.
		expect(names(decode([[0, '\x1b[1;'], [20, '5D']]))).toEqual(['ctrl+left']);
		// A lone ESC that nothing follows is the Esc key, after the wait.
		expect(names(decode([[0, '\x1b']]))).toEqual(['escape']);
		// A tail that comes after the wait is still the key, not "[A" typed.
		expect(names(decode([[0, '\x1b'], [ESC_WAIT_MS + 200, '[A']]))).toEqual(['escape', 'up']);
		expect(names(decode([[0, '\x1b'], [ESC_WAIT_MS + LATE_TAIL_MS + 500, '[A']]))).toEqual(['escape', '[A']);
		// An incomplete sequence that never finishes is dropped.
		expect(names(decode([[0, 'x\x1b[1;5']]))).toEqual(['x']);
	});

	it('drops focus reports and terminal answers, reports the mouse', () => {
		expect(names(decode([[0, '\x1b[Ia\x1b[O\x1b]11;rgb:0000/0000/0000\x07b\x1b[?1u\x1b[<64;10;5M\x1b[<65;3;4M\x1b[M`!!']]))).toEqual([
			'focus:true',
			'a',
			'focus:false',
			'b',
			'mouse:wheel-up@10,5',
			'mouse:wheel-down@3,4',
			'mouse:wheel-up@1,1',
		]);
	});

	it('takes a bracketed paste whole and verbatim across reads, escape bytes and line breaks included', () => {
		const text = 'line 1\r\n\tindented \x1b[31mred\x1b[0m\rlast\n';
		const events = decode([[0, `x\x1b[200~${text.slice(0, 10)}`], [5, text.slice(10)], [9, '\x1b[20'], [12, '1~y']]);
		expect(names(events)).toEqual(['x', `paste:${text}`, 'y']);
	});

	it('takes an end marker inside a paste (tmux paste-buffer -p passes one through) as text when the read ends the paste after it', () => {
		const text = 'safe\x1b[201~\rsent at once?\rA\x1b[200~B\x1b[201~C';
		expect(names(decode([[0, `\x1b[200~${text}\x1b[201~y`]]))).toEqual([`paste:${text}`, 'y']);
		// Two real pastes in one read merge into one paste (harmless; nothing is sent or run).
		expect(names(decode([[0, '\x1b[200~one\x1b[201~\x1b[200~two\x1b[201~']]))).toEqual(['paste:one\x1b[201~\x1b[200~two']);
		// Split over reads, the app cannot tell: the paste ends at the first marker (a terminal filters it).
		expect(names(decode([[0, '\x1b[200~safe\x1b[201~'], [5, 'more\x1b[201~']]))).toEqual(['paste:safe', 'more']);
	});

	it('keeps a pasted end marker that the paste balances with a fresh start marker inside the paste: nothing typed, no Enter', () => {
		// What tmux paste-buffer -p sends for each clipboard: its own markers around the text, unfiltered.
		for (const clip of ['\x1b[201~/set depth 7\r\x1b[200~ rest', 'harmless text\x1b[201~/set depth 7\r\x1b[200~ more', 'L1\rL2\rL3\rL4\x1b[201~\r\x1b[200~L5']) {
			const events = decode([[0, `\x1b[200~${clip}\x1b[201~`]]);
			expect(names(events)).toEqual([`paste:${clip}`]);
			expect(events.some((event) => event.type === 'key' && event.press.key.return)).toBe(false);
		}
		// Keys after the read's last end marker are typed.
		expect(names(decode([[0, '\x1b[200~a\x1b[201~\r\x1b[200~b\x1b[201~c\r']]))).toEqual(['paste:a\x1b[201~\r\x1b[200~b', 'c', 'return']);
	});

	it('takes a multi-line burst without brackets as one paste: its line breaks never submit', () => {
		const lines = Array.from({length: 5000}, (_, i) => `line ${i}`);
		const whole = `${lines.join('\r')}\r`;
		// Reads of 4 KiB, the last ending exactly in a line break, as a pty delivers them.
		const reads: Array<[number, string]> = [];
		for (let at = 0, i = 0; at < whole.length; at += 4096, i++) reads.push([i, whole.slice(at, at + 4096)]);
		const events = decode(reads);
		expect(events).toHaveLength(1);
		expect(names(events)[0]).toBe(`paste:${whole}`);
		// Typing then Enter in one read is still typing and Enter.
		expect(names(decode([[0, 'hello\r']]))).toEqual(['hello', 'return']);
		// A paste ends when the terminal goes quiet; the next Enter is Enter.
		expect(names(decode([[0, 'a\rb'], [PASTE_QUIET_MS + 50, '\r']]))).toEqual(['paste:a\rb', 'return']);
		// A gap in a long paste (a loaded machine): a read of one line and its line break soon after is
		// more of the paste, never an Enter that sends half of it.
		expect(names(decode([[0, 'a\rb'], [PASTE_QUIET_MS + 100, 'c\r']]))).toEqual(['paste:a\rb', 'paste:c\r']);
		expect(names(decode([[0, 'a\rb'], [PASTE_QUIET_MS + PASTE_CONTINUE_MS + 500, 'c\r']]))).toEqual(['paste:a\rb', 'c', 'return']);
	});
});

const W = 40;
const type = (state: LineInputState, text: string) => insertText(state, text);

describe('line editor', () => {
	it('moves by grapheme clusters: an emoji, a flag, an accented letter are one step', () => {
		let state = type(emptyInput(), 'a👩‍👩‍👧🇩🇪é\u0301b');
		expect(state.cursor).toBe(state.value.length);
		const steps: number[] = [];
		while (state.cursor > 0) {
			state = editInput(state, 'left', W);
			steps.push(state.cursor);
		}
		expect(steps).toHaveLength(5);
		state = editInput(state, 'right', W);
		state = editInput(state, 'right', W);
		state = editInput(state, 'backspace', W);
		expect(state.value).toBe('a🇩🇪é\u0301b');
		state = editInput(state, 'delete', W);
		expect(state.value).toBe('aé\u0301b');
	});

	it('follows readline: words, line ends, kills and yank, Delete forwards', () => {
		let state = type(emptyInput(), 'alpha beta-gamma  delta');
		state = editInput(state, 'word-left', W);
		expect(state.value.slice(state.cursor)).toBe('delta');
		state = editInput(state, 'word-left', W);
		expect(state.value.slice(state.cursor)).toBe('gamma  delta');
		state = editInput(state, 'kill-word-back', W);
		expect(state.value).toBe('alpha gamma  delta');
		state = editInput(state, 'kill-space-word-back', W);
		expect(state.value).toBe('gamma  delta');
		state = editInput(state, 'word-right', W);
		expect(state.value.slice(0, state.cursor)).toBe('gamma');
		state = editInput(state, 'kill-word-forward', W);
		expect(state.value).toBe('gamma');
		state = editInput(state, 'line-start', W);
		state = editInput(state, 'kill-to-end', W);
		expect(state.value).toBe('');
		state = editInput(state, 'yank', W);
		expect(state.value).toBe('gamma');
		state = editInput(state, 'line-start', W);
		state = editInput(state, 'delete', W);
		expect(state.value).toBe('amma');
		state = editInput(state, 'line-end', W);
		state = editInput(state, 'kill-to-start', W);
		expect(state.value).toBe('');
	});

	it('joins consecutive kills into one for Ctrl+Y (forward ones after, backward ones before); any other edit starts a new one', () => {
		let state = type(emptyInput(), 'alpha beta gamma');
		state = editInput(state, 'line-start', W);
		state = editInput(state, 'kill-word-forward', W);
		state = editInput(state, 'kill-word-forward', W);
		expect(state.value).toBe(' gamma');
		state = editInput(state, 'yank', W);
		expect(state.value).toBe('alpha beta gamma');
		state = editInput(state, 'line-end', W);
		state = editInput(state, 'kill-word-back', W);
		state = editInput(state, 'kill-word-back', W);
		expect(state.value).toBe('alpha ');
		state = editInput(state, 'yank', W);
		expect(state.value).toBe('alpha beta gamma');
		state = editInput(state, 'kill-word-back', W);
		state = editInput(state, 'left', W);
		state = editInput(state, 'kill-word-back', W);
		expect(state.value).toBe('alpha  ');
		state = editInput(state, 'yank', W);
		expect(state.value).toBe('alpha beta ');
	});

	it('holds several lines: new lines, Up and Down by rows, then history; long lines wrap', () => {
		let state = type(emptyInput(['earlier']), 'first');
		state = editInput(state, 'newline', W);
		state = type(state, 'second line');
		expect(inputText(state)).toBe('first\nsecond line');
		state = editInput(state, 'up', W);
		expect(state.value.slice(0, state.cursor)).toBe('first');
		state = editInput(state, 'up', W);
		expect(inputText(state)).toBe('earlier');
		state = editInput(state, 'down', W);
		expect(inputText(state)).toBe('first\nsecond line');
		// A long line wraps at the width: rows, not a sideways scroll.
		const long = type(emptyInput(), 'x'.repeat(95));
		const layout = layoutInput(long.value, long.cursor, long.pastes, W);
		expect(layout.rows.map((row) => row.cells.length)).toEqual([40, 40, 15]);
		expect(layout.cursorRow).toBe(2);
		const up = editInput(long, 'up', W);
		expect(up.cursor).toBe(55);
	});

	it('counts a pasted text\'s lines as an editor does: a final line break starts no line', () => {
		const lines = Array.from({length: 50}, (_, i) => `line ${i}`);
		expect(pasteLabel(`${lines.join('\n')}\n`)).toBe('[pasted 50 lines]');
		expect(pasteLabel(`${lines.join('\r\n')}\r\n`)).toBe('[pasted 50 lines]');
		expect(pasteLabel(lines.join('\n'))).toBe('[pasted 50 lines]');
		expect(pasteLabel(`${lines.join('\n')}\n\n`)).toBe('[pasted 51 lines]');
	});

	it('shows a large paste as one placeholder, sends it whole, and keeps small pastes as text', () => {
		const big = Array.from({length: 120}, (_, i) => `row ${i}\tvalue`).join('\n');
		let state = type(emptyInput(), 'see: ');
		state = insertPaste(state, big);
		state = type(state, ' thanks');
		const layout = layoutInput(state.value, state.cursor, state.pastes, 200);
		expect(layout.rows).toHaveLength(1);
		expect(layout.rows[0]!.cells.map((cell) => cell.shown).join('')).toBe('see: [pasted 120 lines] thanks');
		// The placeholder is one step for the cursor and one Backspace.
		let edited = state;
		for (let i = 0; i < ' thanks'.length; i++) edited = editInput(edited, 'left', W);
		edited = editInput(edited, 'backspace', W);
		expect(inputText(edited)).toBe('see:  thanks');
		const sent = submitInput(state);
		expect(sent.submitted).toBe(`see: ${big} thanks`);
		expect(sent.state.value).toBe('');
		// A long paste that arrived in pieces is still one placeholder.
		const pieces = insertPaste(insertPaste(emptyInput(), big), '\nmore');
		expect(pieces.pastes.size).toBe(1);
		expect(inputText(pieces)).toBe(`${big}\nmore`);
		const small = insertPaste(emptyInput(), 'a\r\nb\tc');
		expect(small.value).toBe('a\nb\tc');
		// Typed format characters are kept (a bidi mark typed on a Hebrew keyboard); drawn as nothing.
		const typed = type(emptyInput(), 'ab\u200bcd\u2060e\u202ef');
		expect(typed.value).toBe('ab\u200bcd\u2060e\u202ef');
		expect(layoutInput(typed.value, typed.cursor, typed.pastes, W).rows[0]!.cells.map((cell) => cell.shown).join('')).toBe('abcdef');
		// A paste keeps every character: escape bytes, C1 controls, bidi overrides, tabs.
		const raw = 'a\x1b[31mred\x1b[0m \u202Eevil\u202C tab\t end\x9b\x07';
		expect(inputText(insertPaste(emptyInput(), raw))).toBe(raw);
		// A character of the placeholder range (a Nerd Font icon) enters as a paste of its own, kept whole.
		const icon = insertPaste(insertText(emptyInput(), 'x '), '\u{f0001} icon');
		expect(inputText(icon)).toBe('x \u{f0001} icon');
		expect(inputText(insertText(icon, ' \u{f0000}'))).toBe('x \u{f0001} icon \u{f0000}');
		// A typed control character is a key, never text.
		expect(type(emptyInput(), 'a\x07b\x9bc').value).toBe('abc');
	});

	it('clears into the history so Up brings a cleared draft back', () => {
		let state = type(emptyInput(['old']), 'a draft I want back');
		state = clearInput(state);
		expect(state.value).toBe('');
		state = editInput(state, 'up', W);
		expect(inputText(state)).toBe('a draft I want back');
	});
});

const base = () => initialAppState({size: {columns: 120, rows: 36}, config: {backend: 'demo', model: 'demo', maxIterations: 30}});
const press = (state: AppState, input: string, key: Record<string, boolean> = {}, now = 0) => appReducer(state, {type: 'key', press: {input, key}, now});
const exits = (state: AppState) => state.effects.filter((effect) => effect.kind === 'exit').length;
const cancels = (state: AppState) => state.effects.filter((effect) => effect.kind === 'cancel').length;
const ctrlC = (state: AppState, now: number) => press(state, 'c', {ctrl: true}, now);

function running(): AppState {
	let state = press(base(), 'question');
	state = press(state, '', {return: true}, 0);
	expect(state.running).not.toBeNull();
	return state;
}

describe('Ctrl+C, Esc and Ctrl+D', () => {
	it('two Ctrl+C during a run: cancel, then quit', () => {
		let state = ctrlC(running(), 1000);
		expect(cancels(state)).toBe(1);
		expect(exits(state)).toBe(0);
		state = ctrlC(state, 1500);
		expect(exits(state)).toBe(1);
	});

	it('"Ctrl+C again" expires: a press after the window only arms again', () => {
		let state = ctrlC(base(), 0);
		expect(state.exitArmed).not.toBeNull();
		state = appReducer(state, {type: 'tick', now: EXIT_WINDOW_MS + 1});
		expect(state.exitArmed).toBeNull();
		state = ctrlC(state, EXIT_WINDOW_MS + 10);
		expect(exits(state)).toBe(0);
		state = ctrlC(state, EXIT_WINDOW_MS + 20);
		expect(exits(state)).toBe(1);
		// Even without the tick, a stale arm never quits.
		let stale = ctrlC(base(), 0);
		stale = ctrlC(stale, EXIT_WINDOW_MS + 500);
		expect(exits(stale)).toBe(0);
	});

	it('a first Ctrl+C clears a typed draft into the history (Up brings it back)', () => {
		let state = press(base(), 'half a question');
		state = ctrlC(state, 0);
		expect(inputText(state.input)).toBe('');
		expect(state.exitArmed).toBeNull();
		state = press(state, '', {upArrow: true});
		expect(inputText(state.input)).toBe('half a question');
	});

	it('the Esc that closes a view never cancels the running answer, even pressed twice', () => {
		let state = running();
		state = appReducer(state, {type: 'events', events: [{type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'demo', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 3, t: 1}]});
		state = press(state, '', {tab: true});
		state = press(state, '', {return: true});
		expect(state.dialog?.type).toBe('detail');
		state = press(state, '', {escape: true}, 1000);
		expect(state.dialog).toBeNull();
		state = press(state, '', {escape: true}, 1000 + ESC_AFTER_CLOSE_MS - 100);
		expect(cancels(state)).toBe(0);
		state = press(state, '', {escape: true}, 1000 + ESC_AFTER_CLOSE_MS + 500);
		expect(cancels(state)).toBe(1);
	});

	it('Ctrl+D deletes forwards, and quits on an empty input', () => {
		let state = press(base(), 'ab');
		state = press(state, '', {leftArrow: true});
		state = press(state, 'd', {ctrl: true});
		expect(inputText(state.input)).toBe('a');
		expect(exits(state)).toBe(0);
		state = press(state, '', {backspace: true});
		state = press(state, 'd', {ctrl: true});
		expect(exits(state)).toBe(1);
	});
});

describe('one key table', () => {
	const models = (state: AppState) => appReducer(press(state, '/model', {}), {type: 'key', press: {input: '', key: {return: true}}, now: 0});

	it('a view takes every key but the global ones it lets through (Ctrl+C, Ctrl+Z)', () => {
		let state = press(press(base(), '/help'), '', {return: true});
		expect(state.dialog?.type).toBe('help');
		state = press(state, '', {tab: true});
		expect(state.dialog?.type).toBe('help');
		expect(state.focus).toBe('input');
		state = press(state, 'z', {ctrl: true});
		expect(state.effects.some((effect) => effect.kind === 'suspend')).toBe(true);
		state = ctrlC(state, 0);
		expect(state.dialog).toBeNull();
	});

	it('the mouse wheel moves the picker and scrolls the help, as their keys do', () => {
		let state = models(base());
		expect(state.dialog?.type).toBe('models');
		state = appReducer(state, {type: 'models-loaded', models: ['a', 'b', 'c'], backend: 'demo'});
		const wheel = (current: AppState, button: 'wheel-up' | 'wheel-down') =>
			appReducer(current, {type: 'input', events: [{type: 'mouse', button, release: false, motion: false, x: 5, y: 5}], now: 0});
		state = wheel(state, 'wheel-down');
		expect(state.dialog?.type === 'models' && state.dialog.cursor).toBe(1);
		state = wheel(state, 'wheel-up');
		expect(state.dialog?.type === 'models' && state.dialog.cursor).toBe(0);
		let help = press(press(base(), '/help'), '', {return: true});
		help = wheel(help, 'wheel-down');
		expect(help.dialog?.type === 'help' && help.dialog.scroll).toBe(3);
	});

	it('/help lists every key the tables document and every command', () => {
		for (const {table} of KEYMAP) for (const binding of table.filter((row) => row.help)) expect(HELP_LINES.some((line) => line.includes(binding.help!))).toBe(true);
		for (const command of COMMANDS) expect(HELP_LINES.some((line) => line.includes(command.usage) && line.includes(command.help))).toBe(true);
	});

	it('/help fits its width: at 80 columns and narrower every description is wrapped whole, not cut', () => {
		const words = (text: string) => text.replace(/\s+/g, ' ').trim();
		for (const width of [36, 76, 136]) {
			const lines = helpLines(width);
			for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
			const all = words(lines.join('\n'));
			for (const command of COMMANDS) expect(all).toContain(words(command.help));
			for (const {table} of KEYMAP) for (const binding of table.filter((row) => row.help)) expect(all).toContain(words(binding.help!));
		}
	});
});

describe('terminal output', () => {
	it('never erases the scrollback', () => {
		expect(keepScrollback('\x1b[2J\x1b[3J\x1b[H frame')).toBe('\x1b[2J\x1b[H frame');
	});

	it('writes only the lines of a frame that changed, at their rows', () => {
		const frames = new FrameDiff();
		frames.cleared();
		const erase = (n: number) => `${'\x1b[2K\x1b[1A'.repeat(n - 1)}\x1b[2K\x1b[G`;
		const first = frames.filter('top\n⠋ working 0:01\nstatus\n');
		expect(first).toBe('\x1b[1;1Htop\x1b[0m\x1b[K\x1b[2;1H⠋ working 0:01\x1b[0m\x1b[K\x1b[3;1Hstatus\x1b[0m\x1b[K\x1b[4;1H');
		// The next frame, as log-update writes it: erase 4 lines, then the whole frame.
		const second = frames.filter(`${erase(4)}top\n⠙ working 0:02\nstatus\n`);
		expect(second).toBe('\x1b[2;1H⠙ working 0:02\x1b[0m\x1b[K\x1b[4;1H');
		// Switches pass through; an unknown write makes the next frame whole again.
		expect(frames.filter('\x1b[?25l')).toBe('\x1b[?25l');
		expect(frames.filter('something else')).toBe('something else');
		expect(frames.filter(`${erase(4)}top\nx\n`)).toBe(`${erase(4)}top\nx\n`);
		// A clear (Ink shrinking) is kept, and known again afterwards.
		expect(frames.filter('\x1b[2J\x1b[Ha\nb\n')).toBe('\x1b[2J\x1b[Ha\nb\n');
		expect(frames.filter(`${erase(3)}a\nc\n`)).toBe('\x1b[2;1Hc\x1b[0m\x1b[K\x1b[3;1H');
	});

	it('after the terminal changes size, the next frame clears the whole screen and is drawn whole', () => {
		// What stays on screen is the terminal's business once it resizes: a narrower one may re-wrap
		// the old status bar, leaving its tail on the row below the frame, which no frame line covers.
		const written: string[] = [];
		const stdout = Object.assign(new EventEmitter(), {
			columns: 100,
			rows: 6,
			isTTY: true,
			writable: true,
			destroyed: false,
			write(chunk: string) {
				written.push(chunk);
				return true;
			},
		});
		const screen = new Screen({stdin: new EventEmitter() as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream, env: {}});
		screen.patchStreams();
		try {
			screen.enter();
			const erase = (n: number) => `${'\x1b[2K\x1b[1A'.repeat(n - 1)}\x1b[2K\x1b[G`;
			const status = (width: number) => `demo · demo${' '.repeat(width - 22)}? for keys`;
			stdout.write(`chat\n\n\n\n${status(100)}\n`);
			stdout.write(`${erase(6)}chat\n\n\n\n${status(100)}\n`);
			expect(written.at(-1)).toBe('\x1b[6;1H'); // nothing changed, nothing drawn
			stdout.columns = 60;
			stdout.emit('resize');
			// Ink on a narrower terminal: its clear (erase its lines from the cursor), then a frame still
			// laid out for the old width (the app learns the size a render later), then the new one.
			stdout.write(erase(6));
			stdout.write(`chat\n\n\n\n${status(100)}\n`);
			expect(written.at(-1)!.startsWith('\x1b[2J\x1b[H')).toBe(true);
			stdout.write(`${erase(6)}chat\n\n\n\n${status(60)}\n`);
			const redraw = written.at(-1)!;
			expect(redraw.startsWith('\x1b[2J\x1b[H')).toBe(true);
			expect(redraw).toContain('\x1b[1;1Hchat');
			expect(redraw).toContain(`\x1b[5;1H${status(60)}`);
			// Only once: the frame after that is a diff again.
			stdout.write(`${erase(6)}chat!\n\n\n\n${status(60)}\n`);
			expect(written.at(-1)).toBe('\x1b[1;1Hchat!\x1b[0m\x1b[K\x1b[6;1H');
			// A change of height alone is a resize too; an event with no change is not.
			stdout.emit('resize');
			stdout.write(`${erase(6)}chat\n\n\n\n${status(60)}\n`);
			expect(written.at(-1)!.startsWith('\x1b[2J')).toBe(false);
			stdout.rows = 8;
			stdout.emit('resize');
			stdout.write(`${erase(6)}chat\n\n\n\n\n\n${status(60)}\n`);
			expect(written.at(-1)!.startsWith('\x1b[2J\x1b[H')).toBe(true);
		} finally {
			screen.leave();
			screen.unpatchStreams();
		}
	});
});

describe('colours and invisible characters', () => {
	it('NO_COLOR takes colours out of themes and highlighted text, keeping bold and inverse', () => {
		setColors(false);
		try {
			const theme = themeFor('dark');
			expect([theme.accent, theme.error, theme.border, ...Object.values(theme.kinds)].every((color) => color === undefined)).toBe(true);
			expect(colorless('\x1b[1;31mbold red\x1b[39;22m \x1b[38;5;208mx\x1b[0m \x1b[7mcursor\x1b[27m')).toBe('\x1b[1mbold red\x1b[22m x\x1b[0m \x1b[7mcursor\x1b[27m');
		} finally {
			setColors(true);
		}
		// The default (dark) theme draws titles in the terminal's own foreground, not white.
		expect(themeFor('dark').kinds.reply).toBeUndefined();
		expect(themeFor('dark').text).toBeUndefined();
	});

	it('drops zero-width format characters from shown text (a terminal gives them no cell), keeps emoji joiners', () => {
		expect(safeText('ij\u2060kl a\u200bb \u202eevil\u202c \ufeffx')).toBe('ijkl ab evil x');
		expect(safeText('👩‍👩‍👧 زه‌ی')).toBe('👩‍👩‍👧 زه‌ی');
	});
});

describe('input history on disk', () => {
	it('keeps inputs across restarts but never one that looks like a secret', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-history-'));
		const file = path.join(dir, 'state', 'input-history.jsonl');
		try {
			expect(await appendHistory(file, 'what is in context?')).toBe(true);
			expect(await appendHistory(file, 'two\nlines')).toBe(true);
			expect(await appendHistory(file, '/backend openai http://user:hunter2@example.com/v1')).toBe(false);
			expect(await appendHistory(file, 'use key sk-proj-abcdefghijklmnopqrstuvwx please')).toBe(false);
			expect(await appendHistory(file, 'OPENAI_API_KEY=abcdef123456')).toBe(false);
			// URL credentials of any length, as the redaction step finds them: short userinfo, `?key=`, a bare token@host.
			expect(await appendHistory(file, '/backend openai http://u:pw@127.0.0.1:1/v1')).toBe(false);
			expect(await appendHistory(file, '/backend gemini https://host/v1?key=AIzaSyShortKey')).toBe(false);
			expect(await appendHistory(file, '/backend openai https://tok123@host/v1')).toBe(false);
			expect(await appendHistory(file, '/backend openai http://host/v1?api-version=2024')).toBe(true);
			expect(await loadHistory(file)).toEqual(['what is in context?', 'two\nlines', '/backend openai http://host/v1?api-version=2024']);
			expect(fs.readFileSync(file, 'utf8')).not.toContain('hunter2');
			expect(fs.readFileSync(file, 'utf8')).not.toMatch(/u:pw|AIzaSy|tok123/);
			expect(fs.statSync(file).mode & 0o777).toBe(0o600);
			expect(looksSecret('AKIAABCDEFGHIJKLMNOP')).toBe(true);
			expect(looksSecret('how do tokens work?')).toBe(false);
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});

	it('keeps a pasted input whole, escape bytes and bidi overrides written as JSON escapes', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-history-'));
		const file = path.join(dir, 'input-history.jsonl');
		const pasted = 'a\x1b[31mred\x1b[0m \u202Eevil\u202C \x9b2J\u2028end';
		try {
			expect(await appendHistory(file, pasted)).toBe(true);
			expect(await loadHistory(file)).toEqual([pasted]);
			expect(fs.readFileSync(file, 'utf8')).not.toMatch(/[\x1b\x9b\u202a-\u202e\u2028]/);
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});
});
