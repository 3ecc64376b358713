// Which logged session --resume and /resume bring back: the newest in the log dir written by a
// front end the asking one may resume (never a serve or mcp client's), other than the asking
// session, read into turns. Every front end resumes through Rlm.resumeLast, which uses this.
import {defaultLogDir} from '../trajectory/jsonl-log.js';
import {parseLogFileName, type SessionOrigin} from '../trajectory/log-names.js';
import {lastSessionFiles, readTrajectoryLog, type TrajectoryLog} from '../trajectory/read-log.js';
import {resumeTurns, type ResumeTurn} from '../trajectory/resume.js';
import type {VariableInfo} from '../protocol/repl.js';

export interface ResumeSummary {
	turns: number;
	blocks: number;
	failedBlocks: number;
	/** Turns whose context was too big to log (re-run against the current context instead). */
	missingContexts: number;
	variables: VariableInfo[];
}

/** What Rlm.resumeLast did: `off` (logging is off), `none` (no earlier session in `dir`), or
 * `resumed` with the turns brought back (questions and answers, for a transcript) and the summary. */
export type ResumeLastResult =
	| {status: 'off'}
	| {status: 'none'; dir: string}
	| {status: 'resumed'; dir: string; turns: ResumeTurn[]; summary: ResumeSummary};

/** `logs`: the session's files as read, oldest turn first (a front end draws their trees). */
export type LastSession =
	| {status: 'off'}
	| {status: 'none'; dir: string}
	| {status: 'found'; dir: string; sessionId: string | undefined; turns: ResumeTurn[]; logs: TrajectoryLog[]};

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

/** The newest session logged in `logDir` (default: the user's log dir; false: logging is off)
 * that the front end `origin` may resume (resumableOrigins) other than `exceptSession`, its logs
 * read into turns. Throws LogReadError on an unreadable log. */
export function findLastSession(logDir: string | false | undefined, origin: SessionOrigin, exceptSession?: string): LastSession {
	if (logDir === false) return {status: 'off'};
	const dir = logDir ?? defaultLogDir();
	const origins = resumableOrigins(origin);
	const files = origins.length ? lastSessionFiles(dir, origins, exceptSession) : [];
	if (files.length === 0) return {status: 'none', dir};
	const logs = files.map((file) => readTrajectoryLog(file));
	return {status: 'found', dir, sessionId: parseLogFileName(files[0]!)?.sessionId, turns: resumeTurns(logs), logs};
}
