// The JavaScript functions Emscripten's linker puts in the function table, wrapped by one Wasm
// module instead of one each (js-function-wrappers.ts), and the two edits that make Pyodide's glue
// use them (asm-script.ts): the same table, the same GOT, the same pointers as the untouched glue.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import vm from 'node:vm';
import {afterAll, describe, expect, it} from 'vitest';
import {readAsFunctionExpression} from '../../source/sandbox/asm-script.js';
import {jsFunctionWrappers, wrapperModule, type JsFunctionWrappers} from '../../source/sandbox/js-function-wrappers.js';
import {pyodideDir} from '../../source/sandbox/paths.js';

interface WasmTable {
	set(index: number, value: unknown): void;
	get(index: number): (...args: unknown[]) => unknown;
}
const wasm = (globalThis as unknown as {
	WebAssembly: {
		Table: new (descriptor: {element: 'anyfunc'; initial: number}) => WasmTable;
		Module: new (bytes: Uint8Array) => object;
		Instance: new (module: object, imports: object) => {exports: Record<string, unknown>};
	};
}).WebAssembly;

type Fn = ((...args: never[]) => unknown) & {sig?: string};
const withSig = (sig: string | undefined, fn: Fn): Fn => Object.assign(fn, sig === undefined ? {} : {sig});

const dirs: string[] = [];
afterAll(() => {
	for (const dir of dirs) fs.rmSync(dir, {recursive: true, force: true});
});

describe('jsFunctionWrappers', () => {
	it('hands reportUndefinedSymbols the unresolved entries, with a Wasm wrapper made for each JavaScript function among them', () => {
		const calls: unknown[][] = [];
		const add = withSig('iii', (a: number, b: number) => a + b);
		const half = withSig('dd', (x: number) => x / 2);
		const log = withSig('vi', (x: number) => void calls.push([x]));
		const big = withSig('jj', (x: bigint) => x * 2n);
		const noSig = withSig(undefined, () => 0);
		const oddSig = withSig('iq', () => 0);
		// A Wasm function (the export of a module made here): the table takes it as it is.
		const wasmFn = new wasm.Instance(new wasm.Module(wrapperModule(['ii'])), {e: {0: (x: number) => x + 1}}).exports['0'];
		const symbols: Record<string, unknown> = {add, half, log, big, noSig, oddSig, wasmFn, addAgain: add, data: 1024};
		const got = Object.fromEntries(['add', 'resolved', 'half', 'log', 'big', 'noSig', 'oddSig', 'wasmFn', 'addAgain', 'data', 'missing'].map((name) => [name, {value: name === 'resolved' ? 7 : -1}]));
		const wrappers = jsFunctionWrappers();
		const entries = wrappers.unresolved(got, (name) => ({sym: symbols[name]}));
		expect(entries.map(([name]) => name)).toEqual(['add', 'half', 'log', 'big', 'noSig', 'oddSig', 'wasmFn', 'addAgain', 'data', 'missing']);
		expect(entries[0]![1]).toBe(got['add']);

		const table = new wasm.Table({element: 'anyfunc', initial: 4});
		const wrapped = [add, half, log, big].map((fn) => wrappers.take(fn, fn.sig));
		wrapped.forEach((w, i) => table.set(i, w));
		expect(table.get(0)(2, 3)).toBe(5);
		expect(table.get(1)(3)).toBe(1.5);
		expect(table.get(2)(9)).toBeUndefined();
		expect(calls).toEqual([[9]]);
		expect(table.get(3)(21n)).toBe(42n);
		// Each wrapper is handed out once; the glue makes its own for any other call.
		expect(wrappers.take(add, 'iii')).toBeUndefined();
		expect(wrappers.take(half, 'di')).toBeUndefined();
		expect(wrappers.take(half, 'dd')).toBeUndefined();
		for (const fn of [noSig, oddSig, wasmFn]) expect(wrappers.take(fn, (fn as Fn).sig)).toBeUndefined();
	});

	it('makes nothing when a wrapper cannot be made, and still gives the unresolved entries', () => {
		const badSig = Object.defineProperty(() => 2, 'sig', {
			get(): string {
				throw new Error('no signature');
			},
		});
		const fn = Object.assign(() => 1, {sig: 'ii'});
		const got = {a: {value: -1}, b: {value: -1}, c: {value: 3}};
		const wrappers: JsFunctionWrappers = jsFunctionWrappers();
		const entries = wrappers.unresolved(got, (name) => ({sym: name === 'a' ? fn : badSig}));
		expect(entries.map(([name]) => name)).toEqual(['a', 'b']);
		expect(wrappers.take(fn, 'ii')).toBeUndefined();
	});
});

