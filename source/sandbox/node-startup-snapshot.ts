// Node's startup snapshot for the host (`node --build-snapshot`, then `--snapshot-blob`), built with
// the V8 flags the worker needs (worker-flags.ts) and kept in the cache beside the Pyodide snapshot.
// Why: the worker's ban on code from strings must be set before its context is made, and any V8
// flag set changes V8's flag hash, so Node refuses the code cache of its own built-in modules that
// came with it, made with no flags: the worker then compiled its bootstrap from source (about 25 ms
// of CPU more on every start, on the path to Python being ready). A startup snapshot built with
// those flags carries a code cache made with them, which the host and its worker both use, so the
// flags go on the host's command line and the worker starts as fast as one with no flags.
// Node refuses a blob built by another Node or with other flags (exit 14) and aborts on one that is
// not a blob, but does not check its bytes: a host that exits before it is ready with one is
// started again without it, and the blob refused when that works (sandbox.ts). Not used on Windows.
import {spawn, type ChildProcess} from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {makeDirectory} from '../protocol/make-dir.js';
import {cacheDirProblem, trustedCacheFile, trustedCachePath} from './cache-dir.js';
import {sandboxDir} from './paths.js';
import {workerV8Flags} from './worker-flags.js';

/** The V8 flags of a host started from the startup snapshot: the worker's, and the host's own GC
 * flag (hostArgs), which the blob's build must have too. */
export const startupSnapshotFlags: readonly string[] = [...workerV8Flags, '--single-threaded-gc'];

/** How long a build (or its check) may take before it is given up, in ms; a build takes about 0.5 s. */
const buildTimeoutMs = 30_000;

let flagsTag: string | undefined;

/** The blob's file in `cacheDir`: one per Node version, platform, architecture and set of flags. */
export function startupSnapshotPath(cacheDir: string): string {
	flagsTag ??= crypto.createHash('sha256').update(startupSnapshotFlags.join('\n')).digest('hex').slice(0, 12);
	return path.join(cacheDir, `node-${process.versions.node}-${process.platform}-${process.arch}-${flagsTag}.blob`);
}

/** The startup snapshot to start a host from, for the Pyodide snapshot `snapshot` (it sits beside
 * it), when there is one that may be trusted (cache-dir.ts); else null. */
export function usableStartupSnapshot(snapshot: string | null): string | null {
	if (!snapshot || process.platform === 'win32') return null;
	const dir = path.dirname(snapshot);
	return trustedCachePath(dir, startupSnapshotPath(dir));
}

/** The arguments that start a host from `blob`; they come before all others. */
export function startupSnapshotArgs(blob: string): string[] {
	return ['--snapshot-blob', blob, ...startupSnapshotFlags];
}

const builds = new Map<string, Promise<void>>();

/**
 * Builds the startup snapshot into `cacheDir` unless a trusted one is there (or being built, or one
 * was refused or failed to build in the last day): Node writes it into a temp file made 0600 first
 * (Node keeps the file it is given), a Node started from it must then find code from strings
 * refused, and only then is it renamed into place; other blobs of this Node version are removed. A
 * folder that may not be trusted is never written (cache-dir.ts). Never rejects: without a blob,
 * hosts start as before.
 */
export function buildStartupSnapshot(cacheDir: string): Promise<void> {
	const target = startupSnapshotPath(cacheDir);
	const running = builds.get(target);
	if (running) return running;
	if (process.platform === 'win32' || cacheDirProblem(cacheDir) || trustedCacheFile(target) || recentlyRefused(target)) return Promise.resolve();
	const build = (async () => {
		const temp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
		unfinished.add(temp);
		try {
			makeDirectory(cacheDir, 0o700);
			await removeOtherBlobs(cacheDir, path.basename(target));
			fs.closeSync(fs.openSync(temp, 'wx', 0o600));
			await runNode(['--snapshot-blob', temp, ...startupSnapshotFlags, '--build-snapshot', '/dev/null']);
			await runNode([...startupSnapshotArgs(temp), '-e', "try { eval('0') } catch { process.exit(0) } process.exit(1)"]);
			await fs.promises.rename(temp, target);
			await fs.promises.rm(refusedMark(target), {force: true});
		} catch {
			await fs.promises.rm(temp, {force: true}).catch(() => {});
			await markRefused(target);
		} finally {
			unfinished.delete(temp);
		}
	})();
	builds.set(target, build);
	void build.finally(() => builds.delete(target));
	return build;
}

