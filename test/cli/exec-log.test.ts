// The -e execution log drawn from engine events: what a cancel, a big batch and big totals print.
import {describe, expect, it} from 'vitest';
import type {RlmEvent, RlmEventBody} from '../../source/protocol/events.js';
import {execLogWriter} from '../../source/cli/exec-log.js';

let t = 0;
const ev = (body: RlmEventBody): RlmEvent => ({...body, t: (t += 1)});

function logOf(events: RlmEvent[]): string[] {
	const lines: string[] = [];
	const consume = execLogWriter((line) => lines.push(line), {verbose: false});
	for (const event of events) consume(event);
	return lines;
}

const start = (runId = 'r', depth = 0): RlmEvent[] => [
	ev({type: 'run.start', runId, depth, model: 'm', backend: 'openai', question: 'q', context: {type: 'str', chars: 1}, maxIterations: 30}),
	ev({type: 'iter.start', runId, iteration: 1, maxIterations: 30}),
	ev({type: 'code.start', runId, iteration: 1, block: 1, code: 'x = llm_query_batched(prompts)'}),
];
const slot = (index: number, size: number, runId = 'r'): RlmEvent =>
	ev({type: 'call.start', callId: `${runId}c${index}`, runId, iteration: 1, block: 1, kind: 'llm', fn: 'llm_query_batched', index, batchSize: size, model: 'sub', prompt: `prompt ${index}`});
const done = (index: number, runId = 'r', error?: {error: string; errorCode: 'aborted' | 'server'}): RlmEvent =>
	ev({type: 'call.done', callId: `${runId}c${index}`, response: error ? `Error: ${error.error}` : 'ok', usage: {inputTokens: 1, outputTokens: 1}, ms: 1, ...(error ?? {})});

describe('the -e log', () => {
	it('says a call the cancel stopped was cancelled, not failed, and a failed one failed', () => {
		const lines = logOf([...start(), slot(0, 2), slot(1, 2), done(0, 'r', {error: 'Request cancelled.', errorCode: 'aborted'}), done(1, 'r', {error: 'boom (500)', errorCode: 'server'})]);
		expect(lines).toContain('  ⊘ cancelled');
		expect(lines).toContain('  ✗ boom (500)');
		expect(lines.join('\n')).not.toContain('Request cancelled');
	});

	it('writes the totals with thousands separators', () => {
		const lines = logOf([...start(), ev({type: 'run.done', runId: 'r', answer: 'a', status: 'answered', usage: {inputTokens: 100_300, outputTokens: 20_060}, ms: 1000, iterations: 1})]);
		expect(lines.at(-1)).toContain('100,300 in / 20,060 out');
	});

	it('folds a batch of 10 or more into a start line and a summary line, as the TUI folds it into one row', () => {
		const size = 1000;
		const events = [...start()];
		for (let index = 0; index < size; index++) events.push(slot(index, size));
		for (let index = 0; index < size; index++) events.push(index === 7 ? done(index, 'r', {error: 'boom (500)', errorCode: 'server'}) : done(index));
		const lines = logOf(events);
		expect(lines.filter((line) => line.includes('llm_query_batched') && !line.startsWith('⚡'))).toEqual(['  ↳ llm_query_batched ×1,000 sub: prompt 0 …', '  └ llm_query_batched ×1,000: 999 ✓ · 1 ✗ (first error: boom (500))']);
		// Nine slots are not a large batch: a line each.
		const small = [...start()];
		for (let index = 0; index < 9; index++) small.push(slot(index, 9));
		expect(logOf(small).filter((line) => line.includes('↳ llm_query_batched['))).toHaveLength(9);
	});

	it('sums up a cancelled batch when its block ends: the slots stopped and the ones never started, none failed', () => {
		const events = [...start()];
		for (let index = 0; index < 16; index++) events.push(slot(index, 40));
		for (let index = 0; index < 16; index++) events.push(done(index, 'r', {error: 'Request cancelled.', errorCode: 'aborted'}));
		events.push(ev({type: 'code.done', runId: 'r', iteration: 1, block: 1, ok: false, stdout: '', stderr: '', error: 'KeyboardInterrupt', ms: 9, truncatedChars: 0, variables: [], final: null, limit: 'cancelled', restarted: false}));
		const lines = logOf(events);
		expect(lines).toContain('  └ llm_query_batched ×40: 16 ⊘ · 24 not run');
		expect(lines.join('\n')).not.toMatch(/\d+ ✗/);
	});

	it('prefixes a child run’s lines with its short id, so runs side by side can be told apart', () => {
		const lines = logOf([
			...start('run_aaaa1111', 1),
			...start('run_bbbb2222', 1),
			ev({type: 'run.done', runId: 'run_aaaa1111', answer: 'a', status: 'answered', usage: {inputTokens: 1, outputTokens: 1}, ms: 1, iterations: 1}),
		]);
		expect(lines.filter((line) => line.includes('[1111]')).length).toBeGreaterThanOrEqual(3);
		expect(lines.filter((line) => line.includes('[2222]')).length).toBeGreaterThanOrEqual(2);
		expect(lines.at(-1)).toMatch(/^ {2}\[1111\] └ answered/);
	});
});
