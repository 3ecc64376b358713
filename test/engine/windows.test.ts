// The window a server really gives a model, used end to end: the sub-call check, the prompt sizes
// the root is told to keep to, and a warning when the root's own prompt outgrows its window.
import {afterAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent, RlmEventOf} from '../../source/protocol/events.js';
import {startFakeLlmServer, type FakeLlmServer, type FakeModelWindow, type ServerFlavor} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted, subRequests, type Script} from '../support/rlm-script.js';

const servers: FakeLlmServer[] = [];
afterAll(async () => {
	await Promise.all(servers.map((server) => server.close()));
});

async function run(flavor: ServerFlavor, windows: Record<string, FakeModelWindow>, script: Script, question = 'q', subModel?: string, options: {contextWindow?: number; subModelContextTokens?: number} = {}) {
	const server = await startFakeLlmServer({flavor, windows, models: Object.keys(windows)});
	servers.push(server);
	server.setResponder(scripted(script));
	const rlm = new Rlm({model: Object.keys(windows)[0]!, backend: 'openai', baseURL: server.openaiBaseURL, maxIterations: 3, logDir: false, ...(subModel ? {subModel} : {}), ...options});
	const events: RlmEvent[] = [];
	rlm.on('event', (event) => events.push(event));
	try {
		const result = await rlm.completion(question, {context: 'the context'});
		return {result, events, roots: rootRequests(server.requests), subs: subRequests(server.requests), paths: server.paths};
	} finally {
		await rlm.dispose();
	}
}

const of = <T extends RlmEvent['type']>(events: RlmEvent[], type: T) => events.filter((e): e is RlmEventOf<T> => e.type === type);

describe('the sub-model’s real window', () => {
	it('a prompt over vLLM’s max_model_len fails at once in its slot, naming where the window came from', async () => {
		const {result, subs} = await run('vllm', {'big-root': {loaded: 131_072}, 'small-sub': {loaded: 4096}}, {
			root: () => repl('r = llm_query("x" * 30000)\nllm_output(r)'),
			sub: () => ({text: 'never asked'}),
		}, 'q', 'small-sub');
		expect(result.response).toMatch(/^Error: this prompt is about 7,500 tokens, over the 4,096-token window of small-sub \(vLLM max_model_len\)\. Split it into smaller pieces \(e\.g\. chunks of 6,144 characters\)/);
		expect(subs).toHaveLength(0);
	});

	it('the root is told the prompt size the sub-model’s window leaves room for', async () => {
		const {roots} = await run('ollama', {'qwen2.5:7b': {numCtx: 8192}}, {root: () => repl('llm_output("ok")')});
		expect(roots[0]!.messages[0]!.content).toContain("Keep each prompt under about 14,336 characters: the sub-model's window is 8,192 tokens");
	});
});

describe('the root’s own window', () => {
	it('warns once when the conversation outgrows the window the server gives the root model', async () => {
		const {events} = await run('ollama', {'qwen2.5:0.5b': {numCtx: 1024}}, {root: ({turn}) => (turn === 0 ? repl('print("a")') : repl('llm_output("done")'))}, 'Why? '.repeat(700));
		const over = of(events, 'notice').filter((notice) => notice.code === 'prompt_over_window');
		expect(over).toHaveLength(1);
		expect(over[0]!.level).toBe('warn');
		expect(over[0]!.message).toMatch(/over the 1,024-token window of qwen2\.5:0\.5b \(Ollama num_ctx\): the server will cut or refuse it\. Give Ollama a larger window: restart it with OLLAMA_CONTEXT_LENGTH=32768/);
	});

	it('a window given (contextWindow) is used as it is, for sub-calls to the same model too: the server is not asked', async () => {
		const {events, paths} = await run(
			'ollama',
			{'qwen2.5:0.5b': {numCtx: 100_000}},
			{root: ({turn}) => (turn === 0 ? repl('print("a")') : repl('llm_output("done")'))},
			'Why? '.repeat(700),
			undefined,
			{contextWindow: 1024},
		);
		const over = of(events, 'notice').filter((notice) => notice.code === 'prompt_over_window');
		expect(over.map((notice) => notice.message)).toEqual([expect.stringMatching(/over the 1,024-token window of qwen2\.5:0\.5b \(contextWindow\)/)]);
		expect(paths.filter((path) => !path.startsWith('POST /v1/chat/completions'))).toEqual([]);
	});
});
