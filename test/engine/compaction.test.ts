// Compaction on the real sandbox against a vLLM-like server with an 8k window (it refuses longer
// prompts): 60 iterations never send a request over the window, older iterations are summarised,
// the REPL keeps its variables and the whole conversation stays readable from code.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {compactedIterations} from '../../source/engine/compaction.js';
import type {RlmEvent} from '../../source/protocol/events.js';
import {startFakeLlmServer, type FakeLlmServer, type FakeRequest} from '../support/fake-llm-server.js';
import {repl} from '../support/rlm-script.js';
import {emptyTrajectory, reduceTrajectory} from '../../source/trajectory/tree.js';

const WINDOW = 8192;
/** Stricter than the engine's estimate (characters / 4): four more tokens for every message. */
const strictTokens = (request: FakeRequest) => Math.ceil(request.messages.reduce((sum, m) => sum + m.content.length, 0) / 4) + 4 * request.messages.length;

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model'], flavor: 'vllm', windows: {'root-model': {loaded: WINDOW}}});
});
afterAll(async () => {
	await server?.close();
});

describe('compaction', () => {
	it('runs 60 iterations in an 8k window without a request over it', async () => {
		let rootCalls = 0;
		server.requests.length = 0;
		server.setResponder((request) => {
			const system = request.messages.find((m) => m.role === 'system');
			if (!system) return {text: `Found so far: step values up to ${rootCalls}; variable total holds their sum.`};
			rootCalls++;
			if (rootCalls < 60)
				return repl(`total = globals().get("total", 0) + ${rootCalls}\nprint(f"step ${rootCalls}: " + "data " * 300)`, `Turn ${rootCalls}: more data.`);
			return repl('llm_output(f"{total}|{len(full_history)}|{full_history[2][\'content\'][:7]}")');
		});
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', maxIterations: 60, logDir: false});
		const events: RlmEvent[] = [];
		rlm.on('event', (event) => events.push(event));
		try {
			const result = await rlm.completion('add up the steps', {context: 'numbers'});
			expect(result.status).toBe('answered');
			const [total, length, first] = result.response.split('|');
			// The REPL state survived every compaction: the sum of 1..59.
			expect(Number(total)).toBe((59 * 60) / 2);
			// full_history holds every message of the run: system, question, and 59 replies with their feedback (+ the last reply).
			expect(Number(length)).toBeGreaterThanOrEqual(2 + 59 * 2);
			expect(first).toBe('Turn 1:');
			const roots = server.requests.filter((r) => r.messages.some((m) => m.role === 'system'));
			expect(roots).toHaveLength(60);
			const largest = Math.max(...server.requests.map(strictTokens));
			expect(largest).toBeLessThanOrEqual(WINDOW);
			const compactions = events.filter((e) => e.type === 'notice' && e.code === 'compaction');
			expect(compactions.length).toBeGreaterThan(1);
			// Each summary call's tokens are on its notice, and the tree counts them per model as a reply's.
			for (const notice of compactions) expect(notice.type === 'notice' && notice.model === 'root-model' && (notice.usage?.inputTokens ?? 0) > 0).toBe(true);
			// A range names two iterations; one alone is "iteration N", never "iterations N-N".
			for (const notice of compactions) {
				const named = /^Compacted (?:iteration (\d+)|iterations (\d+)-(\d+)) before turn \d+:/.exec(notice.type === 'notice' ? notice.message : '');
				expect(named, notice.type === 'notice' ? notice.message.split('\n')[0] : '').not.toBeNull();
				if (named![2] !== undefined) expect(Number(named![2])).toBeLessThan(Number(named![3]));
			}
			let tree = emptyTrajectory();
			for (const event of events) tree = reduceTrajectory(tree, event);
			expect(tree.usageByModel['root-model']).toEqual({inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens});
			expect(tree.usage.inputTokens).toBe(result.usage.inputTokens);
			// Each keeps the system prompt and the question verbatim.
			for (const request of roots) {
				expect(request.messages[0]!.role).toBe('system');
				expect(request.messages[1]!.content).toContain('add up the steps');
			}
			const last = roots.at(-1)!;
			expect(last.messages.some((m) => m.content.startsWith('Summary of my earlier work'))).toBe(true);
			expect(last.messages.at(-1)!.content).toContain('step 59');
		} finally {
			await rlm.dispose();
		}
	});

	it('--no-compaction (compaction: false) leaves the history whole, so the server refuses it', async () => {
		let rootCalls = 0;
		server.setResponder(() => {
			rootCalls++;
			return repl(`print("step ${rootCalls}: " + "data " * 600)`);
		});
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', maxIterations: 30, logDir: false, compaction: false});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.status).toBe('failed');
			expect(result.error).toMatch(/context|window|length|token/i);
		} finally {
			await rlm.dispose();
		}
	});
});

describe('the iterations a compaction replaced, in words', () => {
	it('one is "iteration N", more a range', () => {
		expect(compactedIterations({from: 1, to: 1})).toBe('iteration 1');
		expect(compactedIterations({from: 1, to: 3})).toBe('iterations 1-3');
	});
});
