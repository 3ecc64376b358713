// A notice sits in the tree where it was given: one said while the model call ran (a retry after
// an overload, a reset or a stall; a cut prompt) above the iteration's reply row, live whether or
// not text had streamed, and read back from a log; one about the reply itself (cut at the token
// limit) after it; a sub-call's, said while a code block ran, after that block.
import {describe, expect, it} from 'vitest';
import type {RlmEvent, RlmEventBody} from '../../source/protocol/events.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import type {TrajectoryLog} from '../../source/trajectory/read-log.js';
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

	it('resumed from a log written before it said where notices were given: those about the call above the reply, as live', () => {
		const log: TrajectoryLog = {
			path: 'old.jsonl',
			skippedLines: 0,
			metadata: {type: 'metadata', timestamp: '2026-11-30T10:00:00.000Z', root_model: 'm', max_depth: 1, max_iterations: 30, backend: 'openai', backend_kwargs: {}, environment_type: 'pyodide-sandbox', environment_kwargs: {}, other_backends: null, rlm_tui: {version: 1, session_id: 's', run_id: 'r', turn: 1, question: 'q'}},
			iterations: [
				{
					type: 'iteration',
					iteration: 1,
					timestamp: '2026-11-30T10:00:00.100Z',
					prompt: [],
					response: 'FINAL(1)',
					code_blocks: [],
					final_answer: '1',
					iteration_time: 2,
					rlm_tui: {
						usage,
						run_status: 'answered',
						answer: '1',
						notices: [
							{code: 'stream_retried', level: 'warn', message: 'overloaded, retrying'},
							{code: 'stream_retried', level: 'warn', message: 'reset, retrying'},
							{code: 'reply_truncated', level: 'warn', message: 'cut at the token limit'},
						],
					},
				},
			],
		};
		expect(rowKinds(logToEvents(log))).toEqual(expected);
	});
});

it("a sub-call's retry, said while a code block runs, stays below that block, not above the iteration's reply", () => {
	const live = [
		...start(),
		llmStart(),
		ev({type: 'llm.done', runId: 'r', iteration: 1, text: '```repl\nllm_query("x")\n```', usage, ms: 10}),
		ev({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'llm_query("x")'}),
		retried('The sub-model server is overloaded (529). Retrying in 0.4 s (1 of 2).'),
		ev({type: 'code.done', runId: 'r', iteration: 1, block: 1, ok: true, stdout: '', stderr: '', ms: 5, truncatedChars: 0, variables: [], final: null, restarted: false}),
	];
	expect(rowKinds(live)).toEqual(['run', 'iteration', 'reply', 'code', 'notice stream_retried']);
});

it('a cut prompt, said before its reply is done, sits above the reply', () => {
	const cut = ev({type: 'notice', runId: 'r', level: 'warn', code: 'prompt_truncated', message: 'The server kept 2,050 of about 9,000 prompt tokens.'});
	expect(rowKinds([...start(), llmStart(), ev({type: 'llm.delta', runId: 'r', iteration: 1, text: 'FINAL(1)'}), cut, done()])).toEqual(['run', 'iteration', 'notice prompt_truncated', 'reply']);
});

it('a deprecated model\'s warning, told before the reply came, sits above the reply', () => {
	const deprecated = ev({type: 'notice', runId: 'r', level: 'warn', code: 'model_deprecated', message: "Anthropic has deprecated the model 'claude-old'"});
	const live = [...start(), llmStart(), deprecated, ev({type: 'llm.delta', runId: 'r', iteration: 1, text: 'FIN'}), done()];
	expect(rowKinds(live)).toEqual(['run', 'iteration', 'notice model_deprecated', 'reply']);
});
