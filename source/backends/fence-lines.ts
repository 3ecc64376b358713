// Code fences in streamed text, line by line, by the rule the reply reader shares
// (protocol/code-fence.ts). A line is read a piece at a time and only its info string's first
// characters are kept: re-reading a long line on every delta made a 600 KB single-line reply take 19 s.

import {closesFence, FenceLineReader, opensFence, type FenceLine} from '../protocol/code-fence.js';

/** What a finished line did: opened a fence, closed it, was a fence line inside one that does not
 * close it (`inner-block` with an info string, as a new block would open; `inner-fence` without:
 * another character or shorter), or none of these. */
export type LineEvent = 'none' | 'open' | 'close' | 'inner-block' | 'inner-fence';

/** An open fence; `bare` when its opening line had no info string (```` ``` ```` alone). */
export interface OpenFence {
	char: FenceLine['char'];
	length: number;
	bare: boolean;
}

/** Enough of an info string for its language. */
const INFO_CHARS = 48;

export class FenceLines {
	#fence: OpenFence | undefined;
	#line = new FenceLineReader(INFO_CHARS);
	/** Whether anything but whitespace came on the current line. */
	#visible = false;

	/** The fence the text is inside, if any. */
	get fence(): OpenFence | undefined {
		return this.#fence;
	}

	/** Whether the current line holds only whitespace so far. */
	get lineBlank(): boolean {
		return !this.#visible;
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
	}

	/** The current line is finished: what it did to the fences. */
	endLine(): LineEvent {
		const event = this.#classify();
		this.#line.reset();
		this.#visible = false;
		return event;
	}

	#classify(): LineEvent {
		const line = this.#line.line();
		// A backtick fence's info string holds no backticks (```x``` at a line's start is inline code).
		if (!opensFence(line)) return 'none';
		if (!this.#fence) {
			this.#fence = {char: line.char, length: line.length, bare: line.bare};
			return 'open';
		}
		if (closesFence(line, this.#fence)) {
			this.#fence = undefined;
			return 'close';
		}
		return line.bare ? 'inner-fence' : 'inner-block';
	}
}
