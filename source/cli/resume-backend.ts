// --resume without -b, -u or -m continues on the backend, base URL and model the resumed session
// last used, not on the defaults (the session's code and answers came from that model). A base
// URL whose credentials or query the log does not keep cannot be used again: the user is told to
// pass it. --header values and API keys are never logged: they come from the environment and the
// settings for the backend, as for any run.
import {findLastSession} from '../engine/last-session.js';
import {isBackendName} from '../protocol/backends.js';
import type {Flags} from '../settings/resolve.js';
import {tell} from './tell.js';

/** The backend flags the session --resume will bring back implies (empty when the user chose a
 * backend, URL or model, or there is no such session). Says on `stderr` what it chose.
 * Throws LogReadError on an unreadable log (the resume itself would fail on it too). */
export function resumedBackendFlags(flags: Pick<Flags, 'backend' | 'backendUrl' | 'model'>, logDir: string | undefined, stderr: NodeJS.WritableStream): Partial<Flags> {
	if ([flags.backend, flags.backendUrl, flags.model].some((value) => value?.trim())) return {};
	// The app and the headless CLI resume the same sessions (last-session.ts's resumableOrigins).
	const found = findLastSession(logDir, 'tui');
	if (found.status !== 'found' || !isBackendName(found.backend.backend)) return {};
	const {backend, model, baseURL, urlIncomplete} = found.backend;
	const chosen: Partial<Flags> = {backend, ...(model ? {model} : {}), ...(baseURL && !urlIncomplete ? {backendUrl: baseURL} : {})};
	const where = `${backend}${baseURL ? ` at ${baseURL}` : ''}${model ? `, model ${model}` : ''}`;
	tell(
		stderr,
		urlIncomplete
			? `rlm-tui: the resumed session used ${where}; its URL held credentials or a query that the log does not keep: pass it again with -u URL (-b, -m choose another backend or model)`
			: `rlm-tui: resuming on the session's backend: ${where} (-b, -u, -m choose another)`,
	);
	return chosen;
}
