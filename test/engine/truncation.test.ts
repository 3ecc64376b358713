// Truncation is never silent, end to end: the real SDKs against the fake server, the real sandbox.
// Replies cut at the output-token limit (root and sub-calls), prompts a server cut to fit its window
// (Ollama's silent truncation), and errors inside a stream after a run has done work.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {DEFAULT_MAX_RETRIES} from '../../source/backends/types.js';
import type {RlmOptions} from '../../source/engine/types.js';
import {reduceAll, toNested} from '../../source/trajectory/tree.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {apis, of, runScripted, type Api} from '../support/scripted-run.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, type Script} from '../support/rlm-script.js';

let server: FakeLlmServer;
let ollama: FakeLlmServer;
let logDir: string;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model', 'sub-model']});
	ollama = await startFakeLlmServer({models: ['qwen2.5:7b', 'qwen2.5:3b'], flavor: 'ollama'});
	logDir = mkdtempSync(join(tmpdir(), 'rlm-tui-truncation-'));
});
afterAll(async () => {
	await server?.close();
	await ollama?.close();
	rmSync(logDir, {recursive: true, force: true});
});

const run = (api: Api, script: Script, options: Partial<RlmOptions> = {}, target = server) => runScripted(target, logDir, api, script, options);

describe.each(apis)('a root reply cut at the output-token limit (%s)', (api) => {
	it('does not run the cut block, and tells the model its reply was cut (not that it wrote no code)', async () => {
		const {result, events, roots, log} = await run(api, {
			root: ({turn}) =>
				turn === 0
					? {text: 'Let me look.\n```repl\nprint("never ran")\nx = [1, 2,', finishReason: 'length', usage: {outputTokens: 512}}
					: repl('llm_output("done")'),
		});
		expect(result.status).toBe('answered');
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['llm_output("done")']);
		const told = roots[1]!.messages.at(-1)!.content;
		expect(told).toMatch(/cut off at the output-token limit/);
		expect(told).toMatch(/last code block was unfinished, so it did not run/);
		expect(told).not.toMatch(/had no ```repl block/);
		// Marked for the user: the notice, the iteration record (--json), the tree, the trajectory.
		expect(of(events, 'notice')).toEqual([expect.objectContaining({code: 'reply_truncated', level: 'warn', message: expect.stringContaining('512 tokens')})]);
		expect(result.iterations[0]!.finishReason).toBe('length');
		const reply = toNested(reduceAll(events))[0]!.children[0]!.children.find((node) => node.kind === 'reply');
		expect(reply).toMatchObject({finishReason: 'length'});
		expect(log!.iterations[0]!.rlm_tui).toMatchObject({finish_reason: 'length', notices: [expect.objectContaining({code: 'reply_truncated'})]});
		// ... and a replay of the log shows it again.
		const replayed = toNested(reduceAll(logToEvents(log!)))[0]!.children[0]!.children.find((node) => node.kind === 'reply');
		expect(replayed).toMatchObject({finishReason: 'length'});
	});
});

describe('cut replies, more cases', () => {
	it('runs the complete blocks before the cut and says so with their output', async () => {
		const {events, roots} = await run('openai', {
			root: ({turn}) =>
				turn === 0
					? {text: '```repl\nprint("first ran")\n```\nNow:\n```repl\nprint("second', finishReason: 'length'}
					: repl('llm_output("ok")'),
		});
		expect(of(events, 'code.start').map((e) => e.code)[0]).toBe('print("first ran")');
		const told = roots[1]!.messages.at(-1)!.content;
		expect(told).toContain('first ran');
		expect(told).toMatch(/complete blocks before the cut ran/);
	});

	it('never takes a prose FINAL from a cut reply as the answer', async () => {
		const {result, roots} = await run('openai', {
			root: ({turn}) => (turn === 0 ? {text: 'FINAL(The three risks are: one, two', finishReason: 'length'} : repl('llm_output("whole answer")')),
		});
		expect(result.response).toBe('whole answer');
		expect(roots).toHaveLength(2);
	});

	it('returns a sub-call cut at the limit with a marker in its slot', async () => {
		const {result, events} = await run('openai', {
			root: () => repl('r = llm_query("write a lot")\nllm_output(r)'),
			sub: () => ({text: 'partial answer', finishReason: 'length'}),
		});
		expect(result.response).toBe('partial answer\n[cut off: this reply reached the output-token limit and is incomplete]');
		expect(of(events, 'call.done')[0]).toMatchObject({finishReason: 'length'});
	});
});

