// Bytes from the terminal as they really arrive -> key presses, pastes and mouse reports. Pure: the
// caller feeds chunks (`push`) and calls `expire` when `waitMs` passed with nothing new.
//
// What real terminals do that a naive reader gets wrong:
// - An escape sequence can be split across reads (ssh, slow terminals, a loaded machine): ESC alone
//   at the end of a read waits ESC_WAIT_MS for the rest before it counts as the Esc key, and an
//   incomplete sequence is never typed as text.
// - Bracketed paste (ESC[200~ ... ESC[201~) may span many reads and holds anything, escape bytes
//   included: it is one paste, kept verbatim. Without bracketed paste, a read holding text, a line
//   break and more text is a paste, and so is every read that follows within PASTE_QUIET_MS: line
//   breaks in a paste never submit. Within one read, everything from a start marker to the read's
//   LAST end marker is one paste: inner markers are text, so a pasted ESC[201~ CR (tmux's
//   paste-buffer -p passes one through; terminals filter it out) cannot send or run anything, even
//   when the pasted text balances it with a fresh start marker. Two real pastes in one read merge
//   into one paste, which is harmless. A paste split across reads ends in the first later read that
//   holds an end marker: the app cannot tell a pasted one there from the real end.
// - Focus reports (ESC[I, ESC[O), mouse reports (SGR ESC[<b;x;yM, X10 ESC[M + 3 bytes), terminal
//   answers (OSC, DCS, APC strings) are not typing.
// - Modified keys come in several encodings: xterm's CSI 1;5C, modifyOtherKeys' CSI 27;2;13~, the
//   kitty protocol's CSI 13;2u, rxvt's CSI a / ESC O a, and Alt as an ESC prefix.
// Sources: xterm's ctlseqs ("PC-Style Function Keys", "Bracketed Paste Mode", "Mouse Tracking"),
// the kitty keyboard protocol (sw.kovidgoyal.net/kitty/keyboard-protocol).
import type {KeyPress, Keys} from './keys.js';
import {append} from '../format.js';

/** How long a lone ESC waits for the rest of a sequence before it is the Esc key. */
export const ESC_WAIT_MS = 100;
/** A paste without brackets ends when the terminal has been quiet this long. */
export const PASTE_QUIET_MS = 150;
/** After such a paste, a read with text and a line break this soon is more of it (a loaded machine
 * can leave gaps in a long paste); a lone Enter is still Enter. */
export const PASTE_CONTINUE_MS = 1000;
/** A bracketed paste whose end marker never comes is delivered after this long. */
export const PASTE_GIVE_UP_MS = 30_000;
/** After a lone ESC went out as Esc, a sequence tail arriving this soon is still that key. */
export const LATE_TAIL_MS = 1000;

export type MouseButton = 'left' | 'middle' | 'right' | 'wheel-up' | 'wheel-down' | 'wheel-left' | 'wheel-right' | 'none';

export type InputEvent =
	| {type: 'key'; press: KeyPress}
	| {type: 'mouse'; button: MouseButton; release: boolean; motion: boolean; x: number; y: number}
	| {type: 'focus'; focused: boolean};

const ESC = '\x1b';
const PASTE_END = '\x1b[201~';

const press = (input: string, key: Partial<Keys> = {}): InputEvent => ({type: 'key', press: {input, key}});

/** Keys named by the final byte of CSI / SS3 sequences (xterm, rxvt, linux console). */
const FINAL_KEYS: Record<string, Partial<Keys>> = {
	A: {upArrow: true},
	B: {downArrow: true},
	C: {rightArrow: true},
	D: {leftArrow: true},
	H: {home: true},
	F: {end: true},
	Z: {tab: true, shift: true},
	// rxvt: shifted arrows as lower case.
	a: {upArrow: true, shift: true},
	b: {downArrow: true, shift: true},
	c: {rightArrow: true, shift: true},
	d: {leftArrow: true, shift: true},
};

/** Keys named by the number of `CSI n ~` (VT220 style). */
const TILDE_KEYS: Record<number, Partial<Keys>> = {
	1: {home: true},
	2: {insert: true},
	3: {delete: true},
	4: {end: true},
	5: {pageUp: true},
	6: {pageDown: true},
	7: {home: true},
	8: {end: true},
};

/** Functional keys in the kitty protocol's `CSI code ; mods u` form (and modifyOtherKeys). */
const CODEPOINT_KEYS: Record<number, Partial<Keys>> = {
	9: {tab: true},
	13: {return: true},
	27: {escape: true},
	127: {backspace: true},
	8: {backspace: true},
	57414: {return: true}, // keypad Enter
};