/** The file that says a host failed to start from `blob`, or its build failed: none is built for a
 * day after (its mtime), so a blob that cannot work costs one failed start or build a day, not one
 * on every run. */
const refusedMark = (blob: string) => `${blob}.refused`;
const refusalLastsMs = 24 * 60 * 60 * 1000;

function recentlyRefused(blob: string): boolean {
	try {
		return Date.now() - fs.statSync(refusedMark(blob)).mtimeMs < refusalLastsMs;
	} catch {
		return false;
	}
}

async function markRefused(blob: string): Promise<void> {
	await fs.promises.writeFile(refusedMark(blob), '', {mode: 0o600}).catch(() => {});
}

/** Deletes `blob`, a host having failed to start from it (and started without it), and marks it
 * refused. Never rejects. */
export async function refuseStartupSnapshot(blob: string): Promise<void> {
	await fs.promises.rm(blob, {force: true}).catch(() => {});
	await markRefused(blob);
}

/** Resolves when every build under way has finished. */
export async function startupSnapshotBuildsSettled(): Promise<void> {
	await Promise.all([...builds.values()]);
}

/** The temp files of builds under way, and the Nodes writing them: a process that exits meanwhile
 * (Ctrl+C while a run waits for the build) kills them and removes the files, leaving nothing. */
const unfinished = new Set<string>();
const builders = new Set<ChildProcess>();
let cleanupAtExit = false;

function removeUnfinishedAtExit(): void {
	for (const child of builders) child.kill('SIGKILL');
	for (const temp of unfinished) fs.rmSync(temp, {force: true});
}

/** Runs this Node with `args` and no environment (NODE_OPTIONS would change the blob's flags);
 * rejects unless it exits 0 in time. */
function runNode(args: string[]): Promise<void> {
	if (!cleanupAtExit) {
		cleanupAtExit = true;
		process.once('exit', removeUnfinishedAtExit);
	}
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, args, {env: {}, cwd: sandboxDir(), stdio: 'ignore', windowsHide: true});
		builders.add(child);
		child.once('exit', () => builders.delete(child));
		const timer = setTimeout(() => child.kill('SIGKILL'), buildTimeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			if (code === 0) resolve();
			else reject(new Error(`node ${args.includes('--build-snapshot') ? '--build-snapshot' : '--snapshot-blob'} exited ${signal ?? code}`));
		});
	});
}

/** Removes temp files of builds left by a process killed mid-build over an hour ago (prewarm runs
 * it on every start of the app, whether a build is needed or not). Never rejects. */
export async function removeStartupSnapshotLeftovers(cacheDir: string): Promise<void> {
	if (!cacheDirProblem(cacheDir)) await removeOtherBlobs(cacheDir, path.basename(startupSnapshotPath(cacheDir)), {leftoversOnly: true});
}

/** Removes this Node version's other blobs (built with other flags) and temp files left by a
 * process that exited mid-build over an hour ago; other Node versions' blobs stay for their Node. */
async function removeOtherBlobs(cacheDir: string, keep: string, {leftoversOnly = false} = {}): Promise<void> {
	const names = await fs.promises.readdir(cacheDir).catch(() => [] as string[]);
	const hourAgo = Date.now() - 60 * 60 * 1000;
	const sameNode = `node-${process.versions.node}-${process.platform}-${process.arch}-`;
	await Promise.all(
		names.map(async (name) => {
			const file = path.join(cacheDir, name);
			const other = !leftoversOnly && name !== keep && name.startsWith(sameNode) && name.endsWith('.blob');
			const leftover = /^node-.*\.blob\..*\.tmp$/.test(name);
			const modified = leftover ? ((await fs.promises.stat(file).catch(() => null))?.mtimeMs ?? Infinity) : Infinity;
			if (other || modified < hourAgo) await fs.promises.rm(file, {force: true}).catch(() => {});
		}),
	);
}
