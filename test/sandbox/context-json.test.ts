// JSON contexts in the real sandbox: a list, a dict of values, numbers and bools arrive in Python
// as the parsed values the original RLM gives (`json.loads`), and are restored after every block
// like the dict-of-text context.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Sandbox} from '../../source/sandbox/index.js';
import type {ExecResult} from '../../source/sandbox/index.js';
import {testCacheDir} from './helpers.js';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await Sandbox.start({cacheDir: testCacheDir});
	await sandbox.beginTurn([]);
});

afterAll(async () => {
	await sandbox?.dispose();
});

async function ok(code: string): Promise<ExecResult> {
	const result = await sandbox.run(code);
	expect(result.error).toBeUndefined();
	expect(result.ok).toBe(true);
	return result;
}

describe('JSON contexts', () => {
	it('a list of records is a Python list of dicts, with None, bools, ints and floats', async () => {
		await sandbox.setContext([{id: 1, name: 'ä', tags: ['x'], score: 2.5, ok: true, note: null}, {id: 2, name: 'b', tags: [], score: -1, ok: false, note: 'n'}]);
		const result = await ok(
			'print(type(context).__name__, len(context))\nfor row in context: print({k: type(v).__name__ for k, v in row.items()})\nprint(sum(r["score"] for r in context), context[0]["name"])',
		);
		expect(result.stdout).toBe(
			[
				'list 2',
				"{'id': 'int', 'name': 'str', 'tags': 'list', 'score': 'float', 'ok': 'bool', 'note': 'NoneType'}",
				"{'id': 'int', 'name': 'str', 'tags': 'list', 'score': 'int', 'ok': 'bool', 'note': 'str'}",
				'1.5 ä',
				'',
			].join('\n'),
		);
	});

	it('a dict with non-text values is a dict of parsed values; text dicts stay text', async () => {
		await sandbox.setContext({'data.json': {a: [1, 2]}, 'rows.jsonl': [{n: 1}], 'notes.md': '# notes'});
		expect((await ok('print({k: type(v).__name__ for k, v in context.items()}, context["data.json"]["a"][1])')).stdout).toBe(
			"{'data.json': 'dict', 'rows.jsonl': 'list', 'notes.md': 'str'} 2\n",
		);
		await sandbox.setContext({'a.txt': 'alpha'});
		expect((await ok('print(context)')).stdout).toBe("{'a.txt': 'alpha'}\n");
	});

	it('a number or a bool is that value', async () => {
		for (const [value, printed] of [
			[42, 'int 42'],
			[0.25, 'float 0.25'],
			[true, 'bool True'],
		] as const) {
			await sandbox.setContext(value);
			expect((await ok('print(type(context).__name__, context)')).stdout).toBe(`${printed}\n`);
		}
	});

	it('a list\'s items and a dict\'s keys come back after a block changes them', async () => {
		await sandbox.setContext([1, 2, 3]);
		await ok('context.append(4)\ncontext[0] = 99');
		expect((await ok('print(context)')).stdout).toBe('[1, 2, 3]\n');
		await sandbox.setContext({a: 1, b: [2]});
		await ok('context["c"] = 3\ndel context["a"]');
		expect((await ok('print(context)')).stdout).toBe("{'a': 1, 'b': [2]}\n");
		await ok('context = "mine"');
		expect((await ok('print(type(context).__name__)')).stdout).toBe('dict\n');
	});

	it('a large list loads whole', async () => {
		const rows = Array.from({length: 200_000}, (_, i) => ({i, text: `row ${i}`}));
		await sandbox.setContext(rows);
		expect((await ok('print(len(context), context[-1]["text"], sum(r["i"] for r in context))')).stdout).toBe(
			`200000 row 199999 ${(199_999 * 200_000) / 2}\n`,
		);
	});
});
