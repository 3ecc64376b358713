// The estimated cost of a run's model calls, in USD, from the model catalog's prices
// (backends/model-info.ts: tokenlens' bundled models.dev data). A model without a known price
// (a local model, usually) adds its tokens but no cost, and is named in `unpriced`. This is the
// one place a call is priced: llm.done and call.done carry the cost `add` returns, the tree adds
// those up, and the budget limit reads the meter's sum.
import {estimateCostUsd} from '../backends/model-info.js';
import type {Usage} from '../protocol/llm.js';

export class CostMeter {
	#usd = 0;
	readonly #unpriced = new Set<string>();

	/** Adds one call's usage on `model` and returns its cost in USD: undefined when the model's
	 * price is not known or the call used no tokens (no "$0.00" for a call that used nothing).
	 * The figure returned is the one its event carries, so the run's sum and the meter agree. */
	add(model: string, usage: Usage): number | undefined {
		if (!(usage.inputTokens > 0 || usage.outputTokens > 0)) return undefined;
		const cost = estimateCostUsd(model, usage);
		if (cost === undefined || !Number.isFinite(cost)) {
			this.#unpriced.add(model);
			return undefined;
		}
		this.#usd += cost;
		return cost;
	}

	/** USD so far, over the models whose price is known. */
	get usd(): number {
		return this.#usd;
	}

	/** Models used whose price is not known. */
	get unpriced(): string[] {
		return [...this.#unpriced];
	}
}

/** The estimated USD of `inputTokens` sent to `model` (its reply not counted); 0 when its price is not known. */
export function inputCostUsd(model: string, inputTokens: number): number {
	return estimateCostUsd(model, {inputTokens, outputTokens: 0}) ?? 0;
}

/** True when the catalog knows `model`'s price. */
export function priceKnown(model: string): boolean {
	return estimateCostUsd(model, {inputTokens: 0, outputTokens: 0}) !== undefined;
}
