// Which logged session --resume and /resume bring back: the newest in the log dir written by a
// front end the asking one may resume (never a serve or mcp client's), other than the asking
// session, read into turns. Every front end resumes through Rlm.resumeLast, which uses this.
import {defaultLogDir} from '../trajectory/jsonl-log.js';
import {parseLogFileName, type SessionOrigin} from '../trajectory/log-names.js';
import {readTrajectoryLog, sessionLogs, type TrajectoryLog} from '../trajectory/read-log.js';
import {reachedModel, resumeTurns, type ResumeTurn, type SkippedBlock} from '../trajectory/resume.js';
import {REDACTED} from '../protocol/redact.js';
import type {VariableInfo} from '../protocol/repl.js';

export interface ResumeSummary {
	turns: number;
	/** Blocks re-run, those that raised when logged included. */
	blocks: number;
	/** Re-run blocks that succeeded when logged and fail now. */
	failedBlocks: number;
	/** Blocks not re-run because a limit stopped them when logged (timeout, interrupt, memory...). */
	skippedBlocks: SkippedBlock[];
	/** Re-run blocks that raised when logged and now raise another error (or none): the error
	 * lines (resume.ts errorHeadline), logged and now. */
	changedErrors: Array<{logged: string; now: string}>;
	/** Turns whose context was too big to log, re-run against the session's context (-c, /context),
	 * which has the logged type and size. */
	missingContexts: number;
	/** Turns whose context was too big to log and is not the session's (there is none, or its type
	 * or size differs): their code was not re-run, so what it made is missing. */
	unrestoredContexts: number;
	/** A context was given for the session (-c, /context) when it was resumed. */
	contextGiven: boolean;
	variables: VariableInfo[];
}

/** What Rlm.resumeLast did: `off` (logging is off), `none` (no earlier session in `dir`), or
 * `resumed` with the turns brought back (questions and answers, for a transcript) and the summary. */
export type ResumeLastResult =
	| {status: 'off'}
	| {status: 'none'; dir: string}
	| {status: 'resumed'; dir: string; turns: ResumeTurn[]; summary: ResumeSummary; session: SessionLabel};

/** Which session a resume brought back, for the user: when its first question was logged (ISO
 * time, '' when the log has none) and how many newer sessions were passed over (their logs held
 * nothing: the process ended before it wrote a line). */
export interface SessionLabel {
	started: string;
	emptyNewer: number;
}

/** `logs`: the session's files as read, oldest turn first (a front end draws their trees). */
export type LastSession =
	| {status: 'off'}
	| {status: 'none'; dir: string}
	| {status: 'found'; dir: string; sessionId: string | undefined; turns: ResumeTurn[]; logs: TrajectoryLog[]; backend: SessionBackend; session: SessionLabel};

/** Where a logged session's last turn that reached a model went, from its metadata: `backend` (a kind or preset name),
 * `model`, and `baseURL` as logged; baseURL is absent for a backend without one (demo).
 * `urlIncomplete`: the URL the session was given held credentials or a query that the log does
 * not keep (or shows as [redacted]), so the logged one cannot stand in for it. */
export interface SessionBackend {
	backend: string;
	model: string;
	baseURL?: string;
	urlIncomplete: boolean;
}

function sessionBackend(log: TrajectoryLog): SessionBackend {
	const url = log.metadata.backend_kwargs.base_url;
	const baseURL = typeof url === 'string' && url ? url : undefined;
	const incomplete = (log.metadata.rlm_tui as {base_url_incomplete?: unknown} | undefined)?.base_url_incomplete === true;
	return {backend: log.metadata.backend, model: log.metadata.root_model, ...(baseURL ? {baseURL} : {}), urlIncomplete: incomplete || Boolean(baseURL?.includes(REDACTED))};
}

/**
 * The sessions a front end's "resume the last session" may bring back. The app and the headless
 * CLI are one user at one terminal: each resumes the other's. A library caller resumes its own
 * kind. serve and mcp answer many clients, so their sessions are nobody's to resume (a client's
 * questions, answers and REPL variables must not reach another client or the terminal user), and
 * they resume none.
 */
export function resumableOrigins(origin: SessionOrigin): readonly SessionOrigin[] {
	if (origin === 'tui' || origin === 'headless') return ['tui', 'headless'];
	if (origin === 'library') return ['library'];
	return [];
}

/** Where a run that resumes logs its question before it resumes (cli/main.ts): the newest session
 * findLastSession would bring back, by the names and sizes of its files alone (none is read), and
 * the turn the question will be; undefined when there is none. */
export function nextTurnOfLastSession(logDir: string | undefined, origin: SessionOrigin): {sessionId: string; turn: number} | undefined {
	const origins = resumableOrigins(origin);
	for (const files of origins.length ? sessionLogs(logDir ?? defaultLogDir(), origins) : []) {
		const kept = files.filter((file) => file.size > 0);
		const sessionId = kept.length ? parseLogFileName(kept[0]!.path)?.sessionId : undefined;
		if (sessionId) return {sessionId, turn: kept.length + 1};
	}
	return undefined;
}

/** The newest session logged in `logDir` (default: the user's log dir; false: logging is off)
 * that the front end `origin` may resume (resumableOrigins) other than `exceptSession`, its logs
 * read into turns. Every question that reached the log is a turn, however early it ended: one
 * cancelled, failed or killed before any model reply comes back with its question and no answer.
 * Only an empty file (the process ended between creating it and writing its first line) holds
 * nothing; a session of only such files is passed over and counted (SessionLabel.emptyNewer).
 * Throws LogReadError on an unreadable log. */
export function findLastSession(logDir: string | false | undefined, origin: SessionOrigin, exceptSession?: string, exceptFile?: string): LastSession {
	if (logDir === false) return {status: 'off'};
	const dir = logDir ?? defaultLogDir();
	const origins = resumableOrigins(origin);
	let emptyNewer = 0;
	for (const files of origins.length ? sessionLogs(dir, origins, exceptSession, exceptFile) : []) {
		// Sized when the dir was listed: an empty file (see above) is not read.
		const logs = files.filter((file) => file.size > 0).map((file) => readTrajectoryLog(file.path));
		if (logs.length === 0) {
			emptyNewer++;
			continue;
		}
		return {
			status: 'found',
			dir,
			sessionId: parseLogFileName(files[0]!.path)?.sessionId,
			turns: resumeTurns(logs),
			logs,
			// A turn that never reached a model (a wrong URL, a server down) does not choose the
			// backend a resume continues on: the last one that answered does.
			backend: sessionBackend(logs.findLast((log) => reachedModel(log)) ?? logs.at(-1)!),
			session: {started: logs[0]!.metadata.timestamp, emptyNewer},
		};
	}
	return {status: 'none', dir};
}
