// The -e log's large batches: a batched call of FOLD_AT slots or more is one start line and one
// summary line (as the TUI's tree folds it into one "batch ×N" row), not a line per slot.
import {formatCount} from '../protocol/numbers.js';
import {BATCH_FOLD_MIN} from '../protocol/defaults.js';

export const FOLD_AT = BATCH_FOLD_MIN;

interface Batch {
	readonly size: number;
	readonly pad: string;
	readonly fn: string;
	done: number;
	failed: number;
	cancelled: number;
	firstError?: string;
}

export class FoldedBatches {
	readonly #byKey = new Map<string, Batch>();
	readonly #keyOfCall = new Map<string, string>();

	/** A slot's start: true when it belongs to a folded batch (its own line is left out); the
	 * batch's first slot writes the batch's line through `write`. */
	start(event: {callId: string; runId: string; iteration: number; block: number; fn: string; batchSize?: number; model: string}, pad: string, firstPrompt: string, write: (line: string) => void): boolean {
		if (!event.fn.endsWith('_batched') || (event.batchSize ?? 0) < FOLD_AT) return false;
		const key = `${event.runId}:${event.iteration}:${event.block}:${event.fn}`;
		this.#keyOfCall.set(event.callId, key);
		if (!this.#byKey.has(key)) {
			this.#byKey.set(key, {size: event.batchSize!, pad, fn: event.fn, done: 0, failed: 0, cancelled: 0});
			write(`${pad}  ↳ ${event.fn} ×${formatCount(event.batchSize!)} ${event.model}: ${firstPrompt} …`);
		}
		return true;
	}

	/** A slot's end: true when it belongs to a folded batch; the last slot writes the summary. */
	done(event: {callId: string; error?: string; errorCode?: string}, write: (line: string) => void): boolean {
		const key = this.#keyOfCall.get(event.callId);
		if (key === undefined) return false;
		this.#keyOfCall.delete(event.callId);
		const batch = this.#byKey.get(key);
		if (!batch) return true;
		if (!event.error) batch.done++;
		else if (event.errorCode === 'aborted') batch.cancelled++;
		else {
			batch.failed++;
			batch.firstError ??= event.error;
		}
		if (batch.done + batch.failed + batch.cancelled >= batch.size) this.#finish(key, write);
		return true;
	}

	/** A block ended: its batches end too (slots a cancel or an error left unstarted never will). */
	blockDone(runId: string, iteration: number, block: number, write: (line: string) => void): void {
		const prefix = `${runId}:${iteration}:${block}:`;
		for (const key of [...this.#byKey.keys()]) if (key.startsWith(prefix)) this.#finish(key, write);
	}

	#finish(key: string, write: (line: string) => void): void {
		const batch = this.#byKey.get(key)!;
		this.#byKey.delete(key);
		const unstarted = batch.size - batch.done - batch.failed - batch.cancelled;
		const counts = [
			batch.done ? `${formatCount(batch.done)} ✓` : '',
			batch.failed ? `${formatCount(batch.failed)} ✗` : '',
			batch.cancelled ? `${formatCount(batch.cancelled)} ⊘` : '',
			unstarted > 0 ? `${formatCount(unstarted)} not run` : '',
		].filter(Boolean);
		const error = batch.firstError ? ` (first error: ${batch.firstError.length > 100 ? `${batch.firstError.slice(0, 99)}…` : batch.firstError})` : '';
		write(`${batch.pad}  └ ${batch.fn} ×${formatCount(batch.size)}: ${counts.join(' · ')}${error}`);
	}
}
