// What --resume needs from a session's logs: each turn's question and answer, its context when
// it was kept, and the code blocks with the sub-call answers they got, in order, from the REPL's
// last restart on (a restart wiped what the blocks before it made): those that succeeded or raised
// a Python exception are re-run (the live REPL kept what they set before they raised); those a
// limit stopped (timeout, interrupt, memory, crash) without a restart are not, as they could hang
// or blow up the resume again.
import type {CharUnit, ContextInfo} from '../protocol/events.js';
import {RESTARTED_BEFORE_BLOCK, type SandboxContext} from '../protocol/repl.js';
import type {TrajectoryLog} from './read-log.js';

export interface ResumeBlock {
	code: string;
	/** Sub-call responses in the order the block asked for them. */
	responses: string[];
	/** The error it raised when it ran, as logged: a re-run raising it again is expected. */
	loggedError?: string;
}

/** A logged block that resume does not re-run: `limit` is what stopped it (an ExecLimit such as
 * `timeout`, `cancelled`, `memory`, `crashed`, or a run-wide LimitName such as `maxTimeout`). */
export interface SkippedBlock {
	code: string;
	limit: string;
}

export interface ResumeTurn {
	question: string;
	/** null when the turn did not end with an answer (cancelled or failed). */
	answer: string | null;
	/** A turn without an answer whose run stopped (cancelled, limited) with a best answer so far:
	 * that answer, as the app showed it; not a final answer, so not in `history`. */
	bestSoFar?: string;
	/** How its run ended, as logged (`answered`, `cancelled`, `failed`...); `queued` when it never
	 * started (the process ended while the question waited its turn); undefined when the log ends
	 * before the run did (the process was killed or closed mid-run). */
	status?: string;
	/** 'prompt': the question was the context; 'logged': `context` holds it; 'missing': too big to log. */
	contextSource: 'prompt' | 'logged' | 'missing';
	context?: SandboxContext;
	/** For a 'missing' context: its type and size as logged, when the log has them. */
	contextInfo?: ContextInfo;
	/** What contextInfo.chars counts, when the log says (logs from 2026-12-02 on). */
	contextCharUnit?: CharUnit;
	/** For a 'missing' context: its fingerprint (context-fingerprint.ts), in logs from 2026-12 on. */
	contextFingerprint?: string;
	/** The blocks to run again (successful or raised), but for those a later restart of the REPL wiped. */
	blocks: ResumeBlock[];
	/** Blocks not re-run because a limit stopped them (in order). */
	skippedBlocks: SkippedBlock[];
}

interface Extra {
	question?: string;
	context?: ContextInfo;
	context_char_unit?: unknown;
	context_fingerprint?: string;
	context_text?: SandboxContext;
	context_is_prompt?: boolean;
	run_status?: string;
	queued?: boolean;
	answer?: string;
	ok?: boolean;
	error?: string;
	limit?: string;
	restarted?: boolean;
}

const isCharUnit = (value: unknown): value is CharUnit => value === 'code_point' || value === 'utf16_unit';

const extra = (value: unknown): Extra => (value && typeof value === 'object' ? value : {});

/** Whether a run got as far as a model reply: false for one that failed or was stopped before
 * (its only line then says why, or it has none). */
export function reachedModel(log: TrajectoryLog): boolean {
	return log.iterations.some((iteration) => iteration.response !== '' || iteration.code_blocks.length > 0 || iteration.final_answer !== null);
}

export function resumeTurns(logs: TrajectoryLog[]): ResumeTurn[] {
	/** The last turn whose REPL restarted: the turns before it have nothing left to run again. */
	let lastRestart = -1;
	const turns = logs.map((log, index): ResumeTurn => {
		const meta = extra(log.metadata.rlm_tui);
		let answer: string | null = null;
		let status: string | undefined;
		let blocks: ResumeBlock[] = [];
		let skippedBlocks: SkippedBlock[] = [];
		for (const iteration of log.iterations) {
			const more = extra(iteration.rlm_tui);
			if (more.run_status) status = more.run_status;
			if (more.answer !== undefined) answer = more.answer;
			if (iteration.final_answer !== null) answer = iteration.final_answer;
			for (const block of iteration.code_blocks) {
				const outcome = extra(block.result.rlm_tui);
				if (outcome.restarted) {
					blocks = [];
					skippedBlocks = [];
					lastRestart = index;
					// A restart after the block (it timed out, ran out of memory...) wiped its work too.
					if (!outcome.error?.includes(RESTARTED_BEFORE_BLOCK)) continue;
				}
				// 'output' only says the output was capped: the block itself ran to its end.
				if (outcome.limit && outcome.limit !== 'output') {
					skippedBlocks.push({code: block.code, limit: outcome.limit});
					continue;
				}
				const responses = block.result.rlm_calls.map((call) => call.response);
				blocks.push({code: block.code, responses, ...(outcome.ok === false ? {loggedError: outcome.error ?? ''} : {})});
			}
		}
		// Taken in, never started: the process ended while it waited its turn (jsonl-log.ts queueTurn).
		if (status === undefined && meta.queued === true && log.iterations.length === 0) status = 'queued';
		const answered = status === undefined ? answer !== null : status === 'answered' || status === 'forced' || (status === 'limited' && Boolean(answer));
		const question = meta.question ?? '';
		const source: ResumeTurn['contextSource'] =
			meta.context_is_prompt || meta.context_text === question ? 'prompt' : meta.context_text !== undefined ? 'logged' : 'missing';
		return {
			question,
			answer: answered ? (answer ?? '') : null,
			...(!answered && answer ? {bestSoFar: answer} : {}),
			...(status ? {status} : {}),
			contextSource: source,
			...(source === 'logged' ? {context: meta.context_text} : {}),
			...(source === 'missing' && meta.context ? {contextInfo: meta.context} : {}),
			...(source === 'missing' && isCharUnit(meta.context_char_unit) ? {contextCharUnit: meta.context_char_unit} : {}),
			...(source === 'missing' && meta.context_fingerprint ? {contextFingerprint: meta.context_fingerprint} : {}),
			blocks,
			skippedBlocks,
		};
	});
	return turns.map((turn, index) => (index < lastRestart ? {...turn, blocks: [], skippedBlocks: []} : turn));
}

