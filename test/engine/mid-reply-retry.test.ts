// A server failure after the model's answer text began (Anthropic's overloaded_error mid-stream, an
// OpenAI-compatible error chunk, OpenRouter's 200-with-error chunk, a connection cut mid-reply) is
// retried, and the reply that streamed before it is withdrawn everywhere it shows: end to end
// through the real SDKs, the real sandbox, the trajectory log, its replay, and the TUI's state.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {RlmEvent} from '../../source/protocol/events.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {getNode, nodeCount, reduceAll, type CallNode, type ReplyNode, type TrajectoryState} from '../../source/trajectory/tree.js';
import {appReducer, initialAppState} from '../../source/ui/state/app-state.js';
import {describeNode} from '../../source/ui/tree-rows.js';
import {of, runScripted, type Api} from '../support/scripted-run.js';
import {startFakeLlmServer, type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';
import {repl} from '../support/rlm-script.js';

let server: FakeLlmServer;
let logDir: string;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model', 'sub-model']});
	logDir = mkdtempSync(join(tmpdir(), 'rlm-tui-mid-reply-'));
});
afterAll(async () => {
	await server?.close();
	rmSync(logDir, {recursive: true, force: true});
});

/** What streams before the failure: an unclosed block (16 characters, "```repl\nprint(1)"). */
const PARTIAL = '```repl\nprint(1)';
const failing = (how: Partial<Pick<Extract<FakeReply, {text: string}>, 'streamError' | 'drop'>>): FakeReply => ({text: `${PARTIAL}\n\`\`\`\nFINAL(1)`, chunkSize: 4, ...how});
const RETRIED = repl('print(2)\nllm_output("from the retry")');

/** Each failure, and the cause its retry notice's facts give (RetryFacts.cause: no server named). */
const failures: Array<[string, Api, FakeReply, RegExp]> = [
	['Anthropic overloaded_error event', 'anthropic', failing({streamError: {afterChars: 16, message: 'Overloaded', type: 'overloaded_error'}}), /^Overloaded$/],
	['OpenAI-compatible error chunk', 'openai', failing({streamError: {afterChars: 16, message: 'Internal server error', shape: 'error'}}), /^(500: )?Internal server error$/],
	['OpenRouter 200 with an error chunk (code 502)', 'openai', failing({streamError: {afterChars: 16, message: 'Provider returned error', shape: 'openrouter', code: 502}}), /^502: Provider returned error$/],
	['OpenAI connection reset mid-reply', 'openai', failing({drop: {afterChars: 16, how: 'reset'}}), /^the (server closed the connection|connection was reset) mid-stream$/],
	['Anthropic stream ended mid-reply', 'anthropic', failing({drop: {afterChars: 16, how: 'end'}}), /^the server closed the stream before the reply ended \(no message_delta stop_reason and no message_stop\)$/],
];

/** The tree as the TUI's state holds it after `events`. */
function tuiTree(events: readonly RlmEvent[]): TrajectoryState {
	const state = initialAppState({size: {columns: 140, rows: 40}, config: {backend: 'openai', model: 'root-model', maxIterations: 4}});
	return appReducer(state, {type: 'events', events}).tree.traj;
}

const nodesOf = (traj: TrajectoryState) => Array.from({length: nodeCount(traj)}, (_, id) => getNode(traj, id)!);
const replies = (traj: TrajectoryState) => nodesOf(traj).filter((node): node is ReplyNode => node.kind === 'reply');
const calls = (traj: TrajectoryState) => nodesOf(traj).filter((node): node is CallNode => node.kind === 'call');

