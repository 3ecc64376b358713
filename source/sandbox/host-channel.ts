// How the host process talks to its parent: Node's child IPC for a host the parent spawned, or a
// Unix socket for a warm host (warm-spare.ts), one started ahead of a run and claimed by it
// (warm-link.ts). The messages are the same (protocol.ts); only their carriage differs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {encodeFrame, FrameReader} from './frames.js';
import type {HostMessage, ParentMessage, WarmHello, WorkerInit} from './protocol.js';

export interface ParentChannel {
	/** Sends a message if the parent is there; `sent` runs once it has left this process. */
	send(message: HostMessage, sent?: () => void): void;
	connected(): boolean;
	onMessage(listener: (message: ParentMessage) => void): void;
	/** For a warm host, the worker's start: it starts before any parent is there. */
	readonly init: WorkerInit | null;
}

/** The host's own arguments (after host.js) that make it a warm host; see warm-spare.ts. */
export const warmArgs = {socket: '--warm-socket=', file: '--warm-file=', idleMs: '--warm-idle-ms=', tag: '--warm-tag=', init: '--warm-init='} as const;

/**
 * The channel `argv` (the host's arguments after host.js) asks for. `onContextFd` is told the
 * descriptor a claimed warm host reads the context's bytes from (the child host's is CONTEXT_FD).
 */
export function openParentChannel(argv: readonly string[], onContextFd: (fd: number) => void): ParentChannel {
	const arg = (prefix: string) => argv.find((word) => word.startsWith(prefix))?.slice(prefix.length);
	const socket = arg(warmArgs.socket);
	if (!socket) return ipcChannel();
	const idleMs = Number(arg(warmArgs.idleMs));
	return warmChannel({socketPath: socket, file: arg(warmArgs.file) ?? '', idleMs: Number.isSafeInteger(idleMs) && idleMs > 0 ? idleMs : 60_000, tag: arg(warmArgs.tag) ?? '', init: JSON.parse(arg(warmArgs.init) ?? 'null') as WorkerInit}, onContextFd);
}

function ipcChannel(): ParentChannel {
	// The parent is gone: so is the sandbox.
	process.on('disconnect', () => process.exit(0));
	return {
		send(message, sent) {
			if (!process.connected) return;
			if (sent) process.send!(message, undefined, undefined, () => sent());
			else process.send!(message);
		},
		connected: () => process.connected,
		onMessage(listener) {
			process.on('message', (message) => listener(message as ParentMessage));
		},
		init: null,
	};
}

interface WarmOptions {
	socketPath: string;
	/** The file bound at socketPath for this host, as socketFile() gives it. */
	file: string;
	/** A whole number of ms above 0. */
	idleMs: number;
	tag: string;
	init: WorkerInit;
}

/** The descriptor of the listening socket a warm host inherits (warm-spare.ts: stdio[3]). */
const inheritedListenerFd = 3;

/** How often, in ms, an unclaimed warm host checks that its socket's path still leads to it. */
const socketCheckMs = 5_000;

/**
 * Accepts one client on the listening socket the host inherits as descriptor 3, bound at
 * `socketPath` by the process that left it (warm-spare.ts). Accepting closes the listener, so no
 * second client can attach (the claimant removes the name: warm-link.ts); the context's bytes
 * then come on a second socket with a random name the hello gives. Until then the host's messages
 * (its `ready`) wait in a queue. Unclaimed after `idleMs`, or a client that leaves, ends the host;
 * so does a socket path that no longer leads to it (its file or directory deleted, or replaced):
 * no one could claim it, and it would hold its memory (about 140 MB) for the rest of its idle
 * time. Its lstat is checked every socketCheckMs (the host may read that one path: warm-spare.ts).
 * The host never removes that name (it may not write files, and by then it may be another's);
 * a name left by a host that is gone refuses connections, and the next spare replaces it
 * (warm-dir.ts warmHostListening).
 */
