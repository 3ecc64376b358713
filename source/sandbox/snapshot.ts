// The Pyodide memory snapshot in the user's cache: its name (Pyodide version + a hash of the code
// that shapes it), and writing it atomically from the bytes the host sends; the same for V8's
// code cache of Pyodide's glue, beside it. The host itself has no write permission. Failures here
// never fail the sandbox: it just starts cold (or compiles) next time.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {makeDirectory} from '../protocol/make-dir.js';
import {pyodideDir, pyodideVersion, sandboxDir} from './paths.js';
import {cacheDirProblem, trustedCachePath} from './cache-dir.js';
import {codeCacheFileParts} from './code-cache-file.js';
import type {WorkerInit} from './protocol.js';
import {snapshotFileParts} from './snapshot-file.js';
import {startupSnapshotBuildsSettled} from './node-startup-snapshot.js';

let cachedKey: string | null = null;

/** The first 16 hex digits of the SHA-256 of `seed` and the sandbox's `files` (dist/sandbox/),
 * a missing file hashed as its name: a tag that changes when any of them does. */
export function sandboxFilesTag(seed: string, files: readonly string[]): string {
	const hash = crypto.createHash('sha256');
	hash.update(seed);
	for (const file of files) {
		try {
			hash.update(fs.readFileSync(path.join(sandboxDir(), file)));
		} catch {
			hash.update(`missing ${file}`);
		}
	}
	return hash.digest('hex').slice(0, 16);
}

/** Changes whenever Pyodide, the prelude, the worker or the snapshot file format changes. */
export function snapshotKey(): string {
	cachedKey ??= sandboxFilesTag(`pyodide ${pyodideVersion()}\n`, ['prelude.py', 'worker.js', 'snapshot-file.js']);
	return cachedKey;
}

export function snapshotPath(cacheDir: string): string {
	return path.join(cacheDir, `pyodide-${pyodideVersion()}-${snapshotKey()}.snapshot`);
}

/** V8's code cache for pyodide.asm.mjs beside `snapshot` (a snapshot's path): for this V8 only,
 * as V8 refuses another's, and a cache is made only with a new snapshot. */
export function codeCachePath(snapshot: string): string {
	return `${snapshot.replace(/\.snapshot$/, '')}-v8-${process.versions.v8}.code-cache`;
}

/** What a host's worker starts with: Pyodide's and the prelude's places, the snapshot to restore
 * (null: a cold start) and the tag it must carry, and the code cache beside the snapshot when it may
 * be trusted (cache-dir.ts). */
export function workerInit(snapshot: string | null): WorkerInit {
	return {pyodideDir: pyodideDir(), preludePath: path.join(sandboxDir(), 'prelude.py'), snapshotPath: snapshot, snapshotTag: snapshotKey(), codeCachePath: snapshot ? trustedCachePath(path.dirname(snapshot), codeCachePath(snapshot)) : null};
}

const writes = new Map<string, Promise<void>>();

/** Writes a snapshot (temp file + rename) and removes older ones. Never rejects. */
export function writeSnapshot(cacheDir: string, payload: Uint8Array): Promise<void> {
	return writeCacheFile(cacheDir, snapshotPath(cacheDir), snapshotFileParts(payload));
}

/** Writes the code cache a cold start sent (`sourceHash`: the SHA-256 of the script it was made
 * from) beside the snapshot, with the checksum of its bytes, and removes older ones. Never rejects. */
export function writeCodeCache(cacheDir: string, sourceHash: string, bytes: Uint8Array): Promise<void> {
	return writeCacheFile(cacheDir, codeCachePath(snapshotPath(cacheDir)), codeCacheFileParts(sourceHash, bytes));
}

function writeCacheFile(cacheDir: string, target: string, parts: Uint8Array[]): Promise<void> {
	const previous = writes.get(target) ?? Promise.resolve();
	const write = previous.then(async () => {
		const temp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
		try {
			makeDirectory(cacheDir, 0o700);
			// A folder others can write is never read from (cache-dir.ts): nothing is left in it.
			if (cacheDirProblem(cacheDir)) return;
			await fs.promises.writeFile(temp, parts, {mode: 0o600});
			await fs.promises.rename(temp, target);
			await removeStale(cacheDir, path.basename(target));
		} catch {
			await fs.promises.rm(temp, {force: true}).catch(() => {});
		}
	});
	writes.set(target, write);
	void write.finally(() => {
		if (writes.get(target) === write) writes.delete(target);
	});
	return write;
}

/** Resolves when every cache write under way has finished: snapshots, code caches and Node's
 * startup snapshot (node-startup-snapshot.ts). */
export async function snapshotWritesSettled(): Promise<void> {
	await Promise.all([...writes.values(), startupSnapshotBuildsSettled()]);
}

/** Removes other files of `keep`'s kind (snapshots, code caches), and temp files left by a process
 * that exited mid-write. */
async function removeStale(cacheDir: string, keep: string): Promise<void> {
	const names = await fs.promises.readdir(cacheDir).catch(() => [] as string[]);
	const hourAgo = Date.now() - 60 * 60 * 1000;
	const kind = keep.endsWith('.code-cache') ? /^pyodide-.*\.code-cache$/ : /^pyodide-.*\.snapshot$/;
	await Promise.all(
		names.map(async (name) => {
			const file = path.join(cacheDir, name);
			const oldSnapshot = name !== keep && kind.test(name);
			const leftover = /^pyodide-.*\.(snapshot|code-cache)\..*\.tmp$/.test(name);
			const modified = leftover ? ((await fs.promises.stat(file).catch(() => null))?.mtimeMs ?? Infinity) : Infinity;
			if (oldSnapshot || modified < hourAgo) await fs.promises.rm(file, {force: true}).catch(() => {});
		}),
	);
}
