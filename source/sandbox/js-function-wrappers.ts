// Emscripten's dynamic linker gives every JavaScript function that Wasm code takes the address of
// a slot in the function table. A table holds only Wasm functions, so its convertJsFunctionToWasm
// compiles one tiny module per function to wrap it: Pyodide 314's main module has about 260 such
// functions (its GOT.func imports of library functions), resolved by reportUndefinedSymbols on every
// start, a snapshot restore included: about 260 module compiles and instances. Here the same
// wrappers are made by one module: reportUndefinedSymbols, which went through all of the GOT (about
// 8,800 entries, each value read through a getter) for the 280 unresolved ones, gets those from
// `unresolved`, which wraps their functions first, and convertJsFunctionToWasm hands out the one
// made for its function (`take`). The table slots are taken as before, one by one in the same
// order, so every function pointer keeps its value (the snapshot's memory holds them).
// asm-script.ts puts the two calls into the glue.

/** The glue's GOT entry: a mutable i32 global, -1 until resolved. */
interface GotEntry {
	value: number;
}

/** What the glue's linker calls (asm-script.ts linkerEdits). */
export interface JsFunctionWrappers {
	/**
	 * The GOT's unresolved entries (value -1) as [name, entry], in the GOT's order: what
	 * reportUndefinedSymbols goes through. Each one whose symbol `resolve` finds as a JavaScript
	 * function with a `sig` has its wrapper made first, all in one module; anything unexpected there
	 * leaves nothing made, so the glue wraps them one by one as it always did.
	 */
	unresolved(got: Record<string, GotEntry>, resolve: (name: string, direct: boolean) => {sym?: unknown}): [string, GotEntry][];
	/** The wrapper made for `func` with this signature (once), or undefined. */
	take(func: unknown, sig: unknown): unknown;
}

/** WebAssembly as far as this file uses it (the project's TypeScript libs do not declare WebAssembly). */
interface WasmTable {
	set(index: number, value: unknown): void;
}
interface WasmApi {
	Table: new (descriptor: {element: 'anyfunc'; initial: number}) => WasmTable;
	Module: new (bytes: Uint8Array) => object;
	Instance: new (module: object, imports: object) => {exports: Record<string, unknown>};
}

const wasm = (globalThis as unknown as {WebAssembly: WasmApi}).WebAssembly;

/** Emscripten's signature letters (its wasmTypeCodes): i32, pointer (wasm32), i64, f32, f64, externref. */
const typeCodes: Readonly<Record<string, number>> = {i: 0x7f, p: 0x7f, j: 0x7e, f: 0x7d, d: 0x7c, e: 0x6f};

type Prepared = Map<(...args: unknown[]) => unknown, {sig: string; wrapper: unknown}>;

export function jsFunctionWrappers(): JsFunctionWrappers {
	let prepared: Prepared = new Map();
	return {
		unresolved(got, resolve) {
			const entries: [string, GotEntry][] = [];
			for (const name of Object.keys(got)) {
				const entry = got[name]!;
				if (entry.value == -1) entries.push([name, entry]);
			}
			prepared = prepare(entries, resolve);
			return entries;
		},
		take(func, sig) {
			const entry = prepared.get(func as (...args: unknown[]) => unknown);
			if (!entry || entry.sig !== sig) return undefined;
			prepared.delete(func as (...args: unknown[]) => unknown);
			return entry.wrapper;
		},
	};
}

/** The wrappers of the JavaScript functions `entries` resolve to, by function; none if anything fails. */
function prepare(entries: readonly [string, GotEntry][], resolve: (name: string, direct: boolean) => {sym?: unknown}): Prepared {
	try {
		const scratch = new wasm.Table({element: 'anyfunc', initial: 1});
		const funcs: {func: (...args: unknown[]) => unknown; sig: string}[] = [];
		const seen = new Set<unknown>();
		for (const [name] of entries) {
			const func = resolve(name, true).sym;
			if (typeof func !== 'function' || seen.has(func)) continue;
			seen.add(func);
			const sig: unknown = (func as {sig?: unknown}).sig;
			if (typeof sig !== 'string' || !isSignature(sig) || !isJsFunction(scratch, func)) continue;
			funcs.push({func: func as (...args: unknown[]) => unknown, sig});
		}
		const prepared: Prepared = new Map();
		if (funcs.length === 0) return prepared;
		const imports: Record<string, unknown> = {};
		funcs.forEach(({func}, i) => (imports[String(i)] = func));
		const instance = new wasm.Instance(new wasm.Module(wrapperModule(funcs.map(({sig}) => sig))), {e: imports});
		funcs.forEach(({func, sig}, i) => prepared.set(func, {sig, wrapper: instance.exports[String(i)]}));
		return prepared;
	} catch {
		return new Map();
	}
}

/** A signature Emscripten can wrap: a result letter (or v) and parameter letters. */
function isSignature(sig: string): boolean {
	return /^[ipjfdev][ipjfde]*$/.test(sig);
}

/** A table refuses a function that is not Wasm with a TypeError: the test the glue's addFunction makes. */
function isJsFunction(scratch: WasmTable, func: unknown): boolean {
	try {
		scratch.set(0, func);
		return false;
	} catch (error) {
		return error instanceof TypeError;
	}
}

/**
 * A Wasm module that imports e.<i> with signature `sigs[i]` and exports it again as <i>: what
 * convertJsFunctionToWasm builds for one function, for all of them.
 */
export function wrapperModule(sigs: readonly string[]): Uint8Array {
	const typeIndex = new Map<string, number>();
	const types: number[] = [];
	for (const sig of sigs) {
		if (typeIndex.has(sig)) continue;
		typeIndex.set(sig, typeIndex.size);
		const params = [...sig.slice(1)].map((letter) => typeCodes[letter]!);
		const results = sig[0] === 'v' ? [] : [typeCodes[sig[0]!]!];
		types.push(0x60, ...leb(params.length), ...params, ...leb(results.length), ...results);
	}
	const imports: number[] = [];
	const exports: number[] = [];
	sigs.forEach((sig, i) => {
		const name = [...Buffer.from(String(i))];
		imports.push(1, 0x65, ...leb(name.length), ...name, 0x00, ...leb(typeIndex.get(sig)!));
		exports.push(...leb(name.length), ...name, 0x00, ...leb(i));
	});
	const section = (id: number, count: number, body: number[]) => {
		const content = [...leb(count), ...body];
		return [id, ...leb(content.length), ...content];
	};
	return Uint8Array.from([
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		...section(1, typeIndex.size, types),
		...section(2, sigs.length, imports),
		...section(7, sigs.length, exports),
	]);
}

/** Unsigned LEB128. */
function leb(n: number): number[] {
	const out: number[] = [];
	do {
		let byte = n & 0x7f;
		n >>>= 7;
		if (n !== 0) byte |= 0x80;
		out.push(byte);
	} while (n !== 0);
	return out;
}
