import PQueue from 'p-queue';

// The bounded pool serve's runs go through (p-queue): up to `concurrency` at once, the rest wait in
// order. A waiting request whose client hung up (or that the shutdown ends) leaves the queue at once.
// Only the wait listens to the request's signal: p-queue given a signal would also settle a running
// task on abort and free its slot while the run still winds down, so a started run keeps its slot.

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
			if (signal.aborted) return;
			const waiting = new AbortController();
			const leave = () => waiting.abort();
			signal.addEventListener('abort', leave, {once: true});
			let started = false;
			try {
				await queue.add(
					async () => {
						started = true;
						signal.removeEventListener('abort', leave);
						await task();
					},
					{signal: waiting.signal},
				);
			} catch (error) {
				if (started) throw error;
			} finally {
				signal.removeEventListener('abort', leave);
			}
		},
	};
}
