// Leaving the process without losing output: process.exit() drops whatever a slow pipe has not
// taken yet (a pipe holds 64 KiB), so every exit waits for stdout and stderr to drain first.
import {stdoutFailureCode} from './std-streams.js';

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
	process.exitCode = stdoutFailureCode() ?? code;
	await Promise.all([drained(process.stdout), drained(process.stderr)]);
	process.exit(stdoutFailureCode() ?? code);
}
