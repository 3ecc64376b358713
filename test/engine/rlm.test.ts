// The RLM loop: the real openai / anthropic SDKs against the fake server, and the fake REPL
// (test/support/fake-repl.ts) in place of Python, so these run in milliseconds. The same loop
// against the real sandbox, end to end: rlm-sandbox.test.ts.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent} from '../../source/protocol/events.js';
import type {RlmOptions} from '../../source/engine/types.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {fakeRepls, FakePythonError, type FakeReplScript} from '../support/fake-repl.js';
import {repl, rootRequests, scripted, subRequests} from '../support/rlm-script.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model', 'sub-model']});
});
afterAll(async () => {
	await server?.close();
});

const apis = ['openai', 'anthropic'] as const;

function makeRlm(api: (typeof apis)[number], script: FakeReplScript, options: Partial<RlmOptions> = {}) {
	const repls = fakeRepls(script);
	const rlm = new Rlm({
		model: 'root-model',
		backend: api,
		baseURL: api === 'openai' ? server.openaiBaseURL : server.anthropicBaseURL,
		apiKey: 'test-key',
		maxIterations: 6,
		logDir: false,
		replFactory: repls,
		...options,
	});
	const events: RlmEvent[] = [];
	rlm.on('event', (event) => events.push(event));
	return {rlm, events, repls};
}

function numbersContext(count: number) {
	const values = Array.from({length: count}, (_, i) => (i * 7919) % 1000);
	const text = values.map((value, i) => `row ${i}: value=${value}`).join('\n');
	return {text, sum: values.reduce((a, b) => a + b, 0)};
}

const textOf = (context: unknown) => (typeof context === 'string' ? context : '');

