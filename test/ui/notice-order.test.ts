// A notice about a model call sits in the tree where it happened: a retry (after an overload, a
// reset or a stall) above the iteration's reply row, live whether or not text had streamed, and
// read back from a log (which lists every notice after the reply); a notice about the reply
// itself (cut at the token limit) after it.
import {describe, expect, it} from 'vitest';
import type {RlmEvent, RlmEventBody} from '../../source/protocol/events.js';
import {getNode} from '../../source/trajectory/tree.js';
import {applyEvents, emptyTreeView, flatten} from '../../source/ui/state/tree-view.js';

let t = 0;
const ev = (body: RlmEventBody): RlmEvent => ({...body, t: (t += 1000)});
const usage = {inputTokens: 100, outputTokens: 20};

/** The rows as kind (and a notice's code), top to bottom. */
function rowKinds(events: RlmEvent[]): string[] {
	const view = applyEvents(emptyTreeView(), events, 40);
	return flatten({...view, baseline: 'expanded'}).ids.map((id) => {
		const node = getNode(view.traj, id)!;
		return node.kind === 'notice' ? `notice ${node.code}` : node.kind;
	});
}

const start = (): RlmEvent[] => [
	ev({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 30}),
	ev({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 30}),
];
const retried = (message: string) => ev({type: 'notice', runId: 'r', level: 'warn', code: 'stream_retried', message});
const truncated = () => ev({type: 'notice', runId: 'r', level: 'warn', code: 'reply_truncated', message: 'cut at the token limit'});
const llmStart = () => ev({type: 'llm.start', runId: 'r', iteration: 1, messages: 2, promptChars: 10});
const done = () => ev({type: 'llm.done', runId: 'r', iteration: 1, text: 'FINAL(1)', usage, ms: 10});

describe('notices in the tree', () => {
	const expected = ['run', 'iteration', 'notice stream_retried', 'notice stream_retried', 'reply', 'notice reply_truncated'];

	it('live: a retry before any text (an overload, a stall) sits above the reply, as one that withdrew text does', () => {
		const live = [
			...start(),
			llmStart(),
			retried('The server is overloaded (529). Retrying in 0.4 s (1 of 2).'),
			ev({type: 'llm.delta', runId: 'r', iteration: 1, text: 'FIN'}),
			retried('The reply so far is withdrawn: the connection was reset mid-stream. Retrying in 0.8 s (2 of 2).'),
			ev({type: 'llm.restart', runId: 'r', iteration: 1}),
			done(),
			truncated(),
		];
		expect(rowKinds(live)).toEqual(expected);
		// A stall while the model still thought: nothing withdrawn, no restart; still above the reply.
		const stalled = [
			...start(),
			llmStart(),
			ev({type: 'llm.reasoning', runId: 'r', iteration: 1, text: 'Let me think'}),
			retried('The server sent nothing for 60 s while the model was still thinking. Retrying in 0.4 s (1 of 2).'),
			done(),
		];
		expect(rowKinds(stalled)).toEqual(['run', 'iteration', 'notice stream_retried', 'reply', 'reasoning']);
	});

	it('resumed: the log lists the notices after the reply; they are shown where they were live', () => {
		const resumed = [...start(), llmStart(), done(), retried('overloaded, retrying'), retried('reset, retrying'), truncated()];
		expect(rowKinds(resumed)).toEqual(expected);
	});
});

it('a deprecated model\'s warning, told before the reply came, sits above the reply', () => {
	const deprecated = ev({type: 'notice', runId: 'r', level: 'warn', code: 'model_deprecated', message: "Anthropic has deprecated the model 'claude-old'"});
	const live = [...start(), llmStart(), deprecated, ev({type: 'llm.delta', runId: 'r', iteration: 1, text: 'FIN'}), done()];
	expect(rowKinds(live)).toEqual(['run', 'iteration', 'notice model_deprecated', 'reply']);
});
