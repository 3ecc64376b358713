// A run read back from its log (--replay, --resume) looks as it did live: its notices where they
// were given (on the run before its first iteration, above the reply while the model call ran,
// after the code block they came in), the model call's and the run's own times, and a run whose process was
// killed keeps its question and shows no made-up duration. The real engine and sandbox, the fake
// server over HTTP; the killed run is the built CLI, killed with SIGKILL.
import {spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent} from '../../source/protocol/events.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import type {TrajectoryLog} from '../../source/trajectory/read-log.js';
import {readTrajectoryLog} from '../../source/trajectory/read-log.js';
import {getNode, nodeCount, reduceAll, type RunNode, type TrajectoryNode, type TrajectoryState} from '../../source/trajectory/tree.js';
import {describeNode} from '../../source/ui/tree-rows.js';
import {detailLines} from '../../source/ui/detail.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {runScripted} from '../support/scripted-run.js';
import {cleanEnv, cliPath} from '../support/run-cli.js';

let server: FakeLlmServer;
let logDir: string;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
	logDir = mkdtempSync(join(tmpdir(), 'rlm-replay-as-live-'));
});
afterAll(async () => {
	await server?.close();
	rmSync(logDir, {recursive: true, force: true});
});

/** Every node of the tree, depth first, as `kind` (a notice: `notice code`), with its depth. */
function rows(state: TrajectoryState): string[] {
	const out: string[] = [];
	const walk = (id: number, depth: number) => {
		const node = getNode(state, id)!;
		out.push(`${'  '.repeat(depth)}${node.kind === 'notice' ? `notice ${node.code}` : node.kind}`);
		for (const child of node.children) walk(child, depth + 1);
	};
	for (const root of state.roots) walk(root, 0);
	return out;
}

/** Every node of a kind, in the order they were made. */
const nodesOf = <K extends TrajectoryNode['kind']>(state: TrajectoryState, kind: K) =>
	Array.from({length: nodeCount(state)}, (_, id) => getNode(state, id)!).filter((node): node is Extract<TrajectoryNode, {kind: K}> => node.kind === kind);

/** A run with a notice of each place: the model chosen and the sub-calls' model (on the run), a
 * retry after part of the reply streamed (while the call ran), an empty sub-call reply (in code
 * block 2, after block 1). */
async function noticedRun(): Promise<{events: RlmEvent[]; log: TrajectoryLog}> {
	let failed = false;
	const {result, events, log} = await runScripted(
		server,
		logDir,
		'openai',
		{
			root: ({turn}) => {
				if (turn > 0) return {text: 'FINAL(done)'};
				if (!failed) {
					failed = true;
					return {text: 'Looking at it now, then', streamError: {afterChars: 10, message: 'Overloaded'}};
				}
				return {text: `${repl('print("one")').text}\n\n${repl('r = llm_query("blank please")\nprint(r[:6])', '').text}`};
			},
			sub: () => ({text: ''}),
		},
		{model: '', subBaseURL: server.openaiBaseURL},
	);
	expect(result.status).toBe('answered');
	return {events, log: log!};
}

const expectedRows = [
	'run',
	'  notice model_chosen',
	'  iteration',
	'    notice stream_retried',
	'    reply',
	'    code',
	'      output',
	'    code',
	'      output',
	'      call',
	'    notice empty_reply',
	'  iteration',
	'    reply',
];

