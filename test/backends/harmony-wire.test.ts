// gpt-oss's harmony channels left in the answer text (vLLM, llama.cpp, LM Studio and MLX servers that
// do not parse them, and gateways in front of them), in the template's variants, through the real
// SDKs and the engine's reading of a reply: split across deltas of every size from 1 to 13 and cut
// anywhere. The final channel is the answer; the analysis and commentary channels are thinking; no
// token, header or thinking ever reaches the answer.
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
	openai: (maxRetries = 2) => new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries, paramMemory: new ParamMemory()}),
	anthropic: (maxRetries = 2) => new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'k', maxRetries}),
};

function replies(...queue: FakeReply[]) {
	server.requests.length = 0;
	server.setResponder(queueResponder(queue));
}

/** Thinking with a block and a FINAL in it, and an answer with its own block. */
const ANALYSIS = 'We need the count. Draft:\n```repl\nllm_output("guess")\n```\nFINAL("WRONG")';
const FINAL = 'Counting.\n```repl\nllm_output(str(len(context)))\n```';
const PREAMBLE = 'Let me look at the context first.';

const variants: Array<[string, HarmonyVariant, string]> = [
	['canonical, ended by <|return|>', {}, ANALYSIS],
	['no <|return|> (the server stopped on it)', {end: ''}, ANALYSIS],
	['ended by <|end|>', {end: '<|end|>'}, ANALYSIS],
	['no <|start|>assistant between messages', {restart: false}, ANALYSIS],
	['opening with <|start|>assistant, line breaks between messages', {opensWithStart: true, newlines: true}, ANALYSIS],
	['a commentary preamble before the final channel', {commentary: {text: PREAMBLE}}, `${ANALYSIS}\n${PREAMBLE}`],
	['a final header with <|constrain|>', {constrain: 'json', end: ''}, ANALYSIS],
	['a commentary preamble, no <|start|>, no <|return|>', {commentary: {text: PREAMBLE}, restart: false, end: ''}, `${ANALYSIS}\n${PREAMBLE}`],
	['a final channel without <|message|>', {finalWithoutMessage: true}, ANALYSIS],
	['its tokens stripped (analysisWe need…assistantfinal…)', {stripped: true}, ANALYSIS],
	['its tokens stripped, a final header constrained to json (…assistantfinal json…)', {stripped: true, constrain: 'json'}, ANALYSIS],
	['its tokens stripped, opening with <|start|>assistant (assistantanalysisWe need…)', {stripped: true, opensWithStart: true}, ANALYSIS],
	['its tokens stripped, no <|start|>assistant between messages (analysisWe need….final…)', {stripped: true, restart: false}, ANALYSIS],
];
const apis = ['openai', 'anthropic'] as const;
const SIZES = Array.from({length: 13}, (_, i) => i + 1);

describe.each(apis)('%s: harmony text split across deltas of every size', (api) => {
	it.each(variants)('%s: the final channel is the answer, the other channels thinking', async (_name, harmony, thinking) => {
		for (const chunkSize of SIZES) {
			replies({text: FINAL, reasoning: ANALYSIS, reasoningField: 'harmony', harmony, chunkSize});
			const result = await callModel(backends[api](), messages, options);
			expect({chunkSize, text: result.text, reasoning: result.reasoning}).toEqual({chunkSize, text: FINAL, reasoning: thinking});
			expect(result.finishReason).toBe('stop');
		}
		replies({text: FINAL, reasoning: ANALYSIS, reasoningField: 'harmony', harmony});
		expect(await backends[api]().complete(messages, options)).toMatchObject({text: FINAL, reasoning: thinking});
	});

	it('an answer whose last character is < and no <|return|> after it: the < is kept; a token cut by the end goes', async () => {
		for (const chunkSize of SIZES) {
			replies({text: 'Is 1 <', reasoning: 'hm', reasoningField: 'harmony', harmony: {end: ''}, chunkSize});
			expect({chunkSize, text: (await callModel(backends[api](), messages, options)).text}).toEqual({chunkSize, text: 'Is 1 <'});
			replies({text: 'Is 1 <|ret', reasoning: 'hm', reasoningField: 'harmony', harmony: {end: ''}, chunkSize});
			expect({chunkSize, text: (await callModel(backends[api](), messages, options)).text}).toEqual({chunkSize, text: 'Is 1 '});
		}
	});

	it('a commentary tool call and no final channel: no answer, all of it thinking', async () => {
		const harmony: HarmonyVariant = {commentary: {text: '{"path":"."}', to: 'ls'}};
		const text = harmonyText(ANALYSIS, '', harmony).replace(/<\|start\|>assistant<\|channel\|>final<\|message\|><\|return\|>$/, '');
		expect(text.endsWith('<|call|>')).toBe(true);
		for (const chunkSize of SIZES) {
			replies({text, chunkSize});
			const result = await callModel(backends[api](), messages, options);
			expect({chunkSize, text: result.text, reasoning: result.reasoning}).toEqual({chunkSize, text: '', reasoning: `${ANALYSIS}\n{"path":"."}`});
		}
	});
});