/** xterm modifier parameter (1 + bit field) -> flags. */
function modifiers(param: number | undefined): Partial<Keys> {
	if (!param || param <= 1) return {};
	const bits = param - 1;
	const out: Partial<Keys> = {};
	if (bits & 1) out.shift = true;
	if (bits & 2) out.meta = true;
	if (bits & 4) out.ctrl = true;
	if (bits & 8) out.super = true;
	return out;
}

/** A press for a code point with modifiers (CSI u, modifyOtherKeys). */
function codepointPress(code: number, mods: Partial<Keys>): InputEvent | null {
	const named = CODEPOINT_KEYS[code];
	if (named) return press('', {...named, ...mods});
	if (code < 32 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code >= 57344) return null;
	const char = String.fromCodePoint(code);
	if (mods.ctrl) return press(char.toLowerCase(), mods);
	if (mods.meta) return press(char, mods);
	// Shift alone with a letter: the terminal names the base key; the text is the shifted one.
	return press(mods.shift ? char.toUpperCase() : char, {});
}

/** Parses one CSI sequence's body (between `ESC [` and the final byte, plus the final byte). */
function decodeCsi(params: string, final: string): InputEvent | null {
	if (params === '' && final === 'I') return {type: 'focus', focused: true};
	if (params === '' && final === 'O') return {type: 'focus', focused: false};
	// SGR mouse: ESC [ < b ; x ; y (M|m)
	if (params.startsWith('<') && (final === 'M' || final === 'm')) {
		const [b, x, y] = params.slice(1).split(';').map(Number);
		return mouseEvent(b ?? 0, x ?? 0, y ?? 0, final === 'm');
	}
	if (/[^0-9;:]/.test(params)) return null; // private replies (CSI ? ... u, CSI > ... c): not keys
	const fields = params.split(';');
	const numbers = fields.map((field) => Number.parseInt(field.split(':')[0] ?? '', 10));
	if (final === '~') {
		const code = numbers[0];
		if (code === 27 && numbers.length >= 3) return codepointPress(numbers[2]!, modifiers(numbers[1])); // modifyOtherKeys
		if (code === 200 || code === 201) return null; // stray paste markers
		const key = code === undefined ? undefined : TILDE_KEYS[code];
		return key ? press('', {...key, ...modifiers(numbers[1])}) : null;
	}
	if (final === 'u') return numbers[0] === undefined || Number.isNaN(numbers[0]) ? null : codepointPress(numbers[0], modifiers(numbers[1]));
	const key = FINAL_KEYS[final];
	if (!key) return null;
	// CSI 1;5C (xterm) or CSI 5C (some terminals): the last number is the modifier.
	const mod = numbers.length >= 2 ? numbers[1] : numbers[0] && numbers[0] > 1 ? numbers[0] : undefined;
	return press('', {...key, ...modifiers(mod)});
}

function decodeSs3(final: string, mod?: number): InputEvent | null {
	if (final === 'M') return press('', {return: true, ...modifiers(mod)}); // keypad Enter
	const ctrlArrows: Record<string, Partial<Keys>> = {a: {upArrow: true}, b: {downArrow: true}, c: {rightArrow: true}, d: {leftArrow: true}};
	if (ctrlArrows[final]) return press('', {...ctrlArrows[final], ctrl: true}); // rxvt Ctrl+arrows
	const key = FINAL_KEYS[final];
	if (key && final === final.toUpperCase()) return press('', {...key, ...modifiers(mod)});
	return null; // F1-F4 and keypad keys are not bound
}

function mouseEvent(code: number, x: number, y: number, release: boolean): InputEvent {
	const motion = (code & 32) !== 0;
	let button: MouseButton;
	if (code & 64) button = (['wheel-up', 'wheel-down', 'wheel-left', 'wheel-right'] as const)[code & 3]!;
	else button = (['left', 'middle', 'right', 'none'] as const)[code & 3]!;
	return {type: 'mouse', button, release, motion, x, y};
}

/** One control character (not ESC) as the key a terminal means by it. */
function controlPress(char: string, meta = false): InputEvent | null {
	const m = meta ? {meta: true} : {};
	switch (char) {
		case '\r':
			return press('', {return: true, ...m});
		case '\n':
			// Ctrl+J (line feed): a new line in the input, as in many chat prompts.
			return press('j', {ctrl: true, ...m});
		case '\t':
			return press('', {tab: true, ...m});
		case '\x7f':
		case '\b':
			return press('', {backspace: true, ...m});
		case '\x00':
			return null;
		default: {
			const code = char.charCodeAt(0);
			if (code >= 1 && code <= 26) return press(String.fromCharCode(code + 96), {ctrl: true, ...m});
			// Ctrl+\ (FS): in raw mode the terminal sends it instead of raising SIGQUIT.
			if (char === '\x1c') return press('\\', {ctrl: true, ...m});
			return null; // Ctrl+] ^ _ are not bound
		}
	}
}

