import {describe, expect, it} from 'vitest';
import type {RlmEvent, RlmEventBody} from '../../source/protocol/events.js';
import {
	emptyTrajectory,
	findCall,
	findRun,
	getNode,
	nodeCount,
	reduceAll,
	reduceTrajectory,
	toNested,
	type CallNode,
	type CodeNode,
	type OutputNode,
	type ReplyNode,
	type RunNode,
	type TrajectoryState,
} from '../../source/trajectory/tree.js';

let clock = 0;
const ev = (body: RlmEventBody): RlmEvent => ({...body, t: (clock += 10)});
const u = (inputTokens: number, outputTokens: number) => ({inputTokens, outputTokens});

const runStart = (runId: string, extra: Partial<Extract<RlmEventBody, {type: 'run.start'}>> = {}) =>
	ev({type: 'run.start', runId, depth: 0, model: 'root-m', backend: 'demo', question: 'q?', context: {type: 'str', chars: 5}, maxIterations: 5, ...extra});

function scenario(): RlmEvent[] {
	clock = 0;
	return [
		runStart('r1'),
		ev({type: 'iter.start', runId: 'r1', iteration: 1, maxIterations: 5}),
		ev({type: 'llm.start', runId: 'r1', iteration: 1, messages: 2, promptChars: 100}),
		ev({type: 'llm.delta', runId: 'r1', iteration: 1, text: 'Let me '}),
		ev({type: 'llm.delta', runId: 'r1', iteration: 1, text: 'look.'}),
		ev({type: 'llm.done', runId: 'r1', iteration: 1, text: 'Let me look.\n```repl\nprint(1)\n```', usage: u(100, 20), ms: 15}),
		ev({type: 'code.start', runId: 'r1', iteration: 1, block: 0, code: 'print(1)'}),
		ev({type: 'code.output', runId: 'r1', iteration: 1, block: 0, stream: 'stdout', text: '1\n'}),
		ev({type: 'call.start', callId: 'c1', runId: 'r1', iteration: 1, block: 0, kind: 'llm', fn: 'llm_query_batched', index: 0, model: 'sub-m', prompt: 'p0'}),
		ev({type: 'call.start', callId: 'c2', runId: 'r1', iteration: 1, block: 0, kind: 'llm', fn: 'llm_query_batched', index: 1, model: 'sub-m', prompt: 'p1'}),
		ev({type: 'call.delta', callId: 'c1', text: 'an'}),
		ev({type: 'call.done', callId: 'c1', response: 'answer0', usage: u(10, 5), ms: 7}),
		ev({type: 'call.done', callId: 'c2', response: 'Error: boom', usage: u(0, 0), ms: 3, error: 'Error: boom'}),
		ev({type: 'call.start', callId: 'c3', runId: 'r1', iteration: 1, block: 0, kind: 'rlm', fn: 'rlm_query', index: 0, model: 'sub-m', prompt: 'child?'}),
		runStart('r2', {parentCallId: 'c3', depth: 1, model: 'sub-m', question: 'child?'}),
		ev({type: 'iter.start', runId: 'r2', iteration: 1, maxIterations: 5}),
		ev({type: 'llm.done', runId: 'r2', iteration: 1, text: 'child reply', usage: u(30, 3), ms: 5}),
		ev({type: 'run.done', runId: 'r2', answer: 'child answer', status: 'answered', usage: u(30, 3), ms: 20, iterations: 1}),
		ev({type: 'call.done', callId: 'c3', response: 'child answer', usage: u(30, 3), ms: 25}),
		ev({type: 'code.done', runId: 'r1', iteration: 1, block: 0, ok: true, stdout: '1\n', stderr: '', ms: 40, truncatedChars: 0, variables: [{name: 'x', type: 'int'}], final: null, restarted: false}),
		ev({type: 'iter.start', runId: 'r1', iteration: 2, maxIterations: 5}),
		ev({type: 'llm.done', runId: 'r1', iteration: 2, text: 'done', usage: u(200, 10), ms: 9}),
		ev({type: 'notice', runId: 'r1', level: 'warn', code: 'prompt_truncated', message: 'heads up'}),
		ev({type: 'run.done', runId: 'r1', answer: '42', status: 'answered', usage: u(340, 38), ms: 300, iterations: 2}),
	];
}

