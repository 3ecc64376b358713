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

describe.each(apis)('%s: a token followed by a new turn, and one that is a word of the text', (api) => {
	it('an end-of-turn token then a new turn (the model ran on into the next turn) ends the reply there (tryout: the next turn was kept as answer text)', async () => {
		const turns: Array<[string, string]> = [
			['<|im_end|>', '\n<|im_start|>user\nAnd the next?<|im_end|>\n<|im_start|>assistant\n'],
			['<|eot_id|>', '<|start_header_id|>user<|end_header_id|>\n\nAnd the next?<|eot_id|>'],
			['<end_of_turn>', '\n<start_of_turn>user\nAnd the next?'],
			['<|end|>', '\n<|user|>\nAnd the next?<|end|>\n<|assistant|>'],
			['</s>', '<s>[INST] And the next? [/INST]'],
			['<|end|>', '<|start|>user<|message|>And the next?<|end|>'],
		];
		for (const [token, next] of turns) {
			for (const [answer, expected] of [[`${BLOCK}`, BLOCK], ['The answer is 4.', 'The answer is 4.'], [`${BLOCK}${token}\n`, BLOCK]]) {
				const sent = `${answer}${token}${next}`;
				for (const chunkSize of SIZES) {
					expect({chunkSize, sent, ...(await read(api, {text: sent, chunkSize}))}).toEqual({chunkSize, sent, text: expected, reasoning: ''});
				}
				server.setResponder(queueResponder([{text: sent}]));
				expect({sent, ...(await backends[api]().complete(messages, options))}).toMatchObject({sent, text: expected});
			}
		}
	});

	it('a chat template shown in a code fence or inline code, and a token at the end after a space (a word of the text), are the text', async () => {
		const kept = [
			'ChatML:\n```\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n```\nThat is all.',
			'Turns join as `<|eot_id|><|start_header_id|>user` in Llama 3.',
			'Close a strikethrough with </s>',
			'Qwen ends each turn with <|im_end|>',
			'Gemma ends its turn with\t<end_of_turn>',
		];
		for (const text of kept) {
			for (const chunkSize of SIZES) {
				expect({chunkSize, ...(await read(api, {text, chunkSize}))}).toEqual({chunkSize, text, reasoning: ''});
			}
			server.setResponder(queueResponder([{text}]));
			expect(await backends[api]().complete(messages, options)).toMatchObject({text});
		}
		// A token glued to the text, after it a space and another: both go. So does a token before a new
		// turn's start that the stream was cut inside.
		for (const [sent, text] of [['Four.</s> </s>', 'Four.'], ['Four.<|im_end|>\n<|im_sta', 'Four.'], ['Four.<|eot_id|><|start_header', 'Four.'], ['1 <', '1 <']]) {
			for (const chunkSize of SIZES) {
				expect({chunkSize, ...(await read(api, {text: sent, chunkSize}))}).toEqual({chunkSize, text, reasoning: ''});
			}
		}
	});
});
