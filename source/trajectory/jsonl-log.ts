// Crash-safe JSONL trajectories: one file per root run, in the original RLM's schema. Each line
// is written (synchronously, to the OS) the moment its iteration ends, so a killed process
// leaves every finished iteration readable.
import {closeSync, existsSync, openSync, renameSync, rmSync, writeFileSync, writeSync} from 'node:fs';
import {makeDirectory} from '../protocol/make-dir.js';
import {jsonText} from '../text/json-text.js';
import {join} from 'node:path';
import type {ChatMessage} from '../protocol/llm.js';
import type {RlmEvent, RlmEventBody} from '../protocol/events.js';
import type {SandboxContext} from '../protocol/repl.js';
import {logFileName, type SessionOrigin} from './log-names.js';
import {contextFingerprint} from './context-fingerprint.js';
import {iterationIds, iterationRecord, metadataRecord, runErrorRecord, runNotices, runTimeRecord, type OriginalIteration, type PromptLookup} from './original-schema.js';
import {emptyTrajectory, findRun, getNode, reduceTrajectory, type RunNode, type TrajectoryState} from './tree.js';

/** Contexts up to this many characters (texts, and other values as JSON text) are kept in the log
 * so --resume can restore them. */
export const maxLoggedContextChars = 1_000_000;

export {defaultLogDir} from './log-names.js';

export interface TurnInfo {
	runId: string;
	turn: number;
	question: string;
	context: SandboxContext;
	/** The question was its own context (no separate context was set). */
	contextIsPrompt: boolean;
	/** Its context is not known: it waits for what may set one (a /context still reading, a
	 * resume), or was cancelled before that was done. Its line says nothing of a context. */
	contextPending?: true;
	subModel?: string;
	/** The session the turn belongs to, when it is not the logger's own (a turn queued behind a
	 * resume belongs to the session the resume brings back). */
	sessionId?: string;
	/** The file its queued line was written to when the question was taken in (queueTurn): the
	 * run's log takes that file over, so the question is in exactly one file from then on. */
	queuedPath?: string;
}

/** What a run's metadata line records of its session (read when the run starts). */
export interface LogRunInfo {
	maxDepth: number;
	/** The backend's base URL as its SDK uses it (secrets redacted). */
	baseURL?: string | undefined;
	/** The base URL the session was given carried credentials or a query the logged one lacks. */
	baseURLIncomplete?: boolean;
	/** The sub-call backend's base URL, when sub-calls go to another backend (secrets redacted). */
	subBaseURL?: string | undefined;
	origin: SessionOrigin;
}

/** A root run's start as far as it is known before the run begins (its model may still be chosen). */
export type RunStartBody = Extract<RlmEventBody, {type: 'run.start'}>;

interface OpenRun {
	fd: number;
	path: string;
	runId: string;
	written: Set<number>;
	/** The metadata line written when the question was asked, before the run started; its run.start
	 * completes it. */
	early?: {line: string; startedAt: number};
}

const stamp = () => new Date().toISOString().slice(0, 19).replace('T', '_').replace(/:/g, '-');

export class TrajectoryLogger {
	#state: TrajectoryState = emptyTrajectory();
	#prompts = new Map<string, ChatMessage[]>();
	#turn: TurnInfo | null = null;
	#open: OpenRun | null = null;
	#failed = false;
	readonly files: string[] = [];

	constructor(
		readonly dir: string,
		readonly sessionId: string,
		private readonly run: LogRunInfo,
		private readonly onError: (message: string, runId: string) => void,
	) {}

	/**
	 * Called when a root run is asked for, before anything it waits for (the model list, the
	 * sandbox, a tools file), with what events do not carry (the context itself). With `start`, the
	 * run's start as known now, its log file is opened and its metadata line written at once: a
	 * process killed while the question waits still leaves the question in the log (an unfinished
	 * turn). The run's own run.start completes that line.
	 */
	beginTurn(turn: TurnInfo, start?: RunStartBody): void {
		this.#turn = turn;
		if (start) this.#guard(turn.runId, () => this.#openEarly(turn, start));
	}