/** The line of a Python error that names it (`ZeroDivisionError: division by zero`): its last
 * non-empty line, which a re-run gives again when the block fails the same way. */
export function errorHeadline(error: string | undefined): string {
	return (error ?? '').split('\n').map((line) => line.trim()).filter(Boolean).at(-1) ?? '';
}

const limitWords: Record<string, string> = {
	timeout: 'timed out',
	cancelled: 'interrupted',
	memory: 'out of memory',
	crashed: 'crashed the REPL',
};

/** What a resume says about its code blocks, for the user, as lines without a final period:
 * blocks a limit stopped (not re-run), blocks that fail now though they succeeded, and re-run
 * blocks that raise another error than the logged one. Empty when all went as logged. */
export function blockNotes(summary: {failedBlocks: number; skippedBlocks: readonly SkippedBlock[]; changedErrors: ReadonlyArray<{logged: string; now: string}>}): string[] {
	const notes: string[] = [];
	if (summary.skippedBlocks.length) {
		const counts = new Map<string, number>();
		for (const block of summary.skippedBlocks) counts.set(block.limit, (counts.get(block.limit) ?? 0) + 1);
		const why = [...counts].map(([limit, count]) => `${count} ${limitWords[limit] ?? `stopped by ${limit}`}`).join(', ');
		notes.push(`${summary.skippedBlocks.length} block(s) were not re-run (${why}): re-running could hang or fail the same way, so the variables they set before they stopped are missing`);
	}
	if (summary.failedBlocks) notes.push(`${summary.failedBlocks} block(s) that succeeded before fail now, so some variables may be missing or differ`);
	const [first] = summary.changedErrors;
	if (first) notes.push(`${summary.changedErrors.length} re-run block(s) raised another error than logged (was "${first.logged}", now "${first.now}")`);
	return notes;
}

/** What a resume says about turns whose context was too big to log (empty when none was): for
 * the user, as lines without a final period. */
export function missingContextNotes(summary: {missingContexts: number; unrestoredContexts: number; contextGiven: boolean}): string[] {
	const notes: string[] = [];
	if (summary.missingContexts) notes.push(`${summary.missingContexts} turn(s) had a context too big to log: their code was re-run against the context given now, which matches the logged type, size and fingerprint`);
	if (summary.unrestoredContexts)
		notes.push(
			`${summary.unrestoredContexts} turn(s) had a context too big to log, and ${summary.contextGiven ? 'the context given now does not match its logged type, size and fingerprint' : 'no context was given now'}: their code was not re-run, so the variables it made are missing (give the same context with -c or /context, then resume)`,
		);
	return notes;
}

/** A question as a resume names it: its first line, cut to `max` characters. */
export function questionPreview(question: string, max = 60): string {
	const line = question.trim().split('\n')[0]!.trim();
	const text = line.length > max ? `${line.slice(0, max - 1)}…` : line;
	return `"${text}"${question.trim().includes('\n') ? ` (${question.split('\n').length.toLocaleString('en-US')} lines)` : ''}`;
}

/** Which session a resume brought back, for the user: `2 turn(s) of the session of 2026-12-02
 * 03:14 UTC (last asked: "…")`. `started`: its first log's ISO time ('' leaves the time out). */
export function resumedSessionText(turns: readonly ResumeTurn[], started: string): string {
	const at = /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(started) ? ` of ${started.slice(0, 10)} ${started.slice(11, 16)} UTC` : '';
	const last = turns.at(-1);
	return `${turns.length} turn(s) of the session${at}${last ? ` (last asked: ${questionPreview(last.question)})` : ''}`;
}

/** How a turn without an answer ended, in words: `was cancelled`, `failed`, `was cut short when
 * the app or CLI was closed or killed`... */
export function unansweredWords(status: string | undefined): string {
	if (status === undefined) return 'was cut short when the app or CLI was closed or killed';
	if (status === 'queued') return 'never started: the app or CLI was closed or killed while it waited its turn';
	if (status === 'cancelled') return 'was cancelled';
	if (status === 'failed') return 'failed';
	return `ended ${status}`;
}

/** What a resume says about its turns that have no answer, as lines without a final period:
 * one line per turn, so none is left out silently. */
export function unansweredNotes(turns: readonly ResumeTurn[]): string[] {
	return turns.flatMap((turn, index) => {
		if (turn.answer !== null) return [];
		const how = unansweredWords(turn.status);
		// As the app said it live: the stopped run's best answer so far, which is not a final one.
		if (turn.bestSoFar) return [`turn ${index + 1} ${questionPreview(turn.question)} has no final answer: it ${how} with a best answer so far, which the model's history leaves out`];
		return [`turn ${index + 1} ${questionPreview(turn.question)} has no answer: it ${how}`];
	});
}
