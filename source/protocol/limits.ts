// The run-wide limits' vocabulary: which limit stopped a run, the caps a run was given, and how
// much of each it has used. Names follow the original RLM (max_budget, max_timeout, max_tokens,
// max_errors) in the library's camelCase, plus maxSubCalls. A leaf: imports no one.

/** A limit that can stop a run (status `limited`). */
export type LimitName = 'maxBudget' | 'maxTimeout' | 'maxTokens' | 'maxErrors' | 'maxSubCalls';

export const LIMIT_NAMES: readonly LimitName[] = ['maxBudget', 'maxTimeout', 'maxTokens', 'maxErrors', 'maxSubCalls'];

/** Sub-calls per completion when the user sets no cap (the only limit with a default). */
export const DEFAULT_MAX_SUB_CALLS = 500;

/** The caps of one completion's whole tree (root, sub-calls, child runs). Absent: no cap. */
export interface LimitCaps {
	/** Estimated cost in USD (prices from the model catalog; models without a known price count 0). */
	maxBudget?: number;
	/** Wall-clock seconds from the start of the completion, children and sub-call waiting included. */
	maxTimeout?: number;
	/** Input plus output tokens. */
	maxTokens?: number;
	/** Consecutive failed code blocks of one run. */
	maxErrors?: number;
	/** Sub-calls (each slot of a batch counts one). */
	maxSubCalls?: number;
}

/** How much of each cap a tree has used so far. */
export interface LimitUse {
	/** Estimated USD over the models whose price is known. */
	costUsd: number;
	/** Models used whose price is not known (their tokens count, their cost cannot). */
	unpricedModels: string[];
	/** Input plus output tokens. */
	tokens: number;
	subCalls: number;
	/** Consecutive failed blocks of the root run. */
	errors: number;
	/** Milliseconds since the completion started. */
	elapsedMs: number;
}
