// The Repl the engine runs code through: a hardened host process (host-process.ts) running Pyodide
// in a worker. It runs one operation at a time, starts hosts (from the memory snapshot when it
// can), and replaces a host that died, hung or grew too big, reloading the context and history
// and saying so in the result (notices.ts).
import fs from 'node:fs';
import {emptyResult, resultFromWorker} from './block-result.js';
import {collapseRepeatedFrames} from './repeated-frames.js';
import {BlockRun, type BlockOutcome} from './block-run.js';
import {contextChunks, partHeaders, planContext} from './context-encoding.js';
import {HostProcess, type ReadyMessage} from './host-process.js';
import {
	cancelledBeforeStartNotice,
	closedWhileRunningNotice,
	disposedNotice,
	errorText,
	memoryLimitNotice,
	restartLimit,
	restartNotice,
	seconds,
	type RestartCause,
} from './notices.js';
import {resolveOptions, type ResolvedOptions, type SandboxStartOptions} from './options.js';
import {cacheDirProblem, trustedCachePath} from './cache-dir.js';
import {takeEarlyHost} from './early-host.js';
import {maxReplyBytes} from './protocol.js';
import {snapshotPath, snapshotWritesSettled, workerInit, writeCodeCache, writeSnapshot} from './snapshot.js';
import type {ChildHostLink, HostLink} from './host-link.js';
import {buildStartupSnapshot, refuseStartupSnapshot, removeStartupSnapshotLeftovers, usableStartupSnapshot} from './node-startup-snapshot.js';
import type {ExecResult, HistoryEntry, HostToolSpec, Repl, RunOptions, SandboxContext, SandboxOptions} from './types.js';

/** A host that was not ready in time (as opposed to one that exited before it was). */
class StartTimeout extends Error {}

/** How the last host start went (for benchmarks and diagnostics). */
export interface StartInfo {
	fromSnapshot: boolean;
	/** Pyodide's glue (pyodide.asm.mjs) was compiled from V8's code cache (asm-script.ts). */
	codeCache: boolean;
	/** The host was a warm one, started by an earlier run and claimed (warm-link.ts). */
	warm: boolean;
	/** The host started from Node's startup snapshot (node-startup-snapshot.ts); false for a warm one. */
	startupSnapshot: boolean;
	/** From spawning the host to Python being ready, in ms. */
	ms: number;
	/** Inside the worker: Pyodide load (+ snapshot restore) time, in ms. */
	loadMs: number;
	heapBytes: number;
	note?: string;
}

const MB = 1024 * 1024;

export class Sandbox implements Repl {
	#opts: ResolvedOptions;
	#host: HostProcess | null = null;
	#context: SandboxContext | null = null;
	#history: HistoryEntry[] = [];
	/** The host tools Python has, defined again after a restart. */
	#hostTools: HostToolSpec[] = [];
	#queue: Promise<unknown> = Promise.resolve();
	#disposed = false;
	#seq = 0;
	/** The host was replaced outside a block (it was found stopped): the next block says so. */
	#pendingRestart: RestartCause | null = null;
	/** Wasm heap right after the context was loaded: the ceiling never goes below this + margin. */
	#baselineHeap = 0;
	#heapBytes = 0;
	#startInfo: StartInfo | null = null;
	#startupSnapshotBuild: Promise<void> | undefined;

	private constructor(options: ResolvedOptions) {
		this.#opts = options;
	}

	/** Starts the host and resolves when Python is ready. */
	static async start(options?: SandboxStartOptions): Promise<Sandbox> {
		const sandbox = new Sandbox(resolveOptions(options));
		await sandbox.#spawn();
		return sandbox;
	}

	get alive(): boolean {
		return !this.#disposed && !!this.#host?.alive;
	}

	/** How the current host started. */
	get startInfo(): StartInfo | null {
		return this.#startInfo;
	}

	/** Size of the Wasm heap after the last operation, in bytes (it never shrinks until a restart). */
	get heapBytes(): number {
		return this.#heapBytes;
	}

	/** The host's process id (for tests and diagnostics). */
	get pid(): number | undefined {
		return this.#host?.pid;
	}

