// The real loop end to end: the real sandbox, the real openai / anthropic SDKs, a fake server.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent} from '../../source/engine/events.js';
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

const apis = ['openai', 'anthropic'] as const;

function makeRlm(api: (typeof apis)[number], options: Partial<RlmOptions> = {}) {
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

function numbersContext(count: number) {
	const values = Array.from({length: count}, (_, i) => (i * 7919) % 1000);
	const text = values.map((value, i) => `row ${i}: value=${value}`).join('\n');
	return {text, sum: values.reduce((a, b) => a + b, 0)};
}

describe.each(apis)('the RLM loop through the %s SDK', (api) => {
	it('computes over a context with code and answers from llm_output', async () => {
		const {text, sum} = numbersContext(500);
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({turn}) =>
					turn === 0
						? repl('print(context[:80])\nprint(len(context.splitlines()))')
						: repl('import re\ntotal = sum(int(v) for v in re.findall(r"value=(\\d+)", context))\nllm_output(str(total))'),
			}),
		);
		const {rlm, events} = makeRlm(api);
		try {
			const result = await rlm.completion('What is the sum of all values?', {context: text});
			expect(result.status).toBe('answered');
			expect(result.response).toBe(String(sum));
			expect(result.iterations).toHaveLength(2);
			expect(result.iterations[0]!.codeBlocks[0]!.result.stdout).toContain('500');
			// The feedback of turn 1 reached the model in turn 2.
			const second = rootRequests(server.requests)[1]!;
			expect(second.messages.at(-1)!.content).toContain('row 0: value=0');
			expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['run.start', 'iter.start', 'llm.delta', 'code.output', 'code.done', 'run.done']));
			expect(result.usage.inputTokens).toBeGreaterThan(0);
		} finally {
			await rlm.dispose();
		}
	});

	it('sends sub-calls to the sub-model, batched, in order, with their usage rolled up', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: () =>
					repl('parts = ["alpha", "beta", "gamma"]\nres = llm_query_batched(["Upper: " + p for p in parts])\none = llm_query("Upper: delta")\nllm_output(" ".join(res + [one]))'),
				sub: (prompt) => ({text: prompt.replace('Upper: ', '').toUpperCase(), usage: {inputTokens: 10, outputTokens: 2}}),
			}),
		);
		const {rlm, events} = makeRlm(api, {subModel: 'sub-model'});
		try {
			const result = await rlm.completion('shout', {context: 'x'});
			expect(result.response).toBe('ALPHA BETA GAMMA DELTA');
			const subs = subRequests(server.requests);
			expect(subs.map((r) => r.model)).toEqual(['sub-model', 'sub-model', 'sub-model', 'sub-model']);
			expect(subs.map((r) => r.messages.at(-1)!.content).sort()).toEqual(['Upper: alpha', 'Upper: beta', 'Upper: delta', 'Upper: gamma']);
			const calls = events.filter((e) => e.type === 'call.start');
			expect(calls.map((c) => (c.type === 'call.start' ? `${c.fn}[${c.index}]` : ''))).toEqual([
				'llm_query_batched[0]',
				'llm_query_batched[1]',
				'llm_query_batched[2]',
				'llm_query[0]',
			]);
			const rootUsage = rootRequests(server.requests).length;
			expect(rootUsage).toBe(1);
			expect(result.usage.inputTokens).toBeGreaterThanOrEqual(40);
			const done = events.find((e) => e.type === 'run.done');
			expect(done?.type === 'run.done' && done.usage.inputTokens).toBe(result.usage.inputTokens);
		} finally {
			await rlm.dispose();
		}
	});
});

