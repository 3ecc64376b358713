// --resume of a session whose REPL restarted: the re-run leaves the variables the live run had,
// not those the restart wiped.
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {RESTARTED_BEFORE_BLOCK} from '../../source/protocol/repl.js';
import {restartNotice, type RestartCause} from '../../source/sandbox/notices.js';
import {parseTrajectoryLog} from '../../source/trajectory/read-log.js';
import {resumeTurns, type ResumeTurn} from '../../source/trajectory/resume.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {fakeRepls} from '../support/fake-repl.js';
import {repl, scripted} from '../support/rlm-script.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['m']});
});
afterAll(async () => {
	await server?.close();
});

const makeRlm = (logDir: string) => new Rlm({model: 'm', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', maxIterations: 5, maxDepth: 1, logDir});

/** Which of the session's variables the REPL holds, as the answer. */
const present = 'llm_output(",".join(name for name in ("early", "mid", "doomed", "late") if name in globals()) or "none")';

describe('--resume after a REPL restart', () => {
	it('blocks before a block that restarted the REPL, and that block, leave nothing behind', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'rlm-logs-'));
		server.setResponder(
			scripted({
				root: ({turn, request}) => {
					const question = request.messages[1]!.content;
					if (question.includes('first')) return repl('early = 1\nllm_output("one")');
					if (question.includes('second')) {
						// A block breaking the sandbox's protocol: the host is replaced after it.
						if (turn === 0) return repl('mid = 2');
						if (turn === 1) return repl('doomed = 3\nimport _rlm\n_rlm._st.final = 42');
						return repl(`late = 4\n${present}`);
					}
					return repl(present);
				},
			}),
		);
		const live = makeRlm(dir);
		let liveAnswer: string;
		try {
			const first = await live.completion('first');
			expect(first.error ?? first.response).toBe('one');
			const second = await live.completion('second');
			expect(second.iterations[1]!.codeBlocks[0]!.result.error).toMatch(/REPL was restarted/);
			liveAnswer = second.response;
			expect(liveAnswer).toBe('late');
		} finally {
			await live.dispose();
		}

		const resumed = makeRlm(dir);
		try {
			const outcome = await resumed.resumeLast();
			if (outcome.status !== 'resumed') throw new Error(`not resumed: ${outcome.status}`);
			expect(outcome.summary.variables.map((variable) => variable.name)).toEqual(['late']);
			expect((await resumed.completion('which are there?')).response).toBe(liveAnswer);
		} finally {
			await resumed.dispose();
		}
	});

	it('a restart before a block (the host had stopped) keeps that block; one after it drops it; either drops what came before', () => {
		const stopped = restartNotice({kind: 'stopped', reason: 'killed by SIGKILL'});
		const memory = restartNotice({kind: 'memory', ceilingBytes: 256 * 1024 * 1024, heapBytes: 300 * 1024 * 1024});
		const block = (code: string, rlm_tui: {ok: boolean; restarted?: boolean; error?: string; limit?: string}) => ({
			code,
			result: {stdout: '', stderr: '', locals: {}, execution_time: 0.1, rlm_calls: [], final_answer: null, rlm_tui: {truncated_chars: 0, restarted: false, ...rlm_tui}},
		});
		const log = (question: string, blocks: Array<ReturnType<typeof block>>) =>
			parseTrajectoryLog(
				[
					{type: 'metadata', timestamp: '2026-12-01T00:00:00', root_model: 'm', max_depth: 1, max_iterations: 5, backend: 'openai', backend_kwargs: {}, environment_type: 'local', environment_kwargs: {}, other_backends: null, rlm_tui: {question, context_is_prompt: true}},
					{type: 'iteration', iteration: 1, timestamp: '2026-12-01T00:00:01', prompt: [], response: '', code_blocks: blocks, final_answer: 'done', iteration_time: 1},
				]
					.map((line) => JSON.stringify(line))
					.join('\n'),
			);
		const codes = (logs: Parameters<typeof resumeTurns>[0]) => resumeTurns(logs).map((turn) => turn.blocks.map((b) => b.code));
		const before = [log('one', [block('a = 1', {ok: true})]), log('two', [block('b = 2', {ok: true}), block('c = 3', {ok: true, restarted: true, error: stopped}), block('d = 4', {ok: true})])];
		expect(codes(before)).toEqual([[], ['c = 3', 'd = 4']]);
		// The heap found past its ceiling once the block was done: a successful block, wiped after it ran.
		const after = [log('one', [block('a = 1', {ok: true}), block('big = 1', {ok: true, restarted: true, error: memory}), block('e = 5', {ok: true})]), log('two', [block('f = 6', {ok: true})])];
		expect(codes(after)).toEqual([['e = 5'], ['f = 6']]);
		// A block a limit stopped without a restart is skipped and named; a later restart wipes that too.
		const skipped = (logs: Parameters<typeof resumeTurns>[0]) => resumeTurns(logs).map((turn) => turn.skippedBlocks.map((b) => b.code));
		const interrupted = block('slow()', {ok: false, limit: 'cancelled', error: 'KeyboardInterrupt'});
		expect(skipped([log('one', [block('a = 1', {ok: true}), interrupted])])).toEqual([['slow()']]);
		expect(skipped([log('one', [interrupted]), log('two', [block('big = 1', {ok: true, restarted: true, error: memory}), block('h = 8', {ok: true})])])).toEqual([[], []]);
		// No restart: every block, one that raised too (what it set before raising stayed in the live REPL).
		expect(codes([log('one', [block('a = 1', {ok: true}), block('oops', {ok: false, error: 'NameError'}), block('g = 7', {ok: true})])])).toEqual([['a = 1', 'oops', 'g = 7']]);
	});

	it('the sandbox\'s notices say "before this block ran" for the stopped host only', () => {
		const causes: RestartCause[] = [
			{kind: 'timeout', timeoutMs: 1000},
			{kind: 'cancelled'},
			{kind: 'crashed', reason: 'x'},
			{kind: 'protocol', problem: 'x'},
			{kind: 'memory', ceilingBytes: 1},
		];
		expect(restartNotice({kind: 'stopped', reason: 'x'})).toContain(RESTARTED_BEFORE_BLOCK);
		for (const cause of causes) expect(restartNotice(cause)).not.toContain(RESTARTED_BEFORE_BLOCK);
	});

	it('a turn whose context was too big to log, with nothing left to run, is not reported as unrestored', async () => {
		const rlm = new Rlm({model: 'm', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', logDir: false, replFactory: fakeRepls({blocks: {kept: ({vars}) => void (vars.kept = 1)}})});
		const turn = (blocks: ResumeTurn['blocks']): ResumeTurn => ({question: 'q', answer: 'a', contextSource: 'missing', contextInfo: {type: 'str', chars: 2_000_000}, blocks, skippedBlocks: []});
		try {
			expect((await rlm.resume([turn([])])).unrestoredContexts).toBe(0);
			expect((await rlm.resume([turn([{code: 'kept', responses: []}])])).unrestoredContexts).toBe(1);
		} finally {
			await rlm.dispose();
		}
	});
});