describe('reduceTrajectory', () => {
	it('builds run -> iteration -> reply / code -> output / calls -> child run', () => {
		const state = reduceAll(scenario());
		expect(state.roots).toHaveLength(1);
		const run = getNode(state, state.roots[0]!) as RunNode;
		expect(run).toMatchObject({kind: 'run', runId: 'r1', status: 'done', runStatus: 'answered', answer: '42', iteration: 2, ms: 300});
		const [iter1, iter2] = run.children.map(id => getNode(state, id)!);
		expect(iter1).toMatchObject({kind: 'iteration', iteration: 1, status: 'done'});
		expect(iter2).toMatchObject({kind: 'iteration', iteration: 2, status: 'done'});
		const [reply, code] = iter1.children.map(id => getNode(state, id)!);
		expect(reply).toMatchObject({kind: 'reply', text: 'Let me look.\n```repl\nprint(1)\n```', status: 'done', usage: u(100, 20), messages: 2, model: 'root-m'});
		expect(code).toMatchObject({kind: 'code', code: 'print(1)', ok: true, status: 'done', ms: 40});
		const codeChildren = code.children.map(id => getNode(state, id)!);
		expect(codeChildren.map(n => n.kind)).toEqual(['output', 'call', 'call', 'call']);
		expect(codeChildren[0]).toMatchObject({text: '1\n', stdout: '1\n', status: 'done'} satisfies Partial<OutputNode>);
		expect(codeChildren[1]).toMatchObject({fn: 'llm_query_batched', index: 0, response: 'answer0', status: 'done', usage: u(10, 5)} satisfies Partial<CallNode>);
		expect(codeChildren[2]).toMatchObject({index: 1, status: 'error', error: 'Error: boom'});
		const rlmCall = codeChildren[3] as CallNode;
		expect(rlmCall.callKind).toBe('rlm');
		const child = getNode(state, rlmCall.childRun!) as RunNode;
		expect(child).toMatchObject({kind: 'run', runId: 'r2', depth: 1, parent: rlmCall.id, level: rlmCall.level + 1, status: 'done'});
		// Inclusive usage of the rlm call is not double counted with its child run.
		expect(rlmCall.usage).toEqual(u(30, 3));
		expect(code.usage).toEqual(u(40, 8));
		expect(iter1.usage).toEqual(u(140, 28));
		expect(run.usage).toEqual(u(340, 38));
		expect(state.usage).toEqual(u(340, 38));
		expect(state.usageByModel).toEqual({'root-m': u(300, 30), 'sub-m': u(40, 8)});
		const notice = getNode(state, iter2.children[1]!)!;
		expect(notice).toMatchObject({kind: 'notice', noticeLevel: 'warn', message: 'heads up'});
		expect(findRun(state, 'r2')?.id).toBe(child.id);
		expect(findCall(state, 'c1')?.response).toBe('answer0');
		expect(state.newest).toBe(notice.id);
	});

	it('never mutates the input state and shares untouched nodes', () => {
		const events = scenario();
		const mid = reduceAll(events.slice(0, 8));
		const snapshot = JSON.stringify(toNested(mid));
		const next = reduceTrajectory(mid, events[8]!);
		expect(JSON.stringify(toNested(mid))).toBe(snapshot);
		expect(nodeCount(next)).toBe(nodeCount(mid) + 1);
		const replyId = getNode(mid, getNode(mid, mid.roots[0]!)!.children[0]!)!.children[0]!;
		expect(getNode(next, replyId)).toBe(getNode(mid, replyId));
		// A streamed delta replaces the reply and its ancestors only.
		const delta = reduceTrajectory(mid, ev({type: 'call.delta', callId: 'nope', text: 'x'}));
		expect(delta).toBe(mid);
	});

	it('produces the same result when an event is reduced twice from the same state (strict mode)', () => {
		const events = scenario();
		let state = emptyTrajectory();
		for (const event of events) {
			const a = reduceTrajectory(state, event);
			const b = reduceTrajectory(state, event);
			expect(toNested(b)).toEqual(toNested(a));
			state = b;
		}
		expect(state.usage).toEqual(u(340, 38));
	});

	it('marks running nodes cancelled when a run is cancelled, and errors on failure', () => {
		clock = 0;
		const state = reduceAll([
			runStart('r1'),
			ev({type: 'iter.start', runId: 'r1', iteration: 1, maxIterations: 5}),
			ev({type: 'llm.delta', runId: 'r1', iteration: 1, text: 'partial'}),
			ev({type: 'run.done', runId: 'r1', answer: '', status: 'cancelled', usage: u(0, 0), ms: 50, iterations: 1}),
			runStart('r3'),
			ev({type: 'code.start', runId: 'r3', iteration: 1, block: 0, code: 'x'}),
			ev({type: 'code.done', runId: 'r3', iteration: 1, block: 0, ok: false, stdout: '', stderr: 'Traceback', error: 'NameError', ms: 1, truncatedChars: 0, variables: [], final: null, restarted: false}),
			ev({type: 'run.done', runId: 'r3', answer: '', status: 'failed', usage: u(0, 0), ms: 5, iterations: 1, error: 'backend down'}),
		]);
		const [r1, r3] = state.roots.map(id => getNode(state, id) as RunNode);
		expect(r1.status).toBe('cancelled');
		const iter = getNode(state, r1.children[0]!)!;
		expect(iter.status).toBe('cancelled');
		expect((getNode(state, iter.children[0]!) as ReplyNode)).toMatchObject({text: 'partial', status: 'cancelled'});
		expect(r3).toMatchObject({status: 'error', error: 'backend down'});
		const code = getNode(state, getNode(state, r3.children[0]!)!.children[0]!) as CodeNode;
		expect(code).toMatchObject({status: 'error', error: 'NameError'});
		expect(getNode(state, code.output!)).toMatchObject({kind: 'output', stderr: 'Traceback', error: 'NameError', status: 'error'});
	});

	it('the forced final call after the last iteration is not an iteration: the count stops at the limit', () => {
		clock = 0;
		const state = reduceAll([
			runStart('r1', {maxIterations: 2}),
			ev({type: 'iter.start', runId: 'r1', iteration: 1, maxIterations: 2}),
			ev({type: 'llm.done', runId: 'r1', iteration: 1, text: 'a', usage: u(1, 1), ms: 1}),
			ev({type: 'iter.start', runId: 'r1', iteration: 2, maxIterations: 2}),
			ev({type: 'llm.done', runId: 'r1', iteration: 2, text: 'b', usage: u(1, 1), ms: 1}),
			// The engine numbers the forced call maxIterations + 1 and sends no iter.start for it.
			ev({type: 'llm.start', runId: 'r1', iteration: 3, messages: 6, promptChars: 600}),
			ev({type: 'llm.done', runId: 'r1', iteration: 3, text: 'best guess', usage: u(1, 1), ms: 1}),
			ev({type: 'run.done', runId: 'r1', answer: 'best guess', status: 'forced', usage: u(3, 3), ms: 9, iterations: 3}),
		]);
		const run = getNode(state, state.roots[0]!) as RunNode;
		expect(run.iteration).toBe(2);
		const iterations = run.children.map((id) => getNode(state, id)!).filter((node) => node.kind === 'iteration');
		expect(iterations.map((node) => (node as {forced?: boolean}).forced ?? false)).toEqual([false, false, true]);
	});

	it('tolerates events for unknown runs and calls', () => {
		clock = 0;
		let state: TrajectoryState = emptyTrajectory();
		state = reduceTrajectory(state, ev({type: 'code.start', runId: 'ghost', iteration: 3, block: 1, code: 'y'}));
		expect(state.roots).toHaveLength(1);
		state = reduceTrajectory(state, runStart('child', {parentCallId: 'unknown-call', depth: 1}));
		expect(state.roots).toHaveLength(2);
		state = reduceTrajectory(state, ev({type: 'call.done', callId: 'missing', response: '', usage: u(1, 1), ms: 1}));
		expect(state.usage).toEqual(u(0, 0));
	});

	it('stays fast for 10,000+ nodes', () => {
		clock = 0;
		const events: RlmEvent[] = [runStart('big')];
		for (let i = 1; i <= 20; i++) {
			events.push(ev({type: 'iter.start', runId: 'big', iteration: i, maxIterations: 20}));
			events.push(ev({type: 'llm.done', runId: 'big', iteration: i, text: 'r', usage: u(1, 1), ms: 1}));
			events.push(ev({type: 'code.start', runId: 'big', iteration: i, block: 0, code: 'c'}));
			for (let j = 0; j < 500; j++) {
				const callId = `c${i}-${j}`;
				events.push(ev({type: 'call.start', callId, runId: 'big', iteration: i, block: 0, kind: 'llm', fn: 'llm_query_batched', index: j, model: 's', prompt: 'p'}));
				events.push(ev({type: 'call.delta', callId, text: 'x'}));
				events.push(ev({type: 'call.done', callId, response: 'x', usage: u(2, 1), ms: 1}));
			}
			events.push(ev({type: 'code.done', runId: 'big', iteration: i, block: 0, ok: true, stdout: '', stderr: '', ms: 1, truncatedChars: 0, variables: [], final: null, restarted: false}));
		}
		const state = reduceAll(events);
		expect(nodeCount(state)).toBeGreaterThan(10_000);
		expect(state.usage).toEqual(u(20 + 20 * 500 * 2, 20 + 20 * 500));
	});

	it('serialises to nested JSON', () => {
		const nested = toNested(reduceAll(scenario()));
		const text = JSON.stringify(nested);
		expect(nested[0]!.kind).toBe('run');
		expect(nested[0]!.children[0]!.children[1]!.children[3]!.children[0]).toMatchObject({kind: 'run', runId: 'r2'});
		expect(text).not.toContain('"childUsage"');
	});
});

