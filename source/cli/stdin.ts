// Piped stdin: read to its end, whatever its pace; refused when it is not text.
import {fstatSync} from 'node:fs';
import {contextInput, textOf} from '../context/text-file.js';
import {ContextLoadError} from '../context/errors.js';
import {CappedChunks, InputReadError, type InputSpec} from '../protocol/bounded-read.js';

export class StdinError extends Error {}

/** Stdin as the context (`-c -`, or piped beside -p): as much as one context file may hold. */
export const stdinContext: Pick<InputSpec, 'what' | 'limit' | 'tooLarge'> = {...contextInput, what: 'The context on stdin', tooLarge: 'give it as files with -c (split into parts, each its own -c), or pipe a part of it'};

/** Stdin as the question (no -p). */
export const stdinQuestion: Pick<InputSpec, 'what' | 'limit' | 'tooLarge'> = {
	what: 'The question on stdin',
	limit: contextInput.limit,
	tooLarge: 'put the text in a file, pass it with -c FILE and ask about it with -p "..."',
};

/** How long an open socket on stdin may stay silent before a run goes on without it, in ms. */
export const socketSilenceMs = 2000;

/** What stdin is: a terminal (never read), or something that ends (a pipe, a file, /dev/null),
 * or a socket, which a parent program may hold open without ever writing (Node's spawn does). */
export function stdinKind(stdin: NodeJS.ReadStream = process.stdin): 'tty' | 'ends' | 'socket' {
	if (stdin.isTTY) return 'tty';
	try {
		return fstatSync(0).isSocket() ? 'socket' : 'ends';
	} catch {
		return 'ends';
	}
}

/**
 * Reads stdin to its end and returns it as text, decoded as a context file is (UTF-8, UTF-16 with
 * a byte order mark, else Windows-1252: `onNote` says which when it is not plain UTF-8).
 *
 * A pipe (FIFO) or file is read to the end however slowly its producer writes. When stdin is
 * only the optional context (`-p` gave the question) and it is a socket that sends nothing for
 * `socketSilenceMs`, the run goes on without it and `onSilent` says so; once a byte has arrived
 * it is read to the end. Returns undefined when nothing was read.
 * Stops reading at `options.input`'s cap (default: the context's 512 MiB); `yes |` grew to 10 GB.
 * @throws StdinError when the bytes look binary (NUL bytes, or controls no text uses), as for `-c`, or
 * are more than the cap (one line naming it).
 */
export function readStdin(options: {optional: boolean; onSilent?: (message: string) => void; onNote?: (note: string) => void; stdin?: NodeJS.ReadStream; input?: Pick<InputSpec, 'what' | 'limit' | 'tooLarge'>}): Promise<string | undefined> {
	const stdin = options.stdin ?? process.stdin;
	const waitForever = !options.optional || stdinKind(stdin) !== 'socket';
	return new Promise((resolve, reject) => {
		const chunks = new CappedChunks(options.input ?? stdinContext, '');
		let timer: NodeJS.Timeout | undefined;
		const finish = (value: string | undefined) => {
			clearTimeout(timer);
			stdin.off('data', onData);
			stdin.off('end', onEnd);
			stdin.off('error', onError);
			resolve(value);
		};
		const onData = (chunk: Buffer) => {
			clearTimeout(timer);
			try {
				chunks.add(chunk);
			} catch (error) {
				stdin.off('data', onData);
				stdin.off('end', onEnd);
				stdin.off('error', onError);
				// Read no further: the writer gets EPIPE rather than an ever fuller pipe.
				stdin.pause();
				stdin.destroy();
				reject(new StdinError((error as InputReadError).message));
			}
		};
		const onEnd = () => {
			const bytes = chunks.join();
			if (!bytes.length) return finish(undefined);
			try {
				const {text, note} = textOf('stdin', bytes, 'stdin looks binary, not text: pipe text, or give a text file with -c FILE');
				if (note) options.onNote?.(note);
				finish(text);
			} catch (error) {
				if (!(error instanceof ContextLoadError)) throw error;
				stdin.off('data', onData);
				reject(new StdinError(error.message));
			}
		};
		const onError = (error: Error) => reject(new StdinError(`Cannot read stdin: ${error.message}`));
		stdin.on('data', onData);
		stdin.once('end', onEnd);
		stdin.once('error', onError);
		if (!waitForever)
			timer = setTimeout(() => {
				stdin.pause();
				options.onSilent?.(`stdin is open but sent nothing in ${socketSilenceMs / 1000} s: going on without it (close it, or give </dev/null)`);
				finish(undefined);
			}, socketSilenceMs);
	});
}

/**
 * Whether stdin, which is not a terminal, sends anything: true at its first byte, false at its
 * end or after `silenceMs` of silence (a pipe or socket held open and never written). Reads no
 * further, and lets go of stdin once it knows. For a mode that reads no stdin, to say it is ignored.
 */
export function stdinSends(options: {silenceMs?: number; stdin?: NodeJS.ReadStream} = {}): Promise<boolean> {
	const stdin = options.stdin ?? process.stdin;
	if (stdin.isTTY) return Promise.resolve(false);
	return new Promise((resolve) => {
		const done = (sends: boolean) => {
			clearTimeout(timer);
			stdin.off('data', onData);
			stdin.off('end', onEnd);
			stdin.off('error', onEnd);
			stdin.pause();
			stdin.destroy();
			resolve(sends);
		};
		const onData = () => done(true);
		const onEnd = () => done(false);
		const timer = setTimeout(() => done(false), options.silenceMs ?? socketSilenceMs);
		stdin.once('data', onData);
		stdin.once('end', onEnd);
		stdin.once('error', onEnd);
	});
}
