// What a failing stdout or stderr does to a run. stderr only carries notes: once a write to it
// fails (a full disk, a reader that went away) every later note is dropped and the run and its
// answer on stdout go on. stdout carries the answer: when it cannot be written the run ends, with
// one line on stderr and exit code 1; a reader that went away (`rlm-tui ... | head -1`) ends it
// quietly, as other Unix tools do (141, what a shell reports for SIGPIPE). Never a stack trace.
// Writes to a file or a device fail by throwing (Node writes them synchronously), writes to a pipe
// by an 'error' event: both are caught.

type Stream = NodeJS.WriteStream;

let failureCode: number | undefined;

/** The exit code a failed stdout set, if it failed: the run leaves with it, whatever it got to. */
export const stdoutFailureCode = (): number | undefined => failureCode;

/** From now on, `stream.write` calls `onError` instead of throwing or emitting an error, once,
 * and does nothing after that (its callback still runs, so waiting for a drain ends). */
function catchWriteErrors(stream: Stream, onError: (error: NodeJS.ErrnoException) => void): void {
	const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
	let failed = false;
	const fail = (error: NodeJS.ErrnoException) => {
		if (failed) return;
		failed = true;
		onError(error);
	};
	stream.write = (...args: unknown[]) => {
		const callback = args.findLast((arg) => typeof arg === 'function');
		if (!failed) {
			try {
				return write(...args);
			} catch (error) {
				fail(error as NodeJS.ErrnoException);
			}
		}
		if (callback) process.nextTick(callback);
		return true;
	};
	stream.on('error', fail);
}

const brokenPipe = (error: NodeJS.ErrnoException) => error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';

/** Sets what a write error on stdout or stderr does (above). Call once, before anything is written. */
export function guardStandardStreams(stdout: Stream = process.stdout, stderr: Stream = process.stderr): void {
	catchWriteErrors(stderr, () => {});
	catchWriteErrors(stdout, (error) => {
		if (brokenPipe(error)) {
			failureCode = typeof process.exitCode === 'number' && process.exitCode !== 0 ? process.exitCode : 141;
			process.exit(failureCode);
		}
		failureCode = 1;
		process.exitCode = failureCode;
		const why = error.code ? `${error.code}: ${error.message.replace(/^\w+: /, '').replace(/, write$/, '')}` : error.message;
		stderr.write(`rlm-tui: stopped: the output cannot be written to stdout (${why})\n`, () => process.exit(failureCode));
	});
}
