// Where the sandbox's pieces live: the compiled host and worker, the prelude, Pyodide, the cache.
import {createRequire} from 'node:module';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import envPaths from 'env-paths';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The directory holding host.js, worker.js and prelude.py. From source (vitest), the build's. */
export function sandboxDir(): string {
	if (import.meta.url.endsWith('.ts')) return path.resolve(here, '..', '..', 'dist', 'sandbox');
	return here;
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
