// Claiming a warm host (warm-spare.ts): connect to its socket in the private directory, expect its
// hello (this build's tag, its pid, the name of its context socket) within helloTimeoutMs, connect
// the context socket, then speak the usual messages as frames (frames.ts). Anything unexpected
// and the claim gives up: the caller starts a host the usual way.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type {Writable} from 'node:stream';
import {encodeFrame, FrameReader} from './frames.js';
import type {HostLink} from './host-link.js';
import {warmArgs} from './host-channel.js';
import type {ParentMessage} from './protocol.js';
import {checkWarmDir, warmDir, warmSocketPath, warmTag} from './warm-dir.js';

/** How long a warm host has to say hello, in ms; a listener that does not is not one of ours. Its
 * main thread answers at once; the margin is for a loaded machine. */
export const helloTimeoutMs = 3_000;

let claimedIdleMs: number | null = null;
let claiming: Promise<unknown> = Promise.resolve();

/** Resolves once no claim by this process is under way (a claim ends within 2 * helloTimeoutMs):
 * one cut short by an exit uses the host up without learning its idle time. Never rejects. */
export function warmClaimSettled(): Promise<void> {
	return claiming.then(() => undefined);
}

/** The idle time, in ms, of the warm host this process claimed (from its hello); null when it
 * claimed none. Set once the hello is checked: the host is used up from then on. */
export function claimedWarmIdleMs(): number | null {
	return claimedIdleMs;
}

/**
 * The warm host waiting in `dir` (default: warmDir()) for this build, claimed; null when there is
 * none, the directory is not private (warm-dir.ts checkWarmDir), or it does not answer as one.
 * Never rejects.
 */
export function claimWarmHost(dir = warmDir()): Promise<HostLink | null> {
	const claim = claimOnce(dir);
	claiming = claim;
	return claim;
}

async function claimOnce(dir: string): Promise<HostLink | null> {
	if (!checkWarmDir(dir).ok) return null;
	const socketPath = warmSocketPath(dir);
	if (!socketPath) return null;
	let file: fs.Stats;
	try {
		file = fs.lstatSync(socketPath);
		if (!file.isSocket()) return null;
	} catch {
		return null;
	}
	const main = await connect(socketPath);
	if (!main) return null;
	const reader = new FrameReader();
	const hello = await firstFrame(main, reader);
	const {checkWarmHello} = await import('./host-messages.js');
	const checked = checkWarmHello(hello);
	if (!checked || checked.tag !== warmTag() || !isWarmHostProcess(checked.pid, socketPath)) {
		main.destroy();
		return null;
	}
	claimedIdleMs = checked.idleMs;
	removeName(socketPath, file);
	const context = await connect(path.join(dir, checked.contextSocket));
	if (!context) {
		main.destroy();
		return null;
	}
	return new WarmHostLink(checked.pid, main, context, reader);
}

/** Removes the name of the socket just claimed (its host stopped listening when it accepted, and
 * may not remove files), unless the name now leads to another file. */
function removeName(socketPath: string, claimed: fs.Stats): void {
	try {
		const now = fs.lstatSync(socketPath);
		if (now.ino === claimed.ino && now.dev === claimed.dev) fs.rmSync(socketPath);
	} catch {
		// gone already
	}
}

function connect(socketPath: string): Promise<net.Socket | null> {
	return new Promise((resolve) => {
		const socket = net.connect(socketPath);
		const timer = setTimeout(() => {
			socket.destroy();
			resolve(null);
		}, helloTimeoutMs);
		socket.once('connect', () => {
			clearTimeout(timer);
			socket.off('error', failed);
			resolve(socket);
		});
		const failed = () => {
			clearTimeout(timer);
			resolve(null);
		};
		socket.once('error', failed);
	});
}

/** The first message on `socket`, or null when none comes whole within helloTimeoutMs. */
function firstFrame(socket: net.Socket, reader: FrameReader): Promise<unknown> {
	return new Promise((resolve) => {
		const done = (value: unknown) => {
			clearTimeout(timer);
			socket.off('data', onData);
			socket.off('close', onClose);
			socket.pause();
			resolve(value);
		};
		const timer = setTimeout(() => done(null), helloTimeoutMs);
		const onData = (chunk: Buffer) => {
			let messages: unknown[];
			try {
				messages = reader.push(chunk);
			} catch {
				done(null);
				return;
			}
			// The host sends nothing after its hello until the context socket is connected.
			if (messages.length > 0) done(messages[0]);
		};
		const onClose = () => done(null);
		socket.on('data', onData);
		socket.on('close', onClose);
		socket.on('error', () => {});
	});
}

/** Whether `pid` is a warm host started for `socketPath` (its command line says so): the pid is
 * what kill() signals, so it must be that process. Where /proc is missing, the hello is trusted
 * (only this user can reach the directory). */
function isWarmHostProcess(pid: number, socketPath: string): boolean {
	let cmdline: string;
	try {
		cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'ENOENT' && !fs.existsSync('/proc/self');
	}
	return cmdline.split('\0').includes(`${warmArgs.socket}${socketPath}`);
}

/** A claimed warm host: messages as frames on `main`, the context's bytes on `context`. */
class WarmHostLink implements HostLink {
	readonly pid: number;
	readonly #main: net.Socket;
	readonly #context: net.Socket;
	readonly #reader: FrameReader;
	#listeners: Array<(raw: unknown) => void> = [];
	#gone = false;
	#killed = false;
	#goneListeners: Array<() => void> = [];
	#problem: string | null = null;

	constructor(pid: number, main: net.Socket, context: net.Socket, reader: FrameReader) {
		this.pid = pid;
		this.#main = main;
		this.#context = context;
		context.on('error', () => {});
		main.on('error', () => {});
		main.on('close', () => this.#markGone());
		// A host that outlives this process would hold its memory for nothing.
		const killOnExit = () => this.kill();
		process.once('exit', killOnExit);
		this.onGone(() => process.off('exit', killOnExit));
		this.#reader = reader;
	}

	get connected(): boolean {
		return !this.#gone && !this.#main.destroyed;
	}

	get contextStream(): Writable | null {
		return this.#context;
	}

	send(message: ParentMessage): void {
		if (this.connected) this.#main.write(encodeFrame(message));
	}

	onMessage(listener: (raw: unknown) => void): void {
		this.#listeners.push(listener);
		if (this.#listeners.length > 1) return;
		this.#main.on('data', (chunk: Buffer) => {
			let messages: unknown[];
			try {
				messages = this.#reader.push(chunk);
			} catch (error) {
				this.#problem = `its messages broke the framing (${error instanceof Error ? error.message : String(error)})`;
				this.kill();
				return;
			}
			for (const message of messages) for (const each of this.#listeners) each(message);
		});
		this.#main.resume();
	}

	onGone(listener: () => void): void {
		if (this.#gone) queueMicrotask(listener);
		else this.#goneListeners.push(listener);
	}

	kill(): void {
		if (this.#gone) return;
		this.#killed = true;
		// The socket is still open, so the pid is still the host's (checked when it was claimed).
		try {
			process.kill(this.pid, 'SIGKILL');
		} catch {
			// gone already
		}
		this.#main.destroy();
		this.#context.destroy();
	}

	exitDetail(): {detail: string; stderr: string} {
		return {detail: this.#problem ?? (this.#killed ? 'killed by SIGKILL' : 'lost'), stderr: ''};
	}

	#markGone(): void {
		if (this.#gone) return;
		this.#gone = true;
		this.#context.destroy();
		for (const listener of this.#goneListeners.splice(0)) listener();
	}
}
