// What the TUI tells a user to do when something fails: its own advice (commands), in place of
// the command line's (flags).
import {keyEnvOf, presetOf, type BackendName} from '../protocol/backends.js';
import {runErrorOf, withAdvice, type RunErrorCode} from '../protocol/errors.js';
import {redactSecrets} from '../protocol/redact.js';

/** The backend check failed (`error`: what checkBackend threw): what failed, and the commands that help.
 * A backend's own message names its URL (its advice, about flags, is apart and left out); a server
 * that answered is not "unreachable". */
export function unreachableHint(backend: string, baseURL: string | undefined, error: unknown): string {
	const {code, message} = runErrorOf(error);
	if (code === 'missing_key' || code === 'auth') return `${sentence(message)} ${keyAdvice(keyEnvOf(backend as BackendName, baseURL))}`;
	// The server is the one meant: the account behind the key has no credits (its advice says where).
	if (code === 'insufficient_quota') return withAdvice(runErrorOf(error));
	const fix = `fix the URL with /backend ${backend} URL, or try the offline demo model: /backend demo`;
	if (code !== 'unreachable' && code !== 'internal') return `${sentence(message)} Check that the server at that URL is the one meant, ${fix}`;
	const where = baseURL ? ` at ${redactSecrets(baseURL)}` : '';
	const what = code === 'unreachable' ? message : `Cannot reach the ${backend} backend${where}: ${message}`;
	const start = presetOf(backend)?.start;
	const how = backend === 'openai' ? ' (for Ollama: `ollama serve`)' : start ? ` (${start})` : '';
	return `${sentence(what)} Start the server${how}, ${fix}`;
}

/** Where the app takes an API key from: the environment or -k, read at start (never the settings file). */
export function keyAdvice(env = 'the backend’s key variable'): string {
	return `The app reads API keys only when it starts: /quit, then start it again with ${env} set (or with -k KEY); /backend demo needs none.`;
}

/** A text ending in one full stop (or its own ! ? …), so that a sentence joined after it reads right. */
export function sentence(text: string): string {
	const trimmed = text.trimEnd();
	return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** A failed question as the TUI says it: the error's message, then the TUI's advice for its code,
 * or else the error's own advice (a backend's "Wait a moment and try again."). */
export function failureText(failure: {error?: string; errorCode?: RunErrorCode; errorAdvice?: string}): string {
	const message = failure.error ?? 'the completion failed';
	const advice = failureAdvice(failure.errorCode) ?? failure.errorAdvice;
	return advice ? `${sentence(message)} ${advice}` : message;
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
		case 'missing_key':
		case 'auth':
			return keyAdvice();
		default:
			return undefined;
	}
}
