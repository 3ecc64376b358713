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
	/** The model's replies had no answer text (empty, or only reasoning) twice in a row; for a
	 * sub-call, its one reply had none. */
	| 'empty_reply'
	/** The model refused twice in a row (OpenAI's `refusal` field): its words are in the message. */
	| 'refused'
	/** A sub-call's prompt was over maxPromptBytes or over the sub-model's context window: not sent. */
	| 'prompt_too_large'
	/** A run-wide limit stopped the run (status `limited`, `limit` names it; not a failure: the
	 * answer is the best it had). */
	| 'limit_reached'
	/** Anything else (a bug, an unexpected exception). */
	| 'internal';

/** An error as runs and sub-calls report it (`error` + `errorCode` on results and events). */
export interface RunError {
	code: RunErrorCode;
	/** One line: what went wrong (no advice, no "Error:" prefix). */
	message: string;
	/** What to do about it, in the command line's words (flags), when the raiser knows: a backend's
	 * "Start the server (`ollama serve`), pass -u URL, or try -b demo.". Front ends with their own
	 * words (the TUI's commands) leave it out and advise from the code. */
	advice?: string;
}

// A record, so the compiler checks that every code is listed.
const CODES: Record<RunErrorCode, true> = {
	unreachable: true,
	auth: true,
	not_found: true,
	rate_limited: true,
	insufficient_quota: true,
	server: true,
	bad_request: true,
	timeout: true,
	aborted: true,
	missing_key: true,
	bad_response: true,
	no_model: true,
	sandbox: true,
	empty_reply: true,
	refused: true,
	prompt_too_large: true,
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

/** Any thrown value as {code, message, advice?}: the code it carries (BackendError, CodedError),
 * else 'internal'; the message's first line; the `advice` it carries (BackendError), if any. */
export function runErrorOf(error: unknown): RunError {
	const fields = typeof error === 'object' && error !== null ? (error as {code?: unknown; advice?: unknown}) : {};
	const text = error instanceof Error ? error.message : String(error);
	const advice = typeof fields.advice === 'string' && fields.advice ? {advice: fields.advice} : {};
	return {code: isRunErrorCode(fields.code) ? fields.code : 'internal', message: text.split('\n')[0]!, ...advice};
}

/** An error's message and its advice as one text, for a front end that shows the raiser's advice
 * (the command line): "Cannot reach ... refused. Start the server ..., pass -u URL, or try -b demo." */
export function withAdvice(error: {message: string; advice?: string}): string {
	return error.advice ? `${error.message} ${error.advice}` : error.message;
}
