// What the TUI tells a user to do when something fails: its own advice (commands), in place of
// the command line's (flags).
import {presetOf} from '../protocol/backends.js';
import {runErrorOf, type RunErrorCode} from '../protocol/errors.js';
import {redactSecrets} from '../protocol/redact.js';

/** The backend check failed (`error`: what checkBackend threw): what failed, and the commands that help. */
export function unreachableHint(backend: string, baseURL: string | undefined, error: unknown): string {
	const {code, message} = runErrorOf(error);
	const where = baseURL ? ` at ${redactSecrets(baseURL)}` : '';
	// An unreachable backend's own message already names the URL (its advice, about flags, is apart and left out).
	const what = code === 'unreachable' ? message : `Cannot reach the ${backend} backend${where}: ${message}.`;
	const start = presetOf(backend)?.start;
	const how = backend === 'openai' ? ' (for Ollama: `ollama serve`)' : start ? ` (${start})` : '';
	return `${what} Start the server${how}, fix the URL with /backend ${backend} URL, or try the offline demo model: /backend demo`;
}

/** A failed question as the TUI says it: the error's message, then the TUI's advice for its code,
 * or else the error's own advice (a backend's "Wait a moment and try again."). */
export function failureText(failure: {error?: string; errorCode?: RunErrorCode; errorAdvice?: string}): string {
	const message = failure.error ?? 'the completion failed';
	const advice = failureAdvice(failure.errorCode) ?? failure.errorAdvice;
	return advice ? `${message} ${advice}` : message;
}

/** What to do about a failed question, by its error code (undefined: nothing to add). */
export function failureAdvice(code: RunErrorCode | undefined): string | undefined {
	switch (code) {
		case 'unreachable':
		case 'timeout':
		case 'bad_response':
			return 'Check the server or the URL (/backend NAME URL), or try the offline demo: /backend demo';
		case 'not_found':
		case 'no_model':
			return 'Pick another model with /model.';
		default:
			return undefined;
	}
}
