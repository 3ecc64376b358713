// Code fences in streamed text, line by line, by the rule the reply reader shares
// (protocol/code-fence.ts). A line is read a piece at a time and only its info string's first
// characters are kept: re-reading a long line on every delta made a 600 KB single-line reply take 19 s.
// Inside a fence that names Python it also follows triple-quoted strings (""" and '''): a line
// inside one is a string's text, not Python.

import {closesFence, fenceLanguage, FenceLineReader, opensFence, PYTHON_LANGUAGES, type FenceLine} from '../protocol/code-fence.js';

/** What a finished line did: opened a fence, closed it, was a fence line inside one that does not
 * close it (`inner-block` with an info string, as a new block would open; `inner-fence` without:
 * another character or shorter), or none of these. */
export type LineEvent = 'none' | 'open' | 'close' | 'inner-block' | 'inner-fence';

/** An open fence; `bare` when its opening line had no info string (```` ``` ```` alone); `python`
 * when its info string names Python. */
export interface OpenFence {
	char: FenceLine['char'];
	length: number;
	bare: boolean;
	python: boolean;
}

/** Enough of an info string for its language. */
const INFO_CHARS = 48;

export class FenceLines {
	#fence: OpenFence | undefined;
	#line = new FenceLineReader(INFO_CHARS);
	/** Whether anything but whitespace came on the current line. */
	#visible = false;
	/** In a Python fence: the triple-quoted string the text is inside ('"' or "'"), and the run of
	 * quote characters that ended the text so far. */
	#string: '' | '"' | "'" = '';
	#quote = '';
	#quotes = 0;

	/** The fence the text is inside, if any. */
	get fence(): OpenFence | undefined {
		return this.#fence;
	}

	/** Whether the current line holds only whitespace so far. */
	get lineBlank(): boolean {
		return !this.#visible;
	}

	/** Whether the text is inside a triple-quoted string of a Python fence. */
	get inString(): boolean {
		return this.#string !== '';
	}

	/** A reader in the same place, for reading on another way without moving this one (at a line's start). */
	clone(): FenceLines {
		const copy = new FenceLines();
		copy.#fence = this.#fence;
		copy.#string = this.#string;
		return copy;
	}

	/** Text with any number of lines in it. */
	feed(text: string): void {
		let from = 0;
		for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', from)) {
			this.add(text.slice(from, newline));
			this.endLine();
			from = newline + 1;
		}
		this.add(text.slice(from));
	}

	/** More of the current line (no newline in it). */
	add(piece: string): void {
		if (!piece) return;
		this.#line.add(piece);
		this.#visible ||= /\S/.test(piece);
		if (this.#fence?.python) this.#followStrings(piece);
	}

	/** The current line is finished: what it did to the fences. */
	endLine(): LineEvent {
		const event = this.#classify();
		this.#line.reset();
		this.#visible = false;
		this.#quotes = 0;
		return event;
	}

	#classify(): LineEvent {
		const line = this.#line.line();
		// A backtick fence's info string holds no backticks (```x``` at a line's start is inline code).
		if (!opensFence(line)) return 'none';
		if (!this.#fence) {
			this.#fence = {char: line.char, length: line.length, bare: line.bare, python: PYTHON_LANGUAGES.has(fenceLanguage(line.info).lang)};
			this.#string = '';
			return 'open';
		}
		if (closesFence(line, this.#fence)) {
			this.#fence = undefined;
			this.#string = '';
			return 'close';
		}
		return line.bare ? 'inner-fence' : 'inner-block';
	}

	/** Three quote characters in a row open a triple-quoted string, or close the one open. */
	#followStrings(piece: string): void {
		if (!piece.includes('"') && !piece.includes("'")) {
			this.#quotes = 0;
			return;
		}
		for (const char of piece) {
			if (char !== '"' && char !== "'") {
				this.#quotes = 0;
				continue;
			}
			this.#quotes = char === this.#quote ? this.#quotes + 1 : 1;
			this.#quote = char;
			if (this.#quotes < 3 || (this.#string !== '' && this.#string !== char)) continue;
			this.#string = this.#string === '' ? char : '';
			this.#quotes = 0;
		}
	}
}