	/** From the next operation on, behaves as if started with `options` (what they leave out takes
	 * its default); the cache dir it started with stays. Used when a spare (spare.ts) is handed out. */
	configure(options: SandboxStartOptions): Promise<void> {
		return this.#enqueue(async () => {
			const {cacheDir, interruptGraceMs, startTimeoutMs, claimWarm} = this.#opts;
			this.#opts = {...resolveOptions({interruptGraceMs, startTimeoutMs, claimWarm, ...options}), cacheDir};
			if (this.#host) this.#host.maxOutputChars = this.#opts.maxOutputChars;
		});
	}

	setContext(context: SandboxContext | null): Promise<void> {
		return this.#enqueue(async () => {
			this.#context = context;
			if (await this.#replaceStoppedHost()) return; // the restart loaded it
			await this.#loadContext(this.#host!);
		});
	}

	beginTurn(history: HistoryEntry[]): Promise<void> {
		return this.#enqueue(async () => {
			this.#history = history.map((entry) => ({
				question: String(entry.question),
				answer: String(entry.answer),
				...(entry.messages ? {messages: entry.messages.map((m) => ({role: String(m.role), content: String(m.content)}))} : {}),
			}));
			if (await this.#replaceStoppedHost()) return;
			await this.#host!.request({t: 'turn', id: ++this.#seq, history: this.#history});
		});
	}

	setHostTools(tools: readonly HostToolSpec[]): Promise<void> {
		return this.#enqueue(async () => {
			this.#hostTools = tools.map((tool) => ({name: String(tool.name), description: String(tool.description)}));
			if (await this.#replaceStoppedHost()) return;
			await this.#host!.request({t: 'host-tools', id: ++this.#seq, tools: this.#hostTools});
		});
	}

	run(code: string, options: RunOptions = {}): Promise<ExecResult> {
		return this.#enqueue(async () => {
			const started = performance.now();
			if (options.signal?.aborted)
				return emptyResult({ok: false, error: cancelledBeforeStartNotice, ms: performance.now() - started, limit: 'cancelled', restarted: false});
			let restartedBefore = this.#pendingRestart;
			this.#pendingRestart = null;
			if (!this.#host?.alive) {
				restartedBefore = {kind: 'stopped', reason: this.#host ? this.#host.exitReason() : 'it was not running'};
				try {
					await this.#restart();
				} catch (error) {
					return emptyResult({ok: false, error: restartNotice(restartedBefore, errorText(error)), ms: performance.now() - started, limit: 'crashed', restarted: true});
				}
			}
			const result = await this.#runBlock(code, options, started);
			if (restartedBefore) {
				const notice = restartNotice(restartedBefore);
				result.restarted = true;
				result.error = result.error ? `${notice}\n\n${result.error}` : notice;
			}
			return result;
		});
	}

	/** Kills the host. Idempotent. */
	async dispose(): Promise<void> {
		if (this.#disposed) return;
		this.#disposed = true;
		const host = this.#host;
		if (host) {
			const exited = host.exited();
			host.kill();
			await exited;
		}
		// A build of Node's startup snapshot this sandbox set off ends first: no process is left behind.
		await this.#startupSnapshotBuild;
	}

	// ---- internals ----------------------------------------------------------------------------

	#enqueue<T>(job: () => Promise<T>): Promise<T> {
		const next = this.#queue.then(() => {
			if (this.#disposed) throw new Error(disposedNotice);
			return job();
		});
		this.#queue = next.catch(() => undefined);
		return next;
	}

	/** Starts a host and waits until Python is ready: the one spawned early for this cache dir
	 * (early-host.ts) if there is one, else a claimed warm host, else a new one. A cache file that
	 * makes the start fail or hang is deleted and the start retried without it (#fromSnapshot): the
	 * cache is never a reason to fail. */
	async #spawn(): Promise<HostProcess> {
		const early = takeEarlyHost(this.#opts.cacheDir);
		const started = early?.spawnedAt ?? performance.now();
		if (early?.snapshot) return this.#fromSnapshot(early.snapshot, started, early.link);
		if (early) {
			try {
				return await this.#spawnOnce(null, this.#opts.startTimeoutMs, started, {link: early.link, warm: false});
			} catch (error) {
				early.link.kill();
				throw error;
			}
		}
		if (this.#opts.claimWarm) {
			// A warm host that misbehaves is dropped: a normal start follows.
			const {claimWarmHost} = await import('./warm-link.js');
			const link = await claimWarmHost(typeof this.#opts.claimWarm === 'object' ? this.#opts.claimWarm.dir : undefined);
			if (link) {
				try {
					return await this.#spawnOnce(null, Math.min(this.#opts.startTimeoutMs, 20_000), started, {link, warm: true});
				} catch (error) {
					link.kill();
					if (this.#disposed) throw error;
				}
			}
		}
		const snapshot = trustedCachePath(this.#opts.cacheDir, snapshotPath(this.#opts.cacheDir));
		if (snapshot) return this.#fromSnapshot(snapshot, started);
		return this.#spawnOnce(null, this.#opts.startTimeoutMs, started);
	}

	/** Starts a host from `snapshot` (`early`: the host spawned early for it, already started), and
	 * from Node's startup snapshot beside it when there is one. A host that exits before it is ready
	 * with a startup snapshot (Node refuses another Node's, aborts on a damaged one) is started again
	 * without it, which is refused from then on if that start works; a start that hangs, or fails
	 * without one, deletes the snapshot and starts cold. A start from the snapshot alone builds the
	 * startup snapshot in the background for the next one (node-startup-snapshot.ts). */
	async #fromSnapshot(snapshot: string, started: number, early?: ChildHostLink): Promise<HostProcess> {
		const timeoutMs = Math.min(this.#opts.startTimeoutMs, 20_000);
		const startupSnapshot = early ? early.startupSnapshot : usableStartupSnapshot(snapshot);
		let blamed: string | null = null;
		for (const blob of [startupSnapshot, ...(startupSnapshot ? [null] : [])]) {
			const link = blob === startupSnapshot ? early : undefined;
			try {
				const host = await this.#spawnOnce(snapshot, timeoutMs, started, link ? {link, warm: false} : undefined, blob);
				if (blamed) await refuseStartupSnapshot(blamed);
				if (!blob) this.#startupSnapshotBuild = buildStartupSnapshot(this.#opts.cacheDir);
				return host;
			} catch (error) {
				link?.kill();
				if (this.#disposed) throw error;
				if (!blob || error instanceof StartTimeout) break;
				blamed = blob;
			}
		}
		await fs.promises.rm(snapshot, {force: true}).catch(() => {});
		return this.#spawnOnce(null, this.#opts.startTimeoutMs, started);
	}

	/** `started`: a host already sent its start (a claimed warm one, or one spawned early); else one is spawned. */
	async #spawnOnce(snapshot: string | null, timeoutMs: number, started: number, from?: {link: HostLink; warm: boolean}, startupSnapshot?: string | null): Promise<HostProcess> {
		const host = new HostProcess(snapshot, this.#opts.maxOutputChars, from?.link, startupSnapshot);
		host.onSnapshot((bytes) => void writeSnapshot(this.#opts.cacheDir, bytes));
		host.onCodeCache((sourceHash, bytes) => void writeCodeCache(this.#opts.cacheDir, sourceHash, bytes));
		const ready = new Promise<ReadyMessage>((resolve, reject) => {
			const timer = setTimeout(() => {
				host.kill();
				reject(new StartTimeout(`the Python sandbox did not start within ${seconds(timeoutMs)}`));
			}, timeoutMs);
			host.onReady((message) => {
				clearTimeout(timer);
				resolve(message);
			});
			host.onExit((reason) => {
				clearTimeout(timer);
				reject(new Error(`the Python sandbox failed to start: ${reason}`));
			});
		});
		if (!from || from.warm) host.send({t: 'start', init: workerInit(snapshot)});
		const message = await ready;
		if (this.#disposed) {
			host.kill();
			throw new Error(disposedNotice);
		}
		this.#host = host;
		this.#baselineHeap = message.heapBytes;
		this.#heapBytes = message.heapBytes;
		this.#startInfo = {
			fromSnapshot: message.fromSnapshot,
			codeCache: message.codeCache,
			warm: !!from?.warm,
			startupSnapshot: (host.link as Partial<ChildHostLink>).startupSnapshot != null,
			ms: performance.now() - started,
			loadMs: message.loadMs,
			heapBytes: message.heapBytes,
			...(message.note ? {note: message.note} : {}),
		};
		return host;
	}

	/** Sends the context's header, then its bytes in chunks on the context pipe (context-encoding.ts):
	 * neither process ever holds a whole copy of them, and the worker reads them straight into
	 * Python's memory. */
	async #loadContext(host: HostProcess): Promise<void> {
		const plan = planContext(this.#context);
		const reply = host.request({t: 'context', id: ++this.#seq, kind: plan.kind, parts: partHeaders(plan)});
		reply.catch(() => {}); // awaited below, once the bytes are written
		// The worker reads every byte even when the load fails, so the pipe stays in step; a host
		// that died rejects the reply.
		await host.writeContext(contextChunks(plan));
		const heap = await reply;
		this.#baselineHeap = heap;
		this.#heapBytes = heap;
	}

	/** Kills the current host (if any), starts a new one, reloads context, history and host tools. */
	async #restart(): Promise<void> {
		const old = this.#host;
		this.#host = null;
		if (old) {
			old.block = null;
			old.kill();
		}
		if (this.#disposed) throw new Error(disposedNotice);
		const host = await this.#spawn();
		if (this.#context !== null) await this.#loadContext(host);
		await host.request({t: 'turn', id: ++this.#seq, history: this.#history});
		if (this.#hostTools.length > 0) await host.request({t: 'host-tools', id: ++this.#seq, tools: this.#hostTools});
	}

	/** Replaces a stopped host outside a block; true when it did (context and history are then
	 * loaded, and the next block's result says what happened). */
	async #replaceStoppedHost(): Promise<boolean> {
		if (this.#host?.alive) return false;
		const cause: RestartCause = {kind: 'stopped', reason: this.#host ? this.#host.exitReason() : 'it was not running'};
		await this.#restart();
		this.#pendingRestart = cause;
		return true;
	}

	/** Bytes the Wasm heap may reach while a block runs: memoryLimitMb (the block's, else the
	 * sandbox's), or the heap after the context loaded + 128 MB when that is more (a big context
	 * still leaves room to work). */
	#memoryCeiling(memoryLimitMb: number): number {
		return Math.max(memoryLimitMb * MB, this.#baselineHeap + 128 * MB);
	}

	async #runBlock(code: string, options: RunOptions, started: number): Promise<ExecResult> {
		const timeoutMs = options.timeoutMs ?? this.#opts.timeoutMs;
		const memoryLimitMb = options.memoryLimitMb ?? this.#opts.memoryLimitMb;
		const heapCeilingBytes = this.#memoryCeiling(memoryLimitMb);
		const outcome = await BlockRun.run(
			this.#host!,
			{
				id: ++this.#seq,
				code,
				timeoutMs,
				interruptGraceMs: this.#opts.interruptGraceMs,
				maxOutputChars: this.#opts.maxOutputChars,
				heapCeilingBytes,
				// Python holds a reply three times while taking it (its bytes, their text, the parsed
				// results): a bigger one could never fit in the room the context leaves.
				replyLimitBytes: Math.min(maxReplyBytes, Math.floor((heapCeilingBytes - this.#baselineHeap) / 3)),
			},
			options,
		);
		const result = await this.#resultOf(outcome, timeoutMs, memoryLimitMb);
		result.ms = performance.now() - started;
		// Deep recursion's thousands of frames (a traceback, a crash's stack dump) as Python counts them.
		result.stdout = collapseRepeatedFrames(result.stdout);
		result.stderr = collapseRepeatedFrames(result.stderr);
		if (result.error) result.error = collapseRepeatedFrames(result.error);
		return result;
	}

	/** The block's result, after replacing the host when the outcome calls for it. */
	async #resultOf(outcome: BlockOutcome, timeoutMs: number, memoryLimitMb: number): Promise<ExecResult> {
		switch (outcome.kind) {
			case 'done': {
				const ceiling = this.#memoryCeiling(memoryLimitMb);
				const result = resultFromWorker(outcome.result, outcome.interruption, timeoutMs, memoryLimitNotice(ceiling, memoryLimitMb, this.#opts.memoryLimitName));
				this.#heapBytes = outcome.result.heapBytes;
				// The worker refuses growth past the ceiling; a heap found past it anyway (it grew
				// outside a block, or the ceiling was lowered by configure()) is recycled.
				if (outcome.result.heapBytes <= ceiling) return result;
				const cause: RestartCause = {kind: 'memory', heapBytes: outcome.result.heapBytes, ceilingBytes: ceiling};
				const notice = await this.#restartFor(cause);
				return {...result, error: result.error ? `${result.error}\n\n${notice}` : notice, variables: [], limit: 'memory', restarted: true};
			}
			case 'lost': {
				const base = {...outcome.output, ok: false, ms: 0};
				if (this.#disposed) return emptyResult({...base, error: closedWhileRunningNotice, limit: 'cancelled', restarted: false});
				const notice = await this.#restartFor(outcome.cause);
				return emptyResult({...base, error: notice, limit: restartLimit(outcome.cause), restarted: true});
			}
		}
	}

	/** Replaces the host after a block and says why (and whether that worked). */
	async #restartFor(cause: RestartCause): Promise<string> {
		try {
			await this.#restart();
			return restartNotice(cause);
		} catch (error) {
			return restartNotice(cause, errorText(error));
		}
	}
}

/** Builds the Pyodide snapshot and Node's startup snapshot (node-startup-snapshot.ts) into the
 * cache dir if they are missing (run it while the user types). */
export async function prewarmSandbox(options?: SandboxOptions): Promise<void> {
	const resolved = resolveOptions(options);
	// A folder that may not be trusted is never written either (cache-dir.ts): nothing to build.
	if (cacheDirProblem(resolved.cacheDir)) return;
	if (!fs.existsSync(snapshotPath(resolved.cacheDir))) {
		const sandbox = await Sandbox.start(resolved);
		try {
			await snapshotWritesSettled();
		} finally {
			await sandbox.dispose();
		}
	}
	await Promise.all([buildStartupSnapshot(resolved.cacheDir), removeStartupSnapshotLeftovers(resolved.cacheDir)]);
}
