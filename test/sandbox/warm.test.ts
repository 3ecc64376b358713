// Warm hosts (--keep-warm): a real host left listening on a Unix socket, claimed by a sandbox,
// which then runs as on a host it spawned (context, interrupts, the memory ceiling and backstop,
// recycling, dispose); and the checks that keep a claim from trusting what it should not.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {encodeFrame} from '../../source/sandbox/frames.js';
import {Sandbox} from '../../source/sandbox/sandbox.js';
import {snapshotWritesSettled} from '../../source/sandbox/snapshot.js';
import {checkWarmDir, warmSocketPath, warmTag} from '../../source/sandbox/warm-dir.js';
import {claimWarmHost} from '../../source/sandbox/warm-link.js';
import {leaveWarmSpare} from '../../source/sandbox/warm-spare.js';
import {findPyodide, processExists, testCacheDir} from './helpers.js';

const roots: string[] = [];
const pids: number[] = [];
const servers: net.Server[] = [];

/** A private directory for warm hosts, as warmDir() makes it. */
function privateDir(): string {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-warm-'));
	roots.push(root);
	const dir = path.join(root, 'rlm-tui');
	fs.mkdirSync(dir, {mode: 0o700});
	return dir;
}

/** Leaves a spare in `dir` and waits until it listens; its pid. */
async function leaveSpare(dir: string, idleMs = 600_000): Promise<number> {
	const outcome = leaveWarmSpare({idleMs, cacheDir: testCacheDir, dir});
	if (!outcome.left) throw new Error(`no spare: ${outcome.problem ?? 'none left'}`);
	pids.push(outcome.pid);
	const socket = warmSocketPath(dir)!;
	await expect.poll(() => fs.existsSync(socket)).toBe(true);
	return outcome.pid;
}

/** The error code of a connection to `socket` (null: it connected). */
function connectError(socket: string): Promise<string | null> {
	return new Promise((resolve) => {
		const client = net.connect(socket);
		client.once('connect', () => {
			client.destroy();
			resolve(null);
		});
		client.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
	});
}

/** The process has exited (a spare this process started stays a zombie until Node reaps it). */
function hostGone(pid: number): boolean {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
	} catch {
		return !processExists(pid);
	}
}

beforeAll(async () => {
	// The snapshot a spare starts from.
	const sandbox = await Sandbox.start({cacheDir: testCacheDir});
	await snapshotWritesSettled();
	await sandbox.dispose();
});

afterEach(() => {
	for (const pid of pids.splice(0)) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// gone already
		}
	}
	for (const server of servers.splice(0)) server.close();
});

afterAll(() => {
	for (const root of roots) fs.rmSync(root, {recursive: true, force: true});
});