	/**
	 * Writes the question's metadata line, marked `queued`, to a file of its own the moment the
	 * question is taken in, while it still waits for what runs before it (a resume re-running its
	 * code, an earlier question, a /context still reading): a process killed meanwhile leaves it in
	 * the log, where --resume shows it as a question that was never started. Its run's beginTurn
	 * takes the file over. Returns the file's path; undefined when it could not be written (the
	 * run then logs from its start, which reports a log it cannot write).
	 */
	queueTurn(turn: TurnInfo, start: RunStartBody, writtenEarly?: string): string | undefined {
		if (this.#failed) return undefined;
		try {
			makeDirectory(this.dir, 0o700);
			const path = join(this.dir, logFileName(stamp(), this.run.origin, turn.sessionId ?? this.sessionId, turn.turn, turn.runId));
			const run = findRun(reduceTrajectory(emptyTrajectory(), {...start, t: performance.now()}), turn.runId)!;
			const line = this.#lineOf(this.#metadata(run, turn, true));
			// Written before the engine was loaded (early-question.ts): moved to its turn's name (one
			// rename: the question is in one file at any time), then its line completed.
			if (writtenEarly) {
				try {
					if (writtenEarly !== path) renameSync(writtenEarly, path);
					writeFileSync(`${path}.next`, line, {mode: 0o600});
					renameSync(`${path}.next`, path);
					return path;
				} catch {
					rmSync(`${path}.next`, {force: true});
					if (existsSync(path)) return path;
				}
			}
			writeFileSync(path, line, {mode: 0o600, flag: 'wx'});
			return path;
		} catch {
			// The run's own start writes it again, and says so if it cannot either.
			return undefined;
		}
	}

	handle(event: RlmEvent): void {
		this.#guard('runId' in event ? event.runId : undefined, () => this.#handle(event));
	}

	#guard(runId: string | undefined, work: () => void): void {
		if (this.#failed) return;
		try {
			work();
		} catch (error) {
			this.#failed = true;
			this.#close();
			this.onError(`Trajectory log turned off: cannot write to ${this.dir} (${error instanceof Error ? error.message : String(error)})`, runId ?? this.#open?.runId ?? '');
		}
	}

	#handle(event: RlmEvent): void {
		const rootStart = event.type === 'run.start' && event.parentCallId === undefined;
		const startsEarly = rootStart && this.#open?.early !== undefined && this.#open.runId === event.runId;
		if (rootStart) {
			if (!startsEarly) this.#close();
			this.#state = emptyTrajectory();
			this.#prompts.clear();
		}
		this.#state = reduceTrajectory(this.#state, event);
		if (event.type === 'llm.start' && event.prompt) this.#prompts.set(`${event.runId}#${event.iteration}`, event.prompt);

		if (startsEarly) this.#completeEarly(event.runId);
		else if (rootStart) this.#openRun(event.runId);
		else if (event.type === 'iter.start' && this.#open?.runId === event.runId) this.#writeFinished(false);
		else if (event.type === 'run.done' && this.#open?.runId === event.runId) {
			this.#writeFinished(true);
			this.#close();
		}
	}

	#openRun(runId: string) {
		const run = findRun(this.#state, runId)!;
		this.#openFile(runId);
		this.#writeLine(this.#metadata(run));
	}

	/** Removes a queued question's file (queueTurn): its asker took it back before its run began. */
	withdrawTurn(queuedPath: string): void {
		rmSync(queuedPath, {force: true});
	}

	/** The question's metadata line, written before its run starts (beginTurn). */
	#openEarly(turn: TurnInfo, start: RunStartBody) {
		this.#close();
		const startedAt = performance.now();
		const run = findRun(reduceTrajectory(emptyTrajectory(), {...start, t: startedAt}), turn.runId)!;
		const line = this.#lineOf(this.#metadata(run));
		if (turn.queuedPath && this.#adoptQueued(turn.runId, turn.queuedPath, line)) {
			this.#open!.early = {line, startedAt};
			return;
		}
		this.#openFile(turn.runId);
		this.#open!.early = {line, startedAt};
		writeSync(this.#open!.fd, line);
	}

	/** The run's early line replaces its queued one in the queued file (a new file renamed over it:
	 * the question is never out of the log). False when that file is gone (the run then opens a new one). */
	#adoptQueued(runId: string, path: string, line: string): boolean {
		const next = `${path}.next`;
		writeFileSync(next, line, {mode: 0o600});
		try {
			renameSync(next, path);
		} catch {
			rmSync(next, {force: true});
			return false;
		}
		this.files.push(path);
		this.#open = {fd: openSync(path, 'a', 0o600), path, runId, written: new Set()};
		return true;
	}

	/**
	 * The run began: its metadata line, dated when the question was asked, replaces the early one
	 * when the run settled something it did not know (the model the server lists first, the
	 * sub-model). Only that line is in the file, and the new file takes its place by a rename: the
	 * question is never out of the log.
	 */
	#completeEarly(runId: string) {
		const open = this.#open!;
		const early = open.early!;
		delete open.early;
		const run = findRun(this.#state, runId)!;
		const line = this.#lineOf(this.#metadata({...run, startedAt: early.startedAt}));
		if (line === early.line) return;
		const next = `${open.path}.next`;
		writeFileSync(next, line, {mode: 0o600});
		renameSync(next, open.path);
		closeSync(open.fd);
		open.fd = openSync(open.path, 'a', 0o600);
	}

	#openFile(runId: string) {
		makeDirectory(this.dir, 0o700);
		const turn = this.#turn?.runId === runId ? this.#turn : null;
		const path = join(this.dir, logFileName(stamp(), this.run.origin, turn?.sessionId ?? this.sessionId, turn?.turn ?? 0, runId));
		const fd = openSync(path, 'a', 0o600);
		this.files.push(path);
		this.#open = {fd, path, runId, written: new Set()};
	}

