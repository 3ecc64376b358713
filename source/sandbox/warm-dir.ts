// Where warm hosts (warm-spare.ts) listen, and the checks before anyone uses the place: a private
// directory of this user's, and a socket name that carries the build's tag so that a spare of
// another version is never claimed.
import fs from 'node:fs';
import path from 'node:path';
import {MAX_KEEP_WARM_MINUTES} from '../protocol/defaults.js';
import {makeDirectory} from '../protocol/make-dir.js';
import {defaultCacheDir} from './paths.js';
import {sandboxFilesTag, snapshotKey} from './snapshot.js';

/** The longest Unix socket path, in bytes: sun_path holds 108 with its terminating NUL on Linux
 * (104 on macOS and the BSDs; sockets there fail to bind and the run starts cold). */
const maxSocketPathBytes = 107;

/** `$XDG_RUNTIME_DIR/rlm-tui` when that is an absolute path (the XDG base directory spec: a
 * per-user directory, mode 0700, removed at logout), else `warm` in the user's cache dir. */
export function warmDir(env: NodeJS.ProcessEnv = process.env): string {
	const runtime = env.XDG_RUNTIME_DIR;
	return runtime && path.isAbsolute(runtime) ? path.join(runtime, 'rlm-tui') : path.join(defaultCacheDir(), 'warm');
}

export type WarmDirCheck = {ok: true; dir: string} | {ok: false; missing: boolean; problem: string};

/**
 * Whether `dir` may hold warm hosts' sockets: a real directory (lstat: not a symbolic link), owned
 * by this process's user, with no permission for group or others. `create` makes it first (mode
 * 0700) when it is missing. Never throws.
 */
export function checkWarmDir(dir: string, {create = false}: {create?: boolean} = {}): WarmDirCheck {
	let made: string | undefined;
	if (create) {
		try {
			makeDirectory(dir, 0o700);
		} catch (error) {
			// lstat below says what is there; this says why it is not there
			made = (error as Error).message.split('\n')[0];
		}
	}
	let stat: fs.Stats;
	try {
		stat = fs.lstatSync(dir);
	} catch {
		return {ok: false, missing: true, problem: made ? `${dir} could not be made (${made})` : `${dir} does not exist`};
	}
	const refuse = (problem: string): WarmDirCheck => ({ok: false, missing: false, problem: `${dir} ${problem}`});
	if (stat.isSymbolicLink()) return refuse('is a symbolic link');
	if (!stat.isDirectory()) return refuse('is not a directory');
	if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return refuse(`belongs to another user (uid ${stat.uid})`);
	if ((stat.mode & 0o077) !== 0) return refuse(`is open to its group or others (mode ${(stat.mode & 0o777).toString(8)}; chmod 700 it)`);
	return {ok: true, dir};
}

let cachedTag: string | null = null;

/** The build's tag: the snapshot's key (Pyodide, the prelude, the worker), Node's version and the
 * host's own code. Hosts of builds whose tags differ never meet. */
export function warmTag(): string {
	cachedTag ??= sandboxFilesTag(`${snapshotKey()}\n${process.version}\n`, ['host.js', 'host-channel.js', 'frames.js', 'protocol.js']);
	return cachedTag;
}

/** The spare's socket in `dir`; null when it, or a socket beside it named for it (the context
 * socket `host-<tag>-<12 hex>.ctx` of host-channel.ts, the name warm-spare.ts binds first), would
 * be too long a path to bind. */
export function warmSocketPath(dir: string): string | null {
	const socket = path.join(dir, `host-${warmTag()}.sock`);
	const longestBeside = Buffer.byteLength(socket) - '.sock'.length + '-123456789abc.ctx'.length;
	return longestBeside <= maxSocketPathBytes ? socket : null;
}

/** A socket younger than this, in ms, is never taken for a dead host's: a spare binds and listens
 * in one step, but a listing read at that moment may not show it listening yet. */
const freshSocketMs = 10_000;

/**
 * Whether a host is listening on `socket`, without connecting (a connection would claim it): Linux
 * lists bound sockets in /proc/net/unix. A socket file nobody listens on is removed. Where that
 * list cannot be read, a socket file counts as listening unless it is older than the longest a
 * spare waits.
 */
export function warmHostListening(socket: string): boolean {
	let stat: fs.Stats;
	try {
		stat = fs.lstatSync(socket);
	} catch {
		return false;
	}
	if (!stat.isSocket()) return true; // not ours to remove; no spare can bind there either
	const age = Date.now() - stat.mtimeMs;
	let listening: boolean;
	try {
		// The list is read in parts, and sockets that come and go between two reads can push a line
		// out of both (seq_file over a hash table): a host is taken for dead only if three reads miss it.
		listening = [0, 1, 2].some(() => listsListening(fs.readFileSync('/proc/net/unix', 'utf8'), socket));
	} catch {
		// No list (not Linux): a socket bound longer ago than any spare waits is a dead one's.
		listening = age <= (MAX_KEEP_WARM_MINUTES + 1) * 60_000;
	}
	if (listening || age < freshSocketMs) return true;
	fs.rmSync(socket, {force: true});
	return false;
}

/** Whether /proc/net/unix's `table` has `socket` listening (flags 00010000, __SO_ACCEPTCON). */
function listsListening(table: string, socket: string): boolean {
	return table.split('\n').some((line) => line.endsWith(` ${socket}`) && line.split(/\s+/)[3] === '00010000');
}
