// Host tools at the sandbox's level: Python's stubs call back through the bridge with JSON text,
// the block's onTool answers, and a host replaced after a crash or an ignored interrupt has them
// again.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Sandbox} from '../../source/sandbox/index.js';
import type {ToolHandler, ToolRequest} from '../../source/sandbox/types.js';
import {testCacheDir} from './helpers.js';

let sandbox: Sandbox;
beforeAll(async () => {
	// A short grace: Python that ignores the interrupt gets its host replaced quickly.
	sandbox = await Sandbox.start({cacheDir: testCacheDir, timeoutMs: 1_500, interruptGraceMs: 1_500});
	await sandbox.setContext('c');
	await sandbox.beginTurn([]);
	await sandbox.setHostTools([{name: 'twice', description: 'Doubles a number.'}]);
});
afterAll(async () => {
	await sandbox?.dispose();
});

const requests: ToolRequest[] = [];
const onTool: ToolHandler = async (request) => {
	requests.push(request);
	const input = JSON.parse(request.input) as unknown;
	return typeof input === 'number' ? {ok: true, value: input * 2} : {ok: false, error: `twice: ${JSON.stringify(input)} is not a number`};
};

describe('host tools in the sandbox', () => {
	it('a stub per tool, with its description as docstring, answered by the block\'s onTool', async () => {
		const result = await sandbox.run('print(twice(21), twice.__doc__)\ntry:\n    twice("x")\nexcept ToolError as e:\n    print("error:", e)', {onTool});
		expect(result.error).toBeUndefined();
		expect(result.stdout).toBe('42 Doubles a number.\nerror: twice: "x" is not a number\n');
		expect(requests.map((request) => request.input)).toEqual(['21', '"x"']);
		// Without a handler the call fails in Python, it does not hang.
		const unanswered = await sandbox.run('twice(1)');
		expect(unanswered.error).toMatch(/ToolError: twice: host tools are not available here$/);
	});

	it('are defined again when the host is replaced', async () => {
		const pid = sandbox.pid;
		const stuck = await sandbox.run('while True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass');
		expect(stuck.restarted).toBe(true);
		expect(sandbox.pid).not.toBe(pid);
		const after = await sandbox.run('print(twice(5))', {onTool});
		expect(after.stdout).toBe('10\n');
	});
});