describe.each(apis)('a root reply whose stream the server dropped on every try (%s)', (api) => {
	it('once the retries are spent: does not run the unclosed block, tells the model the connection ended, and marks the reply dropped', async () => {
		const {result, events, roots, log} = await run(api, {
			root: ({turn}) =>
				turn === 0
					? {text: '```repl\nprint("first ran")\n```\nNow:\n```repl\nprint("never ran")\nx = [1, 2,', drop: {afterChars: 60, how: 'reset'}}
					: repl('llm_output("done")'),
		});
		expect(result.status).toBe('answered');
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['print("first ran")', 'llm_output("done")']);
		// Tried once and retried DEFAULT_MAX_RETRIES times (each drop withdrawn), then the next turn.
		expect(roots).toHaveLength(DEFAULT_MAX_RETRIES + 2);
		expect(of(events, 'llm.restart')).toHaveLength(DEFAULT_MAX_RETRIES);
		const told = roots.at(-1)!.messages.at(-1)!.content;
		expect(told).toMatch(/cut off: the connection to the server ended before it was finished/);
		expect(told).toMatch(/last code block was unfinished, so it did not run/);
		expect(told).toContain('first ran');
		expect(of(events, 'notice')).toEqual([
			...Array.from({length: DEFAULT_MAX_RETRIES}, () => expect.objectContaining({code: 'stream_retried', message: expect.stringMatching(/^The reply so far is withdrawn: .*(closed the connection|was reset) mid-stream\. Retrying/)})),
			expect.objectContaining({code: 'reply_truncated', message: expect.stringMatching(/^The reply of iteration 1 was cut off: the .+ (closed the connection|was reset) mid-stream\. Its unfinished code block did not run, and the model was told to continue\.$/)}),
		]);
		expect(result.iterations[0]!.finishReason).toBe('dropped');
		expect(log!.iterations[0]!.rlm_tui).toMatchObject({finish_reason: 'dropped'});
		const replayed = toNested(reduceAll(logToEvents(log!)))[0]!.children[0]!.children.find((node) => node.kind === 'reply');
		expect(replayed).toMatchObject({finishReason: 'dropped'});
	});

	it('never takes a prose FINAL from a dropped reply, and marks a dropped sub-call in its slot (retries spent)', async () => {
		const {result, roots} = await run(api, {
			root: ({turn}) =>
				turn === 0 ? {text: 'FINAL(The three risks are: one, two, and', drop: {afterChars: 30}} : repl('r = llm_query("write a lot")\nllm_output(r)'),
			sub: () => ({text: 'partial answer, then more', drop: {afterChars: 14}}),
		});
		expect(roots).toHaveLength(DEFAULT_MAX_RETRIES + 2);
		expect(result.response).toBe('partial answer\n[cut off: the connection to the server ended before this reply was finished; it is incomplete]');
	});
});

