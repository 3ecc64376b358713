// The command line a host process starts with: Node's permission model reading only Pyodide's
// files, the sandbox's own code and the snapshot; no code generation from strings.
import path from 'node:path';
import {pyodideDir, sandboxDir} from './paths.js';
import {codeCachePath} from './snapshot.js';

/** The permission model's flag: `--permission` from Node 22.13 and 23.5 on, before that
 * `--experimental-permission`. Read from the version: process.allowedNodeEnvironmentFlags would
 * first build the set of every flag Node has (about 1 ms, before the CLI's early spawn). */
export function permissionFlag(version = process.versions.node): string {
	const [major = 0, minor = 0] = version.split('.').map(Number);
	const stable = major >= 24 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13);
	return stable ? '--permission' : '--experimental-permission';
}

const pyodideFiles = ['package.json', 'pyodide-lock.json', 'pyodide.mjs', 'pyodide.js', 'pyodide.asm.mjs', 'pyodide.asm.js', 'pyodide.asm.wasm', 'python_stdlib.zip'];

/** Node arguments for a host; `snapshot` is the snapshot file it may read, if any (and the code
 * cache beside it, codeCachePath); `alsoRead`:
 * further paths it may read (a warm host's own socket, which it lstats: host-channel.ts). */
export function hostArgs(snapshot: string | null, alsoRead: readonly string[] = []): string[] {
	const dir = sandboxDir();
	return [
		permissionFlag(),
		// Pyodide's own files only, never its folder: a nested node_modules (e.g. `ws`) stays out of reach.
		...pyodideFiles.map((file) => `--allow-fs-read=${path.join(pyodideDir(), file)}`),
		`--allow-fs-read=${dir}${path.sep}`,
		...(snapshot ? [`--allow-fs-read=${snapshot}`, `--allow-fs-read=${codeCachePath(snapshot)}`] : []),
		...alsoRead.map((file) => `--allow-fs-read=${file}`),
		'--allow-worker',
		'--disallow-code-generation-from-strings',
		// GC on the main thread and one background compiler: a host starts with the memory and CPU of
		// --single-threaded (about 20 MB and 20% less than V8's defaults), and leaves the second core to
		// the parent. Not --single-threaded itself: it defers optimising the hot Wasm functions, and a
		// snapshot restore starts with none optimised (a fresh load warms them while Python starts), so
		// Python ran about 75% slower for its first second of work, and the whole 8 MB text job of
		// `npm run bench` 1.3x slower than in a bare Pyodide.
		'--single-threaded-gc',
		'--wasm-num-compilation-tasks=1',
		// V8 optimises a Wasm function once it has run about this many bytes of code (default 1.8 M).
		// CPython's eval loop gets there within the first block anyway; the 10-20 smaller functions that
		// reached the default in a short run stay at the baseline tier: the host of a 3-turn answer uses
		// about 60-90 ms less CPU, and the text job of `npm run bench` runs as fast (it is measured after
		// a warm-up run). 400 K was slower; no tiering at all far slower.
		'--wasm-tiering-budget=20000000',
		// A young generation of 1 MB per semi-space instead of up to 16: the worker's JavaScript is
		// Pyodide's glue, whose garbage is small; about 9 MB less resident, Python as fast (npm run bench).
		'--max-semi-space-size=1',
		// Lets the worker collect the start's garbage once it is ready (worker.ts): an idle host then
		// holds about 30 MB less. Python reaches no JavaScript global, this one included.
		'--expose-gc',
		'--no-warnings',
		path.join(dir, 'host.js'),
	];
}