	/** A run's metadata line; `queued`: its question waits its turn (queueTurn). */
	#metadata(run: RunNode, queuedTurn?: TurnInfo, queued = false) {
		const turn = queuedTurn ?? (this.#turn?.runId === run.runId ? this.#turn : null);
		const contextPending = turn?.contextPending === true;
		const known = contextPending ? null : turn;
		const keepContext = known && !known.contextIsPrompt && run.context.chars <= maxLoggedContextChars;
		return (
			metadataRecord(run, {
				maxDepth: this.run.maxDepth,
				...(this.run.baseURL ? {baseURL: this.run.baseURL} : {}),
				rlmTui: {
					version: 1,
					session_id: turn?.sessionId ?? this.sessionId,
					origin: this.run.origin,
					...(this.run.baseURLIncomplete ? {base_url_incomplete: true} : {}),
					...(this.run.subBaseURL ? {sub_base_url: this.run.subBaseURL} : {}),
					run_id: run.runId,
					turn: turn?.turn ?? 0,
					question: run.question,
					...(contextPending ? {} : {context: run.context, context_char_unit: 'code_point' as const}),
					...(known?.contextIsPrompt ? {context_is_prompt: true} : {}),
					...(keepContext ? {context_text: known.context} : {}),
					...(known && !known.contextIsPrompt && !keepContext ? {context_fingerprint: contextFingerprint(known.context)} : {}),
					...(turn?.subModel ? {sub_model: turn.subModel} : {}),
					...(run.system ? {system: run.system} : {}),
					...(queued ? {queued: true} : {}),
				},
			})
		);
	}

	/** Writes every iteration not yet written; all but the running one unless the run is over. */
	#writeFinished(runOver: boolean) {
		const open = this.#open!;
		const run = findRun(this.#state, open.runId)!;
		const ids = iterationIds(this.#state, run);
		const prompts: PromptLookup = (runId, iteration) => this.#prompts.get(`${runId}#${iteration}`) ?? [];
		const ready = runOver ? ids : ids.slice(0, -1);
		ready.forEach((id, index) => {
			if (open.written.has(id)) return;
			const record: OriginalIteration = iterationRecord(this.#state, id, prompts, this.run.maxDepth);
			const notices = index === 0 ? runNotices(this.#state, run) : [];
			if (notices.length) record.rlm_tui = {...record.rlm_tui!, run_notices: notices};
			if (runOver && index === ready.length - 1) {
				record.rlm_tui = {
					...record.rlm_tui!,
					...(run.runStatus ? {run_status: run.runStatus} : {}),
					...runTimeRecord(run),
					...(run.answer !== undefined ? {answer: run.answer} : {}),
					...runErrorRecord(run),
					...(run.limit ? {run_limit: run.limit} : {}),
					...(run.limits ? {limits: run.limits} : {}),
				};
				// A forced answer, or a prose FINAL(...) (no block submitted it): the run's answer is this iteration's.
				if ((run.runStatus === 'forced' || run.runStatus === 'answered') && record.final_answer === null) record.final_answer = run.answer ?? null;
			}
			this.#writeLine(record);
			open.written.add(id);
		});
		// A run that ended before any iteration (e.g. the server was unreachable) still says why.
		if (runOver && ids.length === 0 && run.runStatus) {
			const node = getNode(this.#state, run.id);
			const notices = runNotices(this.#state, run);
			if (node) this.#writeLine({type: 'iteration', iteration: 0, timestamp: new Date().toISOString(), prompt: [], response: '', code_blocks: [], final_answer: null, iteration_time: 0, rlm_tui: {usage: run.usage, run_status: run.runStatus, ...runTimeRecord(run), ...runErrorRecord(run), ...(notices.length ? {run_notices: notices} : {})}});
		}
	}

	// jsonText: `cat` of a log must not drive the terminal with a model's C1 controls or bidi overrides.
	#writeLine(record: unknown) {
		writeSync(this.#open!.fd, this.#lineOf(record));
	}

	#lineOf(record: unknown): string {
		return `${jsonText(record)}\n`;
	}

	#close() {
		if (!this.#open) return;
		try {
			closeSync(this.#open.fd);
		} finally {
			this.#open = null;
		}
	}

	dispose(): void {
		this.#close();
	}
}
