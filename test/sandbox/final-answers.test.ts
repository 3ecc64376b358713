// Final answers and reserved names in the real sandbox: FINAL / FINAL_VAR / llm_output / the answer
// dict, and what happens when a block rebinds a reserved name. Cases marked "original:" restate the
// original RLM's tests/test_local_repl.py and tests/test_parsing.py for our REPL.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Sandbox} from '../../source/sandbox/index.js';
import type {ExecResult} from '../../source/sandbox/index.js';
import {testCacheDir} from './helpers.js';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await Sandbox.start({cacheDir: testCacheDir});
	await sandbox.setContext('original context content');
	await sandbox.beginTurn([]);
});

afterAll(async () => {
	await sandbox?.dispose();
});

const fresh = () => sandbox.beginTurn([]);

async function ok(code: string): Promise<ExecResult> {
	const result = await sandbox.run(code);
	if (!result.ok) throw new Error(`block failed: ${result.error}`);
	return result;
}

describe('original: the REPL basics', () => {
	it('runs code, captures print, reports ZeroDivisionError and SyntaxError', async () => {
		expect((await ok('x = 1 + 2\nprint(x)')).stdout).toBe('3\n');
		expect((await ok("print('Hello, World!')")).stdout).toBe('Hello, World!\n');
		expect((await sandbox.run('1 / 0')).error).toContain('ZeroDivisionError');
		expect((await sandbox.run('def broken(')).error).toContain('SyntaxError');
	});

	it('keeps variables, functions and comprehensions across blocks; builtins and imports work', async () => {
		await ok('x = 42');
		await ok('y = x + 8');
		expect((await ok('print(y)')).stdout).toBe('50\n');
		await ok('def greet(name):\n    return f"Hello, {name}!"');
		expect((await ok("print(greet('World'))")).stdout).toBe('Hello, World!\n');
		await ok('squares = [x**2 for x in range(5)]');
		expect((await ok('print(squares, sum(squares))')).stdout).toBe('[0, 1, 4, 9, 16] 30\n');
		expect((await ok('print(len([1, 2, 3]), sum([1, 2, 3, 4]), sorted([3, 1, 2]))')).stdout).toBe('3 10 [1, 2, 3]\n');
		expect((await ok('import math\nprint(round(math.pi, 5))')).stdout).toBe('3.14159\n');
	});

	it('llm_query without a model behind it returns an Error string', async () => {
		expect((await ok('response = llm_query("test")\nprint(response)')).stdout).toMatch(/^Error/);
	});
});

describe('original: the answer dict', () => {
	it('starts unready and empty; ready=True submits content; content alone does not', async () => {
		await fresh();
		expect((await ok('print(answer["content"] == "", answer["ready"])')).stdout).toBe('True False\n');
		expect((await ok('answer["content"] = "still working"')).final).toBeNull();
		expect((await ok('answer["content"] = "the result"\nanswer["ready"] = True')).final).toBe('the result');
	});

	it('a rebound plain dict with ready=True is picked up, and a rebound unready dict is re-wrapped', async () => {
		await fresh();
		expect((await ok('answer = {"content": "rebound", "ready": True}')).final).toBe('rebound');
		await fresh();
		await ok('answer = {"content": "intermediate", "ready": False}');
		expect((await ok('answer["content"] = "done"; answer["ready"] = True')).final).toBe('done');
	});

	it('content that is not a string becomes text: short containers on one line', async () => {
		await fresh();
		expect((await ok('answer["content"] = [1, 2, 3]\nanswer["ready"] = True')).final).toBe('[1, 2, 3]');
		await fresh();
		const long = (await ok('llm_output({"rows": list(range(40))})')).final!;
		expect(long).toContain('\n');
		expect(JSON.parse(long)).toEqual({rows: Array.from({length: 40}, (_, i) => i)});
	});
});