describe('the glue\'s linker edits', () => {
	const glue = path.join(pyodideDir(), 'pyodide.asm.mjs');
	const unresolvedCall = '$rlmJsWrap.unresolved(GOT,resolveGlobalSymbol)';
	const takeCall = 'var $rlmW=$rlmJsWrap.take(func,sig);if($rlmW)return $rlmW;';

	it('are made in Pyodide 314\'s glue, each once, and change nothing else', () => {
		const edited = readAsFunctionExpression(glue);
		expect(edited.linker).toBe(true);
		expect(edited.source.split(unresolvedCall)).toHaveLength(2);
		expect(edited.source.split(takeCall)).toHaveLength(2);
		expect(edited.source).toContain(`var reportUndefinedSymbols=()=>{for(var[symName,entry]of ${unresolvedCall}){if(entry.value==-1){`);
		expect(edited.source).toContain(`var convertJsFunctionToWasm=(func,sig)=>{${takeCall}var bytes=`);

		// The same glue with one of the texts they replace changed: neither edit is made.
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-tui-glue-'));
		dirs.push(dir);
		const changed = path.join(dir, 'pyodide.asm.mjs');
		const text = fs.readFileSync(glue, 'latin1');
		fs.writeFileSync(changed, text.replace('var convertJsFunctionToWasm=(func,sig)=>{', 'var convertJsFunctionToWasm=(func, sig)=>{'), 'latin1');
		const untouched = readAsFunctionExpression(changed);
		expect(untouched.linker).toBe(false);
		expect(untouched.source).not.toContain('$rlmJsWrap.');
		expect(untouched.source).toContain('of Object.entries(GOT)){');
		// Undoing the edits gives that text back, but for the one change.
		const undone = edited.source.replace(unresolvedCall, 'Object.entries(GOT)').replace(takeCall, '');
		expect(undone).toBe(untouched.source.replace('(func, sig)=>{', '(func,sig)=>{'));
	});

	it('load a Pyodide whose GOT and function table are those of the untouched glue, with every JavaScript function wrapped by the one module', async () => {
		const {loadPyodide} = (await import(url.pathToFileURL(path.join(pyodideDir(), 'pyodide.mjs')).href)) as {
			loadPyodide: (options: object) => Promise<{runPython(code: string): unknown; _module: {GOT: Record<string, {value: number}>; wasmTable: {length: number}}}>;
		};
		const {source} = readAsFunctionExpression(glue);
		const inner = jsFunctionWrappers();
		let taken = 0;
		const counting: JsFunctionWrappers = {
			unresolved: (got, resolve) => inner.unresolved(got, resolve),
			take(func, sig) {
				const wrapper = inner.take(func, sig);
				if (wrapper) taken++;
				return wrapper;
			},
		};
		const href = url.pathToFileURL(glue).href;
		const run = new vm.Script(source, {filename: href}).runInThisContext() as (metaUrl: string, load: (name: string) => Promise<unknown>, wrappers: JsFunctionWrappers) => unknown;
		const quiet = {stdout: () => {}, stderr: () => {}};
		const edited = await loadPyodide({createPyodideModule: run(href, (name) => import(name), counting), indexURL: pyodideDir(), ...quiet});
		const plain = await loadPyodide({indexURL: pyodideDir(), ...quiet});
		const values = (got: Record<string, {value: number}>) => Object.fromEntries(Object.entries(got).map(([name, entry]) => [name, entry.value]));
		expect(Object.keys(edited._module.GOT).length).toBeGreaterThan(1000);
		expect(values(edited._module.GOT)).toEqual(values(plain._module.GOT));
		expect(edited._module.wasmTable.length).toBe(plain._module.wasmTable.length);
		expect(taken).toBeGreaterThan(100);
		expect(edited.runPython('import json, re; json.dumps(re.findall(r"\\d+", "a1b22"))')).toBe('["1", "22"]');
	});
});
