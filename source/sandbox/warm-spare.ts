// Leaving a warm host behind (--keep-warm): a host process started from the snapshot, detached in
// its own session with no terminal, listening on a Unix socket in a private directory
// (warm-dir.ts) until the next run claims it (warm-link.ts) or its idle time ends, or its socket's
// path no longer leads to it (host-channel.ts). Nothing but the sandbox runs in it: the same
// permission model, no environment, and read access to that one path besides.
// The socket is bound and listening before the host is spawned, and handed to it as its one
// inherited descriptor: a run that starts the moment this one exits finds it at once and claims the
// host while it is still starting (its connection waits in the socket's queue), instead of
// starting a second host beside it.
import {spawn} from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import {socketFile, warmArgs} from './host-channel.js';
import {trustedCachePath} from './cache-dir.js';
import {hostArgs} from './host-permissions.js';
import {usableStartupSnapshot} from './node-startup-snapshot.js';
import {sandboxDir} from './paths.js';
import {snapshotPath, workerInit} from './snapshot.js';
import {checkWarmDir, warmDir, warmHostListening, warmSocketPath, warmTag} from './warm-dir.js';

export type WarmSpareOutcome =
	| {left: true; pid: number}
	/** `problem`: a reason the user should hear (the directory is not private); absent: nothing to say. */
	| {left: false; problem?: string};

/**
 * Starts a warm host for the next run, unless one for this build is listening already. `idleMs`:
 * how long it waits unclaimed before it exits. Synchronous (it may run in
 * an 'exit' handler); never throws.
 */
export function leaveWarmSpare({idleMs, cacheDir, dir = warmDir()}: {idleMs: number; cacheDir: string; dir?: string}): WarmSpareOutcome {
	try {
		const checked = checkWarmDir(dir, {create: true});
		if (!checked.ok) return {left: false, problem: `not keeping a warm sandbox: ${checked.problem}`};
		const socket = warmSocketPath(dir);
		if (!socket) return {left: false, problem: `not keeping a warm sandbox: the path of its socket in ${dir} would be too long`};
		// Without a snapshot (or with one that may not be trusted: cache-dir.ts) a spare would start
		// cold and send it a snapshot to write: not worth it.
		const snapshot = trustedCachePath(cacheDir, snapshotPath(cacheDir));
		if (!snapshot) return {left: false};
		if (!isSocketOrAbsent(socket)) return {left: false, problem: `not keeping a warm sandbox: ${socket} is in the way (not a socket; remove it)`};
		if (warmHostListening(socket)) return {left: false};
		const listener = listenAt(socket);
		if (!listener) return {left: false};
		// Node gives a listening pipe's descriptor only as this (host-channel.ts reads a socket's so too).
		const fd = (listener as unknown as {_handle?: {fd?: number}})._handle?.fd;
		const init = workerInit(snapshot);
		let pid: number | undefined;
		try {
			const file = socketFile(socket);
			if (typeof fd !== 'number' || fd < 0 || !file) throw new Error('no descriptor');
			const child = spawn(
				process.execPath,
				[...hostArgs(snapshot, [socket], usableStartupSnapshot(snapshot)), `${warmArgs.socket}${socket}`, `${warmArgs.file}${file}`, `${warmArgs.idleMs}${Math.round(idleMs)}`, `${warmArgs.tag}${warmTag()}`, `${warmArgs.init}${JSON.stringify(init)}`],
				{env: {}, cwd: sandboxDir(), detached: true, stdio: ['ignore', 'ignore', 'ignore', fd], windowsHide: true},
			);
			child.on('error', () => {});
			child.unref();
			pid = child.pid;
		} finally {
			// The host holds its own copy of the descriptor; this process must not accept on it.
			listener.close();
		}
		if (pid) return {left: true, pid};
		fs.rmSync(socket, {force: true});
		return {left: false};
	} catch {
		return {left: false};
	}
}

/**
 * A server listening at `socket`, bound under a temporary name and linked to `socket` only once it
 * listens (link(2) fails when the name is taken: two runs leaving a spare at once cannot replace
 * each other's). Null when `socket` is taken or the bind fails. Synchronous: a Unix socket binds and listens within listen().
 */
function isSocketOrAbsent(path: string): boolean {
	try {
		return fs.lstatSync(path).isSocket();
	} catch {
		return true;
	}
}

function listenAt(socket: string): net.Server | null {
	const temporary = `${socket.slice(0, -'.sock'.length)}-${crypto.randomBytes(6).toString('hex')}.new`;
	const server = net.createServer();
	server.on('error', () => {});
	server.listen(temporary);
	if (!server.listening) {
		server.close();
		return null;
	}
	try {
		fs.linkSync(temporary, socket);
	} catch {
		server.close();
		return null;
	}
	// Now, before the host starts: it notes the file's change time (host-channel.ts), which an unlink
	// of the other name would change under it.
	fs.rmSync(temporary, {force: true});
	return server;
}

/** Whether `dir` (default: warmDir()) is fit for warm hosts: null when it is (or is not there yet,
 * and will be made private), else the one-line reason it is refused. */
export function warmDirProblem(dir = warmDir()): string | null {
	const checked = checkWarmDir(dir);
	return checked.ok || checked.missing ? null : `not keeping a warm sandbox: ${checked.problem}`;
}
