// --tools / toolsCode on the real sandbox: the file runs before the first block, its public
// functions are listed with their docstrings in the system prompt and restored after every block;
// child RLMs run the sub-tools file in their own REPL.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {Sandbox} from '../../source/sandbox/index.js';
import type {ReplFactory} from '../../source/protocol/repl.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

const TOOLS = `import re

def word_count(text, minimum=1):
    """Counts the words of text that have at least \`minimum\` letters."""
    return len([w for w in re.findall(r"[A-Za-z]+", text) if len(w) >= minimum])

def _private():
    return 1
`;

describe('the user\'s tools', () => {
	it('lists them in the system prompt, keeps them through a rebinding, and gives child RLMs their own', async () => {
		server.requests.length = 0;
		const blocks = ['word_count = None', 'print(word_count(context, 3))\nllm_output(str(word_count(context)) + " " + rlm_query("child"))'];
		server.setResponder(
			scripted({
				root: ({turn, system}) => {
					if (system.includes('child helper')) return repl('llm_output(shout("hi"))');
					return repl(blocks[turn]!);
				},
			}),
		);
		const rlm = new Rlm({
			model: 'root-model',
			backend: 'openai',
			baseURL: server.openaiBaseURL,
			apiKey: 'k',
			maxIterations: 4,
			maxDepth: 2,
			logDir: false,
			toolsCode: TOOLS,
			toolsSource: 'helpers.py',
			subToolsCode: 'def shout(text):\n    """A child helper: upper case."""\n    return text.upper()\n',
			subToolsSource: 'child.py',
		});
		try {
			const result = await rlm.completion('count', {context: 'the cat sat on a mat'});
			expect(result.status).toBe('answered');
			expect(result.response).toBe('6 HI');
			const [rebind, use] = result.iterations.map((iteration) => iteration.codeBlocks[0]!.result);
			expect(rebind.stderr).toContain('`word_count` is a reserved name');
			expect(use.stdout.trim()).toBe('4');
			const system = rootRequests(server.requests)[0]!.messages[0]!.content;
			expect(system).toContain('Tools defined for you in the REPL (from helpers.py)');
			expect(system).toContain('`word_count(text, minimum=1)`: Counts the words of text that have at least `minimum` letters.');
			expect(system).not.toContain('_private');
			// The tools are not the model's variables.
			expect(use.variables.map((v) => v.name)).not.toContain('word_count');
		} finally {
			await rlm.dispose();
		}
	});

	it('a tools file that fails stops the run with its error', async () => {
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', logDir: false, toolsCode: 'def broken(:\n    pass\n', toolsSource: 'bad.py'});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.status).toBe('failed');
			expect(result.error).toMatch(/^The tools file bad\.py failed: SyntaxError/);
		} finally {
			await rlm.dispose();
		}
	});

	it('a tools file whose top level loops stops the run naming the time limit, not a bare KeyboardInterrupt', async () => {
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', logDir: false, timeoutSeconds: 1, toolsCode: 'while True:\n    pass\n', toolsSource: 'looptools.py'});
		try {
			const result = await rlm.completion('q', {context: 'c'});
			expect(result.status).toBe('failed');
			expect(result.error).toBe('The tools file looptools.py timed out after 1 s (--timeout)');
		} finally {
			await rlm.dispose();
		}
	});

	it('a REPL that restarts (Python ignored the timeout) runs the tools file again', async () => {
		// A short grace, so the stuck host is replaced quickly.
		const repls: ReplFactory = {start: (options) => Sandbox.start({...options, interruptGraceMs: 1_500})};
		const stuck = 'while True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass';
		server.setResponder(scripted({root: ({turn}) => repl(turn === 0 ? stuck : 'llm_output(str(word_count("a bb ccc", 2)))')}));
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', maxIterations: 3, logDir: false, timeoutSeconds: 2, replFactory: repls, toolsCode: TOOLS, toolsSource: 'helpers.py'});
		try {
			const result = await rlm.completion('count', {context: 'c'});
			expect(result.iterations[0]!.codeBlocks[0]!.result.error).toMatch(/restarted/);
			expect(result.status).toBe('answered');
			expect(result.response).toBe('2');
		} finally {
			await rlm.dispose();
		}
	});
});
