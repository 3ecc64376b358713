// Real reply shapes the engine must not misread, end to end: the real openai / anthropic SDKs against
// the fake server, the real sandbox. A stream the request timeout ended, replies of only invisible
// characters, replies a content filter stopped, replies the model refused, reasoning interleaved with
// the answer, and an error event after the model began thinking.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {RlmEvent} from '../../source/protocol/events.js';
import type {RlmOptions} from '../../source/engine/types.js';
import {CUT_REPLY_MARKER} from '../../source/engine/truncation.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {reduceAll, toNested} from '../../source/trajectory/tree.js';
import {apis, of, runScripted, type Api} from '../support/scripted-run.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, type Script} from '../support/rlm-script.js';

let server: FakeLlmServer;
let logDir: string;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model', 'sub-model']});
	logDir = mkdtempSync(join(tmpdir(), 'rlm-tui-shapes-'));
});
afterAll(async () => {
	await server?.close();
	rmSync(logDir, {recursive: true, force: true});
});

const run = (api: Api, script: Script, options: Partial<RlmOptions> = {}) => runScripted(server, logDir, api, script, options);
const notices = (events: RlmEvent[]) => of(events, 'notice').map((notice) => `${notice.code}: ${notice.message}`);

describe.each(apis)('the forced last reply, cut (%s)', (api) => {
	it('at the output-token limit: the answer is marked incomplete, a warning says why, and the result has answerCut', async () => {
		const {result, events} = await run(
			api,
			{root: ({turn}) => (turn === 0 ? {text: '```repl\nx = 1\n```'} : {text: 'The answer is the first half of', finishReason: 'length'})},
			{maxIterations: 1},
		);
		expect(result).toMatchObject({status: 'forced', answerCut: 'length'});
		expect(result.response).toBe(`The answer is the first half of\n\n${CUT_REPLY_MARKER}`);
		expect(notices(events)).toContainEqual(expect.stringMatching(/^reply_truncated: The final answer, asked for as the last reply, was cut off \(it reached the output-token limit\): it is incomplete/));
	});

	it('dropped mid-stream: marked with the connection that ended; a whole one is not marked', async () => {
		const dropped = await run(
			api,
			{root: ({turn}) => (turn === 0 ? {text: '```repl\nx = 1\n```'} : {text: 'Hello this is a long answer', drop: {afterChars: 15, how: 'reset'}})},
			{maxIterations: 1},
		);
		expect(dropped.result).toMatchObject({status: 'forced', answerCut: 'dropped'});
		expect(dropped.result.response).toMatch(/\n\n\[cut off: the connection to the server ended before this reply was finished; it is incomplete\]$/);
		const whole = await run(api, {root: ({turn}) => (turn === 0 ? {text: '```repl\nx = 1\n```'} : {text: 'The whole answer.'})}, {maxIterations: 1});
		expect(whole.result.response).toBe('The whole answer.');
		expect(whole.result.answerCut).toBeUndefined();
	});
});

