// The command line a host process starts with: Node's permission model reading only Pyodide's
// files, the sandbox's own code and the snapshot. No V8 flags: the host sets its worker's
// (worker-flags.ts, the ban on code from strings among them) when it starts the worker.
import path from 'node:path';
import {startupSnapshotArgs} from './node-startup-snapshot.js';
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
 * cache beside it, codeCachePath); `alsoRead`: further paths it may read (a warm host's own socket,
 * which it lstats: host-channel.ts); `startupSnapshot`: Node's startup snapshot to start from
 * (node-startup-snapshot.ts), which Node reads before the permission model applies. */
export function hostArgs(snapshot: string | null, alsoRead: readonly string[] = [], startupSnapshot: string | null = null): string[] {
	const dir = sandboxDir();
	return [
		...(startupSnapshot ? startupSnapshotArgs(startupSnapshot) : []),
		permissionFlag(),
		// Pyodide's own files only, never its folder: a nested node_modules (e.g. `ws`) stays out of reach.
		...pyodideFiles.map((file) => `--allow-fs-read=${path.join(pyodideDir(), file)}`),
		`--allow-fs-read=${dir}${path.sep}`,
		...(snapshot ? [`--allow-fs-read=${snapshot}`, `--allow-fs-read=${codeCachePath(snapshot)}`] : []),
		...alsoRead.map((file) => `--allow-fs-read=${file}`),
		'--allow-worker',
		// GC on the main thread (no effect on V8's code caches; the worker's V8 flags: worker-flags.ts).
		'--single-threaded-gc',
		'--no-warnings',
		path.join(dir, 'host.js'),
	];
}
