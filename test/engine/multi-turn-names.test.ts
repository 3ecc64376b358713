// The original RLM's names for multi-turn state, on the real sandbox: context_0 … context_N (one
// per turn, `context` the current one) and history_0 … history_N (each earlier turn's messages),
// restored after every block like the other reserved names.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

describe('context_N and history_N', () => {
	it('keeps every turn\'s context and every earlier turn\'s messages under the original\'s names', async () => {
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', maxIterations: 4, logDir: false});
		try {
			server.setResponder(scripted({root: () => repl('llm_output(context.upper())')}));
			const first = await rlm.completion('q1', {context: 'alpha text'});
			expect(first.response).toBe('ALPHA TEXT');

			server.requests.length = 0;
			const second = [
				// A block that rebinds the numbered names: they come back after it, and it is told so.
				'context_0 = "clobbered"\nhistory_0 = None\nprint(SHOW_VARS())',
				[
					'roles = [m["role"] for m in history_0]',
					'print(context_0, "|", context_1, "|", context is context_1)',
					'print(roles[0], roles[-1], history_0[-1]["content"].count("llm_output"))',
					'llm_output(f"{context_0}+{context_1}+{len(history)}")',
				].join('\n'),
			];
			server.setResponder(scripted({root: ({turn}) => repl(second[turn]!)}));
			const result = await rlm.completion('q2', {context: 'beta text'});
			expect(result.status).toBe('answered');
			expect(result.response).toBe('alpha text+beta text+1');
			const [rebind, read] = result.iterations.map((iteration) => iteration.codeBlocks[0]!.result);
			expect(rebind.stdout).toContain('No variables yet.');
			expect(rebind.stderr).toMatch(/`history_0`, `context_0` are reserved names|`context_0`, `history_0` are reserved names/);
			expect(read.stdout).toContain('alpha text | beta text | True');
			// history_0 is the first turn's root conversation: system prompt first, the answering reply last.
			expect(read.stdout).toContain('system assistant 1');
			// The model is told what it has.
			const first2 = rootRequests(server.requests)[0]!.messages[1]!.content;
			expect(first2).toContain('You have 2 contexts available (`context_0` through `context_1`');
			expect(first2).toContain('`history_0`');
			// The public history stays questions and answers.
			expect(rlm.history).toEqual([
				{question: 'q1', answer: 'ALPHA TEXT'},
				{question: 'q2', answer: 'alpha text+beta text+1'},
			]);
		} finally {
			await rlm.dispose();
		}
	});
});
