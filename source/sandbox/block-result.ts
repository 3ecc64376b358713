// Turning what the worker reported for a block into the ExecResult the engine sees.
import {interruptedNotice} from './notices.js';
import type {WorkerRunResult} from './protocol.js';
import type {ExecResult} from './types.js';

/** What interrupted a block that still finished normally. */
export type Interruption = 'timeout' | 'cancelled';

/** A result for a block that produced nothing of its own (never ran, or its host is gone). */
export function emptyResult(fields: Pick<ExecResult, 'ok' | 'ms' | 'restarted'> & Partial<ExecResult>): ExecResult {
	return {stdout: '', stderr: '', truncatedChars: 0, variables: [], final: null, ...fields};
}

/** The worker's result, with the interrupt (if any) and the limit that applies said plainly.
 * `memoryNotice` (notices.ts memoryLimitNotice) follows the error of a block that ran out of
 * memory. `ms` is left 0 for the caller, who knows when the block started. */
export function resultFromWorker(r: WorkerRunResult, interruption: Interruption | undefined, timeoutMs: number, memoryNotice: string): ExecResult {
	let error = r.error ?? undefined;
	let limit: ExecResult['limit'] = interruption;
	if (interruption) {
		const notice = interruption === 'timeout' ? interruptedNotice.timeout(timeoutMs) : interruptedNotice.cancelled();
		error = `${notice}${error ? `\n${error}` : ''}`;
	} else if (r.errorType === 'MemoryError' || (!r.ok && r.heapLimitHit)) {
		limit = 'memory';
		error = error ? `${error}\n${memoryNotice}` : memoryNotice;
	}
	if (!limit && r.truncatedChars > 0) limit = 'output';
	return {
		ok: r.ok && !interruption,
		stdout: r.stdout,
		stderr: r.stderr,
		...(error ? {error} : {}),
		truncatedChars: r.truncatedChars,
		variables: r.variables,
		...(r.variableCount !== undefined && r.variableCount > r.variables.length ? {variableCount: r.variableCount} : {}),
		final: r.final,
		...(r.answerDraft ? {answerDraft: r.answerDraft} : {}),
		ms: 0,
		...(limit ? {limit} : {}),
		restarted: false,
	};
}
