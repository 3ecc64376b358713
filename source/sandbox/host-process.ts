// One host process and its IPC channel: spawns it with no environment, checks every message it
// sends (host-messages.ts), answers the parent's requests, and hands a block's messages to the
// block that runs.
import {spawn, type ChildProcess} from 'node:child_process';
import type {hostMessageChecker, InvalidHostMessage} from './host-messages.js';
import {hostArgs} from './host-permissions.js';
import {trackHost} from './live-hosts.js';
import {sandboxDir} from './paths.js';
import type {Writable} from 'node:stream';
import {CONTEXT_FD, type HostMessage, type ParentMessage} from './protocol.js';

export type ReadyMessage = Extract<HostMessage, {t: 'ready'}>;
/** The messages that belong to the block being run. */
export type BlockMessage = Extract<HostMessage, {t: 'output' | 'bridge' | 'bridge-cancel' | 'tool' | 'done'}>;

/** The block currently running on this host. */
export interface BlockListener {
	onMessage(message: BlockMessage): void;
	/** A message failed the checks while this block ran. */
	onInvalid(invalid: InvalidHostMessage): void;
	/** The host process is gone; `reason` says how it stopped. */
	onExit(reason: string): void;
}

export class HostProcess {
	readonly child: ChildProcess;
	alive = true;
	/** Why the host gave up, when it said so (or broke the protocol). */
	fatal: string | null = null;
	/** The host said it died after the memory ceiling refused Python memory. */
	outOfMemory = false;
	block: BlockListener | null = null;
	/** Loaded after the spawn (zod is most of the sandbox's code): a start spawns at once. */
	#checker: typeof hostMessageChecker | null = null;
	#check: ReturnType<typeof hostMessageChecker> | null = null;
	#maxOutputChars: number;
	/** Messages that came before the checker loaded, checked in order once it has. */
	#early: unknown[] = [];
	readonly #pending = new Map<number, {resolve: (heap: number) => void; reject: (error: Error) => void}>();
	#stderr = '';
	#ready = false;
	#exitListeners: Array<(reason: string) => void> = [];
	#readyListeners: Array<(m: ReadyMessage) => void> = [];
	#snapshotListener: ((bytes: Uint8Array) => void) | null = null;

