// Model code trying to spend without bound, on the real sandbox (Python in Pyodide in the
// hardened host) through the real SDK and the fake server: each attack of issue 12 fails, and a
// run a limit stops answers with what it has. The limits' loop logic: test/engine/limits.test.ts.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent, RlmEventOf} from '../../source/protocol/events.js';
import type {RlmOptions} from '../../source/engine/types.js';
import {liveHostCount} from '../../source/sandbox/live-hosts.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted, subRequests, type Script} from '../support/rlm-script.js';
import {testCacheDir} from './helpers.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model', 'sub-model']});
});
afterAll(async () => {
	await server?.close();
});

const of = <T extends RlmEvent['type']>(events: RlmEvent[], type: T) => events.filter((e): e is RlmEventOf<T> => e.type === type);

async function run(script: Script, options: Partial<RlmOptions> = {}, onEvent?: (event: RlmEvent) => void) {
	server.requests.length = 0;
	server.setResponder(scripted(script));
	const rlm = new Rlm({
		model: 'root-model',
		subModel: 'sub-model',
		backend: 'openai',
		baseURL: server.openaiBaseURL,
		apiKey: 'test-key',
		maxIterations: 4,
		logDir: false,
		cacheDir: testCacheDir,
		...options,
	});
	const events: RlmEvent[] = [];
	rlm.on('event', (event) => {
		events.push(event);
		onEvent?.(event);
	});
	try {
		const result = await rlm.completion('the question', {context: 'the context'});
		return {result, events, roots: rootRequests(server.requests), subs: subRequests(server.requests)};
	} finally {
		await rlm.dispose();
	}
}

describe('spending attacks from model code', () => {
	it('a 3,000-prompt llm_query_batched is refused with a clear error in Python; nothing is sent', async () => {
		const {result, subs, events} = await run({
			root: () => repl('res = llm_query_batched([f"p{i}" for i in range(3000)])\nllm_output(f"{len(res)} | {res[0]}")'),
		});
		expect(result.status).toBe('answered');
		expect(result.response).toMatch(/^3000 \| Error: llm_query_batched refused: 3,000 prompts, over the limit of 1,000/);
		expect(subs).toHaveLength(0);
		expect(of(events, 'call.start')).toHaveLength(0);
	});

	it('an llm_query loop under --timeout 2 stops at the run\'s sub-call limit, answering with the answer dict', async () => {
		const {result, subs} = await run(
			{root: () => repl('answer["content"] = "partial: counted so far"\nwhile True:\n    llm_query("again")')},
			{timeoutSeconds: 2, maxSubCalls: 40},
		);
		expect(result.status).toBe('limited');
		expect(result.limit).toBe('maxSubCalls');
		expect(result.response).toBe('partial: counted so far');
		expect(subs).toHaveLength(40);
	});

	it('the same loop stops at --max-timeout: time waiting on sub-calls counts', async () => {
		const {result, subs, roots} = await run(
			{root: () => repl('n = 0\nwhile True:\n    llm_query("again")\n    n += 1\n    print(n)'), sub: () => ({text: 'slow', delayMs: 50})},
			{timeoutSeconds: 2, maxTimeout: 3, maxSubCalls: 100_000},
		);
		expect(result.status).toBe('limited');
		expect(result.limit).toBe('maxTimeout');
		// 3 s of 50 ms calls: far fewer than the loop would make in the 2 s of Python time it never uses.
		expect(subs.length).toBeLessThan(60);
		expect(roots).toHaveLength(1);
	});

	it('model= naming a model the user did not allow gets an Error: string, and nothing is sent to it', async () => {
		const {result, subs} = await run({
			root: () => repl('a = llm_query("hi", model="gpt-4.5-preview")\nb = llm_query("hi", model="root-model")\nllm_output(a + "\\n" + b)'),
		});
		const [refused, allowed] = result.response.split('\n');
		expect(refused).toMatch(/^Error: model="gpt-4.5-preview" is not allowed for sub-calls/);
		expect(allowed).toBe('sub:2');
		expect(subs.map((r) => r.model)).toEqual(['root-model']);
	});

	it('at depth 3 a fan-out of child RLMs never runs more host processes than maxHosts', async () => {
		const before = liveHostCount();
		let peak = 0;
		const {result, events} = await run(
			{
				root: ({system}) =>
					system.includes('child RLM with its own REPL')
						? repl('res = rlm_query_batched(["a", "b", "c"])\nllm_output(" | ".join(res))')
						: repl('llm_output("leaf " + context)'),
			},
			{maxDepth: 3, maxHosts: 3},
			() => {
				peak = Math.max(peak, liveHostCount() - before);
			},
		);
		expect(result.status).toBe('answered');
		expect(peak).toBeGreaterThan(1);
		expect(peak).toBeLessThanOrEqual(3);
		expect(of(events, 'run.start').filter((e) => e.depth === 1)).toHaveLength(3);
		expect(result.response).toMatch(/no sandbox is free for a child RLM/);
	});

	it('a block that makes 100,002 variables (one with a 1 MB name) gets a capped listing in the feedback', async () => {
		const {result, roots, events} = await run({
			root: ({turn}) =>
				turn === 0
					? repl('for i in range(100000):\n    globals()[f"v{i}"] = i\nglobals()["n" * 1000000] = 1\nprint("made")')
					: repl('llm_output(str(len(SHOW_VARS())))'),
		});
		expect(result.status).toBe('answered');
		const feedback = roots[1]!.messages.at(-1)!.content;
		expect(feedback.length).toBeLessThan(10_000);
		expect(feedback).toContain('and 99,902 more (SHOW_VARS() lists them all)');
		const done = of(events, 'code.done')[0]!;
		expect(done.variables.length).toBeLessThanOrEqual(1000);
		expect(JSON.stringify(done).length).toBeLessThan(100_000);
	});
});
