// Pyodide's start, reordered so that its two longest waits overlap the work before them. Left to
// itself, loadPyodide reads pyodide.asm.wasm (9.6 MB) and python_stdlib.zip (2.5 MB) with
// fs.promises.readFile, in 512 KB steps that advance only when the worker's thread is free (it
// is busy importing pyodide.asm.mjs), and compiles the Wasm module only after that import, on the
// one background compiler the host allows (host-permissions.ts), while the thread waits. Here the
// files are read at once and the module's compilation starts before pyodide.mjs is imported; loadPyodide
// is then handed the same bytes and the compiled module. Nothing changes but when the work is done:
// a module compiled from other bytes, or a read of another file, goes the usual way.
import fs from 'node:fs';
import {syncBuiltinESMExports} from 'node:module';
import path from 'node:path';

/** The files read ahead. */
const preloadedFiles = ['pyodide.asm.wasm', 'python_stdlib.zip'];

/** WebAssembly as far as this file uses it (the project's TypeScript libs do not declare WebAssembly). */
interface WasmApi {
	compile: (this: void, bytes: Uint8Array) => Promise<object>;
	instantiate: (this: void, source: unknown, imports?: object) => Promise<unknown>;
}

const wasm = (globalThis as unknown as {WebAssembly: WasmApi}).WebAssembly;

/** What was read and compiled ahead, for one load (withPyodidePreload then drops it). */
export interface PyodidePreload {
	/** The bytes of each file read ahead, by absolute path. */
	readonly files: Map<string, Buffer>;
	/** pyodide.asm.wasm's bytes and its module, compiling since preloadPyodide; null if the read failed. */
	wasm: {bytes: Buffer; module: Promise<object>} | null;
}

/**
 * Reads Pyodide's Wasm module and standard library from `pyodideDir` and starts compiling the
 * module (asynchronously: on a background thread). A file that cannot be read is left to
 * loadPyodide, which reports it as it would have.
 */
export function preloadPyodide(pyodideDir: string): PyodidePreload {
	const files = new Map<string, Buffer>();
	for (const name of preloadedFiles) {
		const file = path.join(pyodideDir, name);
		try {
			files.set(file, fs.readFileSync(file));
		} catch {
			// loadPyodide reads it (and fails) itself
		}
	}
	const bytes = files.get(path.join(pyodideDir, 'pyodide.asm.wasm'));
	let module: Promise<object> | undefined;
	if (bytes) {
		module = wasm.compile(bytes);
		// Unused if the bytes never reach instantiate; an invalid module fails there, as it would have.
		module.catch(() => {});
	}
	return {files, wasm: bytes && module ? {bytes, module} : null};
}

/**
 * Runs `load` (a loadPyodide) with the preloaded files: fs.promises.readFile answers a preloaded
 * path with its bytes, and WebAssembly.instantiate given pyodide.asm.wasm's bytes (byte for byte)
 * instantiates the module already compiled from them. Both are restored when `load` settles,
 * before any Python code runs, and the preload is dropped: a second load reads and compiles as usual.
 */
export async function withPyodidePreload<T>(preload: PyodidePreload, load: () => Promise<T>): Promise<T> {
	const promises = fs.promises as unknown as {readFile: (this: void, ...args: unknown[]) => Promise<unknown>};
	const readFile = promises.readFile;
	const instantiate = wasm.instantiate;
	promises.readFile = (file: unknown, ...rest: unknown[]) => {
		const bytes = typeof file === 'string' ? preload.files.get(path.resolve(file)) : undefined;
		return bytes ? Promise.resolve(bytes) : readFile(file, ...rest);
	};
	wasm.instantiate = async (source: unknown, imports?: object) => {
		const ahead = preload.wasm;
		if (ahead && isSameBytes(source, ahead.bytes)) {
			const module = await ahead.module;
			return {module, instance: await instantiate(module, imports)};
		}
		return instantiate(source, imports);
	};
	// Pyodide imports node:fs/promises as an ES module: its bindings follow the object only when synced.
	syncBuiltinESMExports();
	try {
		return await load();
	} finally {
		promises.readFile = readFile;
		wasm.instantiate = instantiate;
		syncBuiltinESMExports();
		// Served: about 12 MB that would otherwise stay as long as anything holds `preload`.
		preload.files.clear();
		preload.wasm = null;
	}
}

function isSameBytes(source: unknown, bytes: Buffer): boolean {
	if (!ArrayBuffer.isView(source) || source.byteLength !== bytes.byteLength) return false;
	const view = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
	return view.buffer === bytes.buffer && view.byteOffset === bytes.byteOffset ? true : view.equals(bytes);
}
