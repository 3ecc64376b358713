// The estimated cost of a run's model calls, in USD, from the model catalog's prices
// (backends/model-info.ts: tokenlens' bundled models.dev data). A model without a known price
// (a local model, usually) adds its tokens but no cost, and is named in `unpriced`.
import {estimateCostUsd} from '../backends/model-info.js';
import type {Usage} from '../protocol/llm.js';

export class CostMeter {
	#usd = 0;
	readonly #unpriced = new Set<string>();

	/** Adds one call's usage on `model`. Returns false when the model's price is not known. */
	add(model: string, usage: Usage): boolean {
		const cost = estimateCostUsd(model, usage);
		if (cost === undefined) {
			if (usage.inputTokens + usage.outputTokens > 0) this.#unpriced.add(model);
			return false;
		}
		this.#usd += cost;
		return true;
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
