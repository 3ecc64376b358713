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

/** Whether text read so far ends inside code: a fence (not on its closing line), or an inline code
 * span on its last line (a word there is code, not prose: `` `x = cfg.final` ``). */
export class CodeTracker {
	/** The fences, read up to the start of the current line. */
	#lines = new FenceLines();
	#line = '';

	feed(text: string): void {
		const lastBreak = text.lastIndexOf('\n');
		if (lastBreak < 0) {
			this.#line += text;
			return;
		}
		this.#lines.feed(`${this.#line}${text.slice(0, lastBreak + 1)}`);
		this.#line = text.slice(lastBreak + 1);
	}

	/** Whether the text, with `more` after it, ends inside code. */
	endsInCode(more: string): boolean {
		const lines = this.#lines.clone();
		const text = this.#line + more;
		const lastBreak = text.lastIndexOf('\n');
		if (lastBreak >= 0) lines.feed(text.slice(0, lastBreak + 1));
		const line = text.slice(lastBreak + 1);
		if (lines.fence === undefined) return inlineCodeOpen(line);
		// The fence's closing line so far (```` ```<|im_end|> ````): what comes after it is not the block's.
		const probe = lines.clone();
		probe.add(line);
		return probe.endLine() !== 'close';
	}
}

/** Whether a line ends inside an inline code span: a backtick run not yet closed by one as long. */
function inlineCodeOpen(line: string): boolean {
	let open = 0;
	for (const run of line.match(/`+/g) ?? []) {
		if (open === 0) open = run.length;
		else if (run.length === open) open = 0;
	}
	return open > 0;
}
