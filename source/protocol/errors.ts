// Errors as they travel: a stable code and a one-line message. The engine puts them on results
// and events; each front end turns a code into its own advice (flags for the CLI, commands for
// the TUI). A leaf of the shared vocabulary.
import type {BackendErrorCode} from './llm.js';

export type RunErrorCode =
	| BackendErrorCode
	/** No model was given and the server lists none. */
	| 'no_model'
	/** The Python sandbox could not start. */
	| 'sandbox'
	/** The model's replies had no answer text (empty, or only reasoning) twice in a row. */
	| 'empty_reply'
	/** A run-wide limit stopped the run (status `limited`, `limit` names it; not a failure: the
	 * answer is the best it had). */
	| 'limit_reached'
	/** Anything else (a bug, an unexpected exception). */
	| 'internal';

export interface RunError {
	code: RunErrorCode;
	/** One line a user can act on. */
	message: string;
}

// A record, so the compiler checks that every code is listed.
const CODES: Record<RunErrorCode, true> = {
	unreachable: true,
	auth: true,
	not_found: true,
	rate_limited: true,
	server: true,
	bad_request: true,
	timeout: true,
	aborted: true,
	missing_key: true,
	bad_response: true,
	no_model: true,
	sandbox: true,
	empty_reply: true,
	limit_reached: true,
	internal: true,
};

export const isRunErrorCode = (value: unknown): value is RunErrorCode => typeof value === 'string' && Object.hasOwn(CODES, value);

/** An error the engine raises itself, with its code (a backend's errors carry theirs already). */
export class CodedError extends Error {
	constructor(
		readonly code: RunErrorCode,
		message: string,
	) {
		super(message);
		this.name = 'CodedError';
	}
}

/** Any thrown value as {code, message}: the code it carries (BackendError, EngineError), else
 * 'internal'; the message's first line. */
export function runErrorOf(error: unknown): RunError {
	const carried = typeof error === 'object' && error !== null ? (error as {code?: unknown}).code : undefined;
	const text = error instanceof Error ? error.message : String(error);
	return {code: isRunErrorCode(carried) ? carried : 'internal', message: text.split('\n')[0]!};
}
