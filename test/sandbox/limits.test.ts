// Timeouts, cancellation, memory, crashes and restarts, against a real sandbox.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Sandbox} from '../../source/sandbox/index.js';
import {findPyodide, processExists, testCacheDir, waitFor} from './helpers.js';

const timeoutMs = 1_500;
const MB = 1024 * 1024;
// Generous: on a loaded 2-core machine Pyodide can take over a second to notice an interrupt.
const interruptGraceMs = 15_000;
let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await Sandbox.start({cacheDir: testCacheDir, timeoutMs, interruptGraceMs, memoryLimitMb: 256});
	await sandbox.setContext('kept context');
	await sandbox.beginTurn([{question: 'earlier question', answer: 'earlier answer'}]);
});

afterAll(async () => {
	await sandbox?.dispose();
});

describe('timeouts', () => {
	it('interrupts `while True: pass` within the timeout; earlier variables survive', async () => {
		await sandbox.run('survivor = "still here"');
		const result = await sandbox.run('while True: pass');
		expect(result.ok).toBe(false);
		expect(result.limit).toBe('timeout');
		expect(result.restarted).toBe(false);
		expect(result.error).toContain('Timed out');
		expect(result.error).toContain('KeyboardInterrupt');
		const after = await sandbox.run('print(survivor)');
		expect(after.stdout).toBe('still here\n');
	});

	it('does not count time spent waiting for sub-calls against the timeout', async () => {
		const slowCall = async (request: {prompts: string[]}) => {
			await new Promise((resolve) => setTimeout(resolve, timeoutMs * 0.6));
			return request.prompts.map((prompt) => `re:${prompt}`);
		};
		// Three waits of 0.6 x the timeout each: the block waits 1.8 x its timeout in all, by construction.
		const result = await sandbox.run('got = [llm_query(str(i)) for i in range(3)]\nprint(got)', {onCall: slowCall});
		expect(result.ok).toBe(true);
		expect(result.limit).toBeUndefined();
		expect(result.stdout).toBe("['re:0', 're:1', 're:2']\n");
	});

	it('streams output while the block still runs, and a cancel stops it', async () => {
		const controller = new AbortController();
		const seen: string[] = [];
		const result = await sandbox.run('print("started", flush=True)\nwhile True: pass', {
			signal: controller.signal,
			timeoutMs: 60_000,
			onOutput: (_stream, text) => {
				seen.push(text);
				controller.abort();
			},
		});
		expect(seen[0]).toBe('started\n');
		expect(result.limit).toBe('cancelled');
		expect(result.restarted).toBe(false);
	});

	it('a block that ignored SIGINT does not make the next timeout fatal', async () => {
		await sandbox.run('import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)');
		const result = await sandbox.run('while True: pass');
		expect(result.limit).toBe('timeout');
		expect(result.restarted).toBe(false);
		expect((await sandbox.run('print(survivor)')).stdout).toBe('still here\n');
	});

	it('a per-run timeout overrides the default', async () => {
		const result = await sandbox.run('import time\nwhile True: time.sleep(0.05)', {timeoutMs: 300});
		expect(result.limit).toBe('timeout');
		expect(result.restarted).toBe(false);
	});

	it('kills and restarts the host when Python does not yield, and says the variables are gone', async () => {
		await sandbox.run('doomed = 1');
		const pid = sandbox.pid!;
		const result = await sandbox.run('while True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass');
		expect(result.ok).toBe(false);
		expect(result.limit).toBe('timeout');
		expect(result.restarted).toBe(true);
		expect(result.error).toMatch(/restarted/);
		expect(result.error).toMatch(/variable/);
		expect(sandbox.pid).not.toBe(pid);
		expect(processExists(pid)).toBe(false);
		const after = await sandbox.run('print(context, history[0]["question"])\nprint(doomed)');
		expect(after.stdout).toBe('kept context earlier question\n');
		expect(after.error).toContain('NameError');
	});
});

