// rlm_runs' summary of a run, from its tree: failed sub-calls are counted, and a failed run says
// its error's code beside the message.
import {expect, it} from 'vitest';
import type {RlmEvent, RlmEventBody} from '../../source/protocol/events.js';
import {reduceAll} from '../../source/trajectory/tree.js';
import {summarizeRun} from '../../source/mcp/run-log.js';

let t = 0;
const ev = (body: RlmEventBody): RlmEvent => ({...body, t: (t += 10)});
const usage = {inputTokens: 10, outputTokens: 2};

it('counts the failed sub-calls and gives a failed run’s error code', () => {
	const state = reduceAll([
		ev({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 5}),
		ev({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 5}),
		ev({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'llm_query_batched(["a", "b", "c"])'}),
		...['a', 'b', 'c'].map((prompt, index) => ev({type: 'call.start', callId: `c${index}`, runId: 'r', iteration: 1, block: 1, kind: 'llm', fn: 'llm_query_batched', index, model: 'm', prompt})),
		ev({type: 'call.done', callId: 'c0', response: 'fine', usage, ms: 5}),
		ev({type: 'call.done', callId: 'c1', response: 'Error: Rate limited (429).', usage, ms: 5, error: 'Rate limited (429).', errorCode: 'rate_limited'}),
		ev({type: 'call.done', callId: 'c2', response: 'Error: Rate limited (429).', usage, ms: 5, error: 'Rate limited (429).', errorCode: 'rate_limited'}),
		ev({type: 'code.done', runId: 'r', iteration: 1, block: 1, ok: true, stdout: '', stderr: '', ms: 20, truncatedChars: 0, variables: [], final: null, restarted: false}),
		ev({type: 'run.done', runId: 'r', answer: '', status: 'failed', usage, ms: 100, iterations: 1, error: 'Cannot reach the server.', errorCode: 'unreachable'}),
	]);
	expect(summarizeRun(state, 'r')).toMatchObject({status: 'failed', sub_calls: 3, failed_sub_calls: 2, error: 'Cannot reach the server.', error_code: 'unreachable'});
});

it('gives an answer only to a run that has one: a running, cancelled or failed run has its partial_answer instead', () => {
	const start = (runId: string) => [
		ev({type: 'run.start', runId, depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 5}),
		ev({type: 'iter.start', runId, iteration: 1, maxIterations: 5}),
		ev({type: 'llm.start', runId, iteration: 1, messages: 2, promptChars: 100}),
		ev({type: 'llm.done', runId, iteration: 1, text: 'Looking at the logs first.', usage, ms: 5}),
	];
	const done = (runId: string, status: 'answered' | 'cancelled' | 'failed' | 'limited', answer: string) =>
		ev({type: 'run.done', runId, answer, status, usage, ms: 50, iterations: 1, ...(status === 'failed' ? {error: 'Cannot reach the server.', errorCode: 'unreachable' as const} : {})});
	const state = reduceAll([
		...start('running'),
		...start('cancelled'),
		done('cancelled', 'cancelled', 'disk full on /var (last output)'),
		...start('failed'),
		done('failed', 'failed', ''),
		...start('answered'),
		done('answered', 'answered', 'code 4217'),
		...start('limited'),
		done('limited', 'limited', 'draft: code 42'),
	]);
	const summary = (runId: string) => summarizeRun(state, runId)!;
	expect(summary('running')).toMatchObject({status: 'running', partial_answer: 'Looking at the logs first.'});
	expect(summary('cancelled')).toMatchObject({status: 'cancelled', partial_answer: 'disk full on /var (last output)'});
	expect(summary('failed')).toMatchObject({status: 'failed', partial_answer: 'Looking at the logs first.'});
	for (const runId of ['running', 'cancelled', 'failed']) expect(summary(runId)).not.toHaveProperty('answer');
	expect(summary('answered')).toMatchObject({answer: 'code 4217'});
	expect(summary('limited')).toMatchObject({answer: 'draft: code 42'});
	for (const runId of ['answered', 'limited']) expect(summary(runId)).not.toHaveProperty('partial_answer');
});

it('never gives code as an answer: a limited run whose replies are only code has none', () => {
	const state = reduceAll([
		ev({type: 'run.start', runId: 'code', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 5}),
		ev({type: 'iter.start', runId: 'code', iteration: 1, maxIterations: 5}),
		ev({type: 'llm.start', runId: 'code', iteration: 1, messages: 2, promptChars: 100}),
		ev({type: 'llm.done', runId: 'code', iteration: 1, text: 'Counting.\n\n```repl\nprint(1)\n```', usage, ms: 5}),
		ev({type: 'iter.start', runId: 'code', iteration: 2, maxIterations: 5}),
		ev({type: 'llm.start', runId: 'code', iteration: 2, messages: 4, promptChars: 100}),
		ev({type: 'llm.done', runId: 'code', iteration: 2, text: '```repl\nraise KeyError(3)\n```', usage, ms: 5}),
		ev({type: 'run.done', runId: 'code', answer: '', status: 'limited', usage, ms: 50, iterations: 2}),
	]);
	const summary = summarizeRun(state, 'code')!;
	expect(summary.answer).toBe('Counting.');
	expect(JSON.stringify(summary)).not.toContain('KeyError');
});

