// The engine prices what it reports: each model reply (llm.done) and each plain sub-call
// (call.done of an llm call) carries `costUsd` when its model's price is known (the backends'
// catalog, backends/model-info.ts). Front ends add these up; none of them reads a price table.
import {estimateCostUsd} from '../backends/model-info.js';
import type {RlmEventBody} from '../protocol/events.js';

/** Adds `costUsd` to the events of one session that can carry it (it remembers which model each
 * run and each call uses, from their start events). */
export function costStamper(): (body: RlmEventBody) => RlmEventBody {
	const runModels = new Map<string, string>();
	const callModels = new Map<string, string>();
	return (body) => {
		switch (body.type) {
			case 'run.start':
				runModels.set(body.runId, body.model);
				return body;
			case 'call.start':
				// A child RLM's replies are priced by its own llm.done events.
				if (body.kind === 'llm') callModels.set(body.callId, body.model);
				return body;
			case 'llm.done': {
				const model = runModels.get(body.runId);
				const costUsd = model === undefined ? undefined : priced(model, body.usage);
				return costUsd === undefined ? body : {...body, costUsd};
			}
			case 'call.done': {
				const model = callModels.get(body.callId);
				callModels.delete(body.callId);
				const costUsd = model === undefined ? undefined : priced(model, body.usage);
				return costUsd === undefined ? body : {...body, costUsd};
			}
			case 'run.done':
				runModels.delete(body.runId);
				return body;
			default:
				return body;
		}
	};
}

/** No tokens, no cost (and no "$0.00" for a call that used nothing). */
function priced(model: string, usage: {inputTokens: number; outputTokens: number}): number | undefined {
	if (!(usage.inputTokens > 0 || usage.outputTokens > 0)) return undefined;
	const cost = estimateCostUsd(model, usage);
	return cost !== undefined && Number.isFinite(cost) ? cost : undefined;
}

/** USD over usage per model, for serve's usage.cost (model-info's catalog). */
export {estimateCostByModelUsd} from '../backends/model-info.js';
