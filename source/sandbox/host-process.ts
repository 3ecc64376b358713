// One host process, over whatever carries its messages (host-link.ts: a child spawned now, or a
// claimed warm host): checks every message it sends (host-messages.ts), answers the parent's
// requests, and hands a block's messages to the block that runs.
import type {Writable} from 'node:stream';
import type {hostMessageChecker, InvalidHostMessage} from './host-messages.js';
import {ChildHostLink, type HostLink} from './host-link.js';
import type {HostMessage, ParentMessage} from './protocol.js';

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
	readonly link: HostLink;
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
	#ready = false;
	#exitListeners: Array<(reason: string) => void> = [];
	#readyListeners: Array<(m: ReadyMessage) => void> = [];
	#snapshotListener: ((bytes: Uint8Array) => void) | null = null;
	#codeCacheListener: ((sourceHash: string, bytes: Uint8Array) => void) | null = null;

	/** `link`: a claimed warm host's (warm-link.ts); without one, a child host is spawned from
	 * `snapshot` (and from Node's startup snapshot beside it unless `startupSnapshot` is null). */
	constructor(snapshot: string | null, maxOutputChars: number, link?: HostLink, startupSnapshot?: string | null) {
		this.#maxOutputChars = maxOutputChars;
		this.link = link ?? new ChildHostLink(snapshot, startupSnapshot);
		this.link.onMessage((raw: unknown) => this.#receive(raw));
		const checkerLoaded = import('./host-messages.js').then(({hostMessageChecker}) => {
			this.#checker = hostMessageChecker;
			this.#check = hostMessageChecker(this.#maxOutputChars);
			for (const raw of this.#early.splice(0)) this.#receive(raw);
		});
		// An exit is reported after the messages sent before it (a `fatal` names the cause).
		this.link.onGone(() => (this.#check ? this.#died() : void checkerLoaded.then(() => this.#died())));
	}

	get pid(): number | undefined {
		return this.link.pid;
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

	/** V8's code cache for Pyodide's glue, which a cold start makes after its snapshot; taken only
	 * before the host is ready, like the snapshot: it is JavaScript the next hosts will run. */
	onCodeCache(listener: (sourceHash: string, bytes: Uint8Array) => void): void {
		this.#codeCacheListener = listener;
	}

	onExit(listener: (reason: string) => void): void {
		this.#exitListeners.push(listener);
	}

	send(message: ParentMessage): void {
		if (!this.alive || !this.link.connected) return;
		this.link.send(message);
	}

	/**
	 * Writes bytes to the context stream (protocol.ts CONTEXT_FD), waiting while the pipe is full so
	 * that no more than a chunk is ever queued. Resolves false once the host is gone.
	 */
	async writeContext(chunks: Iterable<Uint8Array>): Promise<boolean> {
		const pipe: Writable | null = this.link.contextStream;
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
		this.link.kill();
	}

	/** Resolves once the process has exited (its channel closed). */
	exited(): Promise<void> {
		return new Promise((resolve) => {
			if (!this.alive) resolve();
			else this.link.onGone(() => resolve());
		});
	}

	exitReason(): string {
		if (this.fatal) return this.fatal;
		const {detail, stderr: tail} = this.link.exitDetail();
		const stderr = tail.trim().split('\n').slice(-3).join(' | ');
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
			case 'code-cache':
				if (!this.#ready) this.#codeCacheListener?.(message.sourceHash, message.bytes);
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
