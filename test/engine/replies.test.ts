// Replies as real models write them, end to end: the real openai / anthropic SDKs against the fake
// server, the real sandbox. Code fences (CommonMark plus the leniencies models need) and final
// answers (prose FINAL / FINAL_VAR, FINAL in code, reserved names).
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {RlmOptions} from '../../source/engine/types.js';
import {logToEvents} from '../../source/trajectory/log-to-events.js';
import {getNode, reduceAll, type TrajectoryNode, type TrajectoryState} from '../../source/trajectory/tree.js';
import {apis, of, runScripted, type Api} from '../support/scripted-run.js';
import {startFakeLlmServer, type FakeLlmServer, type FakeReply, type FakeRequest, type ReasoningField} from '../support/fake-llm-server.js';
import {repl, type RootTurn} from '../support/rlm-script.js';

let server: FakeLlmServer;
let logDir: string;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model', 'sub-model']});
	logDir = mkdtempSync(join(tmpdir(), 'rlm-tui-replies-'));
});
afterAll(async () => {
	await server?.close();
	rmSync(logDir, {recursive: true, force: true});
});

const run = (api: Api, root: (turn: RootTurn) => FakeReply, options: Partial<RlmOptions> = {}, sub?: (prompt: string, request: FakeRequest) => FakeReply) =>
	runScripted(server, logDir, api, {root, ...(sub ? {sub} : {})}, options);