/** Zero-width space, BOM, word joiner: skipped in a fence line's indentation (protocol/code-fence.ts). */
const INVISIBLE_CHARS = new Set(['\u200B', '\uFEFF', '\u2060']);

interface CodeState {
	/** The open fence's run. */
	fence: {char: string; length: number} | undefined;
	/** How the current line reads as a fence line: its indentation, its run, the text after the run
	 * (`info`), or not a fence line (`text`). */
	line: 'indent' | 'run' | 'info' | 'text';
	indent: number;
	runChar: string;
	runLength: number;
	/** After the run: only spaces so far (a closing line), a backtick (no opening line). */
	onlySpaces: boolean;
	backtick: boolean;
	/** Outside fences, on the current line: the open inline code span's run length (0: none), and the
	 * backtick run being read. */
	inline: number;
	ticks: number;
}

/**
 * Whether text read so far ends inside code: a fence (not on its closing line), or an inline code
 * span on its last line (a word there is code, not prose: `` `x = cfg.final` ``). Fences by the rule
 * of protocol/code-fence.ts. Read a character at a time in constant memory; `fork` reads on
 * without moving this one (a 600 KB single-line reply re-read per question took minutes).
 */
export class CodeTracker {
	#state: CodeState;

	constructor(state?: CodeState) {
		this.#state = state ?? {fence: undefined, line: 'indent', indent: 0, runChar: '', runLength: 0, onlySpaces: true, backtick: false, inline: 0, ticks: 0};
	}

	/** A tracker in the same place. */
	fork(): CodeTracker {
		return new CodeTracker({...this.#state});
	}

	feed(text: string): void {
		const state = this.#state;
		for (const char of text) {
			if (char === '\n') {
				this.#endLine();
				continue;
			}
			if (state.line === 'indent') {
				if (char === ' ' && state.indent < 3) state.indent++;
				else if (char === '`' || char === '~') {
					state.line = 'run';
					state.runChar = char;
					state.runLength = 1;
				} else if (!INVISIBLE_CHARS.has(char)) state.line = 'text';
			} else if (state.line === 'run' && char === state.runChar) {
				state.runLength++;
			} else if (state.line === 'run' || state.line === 'info') {
				state.line = state.runLength >= 3 ? 'info' : 'text';
				state.onlySpaces &&= char === ' ' || char === '\r';
				state.backtick ||= char === '`';
			}
			if (state.fence) continue;
			if (char === '`') {
				state.ticks++;
				continue;
			}
			this.#endTicks();
		}
	}

	/** Whether the text read ends inside code. */
	endsInCode(): boolean {
		const state = this.#state;
		const fenceLine = (state.line === 'run' || state.line === 'info') && state.runLength >= 3;
		if (state.fence) return !(fenceLine && state.runChar === state.fence.char && state.runLength >= state.fence.length && state.onlySpaces);
		if (fenceLine) return true;
		return state.ticks > 0 ? state.inline !== state.ticks : state.inline > 0;
	}

	#endTicks(): void {
		const state = this.#state;
		if (state.ticks === 0) return;
		if (state.inline === 0) state.inline = state.ticks;
		else if (state.inline === state.ticks) state.inline = 0;
		state.ticks = 0;
	}

	#endLine(): void {
		const state = this.#state;
		const fenceLine = (state.line === 'run' || state.line === 'info') && state.runLength >= 3;
		if (fenceLine && !state.fence && !(state.runChar === '`' && state.backtick)) state.fence = {char: state.runChar, length: state.runLength};
		else if (fenceLine && state.fence && state.runChar === state.fence.char && state.runLength >= state.fence.length && state.onlySpaces) state.fence = undefined;
		Object.assign(state, {line: 'indent', indent: 0, runChar: '', runLength: 0, onlySpaces: true, backtick: false, inline: 0, ticks: 0});
	}
}
