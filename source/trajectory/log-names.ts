// The names of trajectory log files, written and read in this one place:
// rlm_<UTC stamp>_<session id, 8 hex digits>_t<turn>_<the run id's last 6 characters>.jsonl
import {basename} from 'node:path';

const pattern = /^rlm_.*_([0-9a-f]{8})_t(\d+)_\w+\.jsonl$/;

/** The file name of one run's log (`stamp`: when it was opened, e.g. 2026-12-01_04-30-00). */
export function logFileName(stamp: string, sessionId: string, turn: number, runId: string): string {
	return `rlm_${stamp}_${sessionId}_t${turn}_${runId.slice(-6)}.jsonl`;
}

/** The session and turn a log file belongs to (a path or a bare name); undefined for other files. */
export function parseLogFileName(path: string): {sessionId: string; turn: number} | undefined {
	const match = pattern.exec(basename(path));
	return match ? {sessionId: match[1]!, turn: Number(match[2])} : undefined;
}