/** Text that reads as a paste: printable text, a line break, then more. */
export const looksPasted = (text: string) => /[^\x00-\x1f\x7f]/.test(text) && /[\r\n][^\r\n]/.test(text.replace(/[\r\n]+$/, '')) && !text.includes(ESC);

type Parsed = {events: InputEvent[]; next: number; pasteStart?: boolean} | 'pending' | null;

export class KeyDecoder {
	/** An incomplete sequence (or partial paste end marker) carried to the next read. */
	#pending = '';
	/** Inside a bracketed paste: the text so far. */
	#bracketed: string | null = null;
	#bracketedSince = 0;
	/** A paste without brackets being gathered. */
	#loose: string | null = null;
	/** When the last paste without brackets ended. */
	#looseEnded = -Infinity;
	#lastData = 0;
	/** When a lone ESC last went out as Esc (for a late sequence tail). */
	#lastLoneEsc = -Infinity;

	/** Decodes one read. `now` is a monotonic time in ms. */
	push(chunk: string, now: number): InputEvent[] {
		const out: InputEvent[] = [];
		this.#lastData = now;
		let data = this.#pending + chunk;
		this.#pending = '';
		if (this.#loose !== null) {
			if (!data.includes(ESC)) {
				this.#loose += data;
				return out;
			}
			append(out, this.#endLoose());
		}
		const continues = now - this.#looseEnded <= PASTE_CONTINUE_MS && !data.includes(ESC) && /[^\r\n][\r\n]/.test(data);
		if (this.#bracketed === null && (looksPasted(data) || continues)) {
			this.#loose = data;
			return out;
		}
		// A sequence tail soon after a lone ESC went out: the rest of that key, not text.
		if (now - this.#lastLoneEsc <= LATE_TAIL_MS && /^(\[[0-9;:<>?]*[A-Za-z~]|O[A-Za-z])/.test(data)) {
			data = ESC + data;
		}
		this.#lastLoneEsc = -Infinity;
		this.#decode(data, now, out);
		return out;
	}

	/** How long to wait for more input before calling `expire`, or undefined when nothing waits. */
	waitMs(now: number): number | undefined {
		if (this.#loose !== null) return Math.max(0, this.#lastData + PASTE_QUIET_MS - now);
		if (this.#bracketed !== null) return Math.max(0, this.#bracketedSince + PASTE_GIVE_UP_MS - now);
		if (this.#pending) return Math.max(0, this.#lastData + ESC_WAIT_MS - now);
		return undefined;
	}

	/** Nothing more came in time: a lone ESC is Esc, a gathered paste is delivered. */
	expire(now: number): InputEvent[] {
		const wait = this.waitMs(now);
		if (wait === undefined || wait > 0) return [];
		if (this.#loose !== null) {
			this.#looseEnded = now;
			return this.#endLoose();
		}
		if (this.#bracketed !== null) {
			const text = this.#bracketed + this.#pending;
			this.#bracketed = null;
			this.#pending = '';
			return text ? [press(text, {paste: true})] : [];
		}
		const pending = this.#pending;
		this.#pending = '';
		if (pending === ESC) {
			this.#lastLoneEsc = now;
			return [press('', {escape: true})];
		}
		if (pending === ESC + ESC) {
			this.#lastLoneEsc = now;
			return [press('', {escape: true}), press('', {escape: true})];
		}
		// An incomplete sequence that never finished: dropped, never typed.
		return [];
	}

	#endLoose(): InputEvent[] {
		const text = this.#loose ?? '';
		this.#loose = null;
		return text ? [press(text, {paste: true})] : [];
	}

	#decode(data: string, now: number, out: InputEvent[]): void {
		let i = 0;
		while (i < data.length) {
			if (this.#bracketed !== null) {
				// The read's last end marker ends the paste; earlier markers are pasted text.
				const end = data.lastIndexOf(PASTE_END);
				if (end < i) {
					// Keep a possible partial end marker for the next read.
					let keep = 0;
					for (let n = Math.min(PASTE_END.length - 1, data.length - i); n > 0; n--) {
						if (PASTE_END.startsWith(data.slice(data.length - n))) {
							keep = n;
							break;
						}
					}
					this.#bracketed += data.slice(i, data.length - keep);
					this.#pending = data.slice(data.length - keep);
					return;
				}
				const text = this.#bracketed + data.slice(i, end);
				this.#bracketed = null;
				if (text) out.push(press(text, {paste: true}));
				i = end + PASTE_END.length;
				continue;
			}
			const char = data[i]!;
			if (char === ESC) {
				const parsed = this.#escape(data, i);
				if (parsed === 'pending') {
					this.#pending = data.slice(i);
					return;
				}
				if (parsed === null) {
					i++;
					continue;
				}
				append(out, parsed.events);
				i = parsed.next;
				if (parsed.pasteStart) {
					this.#bracketed = '';
					this.#bracketedSince = now;
				}
				continue;
			}
			const code = char.charCodeAt(0);
			if (code < 0x20 || code === 0x7f) {
				const event = controlPress(char);
				if (event) out.push(event);
				i++;
				continue;
			}
			// A run of printable text is one press.
			let end = i + 1;
			while (end < data.length) {
				const c = data.charCodeAt(end);
				if (c < 0x20 || c === 0x7f) break;
				end++;
			}
			out.push(press(data.slice(i, end)));
			i = end;
		}
	}

	/** Parses the sequence starting at data[i] === ESC. */
	#escape(data: string, i: number): Parsed {
		const next = data[i + 1];
		if (next === undefined) return 'pending';
		if (next === '[') return this.#csi(data, i);
		if (next === 'O') {
			// SS3, possibly with a modifier digit (ESC O 5 A in some terminals).
			let j = i + 2;
			let mod: number | undefined;
			if (j < data.length && data[j]! >= '0' && data[j]! <= '9') mod = Number(data[j++]);
			if (j >= data.length) return 'pending';
			const event = decodeSs3(data[j]!, mod);
			return {events: event ? [event] : [], next: j + 1};
		}
		if (next === ']' || next === 'P' || next === '_' || next === '^' || next === 'X') {
			// OSC / DCS / APC / PM / SOS: a terminal's answer, up to BEL or ESC \. Never typing.
			for (let j = i + 2; j < data.length; j++) {
				if (data[j] === '\x07') return {events: [], next: j + 1};
				if (data[j] === ESC) {
					if (j + 1 >= data.length) return 'pending';
					if (data[j + 1] === '\\') return {events: [], next: j + 2};
				}
			}
			return data.length - i > 4096 ? {events: [], next: data.length} : 'pending';
		}
		if (next === ESC) {
			// ESC ESC: Alt+arrow in some terminals (ESC ESC [ A), else two Esc presses.
			const third = data[i + 2];
			if (third === undefined) return 'pending';
			if (third === '[' || third === 'O') {
				const inner = third === '[' ? this.#csi(data, i + 1) : this.#escape(data, i + 1);
				if (inner === 'pending') return 'pending';
				if (inner) {
					const events = inner.events.map((event) => (event.type === 'key' ? {...event, press: {...event.press, key: {...event.press.key, meta: true}}} : event));
					return {events, next: inner.next};
				}
			}
			return {events: [press('', {escape: true})], next: i + 1};
		}
		// ESC + one character: Alt+key.
		const code = next.codePointAt(0)!;
		const width = code > 0xffff ? 2 : 1;
		if (code < 0x20 || code === 0x7f) {
			const event = controlPress(next, true);
			return {events: event ? [event] : [], next: i + 2};
		}
		return {events: [press(data.slice(i + 1, i + 1 + width), {meta: true})], next: i + 1 + width};
	}

	#csi(data: string, i: number): Parsed {
		let j = i + 2;
		// Linux console function keys: ESC [ [ A.
		if (data[j] === '[') {
			if (j + 1 >= data.length) return 'pending';
			return {events: [], next: j + 2};
		}
		// X10 mouse: ESC [ M b x y (three raw bytes).
		if (data[j] === 'M' && j === i + 2) {
			if (j + 3 >= data.length) return 'pending';
			const b = data.charCodeAt(j + 1) - 32;
			const x = data.charCodeAt(j + 2) - 32;
			const y = data.charCodeAt(j + 3) - 32;
			return {events: [mouseEvent(b, x, y, (b & 3) === 3 && !(b & 64))], next: j + 4};
		}
		const start = j;
		while (j < data.length) {
			const c = data.charCodeAt(j);
			if (c >= 0x30 && c <= 0x3f) j++;
			else break;
		}
		while (j < data.length) {
			const c = data.charCodeAt(j);
			if (c >= 0x20 && c <= 0x2f) j++;
			else break;
		}
		if (j >= data.length) return data.length - i > 64 ? {events: [], next: data.length} : 'pending';
		const c = data.charCodeAt(j);
		if (c < 0x40 || c > 0x7e) return {events: [], next: j}; // malformed: drop the sequence so far
		const params = data.slice(start, j);
		const final = data[j]!;
		if (params === '200' && final === '~') return {events: [], next: j + 1, pasteStart: true};
		const event = decodeCsi(params, final);
		return {events: event ? [event] : [], next: j + 1};
	}
}