describe.each(apis)('code fences through the %s SDK', (api) => {
	it('three backticks inside a string do not cut the block in half', async () => {
		const {result, events} = await run(api, () => ({text: 'Joining:\n```repl\nfence = "```"\nllm_output(fence + "python")\n```'}));
		expect(result.response).toBe('```python');
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['fence = "```"\nllm_output(fence + "python")']);
	});

	it('a Quarto {python} fence and an ```ipython fence behind a zero-width space both run (no "no ```repl block" nudge)', async () => {
		const reply = 'Step one:\n```{python}\nx = 20\n```\n\n\u200B```ipython\nllm_output(str(x + 1))\n\u200B```';
		const {result, events, roots} = await run(api, () => ({text: reply}));
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['x = 20', 'llm_output(str(x + 1))']);
		expect(result.response).toBe('21');
		expect(roots).toHaveLength(1);
	});

	it('tags in another case, tildes, a list item, a nested ```python fence, code on the opening line: all run', async () => {
		const reply = [
			'1. First:',
			'   ```Python',
			'   a = 1',
			'   ```',
			'2. Then:',
			'',
			'~~~ py',
			'b = a + 1',
			'~~~',
			'',
			'```repl',
			'```python',
			'c = b + 1',
			'```',
			'```',
			'',
			'```python3 llm_output(str(a + b + c))',
			'```',
		].join('\n');
		const {result, events} = await run(api, () => ({text: reply}));
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['a = 1', 'b = a + 1', 'c = b + 1', 'llm_output(str(a + b + c))']);
		expect(result.response).toBe('6');
	});

	it('an unclosed block at the end of a reply that ended normally runs', async () => {
		const {result} = await run(api, () => ({text: 'Done:\n```repl\nllm_output("from an open fence")'}));
		expect(result.status).toBe('answered');
		expect(result.response).toBe('from an open fence');
	});

	it('an unclosed block cut off by the token limit does not run', async () => {
		const {result, events} = await run(api, ({turn}) =>
			turn === 0
				? {text: 'Here:\n```repl\nllm_output("half a', finishReason: 'length'}
				: {text: '```repl\nllm_output("whole")\n```'},
		);
		expect(result.response).toBe('whole');
		const first = of(events, 'code.start').filter((e) => e.iteration === 1);
		expect(first).toEqual([]);
	});

	it('a reply that only talks about code, or mentions FINAL mid-sentence, runs and ends nothing', async () => {
		const {result, events, roots} = await run(api, ({turn}) =>
			turn === 0
				? {text: 'I will write a ```repl block next and call FINAL(answer) when I have it. Also `llm_output(x)`.'}
				: {text: '```repl\nllm_output("after the nudge")\n```'},
		);
		expect(of(events, 'code.start').filter((e) => e.iteration === 1)).toEqual([]);
		expect(roots[1]!.messages.at(-1)!.content).toMatch(/no ```repl block/);
		expect(result.response).toBe('after the nudge');
	});
});

describe.each(apis)('final answers through the %s SDK', (api) => {
	it('code, then FINAL_VAR(name) in prose: resolved in the REPL after the blocks ran', async () => {
		const {result, events, log} = await run(api, () => ({
			text: '```repl\nwords = context.split()\nresult = f"{len(words)} words"\n```\n\nFINAL_VAR(result)',
		}));
		expect(result.status).toBe('answered');
		expect(result.response).toBe('2 words');
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['words = context.split()\nresult = f"{len(words)} words"', 'FINAL_VAR("result")']);
		expect(log!.iterations.at(-1)!.final_answer).toBe('2 words');
	});

	it('FINAL_VAR after a failing block is not resolved: the model sees the error first', async () => {
		const {result, events} = await run(api, ({turn}) =>
			turn === 0
				? {text: '```repl\nresult = undefined_thing\n```\nFINAL_VAR(result)'}
				: {text: '```repl\nresult = "fixed"\n```\nFINAL_VAR(result)'},
		);
		expect(of(events, 'code.start').filter((e) => e.iteration === 1).map((e) => e.code)).toEqual(['result = undefined_thing']);
		expect(result.response).toBe('fixed');
	});

	it('a prose FINAL with `1)` and `:)` inside keeps its whole text, and is the trajectory final_answer', async () => {
		const text = 'The steps were: 1) read the context, 2) count the words :) and the count is 2';
		const {result, log} = await run(api, () => ({text: `I have it.\n\nFINAL(${text})\n`}));
		expect(result.response).toBe(text);
		expect(log!.iterations.at(-1)!.final_answer).toBe(text);
	});

	it('FINAL(text) in prose beside code is a guess at unseen output: it does not end the run', async () => {
		const {result} = await run(api, ({turn}) =>
			turn === 0 ? {text: '```repl\nn = len(context)\nprint(n)\n```\nOutput: 11\nFINAL(11)'} : {text: 'FINAL_VAR(n)'},
		);
		expect(result.iterations).toHaveLength(2);
		expect(result.response).toBe('11');
	});

	it('FINAL(x) and FINAL_VAR("x") in code are aliases of llm_output', async () => {
		const direct = await run(api, () => ({text: '```repl\ntotal = 6 * 7\nFINAL(total)\n```'}));
		expect(direct.result.response).toBe('42');
		const named = await run(api, () => ({text: '```repl\ncity = "Lyon"\nFINAL_VAR("city")\n```'}));
		expect(named.result.response).toBe('Lyon');
	});

	it('FINAL_VAR of a reserved name returns what the model put there, never the name', async () => {
		const {result, events} = await run(api, () => ({text: '```repl\nanswer = "Paris"\n```\nFINAL_VAR(answer)'}));
		expect(result.response).toBe('Paris');
		expect(of(events, 'code.done')[0]!.stderr).toMatch(/`answer` is a reserved name/);
	});

	it('FINAL_VAR of a reserved name the model did not rebind is an error the model sees', async () => {
		const {result, roots} = await run(api, ({turn}) =>
			turn === 0 ? {text: 'FINAL_VAR(context)'} : {text: '```repl\nllm_output("recovered")\n```'},
		);
		expect(result.response).toBe('recovered');
		expect(roots[1]!.messages.at(-1)!.content).toContain("FINAL_VAR('context'): 'context' is a reserved name");
	});
});

const nodes = (state: TrajectoryState): TrajectoryNode[] => Array.from({length: state.nodes.size}, (_, id) => getNode(state, id)!);

/** Thinking that drafts code and an answer: none of it may run or end the run. */
const THINKING = 'The user wants a count. Draft:\n```repl\nllm_output("a guess from thinking")\n```\nFINAL(a guess from thinking)';

const reasoningCases = [
	...(['reasoning_content', 'reasoning', 'think-tags', 'think-close-only', 'content-chunks', 'harmony'] as const).map((field) => ['openai', field] as const),
	...(['reasoning_content', 'think-tags', 'think-close-only'] as const).map((field) => ['anthropic', field] as const),
] satisfies Array<readonly [Api, ReasoningField]>;

describe.each(reasoningCases)('reasoning through the %s SDK as %s', (api, field) => {
	it('code and FINAL inside the thinking never run; the thinking reaches the tree, the log and a replay', async () => {
		const {result, events, log} = await run(api, () => ({
			text: 'Counting now.\n```repl\nllm_output(str(len(context)))\n```',
			reasoning: THINKING,
			reasoningField: field,
			chunkSize: 5,
		}));
		expect(result.status).toBe('answered');
		expect(result.response).toBe(String('the context'.length));
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['llm_output(str(len(context)))']);
		expect(result.iterations[0]!.response).toBe('Counting now.\n```repl\nllm_output(str(len(context)))\n```');
		// Live: the thinking streamed as llm.reasoning, and the reply text shown ends as the answer part.
		expect(of(events, 'llm.reasoning').map((e) => e.text).join('').trim()).toBe(THINKING);
		const live = reduceAll(events);
		const reply = nodes(live).find((n) => n.kind === 'reply')!;
		expect(reply.kind === 'reply' && reply.text).toBe(result.iterations[0]!.response);
		const thought = getNode(live, reply.children[0]!)!;
		expect(thought.kind).toBe('reasoning');
		expect(thought.kind === 'reasoning' && thought.text.trim()).toBe(THINKING);
		expect(thought.status).toBe('done');
		// Logged under our extras, with the original's `response` holding only the answer part.
		const line = log!.iterations[0]!;
		expect(line.response).toBe(result.iterations[0]!.response);
		expect((line.rlm_tui as {reasoning?: string}).reasoning?.trim()).toBe(THINKING);
		const replayed = nodes(reduceAll(logToEvents(log!))).find((n) => n.kind === 'reasoning');
		expect(replayed?.kind === 'reasoning' && replayed.text.trim()).toBe(THINKING);
	});

	it('llm_query returns only the answer part of a thinking sub-model', async () => {
		const {result, events} = await run(
			api,
			() => ({text: '```repl\nimport json\ndata = json.loads(llm_query("Give JSON"))\nllm_output(str(data["n"]))\n```'}),
			{},
			() => ({text: '{"n": 3}', reasoning: 'The JSON should be {"n": 4}? No: 3.', reasoningField: field, chunkSize: 4}),
		);
		expect(result.response).toBe('3');
		const done = of(events, 'call.done')[0]!;
		expect(done.response).toBe('{"n": 3}');
		// A plain call is no batch.
		expect(of(events, 'call.start')[0]!.batchSize).toBeUndefined();
		expect(done.reasoning?.trim()).toBe('The JSON should be {"n": 4}? No: 3.');
		const call = nodes(reduceAll(events)).find((n) => n.kind === 'call')!;
		expect(call.kind === 'call' && call.response).toBe('{"n": 3}');
		const thought = getNode(reduceAll(events), call.children[0]!);
		expect(thought?.kind === 'reasoning' && thought.text.trim()).toBe('The JSON should be {"n": 4}? No: 3.');
	});
});

describe.each(apis)('empty answers through the %s SDK', (api) => {
	it('a reply routed wholly into the reasoning channel: a notice naming the cause and fix; twice in a row fails', async () => {
		const {result, events, roots} = await run(api, () => ({text: '', reasoning: 'I know the answer: 42. ```repl\nllm_output("42")\n```'}), {maxIterations: 10});
		expect(result.status).toBe('failed');
		expect(result.error).toMatch(/no answer text twice in a row, only reasoning.*reasoning channel.*reasoning parser/);
		expect(result.error!.split('\n')).toHaveLength(1);
		expect(result.iterations).toHaveLength(2);
		expect(roots).toHaveLength(2);
		expect(roots[1]!.messages.at(-1)!.content).toMatch(/nothing outside your thinking arrived/);
		const notices = of(events, 'notice');
		expect(notices.map((n) => n.code)).toEqual(['reasoning_only']);
		expect(notices[0]!.message).toMatch(/reasoning channel.*reasoning parser and the model's chat template/);
		expect(of(events, 'code.start')).toEqual([]);
	});

	it('a reply that is only <think>…</think> text: the model stopped after thinking, not a server setting', async () => {
		const {result, events, roots} = await run(api, () => ({text: '<think>I should count the rows first, then answer.</think>\n\n'}), {maxIterations: 10});
		expect(result.status).toBe('failed');
		expect(result.error).toMatch(/all thinking in their text \(<think>…<\/think> or gpt-oss's analysis channel\) twice in a row.*turn its thinking off/);
		expect(result.error).not.toMatch(/reasoning parser/);
		expect(roots[1]!.messages.at(-1)!.content).toMatch(/ended with your thinking: nothing after it reached me/);
		const notices = of(events, 'notice');
		expect(notices.map((n) => n.code)).toEqual(['reasoning_only']);
		expect(notices[0]!.message).toMatch(/all thinking in its text \(<think>…<\/think> or gpt-oss's analysis channel, \d+ characters\), with nothing after it/);
		expect(notices[0]!.message).not.toMatch(/reasoning parser/);
	});

	it('the advice for a model that stops after its thinking is for its family: gpt-oss its reasoning effort, Qwen3 /no_think, DeepSeek-R1 another model, others generic (tryout: gpt-oss was told /no_think)', async () => {
		const families: Array<[string, string, RegExp]> = [
			['gpt-oss-20b', '<|channel|>analysis<|message|>I should count the rows first.<|end|>', /reasoning effort \(reasoning_effort "low"/],
			['openai/gpt-oss-120b', 'analysisI should count the rows first.', /reasoning effort/],
			['qwen3:8b', '<think>I should count the rows first.</think>', /Qwen3: \/no_think/],
			['deepseek-r1:14b', '<think>I should count the rows first.</think>', /DeepSeek-R1 cannot turn it off/],
			['llama3.1:8b', '<think>I should count the rows first.</think>', /turn its thinking off if its server has a setting/],
		];
		for (const [model, text, advice] of families) {
			const {result, events} = await run(api, () => ({text}), {model, maxIterations: 10});
			const notices = of(events, 'notice');
			expect({model, codes: notices.map((n) => n.code)}).toEqual({model, codes: ['reasoning_only']});
			expect(notices[0]!.message).toMatch(advice);
			expect(result.error).toMatch(advice);
			expect({model, noThink: notices[0]!.message.includes('/no_think')}).toEqual({model, noThink: model.startsWith('qwen3')});
		}
	});

	it('a gpt-oss harmony reply with only its analysis channel is told as thinking with nothing after it, not as <think> text alone', async () => {
		const {result, events} = await run(api, () => ({text: '<|channel|>analysis<|message|>I should count the rows first.<|end|>'}), {maxIterations: 10});
		expect(result.status).toBe('failed');
		const notices = of(events, 'notice');
		expect(notices.map((n) => n.code)).toEqual(['reasoning_only']);
		expect(notices[0]!.message).toMatch(/all thinking in its text \(<think>…<\/think> or gpt-oss's analysis channel, \d+ characters\), with nothing after it/);
	});

	it('thinking cut at the output-token limit with no answer: marked as cut, nudged, and twice ends the run', async () => {
		const {result, events, roots} = await run(api, () => ({text: '', reasoning: 'Let me think about this at great length', finishReason: 'length'}), {maxIterations: 10});
		expect(result.status).toBe('failed');
		expect(result.error).toMatch(/whole output-token limit thinking twice in a row/);
		expect(roots[1]!.messages.at(-1)!.content).toMatch(/output-token limit while you were still thinking/);
		expect(of(events, 'notice').map((n) => n.code)).toEqual(['reply_truncated', 'reply_truncated']);
	});

	it('one empty reply is nudged and the run goes on; the work done before is kept', async () => {
		const {result} = await run(api, ({turn}) =>
			turn === 0
				? {text: '```repl\nn = len(context)\nprint(n)\n```'}
				: turn === 1
					? {text: ''}
					: {text: 'FINAL_VAR(n)'},
		);
		expect(result.status).toBe('answered');
		expect(result.response).toBe('11');
		expect(result.iterations).toHaveLength(3);
	});

	it('a sub-call whose reply is only reasoning gets a clear Error: string in its slot, and one notice', async () => {
		const {result, events} = await run(
			api,
			() => ({text: '```repl\nres = llm_query_batched(["a", "b", "c"])\nllm_output("\\n".join(res))\n```'}),
			{},
			() => ({text: '', reasoning: 'all of it went to the reasoning field'}),
		);
		const slots = result.response.split('\n');
		expect(slots).toHaveLength(3);
		for (const slot of slots) expect(slot).toMatch(/^Error: the sub-model's reply had no answer, only reasoning \(\d+ characters\)/);
		expect(of(events, 'notice').map((n) => n.code)).toEqual(['reasoning_only']);
		// Every slot says how large its batch is, for the tree to show it whole from the first slot.
		expect(of(events, 'call.start').map((e) => e.batchSize)).toEqual([3, 3, 3]);
		// The tree gets the kind and the message; Python got "Error: " and the same message.
		const done = of(events, 'call.done');
		expect(done.map((e) => e.errorCode)).toEqual(['empty_reply', 'empty_reply', 'empty_reply']);
		for (const e of done) expect(e.response).toBe(`Error: ${e.error}`);
		expect(done[0]!.error).toMatch(/^the sub-model's reply had no answer, only reasoning/);
	});
});

describe('an empty final answer', () => {
	const EMPTY_ANSWERS = [
		['llm_output("")', '```repl\nllm_output("")\n```'],
		['FINAL("") in code', '```repl\nFINAL("   ")\n```'],
		['the answer dict', '```repl\nanswer["content"] = ""\nanswer["ready"] = True\n```'],
		['FINAL_VAR of an empty string', '```repl\nresult = ""\nFINAL_VAR("result")\n```'],
		['FINAL_VAR in prose', '```repl\nresult = ""\n```\n\nFINAL_VAR(result)'],
		['FINAL("") in prose', 'Nothing found.\n\nFINAL("")'],
		['llm_output(None)', '```repl\nllm_output(None)\n```'],
		['FINAL_VAR(None)', '```repl\nFINAL_VAR(None)\n```'],
		['FINAL_VAR of a variable holding None', '```repl\nresult = None\nFINAL_VAR("result")\n```'],
		['llm_output([])', '```repl\nllm_output([])\n```'],
		['llm_output({})', '```repl\nllm_output({})\n```'],
		['the answer dict with content None', '```repl\nanswer["content"] = None\nanswer["ready"] = True\n```'],
		['FINAL of a zero-width space in code', '```repl\nFINAL("\\u200b")\n```'],
		['FINAL of zero-width and format characters in code', '```repl\nllm_output(" \\u200b\\u200d\\u2060\\ufeff\\u00a0\\u3000\\n")\n```'],
		['FINAL of a zero-width space in prose', 'Nothing found.\n\nFINAL("\u200b")'],
	] as const;

	it.each(EMPTY_ANSWERS)('%s is not taken: the model is told and the run goes on to a real answer', async (_way, reply) => {
		const {result, events, roots} = await run('openai', ({turn}) => (turn === 0 ? {text: reply} : repl('llm_output("the real answer")')));
		expect(result.status).toBe('answered');
		expect(result.response).toBe('the real answer');
		expect(roots).toHaveLength(2);
		const told = roots[1]!.messages.at(-1)!.content;
		expect(told).toContain('Your final answer is empty, so it was not taken and the run goes on');
		expect(told).toContain('[Turn 2/4]');
		expect(of(events, 'code.done').every((e) => e.final === null || e.final === 'the real answer')).toBe(true);
		// The block that submitted it says so (the logs and the tree show no success for it); the answer's block does not.
		const done = of(events, 'code.done');
		expect(done.at(-1)!.answerRefused).toBeUndefined();
		if (reply.includes('```repl')) expect(done.filter((e) => e.answerRefused === 'empty')).toHaveLength(1);
		else expect(done.some((e) => e.answerRefused)).toBe(false);
	});

	it.each([
		['llm_output(0)', '0'],
		['llm_output(False)', 'False'],
		['result = 0.0\nFINAL_VAR("result")', '0.0'],
		['llm_output("a\\u200db")', 'a\u200db'],
	])('a falsy or mostly invisible answer that says something is taken: %s', async (code, expected) => {
		const {result, roots} = await run('openai', () => repl(code));
		expect(result.status).toBe('answered');
		expect(result.response).toBe(expected);
		expect(roots).toHaveLength(1);
	});

	it('on the last iteration, it is not taken either: the one out-of-turns call gives the answer', async () => {
		const {result, roots} = await run('openai', ({lastUser}) => (/out of turns/.test(lastUser) ? {text: 'The answer, at last.'} : {text: '```repl\nllm_output("")\n```'}), {maxIterations: 2});
		expect(result.status).toBe('forced');
		expect(result.response).toBe('The answer, at last.');
		expect(roots).toHaveLength(3);
		expect(roots[2]!.messages.at(-1)!.content).toContain('Your final answer is empty');
	});
});
