// gpt-oss's harmony with its special tokens stripped (skip_special_tokens: MLX and llama.cpp servers),
// in the fake server's variants, through the real SDKs at every delta size: the channel and role
// names run into the text, and what follows the final channel's name is the answer (a constraint
// word after it, `final json`, is header, not answer). Ordinary replies that begin with those words
// stay answers.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import type {ChatMessage} from '../../source/backends/types.js';
import {callModel} from '../../source/engine/model-call.js';
import {queueResponder, startFakeLlmServer, type FakeLlmServer, type FakeReply, type HarmonyVariant} from '../support/fake-llm-server.js';
import {harmonyText} from '../support/harmony-text.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['gpt-oss-20b']});
});
afterAll(async () => {
	await server?.close();
});

const messages: ChatMessage[] = [{role: 'user', content: 'How many?'}];
const options = {model: 'gpt-oss-20b'};
const backends = {
	openai: () => new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries: 0, paramMemory: new ParamMemory()}),
	anthropic: () => new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'k', maxRetries: 0}),
};
const apis = ['openai', 'anthropic'] as const;
const SIZES = Array.from({length: 13}, (_, i) => i + 1);

function replies(...queue: FakeReply[]) {
	server.requests.length = 0;
	server.setResponder(queueResponder(queue));
}

async function read(api: (typeof apis)[number], reply: FakeReply) {
	replies(reply);
	const result = await callModel(backends[api](), messages, options);
	return {text: result.text, reasoning: result.reasoning};
}

const ANALYSIS = 'We need to compute. Draft:\n```repl\nllm_output("guess")\n```\nFINAL("WRONG")';
const BLOCK = '```repl\nx = len(context)\nFINAL(str(x))\n```';
const PROSE = 'Counting.\n```repl\nllm_output(str(len(context)))\n```';

const variants: Array<[string, HarmonyVariant]> = [
	['stripped', {stripped: true}],
	['stripped, a final header constrained to json (analysis…assistantfinal json…)', {stripped: true, constrain: 'json'}],
	['stripped, opening with its <|start|>assistant (assistantanalysis…)', {stripped: true, opensWithStart: true}],
	['stripped, no <|start|>assistant between messages (analysis….final…)', {stripped: true, restart: false}],
	['stripped, no <|start|>assistant, constrained to json', {stripped: true, restart: false, constrain: 'json'}],
	['stripped, opening with <|start|>assistant, no <|start|> between', {stripped: true, opensWithStart: true, restart: false}],
];

