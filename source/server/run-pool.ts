import PQueue from 'p-queue';

// The bounded pool serve's runs go through (p-queue): up to `concurrency` at once, the rest wait in
// order. A waiting request whose client hung up (or that the shutdown ends) leaves the queue at once;
// a started run keeps its slot until it ends (whenFree, which mcp's runtime uses too).

export interface RunPool {
	/** Runs `task` when a slot is free. Resolves without running it when `signal` fires first. */
	run(task: () => Promise<void>, signal: AbortSignal): Promise<void>;
	/** Tasks running now. */
	readonly active: number;
	/** Tasks waiting for a slot. */
	readonly queued: number;
}

export function runPool(concurrency: number): RunPool {
	const queue = new PQueue({concurrency});
	return {
		get active() {
			return queue.pending;
		},
		get queued() {
			return queue.size;
		},
		async run(task, signal) {
			let started = false;
			try {
				await whenFree(queue, signal, () => {
					started = true;
					return task();
				});
			} catch (error) {
				// Only a run's own failure: a wait the signal ended just leaves.
				if (started) throw error;
			}
		},
	};
}

/** Runs `task` on `queue` when a slot frees. A wait that `signal` ends (the client hung up, the
 * shutdown) leaves the queue at once and rejects with the signal's reason. Only the wait listens:
 * p-queue given the signal would settle a started task and free its slot while it still runs. */
export async function whenFree<T>(queue: PQueue, signal: AbortSignal, task: () => Promise<T>): Promise<T> {
	signal.throwIfAborted();
	const waiting = new AbortController();
	const leave = () => waiting.abort(signal.reason);
	signal.addEventListener('abort', leave, {once: true});
	try {
		return await queue.add(
			async () => {
				signal.removeEventListener('abort', leave);
				return task();
			},
			{signal: waiting.signal},
		);
	} finally {
		signal.removeEventListener('abort', leave);
	}
}
