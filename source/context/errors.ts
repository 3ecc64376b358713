// The one error context loading throws: its message is the one line the user sees.

/** A context could not be loaded: a missing or unreadable path, a binary file, invalid JSON, a
 * glob that matched nothing, a folder over the size cap. The message is one line that says what to do. */
export class ContextLoadError extends Error {
	override name = 'ContextLoadError';
}

/** The folders and globs hold more than the size cap. `maxBytes`: the cap in bytes; `reachedAt`:
 * the file that went past it. A front end may say how to raise the cap its own way (the message
 * names the command line's --max-context-bytes). */
export class ContextTooLargeError extends ContextLoadError {
	override name = 'ContextTooLargeError';
	constructor(
		message: string,
		readonly maxBytes: number,
		readonly reachedAt: string,
	) {
		super(message);
	}
}
