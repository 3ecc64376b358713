// One price per call: the engine prices each model reply (llm.done) and each plain sub-call
// (call.done of llm_query) once, from the model catalog, in the same step that counts it against
// --max-budget; the tree adds up what the events carry. So the tree's cost, the limits event's
// cost and serve's usage.cost are one figure. Real openai SDK against the fake server, fake REPL.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {estimateCostUsd} from '../../source/backends/model-info.js';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent, RlmEventOf} from '../../source/protocol/events.js';
import {emptyTrajectory, reduceTrajectory} from '../../source/trajectory/tree.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {fakeRepls} from '../support/fake-repl.js';
import {repl, scripted} from '../support/rlm-script.js';

const priced = 'claude-sonnet-4-5';
const unknown = 'no-such-model-anywhere';
const usage = {inputTokens: 200_000, outputTokens: 10_000};

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: [priced, unknown]});
});
afterAll(async () => {
	await server?.close();
});

const of = <T extends RlmEvent['type']>(events: RlmEvent[], type: T) => events.filter((e): e is RlmEventOf<T> => e.type === type);

async function run(options: {maxBudget?: number} = {}) {
	server.setResponder(
		scripted({
			root: ({turn}) => (turn === 0 ? {...repl('calls'), usage} : {text: 'FINAL(done)', usage}),
			sub: () => ({text: 'a sub answer', usage}),
		}),
	);
	const rlm = new Rlm({
		model: priced,
		backend: 'openai',
		baseURL: server.openaiBaseURL,
		apiKey: 'test-key',
		maxIterations: 4,
		allowModels: [unknown],
		logDir: false,
		...options,
		replFactory: fakeRepls({
			blocks: {
				calls: async (api) => {
					api.vars.a = await api.llm_query('priced', priced);
					api.vars.b = await api.llm_query('not priced', unknown);
				},
			},
		}),
	});
	const events: RlmEvent[] = [];
	rlm.on('event', (event) => events.push(event));
	try {
		const result = await rlm.completion('the question', {context: 'the context'});
		return {result, events};
	} finally {
		await rlm.dispose();
	}
}

describe('cost', () => {
	it('each priced reply and sub-call carries its cost; an unknown model carries none', async () => {
		const {result, events} = await run();
		expect(result.status).toBe('answered');
		const unit = estimateCostUsd(priced, usage)!;
		expect(unit).toBeGreaterThan(0);
		const replies = of(events, 'llm.done');
		expect(replies).toHaveLength(2);
		for (const reply of replies) expect(reply.costUsd).toBeCloseTo(unit, 9);
		expect(of(events, 'call.done').map((call) => call.costUsd)).toEqual([unit, undefined]);
	});

	it('the tree, the limits event and the budget meter hold one figure', async () => {
		const {events} = await run({maxBudget: 1_000});
		let tree = emptyTrajectory();
		for (const event of events) tree = reduceTrajectory(tree, event);
		const unit = estimateCostUsd(priced, usage)!;
		expect(tree.costUsd).toBeCloseTo(3 * unit, 9);
		const last = of(events, 'limits').at(-1)!;
		expect(last.use.costUsd).toBe(tree.costUsd);
		expect(last.use.unpricedModels).toEqual([unknown]);
	});

	it('a budget smaller than the first reply stops the run at that reply, priced as it is shown', async () => {
		const unit = estimateCostUsd(priced, usage)!;
		const {result, events} = await run({maxBudget: unit / 2});
		expect(result.status).toBe('limited');
		expect(result.limit).toBe('maxBudget');
		expect(of(events, 'llm.done')[0]!.costUsd).toBeCloseTo(unit, 9);
		expect(of(events, 'limits').at(-1)!.use.costUsd).toBeCloseTo(unit, 9);
	});

	it("a compaction's summary call is priced once too: on its notice, in the tree and in the limits' use", async () => {
		// Counted here: after a compaction the request holds fewer turns than were taken.
		let rootCalls = 0;
		server.setResponder(
			scripted({
				root: () => (++rootCalls <= 3 ? {...repl('big'), usage} : {text: 'FINAL(done)', usage}),
				sub: () => ({text: 'Summary: printed a lot.', usage}),
			}),
		);
		const rlm = new Rlm({
			model: priced,
			backend: 'openai',
			baseURL: server.openaiBaseURL,
			apiKey: 'test-key',
			maxIterations: 5,
			maxBudget: 1_000,
			contextWindow: 4096,
			logDir: false,
			replFactory: fakeRepls({blocks: {big: async (api) => api.print('data '.repeat(1500))}}),
		});
		const events: RlmEvent[] = [];
		rlm.on('event', (event) => events.push(event));
		try {
			expect((await rlm.completion('the question', {context: 'c'})).status).toBe('answered');
		} finally {
			await rlm.dispose();
		}
		const unit = estimateCostUsd(priced, usage)!;
		const compactions = of(events, 'notice').filter((notice) => notice.code === 'compaction');
		expect(compactions.length).toBeGreaterThan(0);
		for (const notice of compactions) expect(notice.costUsd).toBeCloseTo(unit, 9);
		let tree = emptyTrajectory();
		for (const event of events) tree = reduceTrajectory(tree, event);
		expect(tree.costUsd).toBeCloseTo((of(events, 'llm.done').length + compactions.length) * unit, 9);
		expect(of(events, 'limits').at(-1)!.use.costUsd).toBeCloseTo(tree.costUsd!, 9);
	});
});
