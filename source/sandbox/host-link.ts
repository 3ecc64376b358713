// The parent's end of a host process's channel, whatever carries it: a child spawned now (this
// file: Node's IPC and a context pipe on fd 4) or a claimed warm host (warm-link.ts: a Unix socket
// and a context socket). HostProcess (host-process.ts) checks and handles what either delivers.
import {spawn, type ChildProcess} from 'node:child_process';
import type {Writable} from 'node:stream';
import {hostArgs} from './host-permissions.js';
import {usableStartupSnapshot} from './node-startup-snapshot.js';
import {trackHost} from './live-hosts.js';
import {sandboxDir} from './paths.js';
import {CONTEXT_FD, type ParentMessage} from './protocol.js';

export interface HostLink {
	readonly pid: number | undefined;
	/** Whether messages can still be sent. */
	readonly connected: boolean;
	/** Where the context's bytes are written (the worker reads them straight into Python's memory). */
	readonly contextStream: Writable | null;
	send(message: ParentMessage): void;
	/** Every message the host sends, unchecked. */
	onMessage(listener: (raw: unknown) => void): void;
	/** The host is gone (its process exited, or its channel closed); called once, after its last message. */
	onGone(listener: () => void): void;
	kill(): void;
	/** How it stopped: `exit code 1`, `killed by SIGKILL`, `lost`; and the end of its stderr, if any. */
	exitDetail(): {detail: string; stderr: string};
}

/** A host spawned as this process's child, with no environment. It may be spawned before anything
 * listens to it (early-host.ts): what it says and its exit wait for the listeners. */
export class ChildHostLink implements HostLink {
	readonly #child: ChildProcess;
	#stderr = '';
	#messageListener: ((raw: unknown) => void) | null = null;
	/** Messages that came before onMessage. */
	#early: unknown[] = [];
	#gone = false;
	#goneListeners: Array<() => void> = [];

	/** `startupSnapshot`: Node's startup snapshot the host starts from (node-startup-snapshot.ts):
	 * by default the one beside `snapshot`, if any; null: none. */
	constructor(
		snapshot: string | null,
		readonly startupSnapshot: string | null = usableStartupSnapshot(snapshot),
	) {
		this.#child = spawn(process.execPath, hostArgs(snapshot, [], startupSnapshot), {
			env: {},
			cwd: sandboxDir(),
			// fd 4: the context pipe, written only by the parent.
			stdio: ['ignore', 'ignore', 'pipe', 'ipc', 'pipe'],
			serialization: 'advanced',
			windowsHide: true,
		});
		trackHost(this.#child);
		this.#child.stderr!.setEncoding('utf8');
		this.#child.stderr!.on('data', (chunk: string) => {
			this.#stderr = (this.#stderr + chunk).slice(-4000);
		});
		// A host that dies mid-write breaks the pipe: the exit handler reports it.
		this.contextStream?.on('error', () => {});
		this.#child.on('message', (raw: unknown) => (this.#messageListener ? this.#messageListener(raw) : this.#early.push(raw)));
		const gone = () => {
			if (this.#gone) return;
			this.#gone = true;
			for (const listener of this.#goneListeners.splice(0)) listener();
		};
		this.#child.on('error', gone);
		this.#child.on('exit', gone);
	}

	get pid(): number | undefined {
		return this.#child.pid;
	}

	/** Messages that came before anything listened, held for the first listener (for tests). */
	get heldMessages(): number {
		return this.#early.length;
	}

	get connected(): boolean {
		return this.#child.connected;
	}

	get contextStream(): Writable | null {
		return (this.#child.stdio[CONTEXT_FD] as Writable | null) ?? null;
	}

	send(message: ParentMessage): void {
		try {
			this.#child.send(message);
		} catch {
			// the channel closed under us: the exit handler reports it
		}
	}

	/** One listener: the HostProcess that uses this link. */
	onMessage(listener: (raw: unknown) => void): void {
		this.#messageListener = listener;
		for (const raw of this.#early.splice(0)) listener(raw);
	}

	onGone(listener: () => void): void {
		if (this.#gone) queueMicrotask(listener);
		else this.#goneListeners.push(listener);
	}

	kill(): void {
		if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
	}

	exitDetail(): {detail: string; stderr: string} {
		const code = this.#child.exitCode;
		const signal = this.#child.signalCode;
		return {detail: signal ? `killed by ${signal}` : code !== null ? `exit code ${code}` : 'lost', stderr: this.#stderr};
	}
}
