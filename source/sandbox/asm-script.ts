// Pyodide's JavaScript glue, pyodide.asm.mjs (1.25 MB, imported on every start), compiled as a
// script so that V8's code cache can skip its parsing and compiling: Node 20 can import an ES
// module only without a cache, and its vm.Script loses the dynamic import() callback once given
// cachedData (nodejs/node#43663), so the module's text is turned into a function expression
// instead: `import.meta.url` and `import(...)` become two parameters, its default export the
// return value (readAsFunctionExpression). Anything unexpected in the text leaves the file to Pyodide's own import.
// The cache is made by a cold start only, before any model code runs, and is checked before use
// (code-cache-file.ts); without a usable one the script compiles as the import would have.
// Two calls go into its dynamic linker (js-function-wrappers.ts) when it has the exact texts they
// replace, each once; otherwise it is left as it is.
import path from 'node:path';
import fs from 'node:fs';
import url from 'node:url';
import vm from 'node:vm';
import {isAscii} from 'node:buffer';
import {readCodeCache, sha256Hex} from './code-cache-file.js';
import {releaseBuffer} from './release-buffer.js';
import {jsFunctionWrappers} from './js-function-wrappers.js';

/** pyodide.asm.mjs, compiled. */
export interface AsmScript {
	/** Its default export (Pyodide's createPyodideModule option). */
	readonly create: unknown;
	/** V8 compiled it from the code cache. */
	readonly fromCache: boolean;
	/** V8's code cache for it, holding what has been compiled so far, and the SHA-256 of the text it compiled. */
	makeCache(): {sourceHash: string; bytes: Uint8Array};
}

/** Names that stand in for `import.meta.url` and `import`: as long as what they replace, so the
 * text is rewritten in place. */
const metaUrlName = '$rlmImportMetaU';
const importName = '$rlmIm';
/** The third parameter: a JsFunctionWrappers. */
const wrappersName = '$rlmJsWrap';
const prefix = Buffer.from(`(function (${metaUrlName}, ${importName}, ${wrappersName}) {'use strict';`);
const suffix = Buffer.from('\n})');

/** What goes into Emscripten's linker (the glue of Pyodide 314.0): each `from` becomes its `to`. */
const linkerEdits: readonly {from: string; to: string}[] = [
	{
		from: 'var reportUndefinedSymbols=()=>{for(var[symName,entry]of Object.entries(GOT)){',
		to: `var reportUndefinedSymbols=()=>{for(var[symName,entry]of ${wrappersName}.unresolved(GOT,resolveGlobalSymbol)){`,
	},
	{
		from: 'var convertJsFunctionToWasm=(func,sig)=>{',
		to: `var convertJsFunctionToWasm=(func,sig)=>{var $rlmW=${wrappersName}.take(func,sig);if($rlmW)return $rlmW;`,
	},
];
const linkerEditsLength = linkerEdits.reduce((n, edit) => n + edit.to.length - edit.from.length, 0);

/**
 * Compiles `pyodideDir`'s pyodide.asm.mjs with the code cache in `cacheFile` when that is usable.
 * @returns the script, or null when the text is not shaped as expected (then loadPyodide imports
 * it); `note` says why a cache file was not used, or why there is no script.
 */
export function compilePyodideAsm(pyodideDir: string, cacheFile: string | null): {script: AsmScript | null; note?: string} {
	const file = path.join(pyodideDir, 'pyodide.asm.mjs');
	let source: string;
	let sourceHash: string;
	try {
		({source, sourceHash} = readAsFunctionExpression(file));
	} catch (error) {
		return {script: null, note: `pyodide.asm.mjs imported (${describe(error)})`};
	}
	const href = url.pathToFileURL(file).href;
	let cache: {file: Buffer; data: Buffer} | undefined;
	let note: string | undefined;
	if (cacheFile) {
		try {
			cache = readCodeCache(cacheFile, sourceHash);
		} catch (error) {
			note = `code cache unusable (${describe(error)})`;
		}
	}
	let script: vm.Script;
	let create: unknown;
	try {
		script = new vm.Script(source, {filename: href, ...(cache ? {cachedData: cache.data} : {})});
		const run = script.runInThisContext() as (metaUrl: string, load: typeof importModule, wrappers: unknown) => unknown;
		create = run(href, importModule, jsFunctionWrappers());
	} catch (error) {
		return {script: null, note: `pyodide.asm.mjs imported (${describe(error)})`};
	} finally {
		if (cache) releaseBuffer(cache.file.buffer);
	}
	const fromCache = !!cache && !script.cachedDataRejected;
	if (cache && !fromCache) note = 'code cache unusable (V8 refused it: another Node?)';
	return {
		script: {
			create,
			fromCache,
			makeCache: () => ({sourceHash, bytes: script.createCachedData()}),
		},
		...(note ? {note} : {}),
	};
}

