// A host process spawned the moment the command line starts (cli/early-sandbox.ts), before the
// sandbox's own code (sandbox.ts, zod's checks) is even loaded: its snapshot restore is the longest
// step of a start, so it begins while the rest of the CLI loads. This file needs only Node's
// built-ins and the few helpers that name the host's files. The first Sandbox started for the same
// cache dir takes the host (sandbox.ts); one never taken dies with this process (live-hosts.ts).
import fs from 'node:fs';
import {trustedCachePath} from './cache-dir.js';
import {ChildHostLink} from './host-link.js';
import {defaultCacheDir} from './paths.js';
import {snapshotPath, workerInit} from './snapshot.js';
import {checkWarmDir, warmDir, warmSocketPath} from './warm-dir.js';

/** A host spawned early: its link (its 'start' is sent) and the snapshot it restores, if any. */
export interface EarlyHost {
	link: ChildHostLink;
	snapshot: string | null;
	/** performance.now() at the spawn. */
	spawnedAt: number;
}

const waiting = new Map<string, EarlyHost>();

/**
 * Spawns a host for `cacheDir` and sends it its start (from the snapshot there, if any), unless one
 * is waiting already or a warm host left by an earlier run may be listening in `dir` (its claim is
 * asynchronous: warm-link.ts; the usual start does it). Returns the host spawned, or null. Never
 * throws: a host that fails is seen when it is taken.
 */
export function spawnHostEarly(cacheDir = defaultCacheDir(), dir = warmDir()): EarlyHost | null {
	if (waiting.has(cacheDir) || warmHostMayListen(dir)) return null;
	const file = snapshotPath(cacheDir);
	const snapshot = trustedCachePath(cacheDir, file);
	const spawnedAt = performance.now();
	const link = new ChildHostLink(snapshot);
	link.send({t: 'start', init: workerInit(snapshot)});
	const host = {link, snapshot, spawnedAt};
	waiting.set(cacheDir, host);
	return host;
}

/** The host spawned early for `cacheDir`, handed out once; null when there is none. */
export function takeEarlyHost(cacheDir: string): EarlyHost | null {
	const host = waiting.get(cacheDir) ?? null;
	waiting.delete(cacheDir);
	return host;
}

/** Whether a socket file is where a warm host of this build would listen (warm-link.ts claims it). */
function warmHostMayListen(dir: string): boolean {
	if (!checkWarmDir(dir).ok) return false;
	const socket = warmSocketPath(dir);
	if (!socket) return false;
	try {
		return fs.lstatSync(socket).isSocket();
	} catch {
		return false;
	}
}
