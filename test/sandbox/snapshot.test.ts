// The Pyodide memory snapshot: built once into the cache dir, used by later starts, rebuilt when
// it is unusable, and never a reason to fail.
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {Sandbox, prewarmSandbox} from '../../source/sandbox/index.js';
import {defaultCacheDir} from '../../source/sandbox/paths.js';
import {freshCacheDir, waitFor} from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
	for (const dir of dirs) fs.rmSync(dir, {recursive: true, force: true});
});

function snapshots(dir: string): string[] {
	return fs.readdirSync(dir).filter((name) => name.endsWith('.snapshot'));
}

describe('the memory snapshot', () => {
	it('prewarm builds it; later starts restore it; a corrupt one falls back to a cold start and is rebuilt', async () => {
		const dir = freshCacheDir();
		dirs.push(dir);
		await prewarmSandbox({cacheDir: dir});
		const [name] = snapshots(dir);
		expect(name).toMatch(/^pyodide-314\.[\d.]+-[0-9a-f]{16}\.snapshot$/);
		const file = path.join(dir, name);
		const size = fs.statSync(file).size;
		expect(size).toBeGreaterThan(10 * 1024 * 1024);

		// Two restores from the same snapshot: working REPLs whose random state was reseeded.
		const a = await Sandbox.start({cacheDir: dir});
		const b = await Sandbox.start({cacheDir: dir});
		try {
			expect(a.startInfo?.fromSnapshot).toBe(true);
			expect(b.startInfo?.fromSnapshot).toBe(true);
			const ra = await a.run('import random\nprint(random.random(), llm_query("x"))');
			const rb = await b.run('import random\nprint(random.random())');
			expect(ra.ok).toBe(true);
			expect(ra.stdout).toContain('Error: sub-calls are not available here');
			expect(ra.stdout.split(' ')[0]).not.toBe(rb.stdout.trim());
			const hardened = await a.run('import js');
			expect(hardened.ok).toBe(false);
		} finally {
			await a.dispose();
			await b.dispose();
		}

		// Corrupt it (same name, wrong bytes): the start still succeeds, cold, and rewrites it.
		fs.writeFileSync(file, Buffer.alloc(4096, 7));
		const c = await Sandbox.start({cacheDir: dir});
		try {
			expect(c.startInfo?.fromSnapshot).toBe(false);
			expect(c.startInfo?.note).toMatch(/snapshot unusable/);
			expect((await c.run('print(6 * 7)')).stdout).toBe('42\n');
		} finally {
			await c.dispose();
		}
		// Written whole or not at all (temp file + rename); its size varies a little from one cold start
		// to another (the file leaves out zero pages), so it is told from the corrupt one by its size.
		await waitFor(() => fs.existsSync(file) && fs.statSync(file).size > 10 * 1024 * 1024);

		const d = await Sandbox.start({cacheDir: dir});
		try {
			expect(d.startInfo?.fromSnapshot).toBe(true);
			expect((await d.run('print("restored")')).stdout).toBe('restored\n');
		} finally {
			await d.dispose();
		}
		// Two cold starts and three restores: on a loaded machine this takes more than the default bound.
	}, 240_000);

	it('a snapshot with one byte of its payload changed is found out: a cold start that answers, and the file rewritten', async () => {
		const dir = freshCacheDir();
		dirs.push(dir);
		await prewarmSandbox({cacheDir: dir});
		const [name] = snapshots(dir);
		const file = path.join(dir, name);
		const made = fs.readFileSync(file);
		// A byte in the middle of the file: inside the Wasm heap's bytes, past everything the header,
		// the table and Pyodide's own head could notice.
		const damaged = Buffer.from(made);
		damaged[Math.floor(made.length / 2)]! ^= 0x10;
		fs.writeFileSync(file, damaged);
		const damagedFile = fs.statSync(file).ino;

		const a = await Sandbox.start({cacheDir: dir});
		try {
			expect(a.startInfo?.fromSnapshot).toBe(false);
			expect(a.startInfo?.note).toMatch(/snapshot unusable \(snapshot file is damaged \(checksum mismatch\)\); cold start/);
			expect((await a.run('print(sum(range(10)))')).stdout).toBe('45\n');
		} finally {
			await a.dispose();
		}
		// Rewritten by the cold start (a new file renamed over the damaged one), and restored from next time.
		await waitFor(() => fs.existsSync(file) && fs.statSync(file).ino !== damagedFile);
		expect(fs.readFileSync(file).equals(damaged)).toBe(false);
		const b = await Sandbox.start({cacheDir: dir});
		try {
			expect(b.startInfo?.fromSnapshot).toBe(true);
			expect((await b.run('print(6 * 7)')).stdout).toBe('42\n');
		} finally {
			await b.dispose();
		}
	}, 240_000);

	it('a cache dir that cannot be written only costs the snapshot', async () => {
		const parent = freshCacheDir();
		dirs.push(parent);
		const blocked = path.join(parent, 'not-a-dir');
		fs.writeFileSync(blocked, 'a file where the cache dir should be');
		const sandbox = await Sandbox.start({cacheDir: blocked});
		try {
			expect(sandbox.startInfo?.fromSnapshot).toBe(false);
			expect((await sandbox.run('print("works")')).stdout).toBe('works\n');
		} finally {
			await sandbox.dispose();
		}
	});

	it('the default cache dir follows XDG_CACHE_HOME', () => {
		const saved = process.env.XDG_CACHE_HOME;
		process.env.XDG_CACHE_HOME = '/tmp/xdg-cache-test';
		try {
			if (process.platform === 'linux') expect(defaultCacheDir()).toBe('/tmp/xdg-cache-test/rlm-tui');
			else expect(defaultCacheDir()).toContain('rlm-tui');
		} finally {
			if (saved === undefined) delete process.env.XDG_CACHE_HOME;
			else process.env.XDG_CACHE_HOME = saved;
		}
	});
});
