// What opens and closes a code fence, as CommonMark reads it: the one rule the reply reader
// (engine/parse.ts, on marked's tokens) and the thinking splitter's line reader
// (backends/fence-lines.ts, on streamed text) share.
// - A fence line: up to 3 spaces of indentation (a tab is 4 columns: indented code, not a fence),
//   a run of 3 or more backticks or tildes, then the info string. Zero-width spaces, BOMs and word
//   joiners in the indentation are skipped: copied text carries them, and a model means the fence.
// - It opens a fence, except a backtick run with a backtick in its info string (```x``` at a line's
//   start is inline code).
// - It closes an open fence when its run is the fence's character, at least as long, with only
//   spaces after it (marked, which reads the reply's structure, takes no tab there). Inside a fence
//   every other line is the block's text.
// Lines are read a piece at a time in constant memory: only the info string's first characters are
// kept (a 600 KB single-line reply re-read on every delta once took 19 s).

/** A fence line's run and info string. `info` is trimmed and cut at the reader's limit; `bare`: no
 * info string (whitespace at most); `closer`: only spaces after the run; `backtickInInfo`: a backtick
 * anywhere after the run (also past the limit). */
export interface FenceLine {
	char: '`' | '~';
	length: number;
	info: string;
	bare: boolean;
	closer: boolean;
	backtickInInfo: boolean;
}

export type FenceRun = Pick<FenceLine, 'char' | 'length'>;

/** Zero-width space, BOM, word joiner. */
export const INVISIBLE = /[\u200B\uFEFF\u2060]/g;
const INVISIBLE_CHARS = new Set(['\u200B', '\uFEFF', '\u2060']);
/** What may follow a closing run: spaces (and a CR of a CRLF line ending). */
const SPACES = /^[ \r]*$/;

/** One line's fence shape, read a piece at a time. */
export class FenceLineReader {
	#state: 'indent' | 'run' | 'info' | 'none' = 'indent';
	#indent = 0;
	#char: FenceLine['char'] = '`';
	#length = 0;
	#info = '';
	#infoChars: number;
	/** Past the kept characters: something but whitespace, something but spaces. */
	#beyondVisible = false;
	#beyondNotSpace = false;
	#backtick = false;

	/** `infoChars`: how much of the info string to keep. */
	constructor(infoChars = Infinity) {
		this.#infoChars = infoChars;
	}

	/** More of the line (no line break in it). */
	add(piece: string): void {
		let at = 0;
		while (at < piece.length && this.#state !== 'info' && this.#state !== 'none') {
			const char = piece[at]!;
			if (this.#state === 'indent') {
				if (char === ' ' && this.#indent < 3) this.#indent++;
				else if (char === '`' || char === '~') {
					this.#state = 'run';
					this.#char = char;
					this.#length = 1;
				} else if (!INVISIBLE_CHARS.has(char)) this.#state = 'none';
			} else if (char === this.#char) {
				this.#length++;
			} else {
				this.#state = this.#length >= 3 ? 'info' : 'none';
				continue;
			}
			at++;
		}
		if (this.#state !== 'info' || at >= piece.length) return;
		const rest = at === 0 ? piece : piece.slice(at);
		const room = this.#infoChars - this.#info.length;
		if (room > 0) this.#info += rest.slice(0, room);
		if (rest.length > room) {
			const beyond = rest.slice(Math.max(0, room));
			this.#beyondVisible ||= /\S/.test(beyond);
			this.#beyondNotSpace ||= !SPACES.test(beyond);
		}
		this.#backtick ||= rest.includes('`');
	}

	/** The line read so far as a fence line, or null when it is not one. */
	line(): FenceLine | null {
		const run = this.#state === 'info' || (this.#state === 'run' && this.#length >= 3);
		if (!run) return null;
		const info = this.#info.trim();
		const bare = !this.#beyondVisible && info === '';
		const closer = !this.#beyondNotSpace && SPACES.test(this.#info);
		return {char: this.#char, length: this.#length, info, bare, closer, backtickInInfo: this.#backtick};
	}

	/** Starts a new line. */
	reset(): void {
		this.#state = 'indent';
		this.#indent = 0;
		this.#length = 0;
		this.#info = '';
		this.#beyondVisible = false;
		this.#beyondNotSpace = false;
		this.#backtick = false;
	}
}

/** A whole line (no line break) read as a fence line, or null. */
export function fenceLine(text: string): FenceLine | null {
	const reader = new FenceLineReader();
	reader.add(text);
	return reader.line();
}

/** Whether a fence line opens a fence (outside one). */
export function opensFence(line: FenceLine | null): line is FenceLine {
	return line !== null && !(line.char === '`' && line.backtickInInfo);
}

/** Whether a fence line closes the open `fence`. */
export function closesFence(line: FenceLine | null, fence: FenceRun): boolean {
	return line !== null && line.closer && line.char === fence.char && line.length >= fence.length;
}

/** The fence `text` leaves open at its end, read line by line outside any block (null when every
 * fence it opens is closed), and whether a non-blank line followed its opener. */
export function fenceOpenAtEnd(text: string): {fence: FenceLine; hasContent: boolean} | null {
	let open: FenceLine | null = null;
	let hasContent = false;
	for (const line of text.split(/\r\n?|\n/)) {
		const fence = fenceLine(line);
		if (open) {
			if (closesFence(fence, open)) open = null;
			else if (line.trim() !== '') hasContent = true;
		} else if (opensFence(fence)) {
			open = fence;
			hasContent = false;
		}
	}
	return open ? {fence: open, hasContent} : null;
}

/** Info strings that name Python, the languages a model's runnable blocks are written in. */
export const PYTHON_LANGUAGES: ReadonlySet<string> = new Set(['repl', 'python', 'py', 'python3', 'ipython', 'ipython3']);

/** `{python}`, `{.py}`, `{python echo=false}`, `{python, echo=FALSE}`: the language in braces, then the rest. */
const BRACED = /^\{\s*\.?([\w+-]+)[^}]*\}\s*(.*)$/;

/** An info string's language (lower case) and what follows it on the opening line; Quarto's and
 * Jupytext's braces (`{python}`) are read too. */
export function fenceLanguage(info: string): {lang: string; rest: string} {
	const visible = info.replace(INVISIBLE, '').trim();
	const braced = BRACED.exec(visible);
	if (braced) return {lang: braced[1]!.toLowerCase(), rest: braced[2]!.trim()};
	const [word = '', ...more] = visible.split(/\s+/);
	return {lang: word.toLowerCase(), rest: more.join(' ')};
}
