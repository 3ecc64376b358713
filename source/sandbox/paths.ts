// Where the sandbox's pieces live: the compiled host and worker, the prelude, Pyodide, the cache.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import envPaths from 'env-paths';

const here = path.dirname(fileURLToPath(import.meta.url));

let foundSandboxDir: string | null = null;

/** The directory holding host.js, worker.js and prelude.py: this file's own (dist/sandbox), the
 * build's when run from source (vitest), dist/sandbox beside dist/bin when bundled (scripts/bundle.mjs). */
export function sandboxDir(): string {
	if (foundSandboxDir) return foundSandboxDir;
	const candidates = import.meta.url.endsWith('.ts') ? [path.resolve(here, '..', '..', 'dist', 'sandbox')] : [here, path.resolve(here, '..', 'sandbox')];
	foundSandboxDir = candidates.find((dir) => fs.existsSync(path.join(dir, 'host.js'))) ?? candidates[0]!;
	return foundSandboxDir;
}

let foundPyodideDir: string | null = null;
let foundPyodideVersion: string | null = null;

/** Pyodide's package directory, with a trailing slash. Found by the ESM resolver, which every start
 * has loaded already (a require() would first set up the CommonJS loader: about 8 ms before the
 * CLI's early host spawn, cli/early-sandbox.ts). */
export function pyodideDir(): string {
	foundPyodideDir ??= path.dirname(fileURLToPath(import.meta.resolve('pyodide/package.json'))) + path.sep;
	return foundPyodideDir;
}

export function pyodideVersion(): string {
	foundPyodideVersion ??= (JSON.parse(fs.readFileSync(path.join(pyodideDir(), 'package.json'), 'utf8')) as {version: string}).version;
	return foundPyodideVersion;
}

/** The user's cache directory for rlm-tui (honours XDG_CACHE_HOME). */
export function defaultCacheDir(): string {
	return envPaths('rlm-tui', {suffix: ''}).cache;
}