describe('the reducer is pure', () => {
	const run = (runId: string) => runStart(runId);
	const done = (runId: string) => ev({type: 'run.done', runId, answer: `answer of ${runId}`, status: 'answered', usage: u(1, 1), ms: 5, iterations: 1});

	it('branching from an older state keeps each branch its own runs and calls', () => {
		clock = 0;
		const base = reduceAll([run('a')]);
		// Branch X announces b first; branch Y announces c and then b, at another node id.
		const x = reduceTrajectory(base, run('b'));
		const y = reduceAll([run('c'), run('b')], base);
		const xDone = reduceTrajectory(x, done('b'));
		expect(findRun(xDone, 'b')?.answer).toBe('answer of b');
		expect(nodeCount(xDone)).toBe(2); // no placeholder run made for a "missing" b
		expect(findRun(y, 'b')?.id).toBe(2);
		expect(findRun(x, 'c')).toBeUndefined();
	});

	it('reducing never changes the state it was given', () => {
		const events = scenario();
		const before = reduceAll(events.slice(0, 8));
		const snapshot = JSON.stringify({nodes: before.nodes, runs: before.runIndex.toJS(), calls: before.callIndex.toJS(), usage: before.usage});
		reduceAll(events.slice(8), before);
		expect(JSON.stringify({nodes: before.nodes, runs: before.runIndex.toJS(), calls: before.callIndex.toJS(), usage: before.usage})).toBe(snapshot);
		expect(findCall(before, 'c1')).toBeUndefined();
	});
});