function warmChannel(options: WarmOptions, onContextFd: (fd: number) => void): ParentChannel {
	let client: net.Socket | null = null;
	/** Kept referenced: its descriptor is the worker's context stream. */
	let contextSocket: net.Socket | null = null;
	let open = false;
	const waiting: Buffer[] = [];
	const listeners: Array<(message: ParentMessage) => void> = [];
	let contextServer: net.Server | null = null;
	let watch: NodeJS.Timeout | undefined;
	// However the host ends, the context socket goes with it (closing it unlinks its name).
	process.on('exit', () => contextServer?.close());

	const server = net.createServer({pauseOnConnect: true}, (socket) => {
		if (client) {
			socket.destroy();
			return;
		}
		client = socket;
		clearTimeout(idle);
		clearInterval(watch);
		server.close();
		socket.on('error', () => process.exit(0));
		socket.on('close', () => process.exit(0));
		// Read at once (a client that leaves is seen leaving); its messages wait for the context socket.
		const early: ParentMessage[] = [];
		const deliver = (message: ParentMessage) => {
			if (open) for (const listener of listeners) listener(message);
			else early.push(message);
		};
		const reader = new FrameReader();
		socket.on('data', (chunk: Buffer) => {
			let messages: unknown[];
			try {
				messages = reader.push(chunk);
			} catch {
				process.exit(1);
			}
			for (const message of messages) deliver(message as ParentMessage);
		});
		socket.resume();
		const name = `${path.basename(options.socketPath, '.sock')}-${crypto.randomBytes(6).toString('hex')}.ctx`;
		contextServer = net.createServer({pauseOnConnect: true}, (context) => {
			contextServer!.close();
			if (contextSocket) {
				context.destroy();
				return;
			}
			contextSocket = context;
			const fd = (context as unknown as {_handle?: {fd?: number}})._handle?.fd;
			if (typeof fd !== 'number' || fd < 0) process.exit(1);
			onContextFd(fd);
			open = true;
			for (const frame of waiting.splice(0)) socket.write(frame);
			for (const message of early.splice(0)) deliver(message);
		});
		contextServer.on('error', () => process.exit(1));
		contextServer.listen(path.join(path.dirname(options.socketPath), name), () => {
			socket.write(encodeFrame({t: 'hello', tag: options.tag, pid: process.pid, contextSocket: name, idleMs: options.idleMs} satisfies WarmHello));
		});
	});
	// No listening socket was handed over: nothing to do.
	server.on('error', () => process.exit(0));
	server.listen({fd: inheritedListenerFd});
	watchSocketPath();
	const idle = setTimeout(() => process.exit(0), options.idleMs);
	// Asked to stop: through process.exit, which removes the sockets (a claimed host's are gone already).
	process.on('SIGTERM', () => process.exit(0));
	process.on('SIGHUP', () => process.exit(0));

	function watchSocketPath(): void {
		const lost = () => process.exit(0);
		let now: string | null;
		try {
			now = socketFile(options.socketPath);
		} catch {
			return; // not allowed to look (a host started without the path's read access): the idle time ends it
		}
		if (now !== options.file) return lost();
		watch = setInterval(() => {
			try {
				now = socketFile(options.socketPath);
			} catch {
				now = null; // as good as gone
			}
			if (!client && now !== options.file) lost();
		}, socketCheckMs);
	}

	return {
		send(message, sent) {
			const frame = encodeFrame(message);
			if (!open) {
				waiting.push(frame);
				return;
			}
			if (!client || client.destroyed) return;
			client.write(frame, sent ? () => sent() : undefined);
		},
		connected: () => open && !!client && !client.destroyed,
		onMessage(listener) {
			listeners.push(listener);
		},
		init: options.init,
	};
}

/** Which file `socketPath` names (device, inode and change time in ns: a file made after ours was
 * deleted may get its inode number again), or null when there is none.
 * @throws the permission model's ERR_ACCESS_DENIED (or another lstat error) when it cannot tell. */
export function socketFile(socketPath: string): string | null {
	try {
		const stat = fs.lstatSync(socketPath, {bigint: true});
		return `${stat.dev}:${stat.ino}:${stat.ctimeNs}`;
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' || code === 'ENOTDIR') return null;
		throw error;
	}
}
