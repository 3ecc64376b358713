// A headless question in the log before the engine is loaded: the command line has it (-p, or
// read from stdin) a few hundred ms before the engine takes it in (the SDKs, the engine and the
// sandbox's modules load meanwhile). A process ended in that time (a hang-up, a kill) would lose a
// piped question. So main.ts writes its metadata line, marked queued, as soon as it has it, with
// the few modules this needs; Rlm.completion's takenIn then takes the file over (jsonl-log.ts
// queueTurn) and completes the line.
import {randomBytes} from 'node:crypto';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {makeDirectory} from '../protocol/make-dir.js';
import {jsonText} from '../text/json-text.js';
import {logFileName, type SessionOrigin} from './log-names.js';
import {metadataFromFields} from './metadata-record.js';

/** A question written to the log before its engine took it in. */
export interface TakenIn {
	path: string;
	sessionId: string;
	runId: string;
}

export interface EarlyQuestion {
	dir: string;
	origin: SessionOrigin;
	question: string;
	backend: string;
	model: string;
	maxIterations: number;
	maxDepth: number;
	/** With --resume: the session it will be a turn of, and which turn (default: turn 1 of a new one). */
	session?: {sessionId: string; turn: number};
}

/** Writes `early.question` as turn 1 of a new session (or the turn `early.session` names), queued;
 * undefined when it cannot be written (the engine then logs it as it takes it in, and says why it
 * cannot if that fails too). */
export function writeEarlyQuestion(early: EarlyQuestion): TakenIn | undefined {
	const sessionId = early.session?.sessionId ?? randomBytes(4).toString('hex');
	const turn = early.session?.turn ?? 1;
	const runId = `run_${randomBytes(6).toString('hex')}`;
	const now = new Date().toISOString();
	const record = metadataFromFields({
		timestamp: now,
		model: early.model,
		maxDepth: early.maxDepth,
		maxIterations: early.maxIterations,
		backend: early.backend,
		rlmTui: {
			version: 1,
			session_id: sessionId,
			origin: early.origin,
			run_id: runId,
			turn,
			question: early.question,
			// No context yet: it may still be read (-c, a pipe). The engine's line has it.
			queued: true,
		},
	});
	try {
		makeDirectory(early.dir, 0o700);
		const path = join(early.dir, logFileName(now.slice(0, 19).replace('T', '_').replace(/:/g, '-'), early.origin, sessionId, turn, runId));
		writeFileSync(path, `${jsonText(record)}\n`, {mode: 0o600, flag: 'wx'});
		return {path, sessionId, runId};
	} catch {
		return undefined;
	}
}