describe('the RLM loop', () => {
	it('feeds an error back and the model fixes it', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({turn, lastUser}) => {
					if (turn === 0) return repl('print(undefined_name)');
					if (lastUser.includes("NameError: name 'undefined_name' is not defined")) return repl('llm_output("fixed")');
					return {text: 'no error was shown to me'};
				},
			}),
		);
		const {rlm} = makeRlm('openai');
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.response).toBe('fixed');
			expect(result.iterations[0]!.codeBlocks[0]!.result.ok).toBe(false);
		} finally {
			await rlm.dispose();
		}
	});

	it('nudges after a reply without code, and accepts prose FINAL only without code', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({turn, lastUser}) => {
					if (turn === 0) return {text: 'I think the answer is obvious.'};
					if (turn === 1 && /no ```repl block/.test(lastUser)) return {text: 'Code first:\n```repl\nx = 6 * 7\nprint(x)\n```\nFINAL(wrong, invented)'};
					return {text: 'FINAL(42)'};
				},
			}),
		);
		const {rlm} = makeRlm('openai');
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.iterations).toHaveLength(3);
			expect(result.response).toBe('42');
			// The invented text after the code was not kept in what the model sees next.
			const third = rootRequests(server.requests)[2]!;
			expect(third.messages.map((m) => m.content).join('\n')).not.toContain('invented');
		} finally {
			await rlm.dispose();
		}
	});

	it('keeps root messages small for a 3 MB context', async () => {
		server.requests.length = 0;
		const big = 'lorem ipsum dolor sit amet '.repeat(120_000);
		expect(big.length).toBeGreaterThan(3_000_000);
		server.setResponder(
			scripted({
				root: ({turn}) => (turn === 0 ? repl('print(context)') : repl('llm_output(str(len(context)))')),
			}),
		);
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

	it('forces one final answer when the turns run out, keeping the work', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({lastUser}) => (/out of turns/.test(lastUser) ? {text: 'best guess: 7'} : repl('n = 7\nprint(n)')),
			}),
		);
		const {rlm} = makeRlm('openai', {maxIterations: 2});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.status).toBe('forced');
			expect(result.response).toBe('best guess: 7');
			expect(result.iterations).toHaveLength(2);
			expect(rootRequests(server.requests)).toHaveLength(3);
		} finally {
			await rlm.dispose();
		}
	});

	it('keeps variables across turns and gives history without re-sending a transcript', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({request}) => {
					const first = request.messages[1]!.content;
					if (first.includes('first question')) return repl('secret_number = 1234\nllm_output("stored")');
					return repl('llm_output(f"{secret_number} {len(history)} {history[0][\'answer\']}")');
				},
			}),
		);
		const {rlm} = makeRlm('openai');
		try {
			expect((await rlm.completion('first question')).response).toBe('stored');
			const second = await rlm.completion('second question');
			expect(second.response).toBe('1234 1 stored');
			const lastRoot = rootRequests(server.requests).at(-1)!;
			const sent = lastRoot.messages.map((m) => m.content).join('\n');
			expect(sent).not.toContain('first question');
			expect(sent).toContain('secret_number');
			expect(rlm.history).toEqual([
				{question: 'first question', answer: 'stored'},
				{question: 'second question', answer: '1234 1 stored'},
			]);
		} finally {
			await rlm.dispose();
		}
	});

	it('runs child RLMs at depth 2 and nests their events and usage', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({system, request}) => {
					const isChild = request.messages[1]!.content.includes('child task');
					if (isChild) return repl('llm_output(context.upper())');
					expect(system).toMatch(/child RLM/);
					return repl('r = rlm_query("child task: shout")\nllm_output("child said " + r)');
				},
			}),
		);
		const {rlm, events} = makeRlm('openai', {maxDepth: 2});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.response).toBe('child said CHILD TASK: SHOUT');
			const runs = events.filter((e) => e.type === 'run.start');
			expect(runs).toHaveLength(2);
			const call = events.find((e) => e.type === 'call.start');
			expect(call?.type === 'call.start' && call.kind).toBe('rlm');
			const child = runs[1]!;
			expect(child.type === 'run.start' && child.parentCallId).toBe(call?.type === 'call.start' ? call.callId : 'missing');
			expect(child.type === 'run.start' && child.depth).toBe(1);
			const childDone = events.find((e) => e.type === 'run.done' && e.runId === (child.type === 'run.start' ? child.runId : ''));
			const rootDone = events.at(-1)!;
			expect(rootDone.type).toBe('run.done');
			if (childDone?.type === 'run.done' && rootDone.type === 'run.done')
				expect(rootDone.usage.inputTokens).toBeGreaterThan(childDone.usage.inputTokens);
		} finally {
			await rlm.dispose();
		}
	});

	it('makes rlm_query a plain call at depth 1', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: () => repl('llm_output(rlm_query("plain please"))'),
				sub: (prompt) => ({text: `plain:${prompt}`}),
			}),
		);
		const {rlm} = makeRlm('openai');
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.response).toBe('plain:plain please');
		} finally {
			await rlm.dispose();
		}
	});

	it('fails a sub-call prompt over the window fast, with a clear error string', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: () => repl('r = llm_query("x" * 200000)\nllm_output(r)'),
			}),
		);
		const {rlm} = makeRlm('openai', {subModelContextTokens: 8000});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.response).toMatch(/^Error: this prompt is about 50,000 tokens, over the 8,000-token window/);
			expect(subRequests(server.requests)).toHaveLength(0);
		} finally {
			await rlm.dispose();
		}
	});

	it('cancels a streaming model call', async () => {
		server.requests.length = 0;
		const abortedBefore = server.aborted;
		server.setResponder(scripted({root: () => ({hang: true})}));
		const {rlm, events} = makeRlm('openai');
		const controller = new AbortController();
		rlm.on('event', (event) => {
			if (event.type === 'llm.start') setImmediate(() => controller.abort());
		});
		try {
			const result = await rlm.completion('q', {context: 'c', signal: controller.signal});
			expect(result.status).toBe('cancelled');
			await expect.poll(() => server.aborted, {timeout: 30_000}).toBeGreaterThan(abortedBefore);
			expect(events.at(-1)!.type).toBe('run.done');
		} finally {
			await rlm.dispose();
		}
	});

	it('cancels running Python and the session goes on', async () => {
		server.requests.length = 0;
		let calls = 0;
		server.setResponder(
			scripted({
				root: () => {
					calls++;
					return calls === 1 ? repl('kept = 5\nprint("looping", flush=True)\nwhile True:\n    pass') : repl('llm_output(str(kept))');
				},
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

	it('on cancel, lets aborted sub-calls report before the run does', async () => {
		server.setResponder(scripted({root: () => repl('r = llm_query_batched(["a", "b", "c"])'), sub: () => ({hang: true})}));
		const {rlm, events} = makeRlm('openai');
		const controller = new AbortController();
		let starts = 0;
		rlm.on('event', (event) => {
			if (event.type === 'call.start' && ++starts === 3) setImmediate(() => controller.abort());
		});
		try {
			const result = await rlm.completion('q', {context: 'c', signal: controller.signal});
			expect(result.status).toBe('cancelled');
			const done = events.findIndex((e) => e.type === 'run.done');
			const callDones = events.map((e, i) => (e.type === 'call.done' ? i : -1)).filter((i) => i >= 0);
			expect(callDones).toHaveLength(3);
			for (const index of callDones) expect(index).toBeLessThan(done);
		} finally {
			await rlm.dispose();
		}
	});

	it('cancels at once while the sandbox is still starting', async () => {
		server.setResponder(scripted({root: () => repl('print("never runs")')}));
		const cold = mkdtempSync(join(tmpdir(), 'rlm-cold-cache-'));
		const {rlm} = makeRlm('openai', {cacheDir: cold});
		const controller = new AbortController();
		let sandboxReady = false;
		rlm.on('event', (event) => {
			if (event.type === 'code.start') {
				void rlm.warmUp().then(() => (sandboxReady = true));
				controller.abort();
			}
		});
		try {
			const result = await rlm.completion('q', {context: 'c', signal: controller.signal});
			expect(result.status).toBe('cancelled');
			// A cold start (no snapshot in this cache) takes seconds: the cancel did not wait for it.
			expect(sandboxReady).toBe(false);
		} finally {
			await rlm.dispose();
			rmSync(cold, {recursive: true, force: true});
		}
	});

	it('reports a model that does not exist with the server message', async () => {
		server.setResponder(() => ({status: 404, message: "model 'nope' not found"}));
		const {rlm} = makeRlm('openai', {model: 'nope'});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.status).toBe('failed');
			expect(result.error).toContain("model 'nope' not found");
		} finally {
			await rlm.dispose();
		}
	});
});
