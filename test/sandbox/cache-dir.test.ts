// The snapshot cache is read only from a folder no one else can write, and only its plain files:
// a forged snapshot or code cache would pass their checksums (made to catch damage), and a FIFO
// in a cache file's place stalled a start for 20 s.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {Sandbox, prewarmSandbox} from '../../source/sandbox/index.js';
import {cacheDirProblem, trustedCacheFile} from '../../source/sandbox/cache-dir.js';
import {freshCacheDir, testCacheDir} from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
	for (const dir of dirs) fs.rmSync(dir, {recursive: true, force: true});
});

function fresh(): string {
	const dir = freshCacheDir();
	dirs.push(dir);
	return dir;
}

/** A folder holding a copy of a good snapshot and code cache. */
async function copiedCache(): Promise<{dir: string; snapshot: string; codeCache: string}> {
	await prewarmSandbox({cacheDir: testCacheDir});
	const dir = fresh();
	const names = fs.readdirSync(testCacheDir).filter((name) => /\.(snapshot|code-cache|blob)$/.test(name));
	for (const name of names) fs.copyFileSync(path.join(testCacheDir, name), path.join(dir, name));
	const find = (suffix: string) => path.join(dir, names.find((name) => name.endsWith(suffix))!);
	return {dir, snapshot: find('.snapshot'), codeCache: find('.code-cache')};
}

describe('the snapshot cache folder', () => {
	it('is refused when others can write it, is not a folder, or cannot be read; a missing one is fine', () => {
		const dir = fresh();
		expect(cacheDirProblem(dir)).toBeNull();
		expect(cacheDirProblem(path.join(dir, 'not-yet'))).toBeNull();
		fs.chmodSync(dir, 0o777);
		expect(cacheDirProblem(dir)).toMatch(/can be written by its group or others \(mode 777; chmod 700 it\)/);
		fs.chmodSync(dir, 0o755);
		expect(cacheDirProblem(dir)).toBeNull();
		const file = path.join(dir, 'file');
		fs.writeFileSync(file, 'x');
		expect(cacheDirProblem(file)).toMatch(/is not a folder/);
	});

	it('reads only plain files of its user that no one else can write', () => {
		const dir = fresh();
		const file = path.join(dir, 'a.snapshot');
		fs.writeFileSync(file, 'x', {mode: 0o600});
		expect(trustedCacheFile(file)).toBe(true);
		fs.chmodSync(file, 0o666);
		expect(trustedCacheFile(file)).toBe(false);
		const link = path.join(dir, 'b.snapshot');
		fs.symlinkSync('/dev/zero', link);
		expect(trustedCacheFile(link)).toBe(false);
		const fifo = path.join(dir, 'c.snapshot');
		execFileSync('mkfifo', [fifo]);
		expect(trustedCacheFile(fifo)).toBe(false);
		expect(trustedCacheFile(path.join(dir, 'missing'))).toBe(false);
	});

	it('a start does not use a good snapshot or code cache in a folder others can write, and writes nothing there', async () => {
		const {dir} = await copiedCache();
		const before = fs.readdirSync(dir).sort();
		fs.chmodSync(dir, 0o777);
		const sandbox = await Sandbox.start({cacheDir: dir});
		try {
			expect(sandbox.startInfo).toMatchObject({fromSnapshot: false, codeCache: false});
			expect((await sandbox.run('print(6 * 7)')).stdout).toContain('42');
		} finally {
			await sandbox.dispose();
		}
		expect(fs.readdirSync(dir).sort()).toEqual(before);
		fs.chmodSync(dir, 0o700);
		const trusted = await Sandbox.start({cacheDir: dir});
		try {
			expect(trusted.startInfo).toMatchObject({fromSnapshot: true, codeCache: true});
		} finally {
			await trusted.dispose();
		}
	}, 120_000);

	it('a FIFO in the code cache\'s place is not read: the start restores the snapshot and compiles the glue', async () => {
		const {dir, codeCache} = await copiedCache();
		fs.rmSync(codeCache);
		execFileSync('mkfifo', [codeCache]);
		const sandbox = await Sandbox.start({cacheDir: dir});
		try {
			expect(sandbox.startInfo).toMatchObject({fromSnapshot: true, codeCache: false});
		} finally {
			await sandbox.dispose();
		}
	}, 120_000);
});
