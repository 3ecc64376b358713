// Pyodide's start, reordered so that its two longest waits overlap the work before them. Left to
// itself, loadPyodide reads pyodide.asm.wasm (9.6 MB) and python_stdlib.zip (2.5 MB) with
// fs.promises.readFile, in 512 KB steps that advance only when the worker's thread is free (it
// is busy importing pyodide.asm.mjs), and compiles the Wasm module only after that import, on the
// one background compiler the host allows (host-permissions.ts), while the thread waits. Here each
// file is read with one request to the thread pool, started before pyodide.mjs is imported, and the
// module compiles as soon as it is read; loadPyodide
// is then handed the same bytes and the compiled module. Nothing changes but when the work is done:
// a module compiled from other bytes, or a read of another file, goes the usual way.
import fs from 'node:fs';
import {syncBuiltinESMExports} from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import {releaseBuffer} from './release-buffer.js';

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
	/** The bytes of each file being read ahead, by absolute path. */
	readonly files: Map<string, Promise<Buffer>>;
	/** pyodide.asm.wasm's bytes and its module, compiled as soon as they are read; null if it could not be opened. */
	wasm: {bytes: Promise<Buffer>; module: Promise<object>} | null;
}

/**
 * Starts reading Pyodide's Wasm module and standard library from `pyodideDir`, each with one read
 * on libuv's thread pool, and compiling the module (on a background thread) once it is read. A file
 * that cannot be opened is left to loadPyodide, which reports it as it would have.
 */
export function preloadPyodide(pyodideDir: string): PyodidePreload {
	const files = new Map<string, Promise<Buffer>>();
	for (const name of preloadedFiles) {
		const file = path.join(pyodideDir, name);
		try {
			const bytes = readWhole(file);
			// A failed read is reported to loadPyodide when it asks for the file.
			bytes.catch(() => {});
			files.set(file, bytes);
		} catch {
			// loadPyodide opens it (and fails) itself
		}
	}
	const bytes = files.get(path.join(pyodideDir, 'pyodide.asm.wasm'));
	if (!bytes) return {files, wasm: null};
	const module = bytes.then(compileValidatingLazily);
	// Unused if the bytes never reach instantiate; an invalid module fails there, as it would have.
	module.catch(() => {});
	return {files, wasm: {bytes, module}};
}

/**
 * Compiles Pyodide's own module with V8's lazy validation: each function is checked when it is
 * first compiled (Liftoff checks as it compiles) instead of all of them before the compile
 * resolves, which was two thirds of the compile's CPU. The flag is the process's, so it is on only
 * while this compile runs: Pyodide's trampoline test (run after instantiation, which awaits this
 * module) expects a module it cannot use to fail when compiled, which lazy validation would defer.
 * V8's flag hash changes with it: a code cache checked meanwhile is refused (lazyValidationCompile).
 */
async function compileValidatingLazily(bytes: Uint8Array): Promise<object> {
	v8.setFlagsFromString('--wasm-lazy-validation');
	const compile = wasm.compile(bytes);
	const settled = compile.then(
		() => {},
		() => {},
	);
	lazyCompile = settled;
	try {
		return await compile;
	} finally {
		v8.setFlagsFromString('--no-wasm-lazy-validation');
		if (lazyCompile === settled) lazyCompile = null;
	}
}

let lazyCompile: Promise<void> | null = null;

/**
 * The compile that has V8's lazy validation on, or null when none runs. V8 checks a code cache
 * against its flag hash, which that flag changes: code that consumes one waits for this to be null
 * (checked again after each wait), then compiles in the same synchronous stretch.
 */
export function lazyValidationCompile(): Promise<void> | null {
	return lazyCompile;
}

/**
 * A whole file, read with one request to libuv's thread pool (fs.promises.readFile comes back to
 * this thread, busy loading Pyodide, every 512 KB). Opened synchronously: a missing file throws.
 */
function readWhole(file: string): Promise<Buffer> {
	const fd = fs.openSync(file, 'r');
	let size: number;
	try {
		size = fs.fstatSync(fd).size;
	} catch (error) {
		fs.closeSync(fd);
		throw error;
	}
	const buffer = Buffer.allocUnsafeSlow(size);
	return new Promise<Buffer>((resolve, reject) => {
		const readFrom = (offset: number) => {
			fs.read(fd, buffer, offset, size - offset, offset, (error, bytesRead) => {
				const done = offset + (error ? 0 : bytesRead);
				if (!error && bytesRead > 0 && done < size) {
					readFrom(done);
					return;
				}
				fs.close(fd, () => {});
				if (error) reject(error);
				else resolve(done < size ? buffer.subarray(0, done) : buffer);
			});
		};
		readFrom(0);
	});
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
		return bytes ?? readFile(file, ...rest);
	};
	wasm.instantiate = async (source: unknown, imports?: object) => {
		const ahead = preload.wasm;
		const bytes = ahead ? await ahead.bytes.catch(() => null) : null;
		if (ahead && bytes && isSameBytes(source, bytes)) {
			const module = await ahead.module;
			return {module, instance: await instantiate(module, imports)};
		}
		// Not the module compiled ahead: it compiles as usual, once that compile (and its flag) is over.
		await ahead?.module.catch(() => {});
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
		const ahead = preload.wasm;
		preload.files.clear();
		preload.wasm = null;
		// The Wasm file's bytes (9.6 MB) served only to compile the module: given back now, not at
		// the next full collection, which a short run never reaches (worker.ts). Every copy
		// loadPyodide was handed reads as empty from here on; the standard library's bytes stay,
		// as Pyodide's file system may keep them as the file itself.
		const bytes = ahead ? await ahead.bytes.catch(() => null) : null;
		if (bytes) releaseBuffer(bytes.buffer);
	}
}

function isSameBytes(source: unknown, bytes: Buffer): boolean {
	if (!ArrayBuffer.isView(source) || source.byteLength !== bytes.byteLength) return false;
	const view = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
	return view.buffer === bytes.buffer && view.byteOffset === bytes.byteOffset ? true : view.equals(bytes);
}
