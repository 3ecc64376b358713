// The run-wide limits (maxBudget, maxTimeout, maxTokens, maxErrors, maxSubCalls) and the limits
// model code cannot get around (batch size, prompt bytes, model=, REPLs at once), on the fake REPL
// with the real SDKs against the fake server. The same attacks on the real sandbox:
// test/sandbox/spending.test.ts.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent, RlmEventOf} from '../../source/protocol/events.js';
import type {RlmOptions} from '../../source/engine/types.js';
import {emptyTrajectory, reduceTrajectory, findRun, getNode, nodeCount} from '../../source/trajectory/tree.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {fakeRepls, FakePythonError, type FakeBlockApi, type FakeReplScript} from '../support/fake-repl.js';
import {repl, rootRequests, scripted, subRequests, type Script} from '../support/rlm-script.js';
import stripAnsi from 'strip-ansi';
import {detailLines} from '../../source/ui/detail.js';
import {describeNode} from '../../source/ui/tree-rows.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model', 'sub-model', 'other-model']});
});
afterAll(async () => {
	await server?.close();
});

const of = <T extends RlmEvent['type']>(events: RlmEvent[], type: T) => events.filter((e): e is RlmEventOf<T> => e.type === type);

async function run(script: Script, blocks: FakeReplScript, options: Partial<RlmOptions> = {}, api: 'openai' | 'anthropic' = 'openai') {
	server.requests.length = 0;
	server.setResponder(scripted(script));
	const repls = fakeRepls(blocks);
	const rlm = new Rlm({
		model: 'root-model',
		subModel: 'sub-model',
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
	try {
		const result = await rlm.completion('the question', {context: 'the context'});
		return {result, events, repls, roots: rootRequests(server.requests), subs: subRequests(server.requests), rlm};
	} finally {
		await rlm.dispose();
	}
}

/** A block calling llm_query until it is stopped (the loop that made 700 calls under --timeout 2). */
const loopBlocks = (onEach?: (api: FakeBlockApi, i: number) => void): FakeReplScript => ({
	blocks: {
		loop: async (api) => {
			for (let i = 0; !api.signal.aborted; i++) {
				onEach?.(api, i);
				api.vars.last = await api.llm_query(`question ${i}`);
			}
		},
	},
});

describe('maxSubCalls', () => {
	it("marks the default cap as the engine's, not the user's, in the limits events", async () => {
		const script = {root: () => ({text: 'FINAL(done)'})};
		const byDefault = await run(script, {blocks: {}});
		expect(of(byDefault.events, 'limits').every((event) => event.caps.maxSubCalls === 500 && event.defaults?.includes('maxSubCalls'))).toBe(true);
		const chosen = await run(script, {blocks: {}}, {maxSubCalls: 500});
		expect(of(chosen.events, 'limits').length).toBeGreaterThan(0);
		expect(of(chosen.events, 'limits').some((event) => event.defaults !== undefined)).toBe(false);
	});

	it('stops an llm_query loop at the limit, with the answer dict content as the answer', async () => {
		const {result, events, subs, roots} = await run(
			{root: () => repl('loop')},
			loopBlocks((api, i) => i === 3 && api.setAnswerContent('draft after three calls')),
			{maxSubCalls: 12},
		);
		expect(result.status).toBe('limited');
		expect(result.limit).toBe('maxSubCalls');
		expect(result.response).toBe('draft after three calls');
		expect(result.error).toMatch(/12 sub-calls/);
		expect(subs).toHaveLength(12);
		// The answer dict had content: no extra root call was made.
		expect(roots).toHaveLength(1);
		const done = of(events, 'run.done').at(-1)!;
		expect(done).toMatchObject({status: 'limited', limit: 'maxSubCalls'});
		expect(of(events, 'notice').map((n) => n.code)).toContain('limit_reached');
		const use = of(events, 'limits').at(-1)!;
		expect(use.caps.maxSubCalls).toBe(12);
		expect(use.use.subCalls).toBe(12);
	});

	it('without an answer draft, asks the model once more for its best answer (the limit allows a root call)', async () => {
		const {result, roots, subs} = await run(
			{root: ({turn}) => (turn === 0 ? repl('loop') : {text: 'FINAL(best effort from the calls so far)'})},
			loopBlocks(),
			{maxSubCalls: 5},
		);
		expect(result.status).toBe('limited');
		expect(result.response).toBe('best effort from the calls so far');
		expect(subs).toHaveLength(5);
		expect(roots).toHaveLength(2);
		expect(roots[1]!.messages.at(-1)!.content).toMatch(/limit of 5 sub-calls .* No code\./s);
	});

	it('has a default in the hundreds', async () => {
		const {result, subs} = await run({root: () => repl('loop')}, loopBlocks());
		expect(result.limit).toBe('maxSubCalls');
		expect(subs.length).toBe(500);
	});

	it('refuses a batch larger than what is left without stopping the run, and says how many are left', async () => {
		const {result, subs} = await run(
			{root: () => repl('batch')},
			{
				blocks: {
					batch: async ({llm_query_batched, llm_output}) => {
						const first = await llm_query_batched(['a', 'b', 'c']);
						const second = await llm_query_batched(['d', 'e', 'f', 'g']);
						llm_output(`${first.filter((s) => !s.startsWith('Error')).length} | ${second[0]}`);
					},
				},
			},
			{maxSubCalls: 5},
		);
		expect(result.status).toBe('answered');
		expect(result.response).toMatch(/^3 \| Error: refused: 4 prompts, but only 2 of the run's limit of 5 sub-calls/);
		expect(subs).toHaveLength(3);
	});
});

describe('maxTokens', () => {
	it('stops the tree once the tokens of all its calls reach the cap; no last call past it, the last output is the answer', async () => {
		const {result, roots} = await run(
			{root: ({turn}) => ({...repl(`step ${turn}`), usage: {inputTokens: 1800, outputTokens: 200}})},
			{blocks: (code) => ({print}) => print(`output of ${code}`)},
			{maxTokens: 5000},
		);
		expect(result.status).toBe('limited');
		expect(result.limit).toBe('maxTokens');
		// The third reply reaches 6,000: its code does not run, and no last call is made.
		expect(roots).toHaveLength(3);
		expect(result.response).toBe('output of step 1');
		expect(result.usage.inputTokens + result.usage.outputTokens).toBe(6000);
	});

	it('counts sub-calls and refuses one whose prompt alone would pass the cap, before sending it', async () => {
		const {result, subs, events} = await run(
			{root: () => ({...repl('big'), usage: {inputTokens: 100, outputTokens: 10}})},
			{
				blocks: {
					big: async ({llm_query, print}) => {
						print(await llm_query('small'));
						print(await llm_query('x'.repeat(40_000)));
					},
				},
			},
			{maxTokens: 5000},
		);
		expect(result.limit).toBe('maxTokens');
		expect(subs).toHaveLength(1);
		const refused = of(events, 'call.done').at(-1)!;
		expect(refused.error).toMatch(/limit of 5,000 tokens .* about 10,000 more/);
	});
});

describe('a cap below what the first request needs (nothing used yet)', () => {
	it('maxTokens says the first request alone needs more than the cap, not "0 used"', async () => {
		const {result, roots} = await run({root: () => ({text: 'FINAL(never)'})}, {blocks: {}}, {maxTokens: 150});
		expect(result).toMatchObject({status: 'limited', limit: 'maxTokens'});
		expect(result.error).toMatch(/^The first request alone needs about [\d,]+ tokens, more than the run's limit of 150 tokens \(--max-tokens\)\.$/);
		expect(roots).toHaveLength(0);
	});

	it('maxBudget says the first request alone would cost more than the budget, not "$0 spent"', async () => {
		const {result, roots} = await run({root: () => ({text: 'FINAL(never)'})}, {blocks: {}}, {model: 'gpt-4o', subModel: 'gpt-4o', maxBudget: 0.0001});
		expect(result).toMatchObject({status: 'limited', limit: 'maxBudget'});
		expect(result.error).toMatch(/^The first request alone would cost about \$[\d.]+, more than the run's budget of \$0\.0001 \(--max-budget\)\.$/);
		expect(roots).toHaveLength(0);
	});

	it('maxSubCalls refuses a first batch larger than the cap by what the cap allows, not what is "left"', async () => {
		const {result, subs} = await run(
			{root: () => repl('batch')},
			{blocks: {batch: async ({llm_query_batched, llm_output}) => llm_output((await llm_query_batched(['a', 'b', 'c', 'd']))[0]!)}},
			{maxSubCalls: 3},
		);
		expect(result.response).toBe("Error: refused: 4 prompts, but the run's limit of 3 sub-calls (--max-sub-calls) allows only 3. Send at most 3, or combine prompts.");
		expect(subs).toHaveLength(0);
	});
});

describe('maxBudget', () => {
	it('stops at the estimated cost from the catalog price (gpt-4o: $2.50 / $10 per million)', async () => {
		const {result, roots, events} = await run(
			{root: ({turn}) => ({...repl(`step ${turn}`), usage: {inputTokens: 100_000, outputTokens: 1000}})},
			{blocks: (code) => ({print}) => print(code)},
			{model: 'gpt-4o', subModel: 'gpt-4o', maxBudget: 0.6},
		);
		expect(result.status).toBe('limited');
		expect(result.limit).toBe('maxBudget');
		// $0.26 a call: the third reaches $0.78.
		expect(roots).toHaveLength(3);
		const use = of(events, 'limits').at(-1)!.use;
		expect(use.costUsd).toBeCloseTo(0.78, 5);
		expect(use.unpricedModels).toEqual([]);
	});

	it('counts the tokens of a model without a known price and says no price is known', async () => {
		const {result, events} = await run(
			{root: ({turn}) => (turn === 0 ? repl('ask') : repl('done'))},
			{blocks: {ask: async ({llm_query, print}) => print(await llm_query('q')), done: ({llm_output}) => llm_output('ok')}},
			{maxBudget: 0.01},
		);
		expect(result.status).toBe('answered');
		const notices = of(events, 'notice').filter((n) => n.code === 'price_unknown');
		expect(notices.map((n) => n.message)).toEqual([expect.stringMatching(/No price is known for root-model/), expect.stringMatching(/No price is known for sub-model/)]);
		const use = of(events, 'limits').at(-1)!.use;
		expect(use.costUsd).toBe(0);
		expect(use.unpricedModels.sort()).toEqual(['root-model', 'sub-model']);
		expect(use.tokens).toBe(result.usage.totalTokens);
	});
});

describe('maxTimeout', () => {
	it('counts time spent waiting on sub-calls: an llm_query loop stops at the run limit', async () => {
		const {result, subs, roots} = await run(
			{root: () => repl('loop'), sub: () => ({text: 'slow', delayMs: 40})},
			loopBlocks(),
			// Long enough for the first root call on a loaded machine, short beside 100 sub-calls of 40 ms.
			{maxTimeout: 2.5, maxSubCalls: 100_000},
		);
		expect(result.status).toBe('limited');
		expect(result.limit).toBe('maxTimeout');
		expect(result.error).toMatch(/time limit of 2\.5 s/);
		// No last call past the time limit.
		expect(roots).toHaveLength(1);
		expect(subs.length).toBeLessThan(100);
		// Nothing printed and no draft: the last reply's words, without its code (which never ran).
		expect(result.response).toBe('Working on it.');
	});

	it('children share what is left: a child running forever stops with its parent', async () => {
		const {result, events} = await run(
			{root: ({system}) => (system.includes('child RLM with its own REPL') ? repl('spawn') : repl('spin'))},
			{
				blocks: {
					spawn: async ({rlm_query, print}) => print(await rlm_query('go deeper')),
					spin: ({runForever}) => runForever(),
				},
			},
			{maxDepth: 2, maxTimeout: 0.5},
		);
		expect(result.limit).toBe('maxTimeout');
		const done = of(events, 'run.done');
		expect(done).toHaveLength(2);
		expect(done.every((d) => d.status === 'limited' && d.limit === 'maxTimeout')).toBe(true);
		// The root says why once; the child does not repeat it.
		expect(of(events, 'notice').filter((n) => n.code === 'limit_reached')).toHaveLength(1);
	});
});

describe('maxErrors', () => {
	it('stops a run after that many failed blocks in a row, and asks for the best answer with the errors shown', async () => {
		let failures = 0;
		const {result, roots} = await run(
			{root: ({turn}) => (turn < 2 ? repl(`fail ${turn}`) : {text: 'FINAL(could not compute it)'})},
			{
				blocks: () => () => {
					failures++;
					throw new FakePythonError('ValueError', `bad ${failures}`);
				},
			},
			{maxErrors: 2},
		);
		expect(result.status).toBe('limited');
		expect(result.limit).toBe('maxErrors');
		expect(result.response).toBe('could not compute it');
		expect(failures).toBe(2);
		const last = roots.at(-1)!.messages.at(-1)!.content;
		expect(last).toContain('ValueError: bad 2');
		expect(last).toMatch(/2 code blocks in a row failed/);
	});

	it('resets on a block that works', async () => {
		const {result} = await run(
			{root: ({turn}) => repl(['fail', 'ok', 'fail', 'finish'][turn]!)},
			{
				blocks: {
					fail: () => {
						throw new FakePythonError('ValueError', 'no');
					},
					ok: ({print}) => print('fine'),
					finish: ({llm_output}) => llm_output('done'),
				},
			},
			{maxErrors: 2},
		);
		expect(result.status).toBe('answered');
	});
});

describe('limits model code cannot get around', () => {
	it('refuses a 3,000-prompt batch whole, before anything is sent or emitted, and the run goes on', async () => {
		const {result, subs, events} = await run(
			{root: () => repl('fan out')},
			{
				blocks: {
					'fan out': async ({llm_query_batched, llm_output}) => {
						const answers = await llm_query_batched(Array.from({length: 3000}, (_, i) => `p${i}`));
						llm_output(`${answers.length} ${answers[0]}`);
					},
				},
			},
		);
		expect(result.status).toBe('answered');
		expect(result.response).toMatch(/^3000 Error: llm_query_batched refused: 3,000 prompts, over the limit of 1,000 in one call/);
		expect(subs).toHaveLength(0);
		expect(of(events, 'call.start')).toHaveLength(0);
		expect(of(events, 'notice').filter((n) => n.code === 'sub_call_refused')).toHaveLength(1);
	});

	it('refuses a prompt over maxPromptBytes: never sent, and only its first characters reach the events', async () => {
		const huge = `${'é'.repeat(600)}SECRET-TAIL`;
		const {result, subs, events} = await run(
			{root: () => repl('send')},
			{
				blocks: {
					send: async ({llm_query_batched, llm_output}) => {
						const [big, small] = await llm_query_batched([huge, 'fine']);
						llm_output(`${big}\n${small}`);
					},
				},
			},
			{maxPromptBytes: 1000},
		);
		expect(result.response).toMatch(/^Error: this prompt is 1,211 bytes, over the 1,000-byte limit/);
		expect(result.response.split('\n')[1]).toBe('sub:4');
		expect(subs).toHaveLength(1);
		const starts = of(events, 'call.start');
		expect(starts).toHaveLength(2);
		expect(JSON.stringify(events)).not.toContain('SECRET-TAIL');
		expect(starts.find((s) => s.index === 0)!.prompt.length).toBeLessThan(300);
	});

	it('lets model= name only the root model, the sub-model and --allow-models', async () => {
		const blocks: FakeReplScript = {
			blocks: {
				pick: async ({llm_query, llm_output}) => {
					const answers = [await llm_query('a', 'secret-expensive-model'), await llm_query('b', 'root-model'), await llm_query('c', 'other-model')];
					llm_output(answers.join('\n'));
				},
			},
		};
		const refused = await run({root: () => repl('pick')}, blocks);
		const lines = refused.result.response.split('\n');
		expect(lines[0]).toMatch(/^Error: model="secret-expensive-model" is not allowed for sub-calls/);
		expect(lines[1]).toBe('sub:1');
		expect(lines[2]).toMatch(/^Error: model="other-model" is not allowed/);
		expect(refused.subs.map((r) => r.model)).toEqual(['root-model']);

		const allowed = await run({root: () => repl('pick')}, blocks, {allowModels: ['other-model']});
		expect(allowed.subs.map((r) => r.model)).toEqual(['root-model', 'other-model']);
	});

	it('keeps REPLs at once under maxHosts across depths; children that could only deadlock fail their slot clearly', async () => {
		const repls = fakeRepls({
			blocks: {
				fan: async ({rlm_query_batched, llm_output}) => llm_output((await rlm_query_batched(['x', 'y', 'z', 'w'])).join(' | ')),
				leaf: ({llm_output}) => llm_output('leaf'),
			},
		});
		const {result, events} = await run(
			// The root and the depth-1 runs fan out four children each; depth-2 runs answer.
			{root: ({system}) => (system.includes('child RLM with its own REPL') ? repl('fan') : repl('leaf'))},
			{blocks: {}},
			{maxDepth: 3, maxHosts: 5, replFactory: repls},
		);
		expect(result.status).toBe('answered');
		expect(repls.peak).toBeLessThanOrEqual(5);
		expect(of(events, 'run.start').filter((e) => e.depth === 1)).toHaveLength(4);
		// The four depth-1 children hold every slot but the root's: once each waits on a child of its
		// own, none can ever free one, and the waiting children fail.
		const refused = of(events, 'call.done').filter((e) => e.error?.includes('no sandbox is free for a child RLM'));
		expect(refused.length).toBeGreaterThanOrEqual(4);
		expect(result.response.split(' | ')[0]).toMatch(/^Error: no sandbox is free for a child RLM: all 5 \(maxHosts\)/);
	});

	it('children wait for a slot when one will come free', async () => {
		const repls = fakeRepls({
			blocks: {
				fan: async ({rlm_query_batched, llm_output}) => llm_output((await rlm_query_batched(['1', '2', '3', '4', '5', '6'])).join(',')),
				leaf: ({context, llm_output}) => llm_output(`leaf ${context as string}`),
			},
		});
		const {result} = await run(
			{root: ({system}) => (system.includes('child RLM with its own REPL') ? repl('fan') : repl('leaf'))},
			{blocks: {}},
			{maxDepth: 2, maxHosts: 3, replFactory: repls},
		);
		expect(result.response).toBe('leaf 1,leaf 2,leaf 3,leaf 4,leaf 5,leaf 6');
		expect(repls.started).toHaveLength(7);
		expect(repls.peak).toBe(3);
	});
});

describe('use against the limits as the run goes', () => {
	it('reaches the tree: caps and use on the root run, updated by every call', async () => {
		const {events} = await run(
			{root: ({turn}) => (turn === 0 ? repl('ask') : repl('done'))},
			{blocks: {ask: async ({llm_query_batched, print}) => print(await llm_query_batched(['a', 'b'])), done: ({llm_output}) => llm_output('ok')}},
			{maxTokens: 1_000_000, maxTimeout: 600, maxBudget: 5, maxErrors: 3},
		);
		let tree = emptyTrajectory();
		const seen: number[] = [];
		for (const event of events) {
			tree = reduceTrajectory(tree, event);
			if (event.type === 'limits') seen.push(event.use.subCalls);
		}
		expect(seen[0]).toBe(0);
		expect(seen.at(-1)).toBe(2);
		const root = findRun(tree, of(events, 'run.start')[0]!.runId)!;
		expect(root.limits?.caps).toEqual({maxTokens: 1_000_000, maxTimeout: 600, maxBudget: 5, maxErrors: 3, maxSubCalls: 500});
		expect(root.limits?.use.subCalls).toBe(2);
		expect(root.limits?.use.tokens).toBeGreaterThan(0);
	});
});

describe('a block a run-wide limit interrupted', () => {
	/** The interrupted block's code.done, its tree node's detail and row, and the run's result. */
	async function stoppedBlock(options: Partial<RlmOptions>, blocks: FakeReplScript, cancelOnStart?: AbortController) {
		const outcome = cancelOnStart
			? await (async () => {
					server.requests.length = 0;
					server.setResponder(scripted({root: () => repl('spin')}));
					const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'test-key', maxIterations: 6, logDir: false, replFactory: fakeRepls(blocks), ...options});
					const events: RlmEvent[] = [];
					rlm.on('event', (event) => {
						events.push(event);
						if (event.type === 'code.start') cancelOnStart.abort();
					});
					try {
						return {result: await rlm.completion('q', {context: 'c', signal: cancelOnStart.signal}), events};
					} finally {
						await rlm.dispose();
					}
				})()
			: await run({root: () => repl(Object.keys(blocks.blocks)[0]!)}, blocks, options);
		const done = of(outcome.events, 'code.done')[0]!;
		let tree = emptyTrajectory();
		for (const event of outcome.events) tree = reduceTrajectory(tree, event);
		const code = Array.from({length: nodeCount(tree)}, (_, id) => getNode(tree, id)).find((node) => node?.kind === 'code')!;
		return {done, code, detail: stripAnsi(detailLines(code, 200, tree).join('\n')), row: describeNode(code), result: outcome.result};
	}

	it.each([
		['maxTimeout', {maxTimeout: 0.3}, {blocks: {spin: ({runForever}: FakeBlockApi) => runForever()}}, /time limit of 0\.3 s \(--max-timeout\)/, 'max_timeout', '--max-timeout'],
		['maxSubCalls', {maxSubCalls: 3}, loopBlocks(), /limit of 3 sub-calls \(--max-sub-calls\)/, 'max_sub_calls', '--max-sub-calls'],
		['maxTokens', {maxTokens: 2000, maxSubCalls: 100_000}, loopBlocks(), /limit of 2,000 tokens \(--max-tokens\)/, 'max_tokens', '--max-tokens'],
	] as const)('%s: the event, the tree row and the detail name the limit, not a cancel', async (limit, options, blocks, message, snake, flag) => {
		const {done, code, detail, row, result} = await stoppedBlock(options, blocks);
		expect(result.limit).toBe(limit);
		expect(done.limit).toBe(limit);
		expect(done.error?.split('\n')[0]).toMatch(message);
		expect(done.error?.split('\n')[0]).not.toMatch(/Cancelled|KeyboardInterrupt/);
		expect(code.status).toBe('cancelled');
		expect(row.meta).toContain(limit);
		expect(detail).toContain(`stopped by: ${snake}, the run's limit (${flag})`);
		expect(detail).not.toMatch(/stopped by: cancel/);
	});

	it("a block the user cancelled still says so (the limit's wording is only for limits)", async () => {
		const {done, detail, result} = await stoppedBlock({}, {blocks: {spin: ({runForever}) => runForever()}}, new AbortController());
		expect(result.status).toBe('cancelled');
		expect(done.limit).toBe('cancelled');
		expect(detail).toContain('stopped by: cancel');
		expect(detail).not.toMatch(/the run's limit/);
	});
});

describe('limits for one completion', () => {
	it('completion(prompt, {maxSubCalls}) wins over the Rlm\'s for that call only; undefined keeps the Rlm\'s', async () => {
		server.requests.length = 0;
		server.setResponder(scripted({root: () => repl('loop')}));
		const rlm = new Rlm({
			model: 'root-model',
			backend: 'openai',
			baseURL: server.openaiBaseURL,
			apiKey: 'test-key',
			maxIterations: 2,
			logDir: false,
			maxSubCalls: 7,
			replFactory: fakeRepls(loopBlocks()),
		});
		try {
			const perCall = await rlm.completion('q', {context: 'c', maxSubCalls: 3});
			expect(perCall).toMatchObject({status: 'limited', limit: 'maxSubCalls'});
			expect(subRequests(server.requests)).toHaveLength(3);
			server.requests.length = 0;
			const own = await rlm.completion('q', {context: 'c', maxSubCalls: undefined});
			expect(own).toMatchObject({status: 'limited', limit: 'maxSubCalls'});
			expect(subRequests(server.requests)).toHaveLength(7);
		} finally {
			await rlm.dispose();
		}
	});
});

describe('a limited run in its log', () => {
	it('keeps the limit and the use against each cap, so a replay shows them; a bad record shows none', async () => {
		const {mkdtempSync, readdirSync, readFileSync} = await import('node:fs');
		const {tmpdir} = await import('node:os');
		const path = await import('node:path');
		const {readTrajectoryLog, parseTrajectoryLog} = await import('../../source/trajectory/read-log.js');
		const {logToEvents} = await import('../../source/trajectory/log-to-events.js');
		const logDir = mkdtempSync(path.join(tmpdir(), 'rlm-limits-log-'));
		const {result} = await run({root: () => repl('loop')}, loopBlocks((api, i) => i === 0 && api.setAnswerContent('draft')), {maxSubCalls: 4, logDir});
		expect(result.status).toBe('limited');
		const file = path.join(logDir, readdirSync(logDir).find((name) => name.endsWith('.jsonl'))!);
		const events = logToEvents(readTrajectoryLog(file));
		expect(events.at(-1)).toMatchObject({type: 'run.done', status: 'limited', limit: 'maxSubCalls', answer: 'draft'});
		const limits = of(events, 'limits').at(-1)!;
		expect(limits.caps.maxSubCalls).toBe(4);
		expect(limits.use.subCalls).toBe(4);
		// A record edited by hand: no limits shown, and the replay still reads.
		const edited = readFileSync(file, 'utf8').replace('"subCalls":4', '"subCalls":"many"').replace('"run_limit":"maxSubCalls"', '"run_limit":"maxEverything"');
		const replayed = logToEvents(parseTrajectoryLog(edited));
		expect(of(replayed, 'limits')).toHaveLength(0);
		expect(replayed.at(-1)).toMatchObject({type: 'run.done', status: 'limited'});
		expect(replayed.at(-1)).not.toHaveProperty('limit');
	});
});