describe.each(apis)('a stream the request timeout ended (%s)', (api) => {
	it('after text: the user is told it was the request timeout, with its seconds and the flag; the model is told it was cut', async () => {
		const {result, events, roots} = await run(
			api,
			{root: ({turn}) => (turn === 0 ? {text: 'Let me look first: I will', drop: {afterChars: 10, how: 'hang'}} : {text: 'FINAL(done)'})},
			{requestTimeoutMs: 1500},
		);
		expect(result.status).toBe('answered');
		const cut = of(events, 'notice').find((notice) => notice.code === 'reply_truncated');
		expect(cut?.message).toMatch(/sent nothing for 1\.5 s, the request timeout, so the request was ended \(not by the server\): raise --request-timeout/);
		expect(cut?.message).not.toMatch(/the server ended the stream/);
		expect(roots[1]!.messages.at(-1)!.content).toContain('the server sent nothing more for 1.5 s, so the request was ended');
		expect(of(events, 'llm.done')[0]).toMatchObject({text: 'Let me loo', finishReason: 'dropped'});
	});

	it('twice in a row after text: the run stops, naming the request timeout, rather than wait it out every turn left', async () => {
		const {result, events} = await run(
			api,
			{root: ({turn}) => (turn === 0 ? {text: 'Let me look first: I will', drop: {afterChars: 10, how: 'hang'}} : turn === 1 ? {text: '```repl\nx = 41\n```\nand then', drop: {afterChars: 24, how: 'hang'}} : {text: 'FINAL(never asked)'})},
			{requestTimeoutMs: 1000, maxIterations: 10},
		);
		expect(result.status).toBe('failed');
		expect(result.errorCode).toBe('timeout');
		expect(result.error).toMatch(/^The model's reply was cut off twice in a row: the server sent nothing for 1 s, the request timeout, .*raise --request-timeout/);
		expect(of(events, 'llm.start')).toHaveLength(2);
		// The second stalled reply's complete block still ran.
		expect(of(events, 'code.start').map((start) => start.code)).toEqual(['x = 41']);
	});

	it('once, then a whole reply: the count starts over', async () => {
		const {result} = await run(
			api,
			{
				root: ({turn}) =>
					turn === 0 || turn === 2 ? {text: 'Let me look first: I will', drop: {afterChars: 10, how: 'hang'}} : turn === 1 ? {text: '```repl\nx = 1\n```'} : {text: 'FINAL(done)'},
			},
			{requestTimeoutMs: 1000, maxIterations: 10},
		);
		expect(result).toMatchObject({status: 'answered', response: 'done'});
	});

	it('while thinking, before any answer text: retried as an error event there is, the thinking of both tries kept', async () => {
		let stalled = false;
		const {result, events} = await run(
			api,
			{
				root: () => {
					if (stalled) return {text: 'FINAL(42)', reasoning: 'Second thought'};
					stalled = true;
					return {text: 'never', reasoning: 'First thought', drop: {afterChars: 0, how: 'hang'}};
				},
			},
			{requestTimeoutMs: 1500},
		);
		expect(result).toMatchObject({status: 'answered', response: '42'});
		expect(notices(events)).toEqual([
			expect.stringMatching(/^stream_retried: .*sent nothing more for 1\.5 s after it began its reply: .* The model was still thinking \(its thinking so far is kept\)\. Retrying in \d\.\d s \(1 of 2\)\.$/),
		]);
		expect(of(events, 'llm.done')).toEqual([expect.objectContaining({text: 'FINAL(42)', reasoning: 'First thought\n\nSecond thought', finishReason: 'stop'})]);
	});

	it('while thinking, in a sub-call: retried, and its slot gets the answer; a stall every time fails the slot naming the request timeout', async () => {
		let stalls = 0;
		const {result} = await run(
			api,
			{
				root: ({turn}) => (turn === 0 ? repl('r = llm_query_batched(["think", "never"])\nllm_output(r[0] + " | " + r[1])') : {text: 'FINAL(x)'}),
				sub: (prompt) => {
					if (prompt === 'think' && stalls++ > 0) return {text: 'thought it through', reasoning: 'Again'};
					return {text: 'never', reasoning: 'Thinking hard about it', drop: {afterChars: 0, how: 'hang'}};
				},
			},
			{requestTimeoutMs: 1000},
		);
		expect(result.response).toMatch(/^thought it through \| Error: .* sent nothing more for 1 s after it began its reply: raise --request-timeout/);
	});

	it('before any text: retried within the retry budget (2 by default), and the run goes on', async () => {
		let stalls = 0;
		const {result, events} = await run(
			api,
			{
				root: () => {
					if (stalls === 0) {
						stalls++;
						return {text: 'never', drop: {afterChars: 0, how: 'hang'}};
					}
					return {text: 'FINAL(after the retry)'};
				},
			},
			{requestTimeoutMs: 1500},
		);
		expect(result).toMatchObject({status: 'answered', response: 'after the retry'});
		expect(notices(events)).toEqual([expect.stringMatching(/^stream_retried: .*sent nothing more for 1\.5 s after it began its reply: raise --request-timeout .* Retrying in \d\.\d s \(1 of 2\)\.$/)]);
	});
});

describe.each(apis)('invisible replies (%s)', (api) => {
	it('a reply of only zero-width characters is an empty reply, told as such, not a reply without code', async () => {
		const {result, events, roots} = await run(api, {root: ({turn}) => (turn === 0 ? {text: '\u200b\u200d\u2060'} : {text: 'FINAL(seen)'})});
		expect(result.response).toBe('seen');
		expect(of(events, 'notice').map((notice) => notice.code)).toEqual(['empty_reply']);
		expect(roots[1]!.messages.at(-1)!.content).toContain('Your reply reached me empty');
	});

	it('two of them in a row fail the run with one line, as two empty replies do', async () => {
		const {result} = await run(api, {root: () => ({text: '\u200b \ufeff'})});
		expect(result.status).toBe('failed');
		expect(result.error).toMatch(/replies were empty twice in a row/);
	});

	it('a prose FINAL of invisible characters, unquoted, is not taken: the model is told why', async () => {
		const {result, roots} = await run(api, {root: ({turn}) => (turn === 0 ? {text: 'Done.\n\nFINAL(\u200b\u200b)'} : {text: 'FINAL(the real one)'})});
		expect(result.response).toBe('the real one');
		expect(roots[1]!.messages.at(-1)!.content).toContain('Your final answer is empty, so it was not taken');
	});

	it('a prose FINAL beside code is not taken, and the model is told why: invisible, or written before the output', async () => {
		const {result, roots} = await run(api, {
			root: ({turn}) =>
				turn === 0
					? {text: '```repl\nprint(6 * 7)\n```\nFINAL(\u200b)'}
					: turn === 1
						? {text: '```repl\nprint("again")\n```\nFINAL(42)'}
						: repl('llm_output("42")'),
		});
		expect(result).toMatchObject({status: 'answered', response: '42'});
		const first = roots[1]!.messages.at(-1)!.content;
		expect(first).toContain('42');
		expect(first).toContain('Your final answer is empty, so it was not taken');
		const second = roots[2]!.messages.at(-1)!.content;
		expect(second).toContain('Your FINAL(...) was written beside code, before you saw its output, so it was not taken');
		expect(second).not.toContain('is empty');
	});

	it('out of turns, an invisible prose FINAL is not the answer: the best so far is', async () => {
		const {result} = await run(
			api,
			{root: ({lastUser}) => (/out of turns/.test(lastUser) ? {text: 'FINAL(\u200b)'} : repl('print("partial finding: 7")'))},
			{maxIterations: 1},
		);
		expect(result.status).toBe('forced');
		expect(result.response).toContain('partial finding: 7');
	});
});

describe.each(apis)('a reply the provider\'s content filter stopped (%s)', (api) => {
	it('is neither an empty nor a cut reply: the user and the model are told it was the filter, and the trajectory marks it', async () => {
		const {result, events, roots, log} = await run(api, {
			root: ({turn}) =>
				turn === 0
					? {text: '```repl\nprint("first ran")\n```\nThen:\n```repl\nprint("never ran")', finishReason: 'content_filter'}
					: repl('llm_output("done")'),
		});
		expect(result).toMatchObject({status: 'answered', response: 'done'});
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['print("first ran")', 'llm_output("done")']);
		expect(of(events, 'notice')).toEqual([
			expect.objectContaining({code: 'reply_filtered', message: expect.stringMatching(/^The reply of iteration 1 was stopped by the provider's content filter .* its unfinished code block did not run/)}),
		]);
		const told = roots[1]!.messages.at(-1)!.content;
		expect(told).toContain("Your previous reply was stopped by the provider's content filter");
		expect(told).not.toMatch(/output-token limit|connection|empty/);
		expect(result.iterations[0]!.finishReason).toBe('content_filter');
		expect(of(events, 'llm.done')[0]).toMatchObject({finishReason: 'content_filter'});
		expect(log!.iterations[0]!.rlm_tui).toMatchObject({finish_reason: 'content_filter'});
		const replayed = toNested(reduceAll(logToEvents(log!)))[0]!.children[0]!.children.find((node) => node.kind === 'reply');
		expect(replayed).toMatchObject({finishReason: 'content_filter'});
	});

	it('a prose FINAL in a filtered reply is not taken', async () => {
		const {result} = await run(api, {root: ({turn}) => (turn === 0 ? {text: 'FINAL(half an answer', finishReason: 'content_filter'} : {text: 'FINAL(whole)'})});
		expect(result.response).toBe('whole');
	});

	it('with nothing in it, it is not called empty; twice in a row, the run fails naming the filter', async () => {
		const {result, events, roots} = await run(api, {root: () => ({text: '', finishReason: 'content_filter'})});
		expect(result.status).toBe('failed');
		expect(result.error).toMatch(/content filter stopped the model's reply twice in a row/);
		expect(of(events, 'notice').map((notice) => notice.code)).toEqual(['reply_filtered', 'reply_filtered']);
		expect(roots[1]!.messages.at(-1)!.content).toContain("Your reply was stopped by the provider's content filter before any answer");
	});

	it("in a sub-call: the slot says so, with or without text, and the user is told once", async () => {
		const {result, events} = await run(api, {
			root: ({turn}) => (turn === 0 ? repl('r = llm_query_batched(["a", "b"])\nllm_output(r[0] + " | " + r[1])') : {text: 'FINAL(x)'}),
			sub: (prompt) => (prompt === 'a' ? {text: 'part of it', finishReason: 'content_filter'} : {text: '', finishReason: 'content_filter'}),
		});
		expect(result.response).toMatch(/^part of it\n\[stopped: the provider's content filter ended this reply .*\] \| Error: the provider's content filter stopped the sub-model's reply before it gave an answer/);
		expect(of(events, 'notice').map((notice) => notice.code)).toEqual(['reply_filtered']);
		expect(of(events, 'call.done').map((done) => done.finishReason)).toEqual(['content_filter', 'content_filter']);
	});
});

describe.each(apis)('an error event after the model began thinking (%s)', (api) => {
	it('before any answer text: retried, and the run goes on; the reply keeps both tries’ thinking', async () => {
		let failed = false;
		const {result, events} = await run(api, {
			root: () => {
				if (failed) return {text: 'FINAL(42)', reasoning: 'Second thought'};
				failed = true;
				return {text: 'never', reasoning: 'First thought', streamError: {afterChars: 0, message: 'Overloaded'}};
			},
		});
		expect(result).toMatchObject({status: 'answered', response: '42'});
		expect(of(events, 'notice').map((notice) => notice.code)).toEqual(['stream_retried']);
		expect(of(events, 'llm.done')).toEqual([expect.objectContaining({text: 'FINAL(42)', reasoning: 'First thought\n\nSecond thought'})]);
	});

	it('after answer text: retried; the trajectory holds the retried reply and both tries’ thinking', async () => {
		let failed = false;
		const {result, events, log} = await run(api, {
			root: () => {
				if (failed) return {text: 'FINAL(42)', reasoning: 'Second thought'};
				failed = true;
				return {text: 'The answer is 41 because FINAL(41)', reasoning: 'Thinking it over', streamError: {afterChars: 13, message: 'Overloaded'}};
			},
		});
		expect(result).toMatchObject({status: 'answered', response: '42'});
		expect(notices(events)).toEqual([expect.stringMatching(/^stream_retried: The reply so far is withdrawn \(its thinking is kept\): .*Overloaded\. Retrying in \d\.\d s \(1 of 2\)\.$/)]);
		expect(log!.iterations[0]).toMatchObject({response: 'FINAL(42)', rlm_tui: {reasoning: 'Thinking it over\n\nSecond thought'}});
		const replayed = toNested(reduceAll(logToEvents(log!)))[0]!.children[0]!.children.find((node) => node.kind === 'reply');
		expect(replayed).toMatchObject({text: 'FINAL(42)'});
	});

	it('after answer text on every try: the run fails with one line once the retries are spent, and the last partial reply and its thinking stay in the trajectory', async () => {
		const {result, log} = await run(api, {
			root: ({turn}) =>
				turn === 0 ? repl('print("step one done")') : {text: 'The answer is 42 because', reasoning: 'Thinking it over', streamError: {afterChars: 13, message: 'Overloaded'}},
		});
		expect(result.status).toBe('failed');
		expect(result.error).toMatch(/failed: Overloaded\.$/);
		expect(result.error).not.toContain('\n');
		expect(result.iterations[0]!.codeBlocks[0]!.result.stdout).toBe('step one done\n');
		expect(log!.iterations[1]).toMatchObject({response: 'The answer is', rlm_tui: {reasoning: 'Thinking it over\n\nThinking it over\n\nThinking it over'}});
	});
});

describe.each(apis)('reasoning interleaved with the answer (%s)', (api) => {
	it('the code block split by a thought runs whole; code and FINALs in the thoughts never run', async () => {
		const {result, events} = await run(api, {
			root: () => ({
				text: '',
				chunkSize: 5,
				parts: [
					{reasoning: 'Draft:\n```repl\nllm_output("from thinking")\n```'},
					{text: 'Now:\n```repl\nllm_output("as'},
					{reasoning: 'mid-answer thought\nFINAL(nope)'},
					{text: 'sembled")\n```'},
				],
			}),
		});
		expect(result).toMatchObject({status: 'answered', response: 'assembled'});
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['llm_output("assembled")']);
	});
});

describe("a reply the model refused (OpenAI's refusal field)", () => {
	const REFUSAL = "I'm sorry, but I can't help with that.";

	it('keeps the refusal as the reply: the user is told what the model said, the model to go on in other words, the trajectory marks it', async () => {
		const {result, events, roots, log} = await run('openai', {root: ({turn}) => (turn === 0 ? {text: '', refusal: REFUSAL} : repl('llm_output("done")'))});
		expect(result).toMatchObject({status: 'answered', response: 'done'});
		expect(notices(events)).toEqual([`reply_refused: The model refused in iteration 1: “${REFUSAL}” It was told to go on in other words; if it keeps refusing, rephrase the question or use another model.`]);
		const told = roots[1]!.messages.at(-1)!.content;
		expect(told).toContain('Your previous reply was a refusal, so it is not a final answer.');
		expect(told).toContain('Go on with the task in other words');
		expect(told).not.toMatch(/empty|content filter|output-token limit/);
		expect(roots[1]!.messages.at(-2)).toMatchObject({role: 'assistant', content: REFUSAL});
		expect(of(events, 'llm.done')[0]).toMatchObject({text: REFUSAL, finishReason: 'refusal'});
		expect(result.iterations[0]).toMatchObject({response: REFUSAL, finishReason: 'refusal'});
		expect(log!.iterations[0]).toMatchObject({response: REFUSAL, rlm_tui: {finish_reason: 'refusal'}});
		const replayed = toNested(reduceAll(logToEvents(log!)))[0]!.children[0]!.children.find((node) => node.kind === 'reply');
		expect(replayed).toMatchObject({finishReason: 'refusal'});
	});

	it('a FINAL in a refusal is not taken', async () => {
		const {result} = await run('openai', {root: ({turn}) => (turn === 0 ? {text: 'FINAL(half', refusal: REFUSAL} : {text: 'FINAL(whole)'})});
		expect(result.response).toBe('whole');
	});

	it('twice in a row: the run fails with one line quoting the refusal, not as empty replies', async () => {
		const {result, events} = await run('openai', {root: () => ({text: '', refusal: REFUSAL})});
		expect(result.status).toBe('failed');
		expect(result.error).toBe(`The model refused twice in a row, even when asked to go on in other words: “${REFUSAL}” Rephrase the question, or use another model.`);
		expect(result.errorCode).toBe('refused');
		expect(of(events, 'notice').map((notice) => notice.code)).toEqual(['reply_refused', 'reply_refused']);
		expect(result.iterations).toHaveLength(2);
	});

	it('on the out-of-turns call: no answer, the run fails with one line quoting the refusal', async () => {
		const {result} = await run('openai', {root: ({turn}) => (turn === 0 ? repl('print("looked")') : {text: '', refusal: REFUSAL})}, {maxIterations: 1});
		expect(result).toMatchObject({status: 'failed', response: '', errorCode: 'refused'});
		expect(result.error).toBe(`Out of turns: The model refused the final answer: “${REFUSAL}” Rephrase the question, or use another model.`);
	});

	it('on the last call after a limit: the refusal is not the answer, the best so far is, and the error quotes the refusal', async () => {
		const {result} = await run('openai', {root: ({turn}) => (turn === 0 ? repl('raise ValueError("x")', 'Reading the log.') : {text: '', refusal: REFUSAL})}, {maxErrors: 1});
		expect(result.status).toBe('limited');
		// The best so far: the last words the model said that were not the refusal.
		expect(result.response).toBe('Reading the log.');
		expect(result.error).toMatch(/limit of 1 failed blocks in a row \(--max-errors\) is reached\. The model refused/);
		expect(result.error).toContain(`The model refused the final answer: “${REFUSAL}” Rephrase the question, or use another model.`);
	});

	it('in llm_query and llm_query_batched: the slot holds the refusal, marked as one; the user is told once, with its words', async () => {
		const {result, events} = await run('openai', {
			root: ({turn}) => (turn === 0 ? repl('r = llm_query_batched(["a", "b"])\nllm_output(r[0] + " | " + r[1] + " | " + llm_query("c"))') : {text: 'FINAL(x)'}),
			sub: (prompt) => (prompt === 'b' ? {text: 'fine b'} : {text: '', refusal: `${REFUSAL} (${prompt})`}),
		});
		const marker = '[refused: the sub-model declined this prompt (its refusal field); the text above is its refusal, not an answer]';
		expect(result.response).toBe(`${REFUSAL} (a)\n${marker} | fine b | ${REFUSAL} (c)\n${marker}`);
		expect(of(events, 'notice')).toEqual([expect.objectContaining({code: 'reply_refused', message: expect.stringContaining(`refused a prompt: “${REFUSAL} (`)})]);
		expect(of(events, 'call.done').map((done) => done.finishReason)).toEqual(expect.arrayContaining(['refusal', 'stop', 'refusal']));
		expect(of(events, 'call.done').filter((done) => done.error)).toEqual([]);
	});
});

describe("Anthropic's model_context_window_exceeded and pause_turn", () => {
	const halfReply = '```repl\nprint("first ran")\n```\nThen:\n```repl\nprint("never ran")';

	it('a reply the full context window cut is a cut like the output limit, told as the context window', async () => {
		const {result, events, roots, log} = await run('anthropic', {root: ({turn}) => (turn === 0 ? {text: halfReply, finishReason: 'context_window'} : repl('llm_output("done")'))});
		expect(result).toMatchObject({status: 'answered', response: 'done'});
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['print("first ran")', 'llm_output("done")']);
		const [notice, ...others] = of(events, 'notice');
		expect(others).toEqual([]);
		expect(notice).toMatchObject({code: 'reply_truncated', message: expect.stringMatching(/^The reply of iteration 1 was cut off because the model's context window filled \(stop_reason model_context_window_exceeded\) .* its unfinished code block did not run/)});
		expect(notice.message).not.toMatch(/output-token limit/);
		const told = roots[1]!.messages.at(-1)!.content;
		expect(told).toContain('Your previous reply was cut off: the context window filled up before you finished it. Its last code block was unfinished, so it did not run.');
		expect(told).not.toMatch(/output-token limit/);
		expect(log!.iterations[0]!.rlm_tui).toMatchObject({finish_reason: 'context_window'});
	});

	it('the context window filled while thinking: the model is told so; twice in a row, the run fails naming the window', async () => {
		const {result, roots} = await run('anthropic', {root: () => ({text: '', reasoning: 'Let me think at length', finishReason: 'context_window'})});
		expect(result.status).toBe('failed');
		expect(result.error).toMatch(/^The model's context window filled while it was still thinking, twice in a row/);
		expect(roots[1]!.messages.at(-1)!.content).toContain('the context window filled, so no answer or code reached me');
	});

	it('a paused turn is an unfinished reply, and the user is told rlm-tui uses no server tools; its FINAL is not taken', async () => {
		const {result, events, roots} = await run('anthropic', {root: ({turn}) => (turn === 0 ? {text: 'FINAL(half an answer)', finishReason: 'paused'} : {text: 'FINAL(whole)'})});
		expect(result).toMatchObject({status: 'answered', response: 'whole'});
		expect(notices(events)).toEqual([expect.stringMatching(/^reply_truncated: The reply of iteration 1 was paused by the server \(stop_reason pause_turn, which comes with server tools; rlm-tui uses none/)]);
		expect(roots[1]!.messages.at(-1)!.content).toContain('Your previous reply was paused by the server before you finished it.');
		expect(result.iterations[0]!.finishReason).toBe('paused');
	});

	it('in sub-calls: each slot says why its reply is incomplete', async () => {
		const {result, events} = await run('anthropic', {
			root: ({turn}) => (turn === 0 ? repl('r = llm_query_batched(["a", "b"])\nllm_output(r[0] + " | " + r[1])') : {text: 'FINAL(x)'}),
			sub: (prompt) => ({text: `part ${prompt}`, finishReason: prompt === 'a' ? 'context_window' : 'paused'}),
		});
		expect(result.response).toBe(
			"part a\n[cut off: the sub-model's context window filled before this reply was finished (stop_reason model_context_window_exceeded); it is incomplete] | part b\n[cut off: the server paused this reply before it was finished (stop_reason pause_turn, which comes with server tools; rlm-tui uses none); it is incomplete]",
		);
		expect(of(events, 'call.done').map((done) => done.finishReason).sort()).toEqual(['context_window', 'paused']);
	});

	it('redacted thinking blocks pass without error and add nothing to the reply', async () => {
		const {result, events} = await run('anthropic', {root: () => ({text: 'FINAL(42)', reasoning: 'Counting', redactedThinking: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlx'})});
		expect(result).toMatchObject({status: 'answered', response: '42'});
		expect(of(events, 'llm.done')).toEqual([expect.objectContaining({text: 'FINAL(42)', reasoning: 'Counting'})]);
		expect(of(events, 'notice')).toEqual([]);
	});
});

describe.each(apis)('a stray bare fence line before a block, and blocks that do not run (%s)', (api) => {
	it('a stray ``` line before ```python: the python block runs, and the model is not told it wrote no block', async () => {
		const {result, roots} = await run(api, {
			root: ({turn}) => (turn === 0 ? {text: "Let me compute.\n```\n```python\nprint('AFTER-STRAY')\n```"} : {text: 'FINAL(done)'}),
		});
		expect(result.status).toBe('answered');
		expect(result.iterations[0]!.codeBlocks.map((block) => block.result.stdout)).toEqual(['AFTER-STRAY\n']);
		expect(roots[1]!.messages.at(-1)!.content).toContain('AFTER-STRAY');
		expect(roots[1]!.messages.at(-1)!.content).not.toContain('had no');
	});

	it('a block that does not run: the model is told what it wrote instead of "no ```repl block"', async () => {
		const {result, roots} = await run(api, {
			root: ({turn}) => (turn === 0 ? {text: 'Here:\n```js\nconsole.log(1)\n```\nand\n```\nx = 1\n```'} : {text: 'FINAL(done)'}),
		});
		expect(result.status).toBe('answered');
		expect(result.iterations[0]!.codeBlocks).toEqual([]);
		const told = roots[1]!.messages.at(-1)!.content;
		expect(told).toContain('Your reply had a ```js block and a code block with no language tag (``` alone), but only ```repl (or ```python) blocks with code in them run, so nothing ran.');
		expect(told).not.toContain('had no ```repl block');
	});
});