/**
 * pyodide.asm.mjs's text as a strict function expression of (import.meta.url, import, wrappers)
 * returning its default export, and the SHA-256 (hex) of that text. Rewritten in place in one
 * buffer (the text is 1.25 MB: copies made along the way would stay until a full collection). The
 * text is not parsed: an `import(` inside a string would be rewritten too (Pyodide 314's glue has
 * none). The linker's edits (linkerEdits) are made when each text they replace is there once;
 * `linker` says whether they were.
 * @throws Error when the text has no default export at its end, uses import.meta beyond its url
 * or already holds the names put in (a static import or another export fails later, as a syntax
 * error, and is reported the same way).
 */
export function readAsFunctionExpression(file: string): {source: string; sourceHash: string; linker: boolean} {
	const fd = fs.openSync(file, 'r');
	let text: Buffer;
	let size: number;
	try {
		size = fs.fstatSync(fd).size;
		// Room for the linker's edits, made in place too.
		text = Buffer.allocUnsafeSlow(prefix.length + size + linkerEditsLength + suffix.length);
		prefix.copy(text, 0);
		for (let at = 0; at < size; ) {
			const n = fs.readSync(fd, text, prefix.length + at, size - at, at);
			if (n === 0) throw new Error('pyodide.asm.mjs changed while read');
			at += n;
		}
	} finally {
		fs.closeSync(fd);
	}
	try {
		const body = text.subarray(prefix.length, prefix.length + size);
		if (body.includes('$rlm')) throw new Error('it already uses our names');
		const exported = /\bexport\s+default\s+[A-Za-z_$][\w$]*\s*;?\s*$/.exec(body.toString('latin1', Math.max(0, body.length - 200)));
		if (!exported) throw new Error('no default export at its end');
		// `export default` -> `return` and spaces.
		body.write('return'.padEnd('export default'.length), body.length - Math.min(body.length, 200) + exported.index, 'latin1');
		for (let at = body.indexOf('import'); at >= 0; at = body.indexOf('import', at + 1)) {
			if (at > 0 && /[\w$.]/.test(String.fromCharCode(body[at - 1]!))) continue;
			const after = body.toString('latin1', at + 6, at + 40);
			if (after.startsWith('.meta.url') && !/^[\w$]/.test(after.slice(9))) body.write(metaUrlName, at, 'latin1');
			else if (/^\s*\./.test(after) && /^\s*\.\s*meta\b/.test(after)) throw new Error('it uses import.meta beyond its url');
			else if (/^\s*\(/.test(after)) body.write(importName, at, 'latin1');
		}
		const inserted = makeLinkerEdits(text, prefix.length, size);
		const used = text.subarray(0, prefix.length + size + inserted + suffix.length);
		suffix.copy(used, prefix.length + size + inserted);
		const source = used.toString(isAscii(used) ? 'latin1' : 'utf8');
		return {source, sourceHash: sha256Hex(used), linker: inserted > 0};
	} finally {
		releaseBuffer(text.buffer);
	}
}

/**
 * Makes linkerEdits in the `size` bytes of text at `start` (the buffer has room for what they add
 * after them), moving what follows each one along; none when any `from` is missing or there more
 * than once. @returns the bytes added.
 */
function makeLinkerEdits(text: Buffer, start: number, size: number): number {
	const body = text.subarray(start, start + size);
	const places: {at: number; from: string; to: string}[] = [];
	for (const {from, to} of linkerEdits) {
		const found = body.indexOf(from);
		if (found < 0 || body.indexOf(from, found + 1) >= 0) return 0;
		places.push({at: start + found, from, to});
	}
	places.sort((a, b) => a.at - b.at);
	// From the last place back: what follows each edit moves along by what it and every edit before it add.
	let end = start + size;
	let shift = linkerEditsLength;
	for (let i = places.length - 1; i >= 0; i--) {
		const {at, from, to} = places[i]!;
		text.copyWithin(at + from.length + shift, at + from.length, end);
		shift -= to.length - from.length;
		text.write(to, at + shift, 'latin1');
		end = at;
	}
	return linkerEditsLength;
}

/** import() for pyodide.asm.mjs: Node's built-in modules and files by absolute path or URL (what
 * Pyodide imports), nothing by package name. */
function importModule(specifier: unknown): Promise<unknown> {
	const name = String(specifier);
	if (name.startsWith('node:') || name.startsWith('file:')) return import(name);
	if (path.isAbsolute(name)) return import(url.pathToFileURL(name).href);
	return Promise.reject(new Error(`module ${name} is not available in the sandbox`));
}

function describe(error: unknown): string {
	return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
