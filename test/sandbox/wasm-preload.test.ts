// Pyodide's files read ahead and its module compiled ahead (sandbox/wasm-preload.ts): a load is
// answered with the very bytes and module read and compiled before it, anything else goes the
// usual way, and both hooks are gone once the load settles, even when it fails.
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import {afterAll, describe, expect, it} from 'vitest';
import {lazyValidationCompile, preloadPyodide, withPyodidePreload} from '../../source/sandbox/wasm-preload.js';
import {freshCacheDir} from './helpers.js';

interface WasmApi {
	instantiate: (this: void, source: unknown, imports?: object) => Promise<{module: object; instance: object}>;
}
const wasm = (globalThis as unknown as {WebAssembly: WasmApi}).WebAssembly;

/** An empty Wasm module with one custom section named `name`: valid, and different per name. */
const moduleBytes = (name: string) => Buffer.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, name.length + 1, name.length, ...Buffer.from(name)]);

// Pyodide imports node:fs/promises as an ES module and calls the namespace's readFile; so does this test.
const fsPromises = await import('node:fs/promises');

const dir = freshCacheDir();
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));
fs.writeFileSync(path.join(dir, 'pyodide.asm.wasm'), moduleBytes('pyodide'));
fs.writeFileSync(path.join(dir, 'python_stdlib.zip'), 'the standard library');
fs.writeFileSync(path.join(dir, 'pyodide-lock.json'), '{}');

describe('preloadPyodide', () => {
	it('hands a load the bytes read ahead, and the module compiled ahead for the same bytes', async () => {
		const preload = preloadPyodide(`${dir}${path.sep}`);
		const ahead = await preload.wasm!.module;
		let served: Buffer | null = null;
		await withPyodidePreload(preload, async () => {
			const wasmBytes = (await fsPromises.readFile(`${dir}${path.sep}pyodide.asm.wasm`)) as Buffer;
			served = wasmBytes;
			expect(wasmBytes).toBe(await preload.files.get(path.join(dir, 'pyodide.asm.wasm')));
			expect(String(await fs.promises.readFile(path.join(dir, 'python_stdlib.zip')))).toBe('the standard library');
			// A file not read ahead is read as usual.
			expect(await fsPromises.readFile(path.join(dir, 'pyodide-lock.json'), 'utf8')).toBe('{}');
			// Pyodide hands instantiate a view of its own on the bytes read.
			const same = await wasm.instantiate(new Uint8Array(wasmBytes.buffer, wasmBytes.byteOffset, wasmBytes.byteLength), {});
			expect(same.module).toBe(ahead);
			// A copy with the same bytes is the same module; other bytes are compiled as usual.
			expect((await wasm.instantiate(Buffer.from(moduleBytes('pyodide')), {})).module).toBe(ahead);
			const other = await wasm.instantiate(moduleBytes('other'), {});
			expect(other.module).not.toBe(ahead);
			expect(other.instance).toBeDefined();
		});
		// Served once: the bytes are not held after the load, and a second load reads the file itself.
		expect(preload.files.size).toBe(0);
		expect(preload.wasm).toBeNull();
		// The Wasm file's bytes are given back at once (detached), not left to a full collection.
		expect(served!.buffer.byteLength).toBe(0);
		await withPyodidePreload(preload, async () => {
			const again = (await fsPromises.readFile(path.join(dir, 'pyodide.asm.wasm'))) as Buffer;
			expect(again.equals(moduleBytes('pyodide'))).toBe(true);
			expect((await wasm.instantiate(again, {})).module).not.toBe(ahead);
		});
	});

	it('says while its compile changes V8\'s flag hash (a code cache checked then is refused), and restores both after', async () => {
		const before = v8.cachedDataVersionTag();
		const preload = preloadPyodide(dir);
		expect(lazyValidationCompile()).toBeNull();
		// The compile starts as soon as the bytes are read (a callback registered before this await's).
		await preload.files.get(path.join(dir, 'pyodide.asm.wasm'));
		expect(v8.cachedDataVersionTag()).not.toBe(before);
		const compile = lazyValidationCompile();
		expect(compile).not.toBeNull();
		await compile;
		expect(lazyValidationCompile()).toBeNull();
		expect(v8.cachedDataVersionTag()).toBe(before);
		await withPyodidePreload(preload, async () => {});
	});

	it('leaves fs.promises.readFile and WebAssembly.instantiate as they were, also after a failed load', async () => {
		const {readFile} = fs.promises as unknown as {readFile: (this: void) => unknown};
		const {instantiate} = wasm;
		const preload = preloadPyodide(dir);
		await expect(withPyodidePreload(preload, async () => Promise.reject(new Error('the load failed')))).rejects.toThrow('the load failed');
		expect(fs.promises.readFile).toBe(readFile);
		expect(fsPromises.readFile).toBe(readFile);
		expect(wasm.instantiate).toBe(instantiate);
	});

	it('leaves files it cannot read to the load, which reports them', async () => {
		const empty = freshCacheDir();
		try {
			const preload = preloadPyodide(empty);
			expect(preload.files.size).toBe(0);
			expect(preload.wasm).toBeNull();
			await withPyodidePreload(preload, async () => {
				await expect(fsPromises.readFile(path.join(empty, 'pyodide.asm.wasm'))).rejects.toThrow(/ENOENT/);
			});
		} finally {
			fs.rmSync(empty, {recursive: true, force: true});
		}
	});

	it('lets an invalid module fail where it would have: at instantiate', async () => {
		const bad = freshCacheDir();
		try {
			fs.writeFileSync(path.join(bad, 'pyodide.asm.wasm'), 'not a Wasm module');
			const preload = preloadPyodide(bad);
			await withPyodidePreload(preload, async () => {
				const bytes = (await fsPromises.readFile(path.join(bad, 'pyodide.asm.wasm'))) as Buffer;
				await expect(wasm.instantiate(bytes, {})).rejects.toThrow();
			});
		} finally {
			fs.rmSync(bad, {recursive: true, force: true});
		}
	});
});
