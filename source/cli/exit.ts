// Leaving the process without losing output: process.exit() drops whatever a slow pipe has not
// taken yet (a pipe holds 64 KiB), so every exit waits for stdout and stderr to drain first.

/** Resolves once all that was written to `stream` has been handed to the OS, or it closed. */
export function drained(stream: NodeJS.WriteStream): Promise<void> {
	if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
	return new Promise((resolve) => {
		const done = () => {
			stream.off('close', done);
			stream.off('error', done);
			resolve();
		};
		stream.once('close', done);
		stream.once('error', done);
		// Write callbacks run in order, so this one runs after every earlier write is flushed.
		stream.write('', done);
	});
}

/** Exits with `code` once stdout and stderr have drained. */
export async function exitWhenDrained(code: number): Promise<never> {
	process.exitCode = code;
	await Promise.all([drained(process.stdout), drained(process.stderr)]);
	process.exit(code);
}

/** A reader that went away (`rlm-tui ... | head -1`) is not an error worth a stack trace: stop
 * quietly, with the code the run already has, else 141 (what a shell reports for SIGPIPE). */
export function exitQuietlyOnBrokenPipe(): void {
	for (const stream of [process.stdout, process.stderr]) {
		stream.on('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 141);
			throw error;
		});
	}
}