describe('original: reserved names are restored after each block', () => {
	it('context, llm_query', async () => {
		await ok('context = "hijacked"');
		expect((await ok('print(context)')).stdout).toBe('original context content\n');
		await ok("llm_query = lambda x: 'hijacked'");
		expect((await ok("r = llm_query('test')\nprint(r)")).stdout).toMatch(/^Error/);
	});

	it('a block that rebinds a reserved name is told so in its output', async () => {
		const result = await ok('context = "mine"\nllm_query = None\nprint("done")');
		expect(result.stdout).toBe('done\n');
		expect(result.stderr).toMatch(/`context`, `llm_query` are reserved names of the REPL and were restored after this block/);
		const quiet = await ok('answer = {"content": "x", "ready": False}\nprint(1)');
		expect(quiet.stderr).toBe('');
		const deleted = await ok('del history');
		expect(deleted.stderr).toMatch(/`history` is a reserved name/);
	});
});

describe('FINAL and FINAL_VAR', () => {
	it('FINAL(x) and FINAL_VAR("x") work in code, as aliases of llm_output', async () => {
		await fresh();
		expect((await ok('FINAL("Paris")')).final).toBe('Paris');
		await fresh();
		expect((await ok('total = 6 * 7\nFINAL(total)')).final).toBe('42');
		await fresh();
		expect((await ok('city = "Lyon"\nFINAL_VAR("city")')).final).toBe('Lyon');
	});

	it('original: FINAL_VAR reads variables of each kind, and their latest value', async () => {
		await fresh();
		await ok('x = 42');
		await ok("result = 'hello world'");
		await ok('computed = 10 * 5 + 2');
		await ok("nested = {'key': 'value', 'num': 123}");
		const read = async (name: string) => (await ok(`FINAL_VAR(${JSON.stringify(name)})`)).final;
		expect(await read('x')).toBe('42');
		expect(await read('result')).toBe('hello world');
		expect(await read('computed')).toBe('52');
		expect(JSON.parse((await read('nested'))!)).toEqual({key: 'value', num: 123});
		await ok('x = 100');
		expect(await read('x')).toBe('100');
		await fresh();
		const missing = await sandbox.run('FINAL_VAR("nonexistent")');
		expect(missing.ok).toBe(false);
		expect(missing.final).toBeNull();
		expect(missing.error).toContain("no variable named 'nonexistent'");
	});

	it('original: FINAL_VAR of a reserved name the model rebound returns its value, never the name', async () => {
		await fresh();
		const rebound = await ok('answer = [1, 2, 3, 4, 5]');
		expect(rebound.stderr).toMatch(/`answer` is a reserved name.*FINAL_VAR\('answer'\) still submits the value you assigned/);
		expect((await ok('FINAL_VAR("answer")')).final).toBe('[1, 2, 3, 4, 5]');
		await fresh();
		expect((await ok('context = "my own text"\nFINAL_VAR("context")')).final).toBe('my own text');
	});

	it('FINAL_VAR of a reserved name that was not rebound is a clear error', async () => {
		for (const name of ['answer', 'context', 'history', 'llm_query']) {
			await fresh();
			const result = await sandbox.run(`FINAL_VAR(${JSON.stringify(name)})`);
			expect(result.ok).toBe(false);
			expect(result.final).toBeNull();
			expect(result.error).toContain(`FINAL_VAR('${name}'): '${name}' is a reserved name`);
		}
		// The answer dict's content counts once the model put something there.
		await fresh();
		expect((await ok('answer["content"] = "drafted"\nFINAL_VAR("answer")')).final).toBe('drafted');
	});

	it('llm_output(answer) submits the dict content, or says the dict is empty', async () => {
		await fresh();
		expect((await ok('answer["content"] = "from the dict"\nllm_output(answer)')).final).toBe('from the dict');
		await fresh();
		const empty = await sandbox.run('FINAL(answer)');
		expect(empty.ok).toBe(false);
		expect(empty.error).toContain("`answer` is the REPL's answer dict and its content is empty");
	});

	it('a rebinding is forgotten at the next turn', async () => {
		await ok('context = "this turn only"');
		await fresh();
		expect((await sandbox.run('FINAL_VAR("context")')).ok).toBe(false);
	});
});