describe.each(apis)('%s: stripped harmony at every delta size', (api) => {
	it.each(variants)('%s: the final channel is the answer, its header gone; the analysis is thinking', async (_name, harmony) => {
		for (const answer of [BLOCK, PROSE]) {
			for (const chunkSize of SIZES) {
				const got = await read(api, {text: answer, reasoning: ANALYSIS, reasoningField: 'harmony', harmony, chunkSize});
				expect({chunkSize, ...got}).toEqual({chunkSize, text: answer, reasoning: ANALYSIS});
			}
		}
		replies({text: BLOCK, reasoning: ANALYSIS, reasoningField: 'harmony', harmony});
		expect(await backends[api]().complete(messages, options)).toMatchObject({text: BLOCK, reasoning: ANALYSIS});
	});

	it('no <|start|>assistant between messages: an answer that opens with Markdown (bold, a heading, a list, a line break before its fence) is the answer (tryout)', async () => {
		const answers = ['**Answer:** here.\n```repl\nFINAL("bold")\n```', '\n```repl\nFINAL("nl")\n```', '## Plan\n```repl\nFINAL("h")\n```', '- step one\n```repl\nFINAL("li")\n```', '> quoted\n\n```repl\nFINAL("q")\n```'];
		for (const answer of answers) {
			for (const chunkSize of SIZES) {
				const got = await read(api, {text: answer, reasoning: 'We need x.', reasoningField: 'harmony', harmony: {stripped: true, restart: false}, chunkSize});
				// A line break before the answer is not kept (as after a whole `<|message|>`).
				expect({chunkSize, ...got}).toEqual({chunkSize, text: answer.trimStart(), reasoning: 'We need x.'});
			}
		}
	});

	it('no <|start|>assistant between messages: an answer that opens with emphasis, inline code, a table row, a link, an emoji, an HTML element or an uncased script is the answer (tryout: it was all thinking)', async () => {
		const answers = [
			'*Four* is the count.\n```repl\nFINAL("em")\n```',
			'`4` is the count.\n```repl\nFINAL("code")\n```',
			'| name | count |\n|---|---|\n| a | 4 |',
			'[The docs](https://example.com/count) say 4.',
			'![chart](chart.png) shows 4.',
			'😀 Four.',
			// As in oobabooga/textgen#7374, with its assistant left out.
			'Hello! 👋 How can I help you today?',
			'✅ Done: 4.',
			'<b>Four</b> it is.',
			'<details>\n<summary>Count</summary>\n4\n</details>',
			'答案是四。',
		];
		for (const answer of answers) {
			for (const chunkSize of SIZES) {
				const got = await read(api, {text: answer, reasoning: 'We need x.', reasoningField: 'harmony', harmony: {stripped: true, restart: false}, chunkSize});
				expect({chunkSize, ...got}).toEqual({chunkSize, text: answer, reasoning: 'We need x.'});
			}
			replies({text: answer, reasoning: 'We need x.', reasoningField: 'harmony', harmony: {stripped: true, restart: false}});
			expect(await backends[api]().complete(messages, options)).toMatchObject({text: answer, reasoning: 'We need x.'});
		}
	});

	it('a thinking line with code that glues final to those shapes, or a final inside inline code or a fence, stays thinking', async () => {
		const thinking = [
			'Try y = cfg.final*2 and cfg.final*a*b, obj.final[0], funcs.final[i](x), cfg.final|mask|0, a.final<b>c and a.final<br>d.',
			'The field `cfg.final` holds it; so does `x.final`.',
			'Draft:\n```python\nv = cfg.final\n```\n',
			'Then done.',
		].join('\n');
		for (const harmony of [{stripped: true}, {stripped: true, restart: false}] as HarmonyVariant[]) {
			for (const chunkSize of SIZES) {
				const got = await read(api, {text: BLOCK, reasoning: thinking, reasoningField: 'harmony', harmony, chunkSize});
				expect({chunkSize, ...got}).toEqual({chunkSize, text: BLOCK, reasoning: thinking});
			}
			replies({text: BLOCK, reasoning: thinking, reasoningField: 'harmony', harmony});
			expect(await backends[api]().complete(messages, options)).toMatchObject({text: BLOCK, reasoning: thinking});
		}
	});

	it('final glued to a word at the thinking\'s end (…to answerfinalFour) is the channel; inside a name it is not', async () => {
		for (const answer of ['Four', 'Four.', 'The count is 4.', BLOCK]) {
			for (const chunkSize of SIZES) {
				const got = await read(api, {text: answer, reasoning: 'We need to answer', reasoningField: 'harmony', harmony: {stripped: true, restart: false}, chunkSize});
				expect({chunkSize, ...got}).toEqual({chunkSize, text: answer, reasoning: 'We need to answer'});
			}
			replies({text: answer, reasoning: 'We need to answer', reasoningField: 'harmony', harmony: {stripped: true, restart: false}});
			expect(await backends[api]().complete(messages, options)).toMatchObject({text: answer, reasoning: 'We need to answer'});
		}
		const names = 'See semifinalResult = 3, x.isfinalValue, y = 2 and the semifinal.\nDone.';
		for (const chunkSize of SIZES) {
			const got = await read(api, {text: BLOCK, reasoning: names, reasoningField: 'harmony', harmony: {stripped: true, restart: false}, chunkSize});
			expect({chunkSize, ...got}).toEqual({chunkSize, text: BLOCK, reasoning: names});
		}
		replies({text: BLOCK, reasoning: names, reasoningField: 'harmony', harmony: {stripped: true, restart: false}});
		expect(await backends[api]().complete(messages, options)).toMatchObject({text: BLOCK, reasoning: names});
	});

	it('thinking that opens with a word, a colon and a line break (analysisMaybe:\n```repl…) is thinking when a final channel follows, its draft never runs (tryout); with none after it, the same start is an answer', async () => {
		for (const thinking of ['Maybe:\n```repl\nFINAL("WRONG")\n```\nThen answer.', 'Plan:\n\n1. count.', 'Okay.\nWe count.']) {
			for (const harmony of [{stripped: true}, {stripped: true, restart: false}, {stripped: true, opensWithStart: true}] as HarmonyVariant[]) {
				for (const chunkSize of SIZES) {
					const got = await read(api, {text: BLOCK, reasoning: thinking, reasoningField: 'harmony', harmony, chunkSize});
					expect({chunkSize, ...got}).toEqual({chunkSize, text: BLOCK, reasoning: thinking});
				}
				replies({text: BLOCK, reasoning: thinking, reasoningField: 'harmony', harmony});
				expect(await backends[api]().complete(messages, options)).toMatchObject({text: BLOCK, reasoning: thinking});
			}
		}
		// Cut before its final channel: nothing tells it from an answer with a label (analysisData:\n…),
		// unless the echoed assistant came first.
		for (const chunkSize of SIZES) {
			const got = await read(api, {text: 'assistantanalysisMaybe:\n```repl\nx = 1\n```\nThen', chunkSize});
			expect({chunkSize, ...got}).toEqual({chunkSize, text: '', reasoning: 'Maybe:\n```repl\nx = 1\n```\nThen'});
		}
		for (const text of ['analysisMaybe:\n```repl\nx = 1\n```\nThen', 'analysisData:\n```repl\nFINAL("d")\n```']) {
			for (const chunkSize of SIZES) {
				expect({chunkSize, ...(await read(api, {text, chunkSize}))}).toEqual({chunkSize, text, reasoning: ''});
			}
			replies({text});
			expect(await backends[api]().complete(messages, options)).toMatchObject({text, reasoning: ''});
		}
	});

	it('a commentary message (a preamble, a tool call) is thinking, its header gone and a line break before it, as in the tokened form', async () => {
		const preamble = 'Let me look at the context first.';
		const cases: Array<[HarmonyVariant, string]> = [
			[{stripped: true, commentary: {text: preamble}}, `${ANALYSIS}\n${preamble}`],
			[{stripped: true, restart: false, commentary: {text: preamble}}, `${ANALYSIS}\n${preamble}`],
			[{stripped: true, commentary: {text: '{"path":"."}', to: 'ls'}}, `${ANALYSIS}\n{"path":"."}`],
			[{stripped: true, restart: false, commentary: {text: '{"path":"."}', to: 'ls'}}, `${ANALYSIS}\n{"path":"."}`],
		];
		for (const [harmony, thinking] of cases) {
			for (const chunkSize of SIZES) {
				const got = await read(api, {text: BLOCK, reasoning: ANALYSIS, reasoningField: 'harmony', harmony, chunkSize});
				expect({chunkSize, harmony, ...got}).toEqual({chunkSize, harmony, text: BLOCK, reasoning: thinking});
			}
			replies({text: BLOCK, reasoning: ANALYSIS, reasoningField: 'harmony', harmony});
			expect(await backends[api]().complete(messages, options)).toMatchObject({text: BLOCK, reasoning: thinking});
		}
		// A tool call's header with a line break after it, as some templates write it.
		const call = `analysis${ANALYSIS}assistantcommentary to=functions.web_search json\n{"query":"x"}assistantfinal${BLOCK}`;
		for (const chunkSize of SIZES) {
			expect({chunkSize, ...(await read(api, {text: call, chunkSize}))}).toEqual({chunkSize, text: BLOCK, reasoning: `${ANALYSIS}\n{"query":"x"}`});
		}
		// The words in the thinking's prose or code are the thinking's.
		const words = 'The analysis: the commentary is long. x.analysisMode = 1 and `s.commentaryText, y` then "analysis" ends.';
		for (const chunkSize of SIZES) {
			const got = await read(api, {text: BLOCK, reasoning: words, reasoningField: 'harmony', harmony: {stripped: true}, chunkSize});
			expect({chunkSize, ...got}).toEqual({chunkSize, text: BLOCK, reasoning: words});
		}
	});

	it('a reply that opens with prose about a harmony token is the answer', async () => {
		for (const text of ['<|channel|> is a harmony token. It names the channel.', '<|start|> begins a message.\n```repl\nFINAL("ok")\n```', '<|channel|>: see the docs.']) {
			for (const chunkSize of SIZES) {
				expect({chunkSize, ...(await read(api, {text, chunkSize}))}).toEqual({chunkSize, text, reasoning: ''});
			}
		}
	});

	it('ordinary replies that begin with a channel or role name, or hold one glued in code, are the answer', async () => {
		const answers = [
			'assistant: here is the count.\n```repl\nFINAL(str(len(context)))\n```',
			'assistantfinal is not a word.',
			'Assistant here. The answer is 4.',
			'final answer: 4',
			'finalResult = compute()\nprint(finalResult)',
			'final```repl\nx = 1\n```',
			'analysis: the counts differ.',
			'analysisResult = compute(context)\nprint(analysisResult)',
			'commentary: none needed.',
			'commentaryText = "x"',
			// A label or a YAML key glued to analysis, a line break after it, and no final channel after.
			'analysisData:\n```repl\nFINAL("d")\n```',
			'analysisData:\n  rows: 3\n  cols: 2',
			'analysisData:\n- a\n- b',
			'```repl\nresult = {"final": 1}\nprint(result.final if hasattr(result, "final") else result)\n```',
			'```repl\nanalysis = "x"\nfinal = analysis.upper()\nFINAL(final)\n```',
			'The semifinal.final result is 4.',
			'It is "final". Final answer: 4',
		];
		for (const text of answers) {
			for (const chunkSize of SIZES) {
				expect({chunkSize, ...(await read(api, {text, chunkSize}))}).toEqual({chunkSize, text, reasoning: ''});
			}
		}
	});

	it('stripped thinking that mentions or quotes the word final, or drafts code with it, stays thinking up to the real final channel', async () => {
		const thinking = 'We need the "final" answer. The final one: x.finalize() and obj.final_value, result.finalResult.sort(), x = cfg.final\nThen y = cfg.final**2 and z = cfg.final\nnext.';
		for (const harmony of [{stripped: true}, {stripped: true, restart: false}] as HarmonyVariant[]) {
			for (const chunkSize of SIZES) {
				const got = await read(api, {text: BLOCK, reasoning: thinking, reasoningField: 'harmony', harmony, chunkSize});
				expect({chunkSize, ...got}).toEqual({chunkSize, text: BLOCK, reasoning: thinking});
			}
		}
	});
});

it('the fake server writes the variants as the bug reports show them', () => {
	expect(harmonyText('We need to compute.', BLOCK, {stripped: true, opensWithStart: true})).toBe(`assistantanalysisWe need to compute.assistantfinal${BLOCK}`);
	expect(harmonyText('We need to compute.', BLOCK, {stripped: true, restart: false})).toBe(`analysisWe need to compute.final${BLOCK}`);
	expect(harmonyText('We need to compute.', BLOCK, {stripped: true, constrain: 'json'})).toBe(`analysisWe need to compute.assistantfinal json${BLOCK}`);
});