describe('a prompt the server cut to fit its window (Ollama)', () => {
	const secret = 'The secret code is 4417.';
	const filler = 'lorem ipsum dolor sit amet '.repeat(1200); // ~8,000 tokens, over Ollama's default 4,096
	const script: Script = {
		root: () => repl(`doc = ${JSON.stringify(secret)} + ${JSON.stringify(filler)}\nanswers = llm_query_batched(["Find the secret code.\\n" + doc] * 2)\nllm_output(answers[0])`),
		sub: (prompt) => ({text: prompt.includes('4417') ? '4417' : 'I see no secret code.'}),
	};

	it('warns once, with the fix, and marks the slot so the model knows', async () => {
		// The sub-model is not loaded yet, so Ollama cannot tell its window before the first call.
		const {result, events, subs} = await run('openai', script, {model: 'qwen2.5:7b', subModel: 'qwen2.5:3b'}, ollama);
		// The sub-model really did see only the tail...
		expect(subs[0]!.keptTokens).toBe(2050);
		expect(result.response).toMatch(/^I see no secret code\.\n\[warning: the server truncated this prompt: it kept about 2,050 of [\d,]+ tokens/);
		// ... and the user is told, once for the batch, how to fix it.
		const warnings = of(events, 'notice').filter((notice) => notice.code === 'prompt_truncated');
		expect(warnings).toHaveLength(1);
		expect(warnings[0]!.level).toBe('warn');
		expect(warnings[0]!.message).toMatch(/kept only 2,050 of about [\d,]+ prompt tokens sent to qwen2\.5:3b/);
		expect(warnings[0]!.message).toMatch(/Give Ollama a larger window: restart it with OLLAMA_CONTEXT_LENGTH=32768 ollama serve/);
		expect(of(events, 'call.done').every((call) => call.promptTruncated?.keptTokens === 2050)).toBe(true);
	});

	it('once the server says the loaded window, an over-long prompt fails in its slot before it is sent', async () => {
		ollama.loaded.add('qwen2.5:3b');
		const {result, subs} = await run('openai', script, {model: 'qwen2.5:7b', subModel: 'qwen2.5:3b'}, ollama);
		expect(result.response).toMatch(/^Error: this prompt is about [\d,]+ tokens, over the 4,096-token window of qwen2\.5:3b \(the context Ollama loaded it with\)/);
		expect(subs).toHaveLength(0);
	});

	it('stays quiet when the whole prompt fit', async () => {
		const {events} = await run(
			'openai',
			{root: () => repl('llm_output(llm_query("short prompt " * 100))'), sub: () => ({text: 'fine'})},
			{model: 'qwen2.5:7b'},
			ollama,
		);
		expect(of(events, 'notice')).toEqual([]);
	});
});

describe.each(apis)('an error event inside a stream after text (%s)', (api) => {
	it('retried: the withdrawn reply is not run or kept, the retried one answers', async () => {
		let failed = false;
		const {result, events, log} = await run(api, {
			root: ({turn}) => {
				if (turn === 0) return repl('x = 41\nprint("step one done")');
				if (failed) return repl('llm_output(str(x + 1))');
				failed = true;
				return {text: 'Now I will finish by\n```repl\nllm_output("withdrawn")\n```', streamError: {afterChars: 30, message: 'Overloaded'}};
			},
		});
		expect(result).toMatchObject({status: 'answered', response: '42'});
		expect(of(events, 'llm.restart')).toEqual([expect.objectContaining({iteration: 2})]);
		expect(log!.iterations[1]!.response).toBe('Working on it.\n\n```repl\nllm_output(str(x + 1))\n```');
	});

	it('on every try: fails that call with the server’s message once the retries are spent, and keeps the finished iterations', async () => {
		const {result, roots} = await run(api, {
			root: ({turn}) =>
				turn === 0 ? repl('x = 41\nprint("step one done")') : {text: 'Now I will finish by', streamError: {afterChars: 12, message: 'Overloaded'}},
		});
		expect(result.status).toBe('failed');
		expect(result.error).toContain('Overloaded');
		expect(result.iterations[0]!.codeBlocks[0]!.result.stdout).toContain('step one done');
		expect(roots).toHaveLength(DEFAULT_MAX_RETRIES + 2);
	});
});