describe('cancellation', () => {
	it('a cancel sent as the block starts is not lost (no kill, variables kept)', async () => {
		await sandbox.run('racer = "kept"');
		for (let i = 0; i < 5; i++) {
			const controller = new AbortController();
			const pending = sandbox.run('while True: pass', {signal: controller.signal, timeoutMs: 60_000});
			controller.abort();
			const result = await pending;
			expect(result.limit).toBe('cancelled');
			expect(result.restarted).toBe(false);
		}
		expect((await sandbox.run('print(racer)')).stdout).toBe('kept\n');
	});

	it('an aborted signal interrupts a running block', async () => {
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 200);
		const result = await sandbox.run('while True: pass', {signal: controller.signal, timeoutMs: 20_000});
		expect(result.limit).toBe('cancelled');
		expect(result.restarted).toBe(false);
	});

	it('aborting during a sub-call aborts the handler and interrupts Python', async () => {
		const controller = new AbortController();
		let handlerAborted = false;
		const result = await sandbox.run('x = llm_query("slow")', {
			signal: controller.signal,
			timeoutMs: 20_000,
			onCall: (request, signal) =>
				new Promise((resolve) => {
					setTimeout(() => controller.abort(), 50);
					signal.addEventListener('abort', () => {
						handlerAborted = true;
						resolve(request.prompts.map(() => 'late'));
					});
				}),
		});
		expect(result.limit).toBe('cancelled');
		expect(handlerAborted).toBe(true);
		expect(result.error).toContain('KeyboardInterrupt');
		expect((await sandbox.run('print("fine")')).stdout).toBe('fine\n');
	});

	it('a signal aborted before the run does not run the block', async () => {
		const controller = new AbortController();
		controller.abort();
		const result = await sandbox.run('never = 1', {signal: controller.signal});
		expect(result.limit).toBe('cancelled');
		expect((await sandbox.run('print("never" in dir())')).stdout).toBe('False\n');
	});
});

