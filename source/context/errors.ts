// The one error context loading throws: its message is the one line the user sees.

/** A context could not be loaded: a missing or unreadable path, a binary file, invalid JSON, a
 * glob that matched nothing, a folder over the size cap. The message is one line that says what to do. */
export class ContextLoadError extends Error {
	override name = 'ContextLoadError';
}
