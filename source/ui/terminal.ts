// The terminal around the full-screen app: the modes we turn on (alternate screen, bracketed paste,
// mouse reporting, the kitty keyboard protocol where known) and off again on every way out, suspend
// (Ctrl+Z) and resume (fg), and fixes for what terminals report: a 0x0 size is unknown (80x24), and
// Ink's "clear terminal" on a shrinking resize must not wipe the user's scrollback (ESC[3J).
// Sources: xterm's ctlseqs (DECSET 1049, 2004, 1000, 1006, 1004), the kitty keyboard protocol.
import stringWidth from 'string-width';

export interface TerminalControl {
	/** Ctrl+Z: hand the terminal back to the shell and stop; `fg` resumes (the app repaints). */
	suspend(): void;
	/** Mouse reporting on (the wheel scrolls panes) or off (the terminal selects text as usual). */
	setMouse(on: boolean): void;
	/** Listens for resumes after a suspend; returns the unsubscribe. */
	onResume(listener: () => void): () => void;
	/** Puts text on the system clipboard through the terminal (OSC 52); false when it cannot be sent. */
	copy(text: string): boolean;
}

/** Bytes of text OSC 52 carries at most here (terminals cap the sequence: xterm at about 100 kB). */
export const MAX_COPY_BYTES = 74_000;

