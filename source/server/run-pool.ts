// The bounded pool serve's runs go through: up to `concurrency` at once, the rest wait in order.
// A waiting request whose client hung up (or that the shutdown ends) leaves the queue at once, so
// it never holds a place a live client needs. (p-limit keeps a queued task until a slot frees.)

export interface RunPool {
	/** Runs `task` when a slot is free. Resolves without running it when `signal` fires first. */
	run(task: () => Promise<void>, signal: AbortSignal): Promise<void>;
	/** Tasks running now. */
	readonly active: number;
	/** Tasks waiting for a slot. */
	readonly queued: number;
}

export function runPool(concurrency: number): RunPool {
	let active = 0;
	const waiting: Array<() => void> = [];

	const next = () => {
		if (active < concurrency) waiting.shift()?.();
	};

	/** Runs `task` in a slot already counted in `active`. */
	async function runInSlot(task: () => Promise<void>): Promise<void> {
		try {
			await task();
		} finally {
			active--;
			next();
		}
	}

	return {
		get active() {
			return active;
		},
		get queued() {
			return waiting.length;
		},
		async run(task, signal) {
			if (signal.aborted) return;
			if (active < concurrency && waiting.length === 0) {
				active++;
				return runInSlot(task);
			}
			const turn = await new Promise<boolean>((resolve) => {
				// The slot is taken here, not after the await: no newcomer can slip in between.
				const start = () => {
					active++;
					signal.removeEventListener('abort', leave);
					resolve(true);
				};
				const leave = () => {
					const index = waiting.indexOf(start);
					if (index !== -1) waiting.splice(index, 1);
					resolve(false);
				};
				waiting.push(start);
				signal.addEventListener('abort', leave, {once: true});
			});
			if (turn) await runInSlot(task);
		},
	};
}