	constructor(snapshot: string | null, maxOutputChars: number) {
		this.#maxOutputChars = maxOutputChars;
		this.child = spawn(process.execPath, hostArgs(snapshot), {
			env: {},
			cwd: sandboxDir(),
			// fd 4: the context pipe, written only by the parent (see writeContext).
			stdio: ['ignore', 'ignore', 'pipe', 'ipc', 'pipe'],
			serialization: 'advanced',
			windowsHide: true,
		});
		trackHost(this.child);
		this.child.stderr!.setEncoding('utf8');
		this.child.stderr!.on('data', (chunk: string) => {
			this.#stderr = (this.#stderr + chunk).slice(-4000);
		});
		// A host that dies mid-write breaks the pipe: the exit handler reports it.
		(this.child.stdio[CONTEXT_FD] as Writable | null)?.on('error', () => {});
		this.child.on('message', (raw: unknown) => this.#receive(raw));
		const checkerLoaded = import('./host-messages.js').then(({hostMessageChecker}) => {
			this.#checker = hostMessageChecker;
			this.#check = hostMessageChecker(this.#maxOutputChars);
			for (const raw of this.#early.splice(0)) this.#receive(raw);
		});
		// An exit is reported after the messages sent before it (a `fatal` names the cause).
		const died = () => (this.#check ? this.#died() : void checkerLoaded.then(() => this.#died()));
		this.child.on('error', died);
		this.child.on('exit', died);
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	/** The output cap the host's blocks run with from now on (its messages are checked against it). */
	set maxOutputChars(chars: number) {
		this.#maxOutputChars = chars;
		if (this.#checker) this.#check = this.#checker(chars);
	}

	onReady(listener: (m: ReadyMessage) => void): void {
		this.#readyListeners.push(listener);
	}

	/** The snapshot a cold start makes; taken only before the host is ready, while no model code has run. */
	onSnapshot(listener: (bytes: Uint8Array) => void): void {
		this.#snapshotListener = listener;
	}

	onExit(listener: (reason: string) => void): void {
		this.#exitListeners.push(listener);
	}

	send(message: ParentMessage): void {
		if (!this.alive || !this.child.connected) return;
		try {
			this.child.send(message);
		} catch {
			// the channel closed under us: the exit handler reports it
		}
	}

	/**
	 * Writes bytes to the context pipe (protocol.ts CONTEXT_FD), waiting while the pipe is full so
	 * that no more than a chunk is ever queued. Resolves false once the host is gone.
	 */
	async writeContext(chunks: Iterable<Uint8Array>): Promise<boolean> {
		const pipe = this.child.stdio[CONTEXT_FD] as Writable | null;
		if (!pipe) return false;
		for (const chunk of chunks) {
			if (!this.alive || pipe.destroyed) return false;
			if (!pipe.write(chunk)) {
				const drained = await new Promise<boolean>((resolve) => {
					const done = (ok: boolean) => {
						pipe.off('drain', onDrain);
						pipe.off('close', onClose);
						resolve(ok);
					};
					const onDrain = () => done(true);
					const onClose = () => done(false);
					pipe.on('drain', onDrain);
					pipe.on('close', onClose);
				});
				if (!drained) return false;
			}
		}
		return this.alive;
	}

	/** Sends an operation answered by 'ok' / 'failed'; resolves with the heap size in bytes. */
	request(message: Extract<ParentMessage, {id: number}>): Promise<number> {
		if (!this.alive) return Promise.reject(new Error(this.exitReason()));
		return new Promise((resolve, reject) => {
			this.#pending.set(message.id, {resolve, reject});
			this.send(message);
		});
	}

	kill(): void {
		if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
	}

	/** Resolves once the process has exited. */
	exited(): Promise<void> {
		return new Promise((resolve) => {
			if (!this.alive) resolve();
			else this.child.once('exit', () => resolve());
		});
	}

	exitReason(): string {
		if (this.fatal) return this.fatal;
		const code = this.child.exitCode;
		const signal = this.child.signalCode;
		const detail = signal ? `killed by ${signal}` : code !== null ? `exit code ${code}` : 'lost';
		const stderr = this.#stderr.trim().split('\n').slice(-3).join(' | ');
		return `the Python process stopped (${detail})${stderr ? `: ${stderr}` : ''}`;
	}

	#receive(raw: unknown): void {
		if (!this.#check) {
			this.#early.push(raw);
			return;
		}
		const checked = this.#check(raw);
		if (!checked.ok) {
			if (this.block) this.block.onInvalid(checked);
			else {
				// Nothing to blame but the host itself: it is replaced before the next operation.
				this.fatal = `it sent a message that breaks the sandbox's protocol (${checked.problem})`;
				this.kill();
			}
			return;
		}
		const message = checked.message;
		switch (message.t) {
			case 'ready':
				this.#ready = true;
				for (const listener of this.#readyListeners) listener(message);
				return;
			case 'snapshot':
				if (!this.#ready) this.#snapshotListener?.(message.bytes);
				return;
			case 'fatal':
				this.fatal = message.message;
				if (message.outOfMemory) this.outOfMemory = true;
				return;
			case 'ok':
			case 'failed': {
				const pending = this.#pending.get(message.id);
				if (!pending) return;
				this.#pending.delete(message.id);
				if (message.t === 'ok') pending.resolve(message.heapBytes);
				else pending.reject(new Error(message.message));
				return;
			}
			default:
				this.block?.onMessage(message);
		}
	}

	#died(): void {
		if (!this.alive) return;
		this.alive = false;
		const reason = this.exitReason();
		for (const pending of this.#pending.values()) pending.reject(new Error(reason));
		this.#pending.clear();
		const block = this.block;
		this.block = null;
		block?.onExit(reason);
		for (const listener of this.#exitListeners) listener(reason);
	}
}