describe('memory', () => {
	it("'x' * 10**10 fails fast (MemoryError or OverflowError on wasm32) and the session goes on", async () => {
		await sandbox.run('before_big = 7');
		const result = await sandbox.run("s = 'x' * 10**10", {timeoutMs: 20_000});
		expect(result.ok).toBe(false);
		if (!result.restarted) {
			expect(result.error).toMatch(/MemoryError|OverflowError/);
			expect((await sandbox.run('print(before_big)')).stdout).toBe('7\n');
		}
		expect((await sandbox.run('print(1 + 1)')).stdout).toBe('2\n');
	});

	it('MemoryError surfaces as an ordinary error with limit "memory"', async () => {
		const result = await sandbox.run('x = [None] * (10**9)', {timeoutMs: 20_000});
		expect(result.ok).toBe(false);
		expect(result.limit).toBe('memory');
		expect(result.error).toContain('MemoryError');
		expect(result.restarted).toBe(false);
	});

	// The ceiling here: memoryLimitMb 256 (the heap after the small context + 128 MB is less).
	const ceiling = 256 * MB;

	it.each([
		['one huge allocation', 'hog = [bytearray(10**7) for _ in range(100)]'],
		['many small ones in a loop', 'hog = [str(i) for i in range(10**9)]'],
		['a growing str', "hog = ''\nwhile True: hog += 'x' * 10**6"],
		['a dict that keeps growing', 'hog = {i: i for i in range(10**9)}'],
	])('%s stops at the ceiling with a MemoryError; variables survive and the session goes on', async (_name, code) => {
		await sandbox.run('kept_before = "still here"');
		const pid = sandbox.pid!;
		const result = await sandbox.run(code, {timeoutMs: 60_000});
		expect(result.ok).toBe(false);
		expect(result.limit).toBe('memory');
		expect(result.restarted).toBe(false);
		expect(result.error).toContain('MemoryError');
		expect(result.error).toContain("The REPL's memory limit is 256 MB (the sandbox option memoryLimitMb)");
		expect(result.error).toContain('work on the context in pieces');
		// The heap got near the ceiling (the block did press on it) and never past it.
		expect(sandbox.heapBytes).toBeGreaterThan(ceiling * 0.75);
		expect(sandbox.heapBytes).toBeLessThanOrEqual(ceiling);
		expect(sandbox.pid).toBe(pid);
		const after = await sandbox.run('print(kept_before)\nprint(context)');
		expect(after.stdout).toBe('still here\nkept context\n');
	});

	it('memory held by a variable is refused to the next blocks until it is freed', async () => {
		const filled = await sandbox.run('hog = []\nwhile True: hog.append(bytearray(10**6))', {timeoutMs: 60_000});
		expect(filled.limit).toBe('memory');
		expect(filled.variables.map((v) => v.name)).toContain('hog');
		expect(sandbox.heapBytes).toBeLessThanOrEqual(ceiling);
		const refused = await sandbox.run('more = bytearray(50 * 10**6)');
		expect(refused.error).toContain('MemoryError');
		const freed = await sandbox.run('del hog\nmore = bytearray(50 * 10**6)\nprint(len(more))');
		expect(freed.ok).toBe(true);
		expect(freed.stdout).toBe('50000000\n');
		await sandbox.run('del more');
	});

	it('a sub-call reply that does not fit under the ceiling is a MemoryError in the block', async () => {
		const huge = async (request: {prompts: string[]}) => request.prompts.map(() => 'r'.repeat(100_000_000));
		const result = await sandbox.run('replies = llm_query_batched(["a", "b", "c"])', {onCall: huge, timeoutMs: 60_000});
		expect(result.limit).toBe('memory');
		// Not sent at all (over a third of the room under the ceiling): only its size went to Python.
		expect(result.error).toContain('MemoryError: the reply is 286 MB, too big for the REPL');
		expect(result.restarted).toBe(false);
		expect(sandbox.heapBytes).toBeLessThanOrEqual(ceiling);
		const small = await sandbox.run('print(llm_query("d"))\nprint(kept_before)', {onCall: async (request) => request.prompts.map((p) => `re:${p}`)});
		expect(small.stdout).toBe('re:d\nstill here\n');
	});

	it('a reply that could fit but finds no room left is a MemoryError, and nothing is lost', async () => {
		const filled = await sandbox.run('hog = []\nwhile True: hog.append(bytearray(10**6))', {timeoutMs: 60_000});
		expect(filled.limit).toBe('memory');
		// 50 MB: under the reply limit ((256 MB - the heap after the context) / 3), over the room left.
		const reply = async (request: {prompts: string[]}) => request.prompts.map(() => 'r'.repeat(50_000_000));
		const result = await sandbox.run('answer_text = llm_query("a")', {onCall: reply, timeoutMs: 60_000});
		expect(result.limit).toBe('memory');
		expect(result.error).toContain("MemoryError: no room for the reply under the REPL's memory limit");
		expect(result.error).not.toContain('worker.js');
		expect(result.restarted).toBe(false);
		expect(sandbox.heapBytes).toBeLessThanOrEqual(ceiling);
		const freed = await sandbox.run('del hog\nanswer_text = llm_query("a")\nprint(len(answer_text), kept_before)', {onCall: reply, timeoutMs: 60_000});
		expect(freed.stdout).toBe('50000000 still here\n');
		await sandbox.run('del answer_text');
	});

	it('memory made outside the heap, through the Pyodide objects Python finds, recycles the REPL at the hard bound', async () => {
		const pid = sandbox.pid!;
		// 2 GB of JavaScript typed arrays: the heap's guard does not see them, the host's check does.
		const code = `${findPyodide}\nheld = [M.HEAPU8.constructor.new(10**8).fill(1) for _ in range(20)]`;
		const result = await sandbox.run(code, {timeoutMs: 60_000});
		expect(result.limit).toBe('memory');
		expect(result.restarted).toBe(true);
		expect(result.error).toMatch(/The REPL ran out of memory at its limit of 256 MB \(the host process held \d+ MB, more than the heap's limit \+ 512 MB\)/);
		expect(sandbox.pid).not.toBe(pid);
		expect((await sandbox.run('print(context)')).stdout).toBe('kept context\n');
		await sandbox.run('kept_before = "still here"');
	});

	it("model code that runs between blocks (a gc callback, in the next turn's set-up) is held to the last block's ceiling", async () => {
		const setup = await sandbox.run(`import gc, sys
hog = []
thresholds = gc.get_threshold()
def greedy(phase, info):
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code.co_name == "begin_turn":
            while True:
                hog.append(bytearray(10**6))
        frame = frame.f_back
gc.callbacks.append(greedy)
gc.set_threshold(1)`);
		expect(setup.ok, setup.error).toBe(true);
		await sandbox.beginTurn([{question: 'earlier question', answer: 'earlier answer'}]);
		const after = await sandbox.run('gc.callbacks.clear()\ngc.set_threshold(*thresholds)\nprint(len(hog) > 100, history[0]["answer"])');
		expect(after.restarted).toBe(false);
		expect(after.stdout).toBe('True earlier answer\n');
		expect(sandbox.heapBytes).toBeLessThanOrEqual(ceiling);
		await sandbox.run('del hog, greedy, thresholds');
	});

	it('with a context bigger than the limit, the ceiling is the heap once it loaded + 128 MB, and holds', async () => {
		const own = await Sandbox.start({cacheDir: testCacheDir, memoryLimitMb: 64});
		try {
			await own.setContext('c'.repeat(60_000_000));
			const loaded = own.heapBytes;
			const result = await own.run('hog = [bytearray(10**6) for _ in range(1000)]', {timeoutMs: 60_000});
			expect(result.limit).toBe('memory');
			expect(result.restarted).toBe(false);
			const stated = /memory limit is (\d+) MB \(what Python held once the context was loaded, \+ 128 MB\)/.exec(result.error ?? '');
			expect(stated, result.error).not.toBeNull();
			expect(Number(stated![1])).toBe(Math.round((loaded + 128 * MB) / MB));
			expect(own.heapBytes).toBeLessThanOrEqual(loaded + 128 * MB);
			expect(own.heapBytes).toBeGreaterThan(loaded + 64 * MB);
			expect((await own.run('print(len(context))')).stdout).toBe('60000000\n');
		} finally {
			await own.dispose();
		}
	});

	it("a block's own memoryLimitMb overrides the sandbox's, and the notice names the limit as memoryLimitName says", async () => {
		const own = await Sandbox.start({cacheDir: testCacheDir, memoryLimitMb: 1024, memoryLimitName: '--memory-limit'});
		try {
			const result = await own.run('hog = [bytearray(10**7) for _ in range(50)]', {timeoutMs: 60_000, memoryLimitMb: 300});
			expect(result.limit).toBe('memory');
			expect(result.error).toContain("The REPL's memory limit is 300 MB (--memory-limit)");
			expect(own.heapBytes).toBeLessThanOrEqual(300 * MB);
			// Without the override the sandbox's own 1024 MB holds: the same block fits.
			expect((await own.run('hog = [bytearray(10**7) for _ in range(50)]\nprint(len(hog))', {timeoutMs: 60_000})).stdout).toBe('50\n');
		} finally {
			await own.dispose();
		}
	});

	it('recycles a REPL whose heap is found past a lowered ceiling, and says so', async () => {
		const own = await Sandbox.start({cacheDir: testCacheDir, memoryLimitMb: 512});
		try {
			await own.setContext('own context');
			await own.run("big = 'x' * (300 * 10**6)");
			const pid = own.pid!;
			await own.configure({memoryLimitMb: 160});
			const result = await own.run('print(len(big))');
			expect(result.stdout).toBe('300000000\n');
			expect(result.restarted).toBe(true);
			expect(result.limit).toBe('memory');
			expect(result.error).toMatch(/The REPL's memory grew to 3\d\d MB \(limit 160 MB\), so the REPL was restarted/);
			expect(own.pid).not.toBe(pid);
			expect((await own.run('print(context)')).stdout).toBe('own context\n');
		} finally {
			await own.dispose();
		}
	});
});

describe('crashes', () => {
	it('a host killed from outside is restarted on the next run, which says so', async () => {
		await sandbox.run('lost = 1');
		const pid = sandbox.pid!;
		process.kill(pid, 'SIGKILL');
		await waitFor(() => !processExists(pid) && !sandbox.alive);
		const result = await sandbox.run('print(context)\nprint(history[0]["answer"])');
		expect(result.ok).toBe(true);
		expect(result.restarted).toBe(true);
		expect(result.stdout).toBe('kept context\nearlier answer\n');
		expect(result.error).toMatch(/restarted/);
		expect(sandbox.pid).not.toBe(pid);
		expect((await sandbox.run('print("lost" in dir())')).stdout).toBe('False\n');
	});

	it('Python taking the interpreter down (os._exit) kills only the host, which is restarted', async () => {
		const result = await sandbox.run('import os\nos._exit(3)');
		expect(result.ok).toBe(false);
		expect(result.limit).toBe('crashed');
		expect(result.restarted).toBe(true);
		expect((await sandbox.run('print(context)')).stdout).toBe('kept context\n');
	});

	it("recursion past the interpreter's stack is told as recursion (use a loop), not as running out of memory", async () => {
		await sandbox.run('kept_before = 1');
		// Frames past a huge recursion limit also fill the heap to the ceiling; the stack is what ends it.
		const result = await sandbox.run('import sys\nsys.setrecursionlimit(10**8)\ndef down(n): return down(n + 1)\ndown(0)', {timeoutMs: 60_000});
		expect(result.ok).toBe(false);
		expect(result.limit).toBe('crashed');
		expect(result.error).toMatch(/Maximum call stack size exceeded.*use a loop instead/s);
		expect(result.error).not.toMatch(/out of memory|Hold less/);
		expect(result.restarted).toBe(true);
		// The crash's stack dump (about 3 KB of one frame) is three frames and a count.
		expect(result.stdout).toMatch(/^Stack \(most recent call first\):\n( {2}File "<block \d+>", line 3 in down\n){3} {2}\[Previous line repeated \d+ more times\]\n$/);
		const after = await sandbox.run('print(context)\nprint(kept_before)');
		expect(after.stdout).toBe('kept context\n');
		expect(after.error).toContain('NameError');
	});
});

describe('deep recursion as the model reads it', () => {
	it('a cycle of frames (a calls b calls a) is written once and counted, from the first frame to the exception', async () => {
		const code = 'import sys\nsys.setrecursionlimit(5000)\ndef a(n): return b(n + 1)\ndef b(n): return a(n + 1)\na(0)';
		const result = await sandbox.run(code, {timeoutMs: 60_000});
		expect(result.ok).toBe(false);
		const error = result.error!;
		expect(error.length).toBeLessThan(1000);
		expect(error).toMatch(/^Traceback \(most recent call last\):\n {2}File "<block \d+>", line 5, in <module>/);
		expect(error).toMatch(/\n {2}\[Previous 2 frames repeated \d{4} more times\]\nRecursionError: maximum recursion depth exceeded$/);
		expect(error.match(/line 3, in a/g)).toHaveLength(1);
	});

	it('a RecursionError 100,000 frames deep (sys.setrecursionlimit(100000)) is an error of the block, not a crash: the REPL and its variables stay', async () => {
		await sandbox.run('kept_before_deep = 1');
		const pid = sandbox.pid;
		const result = await sandbox.run('import sys\nsys.setrecursionlimit(100000)\ndef down(n): return down(n + 1)\ndown(0)', {timeoutMs: 60_000});
		expect(result.ok).toBe(false);
		expect(result.limit).toBeUndefined();
		expect(result.restarted).toBe(false);
		expect(result.error).toMatch(/^Traceback \(most recent call last\):\n {2}File "<block \d+>", line 4, in <module>/);
		expect(result.error).toMatch(/\n {2}\[Previous line repeated 99\d{3} more times\]\nRecursionError: maximum recursion depth exceeded$/);
		expect(result.stdout + result.stderr + result.error).not.toContain('rlm-prelude');
		expect(sandbox.pid).toBe(pid);
		expect((await sandbox.run('print(kept_before_deep)')).stdout).toBe('1\n');
		await sandbox.run('sys.setrecursionlimit(1000)');
	});

	it("a stack the code prints itself leaves out the REPL's own frames", async () => {
		const result = await sandbox.run('import traceback\ndef inner():\n    traceback.print_stack()\ninner()');
		expect(result.ok).toBe(true);
		expect(result.stderr).toMatch(/^ {2}File "<block \d+>", line 4, in <module>/);
		expect(result.stderr).toContain('line 3, in inner');
		expect(result.stderr).not.toContain('rlm-prelude');
	});

	it('a traceback the code prints itself is cut the same way', async () => {
		const code = [
			'import sys, traceback',
			'sys.setrecursionlimit(3000)',
			'def a(n): return b(n + 1)',
			'def b(n): return c(n + 1)',
			'def c(n): return a(n + 1)',
			'try:',
			'    a(0)',
			'except RecursionError:',
			'    traceback.print_exc()',
			'print("went on")',
		].join('\n');
		const result = await sandbox.run(code, {timeoutMs: 60_000});
		expect(result.ok).toBe(true);
		expect(result.stdout).toBe('went on\n');
		// About 260,000 characters printed: the capture keeps a head and a tail, each counted here.
		expect(result.truncatedChars).toBeGreaterThan(100_000);
		expect(result.stderr.length).toBeLessThan(2000);
		expect(result.stderr).toMatch(/^Traceback \(most recent call last\):\n {2}File "<block \d+>", line 7, in <module>/);
		expect(result.stderr.match(/\[Previous 3 frames repeated \d+ more times\]/g)).toHaveLength(2);
		expect(result.stderr).toMatch(/RecursionError: maximum recursion depth exceeded\n$/);
	});
});

describe('dispose', () => {
	it('kills the host process, is idempotent, and refuses further work', async () => {
		const own = await Sandbox.start({cacheDir: testCacheDir});
		const pid = own.pid!;
		expect(own.alive).toBe(true);
		expect(processExists(pid)).toBe(true);
		await own.dispose();
		await own.dispose();
		expect(own.alive).toBe(false);
		expect(processExists(pid)).toBe(false);
		await expect(own.run('1')).rejects.toThrow(/disposed/);
	});
});