/** The OSC 52 sequence that sets the clipboard ("c") to `text` (base64, as xterm specifies it). */
export const osc52 = (text: string) => `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;

const ALT_SCREEN_ON = '\x1b[?1049h\x1b[H\x1b[2J';
const ALT_SCREEN_OFF = '\x1b[?1049l';
const CURSOR_SHOW = '\x1b[?25h';
const CURSOR_HIDE = '\x1b[?25l';
const PASTE_ON = '\x1b[?2004h';
const PASTE_OFF = '\x1b[?2004l';
// Button presses and the wheel (1000) in SGR coordinates (1006).
const MOUSE_ON = '\x1b[?1000h\x1b[?1006h';
const MOUSE_OFF = '\x1b[?1006l\x1b[?1000l';
// Whatever another program left on: focus reports (1004), motion tracking (1002, 1003).
const STRAY_OFF = '\x1b[?1004l\x1b[?1002l\x1b[?1003l';
const KITTY_PUSH = '\x1b[>1u';
const KITTY_POP = '\x1b[<u';

/** Terminals known to speak the kitty keyboard protocol (Shift+Enter, an unambiguous Esc). */
export function speaksKittyKeys(env: NodeJS.ProcessEnv): boolean {
	if (env.TMUX || env.STY) return false; // multiplexers answer for the terminal and do not pass it on
	const term = env.TERM ?? '';
	const program = env.TERM_PROGRAM ?? '';
	return Boolean(env.KITTY_WINDOW_ID) || term === 'xterm-kitty' || term === 'xterm-ghostty' || term.startsWith('foot') || program === 'WezTerm' || program === 'ghostty';
}

/** Terminals that cannot draw the full-screen app. */
export function isDumbTerminal(env: NodeJS.ProcessEnv): boolean {
	return env.TERM === 'dumb';
}

/** Only the screen: the scrollback stays (Ink's clearTerminal adds ESC[3J, which erases it). */
export const keepScrollback = (data: string) => (data.includes('\x1b[3J') ? data.split('\x1b[3J').join('') : data);

// How Ink 6.8's log-update writes a frame: erase the previous frame's lines upwards
// (ESC[2K ESC[1A ... ESC[2K ESC[G), then the whole new frame. Its incremental mode would write only
// changed lines but misplaces the cursor under a frame that ends in a line break.
const ERASE_LINES = /^(?:\x1b\[2K\x1b\[1A)*\x1b\[2K\x1b\[G/;
const CLEAR_SCREEN = /^\x1b\[2J\x1b\[H/;

/**
 * Rewrites Ink's full-frame writes into writes of the lines that changed, at absolute rows: the
 * frame always starts at the top of the alternate screen. A ticking clock then costs one line, not
 * the whole screen. Writes it does not recognise pass through and make the screen unknown (drawn
 * whole the next time).
 */
export class FrameDiff {
	/** The frame on screen (lines from row 1), '' for a blank screen, null when unknown. */
	#frame: string | null = null;
	/** The terminal changed size since the last frame that fits it: the next one is drawn whole on a cleared screen. */
	#repaint = false;
	readonly #columns: () => number | undefined;

	/** `columns`: the terminal's width now (a frame laid out for the old width does not end a repaint). */
	constructor(columns: () => number | undefined = () => undefined) {
		this.#columns = columns;
	}

	/** The screen was just cleared with the cursor at the top (entering the alternate screen). */
	cleared(): void {
		this.#frame = '';
		this.#repaint = false;
	}

	/**
	 * The terminal changed size. What it shows is no longer the frame we drew: a narrower terminal
	 * cuts or re-wraps the old lines (a status bar's tail lands on the row below the frame), a
	 * shorter one scrolls them. Ink only erases its frame's lines from where it thinks the cursor is,
	 * so the next frame clears the whole screen first and is drawn whole. The first frame after a
	 * resize is often still laid out for the old width (the app learns the size a render later): the
	 * repaint holds until a frame fits.
	 */
	resized(): void {
		this.#repaint = true;
	}

	filter(data: string): string {
		if (data === '') return data;
		const clear = CLEAR_SCREEN.exec(data);
		if (clear) {
			this.#frame = data.slice(clear[0].length);
			this.#repaint = false;
			return data;
		}
		const erase = ERASE_LINES.exec(data);
		if (erase) {
			const rest = data.slice(erase[0].length);
			if (rest === '') {
				// log-update's clear(): the lines are erased and the cursor is at the top again.
				this.#frame = this.#frame === null ? null : '';
				return data;
			}
			if (this.#repaint) return this.#redraw(rest);
			if (this.#frame === null) return data;
			return this.#diff(rest);
		}
		// A frame written onto a blank screen (the first one, or after a clear).
		if (this.#frame === '' && data.includes('\n') && !data.startsWith('\x1b[?')) return this.#repaint ? this.#redraw(data) : this.#diff(data);
		if (data.startsWith('\x1b[?')) return data; // cursor and synchronized-output switches
		this.#frame = null;
		return data;
	}

	#redraw(next: string): string {
		const columns = this.#columns();
		if (!columns || next.split('\n').every((line) => stringWidth(line) <= columns)) this.#repaint = false;
		this.#frame = '';
		return `\x1b[2J\x1b[H${this.#diff(next)}`;
	}

	#diff(next: string): string {
		const lines = next.split('\n');
		const previous = (this.#frame ?? '').split('\n');
		let out = '';
		for (let i = 0; i < lines.length; i++) {
			if (lines[i] === previous[i] && this.#frame !== '') continue;
			if (lines[i] === '' && (previous[i] ?? '') === '') continue;
			out += `\x1b[${i + 1};1H${lines[i]}\x1b[0m\x1b[K`;
		}
		for (let i = lines.length; i < previous.length; i++) if (previous[i]) out += `\x1b[${i + 1};1H\x1b[K`;
		// Where log-update leaves the cursor: the start of the line after the frame.
		out += `\x1b[${lines.length};1H`;
		this.#frame = next;
		return out;
	}
}

export interface ScreenOptions {
	stdin: NodeJS.ReadStream;
	stdout: NodeJS.WriteStream;
	env: NodeJS.ProcessEnv;
	mouse?: boolean;
}

/** Owns the terminal's modes for one full-screen session. */
export class Screen implements TerminalControl {
	#entered = false;
	#mouse: boolean;
	#kitty: boolean;
	#listeners = new Set<() => void>();
	#restoreWrite: (() => void) | null = null;
	#restoreSize: (() => void) | null = null;
	#frames = new FrameDiff(() => this.options.stdout.columns);
	/** Our own mode switches bypass the frame filter. */
	#raw: ((data: string) => void) | null = null;

	constructor(private readonly options: ScreenOptions) {
		this.#mouse = options.mouse ?? true;
		this.#kitty = speaksKittyKeys(options.env);
	}

	/** Filters what Ink writes (changed lines only, no ESC[3J) and reports a 0x0 terminal as 80x24. */
	patchStreams(): void {
		const {stdout} = this.options;
		if (!this.#restoreWrite) {
			// eslint-disable-next-line @typescript-eslint/unbound-method -- called with stdout as this, and put back as it was
			const original = stdout.write;
			const frames = this.#frames;
			const patched = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
				const data = typeof chunk === 'string' ? frames.filter(keepScrollback(chunk)) : chunk;
				return (original as (...args: unknown[]) => boolean).call(this, data, ...rest);
			};
			stdout.write = patched;
			this.#raw = (data) => {
				original.call(stdout, data);
			};
			this.#restoreWrite = () => {
				stdout.write = original;
				this.#raw = null;
			};
		}
		if (!this.#restoreSize) {
			// A pty of 0x0 (docker exec, script) says nothing about its size: draw at 80x24.
			let size = '';
			const fix = () => {
				if (!stdout.columns) stdout.columns = 80;
				if (!stdout.rows) stdout.rows = 24;
				const now = `${stdout.columns}x${stdout.rows}`;
				if (size && now !== size) this.#frames.resized();
				size = now;
			};
			fix();
			stdout.prependListener('resize', fix);
			this.#restoreSize = () => stdout.off('resize', fix);
		}
	}

	unpatchStreams(): void {
		this.#restoreWrite?.();
		this.#restoreWrite = null;
		this.#restoreSize?.();
		this.#restoreSize = null;
	}

	/** Alternate screen, bracketed paste, mouse (if on), kitty keys (if known); cursor hidden. */
	enter(): void {
		this.#entered = true;
		this.#frames.cleared();
		this.#write(`${ALT_SCREEN_ON}${STRAY_OFF}${PASTE_ON}${this.#mouse ? MOUSE_ON : ''}${this.#kitty ? KITTY_PUSH : ''}${CURSOR_HIDE}`);
	}

	/** Every mode off, the cursor shown, the shell's screen back, line mode. Safe to call twice. */
	leave(): void {
		const {stdin} = this.options;
		try {
			if (stdin.isTTY) stdin.setRawMode?.(false);
		} catch {
			// The terminal may be gone.
		}
		if (!this.#entered) return;
		this.#entered = false;
		this.#write(`${MOUSE_OFF}${PASTE_OFF}${this.#kitty ? KITTY_POP : ''}${CURSOR_SHOW}${ALT_SCREEN_OFF}`);
	}

	setMouse(on: boolean): void {
		this.#mouse = on;
		if (this.#entered) this.#write(on ? MOUSE_ON : MOUSE_OFF);
	}

	suspend(): void {
		if (process.platform === 'win32') return;
		const {stdin} = this.options;
		this.leave();
		// Our own SIGTSTP handler (for `kill -TSTP`) would catch the stop: it stands aside meanwhile.
		const saved = process.listeners('SIGTSTP');
		process.removeAllListeners('SIGTSTP');
		let resumed = false;
		const onContinue = () => {
			if (resumed) return;
			resumed = true;
			process.off('SIGCONT', onContinue);
			clearTimeout(fallback);
			for (const handler of saved) process.on('SIGTSTP', handler as () => void);
			try {
				if (stdin.isTTY) stdin.setRawMode?.(true);
			} catch {
				// The terminal may be gone; the end of input handles that.
			}
			this.enter();
			for (const listener of this.#listeners) listener();
		};
		process.on('SIGCONT', onContinue);
		// Timers do not run while stopped: this one fires after `fg`, or soon when the system
		// ignored the stop (a process group without job control).
		const fallback = setTimeout(onContinue, 200);
		process.kill(0, 'SIGTSTP');
	}

	copy(text: string): boolean {
		if (!this.#entered || Buffer.byteLength(text, 'utf8') > MAX_COPY_BYTES) return false;
		this.#write(osc52(text));
		return true;
	}

	onResume(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	#write(data: string): void {
		const {stdout} = this.options;
		try {
			if (stdout.destroyed || !stdout.writable) return;
			if (this.#raw) this.#raw(data);
			else stdout.write(data);
		} catch {
			// The terminal may be gone.
		}
	}
}
