// The RLM loop end to end on the real sandbox (Python in Pyodide in the hardened host), the real
// SDKs and the fake server: what only real Python shows (the bridge, the output cap, a session's
// namespace and `history`, a child's own sandbox, interrupting running code). The loop's other
// behaviour is tested on the fake REPL in rlm.test.ts.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent} from '../../source/protocol/events.js';
import type {RlmOptions} from '../../source/engine/types.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted, subRequests} from '../support/rlm-script.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model', 'sub-model']});
});
afterAll(async () => {
	await server?.close();
});

function makeRlm(api: 'openai' | 'anthropic', options: Partial<RlmOptions> = {}) {
	const rlm = new Rlm({
		model: 'root-model',
		backend: api,
		baseURL: api === 'openai' ? server.openaiBaseURL : server.anthropicBaseURL,
		apiKey: 'test-key',
		maxIterations: 6,
		...options,
	});
	const events: RlmEvent[] = [];
	rlm.on('event', (event) => events.push(event));
	return {rlm, events};
}

describe('the RLM loop on the real sandbox', () => {
	it('computes over a context in Python and answers from llm_output (anthropic SDK)', async () => {
		const values = Array.from({length: 500}, (_, i) => (i * 7919) % 1000);
		const text = values.map((value, i) => `row ${i}: value=${value}`).join('\n');
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({turn}) =>
					turn === 0
						? repl('print(context[:80])\nprint(len(context.splitlines()))')
						: repl('import re\ntotal = sum(int(v) for v in re.findall(r"value=(\\d+)", context))\nllm_output(str(total))'),
			}),
		);
		const {rlm, events} = makeRlm('anthropic');
		try {
			const result = await rlm.completion('What is the sum of all values?', {context: text});
			expect(result.status).toBe('answered');
			expect(result.response).toBe(String(values.reduce((a, b) => a + b, 0)));
			expect(result.iterations[0]!.codeBlocks[0]!.result.stdout).toContain('500');
			expect(rootRequests(server.requests)[1]!.messages.at(-1)!.content).toContain('row 0: value=0');
			expect(result.iterations[1]!.codeBlocks[0]!.result.variables).toContainEqual({name: 'total', type: 'int'});
			expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['code.output', 'code.done', 'run.done']));
		} finally {
			await rlm.dispose();
		}
	});

	it('answers llm_query and llm_query_batched from Python through the bridge, in order', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: () =>
					repl('parts = ["alpha", "beta", "gamma"]\nres = llm_query_batched(["Upper: " + p for p in parts])\none = llm_query("Upper: delta")\nllm_output(" ".join(res + [one]))'),
				sub: (prompt) => ({text: prompt.replace('Upper: ', '').toUpperCase(), usage: {inputTokens: 10, outputTokens: 2}}),
			}),
		);
		const {rlm} = makeRlm('openai', {subModel: 'sub-model'});
		try {
			const result = await rlm.completion('shout', {context: 'x'});
			expect(result.response).toBe('ALPHA BETA GAMMA DELTA');
			expect(subRequests(server.requests).map((r) => r.model)).toEqual(['sub-model', 'sub-model', 'sub-model', 'sub-model']);
			expect(result.usage.inputTokens).toBeGreaterThanOrEqual(40);
		} finally {
			await rlm.dispose();
		}
	});

	it('keeps root messages small for a 3 MB context', async () => {
		server.requests.length = 0;
		const big = 'lorem ipsum dolor sit amet '.repeat(120_000);
		expect(big.length).toBeGreaterThan(3_000_000);
		server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('print(context)') : repl('llm_output(str(len(context)))'))}));
		const {rlm} = makeRlm('openai');
		try {
			const result = await rlm.completion('How long is it?', {context: big});
			expect(result.response).toBe(String(big.length));
			const roots = rootRequests(server.requests);
			for (const request of roots) {
				const chars = request.messages.reduce((sum, m) => sum + m.content.length, 0);
				expect(chars).toBeLessThan(30_000);
			}
			expect(roots[1]!.messages.at(-1)!.content).toMatch(/omitted/);
		} finally {
			await rlm.dispose();
		}
	});

	it('keeps Python variables across turns and gives `history`', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({request}) =>
					request.messages[1]!.content.includes('first question')
						? repl('secret_number = 1234\nllm_output("stored")')
						: repl('llm_output(f"{secret_number} {len(history)} {history[0][\'answer\']}")'),
			}),
		);
		const {rlm} = makeRlm('openai');
		try {
			expect((await rlm.completion('first question')).response).toBe('stored');
			expect((await rlm.completion('second question')).response).toBe('1234 1 stored');
		} finally {
			await rlm.dispose();
		}
	});

	it('runs a child RLM at depth 2 in a sandbox of its own', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({request}) =>
					request.messages[1]!.content.includes('child task')
						? repl('print("parent_only" in dir())\nllm_output(context.upper())')
						: repl('parent_only = 1\nr = rlm_query("child task: shout")\nllm_output("child said " + r)'),
			}),
		);
		const {rlm, events} = makeRlm('openai', {maxDepth: 2});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.response).toBe('child said CHILD TASK: SHOUT');
			const childBlock = events.find((e) => e.type === 'code.done' && e.stdout.includes('False'));
			expect(childBlock).toBeDefined();
		} finally {
			await rlm.dispose();
		}
	});

	it('cancels running Python and the session goes on', async () => {
		server.requests.length = 0;
		let calls = 0;
		server.setResponder(
			scripted({
				root: () => (++calls === 1 ? repl('kept = 5\nprint("looping", flush=True)\nwhile True:\n    pass') : repl('llm_output(str(kept))')),
			}),
		);
		const {rlm} = makeRlm('openai');
		const controller = new AbortController();
		rlm.on('event', (event) => {
			// Abort once Python is really running (the first block also waits for the sandbox to start).
			if (event.type === 'code.output') controller.abort();
		});
		try {
			const cancelled = await rlm.completion('q', {context: 'c', signal: controller.signal});
			expect(cancelled.status).toBe('cancelled');
			const next = await rlm.completion('again');
			expect(next.status).toBe('answered');
			expect(next.response).toBe('5');
		} finally {
			await rlm.dispose();
		}
	});
});