describe('a replayed run looks as it did live', () => {
	it('its notices: on the run before its first iteration, above the reply while the call ran, after the block they came in', async () => {
		const {events, log} = await noticedRun();
		const live = reduceAll(events);
		expect(rows(live)).toEqual(expectedRows);
		const replayed = reduceAll(logToEvents(log));
		expect(rows(replayed)).toEqual(rows(live));
		const messages = (state: TrajectoryState) => nodesOf(state, 'notice').map((notice) => notice.message);
		expect(messages(live).find((message) => message.includes('Sub-calls:'))).toBeDefined();
		expect(messages(replayed)).toEqual(messages(live));
		// The model call's own time, not the iteration's less its code (which holds the sandbox's start).
		expect(nodesOf(replayed, 'reply').map((reply) => Math.round(reply.ms!))).toEqual(nodesOf(live, 'reply').map((reply) => Math.round(reply.ms!)));
		// The run's own time, as it reported it (the log's timestamps start when the question was taken in).
		expect(nodesOf(replayed, 'run').map((run) => Math.round(run.ms!))).toEqual(nodesOf(live, 'run').map((run) => Math.round(run.ms!)));
	}, 60_000);

	it("a root prompt the server cut (Ollama's window): its warning above the reply, live and replayed", async () => {
		const ollama = await startFakeLlmServer({models: ['qwen2.5:7b'], flavor: 'ollama'});
		try {
			const rlm = new Rlm({model: 'qwen2.5:7b', backend: 'openai', baseURL: ollama.openaiBaseURL, apiKey: 'k', maxIterations: 4, logDir});
			const events: RlmEvent[] = [];
			rlm.on('event', (event) => events.push(event));
			// Every request is the root's: the cut drops the system prompt that tells a root request from a sub-call.
			ollama.setResponder(() => repl('llm_output("no code seen")'));
			try {
				// About 8,000 tokens: over Ollama's default window of 4,096, which it does not tell before the model is loaded.
				expect((await rlm.completion(`Find the code in this: ${'lorem ipsum dolor sit amet '.repeat(1200)}`, {context: 'the context'})).status).toBe('answered');
				const live = reduceAll(events);
				expect(rows(live).slice(0, 4)).toEqual(['run', '  iteration', '    notice prompt_truncated', '    reply']);
				expect(rows(reduceAll(logToEvents(readTrajectoryLog(rlm.logFiles[0]!))))).toEqual(rows(live));
			} finally {
				await rlm.dispose();
			}
		} finally {
			await ollama.close();
		}
	}, 60_000);

	it('a log written before notices were placed: those about the model call above the reply, the rest after it', async () => {
		const {log} = await noticedRun();
		const old = structuredClone(log);
		for (const iteration of old.iterations) {
			const extra = iteration.rlm_tui as Record<string, unknown> & {notices?: Array<Record<string, unknown>>};
			delete extra.run_notices;
			for (const notice of extra.notices ?? []) delete notice.after;
		}
		// Its run notices were not logged; the sub-call's notice came after the reply.
		expect(rows(reduceAll(logToEvents(old)))).toEqual([
			'run',
			'  iteration',
			'    notice stream_retried',
			'    reply',
			'    notice empty_reply',
			'    code',
			'      output',
			'    code',
			'      output',
			'      call',
			'  iteration',
			'    reply',
		]);
	}, 60_000);

	it('a run whose process was killed keeps its question and says unfinished, in the iteration it was in, with no made-up duration', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'rlm-killed-'));
		let calls = 0;
		server.setResponder(scripted({root: () => (++calls === 1 ? repl('print("step 1")') : {hang: true})}));
		const child = spawn(process.execPath, [cliPath, '-u', server.openaiBaseURL, '-m', 'root-model', '--log-dir', dir, '-p', 'what is in the box?'], {env: cleanEnv(), stdio: 'ignore'});
		const exited = new Promise((resolve) => child.on('exit', resolve));
		const logFile = () => readdirSync(dir).find((name) => name.endsWith('.jsonl'));
		// The first iteration's line is written when the second iteration starts (its call hangs).
		await expect.poll(() => logFile() && readFileSync(join(dir, logFile()!), 'utf8').split('\n').filter(Boolean).length, {timeout: 30_000}).toBe(2);
		child.kill('SIGKILL');
		await exited;
		const state = reduceAll(logToEvents(readTrajectoryLog(join(dir, logFile()!))));
		const run = getNode(state, state.roots[0]!) as RunNode;
		expect(run).toMatchObject({runStatus: 'unfinished', question: 'what is in the box?'});
		expect(run.ms).toBeUndefined();
		const row = describeNode(run);
		expect(row.preview).toBe('"what is in the box?"');
		expect(row.error).toBeUndefined();
		// It was killed in its second iteration (the first one's line is written when the second starts).
		expect(row.meta).toMatch(/^unfinished 2 it\b/);
		expect(row.meta).not.toMatch(/\d(ms|s)\b/);
		const [first, second] = run.children.map((id) => getNode(state, id)!);
		expect(first).toMatchObject({kind: 'iteration', iteration: 1, status: 'done'});
		expect(second).toMatchObject({kind: 'iteration', iteration: 2, status: 'error'});
		expect(second.ms).toBeUndefined();
		expect(describeNode(second).meta).toBe('');
		// Why it is unfinished is in the detail view.
		expect(detailLines(run, 120, state).join('\n')).toContain("The log ends without the run's end, after iteration 1");
		rmSync(dir, {recursive: true, force: true});
	}, 60_000);

	it('a run killed in its first iteration (no iteration line yet) comes back in that iteration', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'rlm-killed-first-'));
		server.setResponder(scripted({root: () => ({hang: true})}));
		const requests = server.requests.length;
		const child = spawn(process.execPath, [cliPath, '-u', server.openaiBaseURL, '-m', 'root-model', '--log-dir', dir, '-p', 'what is in the box?'], {env: cleanEnv(), stdio: 'ignore'});
		const exited = new Promise((resolve) => child.on('exit', resolve));
		// The first model call is under way (it hangs): the run has started, its iteration 1 too.
		await expect.poll(() => server.requests.length, {timeout: 30_000}).toBeGreaterThan(requests);
		child.kill('SIGKILL');
		await exited;
		const logFile = readdirSync(dir).find((name) => name.endsWith('.jsonl'))!;
		expect(readFileSync(join(dir, logFile), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
		const state = reduceAll(logToEvents(readTrajectoryLog(join(dir, logFile))));
		const run = getNode(state, state.roots[0]!) as RunNode;
		expect(run).toMatchObject({runStatus: 'unfinished', question: 'what is in the box?'});
		expect(describeNode(run).meta).toMatch(/^unfinished 1 it\b/);
		const iterations = run.children.map((id) => getNode(state, id)!).filter((node) => node.kind === 'iteration');
		expect(iterations).toHaveLength(1);
		expect(iterations[0]).toMatchObject({iteration: 1, status: 'error'});
		rmSync(dir, {recursive: true, force: true});
	}, 60_000);
});
