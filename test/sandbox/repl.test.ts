// The REPL API inside Python, the bridge, context loading and output, against a real sandbox.
import crypto from 'node:crypto';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Sandbox} from '../../source/sandbox/index.js';
import type {BridgeRequest, ExecResult} from '../../source/sandbox/index.js';
import {cpuSeconds, testCacheDir} from './helpers.js';

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await Sandbox.start({cacheDir: testCacheDir, maxOutputChars: 2_000});
	await sandbox.setContext('the context');
	await sandbox.beginTurn([]);
});

afterAll(async () => {
	await sandbox?.dispose();
});

async function ok(code: string, options?: Parameters<Sandbox['run']>[1]): Promise<ExecResult> {
	const result = await sandbox.run(code, options);
	if (!result.ok) throw new Error(`block failed: ${result.error}`);
	return result;
}

describe('the namespace', () => {
	it('persists variables across run() calls and echoes a last expression', async () => {
		await ok('counter = 40\ndef bump(n):\n    return n + 1');
		const result = await ok('counter = bump(counter)\ncounter + 1');
		expect(result.stdout).toBe('42\n');
		expect((await ok('print(counter)')).stdout).toBe('41\n');
	});

	it('lists user variables with their types, without reserved names, modules or dunders', async () => {
		const result = await ok('import re\nwords = ["a"]\n__hidden__ = 1\n_mine = 2.5');
		const names = result.variables.map((v) => v.name);
		expect(result.variables).toContainEqual({name: 'words', type: 'list'});
		expect(result.variables).toContainEqual({name: '_mine', type: 'float'});
		expect(result.variables).toContainEqual({name: 'bump', type: 'function'});
		for (const hidden of ['re', '__hidden__', '__builtins__', 'context', 'llm_query', 'answer', 'history', 'SHOW_VARS'])
			expect(names).not.toContain(hidden);
		expect((await ok('SHOW_VARS()')).stdout).toContain('words (list)');
	});

	it('restores reserved names after every block (a block still sees its own rebinding)', async () => {
		const inside = await ok(
			'context = "mine"\nllm_query = None\nhistory = 5\nSHOW_VARS = 1\nFINAL_VAR = 2\nprint(context)',
		);
		expect(inside.stdout).toBe('mine\n');
		const after = await ok(
			'print(context, callable(llm_query), type(history).__name__, callable(SHOW_VARS), callable(FINAL_VAR))',
		);
		expect(after.stdout).toBe('the context True list True True\n');
		expect(after.variables.map((v) => v.name)).not.toContain('llm_query');
	});

	it('reports errors with a traceback pointing into the block, and goes on', async () => {
		const result = await sandbox.run('x = 1\ny = x / 0');
		expect(result.ok).toBe(false);
		expect(result.error).toContain('ZeroDivisionError');
		expect(result.error).toContain('line 2');
		expect(result.error).not.toContain('_rlm');
		const syntax = await sandbox.run('def broken(:\n  pass');
		expect(syntax.ok).toBe(false);
		expect(syntax.error).toContain('SyntaxError');
		expect((await ok('print(x)')).stdout).toBe('1\n');
	});

	it('a huge error message keeps the traceback and the exception type at its head, and says what was cut', async () => {
		const result = await sandbox.run("raise ValueError('E' * 2_000_000)");
		expect(result.ok).toBe(false);
		expect(result.error).toMatch(/^Traceback \(most recent call last\):\n[\s\S]*line 1[\s\S]*\nValueError: EEE/);
		expect(result.error).toMatch(/\.\.\. \[[\d,]+ characters cut\] \.\.\.\nE+$/);
		expect(result.error!.length).toBeLessThan(6100);
	});

	it('refuses stdin', async () => {
		const result = await sandbox.run('input("name? ")');
		expect(result.ok).toBe(false);
		expect(result.error).toMatch(/EOFError|OSError/);
	});
});

describe('final answers', () => {
	const fresh = () => sandbox.beginTurn([]);

	it('llm_output submits the answer', async () => {
		await fresh();
		expect((await ok('llm_output("forty-two")')).final).toBe('forty-two');
	});

	it('FINAL_VAR takes a variable name, or a value; an undefined name is an error, not the answer', async () => {
		await fresh();
		expect((await ok('result = "from a variable"\nFINAL_VAR("result")')).final).toBe('from a variable');
		await fresh();
		const typo = await sandbox.run('total_cnt = 42\nFINAL_VAR("total_count")');
		expect(typo.ok).toBe(false);
		expect(typo.final).toBeNull();
		expect(typo.error).toMatch(/NameError: FINAL_VAR\('total_count'\): there is no variable named 'total_count'.*SHOW_VARS/);
		await fresh();
		expect((await ok('FINAL_VAR("Paris, France")')).final).toBe('Paris, France');
		await fresh();
		expect(JSON.parse((await ok('FINAL_VAR({"a": [1, 2]})')).final!)).toEqual({a: [1, 2]});
	});

	it('answer["ready"] submits answer["content"], also when the dict is rebound', async () => {
		await fresh();
		expect((await ok('answer["content"] = "draft"')).final).toBeNull();
		expect((await ok('answer["ready"] = True')).final).toBe('draft');
		await fresh();
		expect((await ok('answer = {"content": 42, "ready": True}')).final).toBe('42');
		expect((await ok('print(answer)')).stdout).toContain("'ready': True");
	});

	it('a block without an answer has final null', async () => {
		await fresh();
		expect((await ok('print("thinking")')).final).toBeNull();
	});

	it('beginTurn resets the answer and sets history', async () => {
		await ok('llm_output("old")');
		await sandbox.beginTurn([{question: 'What is 1+1?', answer: '2'}]);
		const result = await ok('print(answer, history)');
		expect(result.final).toBeNull();
		expect(result.stdout).toBe(
			"{'content': '', 'ready': False} [{'question': 'What is 1+1?', 'answer': '2'}]\n",
		);
	});
});

