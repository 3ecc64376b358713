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

/** Caps of one call of a server (mcp's rlm_query, serve's `rlm` request field). Absent: no cap
 * beyond the engine's defaults. */
export interface CallLimits {
	maxIterations?: number;
	maxDepth?: number;
	/** Estimated USD of the call's whole tree. */
	maxBudget?: number;
	/** Wall-clock seconds of the whole call. */
	maxTimeout?: number;
	/** Input plus output tokens of the call's whole tree. */
	maxTokens?: number;
	/** Failed code blocks in a row. */
	maxErrors?: number;
	/** Sub-calls of the call (each slot of a batch counts one). */
	maxSubCalls?: number;
}

export const CALL_LIMIT_NAMES = ['maxIterations', 'maxDepth', 'maxBudget', 'maxTimeout', 'maxTokens', 'maxErrors', 'maxSubCalls'] as const satisfies ReadonlyArray<keyof CallLimits>;

/** How a call's limit is named on the wire and in messages (the original RLM's names: max_budget...). */
export const snakeName = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The caps a call runs with: each the lower of what it asked for and the server's. Also says which
 * asks were lowered, for a note in the result.
 */
export function callLimits(server: CallLimits, asked: CallLimits): {limits: CallLimits; lowered: string[]} {
	const limits: CallLimits = {};
	const lowered: string[] = [];
	for (const name of CALL_LIMIT_NAMES) {
		const ceiling = server[name];
		const wanted = asked[name];
		if (wanted === undefined) {
			if (ceiling !== undefined) limits[name] = ceiling;
		} else if (ceiling !== undefined && wanted > ceiling) {
			limits[name] = ceiling;
			lowered.push(`${snakeName(name)} ${wanted} lowered to this server's ${ceiling}`);
		} else limits[name] = wanted;
	}
	return {limits, lowered};
}
