// An end-of-turn token left at the end of a reply's text by a server with a wrong chat template or
// skip_special_tokens=false (Phi-3's <|end|>: ggml-org/llama.cpp#6903; </s>: ggml-org/llama.cpp#6872;
// <|eot_id|>: pytorch/torchchat#459; Gemma's <end_of_turn>, repeated: apple/coreai-models#25), through
// the real SDKs at every delta size: the token is dropped, nothing else of the reply is.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {AnthropicBackend} from '../../source/backends/anthropic.js';
import {OpenAIBackend} from '../../source/backends/openai.js';
import {ParamMemory} from '../../source/backends/request-params.js';
import type {ChatMessage} from '../../source/backends/types.js';
import {callModel} from '../../source/engine/model-call.js';
import {queueResponder, startFakeLlmServer, type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['m']});
});
afterAll(async () => {
	await server?.close();
});

const messages: ChatMessage[] = [{role: 'user', content: 'How many?'}];
const options = {model: 'm'};
const backends = {
	openai: () => new OpenAIBackend({baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries: 0, paramMemory: new ParamMemory()}),
	anthropic: () => new AnthropicBackend({baseURL: server.anthropicBaseURL, apiKey: 'k', maxRetries: 0}),
};
const apis = ['openai', 'anthropic'] as const;
const SIZES = Array.from({length: 13}, (_, i) => i + 1);

async function read(api: (typeof apis)[number], reply: FakeReply) {
	server.setResponder(queueResponder([reply]));
	const result = await callModel(backends[api](), messages, options);
	return {text: result.text, reasoning: result.reasoning};
}

const TOKENS = ['<|end|>', '<|im_end|>', '</s>', '<|eot_id|>', '<|return|>', '<|endoftext|>', '<|end_of_text|>', '<end_of_turn>'];
const BLOCK = '```repl\nFINAL("tok")\n```';

describe.each(apis)('%s: an end-of-turn token at the end of the text', (api) => {
	it.each(TOKENS)('%s after a closing fence, after prose, repeated: dropped, the rest kept', async (token) => {
		const cases: Array<[string, string]> = [
			[`${BLOCK}${token}`, BLOCK],
			[`${BLOCK}\n${token}\n`, `${BLOCK}\n`],
			[`The answer is 4.${token}`, 'The answer is 4.'],
			[`${BLOCK}${token}\n${token}\n${token}`, BLOCK],
			[`<think>Count.</think>\n${BLOCK}${token}`, BLOCK],
		];
		for (const [sent, answer] of cases) {
			for (const chunkSize of SIZES) {
				expect({chunkSize, sent, ...(await read(api, {text: sent, chunkSize}))}).toMatchObject({chunkSize, sent, text: answer});
			}
			server.setResponder(queueResponder([{text: sent}]));
			expect({sent, ...(await backends[api]().complete(messages, options))}).toMatchObject({sent, text: answer});
		}
	});

	it('a token that is not at the end, an HTML strikethrough, a lone < and a cut-off start are the text', async () => {
		const kept = [
			'<|im_end|> ends a turn in ChatML.',
			'Qwen writes <|im_end|> after each turn; Llama 3 writes <|eot_id|>.',
			'Old: <s>five</s>',
			'Strike: <s class="a">old</s>',
			'Strike: <S>OLD</s>',
			'x < y and y <',
			'It ends with <|im_e',
			'```repl\nprint("<|end|>")\n```',
		];
		for (const text of kept) {
			for (const chunkSize of SIZES) {
				expect({chunkSize, ...(await read(api, {text, chunkSize}))}).toEqual({chunkSize, text, reasoning: ''});
			}
		}
	});
});