describe.each(apis)('the RLM loop through the %s SDK', (api) => {
	it('computes over a context with code and answers from llm_output', async () => {
		const {text, sum} = numbersContext(500);
		server.requests.length = 0;
		server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('peek') : repl('add up'))}));
		const {rlm, events} = makeRlm(api, {
			blocks: {
				peek: ({context, print}) => {
					print(textOf(context).slice(0, 80));
					print(textOf(context).split('\n').length);
				},
				'add up': ({context, llm_output}) => {
					const values = [...textOf(context).matchAll(/value=(\d+)/g)].map((m) => Number(m[1]));
					llm_output(String(values.reduce((a, b) => a + b, 0)));
				},
			},
		});
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
				root: () => repl('shout'),
				sub: (prompt) => ({text: prompt.replace('Upper: ', '').toUpperCase(), usage: {inputTokens: 10, outputTokens: 2}}),
			}),
		);
		const {rlm, events} = makeRlm(
			api,
			{
				blocks: {
					shout: async ({llm_query, llm_query_batched, llm_output}) => {
						const res = await llm_query_batched(['alpha', 'beta', 'gamma'].map((p) => `Upper: ${p}`));
						const one = await llm_query('Upper: delta');
						llm_output([...res, one].join(' '));
					},
				},
			},
			{subModel: 'sub-model'},
		);
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
			expect(rootRequests(server.requests)).toHaveLength(1);
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
					if (lastUser.includes("NameError: name 'undefined_name' is not defined")) return repl('fixed');
					return {text: 'no error was shown to me'};
				},
			}),
		);
		const {rlm} = makeRlm('openai', {
			blocks: {
				'print(undefined_name)': () => {
					throw new FakePythonError('NameError', "name 'undefined_name' is not defined");
				},
				fixed: ({llm_output}) => llm_output('fixed'),
			},
		});
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
		const {rlm, repls} = makeRlm('openai', {
			blocks: {
				'x = 6 * 7\nprint(x)': ({vars, print}) => {
					vars.x = 6 * 7;
					print(vars.x);
				},
			},
		});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.iterations).toHaveLength(3);
			expect(result.response).toBe('42');
			expect(repls.started[0]!.runs).toEqual(['x = 6 * 7\nprint(x)']);
			// The invented text after the code was not kept in what the model sees next.
			const third = rootRequests(server.requests)[2]!;
			expect(third.messages.map((m) => m.content).join('\n')).not.toContain('invented');
		} finally {
			await rlm.dispose();
		}
	});

	it('never puts the context into the root messages, only its size', async () => {
		server.requests.length = 0;
		const big = 'lorem ipsum dolor sit amet '.repeat(120_000);
		server.setResponder(scripted({root: () => repl('length')}));
		const {rlm, repls} = makeRlm('openai', {blocks: {length: ({context, llm_output}) => llm_output(String(textOf(context).length))}});
		try {
			const result = await rlm.completion('How long is it?', {context: big});
			expect(result.response).toBe(String(big.length));
			expect(repls.started[0]!.context).toBe(big);
			const [first] = rootRequests(server.requests);
			const sent = first.messages.map((m) => m.content).join('\n');
			expect(sent.length).toBeLessThan(30_000);
			expect(sent).toContain((big.length).toLocaleString('en-US'));
		} finally {
			await rlm.dispose();
		}
	});

	it('forces one final answer when the turns run out, keeping the work', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: ({lastUser}) => (/out of turns/.test(lastUser) ? {text: 'best guess: 7'} : repl('n = 7'))}));
		const {rlm} = makeRlm(
			'openai',
			{
				blocks: {
					'n = 7': ({vars, print}) => {
						vars.n = 7;
						print(7);
					},
				},
			},
			{maxIterations: 2},
		);
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.status).toBe('forced');
			expect(result.response).toBe('best guess: 7');
			expect(result.iterations).toHaveLength(2);
			expect(result.iterations.every((iteration) => iteration.codeBlocks.length === 1)).toBe(true);
			expect(rootRequests(server.requests)).toHaveLength(3);
		} finally {
			await rlm.dispose();
		}
	});

	it('runs the code of a last reply written as code: what it submits is the answer', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: ({lastUser}) => (/out of turns/.test(lastUser) ? repl('submit', 'Submitting from code.') : repl('n = 7'))}));
		const {rlm, events} = makeRlm(
			'openai',
			{blocks: {'n = 7': ({print}) => print(7), submit: ({llm_output}) => llm_output('seven, from code')}},
			{maxIterations: 2},
		);
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.status).toBe('forced');
			expect(result.response).toBe('seven, from code');
			expect(events.filter((event) => event.type === 'code.start' && event.iteration === 3)).toHaveLength(1);
		} finally {
			await rlm.dispose();
		}
	});

	it('a last reply whose code submits nothing leaves the best so far, never its unrun code', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: ({lastUser}) => (/out of turns/.test(lastUser) ? repl('quiet = 1', 'I have what I need.') : repl('n = 7'))}));
		const {rlm} = makeRlm('openai', {blocks: {'n = 7': ({print}) => print(7), 'quiet = 1': () => undefined}}, {maxIterations: 2});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.status).toBe('forced');
			expect(result.response).toBe('7');
		} finally {
			await rlm.dispose();
		}
	});

	it('keeps variables across turns and gives history without re-sending a transcript', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: ({request}) => repl(request.messages[1]!.content.includes('first question') ? 'store' : 'recall')}));
		const {rlm, repls} = makeRlm('openai', {
			blocks: {
				store: ({vars, llm_output}) => {
					vars.secret_number = 1234;
					llm_output('stored');
				},
				recall: ({vars, history, llm_output}) => llm_output(`${vars.secret_number as number} ${history.length} ${history[0]!.answer}`),
			},
		});
		try {
			expect((await rlm.completion('first question')).response).toBe('stored');
			const second = await rlm.completion('second question');
			expect(second.response).toBe('1234 1 stored');
			expect(repls.started).toHaveLength(1);
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

	it('runs child RLMs at depth 2 in REPLs of their own and nests their events and usage', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({system, request}) => {
					if (request.messages[1]!.content.includes('child task')) return repl('shout the context');
					expect(system).toMatch(/child RLM/);
					return repl('delegate');
				},
			}),
		);
		const {rlm, events, repls} = makeRlm(
			'openai',
			{
				blocks: {
					'shout the context': ({context, llm_output}) => llm_output(textOf(context).toUpperCase()),
					delegate: async ({rlm_query, llm_output}) => llm_output(`child said ${await rlm_query('child task: shout')}`),
				},
			},
			{maxDepth: 2},
		);
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.response).toBe('child said CHILD TASK: SHOUT');
			expect(repls.started.map((r) => r.context)).toEqual(['c', 'child task: shout']);
			expect(repls.started[1]!.disposed).toBe(true);
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
		server.setResponder(scripted({root: () => repl('plain'), sub: (prompt) => ({text: `plain:${prompt}`})}));
		const {rlm, repls} = makeRlm('openai', {blocks: {plain: async ({rlm_query, llm_output}) => llm_output(await rlm_query('plain please'))}});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.response).toBe('plain:plain please');
			expect(repls.started).toHaveLength(1);
		} finally {
			await rlm.dispose();
		}
	});

	it('fails a sub-call prompt over the window fast, with a clear error string', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: () => repl('too big')}));
		const {rlm} = makeRlm('openai', {blocks: {'too big': async ({llm_query, llm_output}) => llm_output(await llm_query('x'.repeat(200_000)))}}, {subModelContextTokens: 8000});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.response).toMatch(/^Error: this prompt is about 50,000 tokens, over the 8,000-token window/);
			expect(subRequests(server.requests)).toHaveLength(0);
		} finally {
			await rlm.dispose();
		}
	});

	it("a failed sub-call's error string names no server address (the model may repeat it to a serve client); the tree keeps it", async () => {
		server.setResponder(scripted({root: () => repl('ask'), sub: () => ({status: 400, message: 'model not loaded'})}));
		const {rlm, events} = makeRlm('openai', {blocks: {ask: async ({llm_query, llm_output}) => llm_output(await llm_query('hi'))}});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			const host = new URL(server.openaiBaseURL).host;
			expect(result.response).toMatch(/^Error: .*the upstream server.*model not loaded/);
			expect(result.response).not.toContain(host);
			const done = events.find((event) => event.type === 'call.done');
			expect(done).toMatchObject({response: result.response, error: expect.stringContaining(host)});
		} finally {
			await rlm.dispose();
		}
	});

	it('tells the model when its REPL was restarted, and goes on', async () => {
		server.requests.length = 0;
		server.setResponder(
			scripted({
				root: ({turn, lastUser}) => {
					if (turn === 0) return repl('crash');
					return repl(/REPL was restarted: every variable you defined is gone/.test(lastUser) ? 'told' : 'not told');
				},
			}),
		);
		const {rlm, events} = makeRlm('openai', {
			blocks: {
				crash: ({vars, crash}) => {
					vars.lost = 1;
					crash('killed by SIGKILL');
				},
				told: ({vars, llm_output}) => llm_output(`told; lost is ${'lost' in vars ? 'kept' : 'gone'}`),
				'not told': ({llm_output}) => llm_output('not told'),
			},
		});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.response).toBe('told; lost is gone');
			const done = events.find((e) => e.type === 'code.done');
			expect(done?.type === 'code.done' && [done.restarted, done.limit]).toEqual([true, 'crashed']);
			expect(rootRequests(server.requests)[1]!.messages.at(-1)!.content).toContain('The Python process crashed (killed by SIGKILL)');
		} finally {
			await rlm.dispose();
		}
	});

	it('starts REPLs with the timeout, output cap and memory limit of its options', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: () => repl('done')}));
		const {rlm, repls} = makeRlm('openai', {blocks: {done: ({llm_output}) => llm_output('ok')}}, {timeoutSeconds: 7, maxOutputChars: 1234, memoryLimitMb: 512, memoryLimitName: '--memory-limit', cacheDir: '/tmp/rlm-cache'});
		try {
			await rlm.completion('q');
			expect(repls.started[0]!.options).toEqual({timeoutMs: 7000, maxOutputChars: 1234, memoryLimitMb: 512, memoryLimitName: '--memory-limit', cacheDir: '/tmp/rlm-cache'});
		} finally {
			await rlm.dispose();
		}
		expect(repls.started[0]!.disposed).toBe(true);
	});

	it('a memory limit changed with configure reaches the running session REPL from its next block; one out of range is refused', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: () => repl('done')}));
		const {rlm, repls} = makeRlm('openai', {blocks: {done: ({llm_output}) => llm_output('ok')}});
		try {
			await rlm.completion('q');
			expect(repls.started[0]!.options.memoryLimitMb).toBe(1024);
			rlm.configure({memoryLimitMb: 2048});
			await rlm.completion('again');
			expect(repls.started).toHaveLength(1);
			expect(repls.started[0]!.runOptions.map((options) => options.memoryLimitMb)).toEqual([1024, 2048]);
			expect(() => rlm.configure({memoryLimitMb: 100})).toThrow('memoryLimitMb 100 is out of range: from 256 to 4096 (MiB).');
			expect(() => rlm.configure({memoryLimitMb: 5000})).toThrow(RangeError);
			expect(rlm.options.memoryLimitMb).toBe(2048);
		} finally {
			await rlm.dispose();
		}
	});

	it('cancels a streaming model call', async () => {
		server.requests.length = 0;
		const abortedBefore = server.aborted;
		server.setResponder(scripted({root: () => ({hang: true})}));
		const {rlm, events} = makeRlm('openai', {blocks: {}});
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

	it('cancels running code and the session goes on', async () => {
		server.requests.length = 0;
		let calls = 0;
		server.setResponder(scripted({root: () => repl(++calls === 1 ? 'loop' : 'answer kept')}));
		const {rlm} = makeRlm('openai', {
			blocks: {
				loop: ({vars, print, runForever}) => {
					vars.kept = 5;
					print('looping');
					return runForever();
				},
				'answer kept': ({vars, llm_output}) => llm_output(String(vars.kept)),
			},
		});
		const controller = new AbortController();
		rlm.on('event', (event) => {
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
		server.setResponder(scripted({root: () => repl('three slow calls'), sub: () => ({hang: true})}));
		const {rlm, events} = makeRlm('openai', {blocks: {'three slow calls': async ({llm_query_batched}) => void (await llm_query_batched(['a', 'b', 'c']))}});
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

	it('cancels at once while the REPL is still starting', async () => {
		server.setResponder(scripted({root: () => repl('never runs')}));
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		const {rlm, repls} = makeRlm('openai', {blocks: {'never runs': ({print}) => print('ran')}, beforeStart: () => held});
		const controller = new AbortController();
		rlm.on('event', (event) => {
			if (event.type === 'code.start') controller.abort();
		});
		try {
			const result = await rlm.completion('q', {context: 'c', signal: controller.signal});
			expect(result.status).toBe('cancelled');
			// The REPL never got to start: the cancel did not wait for it.
			expect(repls.started).toHaveLength(0);
		} finally {
			release();
			await rlm.dispose();
		}
		expect(repls.started.every((r) => r.runs.length === 0 && r.disposed)).toBe(true);
	});

	it('reports a model that does not exist with the server message', async () => {
		server.setResponder(() => ({status: 404, message: "model 'nope' not found"}));
		const {rlm} = makeRlm('openai', {blocks: {}}, {model: 'nope'});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.status).toBe('failed');
			expect(result.error).toContain("model 'nope' not found");
		} finally {
			await rlm.dispose();
		}
	});

	it('carries a failure as {code, message} on the result and on run.done', async () => {
		server.setResponder(() => ({status: 404, message: "model 'nope' not found"}));
		const {rlm, events} = makeRlm('openai', {blocks: {}}, {model: 'nope'});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.errorCode).toBe('not_found');
			const done = events.find((event) => event.type === 'run.done');
			expect(done).toMatchObject({status: 'failed', errorCode: 'not_found', error: result.error});
		} finally {
			await rlm.dispose();
		}
	});

	it('remembers the model last used on each backend, for a switch back', async () => {
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', logDir: false, replFactory: fakeRepls({blocks: {}})});
		try {
			expect(rlm.sessionModel('openai')).toBe('root-model');
			rlm.configure({model: 'sub-model'});
			rlm.configure({backend: 'demo', model: 'demo'});
			expect(rlm.sessionModel('openai')).toBe('sub-model');
			expect(rlm.sessionModel('demo')).toBe('demo');
			expect(rlm.sessionModel('anthropic')).toBeUndefined();
			const preset = new Rlm({model: '', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', logDir: false, replFactory: fakeRepls({blocks: {}})});
			expect(preset.sessionModel('openai')).toBeUndefined();
			expect(await preset.chooseServerModel()).toBe('root-model');
			expect(preset.sessionModel('openai')).toBe('root-model');
			await preset.dispose();
		} finally {
			await rlm.dispose();
		}
	});

	it('no model set and none listed: fails with no_model before any model call', async () => {
		const empty = await startFakeLlmServer({models: []});
		const rlm = new Rlm({model: '', backend: 'openai', baseURL: empty.openaiBaseURL, apiKey: 'k', logDir: false, replFactory: fakeRepls({blocks: {}})});
		try {
			const result = await rlm.completion('q');
			expect(result).toMatchObject({status: 'failed', errorCode: 'no_model'});
			expect(result.error).toContain('lists no models');
			expect(empty.requests.filter((request) => request.path.includes('chat'))).toHaveLength(0);
		} finally {
			await rlm.dispose();
			await empty.close();
		}
	});
});
