// A failed sub-call reports {code, message} as a failed run does: on call.done, in the tree, in the
// JSONL log and back from a replay. Python still gets "Error: " and the message in its slot. A log
// written before codes were kept replays with the message alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent, RlmEventOf} from '../../source/protocol/events.js';
import type {RlmOptions} from '../../source/engine/types.js';
import {findCall, reduceAll, toNested} from '../../source/trajectory/tree.js';
import {parseTrajectoryLog} from '../../source/trajectory/read-log.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {fakeRepls, type FakeReplScript} from '../support/fake-repl.js';
import {repl, scripted, type Script} from '../support/rlm-script.js';

let server: FakeLlmServer;
let logDir: string;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model', 'sub-model']});
	logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-call-errors-'));
});
afterAll(async () => {
	await server?.close();
	fs.rmSync(logDir, {recursive: true, force: true});
});

const of = <T extends RlmEvent['type']>(events: RlmEvent[], type: T) => events.filter((e): e is RlmEventOf<T> => e.type === type);

async function run(script: Script, blocks: FakeReplScript, options: Partial<RlmOptions> = {}) {
	server.setResponder(scripted(script));
	const dir = fs.mkdtempSync(path.join(logDir, 'run-'));
	const rlm = new Rlm({model: 'root-model', subModel: 'sub-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', maxIterations: 3, logDir: dir, replFactory: fakeRepls(blocks), ...options});
	const events: RlmEvent[] = [];
	rlm.on('event', (event) => events.push(event));
	try {
		const result = await rlm.completion('q');
		const file = fs.readdirSync(dir).find((name) => name.endsWith('.jsonl'))!;
		return {result, events, logText: fs.readFileSync(path.join(dir, file), 'utf8')};
	} finally {
		await rlm.dispose();
	}
}

const ask = {blocks: {ask: async ({llm_query, llm_output}) => llm_output(await llm_query('q'))}} satisfies FakeReplScript;

describe('a failed sub-call', () => {
	it('carries its code from the server’s refusal to the event, the tree, --json’s session, the log and a replay', async () => {
		const {result, events, logText} = await run({root: () => repl('ask'), sub: () => ({status: 401, message: 'invalid api key'})}, ask);
		const done = of(events, 'call.done')[0]!;
		expect(done.errorCode).toBe('auth');
		expect(done.error).toMatch(/^Authentication failed at .* \(401\): invalid api key\.$/);
		// Python got the message behind "Error: ", without the server's address, and it answered with it.
		expect(done.response).toBe(`Error: ${done.error!.replace(/at \S+ \(401\)/, 'at the upstream server (401)')}`);
		expect(result.response).toBe(done.response);

		const tree = reduceAll(events);
		expect(findCall(tree, done.callId)).toMatchObject({status: 'error', error: done.error, errorCode: 'auth'});
		expect(JSON.stringify(toNested(tree))).toContain('"errorCode":"auth"');

		const logged = logText.split('\n').filter(Boolean).map((line) => JSON.parse(line) as {type: string; code_blocks?: Array<{result: {rlm_calls: Array<{rlm_tui: Record<string, unknown>}>}}>});
		const call = logged.find((line) => line.type === 'iteration')!.code_blocks![0]!.result.rlm_calls[0]!;
		expect(call.rlm_tui).toMatchObject({error: done.error, error_code: 'auth'});

		const replayed = of(logToEvents(parseTrajectoryLog(logText)), 'call.done')[0]!;
		expect(replayed).toMatchObject({error: done.error, errorCode: 'auth'});
	});

	it('from a log written before codes were kept (or with an unknown one), replays with its message alone', async () => {
		const {events, logText} = await run({root: () => repl('ask'), sub: () => ({status: 429, message: 'slow down'})}, ask);
		expect(of(events, 'call.done')[0]!.errorCode).toBe('rate_limited');
		for (const old of [logText.replace(/,"error_code":"rate_limited"/g, ''), logText.replace(/"error_code":"rate_limited"/g, '"error_code":"made_up"')]) {
			expect(old).not.toContain('"error_code":"rate_limited"');
			const replay = logToEvents(parseTrajectoryLog(old));
			const replayed = of(replay, 'call.done')[0]!;
			expect(replayed.error).toMatch(/Rate limited .* slow down/);
			expect(replayed).not.toHaveProperty('errorCode');
			expect(findCall(reduceAll(replay), replayed.callId)).toMatchObject({status: 'error', error: replayed.error});
			expect(findCall(reduceAll(replay), replayed.callId)).not.toHaveProperty('errorCode');
		}
	});

	it('a child RLM that failed gives its own run’s code to the call that started it; the child’s error is logged', async () => {
		const {events, logText} = await run(
			{root: ({request}) => (request.messages[1]!.content.includes('child task') ? {status: 404, message: 'no such model'} : repl('delegate'))},
			{blocks: {delegate: async ({rlm_query, llm_output}) => llm_output(await rlm_query('child task'))}},
			{maxDepth: 2},
		);
		const childDone = of(events, 'run.done').find((e) => e.status === 'failed')!;
		expect(childDone.errorCode).toBe('not_found');
		const done = of(events, 'call.done')[0]!;
		expect(done).toMatchObject({errorCode: 'not_found', error: `the child RLM failed: ${childDone.error}`});
		const replayed = logToEvents(parseTrajectoryLog(logText));
		expect(of(replayed, 'call.done')[0]).toMatchObject({errorCode: 'not_found'});
		expect(of(replayed, 'run.done').find((e) => e.status === 'failed')).toMatchObject({error: childDone.error, errorCode: 'not_found'});
	});

	it('refused before it was sent says why by its code: a prompt too large, a limit reached', async () => {
		const {events} = await run(
			{root: () => repl('two')},
			{
				blocks: {
					two: async ({llm_query_batched, llm_query, llm_output}) => {
						const [big] = await llm_query_batched(['x'.repeat(60_000), 'fine']);
						llm_output(`${big} | ${await llm_query('y'.repeat(40_000))}`);
					},
				},
			},
			{maxPromptBytes: 50_000, maxTokens: 5000},
		);
		const done = of(events, 'call.done');
		expect(done.map((e) => e.errorCode ?? 'ok').sort()).toEqual(['limit_reached', 'ok', 'prompt_too_large']);
		expect(done.find((e) => e.errorCode === 'prompt_too_large')!.error).toMatch(/^this prompt is 60,000 bytes, over the 50,000-byte limit/);
		expect(done.find((e) => e.errorCode === 'limit_reached')!.error).toMatch(/limit of 5,000 tokens/);
	});
});