/** Every place a cut can fall in a harmony reply once its first token came (before, nothing tells
 * `<|chan` or `analysis` from answer text), with chunk sizes 1 to 13 in turn. */
function cutPoints(text: string): Array<{at: number; chunkSize: number}> {
	const opener = /^(?:assistant)?analysis/.exec(text);
	const first = opener ? opener[0].length + 'We n'.length : text.indexOf('|>') + 2;
	return Array.from({length: text.length - first}, (_, i) => ({at: first + i, chunkSize: (i % 13) + 1}));
}

describe.each(apis)('%s: a harmony reply cut anywhere (no retries left)', (api) => {
	it.each(variants)('%s: what came is kept or refused coherently: no token or thinking in the answer', async (_name, harmony) => {
		const whole = harmonyText(ANALYSIS, FINAL, harmony);
		for (const {at, chunkSize} of cutPoints(whole)) {
			replies({text: FINAL, reasoning: ANALYSIS, reasoningField: 'harmony', harmony, chunkSize, drop: {afterChars: at, how: 'end'}});
			let result: Awaited<ReturnType<typeof callModel>> | undefined;
			let caught: unknown;
			try {
				result = await callModel(backends[api](0), messages, options);
			} catch (error) {
				caught = error;
			}
			const seen = {at, sent: whole.slice(0, at)};
			if (result === undefined) {
				// Nothing of the answer came: the cut is an error (the same one a retry would have followed).
				expect({...seen, error: (caught as Error).message}).toEqual({...seen, error: expect.stringMatching(/closed the stream before the reply ended/)});
				continue;
			}
			// Some of the final channel came: kept as a cut reply, its text a part of the answer alone.
			expect({...seen, finishReason: result.finishReason, partOfAnswer: true}).toEqual({...seen, finishReason: 'dropped', partOfAnswer: true});
			expect(result.text.trim()).not.toBe('');
		}
	});
});

describe.each(apis)('%s: a harmony reply cut and retried', (api) => {
	const whole = harmonyText(ANALYSIS, FINAL);
	const header = whole.indexOf('<|channel|>final');
	const cuts: Array<[string, number]> = [
		['in the analysis channel', 30],
		['in <|end|>', whole.indexOf('<|end|>') + 3],
		['in the final channel’s header', header + 5],
		['in the final channel’s <|message|>', header + '<|channel|>final'.length + 6],
		['right after the final channel’s <|message|>', header + '<|channel|>final<|message|>'.length],
	];

	it('cut in a final channel without <|message|>: what came of its answer is withdrawn, and the answer is the retry’s alone', async () => {
		const harmony: HarmonyVariant = {finalWithoutMessage: true};
		const at = harmonyText(ANALYSIS, FINAL, harmony).indexOf('Counting.') + 5;
		replies({text: FINAL, reasoning: ANALYSIS, reasoningField: 'harmony', harmony, chunkSize: 5, drop: {afterChars: at, how: 'reset'}}, {text: FINAL, reasoning: 'Again.', reasoningField: 'harmony', harmony});
		const withdrawn: string[] = [];
		const result = await callModel(backends[api](), messages, options, {onReplyWithdrawn: () => withdrawn.push('withdrawn')});
		expect(result.text).toBe(FINAL);
		expect(withdrawn).toEqual(['withdrawn']);
		expect(server.requests).toHaveLength(2);
	});

	it.each(cuts)('cut %s: retried as a normal retry, nothing of the cut try in the answer', async (_where, at) => {
		replies({text: FINAL, reasoning: ANALYSIS, reasoningField: 'harmony', chunkSize: 5, drop: {afterChars: at, how: 'reset'}}, {text: FINAL, reasoning: 'Again.', reasoningField: 'harmony'});
		const withdrawn: string[] = [];
		const result = await callModel(backends[api](), messages, options, {onReplyWithdrawn: () => withdrawn.push('withdrawn')});
		expect(result.text).toBe(FINAL);
		expect(result.reasoning).toContain('Again.');
		expect(result.reasoning).not.toContain('<|');
		expect(withdrawn).toEqual([]);
		expect(server.requests).toHaveLength(2);
	});
});