describe('context', () => {
	it('takes a str, a dict of name -> text, and None', async () => {
		await sandbox.setContext('héllo ✓ 😀');
		expect((await ok('print(type(context).__name__, len(context), context)')).stdout).toBe('str 9 héllo ✓ 😀\n');
		await sandbox.setContext({'a.txt': 'alpha', 'b.md': 'β'.repeat(1000), 'empty': ''});
		expect((await ok('print({k: len(v) for k, v in context.items()}, context["a.txt"])')).stdout).toBe(
			"{'a.txt': 5, 'b.md': 1000, 'empty': 0} alpha\n",
		);
		await ok('context["a.txt"] = "changed"\ndel context["b.md"]');
		expect((await ok('print(sorted(context), context["a.txt"])')).stdout).toBe("['a.txt', 'b.md', 'empty'] alpha\n");
		await sandbox.setContext(null);
		expect((await ok('print(context)')).stdout).toBe('None\n');
	});

	it('loads a 100 MB str, its ASCII taking its size in Python\'s memory once', async () => {
		const big = 'abcdefghij'.repeat(10 * 1024 * 1024) + 'END';
		const heapBefore = sandbox.heapBytes;
		await sandbox.setContext(big);
		// Written in place into the str: a buffer and a decoded copy would need twice as much.
		expect(sandbox.heapBytes - heapBefore).toBeLessThan(1.5 * big.length);
		const result = await ok('print(len(context), context[-3:], context.count("j"))');
		expect(result.stdout).toBe(`${big.length} END ${10 * 1024 * 1024}\n`);
		await sandbox.setContext('the context');
	});

	it('loads ASCII text as a normal str: equal, hashed and looked up like a literal', async () => {
		await sandbox.setContext('ab');
		expect((await ok('print(context == "ab", hash(context) == hash("a" + "b"), {"ab": 1}[context], context.isascii(), context.upper())')).stdout).toBe(
			'True True 1 True AB\n',
		);
		await sandbox.setContext({x: 'key', y: 'k', z: 'key'});
		expect((await ok('print(context["x"] == context["z"] == "key", {"key": 2}[context["x"]], hash(context["x"]) == hash("ke" + "y"), context["y"])')).stdout).toBe(
			'True 2 True k\n',
		);
	});

	it('loads a large text of every kind of character exactly (many chunks, pairs at every offset)', async () => {
		// ASCII, Latin-1, BMP and astral characters, with runs of each that put characters across
		// every chunk edge; compared by a digest of the UTF-8 bytes Python sees.
		const pieces = ['plain ascii text ', 'é', '€', '😀', 'x'.repeat(1000), 'ñandú ', '\u{10FFFF}'];
		let text = '';
		for (let i = 0; text.length < 6 * 1024 * 1024; i++) text += pieces[i % pieces.length]!.repeat(1 + (i % 5));
		const digest = crypto.createHash('sha256').update(text, 'utf8').digest('hex');
		await sandbox.setContext(text);
		const result = await ok('import hashlib\nprint(len(context), hashlib.sha256(context.encode("utf-8")).hexdigest())');
		expect(result.stdout).toBe(`${[...text].length} ${digest}\n`);
		const parts = {ascii: 'a'.repeat(3 * 1024 * 1024 + 1), one: 'z', unicode: text.slice(0, 2 * 1024 * 1024 + 7), empty: '', tail: 'end'};
		await sandbox.setContext(parts);
		const digests = Object.fromEntries(Object.entries(parts).map(([name, value]) => [name, crypto.createHash('sha256').update(value, 'utf8').digest('hex')]));
		const seen = await ok('import hashlib, json\nprint(json.dumps({k: hashlib.sha256(v.encode("utf-8")).hexdigest() for k, v in context.items()}))');
		expect(JSON.parse(seen.stdout)).toEqual(digests);
		await sandbox.setContext('the context');
	});
});

