// Adapter over the backends' price table: loads `estimateCostUsd` if it is there and falls back to
// "no cost" if it is missing or throws, so the UI never depends on its shape.
import type {Usage} from '../protocol/llm.js';

type Estimator = (model: string, usage: Usage) => number | undefined;

let estimator: Estimator | undefined;
let loading: Promise<void> | undefined;

/** Starts loading the price table (call once at start-up; harmless to call again). */
export function loadCostEstimator(): Promise<void> {
	loading ??= import('../backends/model-info.js')
		.then((module: Record<string, unknown>) => {
			if (typeof module.estimateCostUsd === 'function') estimator = module.estimateCostUsd as Estimator;
		})
		.catch(() => undefined);
	return loading;
}

/** Estimated USD for usage per model; undefined when no model's price is known. */
export function estimateCost(usageByModel: Readonly<Record<string, Usage>>): number | undefined {
	if (!estimator) return undefined;
	let total: number | undefined;
	for (const [model, usage] of Object.entries(usageByModel)) {
		let cost: number | undefined;
		try {
			cost = estimator(model, usage);
		} catch {
			cost = undefined;
		}
		if (typeof cost === 'number' && Number.isFinite(cost)) total = (total ?? 0) + cost;
	}
	return total;
}