describe('a claimed warm host', () => {
	let sandbox: Sandbox | null = null;
	afterEach(async () => {
		await sandbox?.dispose();
		sandbox = null;
	});

	it('is the spare that was waiting: its socket is gone once claimed, and it runs Python with a context', async () => {
		const dir = privateDir();
		const pid = await leaveSpare(dir);
		sandbox = await Sandbox.start({cacheDir: testCacheDir, claimWarm: {dir}});
		expect(sandbox.startInfo?.warm).toBe(true);
		expect(sandbox.pid).toBe(pid);
		expect(fs.readdirSync(dir)).toEqual([]);
		// Past a pipe's buffer, and not all ASCII: the context socket carries it as the pipe does.
		const context = `${'é'.repeat(300_000)}${'x'.repeat(1_000_000)}`;
		await sandbox.setContext(context);
		const result = await sandbox.run('print(len(context), context[0], context[-1])\nkept = 41');
		expect(result.error).toBeUndefined();
		expect(result.stdout).toBe(`${context.length} é x\n`);
		expect((await sandbox.run('print(kept + 1)')).stdout).toBe('42\n');
	});

	it('is interrupted at its timeout, keeps its variables, and holds the memory ceiling', async () => {
		const dir = privateDir();
		await leaveSpare(dir);
		sandbox = await Sandbox.start({cacheDir: testCacheDir, claimWarm: {dir}, memoryLimitMb: 256});
		expect(sandbox.startInfo?.warm).toBe(true);
		await sandbox.run('before = "still here"');
		const spun = await sandbox.run('while True: pass', {timeoutMs: 300});
		expect(spun.limit).toBe('timeout');
		expect(spun.restarted).toBe(false);
		const big = await sandbox.run('hog = bytearray(600 * 1024 * 1024)');
		expect(big.error).toMatch(/MemoryError/);
		expect((await sandbox.run('print(before)')).stdout).toBe('still here\n');
	});

	it('is recycled by the resident-memory backstop like a spawned host, onto a fresh host with the context', async () => {
		const dir = privateDir();
		const pid = await leaveSpare(dir);
		sandbox = await Sandbox.start({cacheDir: testCacheDir, claimWarm: {dir}, memoryLimitMb: 256});
		await sandbox.setContext('kept context');
		const result = await sandbox.run(`${findPyodide}\nheld = [M.HEAPU8.constructor.new(10**8).fill(1) for _ in range(20)]`, {timeoutMs: 60_000});
		expect(result.limit).toBe('memory');
		expect(result.restarted).toBe(true);
		expect(result.error).toMatch(/more than the heap's limit \+ 512 MB/);
		expect(sandbox.pid).not.toBe(pid);
		await expect.poll(() => hostGone(pid)).toBe(true);
		expect((await sandbox.run('print(context)')).stdout).toBe('kept context\n');
	});

	it('is ended by dispose, and by the claimant leaving', async () => {
		const dir = privateDir();
		const pid = await leaveSpare(dir);
		sandbox = await Sandbox.start({cacheDir: testCacheDir, claimWarm: {dir}});
		expect(sandbox.pid).toBe(pid);
		await sandbox.dispose();
		await expect.poll(() => hostGone(pid)).toBe(true);

		// A client that connects and leaves without a word: the host exits with it. Once it has
		// accepted one client, the name leads nowhere (a claimant removes it; this client did not).
		const second = await leaveSpare(dir);
		const client = net.connect(warmSocketPath(dir)!);
		await new Promise((resolve) => client.once('data', resolve));
		expect(await connectError(warmSocketPath(dir)!)).toBe('ECONNREFUSED');
		client.destroy();
		await expect.poll(() => hostGone(second)).toBe(true);
		// Its context socket, listened on for the client that left, went with it.
		await expect.poll(() => fs.readdirSync(dir).filter((name) => name.endsWith('.ctx'))).toEqual([]);
	});
});

describe('a spare nobody claims', () => {
	it('exits after its idle time; the name it leaves refuses connections, and the next spare takes its place', async () => {
		const dir = privateDir();
		const socket = warmSocketPath(dir)!;
		const pid = await leaveSpare(dir, 1_500);
		await expect.poll(() => hostGone(pid)).toBe(true);
		expect(await connectError(socket)).toBe('ECONNREFUSED');
		expect(await claimWarmHost(dir)).toBeNull();
		// A name bound a while ago that nobody listens on is a gone host's (warm-dir.ts warmHostListening).
		const aMinuteAgo = new Date(Date.now() - 60_000);
		fs.utimesSync(socket, aMinuteAgo, aMinuteAgo);
		const next = await leaveSpare(dir);
		expect(next).not.toBe(pid);
		const sandbox = await Sandbox.start({cacheDir: testCacheDir, claimWarm: {dir}});
		try {
			expect(sandbox.pid).toBe(next);
		} finally {
			await sandbox.dispose();
		}
	});

	it('can be claimed the moment it is left, while it is still starting', async () => {
		const dir = privateDir();
		const outcome = leaveWarmSpare({idleMs: 600_000, cacheDir: testCacheDir, dir});
		if (!outcome.left) throw new Error('no spare left');
		pids.push(outcome.pid);
		// No wait for the host: the socket listens from the moment leaveWarmSpare returns.
		const sandbox = await Sandbox.start({cacheDir: testCacheDir, claimWarm: {dir}});
		try {
			expect(sandbox.startInfo?.warm).toBe(true);
			expect(sandbox.pid).toBe(outcome.pid);
			expect((await sandbox.run('print(6 * 7)')).stdout).toBe('42\n');
			expect(fs.readdirSync(dir)).toEqual([]);
		} finally {
			await sandbox.dispose();
		}
	});

	it('exits soon after its socket is deleted, and leaves alone a new socket made at its path', async () => {
		const dir = privateDir();
		const pid = await leaveSpare(dir);
		fs.rmSync(warmSocketPath(dir)!);
		await expect.poll(() => hostGone(pid)).toBe(true);

		// `rm -rf` of the directory, then another listener at the same path: the spare is no longer
		// reachable there, and it must not unlink the newcomer's socket as it goes.
		const second = await leaveSpare(dir);
		fs.rmSync(dir, {recursive: true});
		fs.mkdirSync(dir, {mode: 0o700});
		const newcomer = net.createServer();
		servers.push(newcomer);
		await new Promise<void>((resolve) => newcomer.listen(warmSocketPath(dir)!, resolve));
		await expect.poll(() => hostGone(second)).toBe(true);
		expect(fs.lstatSync(warmSocketPath(dir)!).isSocket()).toBe(true);
	});

	it('is the only one: a second leave while it listens starts none, however long it has waited', async () => {
		const dir = privateDir();
		const pid = await leaveSpare(dir);
		expect(leaveWarmSpare({idleMs: 600_000, cacheDir: testCacheDir, dir})).toEqual({left: false});
		// /proc/net/unix lists a spare under the temporary name it bound, not the name it is reached
		// by: past the 10 s a fresh socket used to be given, a live spare was taken for dead and replaced.
		const socket = warmSocketPath(dir)!;
		await expect.poll(() => Date.now() - fs.statSync(socket).mtimeMs > 11_000, {timeout: 30_000, interval: 500}).toBe(true);
		expect(leaveWarmSpare({idleMs: 600_000, cacheDir: testCacheDir, dir})).toEqual({left: false});
		expect(hostGone(pid)).toBe(false);
	});

	/** A listener killed outright at `socket`: its file stays, with no one listening. */
	const deadSocketAt = (socket: string) => {
		spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`], {stdio: 'ignore', env: {}});
		expect(fs.lstatSync(socket).isSocket()).toBe(true);
	};

	it('replaces the socket of a host that died without removing it, at once', async () => {
		const dir = privateDir();
		deadSocketAt(warmSocketPath(dir)!);
		expect(await claimWarmHost(dir)).toBeNull();
		const pid = await leaveSpare(dir);
		const sandbox = await Sandbox.start({cacheDir: testCacheDir, claimWarm: {dir}});
		try {
			expect(sandbox.pid).toBe(pid);
		} finally {
			await sandbox.dispose();
		}
	});

	it('killed right after it starts, is replaced at once by the next leave', async () => {
		const dir = privateDir();
		const killed = await leaveSpare(dir);
		process.kill(killed, 'SIGKILL');
		await expect.poll(() => hostGone(killed)).toBe(true);
		// Dead once the kernel has closed every copy of the listener (this process's own closes a tick after the spawn).
		await expect.poll(() => connectError(warmSocketPath(dir)!), {timeout: 10_000}).toBe('ECONNREFUSED');
		const next = await leaveSpare(dir);
		expect(next).not.toBe(killed);
		const sandbox = await Sandbox.start({cacheDir: testCacheDir, claimWarm: {dir}});
		try {
			expect(sandbox.pid).toBe(next);
			expect((await sandbox.run('print(6 * 7)')).stdout).toBe('42\n');
		} finally {
			await sandbox.dispose();
		}
	});

	it('once claimed, does not keep a dead socket made at its path since from being replaced', async () => {
		const dir = privateDir();
		const claimedPid = await leaveSpare(dir);
		const claimed = await Sandbox.start({cacheDir: testCacheDir, claimWarm: {dir}});
		try {
			expect(claimed.pid).toBe(claimedPid);
			// The claimed host runs on, its command line naming the socket path; the file there is another's.
			deadSocketAt(warmSocketPath(dir)!);
			const next = await leaveSpare(dir);
			expect(next).not.toBe(claimedPid);
		} finally {
			await claimed.dispose();
		}
	});

	it('is not in the process group of the process that left it', async () => {
		const dir = privateDir();
		const pid = await leaveSpare(dir);
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		expect(Number(pgrp)).toBe(pid);
		expect(Number(session)).toBe(pid);
	});
});

describe('what a claim refuses', () => {
	it('a directory open to group or others, or a symbolic link: no spare is left there and none is claimed', async () => {
		const open = privateDir();
		fs.chmodSync(open, 0o750);
		expect(checkWarmDir(open)).toMatchObject({ok: false, problem: expect.stringMatching(/is open to its group or others \(mode 750/)});
		const refused = leaveWarmSpare({idleMs: 600_000, cacheDir: testCacheDir, dir: open});
		expect(refused).toMatchObject({left: false, problem: expect.stringMatching(/not keeping a warm sandbox: .* is open to its group or others/)});
		expect(fs.readdirSync(open)).toEqual([]);

		// A spare listening in a private directory, reached through a symbolic link to it.
		const real = privateDir();
		await leaveSpare(real);
		const link = path.join(path.dirname(open), 'linked');
		fs.symlinkSync(real, link);
		expect(checkWarmDir(link)).toMatchObject({ok: false, problem: expect.stringMatching(/is a symbolic link/)});
		expect(await claimWarmHost(link)).toBeNull();
		// And with the same directory made open, the spare in it is not claimed either.
		fs.chmodSync(real, 0o755);
		expect(await claimWarmHost(real)).toBeNull();
		fs.chmodSync(real, 0o700);
		expect(fs.readdirSync(real)).toHaveLength(1);
	});

	it("a listener with another build's tag, or one that never says hello: no claim, and a sandbox starts cold", async () => {
		const dir = privateDir();
		const socket = warmSocketPath(dir)!;
		const stale = net.createServer((client) => client.write(encodeFrame({t: 'hello', tag: `${warmTag()}-other`, pid: process.pid, contextSocket: 'x.ctx', idleMs: 60_000})));
		servers.push(stale);
		await new Promise<void>((resolve) => stale.listen(socket, resolve));
		expect(await claimWarmHost(dir)).toBeNull();
		const cold = await Sandbox.start({cacheDir: testCacheDir, claimWarm: {dir}});
		try {
			expect(cold.startInfo?.warm).toBe(false);
			expect((await cold.run('print(6 * 7)')).stdout).toBe('42\n');
		} finally {
			await cold.dispose();
		}
		stale.close();

		const silent = net.createServer(() => {});
		servers.push(silent);
		await new Promise<void>((resolve) => silent.listen(socket, resolve));
		expect(await claimWarmHost(dir)).toBeNull();
	});

	it('a hello naming a pid that is not a warm host for this socket', async () => {
		const dir = privateDir();
		const socket = warmSocketPath(dir)!;
		const liar = net.createServer((client) => client.write(encodeFrame({t: 'hello', tag: warmTag(), pid: process.pid, contextSocket: 'x.ctx', idleMs: 60_000})));
		servers.push(liar);
		await new Promise<void>((resolve) => liar.listen(socket, resolve));
		expect(await claimWarmHost(dir)).toBeNull();
		expect(processExists(process.pid)).toBe(true);
	});

	it('a socket path too long to bind: none is left, and the reason is given', () => {
		const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-warm-'));
		roots.push(root);
		const dir = path.join(root, 'd'.repeat(100));
		fs.mkdirSync(dir, {mode: 0o700});
		expect(warmSocketPath(dir)).toBeNull();
		expect(leaveWarmSpare({idleMs: 600_000, cacheDir: testCacheDir, dir})).toMatchObject({left: false, problem: expect.stringMatching(/too long/)});
	});
});
