// Code fences in streamed text, line by line, as CommonMark reads them: a line of three or more
// backticks or tildes (up to three columns indented, an info string may follow) opens a fence, and
// only a line of the same character, at least as long, with nothing after it closes it. Only each
// line's first characters are kept: re-reading a long line on every delta made a 600 KB
// single-line reply take 19 s.

/** What a finished line did: opened a fence, closed it, was a fence line inside one that does not
 * close it (`inner-block` with an info string, as a new block would open; `inner-fence` without:
 * another character or shorter), or none of these. */
export type LineEvent = 'none' | 'open' | 'close' | 'inner-block' | 'inner-fence';

/** An open fence; `bare` when its opening line had no info string (```` ``` ```` alone). */
export interface OpenFence {
	char: string;
	length: number;
	bare: boolean;
}

const HEAD_CHARS = 16;
const FENCE_LINE = /^[ \t]{0,3}(`{3,}|~{3,})(.*)$/;

export class FenceLines {
	#fence: OpenFence | undefined;
	/** The start of the current line, and whether anything but whitespace came after it. */
	#head = '';
	#more = false;

	/** The fence the text is inside, if any. */
	get fence(): OpenFence | undefined {
		return this.#fence;
	}

	/** Whether the current line holds only whitespace so far. */
	get lineBlank(): boolean {
		return !this.#more && this.#head.trim() === '';
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
		const room = HEAD_CHARS - this.#head.length;
		if (room > 0) this.#head += piece.slice(0, room);
		if (!this.#more && piece.length > room) this.#more = /\S/.test(room > 0 ? piece.slice(room) : piece);
	}

	/** The current line is finished: what it did to the fences. */
	endLine(): LineEvent {
		const event = this.#classify();
		this.#head = '';
		this.#more = false;
		return event;
	}

	#classify(): LineEvent {
		const match = FENCE_LINE.exec(this.#head);
		if (!match) return 'none';
		const run = match[1]!;
		const info = match[2]!;
		// A backtick fence's info string holds no backticks (```x``` at a line's start is inline code).
		if (run[0] === '`' && info.includes('`')) return 'none';
		const bare = info.trim() === '' && !this.#more;
		if (!this.#fence) {
			this.#fence = {char: run[0]!, length: run.length, bare};
			return 'open';
		}
		if (bare && run[0] === this.#fence.char && run.length >= this.#fence.length) {
			this.#fence = undefined;
			return 'close';
		}
		return bare ? 'inner-fence' : 'inner-block';
	}
}
