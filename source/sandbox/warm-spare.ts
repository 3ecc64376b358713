// Leaving a warm host behind (--keep-warm): a host process started from the snapshot, detached in
// its own session with no terminal and no inherited descriptors, listening on a Unix socket in a
// private directory (warm-dir.ts) until the next run claims it (warm-link.ts) or its idle time
// ends, or its socket's path no longer leads to it (host-channel.ts). Nothing but the sandbox runs
// in it: the same permission model, no environment, and read access to that one path besides.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {warmArgs} from './host-channel.js';
import {hostArgs} from './host-permissions.js';
import {pyodideDir, sandboxDir} from './paths.js';
import type {WorkerInit} from './protocol.js';
import {snapshotKey, snapshotPath} from './snapshot.js';
import {checkWarmDir, warmDir, warmHostListening, warmSocketPath, warmTag} from './warm-dir.js';

export type WarmSpareOutcome =
	| {left: true; pid: number}
	/** `problem`: a reason the user should hear (the directory is not private); absent: nothing to say. */
	| {left: false; problem?: string};

/**
 * Starts a warm host for the next run, unless one for this build is listening already. `idleMs`:
 * how long it waits unclaimed before it exits and removes its socket. Synchronous (it may run in
 * an 'exit' handler); never throws.
 */
export function leaveWarmSpare({idleMs, cacheDir, dir = warmDir()}: {idleMs: number; cacheDir: string; dir?: string}): WarmSpareOutcome {
	try {
		const checked = checkWarmDir(dir, {create: true});
		if (!checked.ok) return {left: false, problem: `not keeping a warm sandbox: ${checked.problem}`};
		const socket = warmSocketPath(dir);
		if (!socket) return {left: false, problem: `not keeping a warm sandbox: the path of its socket in ${dir} would be too long`};
		const snapshot = snapshotPath(cacheDir);
		// Without a snapshot a spare would start cold and send it a snapshot to write: not worth it.
		if (!fs.existsSync(snapshot) || warmHostListening(socket)) return {left: false};
		const init: WorkerInit = {pyodideDir: pyodideDir(), preludePath: path.join(sandboxDir(), 'prelude.py'), snapshotPath: snapshot, snapshotTag: snapshotKey()};
		const child = spawn(
			process.execPath,
			[...hostArgs(snapshot, [socket]), `${warmArgs.socket}${socket}`, `${warmArgs.idleMs}${Math.round(idleMs)}`, `${warmArgs.tag}${warmTag()}`, `${warmArgs.init}${JSON.stringify(init)}`],
			{env: {}, cwd: sandboxDir(), detached: true, stdio: 'ignore', windowsHide: true},
		);
		child.on('error', () => {});
		child.unref();
		return child.pid ? {left: true, pid: child.pid} : {left: false};
	} catch {
		return {left: false};
	}
}

/** Whether `dir` (default: warmDir()) is fit for warm hosts: null when it is (or is not there yet,
 * and will be made private), else the one-line reason it is refused. */
export function warmDirProblem(dir = warmDir()): string | null {
	const checked = checkWarmDir(dir);
	return checked.ok || checked.missing ? null : `not keeping a warm sandbox: ${checked.problem}`;
}