describe('output', () => {
	it('streams output to onOutput while the block runs', async () => {
		const streamed: string[] = [];
		let seenBeforeCall = '';
		const result = await ok('print("first line")\nreply = llm_query("q")\nprint("after", reply)', {
			onOutput: (_stream, text) => streamed.push(text),
			onCall: async (request) => {
				seenBeforeCall = streamed.join('');
				return request.prompts.map(() => 'R');
			},
		});
		expect(seenBeforeCall).toBe('first line\n');
		expect(streamed.join('')).toBe('first line\nafter R\n');
		expect(result.stdout).toBe('first line\nafter R\n');
	});

	it('caps output while capturing: printing 100 MB keeps head and tail', async () => {
		const before = process.memoryUsage();
		let streamedChars = 0;
		const result = await ok('print("H" + "y" * 100_000_000 + "T")\nimport sys\nprint("to stderr", file=sys.stderr)', {
			onOutput: (_stream, text) => {
				streamedChars += text.length;
			},
		});
		const after = process.memoryUsage();
		expect(result.truncatedChars).toBeGreaterThan(99_990_000);
		expect(result.limit).toBe('output');
		expect(result.stdout.startsWith('Hyyy')).toBe(true);
		expect(result.stdout).toContain('characters omitted');
		expect(result.stdout.endsWith('yT\n')).toBe(true);
		expect(result.stdout.length + result.stderr.length).toBeLessThan(2_000 + 200);
		expect(streamedChars).toBeLessThan(2_000 + 200);
		expect(after.rss - before.rss).toBeLessThan(100 * 1024 * 1024);
	});
});

describe('the bridge', () => {
	it('llm_query sends fn, prompts and model and returns the answer', async () => {
		const requests: BridgeRequest[] = [];
		const result = await ok('a = llm_query("first")\nb = llm_query("second", model="small")\nprint(a, b)', {
			onCall: async (request) => {
				requests.push(request);
				return request.prompts.map((p) => `answer to ${p}`);
			},
		});
		expect(result.stdout).toBe('answer to first answer to second\n');
		expect(requests).toEqual([
			{fn: 'llm_query', prompts: ['first'], model: null},
			{fn: 'llm_query', prompts: ['second'], model: 'small'},
		]);
	});

	it('a batched call is one request whose prompts are answered at once, results in prompt order', async () => {
		const requests: BridgeRequest[] = [];
		const result = await ok('answers = llm_query_batched([f"p{i}" for i in range(8)])\nprint(answers)', {
			onCall: async (request) => {
				requests.push(request);
				// All eight are asked at once; the later prompts are answered first.
				const release = new Array<() => void>();
				const answers = request.prompts.map((p, i) => new Promise<string>((resolve) => (release[i] = () => resolve(`r-${p}`))));
				for (let i = release.length - 1; i >= 0; i--) {
					await Promise.resolve();
					release[i]!();
				}
				return Promise.all(answers);
			},
		});
		expect(requests).toHaveLength(1);
		expect(requests[0].fn).toBe('llm_query_batched');
		expect(requests[0].prompts).toHaveLength(8);
		expect(result.stdout).toBe(`[${Array.from({length: 8}, (_, i) => `'r-p${i}'`).join(', ')}]\n`);
	});

	it('rlm_query and rlm_query_batched use their own function names', async () => {
		const fns: string[] = [];
		await ok('rlm_query("x")\nrlm_query_batched(["y", "z"])\nllm_query_batched([])', {
			onCall: async (request) => {
				fns.push(request.fn);
				return request.prompts;
			},
		});
		expect(fns).toEqual(['rlm_query', 'rlm_query_batched']);
	});

	it('without onCall, sub-calls return an error string', async () => {
		const result = await ok('print(llm_query("x"))\nprint(llm_query_batched(["a", "b"]))');
		expect(result.stdout).toBe(
			"Error: sub-calls are not available here\n['Error: sub-calls are not available here', 'Error: sub-calls are not available here']\n",
		);
	});

	it('a failing handler gives error strings in the slots, not an exception', async () => {
		const result = await ok('print(llm_query_batched(["a", "b"]))', {
			onCall: async () => {
				throw new Error('rate limited');
			},
		});
		expect(result.stdout).toBe("['Error: rate limited', 'Error: rate limited']\n");
	});

	it('passes large prompts and replies', async () => {
		const reply = 'r'.repeat(5_000_000);
		const result = await ok('got = llm_query("p" * 3_000_000)\nprint(len(got))', {
			onCall: async (request) => [request.prompts[0].length === 3_000_000 ? reply : 'wrong'],
		});
		expect(result.stdout).toBe('5000000\n');
	});

	it('rejects a single string passed to a batched function', async () => {
		const result = await sandbox.run('llm_query_batched("oops")');
		expect(result.ok).toBe(false);
		expect(result.error).toContain('TypeError');
	});
});

describe('time.sleep', () => {
	it('sleeps without burning a core', async () => {
		const pid = sandbox.pid!;
		const before = cpuSeconds(pid);
		const result = await ok('import time\nt = time.monotonic()\ntime.sleep(2)\nprint(round(time.monotonic() - t, 1))');
		const after = cpuSeconds(pid);
		expect(Number(result.stdout)).toBeGreaterThanOrEqual(2);
		if (before !== null && after !== null) expect(after - before).toBeLessThan(0.5);
	});
});
