// Timeouts, cancellation, memory, crashes and restarts, against a real sandbox.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Sandbox} from '../../source/sandbox/index.js';
import {processExists, testCacheDir, waitFor} from './helpers.js';

const timeoutMs = 1_500;
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

	it('recycles the REPL when the Wasm heap grows past the ceiling, and says so', async () => {
		const pid = sandbox.pid!;
		const result = await sandbox.run("big = 'x' * (400 * 10**6)\nprint(len(big))", {timeoutMs: 20_000});
		expect(result.stdout).toBe('400000000\n');
		expect(result.restarted).toBe(true);
		expect(result.limit).toBe('memory');
		expect(result.error).toMatch(/memory/i);
		expect(sandbox.pid).not.toBe(pid);
		const after = await sandbox.run('print(context)\nprint(big)');
		expect(after.stdout).toBe('kept context\n');
		expect(after.error).toContain('NameError');
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
