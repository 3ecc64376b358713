// A host spawned the moment the CLI starts (sandbox/early-host.ts), before the sandbox's code loads:
// the first Sandbox for its cache dir takes it, what it said before anyone listened is kept, and no
// host is spawned where a warm host may be waiting to be claimed. Real hosts.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {Sandbox, prewarmSandbox} from '../../source/sandbox/index.js';
import {spawnHostEarly, takeEarlyHost, type EarlyHost} from '../../source/sandbox/early-host.js';
import {warmSocketPath} from '../../source/sandbox/warm-dir.js';
import {freshCacheDir, testCacheDir, waitFor} from './helpers.js';

const noWarmDir = path.join(freshCacheDir(), 'no-warm-dir-here');
const sandboxes: Sandbox[] = [];
const spawned: EarlyHost[] = [];
const dirs: string[] = [path.dirname(noWarmDir)];

afterEach(async () => {
	takeEarlyHost(testCacheDir);
	for (const host of spawned.splice(0)) host.link.kill();
	await Promise.all(sandboxes.splice(0).map((sandbox) => sandbox.dispose()));
	for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

describe('the early host', () => {
	it('is taken by the first sandbox started for its cache dir, with the messages it sent before anyone listened', async () => {
		await prewarmSandbox({cacheDir: testCacheDir});
		const early = spawnHostEarly(testCacheDir, noWarmDir);
		expect(early).not.toBeNull();
		spawned.push(early!);
		expect(early!.snapshot).not.toBeNull();
		// Nothing listens yet: its ready waits in the link.
		await waitFor(() => early!.link.heldMessages > 0, 60_000);
		const sandbox = await Sandbox.start({cacheDir: testCacheDir});
		sandboxes.push(sandbox);
		expect(sandbox.pid).toBe(early!.link.pid);
		expect(sandbox.startInfo?.fromSnapshot).toBe(true);
		expect(sandbox.startInfo?.warm).toBe(false);
		expect((await sandbox.run('print(6 * 7)')).stdout).toBe('42\n');
		// Handed out once: the next start spawns its own.
		const next = await Sandbox.start({cacheDir: testCacheDir});
		sandboxes.push(next);
		expect(next.pid).not.toBe(sandbox.pid);
	});

	it('one waits per cache dir', () => {
		const first = spawnHostEarly(testCacheDir, noWarmDir);
		expect(first).not.toBeNull();
		spawned.push(first!);
		expect(spawnHostEarly(testCacheDir, noWarmDir)).toBeNull();
		expect(takeEarlyHost(testCacheDir)).toBe(first);
		expect(takeEarlyHost(testCacheDir)).toBeNull();
	});

	it('spawns none while a socket is where a warm host of this build listens (its claim is the start)', async () => {
		const dir = freshCacheDir();
		dirs.push(dir);
		fs.chmodSync(dir, 0o700);
		const socket = warmSocketPath(dir)!;
		const server = net.createServer();
		await new Promise<void>((resolve) => server.listen(socket, resolve));
		try {
			expect(spawnHostEarly(testCacheDir, dir)).toBeNull();
		} finally {
			await new Promise((resolve) => server.close(resolve));
		}
		const host = spawnHostEarly(testCacheDir, dir);
		expect(host).not.toBeNull();
		spawned.push(host!);
	});
});
