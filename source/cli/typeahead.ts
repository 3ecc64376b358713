// Keys typed while the app starts. Until the first frame (flags, settings, the engine and Ink load
// meanwhile) the terminal is in line mode: it echoes keys, turns Enter into a line feed, which the
// app reads as Ctrl+J (a new line in the input, so the question typed ahead was never sent), and
// Ctrl+C into SIGINT. So raw mode comes on as the command line starts, and the keys are held here
// until the app reads stdin (takeTypeahead): they land in its input, and an Enter sends the
// question once the app can run it. Ctrl+C (and Ctrl+\) meanwhile still end the start, as the
// terminal's SIGINT (SIGQUIT) would have. Imports nothing: cli.tsx calls it before loading anything.

interface Hold {
	stdin: NodeJS.ReadStream;
	chunks: Buffer[];
	onReadable: () => void;
	restoreAtExit: () => void;
}

let hold: Hold | null = null;

/** Words that never open the app: a question (-p, headless), serve, mcp, --replay (which starts no sandbox either). */
function mayOpenTheApp(words: readonly string[]): boolean {
	const end = words.indexOf('--');
	const flags = end === -1 ? words : words.slice(0, end);
	return !flags.some((word) => word === '-p' || word === '--prompt' || word.startsWith('--prompt=') || word === 'serve' || word === 'mcp' || word === '--replay' || word.startsWith('--replay='));
}

/** The control keys a terminal in line mode turns into signals, as the signals. */
const SIGNAL_KEYS: ReadonlyMap<number, NodeJS.Signals> = new Map([
	[0x03, 'SIGINT'],
	[0x1c, 'SIGQUIT'],
]);

export interface TypeaheadOptions {
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	env?: NodeJS.ProcessEnv;
	/** What Ctrl+C and Ctrl+\ do meanwhile (default: raise the signal on this process). */
	raise?: (signal: NodeJS.Signals) => void;
}

/**
 * Puts the terminal in raw mode and holds what is typed, when stdin and stdout are a terminal that
 * can show the app and `words` may open it. Main.ts ends the hold: takeTypeahead for the app,
 * releaseTypeahead for any other mode; the exit ends it too.
 */
export function holdTypeahead(words: readonly string[], options: TypeaheadOptions = {}): void {
	const stdin = options.stdin ?? process.stdin;
	const stdout = options.stdout ?? process.stdout;
	const env = options.env ?? process.env;
	const raise = options.raise ?? ((signal: NodeJS.Signals) => process.kill(process.pid, signal));
	if (hold || !stdin.isTTY || !stdout.isTTY || env.TERM === 'dumb' || !mayOpenTheApp(words)) return;
	try {
		stdin.setRawMode(true);
	} catch {
		return;
	}
	const chunks: Buffer[] = [];
	let first = true;
	const take = (chunk: Buffer) => {
		let data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
		// The first read is what the terminal held in line mode, where Enter became a line feed.
		if (first) data = Buffer.from(data.toString('latin1').replace(/\n/g, '\r'), 'latin1');
		first = false;
		const signalAt = data.findIndex((byte) => SIGNAL_KEYS.has(byte));
		if (signalAt === -1) {
			chunks.push(data);
			return;
		}
		releaseTypeahead();
		raise(SIGNAL_KEYS.get(data[signalAt]!)!);
	};
	// Read in paused mode ('readable', not 'data'): the stream goes back to how it was when the
	// listener goes, and the app's reader finds it as a fresh stdin. (process.stdin.pause() would
	// stop the terminal's reads a tick later, after the app had started listening: no key came.)
	const onReadable = () => {
		let chunk: Buffer | null;
		while (hold?.onReadable === onReadable && (chunk = stdin.read() as Buffer | null) !== null) take(chunk);
	};
	// A synchronous 'exit' handler: Node restores the terminal's mode at exit too, but a test's
	// stream or an embedding would not.
	const restoreAtExit = () => {
		if (hold?.onReadable === onReadable) releaseTypeahead();
	};
	hold = {stdin, chunks, onReadable, restoreAtExit};
	stdin.on('readable', onReadable);
	process.once('exit', restoreAtExit);
}

/** Stops holding: what was typed goes back in front of stdin, which stays in raw mode for the app
 * to read (its listeners get the held keys first). Called by the full-screen app just before it
 * reads stdin. Nothing held: nothing to do. */
export function takeTypeahead(): void {
	const current = end();
	if (!current) return;
	const typed = Buffer.concat(current.chunks);
	if (typed.length > 0) current.stdin.unshift(typed);
}

/** Stops holding for a mode that reads no keys (headless): line mode again; what was typed is dropped. */
export function releaseTypeahead(): void {
	const current = end();
	if (!current) return;
	// No more reads: keys typed from now on stay for the shell.
	current.stdin.pause();
	try {
		current.stdin.setRawMode(false);
	} catch {
		// The terminal may be gone.
	}
}

function end(): Hold | null {
	const current = hold;
	if (!current) return null;
	hold = null;
	current.stdin.off('readable', current.onReadable);
	process.off('exit', current.restoreAtExit);
	return current;
}
