// Where warm hosts (warm-spare.ts) listen, and the checks before anyone uses the place: a private
// directory of this user's, and a socket name that carries the build's tag so that a spare of
// another version is never claimed.
import fs from 'node:fs';
import path from 'node:path';
import {MAX_KEEP_WARM_MINUTES} from '../protocol/defaults.js';
import {makeDirectory} from '../protocol/make-dir.js';
import {socketFile, warmArgs} from './host-channel.js';
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

/**
 * Whether a host is listening on `socket`, without connecting (a connection would claim it, and a
 * claimed host ends when its client leaves). A socket file nobody listens on is removed at once.
 * On Linux a socket counts as live when /proc/net/unix lists it listening (at its path, or at the
 * temporary name a spare binds before it links `socket`: warm-spare.ts listenAt), or when a warm
 * host bound to this very file is running (its command line names the socket and the file's
 * identity: the list is read in parts and can miss a line). A spare killed the moment it started
 * leaves neither, and is replaced at once. Where /proc cannot be read, a socket file counts as
 * listening unless it is older than the longest a spare waits.
 */
export function warmHostListening(socket: string): boolean {
	let stat: fs.Stats;
	try {
		stat = fs.lstatSync(socket);
	} catch {
		return false;
	}
	if (!stat.isSocket()) return true; // not ours to remove; no spare can bind there either
	let listening: boolean;
	try {
		// The list is read in parts, and sockets that come and go between two reads can push a line
		// out of both (seq_file over a hash table): three reads, then the processes, must all miss it.
		listening = [0, 1, 2].some(() => listsListening(fs.readFileSync('/proc/net/unix', 'utf8'), socket)) || warmHostRunning(socket);
	} catch {
		// No list (not Linux): a socket bound longer ago than any spare waits is a dead one's.
		listening = Date.now() - stat.mtimeMs <= (MAX_KEEP_WARM_MINUTES + 1) * 60_000;
	}
	if (listening) return true;
	fs.rmSync(socket, {force: true});
	return false;
}

/** Whether a warm host bound to the file now at `socket` runs: one whose command line names the
 * socket and the file (host-channel.ts warmArgs; a claimed host names the file it had, not one made
 * at the path since). @throws when /proc cannot be listed. */
function warmHostRunning(socket: string): boolean {
	const file = socketFile(socket);
	if (!file) return false;
	const wanted = [`${warmArgs.socket}${socket}`, `${warmArgs.file}${file}`];
	for (const pid of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(pid)) continue;
		let args: string[];
		try {
			args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
		} catch {
			continue; // gone, or not ours to read
		}
		if (wanted.every((arg) => args.includes(arg))) return true;
	}
	return false;
}

/** Whether /proc/net/unix's `table` has `socket` listening (flags 00010000, __SO_ACCEPTCON): at
 * its path, or at a spare's temporary name for it (`<socket without .sock>-<12 hex>.new`), which the
 * list keeps showing after the spare links `socket` to it and removes it. */
function listsListening(table: string, socket: string): boolean {
	const temporary = `${socket.slice(0, -'.sock'.length)}-`;
	return table.split('\n').some((line) => {
		const at = line.indexOf(' /');
		if (at < 0 || line.split(/\s+/)[3] !== '00010000') return false;
		const bound = line.slice(at + 1);
		return bound === socket || (bound.startsWith(temporary) && /^[0-9a-f]{12}\.new$/.test(bound.slice(temporary.length)));
	});
}
