// One count of iterations: the chat's line under an answer (or its "Cancelled in iteration N"), the
// tree's root row and iteration rows, and the status line (the root run node's `iteration`) say the
// same number, for a run that answered, one cancelled, one a limit stopped (with and without a last
// call for its best answer) and one out of iterations. The real engine and SDK against the fake
// server, the fake REPL, the app's reducer fed the events and the result as the app feeds them.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmOptions} from '../../source/engine/types.js';
import type {RlmEvent} from '../../source/protocol/events.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {readTrajectoryLog} from '../../source/trajectory/read-log.js';
import {getNode, nodeCount, reduceAll, type IterationNode, type RunNode} from '../../source/trajectory/tree.js';
import {summarize} from '../../source/ui/effects.js';
import {appReducer, currentRun, initialAppState} from '../../source/ui/state/app-state.js';
import {describeNode} from '../../source/ui/tree-rows.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {fakeRepls, type FakeReplScript} from '../support/fake-repl.js';
import {repl, scripted, type Script} from '../support/rlm-script.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model', 'sub-model']});
});
afterAll(async () => {
	await server?.close();
});

const BLOCKS: FakeReplScript = {
	blocks: {
		noop: () => {},
		spin: ({runForever}) => runForever(),
		loop: async (api) => {
			for (let i = 0; !api.signal.aborted; i++) api.vars.last = await api.llm_query(`question ${i}`);
		},
	},
};

/** Runs one question and shows it as the app does: the events into the tree, then the result. */
async function asked(script: Script, options: Partial<RlmOptions>, cancelAt?: (event: RlmEvent) => boolean) {
	server.setResponder(scripted(script));
	const logDir = mkdtempSync(join(tmpdir(), 'rlm-count-'));
	const rlm = new Rlm({model: 'root-model', subModel: 'sub-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'test-key', maxIterations: 6, logDir, replFactory: fakeRepls(BLOCKS), ...options});
	const controller = new AbortController();
	const events: RlmEvent[] = [];
	rlm.on('event', (event) => {
		events.push(event);
		if (cancelAt?.(event)) controller.abort();
	});
	try {
		const result = await rlm.completion('the question', {context: 'c', signal: controller.signal});
		let state = initialAppState({size: {columns: 140, rows: 40}, config: {backend: 'openai', model: 'root-model', maxIterations: options.maxIterations ?? 6}});
		state = appReducer(state, {type: 'events', events});
		state = appReducer(state, {type: 'completion-done', result: summarize(result), now: 0});
		const root = currentRun(state)!;
		const nodes = Array.from({length: nodeCount(state.tree.traj)}, (_, id) => getNode(state.tree.traj, id));
		const iterationRows = nodes.filter((node): node is IterationNode => node?.kind === 'iteration' && node.runId === root.runId);
		const chat = state.chat.map((entry) => [entry.text, entry.meta ?? ''].join('\n')).join('\n');
		await rlm.dispose();
		// --replay of its log: the same count (the last call's record is logged as one more iteration).
		const replayed = reduceAll(logToEvents(readTrajectoryLog(rlm.logFiles[0]!)));
		const replayedRoot = getNode(replayed, replayed.roots[0]!) as RunNode;
		return {result, root, iterationRows, chat, rootRow: describeNode(root), replayedRoot};
	} finally {
		await rlm.dispose();
		rmSync(logDir, {recursive: true, force: true});
	}
}

/** The number each place shows, asserted equal to `expected`. */
function expectOneCount(shown: Awaited<ReturnType<typeof asked>>, expected: number, chatSays: RegExp) {
	const {root, iterationRows, chat, rootRow, replayedRoot} = shown;
	// The status line's "iter N/M" is the root node's count.
	expect(root.iteration).toBe(expected);
	expect(replayedRoot.iteration).toBe(expected);
	expect(rootRow.meta).toMatch(new RegExp(`\\b${expected} it\\b`));
	// Rows titled "iteration k/M": the last one is the count; the final call is not one of them.
	const counted = iterationRows.filter((row) => !row.forced);
	expect(counted.map((row) => row.iteration)).toEqual(Array.from({length: expected}, (_, i) => i + 1));
	expect(chat).toMatch(chatSays);
	const saidInChat = [...chat.matchAll(/(\d+) iterations?\b|iteration (\d+)\//g)].map((match) => Number(match[1] ?? match[2]));
	expect(saidInChat.length).toBeGreaterThan(0);
	expect(new Set(saidInChat)).toEqual(new Set([expected]));
}

describe('one count of iterations in the chat, the tree and the status line', () => {
	it('a run that answered', async () => {
		const shown = await asked({root: ({turn}) => (turn === 0 ? repl('noop') : {text: 'FINAL(done)'})}, {});
		expect(shown.result.status).toBe('answered');
		expectOneCount(shown, 2, /2 iterations/);
	});

	it('a run cancelled while a block of its third iteration ran', async () => {
		const shown = await asked({root: ({turn}) => (turn < 2 ? repl('noop') : repl('spin'))}, {}, (event) => event.type === 'code.start' && event.iteration === 3);
		expect(shown.result.status).toBe('cancelled');
		expectOneCount(shown, 3, /Cancelled in iteration 3\/6/);
	});

	it('a run cancelled while its second reply streamed: the iteration cut short counts', async () => {
		const shown = await asked(
			{root: ({turn}) => (turn === 0 ? repl('noop') : {hang: true})},
			{},
			(event) => event.type === 'llm.start' && event.iteration === 2,
		);
		expect(shown.result.status).toBe('cancelled');
		expectOneCount(shown, 2, /Cancelled in iteration 2\/6/);
	});

	it('a run a limit stopped, then asked once more for its best answer: that last call is not an iteration', async () => {
		const shown = await asked({root: ({turn}) => (turn === 0 ? repl('noop') : turn === 1 ? repl('loop') : {text: 'FINAL(best after the limit)'})}, {maxSubCalls: 3});
		expect(shown.result.status).toBe('limited');
		expect(shown.result.response).toBe('best after the limit');
		expectOneCount(shown, 2, /2 iterations/);
		const last = shown.iterationRows.at(-1)!;
		expect(last.forced && last.afterLimit).toBe(true);
		expect(describeNode(last).title).toBe('final answer (limit reached)');
	});

	it('a run a limit stopped before its second reply was asked for (the iteration had begun)', async () => {
		const shown = await asked({root: () => ({...repl('noop'), usage: {inputTokens: 900, outputTokens: 50}})}, {maxTokens: 1000});
		expect(shown.result.status).toBe('limited');
		expect(shown.result.limit).toBe('maxTokens');
		expectOneCount(shown, 2, /2 iterations/);
	});

	it('a run out of iterations, answered by the forced call', async () => {
		const shown = await asked({root: ({turn}) => (turn < 3 ? repl('noop') : {text: 'FINAL(forced answer)'})}, {maxIterations: 3});
		expect(shown.result.status).toBe('forced');
		expectOneCount(shown, 3, /3 iterations/);
		expect(describeNode(shown.iterationRows.at(-1)!).title).toBe('final answer (out of iterations)');
	});
});
