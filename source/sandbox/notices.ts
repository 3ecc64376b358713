// What the model (and the user) is told when the sandbox steps in: interrupts, restarts, results
// it could not use. Every restart is worded by restartNotice, so it always says the same thing.
import {formatSeconds} from '../protocol/seconds.js';
import type {ExecLimit} from './types.js';

const MB = 1024 * 1024;

/** A duration in ms as seconds to a tenth ("30 s", "1.5 s"): protocol/seconds.ts formatSeconds. */
export const seconds = formatSeconds;

export function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** Why the host process was replaced. `reason` is how the old one stopped (Host.exitReason()). */
export type RestartCause =
	/** Found stopped between blocks: restarted before the next block ran. */
	| {kind: 'stopped'; reason: string}
	/** A block timed out; without `reason`, Python ignored the interrupt and the host was killed. */
	| {kind: 'timeout'; timeoutMs: number; reason?: string}
	/** A block was cancelled; without `reason`, Python ignored the interrupt and the host was killed. */
	| {kind: 'cancelled'; reason?: string}
	| {kind: 'crashed'; reason: string}
	/** The host sent a message the parent cannot trust (host-messages.ts). */
	| {kind: 'protocol'; problem: string}
	/** The memory ceiling stopped a block: the heap was found past it (`heapBytes`), or Pyodide died
	 * once the ceiling refused it memory (no `heapBytes`). */
	| {kind: 'memory'; ceilingBytes: number; heapBytes?: number; reason?: string};

function whatHappened(cause: RestartCause): string {
	switch (cause.kind) {
		case 'stopped':
			return `The REPL had stopped (${cause.reason})`;
		case 'timeout':
			return cause.reason
				? `Timed out after ${seconds(cause.timeoutMs)}; the Python process stopped (${cause.reason})`
				: `Timed out after ${seconds(cause.timeoutMs)}, and Python did not stop when interrupted`;
		case 'cancelled':
			return cause.reason ? `Cancelled; the Python process stopped (${cause.reason})` : 'Cancelled, and Python did not stop when interrupted';
		case 'crashed':
			return `The Python process crashed (${cause.reason})`;
		case 'protocol':
			return `The REPL sent a message that breaks the sandbox's protocol (${cause.problem})`;
		case 'memory':
			return cause.heapBytes === undefined
				? `The REPL ran out of memory at its limit of ${megabytes(cause.ceilingBytes)}${cause.reason ? ` (${cause.reason})` : ''}`
				: `The REPL's memory grew to ${megabytes(cause.heapBytes)} (limit ${megabytes(cause.ceilingBytes)})`;
	}
}

/** JavaScript's stack overflow, which Python recursion deeper than the interpreter's stack ends in. */
export function isStackOverflow(message: string): boolean {
	return /Maximum call stack size exceeded/.test(message);
}

function megabytes(bytes: number): string {
	return `${Math.round(bytes / MB)} MB`;
}

/**
 * What the model (and the user) is told when the memory ceiling stops a block: the limit in MB,
 * where it comes from (`limitName`, how the user sets memoryLimitMb: `--memory-limit`; or the heap
 * once the context was loaded + 128 MB when that is more: sandbox.ts), and what to do.
 */
export function memoryLimitNotice(ceilingBytes: number, memoryLimitMb: number, limitName: string): string {
	const source = ceilingBytes > memoryLimitMb * MB ? 'what Python held once the context was loaded, + 128 MB' : limitName;
	return `The REPL's memory limit is ${megabytes(ceilingBytes)} (${source}): hold less at once, work on the context in pieces, and del big variables you no longer need.`;
}

/** The one sentence for a restart; `failure` is why restarting failed, when it did. */
export function restartNotice(cause: RestartCause, failure?: string): string {
	const happened = whatHappened(cause);
	if (failure !== undefined) return `${happened}, and restarting the REPL failed: ${failure}`;
	const before = cause.kind === 'stopped';
	const advice =
		cause.kind === 'memory'
			? ' Hold less at once: work on the context in pieces.'
			: cause.kind === 'crashed' && isStackOverflow(cause.reason)
				? ' The recursion went deeper than the interpreter\'s stack: use a loop instead, and keep sys.setrecursionlimit near its default.'
				: '';
	return `${happened}, so the REPL was restarted${before ? ' before this block ran' : ''}: every variable${before ? ' from earlier blocks' : ''} is gone; context and history were reloaded.${advice}`;
}

/** The ExecResult limit a restart cause stands for. */
export function restartLimit(cause: RestartCause): ExecLimit {
	switch (cause.kind) {
		case 'timeout':
		case 'cancelled':
		case 'memory':
			return cause.kind;
		default:
			return 'crashed';
	}
}

export const interruptedNotice = {
	timeout: (timeoutMs: number) =>
		`Timed out after ${seconds(timeoutMs)} of Python time (waiting for sub-calls does not count): the block was interrupted. Variables from earlier blocks are kept.`,
	cancelled: () => 'Cancelled: the block was interrupted.',
} as const;

export const cancelledBeforeStartNotice = 'Cancelled before the block ran.';
export const closedWhileRunningNotice = 'The sandbox was closed while the block ran.';
export const disposedNotice = 'The sandbox has been disposed';