describe.each(failures)('a root reply that fails after its answer began: %s', (_what, api, failure, cause) => {
	it('is retried; the run answers from the retried reply alone, the trajectory, its replay and the TUI hold only it', async () => {
		let tries = 0;
		const {result, events, log, roots} = await runScripted(server, logDir, api, {root: () => (tries++ === 0 ? failure : RETRIED)});
		expect(result).toMatchObject({status: 'answered', response: 'from the retry'});
		expect(roots).toHaveLength(2);
		// Only the retried reply's block ran; the withdrawn one's FINAL(1) never counted.
		expect(of(events, 'code.start').map((event) => event.code)).toEqual(['print(2)\nllm_output("from the retry")']);

		// The events: the partial, the notice that withdraws it, llm.restart, then the retried reply whole.
		const restart = events.findIndex((event) => event.type === 'llm.restart');
		expect(restart).toBeGreaterThan(0);
		const deltas = (from: number, to: number) => of(events.slice(from, to), 'llm.delta').map((event) => event.text).join('');
		expect(deltas(0, restart)).toBe(PARTIAL);
		expect(deltas(restart, events.length)).toBe(RETRIED.text);
		expect(events[restart - 1]).toMatchObject({type: 'notice', code: 'stream_retried', message: expect.stringMatching(/^The reply so far is withdrawn: .+ Retrying in \d\.\d s \(1 of 2\)\.$/)});
		// Its facts, which front ends show: the retry, the wait our backoff chose, the cause without the server.
		const facts = {retry: 1, maxRetries: 2, waitMs: expect.any(Number), cause: expect.stringMatching(cause)};
		expect(events[restart - 1]).toMatchObject({retry: facts});
		expect(of(events, 'llm.done').map((event) => event.text)).toEqual([RETRIED.text]);

		// The trajectory log and its replay: the retried reply.
		expect(log!.iterations[0]!.response).toBe(RETRIED.text);
		expect(log!.iterations[0]!.rlm_tui?.notices).toEqual([expect.objectContaining({code: 'stream_retried', message: expect.stringMatching(/^The reply so far is withdrawn: /), retry: facts})]);
		expect(replies(reduceAll(logToEvents(log!))).map((reply) => reply.text)).toEqual([RETRIED.text]);
		// Read back, the notice has its facts again.
		expect(of(logToEvents(log!), 'notice')).toEqual([expect.objectContaining({code: 'stream_retried', retry: (events[restart - 1] as {retry?: unknown}).retry})]);
		// A log is outside data: facts in another shape are left out, the notice kept.
		const edited = structuredClone(log!);
		(edited.iterations[0]!.rlm_tui!.notices![0] as {retry?: unknown}).retry = {retry: 'one', maxRetries: 2, cause: 7};
		const [readBack] = of(logToEvents(edited), 'notice');
		expect(readBack).toMatchObject({code: 'stream_retried'});
		expect(readBack).not.toHaveProperty('retry');

		// The TUI: the partial showed while it streamed, is gone once withdrawn, and the row shows the retried reply.
		expect(replies(tuiTree(events.slice(0, restart))).map((reply) => reply.text)).toEqual([PARTIAL]);
		expect(replies(tuiTree(events.slice(0, restart + 1))).map((reply) => reply.text)).toEqual(['']);
		const [shown] = replies(tuiTree(events));
		expect(shown.text).toBe(RETRIED.text);
		expect(JSON.stringify(describeNode(shown))).not.toContain('print(1)');
	});
});

describe.each(['openai', 'anthropic'] as const)('a sub-call whose reply fails after its answer began (%s)', (api) => {
	it('is retried; the slot gets the retried response alone, and the TUI withdraws the partial', async () => {
		let tries = 0;
		const {result, events} = await runScripted(server, logDir, api, {
			root: () => repl('llm_output(llm_query("tell me"))'),
			sub: () => (tries++ === 0 ? {text: 'A partial sub answer', chunkSize: 4, streamError: {afterChars: 9, message: 'Overloaded'}} : {text: 'The whole sub answer'}),
		});
		expect(result).toMatchObject({status: 'answered', response: 'The whole sub answer'});
		const restart = events.findIndex((event) => event.type === 'call.restart');
		expect(restart).toBeGreaterThan(0);
		expect(calls(tuiTree(events.slice(0, restart))).map((call) => call.response)).toEqual(['A partial']);
		expect(calls(tuiTree(events)).map((call) => call.response)).toEqual(['The whole sub answer']);
		expect(of(events, 'call.done').map((event) => event.response)).toEqual(['The whole sub answer']);
	});
});

describe('the retries are spent', () => {
	it('an overloaded_error after answer text on every try fails the run with the server’s words after the retries', async () => {
		const {result, events, roots} = await runScripted(server, logDir, 'anthropic', {
			root: () => failing({streamError: {afterChars: 16, message: 'Overloaded', type: 'overloaded_error'}}),
		});
		expect(result.status).toBe('failed');
		expect(result.error).toMatch(/Overloaded/);
		expect(roots).toHaveLength(3);
		expect(of(events, 'llm.restart')).toHaveLength(2);
	});
});
