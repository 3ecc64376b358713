// One cap on the REPLs (sandbox host processes, about 190 MB each) an Rlm runs at once, across
// every depth: the session's REPL holds one slot, and each child RLM needs one for its own REPL.
// A child waits for a free slot (the deepest waiter first: it finishes soonest and frees its
// parent). Waiting can deadlock: when every slot is held by a run that is itself waiting on
// children (directly or through its running children), nothing will ever free a slot; the
// deepest waiters then fail at once with a clear error, so their parents can go on.

/** A held slot. Release it once the REPL it was for is disposed (idempotent). */
export interface HostSlot {
	readonly depth: number;
	release(): void;
}

/** A child RLM could not have a REPL: every slot is held by runs waiting on children. */
export class HostPoolFull extends Error {
	constructor(capacity: number) {
		super(
			`no sandbox is free for a child RLM: all ${capacity} (maxHosts) are held by RLMs of this run that wait on children of their own. Use llm_query for this prompt, or make fewer rlm_query calls at once.`,
		);
		this.name = 'HostPoolFull';
	}
}

class Holder implements HostSlot {
	/** Children of this holder waiting for a slot. */
	queued = 0;
	released = false;

	constructor(
		readonly pool: HostPool,
		readonly parent: Holder | null,
		readonly depth: number,
	) {}

	release(): void {
		if (this.released) return;
		this.released = true;
		this.pool.releaseHolder(this);
	}
}

interface Waiter {
	parent: Holder;
	depth: number;
	resolve(slot: Holder): void;
	reject(error: unknown): void;
	cleanup(): void;
}

export class HostPool {
	readonly capacity: number;
	readonly #holders = new Set<Holder>();
	#waiters: Waiter[] = [];
	/** Most slots held at once (for tests and diagnostics). */
	peak = 0;

	constructor(capacity: number) {
		this.capacity = Math.max(1, Math.floor(capacity));
	}

	get held(): number {
		return this.#holders.size;
	}

	/** The session REPL's slot: taken whatever the count (an Rlm runs one completion at a time,
	 * so when its root starts no child holds a slot). */
	root(): HostSlot {
		return this.#add(null, 0);
	}

	/** A slot for a child RLM of the run holding `parent`. Resolves when one is free; rejects with
	 * HostPoolFull when waiting could never end, or with the signal's reason when it aborts. */
	acquire(parent: HostSlot, signal?: AbortSignal): Promise<HostSlot> {
		const owner = parent as Holder;
		if (signal?.aborted) return Promise.reject(signal.reason as Error);
		if (this.#holders.size < this.capacity && this.#waiters.length === 0) return Promise.resolve(this.#add(owner, owner.depth + 1));
		return new Promise<HostSlot>((resolve, reject) => {
			const onAbort = () => {
				this.#remove(waiter);
				reject(signal!.reason as Error);
				this.#settle();
			};
			const waiter: Waiter = {
				parent: owner,
				depth: owner.depth + 1,
				resolve,
				reject,
				cleanup: () => signal?.removeEventListener('abort', onAbort),
			};
			signal?.addEventListener('abort', onAbort, {once: true});
			owner.queued++;
			this.#waiters.push(waiter);
			this.#settle();
		});
	}

	/** Called by a holder's release(). */
	releaseHolder(holder: Holder): void {
		this.#holders.delete(holder);
		this.#settle();
	}

	#add(parent: Holder | null, depth: number): Holder {
		const holder = new Holder(this, parent, depth);
		this.#holders.add(holder);
		this.peak = Math.max(this.peak, this.#holders.size);
		return holder;
	}

	#remove(waiter: Waiter): void {
		const index = this.#waiters.indexOf(waiter);
		if (index === -1) return;
		this.#waiters.splice(index, 1);
		waiter.parent.queued--;
		waiter.cleanup();
	}

	/** Hands free slots to the deepest waiters, then fails the deepest while waiting is a deadlock. */
	#settle(): void {
		while (this.#waiters.length > 0 && this.#holders.size < this.capacity) {
			const waiter = this.#deepest()[0]!;
			this.#remove(waiter);
			waiter.resolve(this.#add(waiter.parent, waiter.depth));
		}
		while (this.#waiters.length > 0 && this.#deadlocked()) {
			for (const waiter of this.#deepest()) {
				this.#remove(waiter);
				waiter.reject(new HostPoolFull(this.capacity));
			}
		}
	}

	/** The waiters of the greatest depth, oldest first. */
	#deepest(): Waiter[] {
		const depth = Math.max(...this.#waiters.map((waiter) => waiter.depth));
		return this.#waiters.filter((waiter) => waiter.depth === depth);
	}

	/** True when no holder will ever release its slot: each waits on queued children of its own,
	 * or on running children that do. (The root frees its slot only once its whole tree is done.) */
	#deadlocked(): boolean {
		const children = new Map<Holder, Holder[]>();
		for (const holder of this.#holders) {
			if (holder.parent) children.set(holder.parent, [...(children.get(holder.parent) ?? []), holder]);
		}
		const finishes = (holder: Holder): boolean => holder.queued === 0 && (children.get(holder) ?? []).every(finishes);
		for (const holder of this.#holders) if (holder.parent && finishes(holder)) return false;
		return true;
	}
}
