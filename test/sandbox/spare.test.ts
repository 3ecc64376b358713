// Spare sandboxes (started ahead of need, handed to the next start for the same cache dir), real.
import fs from 'node:fs';
import {afterEach, describe, expect, it} from 'vitest';
import {disposeSpares, snapshotWritesSettled, startSandbox, startSpare} from '../../source/sandbox/index.js';
import {spareCount} from '../../source/sandbox/spare.js';
import type {Sandbox} from '../../source/sandbox/index.js';
import {freshCacheDir, testCacheDir, waitFor} from './helpers.js';

const started: Sandbox[] = [];
const take = async (options: Parameters<typeof startSandbox>[0]) => {
	const sandbox = await startSandbox(options);
	started.push(sandbox);
	return sandbox;
};

afterEach(async () => {
	await disposeSpares();
	await Promise.all(started.splice(0).map((sandbox) => sandbox.dispose()));
});

describe('spare sandboxes', () => {
	it('the next start for the same cache dir gets the spare, configured as it asks', async () => {
		const spare = startSpare({cacheDir: testCacheDir});
		expect(spareCount()).toBe(1);
		const sandbox = await take({cacheDir: testCacheDir, maxOutputChars: 1_000});
		expect(sandbox.pid).toBe((await spare)!.pid);
		expect(spareCount()).toBe(0);
		// The spare's own output cap was the default (20,000): the one asked for applies now.
		const result = await sandbox.run('print("x" * 5_000)');
		expect(result.ok).toBe(true);
		expect(result.truncatedChars).toBeGreaterThan(3_000);
		expect(result.stdout.length).toBeLessThan(1_300);
	});

	it('applies the timeout asked for to a spare', async () => {
		void startSpare({cacheDir: testCacheDir, timeoutMs: 60_000});
		const sandbox = await take({cacheDir: testCacheDir, timeoutMs: 1_000, interruptGraceMs: 15_000});
		const result = await sandbox.run('while True: pass');
		expect(result.limit).toBe('timeout');
	});

	it('a start for another cache dir does not take it', async () => {
		void startSpare({cacheDir: testCacheDir});
		const other = freshCacheDir();
		try {
			const sandbox = await take({cacheDir: other});
			expect(sandbox.startInfo?.fromSnapshot).toBe(false);
			expect(spareCount()).toBe(1);
		} finally {
			// The cold start writes its snapshot and code cache there after it is ready.
			await snapshotWritesSettled();
			fs.rmSync(other, {recursive: true, force: true});
		}
	});

	it('with keep, another spare starts once one is handed out, in its own process', async () => {
		void startSpare({cacheDir: testCacheDir}, {keep: true});
		const first = await take({cacheDir: testCacheDir});
		expect(spareCount()).toBe(1);
		const second = await take({cacheDir: testCacheDir});
		expect(second.pid).not.toBe(first.pid);
		expect(spareCount()).toBe(1);
		// Each holds its own namespace: nothing of one is seen in the other.
		await first.run('secret = 42');
		const seen = await second.run('print("secret" in dir())');
		expect(seen.stdout).toBe('False\n');
	});

	it('a spare whose host died is not handed out: the start gets a working sandbox', async () => {
		const spare = (await startSpare({cacheDir: testCacheDir}))!;
		const deadPid = spare.pid!;
		process.kill(deadPid, 'SIGKILL');
		await waitFor(() => !spare.alive);
		const sandbox = await take({cacheDir: testCacheDir});
		expect(sandbox.pid).not.toBe(deadPid);
		const result = await sandbox.run('print(1 + 1)');
		expect(result.stdout).toBe('2\n');
	});
});
