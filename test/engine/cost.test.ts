// The engine prices what it reports (llm.done and plain call.done carry costUsd from the model
// catalog); the tree adds those up, so no front end reads a price table.
import {describe, expect, it} from 'vitest';
import {estimateCostUsd} from '../../source/backends/model-info.js';
import {costStamper} from '../../source/engine/cost.js';
import type {RlmEventBody} from '../../source/protocol/events.js';
import {emptyTrajectory, reduceTrajectory} from '../../source/trajectory/tree.js';

const priced = 'claude-sonnet-4-5';
const million = {inputTokens: 1_000_000, outputTokens: 0};

function session(): RlmEventBody[] {
	return [
		{type: 'run.start', runId: 'r', depth: 0, model: priced, backend: 'anthropic', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 3},
		{type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 3},
		{type: 'llm.start', runId: 'r', iteration: 1, messages: 2, promptChars: 10},
		{type: 'llm.done', runId: 'r', iteration: 1, text: 'x', usage: million, ms: 1},
		{type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'llm_query("a")'},
		{type: 'call.start', callId: 'c1', runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: priced, prompt: 'a'},
		{type: 'call.done', callId: 'c1', response: 'b', usage: million, ms: 1},
		{type: 'call.start', callId: 'c2', runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 1, model: 'no-such-model-anywhere', prompt: 'a'},
		{type: 'call.done', callId: 'c2', response: 'b', usage: million, ms: 1},
		{type: 'call.start', callId: 'c3', runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 2, model: priced, prompt: 'a'},
		{type: 'call.done', callId: 'c3', response: 'b', usage: {inputTokens: 0, outputTokens: 0}, ms: 1},
	];
}

describe('cost', () => {
	it('each priced reply and sub-call carries its cost; unknown models and empty usage carry none', () => {
		const stamp = costStamper();
		const out = session().map(stamp);
		const unit = estimateCostUsd(priced, million);
		expect(unit).toBeGreaterThan(0);
		const llmDone = out.find((event) => event.type === 'llm.done');
		expect(llmDone && 'costUsd' in llmDone ? llmDone.costUsd : undefined).toBeCloseTo(unit!, 9);
		const calls = out.filter((event) => event.type === 'call.done');
		expect(calls.map((event) => ('costUsd' in event ? event.costUsd : undefined))).toEqual([unit, undefined, undefined]);
	});

	it("a child RLM's call is not priced twice: its own replies carry the cost", () => {
		const stamp = costStamper();
		const child: RlmEventBody[] = [
			{type: 'run.start', runId: 'r', depth: 0, model: priced, backend: 'anthropic', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 3},
			{type: 'call.start', callId: 'c', runId: 'r', iteration: 1, block: 1, kind: 'rlm', fn: 'rlm_query', index: 0, model: priced, prompt: 'a'},
			{type: 'run.start', runId: 'k', parentCallId: 'c', depth: 1, model: priced, backend: 'anthropic', question: 'a', context: {type: 'str', chars: 1}, maxIterations: 3},
			{type: 'llm.done', runId: 'k', iteration: 1, text: 'x', usage: million, ms: 1},
			{type: 'call.done', callId: 'c', response: 'b', usage: million, ms: 1},
		];
		const out = child.map(stamp);
		expect(out.filter((event) => 'costUsd' in event)).toHaveLength(1);
		expect(out.find((event) => event.type === 'call.done')).not.toHaveProperty('costUsd');
	});

	it('the tree adds up the costs on the events; undefined while nothing was priced', () => {
		const stamp = costStamper();
		let tree = emptyTrajectory();
		expect(tree.costUsd).toBeUndefined();
		let t = 0;
		for (const body of session()) tree = reduceTrajectory(tree, {...stamp(body), t: ++t});
		expect(tree.costUsd).toBeCloseTo(2 * estimateCostUsd(priced, million)!, 9);
		let unpriced = emptyTrajectory();
		for (const body of session()) unpriced = reduceTrajectory(unpriced, {...body, t: ++t});
		expect(unpriced.costUsd).toBeUndefined();
	});
});
