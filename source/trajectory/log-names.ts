// The names of trajectory log files, written and read in this one place:
// rlm_<UTC stamp>_<origin>_<session id, 8 hex digits>_t<turn>_<the run id's last 6 characters>.jsonl
// Files written before the origin was recorded have none: rlm_<stamp>_<session>_t<turn>_<run>.jsonl
import {basename, join} from 'node:path';
import envPaths from 'env-paths';

/** Where the logs go unless --log-dir (the library's logDir) says otherwise. */
export const defaultLogDir = () => join(envPaths('rlm-tui', {suffix: ''}).log, 'trajectories');

/** The front end that wrote a session: the app (`tui`), the headless CLI (`headless`), a library
 * caller (`library`), `rlm-tui serve` (`serve`) or `rlm-tui mcp` (`mcp`). */
export const sessionOrigins = ['tui', 'headless', 'library', 'serve', 'mcp'] as const;
export type SessionOrigin = (typeof sessionOrigins)[number];

const pattern = new RegExp(`^rlm_.*?_(?:(${sessionOrigins.join('|')})_)?([0-9a-f]{8})_t(\\d+)_\\w+\\.jsonl$`);

/** The file name of one run's log (`stamp`: when it was opened, e.g. 2026-12-01_04-30-00). */
export function logFileName(stamp: string, origin: SessionOrigin, sessionId: string, turn: number, runId: string): string {
	return `rlm_${stamp}_${origin}_${sessionId}_t${turn}_${runId.slice(-6)}.jsonl`;
}

/** The session and turn a log file belongs to (a path or a bare name), and the front end that
 * wrote it (undefined in files from before it was recorded); undefined for other files. */
export function parseLogFileName(path: string): {sessionId: string; turn: number; origin: SessionOrigin | undefined} | undefined {
	const match = pattern.exec(basename(path));
	return match ? {sessionId: match[2]!, turn: Number(match[3]), origin: match[1] as SessionOrigin | undefined} : undefined;
}
