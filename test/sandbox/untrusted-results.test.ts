// Model code that tampers with the REPL's own machinery to hand back results the parent cannot
// use (a final answer that is not text, variables that are not names): the block fails with an
// explanation, the REPL is replaced, and the session goes on. Against a real sandbox and the CLI.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Sandbox} from '../../source/sandbox/index.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';
import {testCacheDir} from './helpers.js';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await Sandbox.start({cacheDir: testCacheDir});
	await sandbox.setContext('kept context');
	await sandbox.beginTurn([{question: 'earlier', answer: 'before'}]);
});

afterAll(async () => {
	await sandbox?.dispose();
});

describe('a result that breaks the protocol', () => {
	it('a final answer that is not a string fails the block, says why, and the REPL is replaced', async () => {
		await sandbox.run('doomed = 1');
		const pid = sandbox.pid;
		const result = await sandbox.run('import _rlm\nprint("tampering")\n_rlm._st.final = 42');
		expect(result.ok).toBe(false);
		expect(result.final).toBeNull();
		expect(result.restarted).toBe(true);
		expect(result.limit).toBe('crashed');
		expect(result.error).toMatch(/breaks the sandbox's protocol \(result\.final: .*expected string/);
		expect(result.error).toMatch(/restarted: every variable is gone; context and history were reloaded/);
		expect(result.stdout).toBe('tampering\n');
		expect(result.variables).toEqual([]);
		expect(sandbox.pid).not.toBe(pid);
		const after = await sandbox.run('print(context, history[0]["answer"], "doomed" in dir())\nllm_output("text again")');
		expect(after.ok).toBe(true);
		expect(after.stdout).toBe('kept context before False\n');
		expect(after.final).toBe('text again');
	});

	it('a variable whose name is not a string fails the block the same way', async () => {
		const result = await sandbox.run('import _rlm\n_rlm._user_variables = lambda: [{"name": 7, "type": "int"}]');
		expect(result.ok).toBe(false);
		expect(result.restarted).toBe(true);
		expect(result.error).toMatch(/protocol \(result\.variables\.\d+\.name: /);
		expect((await sandbox.run('print(1 + 1)')).stdout).toBe('2\n');
	});

	it('an unbounded list of variables is refused', async () => {
		// The prelude lists at most 1,000: a tampered lister is what could send more.
		const result = await sandbox.run('import _rlm\n_rlm._listed_variables = lambda: {"variables": [{"name": "v", "type": "int"}] * 200_000}');
		expect(result.ok).toBe(false);
		expect(result.restarted).toBe(true);
		expect(result.error).toMatch(/protocol \(result\.variables: Too big/);
		expect((await sandbox.run('x = 5\nx')).stdout).toBe('5\n');
	});

	it('a replaced block runner cannot wedge the session: its first bad result brings a fresh REPL', async () => {
		const patched = await sandbox.run('import _rlm, json\n_rlm.run = lambda code: json.dumps({"ok": True, "final": None})');
		expect(patched.ok).toBe(true);
		const broken = await sandbox.run('print("never runs")');
		expect(broken.ok).toBe(false);
		expect(broken.restarted).toBe(true);
		expect(broken.error).toMatch(/protocol \(result\.error: /);
		expect((await sandbox.run('print("runs again")')).stdout).toBe('runs again\n');
	});
});

describe('the CLI, when model code hands back a final answer that is not a string', () => {
	let server: FakeLlmServer;
	beforeAll(async () => {
		server = await startFakeLlmServer({models: ['root-model']});
	});
	afterAll(async () => {
		await server?.close();
	});

	it('does not crash: the model is told, and answers on its next turn', async () => {
		server.setResponder(
			scripted({
				root: ({turn, lastUser}) => {
					if (turn === 0) return repl('import _rlm\n_rlm._st.final = {"not": "text"}');
					return repl(`llm_output(${JSON.stringify(/breaks the sandbox's protocol \(result\.final/.test(lastUser) ? 'told why' : 'not told')})`);
				},
			}),
		);
		// Before the checks, this printed "rlm-tui: unexpected error: shown.endsWith is not a function" and exited 1.
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '-p', 'q']);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('told why');
		expect(rootRequests(server.requests)).toHaveLength(2);
	});
});