describe('reasoning nodes', () => {
	const start = () => {
		clock = 0;
		return [runStart('r1'), ev({type: 'iter.start', runId: 'r1', iteration: 1, maxIterations: 5}), ev({type: 'llm.start', runId: 'r1', iteration: 1, messages: 2, promptChars: 10})];
	};
	const kids = (state: TrajectoryState, id: number) => getNode(state, id)!.children.map((child) => getNode(state, child)!);

	it('streamed thinking is a node under the reply, running until the answer starts', () => {
		let state = reduceAll([...start(), ev({type: 'llm.reasoning', runId: 'r1', iteration: 1, text: 'hmm, '}), ev({type: 'llm.reasoning', runId: 'r1', iteration: 1, text: 'draft'})]);
		const iteration = getNode(state, state.roots[0]!)!.children[0]!;
		const reply = kids(state, iteration)[0] as ReplyNode;
		expect(kids(state, reply.id)).toMatchObject([{kind: 'reasoning', text: 'hmm, draft', status: 'running'}]);
		state = reduceAll([ev({type: 'llm.delta', runId: 'r1', iteration: 1, text: 'Answer'})], state);
		expect(kids(state, reply.id)[0]).toMatchObject({status: 'done'});
		state = reduceAll([ev({type: 'llm.done', runId: 'r1', iteration: 1, text: 'Answer', reasoning: 'hmm, draft', usage: u(1, 1), ms: 3})], state);
		expect(getNode(state, reply.id)).toMatchObject({text: 'Answer', children: [expect.any(Number)]});
	});

	it('text that turns out to be thinking moves from the reply to the reasoning node', () => {
		const state = reduceAll([
			...start(),
			ev({type: 'llm.delta', runId: 'r1', iteration: 1, text: 'thinking aloud\n'}),
			ev({type: 'llm.reasoning', runId: 'r1', iteration: 1, text: 'thinking aloud\n', movedFromReply: true}),
			ev({type: 'llm.delta', runId: 'r1', iteration: 1, text: 'the answer'}),
		]);
		const iteration = getNode(state, state.roots[0]!)!.children[0]!;
		const reply = kids(state, iteration)[0] as ReplyNode;
		expect(reply.text).toBe('the answer');
		expect(kids(state, reply.id)).toMatchObject([{kind: 'reasoning', text: 'thinking aloud\n', status: 'done'}]);
	});

	it('a sub-call keeps its thinking in a node before its child run; a done event alone makes one too', () => {
		const state = reduceAll([
			...start(),
			ev({type: 'code.start', runId: 'r1', iteration: 1, block: 1, code: 'llm_query("x")'}),
			ev({type: 'call.start', callId: 'c1', runId: 'r1', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: 'm', prompt: 'x'}),
			ev({type: 'call.reasoning', callId: 'c1', text: 'draft\n'}),
			ev({type: 'call.delta', callId: 'c1', text: 'draft\n'}),
			ev({type: 'call.reasoning', callId: 'c1', text: 'draft\n', movedFromResponse: true}),
			ev({type: 'call.done', callId: 'c1', response: 'ok', reasoning: 'draft\ndraft\n', usage: u(1, 1), ms: 2}),
			ev({type: 'call.start', callId: 'c2', runId: 'r1', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query', index: 0, model: 'm', prompt: 'y'}),
			ev({type: 'call.done', callId: 'c2', response: 'ok', reasoning: 'logged only', usage: u(1, 1), ms: 2}),
		]);
		const c1 = findCall(state, 'c1')!;
		expect(c1.response).toBe('ok');
		expect(kids(state, c1.id)).toMatchObject([{kind: 'reasoning', text: 'draft\ndraft\n', status: 'done'}]);
		expect(kids(state, findCall(state, 'c2')!.id)).toMatchObject([{kind: 'reasoning', text: 'logged only', status: 'done'}]);
	});

	it('notices keep their code', () => {
		const state = reduceAll([...start(), ev({type: 'notice', runId: 'r1', level: 'warn', code: 'reasoning_only', message: 'only thinking'})]);
		const iteration = getNode(state, state.roots[0]!)!.children[0]!;
		expect(kids(state, iteration).find((n) => n.kind === 'notice')).toMatchObject({code: 'reasoning_only', noticeLevel: 'warn'});
	});
});

describe('a model call that failed', () => {
	/** Run r1's first reply, begun: "Let me" streamed so far. */
	const replyBegun = () => [
		runStart('r1'),
		ev({type: 'iter.start', runId: 'r1', iteration: 1, maxIterations: 5}),
		ev({type: 'llm.start', runId: 'r1', iteration: 1, messages: 2, promptChars: 10}),
		ev({type: 'llm.delta', runId: 'r1', iteration: 1, text: 'Let me'}),
	];
	const replyOf = (state: TrajectoryState) => {
		const run = getNode(state, state.roots[0]!)!;
		const iteration = getNode(state, run.children[0]!)!;
		return getNode(state, iteration.children[0]!) as ReplyNode;
	};

	it('is a failed reply with its error (what streamed before kept), not a good one, whatever the run does after', () => {
		clock = 0;
		const state = reduceAll([
			...replyBegun(),
			ev({type: 'llm.error', runId: 'r1', iteration: 1, error: 'Rate limited (429)', errorCode: 'rate_limited', ms: 5}),
			// A limit's run ends "limited" with the best it has: still not a good reply.
			ev({type: 'run.done', runId: 'r1', answer: 'best so far', status: 'limited', usage: u(0, 0), ms: 50, iterations: 1}),
		]);
		const reply = replyOf(state);
		expect(reply.status).toBe('error');
		expect(reply.error).toBe('Rate limited (429)');
		expect(reply.errorCode).toBe('rate_limited');
		expect(reply.text).toBe('Let me');
	});

	it('a reply still streaming when a limit stops the run is cut short, not done', () => {
		clock = 0;
		const state = reduceAll([
			...replyBegun(),
			ev({type: 'run.done', runId: 'r1', answer: '', status: 'limited', limit: 'maxTimeout', usage: u(0, 0), ms: 50, iterations: 1}),
		]);
		expect(replyOf(state).status).toBe('cancelled');
	});
});
