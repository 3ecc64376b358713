// V8's code cache for Pyodide's glue (pyodide.asm.mjs): made by the cold start that makes the
// snapshot, written beside it by the parent, used by later starts, and refused (the start then
// compiles as usual) when its bytes, or the script it was made from, are not what it says.
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import vm from 'node:vm';
import {afterAll, describe, expect, it} from 'vitest';
import {Sandbox, prewarmSandbox} from '../../source/sandbox/index.js';
import {compilePyodideAsm, readAsFunctionExpression} from '../../source/sandbox/asm-script.js';
import {codeCacheFileParts, readCodeCache, sha256Hex} from '../../source/sandbox/code-cache-file.js';
import {pyodideDir} from '../../source/sandbox/paths.js';
import {freshCacheDir} from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
	for (const dir of dirs) fs.rmSync(dir, {recursive: true, force: true});
});

const HEADER = 8 + 32 + 32;

function codeCacheFile(dir: string): string {
	const names = fs.readdirSync(dir).filter((name) => name.endsWith('.code-cache'));
	expect(names).toHaveLength(1);
	return path.join(dir, names[0]!);
}

/** A start from `dir`'s snapshot that runs Python through Pyodide's glue (output, a sub-call, an error). */
async function startAndRun(dir: string): Promise<Sandbox> {
	const sandbox = await Sandbox.start({cacheDir: dir});
	const result = await sandbox.run('import json\nprint(json.dumps({"n": sum(range(10))}), llm_query("x"))\n1/0');
	expect(result.stdout).toContain('{"n": 45} Error: sub-calls are not available here');
	expect(result.error).toMatch(/ZeroDivisionError/);
	expect((await sandbox.run('import js')).ok).toBe(false);
	return sandbox;
}

describe('the code cache of Pyodide\'s glue', () => {
	it('is made by the cold start beside the snapshot, used by later starts, refused when damaged or made from another script', async () => {
		const dir = freshCacheDir();
		dirs.push(dir);
		await prewarmSandbox({cacheDir: dir});
		const snapshot = fs.readdirSync(dir).find((name) => name.endsWith('.snapshot'))!;
		const file = codeCacheFile(dir);
		expect(path.basename(file)).toBe(`${snapshot.replace(/\.snapshot$/, '')}-v8-${process.versions.v8}.code-cache`);
		const made = fs.readFileSync(file);
		expect(made.length).toBeGreaterThan(HEADER + 100_000);

		const a = await startAndRun(dir);
		try {
			expect(a.startInfo).toMatchObject({fromSnapshot: true, codeCache: true});
			expect(a.startInfo?.note).toBeUndefined();
		} finally {
			await a.dispose();
		}

		// One byte of the data changed: V8 itself would take it; our checksum refuses it.
		const damaged = Buffer.from(made);
		damaged[HEADER + Math.floor((made.length - HEADER) / 2)]! ^= 0x40;
		fs.writeFileSync(file, damaged);
		const b = await startAndRun(dir);
		try {
			expect(b.startInfo).toMatchObject({fromSnapshot: true, codeCache: false});
			expect(b.startInfo?.note).toMatch(/code cache unusable \(its bytes do not match its checksum\)/);
		} finally {
			await b.dispose();
		}
		// Only a cold start makes one: a start from the snapshot leaves the refused file as it was.
		expect(fs.readFileSync(file).equals(damaged)).toBe(true);

		// Sound bytes, but made from another pyodide.asm.mjs (another Pyodide's, or another rewrite of it).
		const data = made.subarray(HEADER);
		fs.writeFileSync(file, Buffer.concat(codeCacheFileParts(sha256Hex('another pyodide.asm.mjs'), data)));
		const c = await startAndRun(dir);
		try {
			expect(c.startInfo).toMatchObject({fromSnapshot: true, codeCache: false});
			expect(c.startInfo?.note).toMatch(/code cache unusable \(made from another pyodide\.asm\.mjs\)/);
		} finally {
			await c.dispose();
		}

		// Cut short.
		fs.writeFileSync(file, made.subarray(0, HEADER - 1));
		const d = await startAndRun(dir);
		try {
			expect(d.startInfo).toMatchObject({fromSnapshot: true, codeCache: false});
			expect(d.startInfo?.note).toMatch(/code cache unusable \(not a code cache\)/);
		} finally {
			await d.dispose();
		}

		// V8's own refusal (here: this process runs with other V8 flags than a host) falls back to compiling.
		fs.writeFileSync(file, made);
		const compiled = compilePyodideAsm(pyodideDir(), file);
		expect(compiled.script).not.toBeNull();
		expect(compiled.script!.fromCache).toBe(false);
		expect(compiled.note).toMatch(/V8 refused it/);
		expect(typeof compiled.script!.create).toBe('function');
	});
});

describe('code cache files', () => {
	it('give back their data only for the script they were made from, with the bytes their checksum names', () => {
		const dir = freshCacheDir();
		dirs.push(dir);
		const file = path.join(dir, 'x.code-cache');
		const source = sha256Hex('the script');
		const data = Buffer.from('compiled code, as V8 would have it');
		fs.writeFileSync(file, Buffer.concat(codeCacheFileParts(source, data)));
		expect(readCodeCache(file, source).data.equals(data)).toBe(true);
		expect(() => readCodeCache(file, sha256Hex('another script'))).toThrow('made from another pyodide.asm.mjs');
		const bytes = fs.readFileSync(file);
		bytes[bytes.length - 1]! ^= 1;
		fs.writeFileSync(file, bytes);
		expect(() => readCodeCache(file, source)).toThrow('its bytes do not match its checksum');
		fs.writeFileSync(file, 'RLMSNAP1 a snapshot, not a code cache, and long enough to have a header of seventy-two bytes');
		expect(() => readCodeCache(file, source)).toThrow('not a code cache');
	});
});

describe('readAsFunctionExpression', () => {
	function moduleFile(text: string): string {
		const dir = freshCacheDir();
		dirs.push(dir);
		const file = path.join(dir, 'pyodide.asm.mjs');
		fs.writeFileSync(file, text);
		return file;
	}

	it('turns a module into a function of (import.meta.url, import) returning its default export', async () => {
		const file = moduleFile(
			'const where = import.meta.url;\nasync function make(){ const p = await import("node:path"); return [where, p.sep, "import" + ".meta"]; }\nfunction pyimport(x){ return x }\nexport default make;\n',
		);
		const {source, sourceHash} = readAsFunctionExpression(file);
		expect(sourceHash).toBe(sha256Hex(source));
		const imported: string[] = [];
		const make = (new vm.Script(source).runInThisContext() as (metaUrl: string, load: (name: string) => Promise<unknown>) => () => Promise<unknown>)(
			url.pathToFileURL(file).href,
			(name) => {
				imported.push(name);
				return import(name);
			},
		);
		expect(await make()).toEqual([url.pathToFileURL(file).href, path.sep, 'import.meta']);
		expect(imported).toEqual(['node:path']);
		expect(source).toContain('function pyimport(x)');
	});

	it('refuses a module it cannot turn into a function', () => {
		expect(() => readAsFunctionExpression(moduleFile('export const a = 1;\n'))).toThrow('no default export at its end');
		expect(() => readAsFunctionExpression(moduleFile('const r = import.meta.resolve("x");\nexport default r;\n'))).toThrow('beyond its url');
	});
});
