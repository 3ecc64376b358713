// Trajectories: run -> JSONL -> replay gives the same tree; a killed run leaves readable lines;
// the original RLM's files open; --resume brings variables back without model calls.
import {parseLogFileName} from '../../source/trajectory/log-names.js';
import {spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent} from '../../source/protocol/events.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {blockNotes} from '../../source/trajectory/resume.js';
import {lastSessionFiles, parseTrajectoryLog, readTrajectoryLog} from '../../source/trajectory/read-log.js';
import {reduceAll, toNested, type NestedNode} from '../../source/trajectory/tree.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted, subRequests} from '../support/rlm-script.js';
import {cleanEnv, cliPath, runCli} from '../support/run-cli.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['m']});
});
afterAll(async () => {
	await server?.close();
});

const newDir = () => mkdtempSync(join(tmpdir(), 'rlm-logs-'));

function makeRlm(logDir: string, maxDepth = 1) {
	const rlm = new Rlm({model: 'm', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', maxIterations: 5, maxDepth, logDir});
	const events: RlmEvent[] = [];
	rlm.on('event', (event) => events.push(event));
	return {rlm, events};
}

/** `body(rlm)`, then `rlm` disposed, whatever `body` did. */
async function thenDispose(rlm: Rlm, body: (rlm: Rlm) => Promise<void>): Promise<void> {
	try {
		await body(rlm);
	} finally {
		await rlm.dispose();
	}
}

/** The session's last turns back in `rlm`; the test fails when they are not. */
async function resumeOrFail(rlm: Rlm, ...args: Parameters<Rlm['resumeLast']>) {
	const resumed = await rlm.resumeLast(...args);
	if (resumed.status !== 'resumed') throw new Error(`not resumed: ${resumed.status}`);
	return resumed;
}

/** What a tree says, without times and ids: kinds, text, code, output, prompts, answers. */
function shape(nodes: NestedNode[]): unknown[] {
	return nodes.map((node) => {
		const n = node as NestedNode & Record<string, unknown>;
		const keep: Record<string, unknown> = {kind: n.kind, status: n.status};
		for (const key of ['model', 'question', 'iteration', 'text', 'code', 'ok', 'final', 'stdout', 'stderr', 'fn', 'index', 'prompt', 'response', 'answer', 'runStatus', 'depth', 'batchSize', 'answerRefused'])
			if (n[key] !== undefined && !(n.kind === 'reply' && key === 'model')) keep[key] = n[key];
		keep.children = shape(node.children);
		return keep;
	});
}

describe('JSONL trajectories', () => {
	it('round trips: run -> log -> replay shows the same tree, nested children included', async () => {
		const dir = newDir();
		server.setResponder(
			scripted({
				root: ({turn, request}) => {
					if (request.messages[1]!.content.includes('child job')) return repl('llm_output("child:" + llm_query("leaf"))');
					return turn === 0
						? repl('print("looking")\nparts = llm_query_batched(["a", "b"])\nprint(parts)\nllm_output("")')
						: repl('r = rlm_query("child job")\nllm_output(r + "|" + ",".join(parts))');
				},
				sub: (prompt) => ({text: `S(${prompt})`}),
			}),
		);
		const {rlm, events} = makeRlm(dir, 2);
		try {
			const result = await rlm.completion('round trip', {context: 'ctx'});
			expect(result.response).toBe('child:S(leaf)|S(a),S(b)');
			expect(rlm.logFiles).toHaveLength(1);
			const log = readTrajectoryLog(rlm.logFiles[0]!);
			expect(log.skippedLines).toBe(0);
			expect(log.metadata).toMatchObject({type: 'metadata', root_model: 'm', max_depth: 2, backend: 'openai', environment_type: 'pyodide-sandbox'});
			expect(log.iterations.map((i) => i.iteration)).toEqual([1, 2]);
			const second = log.iterations[1]!;
			expect(second.final_answer).toBe('child:S(leaf)|S(a),S(b)');
			expect(second.prompt.at(-1)!.content).toContain('looking');
			const childCall = second.code_blocks[0]!.result.rlm_calls[0]!;
			expect(childCall.metadata?.iterations[0]!.code_blocks[0]!.result.rlm_calls[0]!.response).toBe('S(leaf)');
			const live = shape(toNested(reduceAll(events)));
			// The batch's size and the refused empty answer are part of what the replay must show.
			expect(JSON.stringify(live)).toContain('"batchSize":2');
			expect(JSON.stringify(live)).toContain('"answerRefused":"empty"');
			const replayed = shape(toNested(reduceAll(logToEvents(log))));
			expect(replayed).toEqual(live);
		} finally {
			await rlm.dispose();
		}
	});

	it('writes C1 controls and bidi overrides escaped: the raw line drives no terminal, the parsed line is unchanged', async () => {
		const dir = newDir();
		const answer = 'a\u009b31mb\u202ec\u2066d\u0085e';
		server.setResponder(scripted({root: () => ({text: `FINAL(${answer})`})}));
		const {rlm} = makeRlm(dir);
		try {
			const result = await rlm.completion('say it', {context: 'ctx'});
			expect(result.response).toBe(answer);
			const raw = readFileSync(rlm.logFiles[0]!, 'utf8');
			expect(raw).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/u);
			expect(raw).toContain('\\u009b31mb\\u202ec');
			const log = readTrajectoryLog(rlm.logFiles[0]!);
			expect(log.skippedLines).toBe(0);
			expect(log.iterations.at(-1)!.final_answer).toBe(answer);
		} finally {
			await rlm.dispose();
		}
	});

	/** Runs the CLI until two iterations are logged and the third reply hangs, then signals it. */
	async function stopAfterTwo(signal: NodeJS.Signals): Promise<string> {
		const dir = newDir();
		let calls = 0;
		server.setResponder(
			scripted({
				root: () => {
					calls++;
					return calls <= 2 ? repl(`step_${calls} = ${calls}\nprint("step ${calls}")`) : {hang: true};
				},
			}),
		);
		const child = spawn(process.execPath, [cliPath, '-u', server.openaiBaseURL, '-m', 'm', '--log-dir', dir, '-p', 'work slowly'], {env: cleanEnv(), stdio: 'ignore'});
		const exited = new Promise((resolve) => child.on('exit', resolve));
		const logFile = () => readdirSync(dir).find((name) => name.endsWith('.jsonl'));
		await expect.poll(() => logFile() && readFileSync(join(dir, logFile()!), 'utf8').split('\n').filter(Boolean).length, {timeout: 30_000}).toBe(3);
		child.kill(signal);
		await exited;
		return join(dir, logFile()!);
	}

	it('leaves every finished iteration readable when the process is killed mid-run, and a replay says the run did not finish', async () => {
		const file = await stopAfterTwo('SIGKILL');
		const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
		const parsed = lines.map((line) => JSON.parse(line));
		expect(parsed.map((line) => line.type)).toEqual(['metadata', 'iteration', 'iteration']);
		expect(parsed[2].code_blocks[0].result.stdout).toBe('step 2\n');
		// No one cancelled it: the log ends without the run's end.
		const replay = await runCli(['--replay', file]);
		expect(replay.code).toBe(0);
		expect(replay.stdout).toContain("✗ The log ends without the run's end, after iteration 2: its process was killed or crashed, or it is still running.");
		// Its third iteration had begun (the second's line is written when it starts).
		expect(replay.stdout).toMatch(/■ unfinished after 3 iteration\(s\)/);
		expect(replay.stdout).not.toContain('cancelled');
		const json = JSON.parse((await runCli(['--replay', file, '--json'])).stdout);
		expect(json.runs[0]).toMatchObject({runStatus: 'unfinished', status: 'error', error: expect.stringContaining('killed or crashed')});
	});

	it('a run the user stopped (Ctrl+C) replays as cancelled, not unfinished', async () => {
		const file = await stopAfterTwo('SIGINT');
		const replay = await runCli(['--replay', file]);
		expect(replay.stdout).toMatch(/■ cancelled after 3 iteration\(s\)/);
		expect(replay.stdout).not.toMatch(/unfinished|killed or crashed/);
	});

	it("opens a log written in the original RLM's schema", () => {
		const lines = [
			{type: 'metadata', timestamp: '2026-01-31T11:05:04.339193', root_model: 'gpt-5', max_depth: 1, max_iterations: 10, backend: 'openai', backend_kwargs: {model_name: 'gpt-5'}, environment_type: 'local', environment_kwargs: {}, other_backends: null},
			{
				type: 'iteration',
				iteration: 1,
				timestamp: '2026-01-31T11:05:10.000000',
				prompt: [{role: 'system', content: 'sys'}, {role: 'user', content: 'Your context is a str of 50 total characters.'}],
				response: '```repl\nprint(context[:10])\n```',
				code_blocks: [{code: 'print(context[:10])', result: {stdout: 'hello worl\n', stderr: '', locals: {context: 'hello world'}, execution_time: 0.01, rlm_calls: []}}],
				final_answer: null,
				iteration_time: 2.5,
			},
			{
				type: 'iteration',
				iteration: 2,
				timestamp: '2026-01-31T11:05:14.000000',
				prompt: [{role: 'user', content: 'more'}],
				response: '```repl\nx = llm_query("summarize hello")\n```\nFINAL_VAR(x)',
				code_blocks: [
					{
						code: 'x = llm_query("summarize hello")',
						result: {stdout: '', stderr: '', locals: {}, execution_time: 1.2, rlm_calls: [{root_model: 'gpt-5-mini', prompt: 'summarize hello', response: 'A greeting.', usage_summary: {}, execution_time: 1.1}]},
					},
				],
				final_answer: ['FINAL_VAR', 'A greeting.'],
				iteration_time: 3.0,
			},
		];
		const log = parseTrajectoryLog(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n{"type":"iteration","iter`);
		expect(log.skippedLines).toBe(1);
		const [run] = toNested(reduceAll(logToEvents(log))) as Array<NestedNode & Record<string, unknown>>;
		expect(run).toMatchObject({kind: 'run', model: 'gpt-5', answer: 'A greeting.', runStatus: 'answered'});
		const iterations = run.children.filter((node) => node.kind === 'iteration');
		expect(iterations).toHaveLength(2);
		const code = iterations[1]!.children.find((node) => node.kind === 'code') as NestedNode & {children: NestedNode[]};
		expect(code.children.find((node) => node.kind === 'call')).toMatchObject({model: 'gpt-5-mini', prompt: 'summarize hello', response: 'A greeting.'});
	});

	it('resumes a session: history back, variables rebuilt from recorded sub-call answers', async () => {
		const dir = newDir();
		server.setResponder(
			scripted({
				root: ({request}) =>
					request.messages[1]!.content.includes('remember')
						? repl('memo = llm_query("make a memo")\ncount = len(memo)\nllm_output("noted")')
						: repl('llm_output(f"{memo}/{count}/{len(history)}/{context}")'),
				sub: () => ({text: 'RECORDED-MEMO'}),
			}),
		);
		await thenDispose(makeRlm(dir).rlm, async (first) => expect((await first.completion('remember this')).response).toBe('noted'));
		const files = lastSessionFiles(dir, ['library']);
		expect(files).toHaveLength(1);
		server.requests.length = 0;
		await thenDispose(makeRlm(dir).rlm, async (second) => {
			const heard: Array<{turns: number; replacing: boolean}> = [];
			const resumed = await resumeOrFail(second, ({turns, replacing}) => heard.push({turns: turns.length, replacing}));
			expect(heard).toEqual([{turns: 1, replacing: false}]);
			expect(resumed.turns.map((turn) => turn.question)).toEqual(['remember this']);
			const {summary} = resumed;
			expect(summary).toMatchObject({turns: 1, blocks: 1, failedBlocks: 0, missingContexts: 0});
			expect(summary.variables.map((v) => v.name)).toEqual(expect.arrayContaining(['memo', 'count']));
			expect(server.requests).toHaveLength(0);
			expect(second.history).toEqual([{question: 'remember this', answer: 'noted'}]);
			const answer = await second.completion('what was it?');
			// The new question is its own context again (the resumed turn's question is not).
			expect(answer.response).toBe('RECORDED-MEMO/13/1/what was it?');
			expect(subRequests(server.requests)).toHaveLength(0);
			// Later turns log into the resumed session, so the next --resume finds all of it.
			expect(second.logFiles.map((file) => parseLogFileName(file)?.sessionId)).toEqual([parseLogFileName(files[0]!)!.sessionId]);
		});
	});

	it('resumes a block that raised: what it set before raising is back, its error is expected', async () => {
		const dir = newDir();
		server.setResponder(
			scripted({
				root: ({request, turn}) =>
					request.messages[1]!.content.includes('remember')
						? turn === 0
							? repl('memo = llm_query("make a memo")\na = 5\nprint("a set")\n1/0')
							: repl('llm_output("noted")')
						: repl('llm_output(f"{a}/{memo}")'),
				sub: () => ({text: 'RECORDED-MEMO'}),
			}),
		);
		await thenDispose(makeRlm(dir).rlm, async (first) => expect((await first.completion('remember this')).response).toBe('noted'));
		server.requests.length = 0;
		await thenDispose(makeRlm(dir).rlm, async (second) => {
			const {summary} = await resumeOrFail(second);
			expect(summary).toMatchObject({turns: 1, blocks: 2, failedBlocks: 0, skippedBlocks: [], changedErrors: []});
			expect(summary.variables.map((v) => v.name)).toEqual(expect.arrayContaining(['memo', 'a']));
			expect(blockNotes(summary)).toEqual([]);
			expect((await second.completion('what was it?')).response).toBe('5/RECORDED-MEMO');
			expect(subRequests(server.requests)).toHaveLength(0);
		});

		// A re-run that raises another error than the logged one is said, in one line.
		const file = join(dir, readdirSync(dir).sort()[0]!);
		writeFileSync(file, readFileSync(file, 'utf8').replaceAll('ZeroDivisionError: division by zero', 'ValueError: logged before'));
		await thenDispose(makeRlm(dir).rlm, async (third) => {
			const resumed = await resumeOrFail(third);
			expect(resumed.summary.changedErrors).toEqual([{logged: 'ValueError: logged before', now: 'ZeroDivisionError: division by zero'}]);
			expect(blockNotes(resumed.summary)).toEqual(['1 re-run block(s) raised another error than logged (was "ValueError: logged before", now "ZeroDivisionError: division by zero")']);
		});
	});

	it('does not re-run a block its timeout stopped, and says so', async () => {
		const dir = newDir();
		server.setResponder(
			scripted({
				root: ({turn}) => (turn === 0 ? repl('kept = 1') : turn === 1 ? repl('spun = 1\nwhile True:\n    pass') : repl('llm_output("gave up")')),
			}),
		);
		const first = new Rlm({model: 'm', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', maxIterations: 5, logDir: dir, timeoutSeconds: 2});
		await thenDispose(first, async () => expect((await first.completion('spin')).response).toBe('gave up'));
		// A re-run of the spinning block would hold this resume for its whole default timeout (30 s).
		await thenDispose(makeRlm(dir).rlm, async (second) => {
			const {summary} = await resumeOrFail(second);
			expect(summary).toMatchObject({turns: 1, blocks: 2, failedBlocks: 0, changedErrors: []});
			expect(summary.skippedBlocks).toEqual([{code: 'spun = 1\nwhile True:\n    pass', limit: 'timeout'}]);
			expect(summary.variables.map((v) => v.name)).toContain('kept');
			expect(summary.variables.map((v) => v.name)).not.toContain('spun');
			expect(blockNotes(summary)).toEqual([
				'1 block(s) were not re-run (1 timed out): re-running could hang or fail the same way, so the variables they set before they stopped are missing',
			]);
		});
	});
});

describe('a log of ours from before failed calls were logged as such', () => {
	it('replays a run that failed on its model call with the call failed, not a good reply', () => {
		const lines = [
			{type: 'metadata', timestamp: '2026-12-02T00:03:09.609Z', root_model: 'm', max_depth: 1, max_iterations: 30, backend: 'openai', backend_kwargs: {}, environment_type: 'pyodide-sandbox', environment_kwargs: {}, other_backends: null, rlm_tui: {version: 1, session_id: 's', origin: 'headless', run_id: 'run_1', turn: 1, question: 'hi', context: {type: 'str', chars: 2}}},
			{type: 'iteration', iteration: 1, timestamp: '2026-12-02T00:03:09.973Z', prompt: [], response: '', code_blocks: [], final_answer: null, iteration_time: 0.04, rlm_tui: {usage: {inputTokens: 0, outputTokens: 0}, run_status: 'failed', answer: '', error: 'Rate limited (429): Rate limit reached for requests.', error_code: 'rate_limited'}},
		];
		const [run] = toNested(reduceAll(logToEvents(parseTrajectoryLog(lines.map((line) => JSON.stringify(line)).join('\n')))));
		const reply = run.children[0]!.children[0]!;
		expect(reply).toMatchObject({kind: 'reply', status: 'error', error: 'Rate limited (429): Rate limit reached for requests.', errorCode: 'rate_limited'});
	});

	it('keeps an empty reply that failed the run a reply (its run says why)', () => {
		const lines = [
			{type: 'metadata', timestamp: '2026-12-02T00:03:09.609Z', root_model: 'm', max_depth: 1, max_iterations: 30, backend: 'openai', backend_kwargs: {}, environment_type: 'pyodide-sandbox', environment_kwargs: {}, other_backends: null, rlm_tui: {version: 1, session_id: 's', origin: 'headless', run_id: 'run_1', turn: 1, question: 'hi', context: {type: 'str', chars: 2}}},
			{type: 'iteration', iteration: 1, timestamp: '2026-12-02T00:03:09.973Z', prompt: [], response: '', code_blocks: [], final_answer: null, iteration_time: 0.04, rlm_tui: {usage: {inputTokens: 5, outputTokens: 0}, run_status: 'failed', answer: '', error: 'The replies came back empty.', error_code: 'empty_reply'}},
		];
		const [run] = toNested(reduceAll(logToEvents(parseTrajectoryLog(lines.map((line) => JSON.stringify(line)).join('\n')))));
		expect(run.children[0]!.children[0]).toMatchObject({kind: 'reply', status: 'done'});
	});
});
