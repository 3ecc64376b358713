// Replies as real models write them, end to end: the real openai / anthropic SDKs against the fake
// server, the real sandbox. Code fences (CommonMark plus the leniencies models need) and final
// answers (prose FINAL / FINAL_VAR, FINAL in code, reserved names).
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent, RlmEventOf} from '../../source/engine/events.js';
import type {RlmOptions} from '../../source/engine/types.js';
import {readTrajectoryLog} from '../../source/trajectory/read-log.js';
import {startFakeLlmServer, type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';
import {rootRequests, scripted, type RootTurn} from '../support/rlm-script.js';

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

const apis = ['openai', 'anthropic'] as const;
type Api = (typeof apis)[number];

async function run(api: Api, root: (turn: RootTurn) => FakeReply, options: Partial<RlmOptions> = {}) {
	server.requests.length = 0;
	server.setResponder(scripted({root}));
	const rlm = new Rlm({
		model: 'root-model',
		backend: api,
		baseURL: api === 'openai' ? server.openaiBaseURL : server.anthropicBaseURL,
		apiKey: 'test-key',
		maxIterations: 4,
		logDir,
		...options,
	});
	const events: RlmEvent[] = [];
	rlm.on('event', (event) => events.push(event));
	try {
		const result = await rlm.completion('q', {context: 'the context'});
		const log = rlm.logFiles.length ? readTrajectoryLog(rlm.logFiles.at(-1)!) : undefined;
		return {result, events, log, roots: rootRequests(server.requests)};
	} finally {
		await rlm.dispose();
	}
}

const of = <T extends RlmEvent['type']>(events: RlmEvent[], type: T) => events.filter((e): e is RlmEventOf<T> => e.type === type);

describe.each(apis)('code fences through the %s SDK', (api) => {
	it('three backticks inside a string do not cut the block in half', async () => {
		const {result, events} = await run(api, () => ({text: 'Joining:\n```repl\nfence = "```"\nllm_output(fence + "python")\n```'}));
		expect(result.response).toBe('```python');
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['fence = "```"\nllm_output(fence + "python")']);
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
