// The run-wide limits of one completion: one tracker shared by the root run, its sub-calls and
// every child run beneath it, so children get what is left of the budget, the tokens, the
// sub-calls and the time (as the original RLM hands its children the remaining budget and
// timeout). When a limit is reached the tracker aborts its signal, which every run of the tree
// listens to: running code is interrupted, model calls stop, and each run ends `limited` with the
// best answer it has.
import type {LimitCaps, LimitName, LimitUse} from '../protocol/limits.js';
import type {NoticeCode, Usage} from '../protocol/llm.js';
import {CostMeter, inputCostUsd} from './cost-meter.js';
import {formatCount} from '../protocol/numbers.js';

/** Why a run stopped: the limit, and a one-line message for the user and the model. */
export class LimitReached extends Error {
	constructor(
		readonly limit: LimitName,
		message: string,
	) {
		super(message);
		this.name = 'LimitReached';
	}
}

export interface LimitHooks {
	/** Use changed (emitted as a `limits` event). */
	onUse(use: LimitUse): void;
	/** Something the user should know (a model without a price under maxBudget). */
	onNotice(code: NoticeCode, message: string): void;
}

const count = (n: number) => formatCount(n);
const usd = (n: number) => `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;

/** The one-line description of a cap, as messages name it (with the flag that sets it). */
export function describeCap(limit: LimitName, caps: LimitCaps): string {
	switch (limit) {
		case 'maxBudget':
			return `budget of ${usd(caps.maxBudget ?? 0)} (--max-budget)`;
		case 'maxTimeout':
			return `time limit of ${count(caps.maxTimeout ?? 0)} s (--max-timeout)`;
		case 'maxTokens':
			return `limit of ${count(caps.maxTokens ?? 0)} tokens (--max-tokens)`;
		case 'maxErrors':
			return `limit of ${count(caps.maxErrors ?? 0)} failed blocks in a row (--max-errors)`;
		case 'maxSubCalls':
			return `limit of ${count(caps.maxSubCalls ?? 0)} sub-calls (--max-sub-calls)`;
	}
}

export class RunLimits {
	readonly caps: Readonly<LimitCaps>;
	readonly #hooks: LimitHooks;
	readonly #labels: Readonly<Partial<Record<LimitName, string>>>;
	readonly #controller = new AbortController();
	readonly #cost = new CostMeter();
	readonly #started = performance.now();
	#tripped: LimitReached | null = null;
	#tokens = 0;
	#subCalls = 0;
	#rootErrors = 0;
	#timer: NodeJS.Timeout | undefined;

	/** `labels`: how messages name a cap set by something other than the run's own flag
	 * (RlmOptions.limitLabels); describeCap's words for the others. */
	constructor(caps: LimitCaps, hooks: LimitHooks, labels: Partial<Record<LimitName, string>> = {}) {
		this.caps = {...caps};
		this.#hooks = hooks;
		this.#labels = {...labels};
		if (caps.maxTimeout !== undefined) {
			// setTimeout overflows past 2^31-1 ms and would fire at once.
			const ms = Math.min(caps.maxTimeout * 1000, 2 ** 31 - 1);
			this.#timer = setTimeout(() => this.trip('maxTimeout', `The run's ${this.describe('maxTimeout')} is reached.`), ms);
			this.#timer.unref();
		}
	}

	/** How messages name the cap of `limit`: "budget of $0.50 (--max-budget)", or its label. */
	describe(limit: LimitName): string {
		return this.#labels[limit] ?? describeCap(limit, this.caps);
	}

	/** Aborted (with the LimitReached as its reason) when a limit is reached. */
	get signal(): AbortSignal {
		return this.#controller.signal;
	}

	/** The limit that stopped the tree, once one has. */
	get tripped(): LimitReached | null {
		return this.#tripped;
	}

	/** Stops the tree for `limit` (the first limit reached wins). */
	trip(limit: LimitName, message: string): LimitReached {
		if (this.#tripped) return this.#tripped;
		this.#tripped = new LimitReached(limit, message);
		this.#stopTimer();
		this.#controller.abort(this.#tripped);
		return this.#tripped;
	}

	use(): LimitUse {
		return {
			costUsd: this.#cost.usd,
			unpricedModels: this.#cost.unpriced,
			tokens: this.#tokens,
			subCalls: this.#subCalls,
			errors: this.#rootErrors,
			elapsedMs: performance.now() - this.#started,
		};
	}

	/** Milliseconds left before the time limit, or undefined without one. */
	remainingMs(): number | undefined {
		if (this.caps.maxTimeout === undefined) return undefined;
		return Math.max(0, this.caps.maxTimeout * 1000 - (performance.now() - this.#started));
	}

	/**
	 * Checks, before a request is sent, that about `inputTokens` more on `model` stays within the
	 * token and budget caps. Null when it does; else the limit is reached (the tree stops) and its
	 * LimitReached is returned.
	 */
	admit(model: string, inputTokens: number): LimitReached | null {
		if (this.#tripped) return this.#tripped;
		const {maxTokens, maxBudget} = this.caps;
		// Nothing used yet: the cap is below what one request needs, not used up.
		if (maxTokens !== undefined && this.#tokens + inputTokens > maxTokens) {
			return this.trip(
				'maxTokens',
				this.#tokens === 0
					? `The first request alone needs about ${count(inputTokens)} tokens, more than the run's ${this.describe('maxTokens')}.`
					: `The run's ${this.describe('maxTokens')} is reached: ${count(this.#tokens)} used, and the next request is about ${count(inputTokens)} more.`,
			);
		}
		const requestUsd = inputCostUsd(model, inputTokens);
		if (maxBudget !== undefined && this.#cost.usd + requestUsd > maxBudget) {
			return this.trip(
				'maxBudget',
				this.#cost.usd === 0
					? `The first request alone would cost about ${usd(requestUsd)}, more than the run's ${this.describe('maxBudget')}.`
					: `The run's ${this.describe('maxBudget')} is reached: about ${usd(this.#cost.usd)} spent, and the next request would pass it.`,
			);
		}
		return null;
	}

	/** True when about `inputTokens` more on `model` stays within the token and budget caps
	 * (asks only: nothing is counted and no limit is reached). */
	fits(model: string, inputTokens: number): boolean {
		const {maxTokens, maxBudget} = this.caps;
		if (maxTokens !== undefined && this.#tokens + inputTokens > maxTokens) return false;
		return maxBudget === undefined || this.#cost.usd + inputCostUsd(model, inputTokens) <= maxBudget;
	}

	/** Counts one finished model call and returns its cost in USD (undefined when not priced: its
	 * event carries no cost); reaching the token or budget cap stops the tree. */
	record(model: string, usage: Usage): number | undefined {
		this.#tokens += usage.inputTokens + usage.outputTokens;
		const costUsd = this.#cost.add(model, usage);
		if (costUsd === undefined && this.caps.maxBudget !== undefined && this.#cost.unpriced.includes(model) && !this.#warnedUnpriced.has(model)) {
			this.#warnedUnpriced.add(model);
			this.#hooks.onNotice(
				'price_unknown',
				`No price is known for ${model}: --max-budget cannot count its cost (its tokens are counted: ${count(this.#tokens)} so far; --max-tokens, or /set max-tokens in the app, caps them).`,
			);
		}
		const {maxTokens, maxBudget} = this.caps;
		if (maxTokens !== undefined && this.#tokens >= maxTokens)
			this.trip('maxTokens', `The run's ${this.describe('maxTokens')} is reached: ${count(this.#tokens)} used.`);
		else if (maxBudget !== undefined && this.#cost.usd >= maxBudget)
			this.trip('maxBudget', `The run's ${this.describe('maxBudget')} is reached: about ${usd(this.#cost.usd)} spent.`);
		this.#hooks.onUse(this.use());
		return costUsd;
	}

	readonly #warnedUnpriced = new Set<string>();

	/**
	 * Takes `wanted` sub-calls (one per slot of a batch). Null when they fit. A request larger
	 * than what is left is refused whole (the model is told how many are left and can send
	 * fewer); one made when none are left reaches the limit and stops the tree. Either way the
	 * string returned says why (each slot holds "Error: " and it).
	 */
	takeSubCalls(wanted: number): string | null {
		if (this.#tripped) return this.#tripped.message;
		const max = this.caps.maxSubCalls;
		if (max === undefined || this.#subCalls + wanted <= max) {
			this.#subCalls += wanted;
			this.#hooks.onUse(this.use());
			return null;
		}
		const left = max - this.#subCalls;
		if (left > 0) {
			const room = left === max ? `the run's ${this.describe('maxSubCalls')} allows only ${count(left)}` : `only ${count(left)} of the run's ${this.describe('maxSubCalls')} are left`;
			return `refused: ${count(wanted)} prompts, but ${room}. Send at most ${count(left)}, or combine prompts.`;
		}
		return this.trip('maxSubCalls', `The run's ${this.describe('maxSubCalls')} is reached.`).message;
	}

	/** The root run's count of failed blocks in a row (shown beside maxErrors). */
	setRootErrors(errors: number): void {
		if (errors === this.#rootErrors) return;
		this.#rootErrors = errors;
		this.#hooks.onUse(this.use());
	}

	/** Stops the timer (the completion is over). */
	dispose(): void {
		this.#stopTimer();
	}

	#stopTimer(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
	}
}