it('never gives a refusal as what the run found: a run whose last call was refused has the words before it', () => {
	const refusal = "I'm sorry, I can't help with that.";
	const state = reduceAll([
		ev({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 1}),
		ev({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 1}),
		ev({type: 'llm.start', runId: 'r', iteration: 1, messages: 2, promptChars: 100}),
		ev({type: 'llm.done', runId: 'r', iteration: 1, text: 'Reading the log.\n\n```repl\nprint(len(context))\n```', usage, ms: 5}),
		ev({type: 'llm.start', runId: 'r', iteration: 2, final: 'forced', messages: 4, promptChars: 100}),
		ev({type: 'llm.done', runId: 'r', iteration: 2, text: refusal, usage, ms: 5, finishReason: 'refusal'}),
		ev({type: 'run.done', runId: 'r', answer: '', status: 'failed', usage, ms: 50, iterations: 1, error: `Out of turns: The model refused the final answer: “${refusal}”`, errorCode: 'refused'}),
	]);
	expect(summarizeRun(state, 'r')).toMatchObject({status: 'failed', partial_answer: 'Reading the log.', error_code: 'refused'});
});

it("finds what a stopped run found in the engine's order: the answer draft, else the last output, else the last words", () => {
	const steps = (runId: string, blocks: {stdout: string; answerDraft?: string}[]) => [
		ev({type: 'run.start', runId, depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 5}),
		ev({type: 'iter.start', runId, iteration: 1, maxIterations: 5}),
		ev({type: 'llm.start', runId, iteration: 1, messages: 2, promptChars: 100}),
		ev({type: 'llm.done', runId, iteration: 1, text: 'Counting the errors.\n\n```repl\nprint(1)\n```', usage, ms: 5}),
		...blocks.flatMap((block, index) => [
			ev({type: 'code.start', runId, iteration: 1, block: index + 1, code: 'print(1)'}),
			ev({type: 'code.done', runId, iteration: 1, block: index + 1, ok: true, stdout: block.stdout, stderr: '', ms: 5, truncatedChars: 0, variables: [], final: null, restarted: false, ...(block.answerDraft ? {answerDraft: block.answerDraft} : {})}),
		]),
		ev({type: 'run.done', runId, answer: '', status: 'cancelled', usage, ms: 50, iterations: 1}),
	];
	const state = reduceAll([
		...steps('draft', [{stdout: '17 errors\n', answerDraft: 'There are 17 errors.'}]),
		...steps('output', [{stdout: '17 errors\n'}, {stdout: ''}]),
		...steps('words', []),
	]);
	expect(summarizeRun(state, 'draft')).toMatchObject({partial_answer: 'There are 17 errors.'});
	expect(summarizeRun(state, 'output')).toMatchObject({partial_answer: '17 errors'});
	expect(summarizeRun(state, 'words')).toMatchObject({partial_answer: 'Counting the errors.'});
});

it("counts the root's iterations whose request went out (the failed one too): not one a limit stopped before it, nor a child run's, nor the forced last call", () => {
	const reply = (runId: string, iteration: number, final?: 'forced') => [
		ev({type: 'llm.start', runId, iteration, messages: 2, promptChars: 100, ...(final ? {final} : {})}),
		ev({type: 'llm.done', runId, iteration, text: '```repl\nprint(1)\n```', usage, ms: 5}),
	];
	const state = reduceAll([
		ev({type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', context: {type: 'none', chars: 0}, maxIterations: 3}),
		ev({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 3}),
		...reply('r', 1),
		ev({type: 'code.start', runId: 'r', iteration: 1, block: 1, code: 'rlm_query("sub")'}),
		ev({type: 'call.start', callId: 'c', runId: 'r', iteration: 1, block: 1, kind: 'rlm', fn: 'rlm_query', index: 0, model: 'm', prompt: 'sub'}),
		ev({type: 'run.start', runId: 'child', parentCallId: 'c', depth: 1, model: 'm', backend: 'openai', question: 'sub', context: {type: 'none', chars: 0}, maxIterations: 2}),
		ev({type: 'iter.start', runId: 'child', iteration: 1, maxIterations: 2}),
		...reply('child', 1),
		ev({type: 'iter.start', runId: 'child', iteration: 2, maxIterations: 2}),
		...reply('child', 2),
		ev({type: 'run.done', runId: 'child', answer: 'x', status: 'answered', usage, ms: 10, iterations: 2}),
		ev({type: 'call.done', callId: 'c', response: 'x', usage, ms: 10}),
		ev({type: 'code.done', runId: 'r', iteration: 1, block: 1, ok: true, stdout: '', stderr: '', ms: 20, truncatedChars: 0, variables: [], final: null, restarted: false}),
		ev({type: 'iter.start', runId: 'r', iteration: 2, maxIterations: 3}),
		ev({type: 'llm.start', runId: 'r', iteration: 2, messages: 4, promptChars: 100}),
		ev({type: 'llm.error', runId: 'r', iteration: 2, error: 'The server answered 500.', errorCode: 'server', ms: 5}),
		ev({type: 'iter.start', runId: 'r', iteration: 3, maxIterations: 3}),
		...reply('r', 4, 'forced'),
		ev({type: 'run.done', runId: 'r', answer: '', status: 'failed', usage, ms: 100, iterations: 3, error: 'The server answered 500.', errorCode: 'server'}),
	]);
	expect(summarizeRun(state, 'r')).toMatchObject({iterations: 2});
	expect(summarizeRun(state, 'child')).toMatchObject({iterations: 2});
});
