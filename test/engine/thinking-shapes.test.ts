// Thinking as Qwen3 and DeepSeek-R1 write it in the answer text, end to end through the real SDKs
// and the real sandbox: Qwen3's empty <think>\n\n</think> with thinking off, and a <think> that never
// closes (the reply was cut at the output limit, or the model stopped mid-thought). Code and FINAL
// inside the thinking never run and never end the run.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {apis, of, runScripted, type Api} from '../support/scripted-run.js';
import {startFakeLlmServer, type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';
import type {RootTurn} from '../support/rlm-script.js';

let server: FakeLlmServer;
let logDir: string;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
	logDir = mkdtempSync(join(tmpdir(), 'rlm-tui-thinking-'));
});
afterAll(async () => {
	await server?.close();
	rmSync(logDir, {recursive: true, force: true});
});

const run = (api: Api, root: (turn: RootTurn) => FakeReply) => runScripted(server, logDir, api, {root}, {maxIterations: 4});

/** A draft inside the thinking: code that would answer, and a prose FINAL. */
const DRAFT = 'Plan:\n```repl\nllm_output("a draft from thinking")\n```\nFINAL(a draft from thinking)\n';

describe.each(apis)('thinking in the text through the %s SDK', (api) => {
	it("Qwen3's empty <think>\\n\\n</think> before code: the code runs, nothing is called thinking, no notice", async () => {
		const {result, events} = await run(api, () => ({text: '<think>\n\n</think>\n\n```repl\nllm_output("from qwen")\n```', chunkSize: 3}));
		expect(result.status).toBe('answered');
		expect(result.response).toBe('from qwen');
		expect(result.iterations[0]!.response).toBe('```repl\nllm_output("from qwen")\n```');
		expect(of(events, 'notice')).toEqual([]);
		expect(of(events, 'llm.reasoning').map((e) => e.text).join('').trim()).toBe('');
	});

	it('an unclosed <think> cut at the output limit: its code and FINAL neither run nor end the run; the model is told it was cut', async () => {
		const {result, events, roots} = await run(api, ({turn}) =>
			turn === 0
				? {text: `<think>\n${DRAFT}Now I should check the length of`, finishReason: 'length', chunkSize: 7}
				: {text: '```repl\nllm_output(str(len(context)))\n```'},
		);
		expect(result.status).toBe('answered');
		expect(result.response).toBe(String('the context'.length));
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['llm_output(str(len(context)))']);
		expect(of(events, 'notice').map((n) => n.code)).toEqual(['reply_truncated']);
		expect(roots[1]!.messages.at(-1)!.content).toMatch(/output-token limit while you were still thinking/);
		expect(of(events, 'llm.reasoning').map((e) => e.text).join('')).toContain('FINAL(a draft from thinking)');
	});

	it('an unclosed <think> that ended normally (a stop token mid-thought): nothing in it runs or ends the run', async () => {
		const {result, events} = await run(api, ({turn}) =>
			turn === 0 ? {text: `<think>\n${DRAFT}`, chunkSize: 5} : {text: 'Done.\n```repl\nllm_output("the real answer")\n```'},
		);
		expect(result.status).toBe('answered');
		expect(result.response).toBe('the real answer');
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['llm_output("the real answer")']);
		expect(result.iterations).toHaveLength(2);
		expect(of(events, 'notice').map((n) => n.code)).toEqual(['reasoning_only']);
	});

	it('only </think> (the template opened the thinking), after a stray bare ``` line in the thinking: the block after it runs, the draft FINAL does not answer', async () => {
		const thinking = 'I will count with ```repl blocks. A block is closed with\n```\nthen FINAL("WRONG") maybe.\n';
		const {result, events} = await run(api, () => ({
			text: `${thinking}</think>\n\n\`\`\`repl\nFINAL(str(len(context)))\n\`\`\``,
			chunkSize: 3,
		}));
		expect(result.status).toBe('answered');
		expect(result.response).toBe(String('the context'.length));
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['FINAL(str(len(context)))']);
		expect(of(events, 'llm.reasoning').map((e) => e.text).join('')).toBe(thinking);
	});

	it('only </think> after a ```python drafted in the thinking and never closed: the answer\'s ```repl block runs, the draft does not', async () => {
		const thinking = 'The user wants a count.\n```python\nFINAL("WRONG")\nHmm, better count it for real.';
		for (const [chunkSize, answer] of [
			[1, 'Counting.\n```repl\nFINAL(str(len(context)))\n```'],
			[7, '```repl\nFINAL(str(len(context)))\n```'],
		] as const) {
			const {result, events} = await run(api, () => ({text: answer, reasoning: thinking, reasoningField: 'think-close-only', chunkSize}));
			expect(result.status).toBe('answered');
			expect(result.response).toBe(String('the context'.length));
			expect(of(events, 'code.start').map((e) => e.code)).toEqual(['FINAL(str(len(context)))']);
			expect(result.iterations[0]!.response).toBe(answer);
			expect(of(events, 'llm.reasoning').map((e) => e.text).join('')).toBe(`${thinking}\n`);
		}
	});

	it('only </think> after a stray bare ``` in the thinking, then a bare block in the answer: the answer\'s FINAL and block are read, the draft is not', async () => {
		const thinking = 'A block ends with\n```\nso FINAL(WRONG) is a draft.';
		const prose = 'The shape:\n```\nshort text\n```\nFINAL(eleven characters)';
		const {result, events} = await run(api, () => ({text: prose, reasoning: thinking, reasoningField: 'think-close-only', chunkSize: 3}));
		expect(result.status).toBe('answered');
		expect(result.response).toBe('eleven characters');
		expect(result.iterations[0]!.response).toBe(prose);
		expect(of(events, 'llm.reasoning').map((e) => e.text).join('')).toBe(`${thinking}\n`);
		const block = 'Data:\n```\nshort text\n```\n```repl\nFINAL(str(len(context)))\n```';
		const second = await run(api, () => ({text: block, reasoning: thinking, reasoningField: 'think-close-only', chunkSize: 13}));
		expect(second.result.response).toBe(String('the context'.length));
		expect(of(second.events, 'code.start').map((e) => e.code)).toEqual(['FINAL(str(len(context)))']);
	});

	it("gpt-oss's harmony channels in the text: the analysis channel's code and FINAL never run, the final channel's block does", async () => {
		const analysis = 'Draft:\n```repl\nllm_output("WRONG")\n```\nFINAL("WRONG")';
		const {result, events} = await run(api, () => ({
			text: `<|channel|>analysis<|message|>${analysis}<|end|><|start|>assistant<|channel|>final<|message|>\`\`\`repl\nllm_output(str(len(context)))\n\`\`\`<|return|>`,
			chunkSize: 3,
		}));
		expect(result.status).toBe('answered');
		expect(result.response).toBe(String('the context'.length));
		expect(of(events, 'code.start').map((e) => e.code)).toEqual(['llm_output(str(len(context)))']);
		expect(result.iterations[0]!.response).toBe('```repl\nllm_output(str(len(context)))\n```');
		expect(of(events, 'llm.reasoning').map((e) => e.text).join('')).toBe(analysis);
	});

	it.each([
		['constrained to json (analysis…assistantfinal json```repl…)', {constrain: 'json'}],
		['opening with its <|start|>assistant (assistantanalysis…assistantfinal```repl…)', {opensWithStart: true}],
		['no <|start|>assistant between messages (analysis….final```repl…)', {restart: false}],
	] as const)("gpt-oss's harmony with its tokens stripped, %s: the final channel's block runs, the thinking's never", async (_name, variant) => {
		const analysis = 'We need to compute. Draft:\n```repl\nllm_output("WRONG")\n```\nFINAL("WRONG")';
		const block = '```repl\nx = len(context)\nFINAL(str(x))\n```';
		for (const chunkSize of [1, 5, 13]) {
			const {result, events} = await run(api, () => ({text: block, reasoning: analysis, reasoningField: 'harmony', harmony: {stripped: true, ...variant}, chunkSize}));
			expect({chunkSize, status: result.status, response: result.response}).toEqual({chunkSize, status: 'answered', response: String('the context'.length)});
			expect(of(events, 'code.start').map((e) => e.code)).toEqual(['x = len(context)\nFINAL(str(x))']);
			expect(of(events, 'llm.reasoning').map((e) => e.text).join('')).toBe(analysis);
		}
	});

	it.each([
		['analysisMaybe:\\n```repl… then assistantfinal', {}, 'Maybe:\n```repl\nllm_output("WRONG")\n```\nThen count.'],
		['no <|start|>assistant, the answer opening with emphasis (….final*Eleven*…)', {restart: false}, 'We need to compute.'],
	] as const)("gpt-oss's harmony with its tokens stripped, %s: the final channel's block runs, the thinking's never (tryouts)", async (_name, variant, analysis) => {
		const block = '*Eleven* characters:\n```repl\nx = len(context)\nFINAL(str(x))\n```';
		for (const chunkSize of [1, 5, 13]) {
			const {result, events} = await run(api, () => ({text: block, reasoning: analysis, reasoningField: 'harmony', harmony: {stripped: true, ...variant}, chunkSize}));
			expect({chunkSize, status: result.status, response: result.response}).toEqual({chunkSize, status: 'answered', response: String('the context'.length)});
			expect(of(events, 'code.start').map((e) => e.code)).toEqual(['x = len(context)\nFINAL(str(x))']);
			expect(of(events, 'llm.reasoning').map((e) => e.text).join('')).toBe(analysis);
		}
	});

	it('FINAL_VAR and code inside a closed <think>, prose FINAL outside it: the answer is the one outside', async () => {
		const {result, events} = await run(api, () => ({
			text: '<think>\nresult = 1?\n```repl\nresult = "wrong"\nFINAL_VAR("result")\n```\nFINAL_VAR(result)\n</think>\n\nThe context is short.\n\nFINAL(eleven characters)',
			chunkSize: 4,
		}));
		expect(result.status).toBe('answered');
		expect(result.response).toBe('eleven characters');
		expect(of(events, 'code.start')).toEqual([]);
	});
});
