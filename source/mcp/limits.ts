import {formatCount} from '../protocol/numbers.js';
// Limits of an MCP server: the caps each call gets (a call may ask for lower ones, never higher),
// and the spending of the server's whole life (a runaway agent cannot spend without bound).

/** What the server may spend over its whole life, across calls. */
export interface LifetimeLimits {
	/** Estimated USD. */
	totalBudget?: number;
	/** Input plus output tokens. */
	totalTokens?: number;
}

export interface Spent {
	usd: number;
	tokens: number;
	calls: number;
}

/** A call's share of the lifetime limits: the caps it runs under. */
export interface Reservation {
	maxBudget?: number;
	maxTokens?: number;
	/** The caps that are what was left of the lifetime limits (not the call's own, which were
	 * higher or absent): how the run's messages name them (RlmOptions.limitLabels), and, when the
	 * call had a cap of its own, a note for the agent: `max_tokens 100,000 lowered to 400: what
	 * was left of this server's --total-tokens 1,000`. */
	fromTotal: Partial<Record<'maxBudget' | 'maxTokens', {label: string; note?: string}>>;
	/** Gives back what the call did not use: call once, with what it spent. */
	settle(spent: {usd: number; tokens: number}): void;
}

const usd = (n: number) => `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;

/** Raised when the server's lifetime limits are spent: the call is refused. */
export class LifetimeSpent extends Error {}

/**
 * The lifetime ledger. Each call reserves what it may spend (its own cap, or all that is left)
 * before it starts and settles when it ends, so calls side by side can never spend more than the
 * total between them. A call that finds everything reserved by running calls waits for one to end.
 */
export class LifetimeLedger {
	readonly spent: Spent = {usd: 0, tokens: 0, calls: 0};
	#reservedUsd = 0;
	#reservedTokens = 0;
	#waiters: Array<() => void> = [];

	constructor(readonly limits: LifetimeLimits) {}

	/** What is left to reserve (undefined: no lifetime cap). */
	left(): {usd?: number; tokens?: number} {
		const {totalBudget, totalTokens} = this.limits;
		return {
			...(totalBudget !== undefined ? {usd: Math.max(0, totalBudget - this.spent.usd - this.#reservedUsd)} : {}),
			...(totalTokens !== undefined ? {tokens: Math.max(0, totalTokens - this.spent.tokens - this.#reservedTokens)} : {}),
		};
	}

	/**
	 * Reserves a call's share: at most `wanted` (its own caps), at most what is left.
	 * @throws LifetimeSpent when the total is spent, with a message fit for the agent.
	 */
	async reserve(wanted: {maxBudget?: number; maxTokens?: number}, signal?: AbortSignal): Promise<Reservation> {
		for (;;) {
			signal?.throwIfAborted();
			const spentOut = this.#spentOut();
			if (spentOut) throw new LifetimeSpent(spentOut);
			const left = this.left();
			const usdFree = left.usd === undefined || left.usd > 0;
			const tokensFree = left.tokens === undefined || left.tokens > 0;
			if (usdFree && tokensFree) return this.#take(wanted, left);
			// Everything left is reserved by running calls: the first to end gives some back.
			await new Promise<void>((resolve) => {
				this.#waiters.push(resolve);
				signal?.addEventListener('abort', () => resolve(), {once: true});
			});
		}
	}

	#take(wanted: {maxBudget?: number; maxTokens?: number}, left: {usd?: number; tokens?: number}): Reservation {
		const lower = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
		const maxBudget = lower(wanted.maxBudget, left.usd);
		const maxTokens = lower(wanted.maxTokens, left.tokens);
		const heldUsd = left.usd !== undefined ? (maxBudget ?? 0) : 0;
		const heldTokens = left.tokens !== undefined ? (maxTokens ?? 0) : 0;
		this.#reservedUsd += heldUsd;
		this.#reservedTokens += heldTokens;
		let settled = false;
		// The total's share binds when it is below the call's own cap (or the call has none).
		const binds = (own: number | undefined, share: number | undefined) => share !== undefined && (own === undefined || share < own);
		const {totalBudget, totalTokens} = this.limits;
		// Said only where the call had a cap of its own: without one, the share is the whole cap.
		const lowered = (name: string, own: string | undefined, share: string, total: string) => (own === undefined ? {} : {note: `${name} ${own} lowered to ${share}: what was left of this server's ${total}`});
		const fromTotal: Reservation['fromTotal'] = {
			...(binds(wanted.maxBudget, left.usd)
				? {
						maxBudget: {
							label: `share of this server's total budget (${usd(left.usd!)} of --total-budget ${usd(totalBudget!)} was left when it started)`,
							...lowered('max_budget', wanted.maxBudget === undefined ? undefined : usd(wanted.maxBudget), usd(left.usd!), `--total-budget ${usd(totalBudget!)}`),
						},
					}
				: {}),
			...(binds(wanted.maxTokens, left.tokens)
				? {
						maxTokens: {
							label: `share of this server's total tokens (${formatCount(left.tokens!)} of --total-tokens ${formatCount(totalTokens!)} were left when it started)`,
							...lowered('max_tokens', wanted.maxTokens === undefined ? undefined : formatCount(wanted.maxTokens), formatCount(left.tokens!), `--total-tokens ${formatCount(totalTokens!)}`),
						},
					}
				: {}),
		};
		return {
			...(maxBudget !== undefined ? {maxBudget} : {}),
			...(maxTokens !== undefined ? {maxTokens} : {}),
			fromTotal,
			settle: (spent) => {
				if (settled) return;
				settled = true;
				this.#reservedUsd -= heldUsd;
				this.#reservedTokens -= heldTokens;
				this.spent.usd += spent.usd;
				this.spent.tokens += spent.tokens;
				this.spent.calls++;
				for (const wake of this.#waiters.splice(0)) wake();
			},
		};
	}

	/** Why no call may start any more, or null. */
	#spentOut(): string | null {
		const {totalBudget, totalTokens} = this.limits;
		const over = (totalBudget !== undefined && this.spent.usd >= totalBudget) || (totalTokens !== undefined && this.spent.tokens >= totalTokens);
		if (!over) return null;
		const what = totalBudget !== undefined && this.spent.usd >= totalBudget ? `budget of $${totalBudget} (--total-budget)` : `${formatCount(totalTokens!)} tokens (--total-tokens)`;
		return `This rlm-tui MCP server has spent its total ${what}: $${this.spent.usd.toFixed(4)} and ${formatCount(this.spent.tokens)} tokens over ${this.spent.calls} call(s). No more calls until it is restarted with a higher limit.`;
	}
}
