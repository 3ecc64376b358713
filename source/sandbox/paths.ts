// Where the sandbox's pieces live: the compiled host and worker, the prelude, Pyodide, the cache.
import fs from 'node:fs';
import {createRequire} from 'node:module';
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

/** Pyodide's package directory, with a trailing slash. */
export function pyodideDir(): string {
	const require = createRequire(import.meta.url);
	return path.dirname(require.resolve('pyodide/package.json')) + path.sep;
}

export function pyodideVersion(): string {
	const require = createRequire(import.meta.url);
	return (require('pyodide/package.json') as {version: string}).version;
}

/** The user's cache directory for rlm-tui (honours XDG_CACHE_HOME). */
export function defaultCacheDir(): string {
	return envPaths('rlm-tui', {suffix: ''}).cache;
}
