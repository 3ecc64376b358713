// The parent side of the sandbox: starts the hardened host process, talks to it over IPC, answers
// sub-calls from Python, enforces the limits, and restarts the host when it dies or must be
// recycled (reloading the context and history, and saying so in the result).
import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {defaultCacheDir, pyodideDir, sandboxDir} from './paths.js';
import type {ContextKind, HostMessage, ParentMessage, WorkerRunResult} from './protocol.js';
import {bridgeFunctions} from './protocol.js';
import {snapshotKey, snapshotPath, snapshotWritesSettled, writeSnapshot} from './snapshot.js';
import type {
	BridgeHandler,
	BridgeRequest,
	ExecResult,
	HistoryEntry,
	RunOptions,
	SandboxContext,
	SandboxOptions,
} from './types.js';

export const sandboxDefaults = {
	timeoutMs: 30_000,
	maxOutputChars: 20_000,
	memoryLimitMb: 1024,
	/** After an interrupt, how long Python has to stop before the host is killed. */
	interruptGraceMs: 3_000,
	/** How long a host may take to get ready (a cold start is ~2-3 s; slow CI machines more). */
	startTimeoutMs: 90_000,
} as const;

/** Extra knobs, mostly for tests and benchmarks. */
export interface SandboxStartOptions extends SandboxOptions {
	interruptGraceMs?: number;
	startTimeoutMs?: number;
}

interface Resolved {
	timeoutMs: number;
	maxOutputChars: number;
	memoryLimitMb: number;
	cacheDir: string;
	interruptGraceMs: number;
	startTimeoutMs: number;
}

/** How the last host start went (for benchmarks and diagnostics). */
export interface StartInfo {
	fromSnapshot: boolean;
	/** From spawning the host to Python being ready. */
	ms: number;
	/** Inside the worker: Pyodide load (+ snapshot restore) time. */
	loadMs: number;
	heapBytes: number;
	note?: string;
}

const NO_BRIDGE = 'Error: sub-calls are not available here';
const MB = 1024 * 1024;

function resolveOptions(options: SandboxStartOptions = {}): Resolved {
	return {
		timeoutMs: options.timeoutMs ?? sandboxDefaults.timeoutMs,
		maxOutputChars: options.maxOutputChars ?? sandboxDefaults.maxOutputChars,
		memoryLimitMb: options.memoryLimitMb ?? sandboxDefaults.memoryLimitMb,
		cacheDir: options.cacheDir ?? defaultCacheDir(),
		interruptGraceMs: options.interruptGraceMs ?? sandboxDefaults.interruptGraceMs,
		startTimeoutMs: options.startTimeoutMs ?? sandboxDefaults.startTimeoutMs,
	};
}

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
	const s = ms / 1000;
	return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

// ---- hosts alive in this process: killed when it exits ----------------------------------------

const liveHosts = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
	liveHosts.add(child);
	child.once('exit', () => liveHosts.delete(child));
	if (!exitHookInstalled) {
		exitHookInstalled = true;
		process.once('exit', () => {
			for (const host of liveHosts) host.kill('SIGKILL');
		});
	}
}

// ---- one host process -------------------------------------------------------------------------

interface RunHandler {
	onMessage(message: HostMessage): void;
	onExit(reason: string): void;
}

class Host {
	readonly child: ChildProcess;
	alive = true;
	fatal: string | null = null;
	run: RunHandler | null = null;
	readonly #pending = new Map<number, {resolve: (heap: number) => void; reject: (error: Error) => void}>();
	#stderr = '';
	#exitListeners: Array<(reason: string) => void> = [];
	#readyListeners: Array<(m: Extract<HostMessage, {t: 'ready'}>) => void> = [];
	#snapshotListener: ((bytes: Uint8Array) => void) | null = null;

	constructor(args: string[]) {
		this.child = spawn(process.execPath, args, {
			env: {},
			cwd: sandboxDir(),
			stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
			serialization: 'advanced',
			windowsHide: true,
		});
		track(this.child);
		this.child.stderr!.setEncoding('utf8');
		this.child.stderr!.on('data', (chunk: string) => {
			this.#stderr = (this.#stderr + chunk).slice(-4000);
		});
		this.child.on('message', (message: HostMessage) => this.#dispatch(message));
		this.child.on('error', () => this.#died());
		this.child.on('exit', () => this.#died());
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	onReady(listener: (m: Extract<HostMessage, {t: 'ready'}>) => void): void {
		this.#readyListeners.push(listener);
	}

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

	/** Sends an operation answered by 'ok' / 'failed'. */
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

	exitReason(): string {
		if (this.fatal) return this.fatal;
		const code = this.child.exitCode;
		const signal = this.child.signalCode;
		const detail = signal ? `killed by ${signal}` : code !== null ? `exit code ${code}` : 'lost';
		const stderr = this.#stderr.trim().split('\n').slice(-3).join(' | ');
		return `the Python process stopped (${detail})${stderr ? `: ${stderr}` : ''}`;
	}

	#dispatch(message: HostMessage): void {
		switch (message.t) {
			case 'ready':
				for (const listener of this.#readyListeners) listener(message);
				return;
			case 'snapshot':
				this.#snapshotListener?.(message.bytes);
				return;
			case 'fatal':
				this.fatal = message.message;
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
				this.run?.onMessage(message);
		}
	}

	#died(): void {
		if (!this.alive) return;
		this.alive = false;
		const reason = this.exitReason();
		for (const pending of this.#pending.values()) pending.reject(new Error(reason));
		this.#pending.clear();
		const run = this.run;
		this.run = null;
		run?.onExit(reason);
		for (const listener of this.#exitListeners) listener(reason);
	}
}

function permissionFlag(): string {
	return process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';
}

const pyodideFiles = ['package.json', 'pyodide-lock.json', 'pyodide.mjs', 'pyodide.js', 'pyodide.asm.mjs', 'pyodide.asm.js', 'pyodide.asm.wasm', 'python_stdlib.zip'];

function hostArgs(snapshot: string | null): string[] {
	const dir = sandboxDir();
	return [
		permissionFlag(),
		// Pyodide's own files only, never its folder: a nested node_modules (e.g. `ws`) stays out of reach.
		...pyodideFiles.map((file) => `--allow-fs-read=${path.join(pyodideDir(), file)}`),
		`--allow-fs-read=${dir}${path.sep}`,
		...(snapshot ? [`--allow-fs-read=${snapshot}`] : []),
		'--allow-worker',
		'--disallow-code-generation-from-strings',
		'--no-warnings',
		path.join(dir, 'host.js'),
	];
}

// ---- context encoding ---------------------------------------------------------------------------

interface EncodedContext {
	kind: ContextKind;
	bytes: Uint8Array;
	parts: Array<[string, number]>;
}

function encodeContext(context: SandboxContext | null): EncodedContext {
	if (context === null || context === undefined) return {kind: 'none', bytes: new Uint8Array(0), parts: []};
	if (typeof context === 'string') return {kind: 'str', bytes: Buffer.from(context, 'utf8'), parts: []};
	const entries = Object.entries(context).map(([name, text]) => [name, typeof text === 'string' ? text : String(text)] as const);
	const sizes = entries.map(([, text]) => Buffer.byteLength(text, 'utf8'));
	const bytes = Buffer.allocUnsafe(sizes.reduce((a, b) => a + b, 0));
	let offset = 0;
	entries.forEach(([, text], i) => {
		offset += bytes.write(text, offset, 'utf8');
		if (offset !== sizes.slice(0, i + 1).reduce((a, b) => a + b, 0)) throw new Error('context encoding failed');
	});
	return {kind: 'dict', bytes, parts: entries.map(([name], i) => [name, sizes[i]])};
}

// ---- bridge answers -----------------------------------------------------------------------------

async function answerBridge(request: BridgeRequest, signal: AbortSignal, onCall: BridgeHandler | undefined): Promise<string[]> {
	const count = request.prompts.length;
	if (!onCall) return Array.from({length: count}, () => NO_BRIDGE);
	try {
		const results: unknown = await onCall(request, signal);
		if (!Array.isArray(results)) return Array.from({length: count}, () => 'Error: the sub-call returned no answer');
		return Array.from({length: count}, (_, i) => {
			const value: unknown = results[i];
			if (typeof value === 'string') return value;
			if (value === undefined || value === null) return 'Error: the sub-call returned no answer';
			return String(value);
		});
	} catch (error) {
		const text = `Error: ${errorText(error)}`;
		return Array.from({length: count}, () => text);
	}
}

// ---- the sandbox --------------------------------------------------------------------------------

export class Sandbox {
	readonly #opts: Resolved;
	#host: Host | null = null;
	#context: SandboxContext | null = null;
	#history: HistoryEntry[] = [];
	#queue: Promise<unknown> = Promise.resolve();
	#disposed = false;
	#seq = 0;
	/** The host was restarted outside a run: the next run result says so. */
	#restartNotice: string | null = null;
	/** Wasm heap right after the context was loaded: the ceiling never goes below this + margin. */
	#baselineHeap = 0;
	#heapBytes = 0;
	#startInfo: StartInfo | null = null;

	private constructor(options: Resolved) {
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

	/** Size of the Wasm heap after the last operation (it never shrinks until a restart). */
	get heapBytes(): number {
		return this.#heapBytes;
	}

	/** The host's process id (for tests and diagnostics). */
	get pid(): number | undefined {
		return this.#host?.pid;
	}

	/** Sets Python's `context`: a str, a dict of name -> text, or None. */
	setContext(context: SandboxContext | null): Promise<void> {
		return this.#enqueue(async () => {
			this.#context = context;
			if (await this.#ensureHost()) return; // a restart loaded it
			await this.#loadContext(this.#host!);
		});
	}

	/** Starts a turn: sets `history` and resets the answer. */
	beginTurn(history: HistoryEntry[]): Promise<void> {
		return this.#enqueue(async () => {
			this.#history = history.map((entry) => ({question: String(entry.question), answer: String(entry.answer)}));
			if (await this.#ensureHost()) return;
			await this.#host!.request({t: 'turn', id: ++this.#seq, history: this.#history});
		});
	}

	/** Runs one block in the persistent namespace. */
	run(code: string, options: RunOptions = {}): Promise<ExecResult> {
		return this.#enqueue(async () => {
			const started = performance.now();
			if (options.signal?.aborted) return cancelledBeforeStart(started);
			let notice = this.#restartNotice;
			this.#restartNotice = null;
			if (!this.#host?.alive) {
				const reason = this.#host ? this.#host.exitReason() : 'it was not running';
				try {
					await this.#restart();
				} catch (error) {
					return failed(started, `The Python REPL could not be restarted: ${errorText(error)}`);
				}
				notice = `The REPL had stopped (${reason}) and was restarted before this block ran: every variable from earlier blocks is gone; context and history were reloaded.`;
			}
			const result = await this.#execute(code, options, started);
			if (notice) {
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
		if (!host) return;
		const exited = new Promise<void>((resolve) => {
			if (!host.alive) resolve();
			else host.child.once('exit', () => resolve());
		});
		host.kill();
		await exited;
	}

	// ---- internals ----------------------------------------------------------------------------

	#enqueue<T>(job: () => Promise<T>): Promise<T> {
		const next = this.#queue.then(() => {
			if (this.#disposed) throw new Error('The sandbox has been disposed');
			return job();
		});
		this.#queue = next.catch(() => undefined);
		return next;
	}

	/** Starts a host and waits until Python is ready. A snapshot that makes the start fail or
	 * hang is deleted and the start is retried cold: the cache is never a reason to fail. */
	async #spawn(): Promise<Host> {
		const started = performance.now();
		const snapshot = snapshotPath(this.#opts.cacheDir);
		if (fs.existsSync(snapshot)) {
			try {
				return await this.#spawnOnce(snapshot, Math.min(this.#opts.startTimeoutMs, 20_000), started);
			} catch (error) {
				if (this.#disposed) throw error;
				await fs.promises.rm(snapshot, {force: true}).catch(() => {});
			}
		}
		return this.#spawnOnce(null, this.#opts.startTimeoutMs, started);
	}

	async #spawnOnce(snapshot: string | null, timeoutMs: number, started: number): Promise<Host> {
		const host = new Host(hostArgs(snapshot));
		host.onSnapshot((bytes) => void writeSnapshot(this.#opts.cacheDir, bytes));
		const ready = new Promise<Extract<HostMessage, {t: 'ready'}>>((resolve, reject) => {
			const timer = setTimeout(() => {
				host.kill();
				reject(new Error(`the Python sandbox did not start within ${seconds(timeoutMs)}`));
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
		host.send({
			t: 'start',
			init: {
				pyodideDir: pyodideDir(),
				preludePath: path.join(sandboxDir(), 'prelude.py'),
				snapshotPath: snapshot,
				snapshotTag: snapshotKey(),
			},
		});
		const message = await ready;
		if (this.#disposed) {
			host.kill();
			throw new Error('The sandbox has been disposed');
		}
		this.#host = host;
		this.#baselineHeap = message.heapBytes;
		this.#heapBytes = message.heapBytes;
		this.#startInfo = {
			fromSnapshot: message.fromSnapshot,
			ms: performance.now() - started,
			loadMs: message.loadMs,
			heapBytes: message.heapBytes,
			...(message.note ? {note: message.note} : {}),
		};
		return host;
	}

	async #loadContext(host: Host): Promise<void> {
		const encoded = encodeContext(this.#context);
		const heap = await host.request({t: 'context', id: ++this.#seq, kind: encoded.kind, bytes: encoded.bytes, parts: encoded.parts});
		this.#baselineHeap = heap;
		this.#heapBytes = heap;
	}

	/** Kills the current host (if any), starts a new one, reloads context and history. */
	async #restart(): Promise<void> {
		const old = this.#host;
		this.#host = null;
		if (old) {
			old.run = null;
			old.kill();
		}
		if (this.#disposed) throw new Error('The sandbox has been disposed');
		const host = await this.#spawn();
		if (this.#context !== null) await this.#loadContext(host);
		await host.request({t: 'turn', id: ++this.#seq, history: this.#history});
	}

	/** Restarts a dead host; true when it did (context and history are then loaded). */
	async #ensureHost(): Promise<boolean> {
		if (this.#host?.alive) return false;
		const reason = this.#host ? this.#host.exitReason() : 'it was not running';
		await this.#restart();
		this.#restartNotice = `The REPL had stopped (${reason}) and was restarted: every variable from earlier blocks is gone; context and history were reloaded.`;
		return true;
	}

	#memoryCeiling(): number {
		return Math.max(this.#opts.memoryLimitMb * MB, this.#baselineHeap + 128 * MB);
	}

	#execute(code: string, options: RunOptions, started: number): Promise<ExecResult> {
		const host = this.#host!;
		const id = ++this.#seq;
		const timeoutMs = options.timeoutMs ?? this.#opts.timeoutMs;
		const calls = new Map<number, AbortController>();
		const streamed = {stdout: '', stderr: ''};
		const keepStreamed = this.#opts.maxOutputChars;
		let limit: 'timeout' | 'cancelled' | undefined;
		let timeoutTimer: NodeJS.Timeout | undefined;
		let killTimer: NodeJS.Timeout | undefined;
		let settled = false;
		// The timeout counts Python's own time: the clock stops while a sub-call is answered,
		// since a batch of slow model calls is legitimate work, bounded by the request timeout.
		let timeLeft = timeoutMs;
		let clockStarted = 0;
		let pendingBridge = 0;
		/** The worker reported the block done; only the result is still being put together. */
		let finishing = false;

		return new Promise<ExecResult>((resolve) => {
			const cleanup = () => {
				clearTimeout(timeoutTimer);
				clearTimeout(killTimer);
				options.signal?.removeEventListener('abort', onAbort);
				for (const controller of calls.values()) controller.abort();
				calls.clear();
				if (host.run === handler) host.run = null;
			};
			const finish = (result: ExecResult) => {
				if (settled) return;
				settled = true;
				cleanup();
				resolve(result);
			};
			const base = (): Omit<ExecResult, 'ok'> => ({
				stdout: streamed.stdout,
				stderr: streamed.stderr,
				truncatedChars: 0,
				variables: [],
				final: null,
				ms: performance.now() - started,
				restarted: false,
			});
			/** The host is gone or must go: restart, then report. */
			const restartAndFinish = async (why: ExecResult['limit'], message: string) => {
				if (settled) return;
				host.run = null;
				cleanup();
				if (this.#disposed) {
					finish({...base(), ok: false, error: 'The sandbox was closed while the block ran.', limit: 'cancelled'});
					return;
				}
				let text = message;
				try {
					await this.#restart();
					text += ' Every variable is gone; context and history were reloaded.';
				} catch (error) {
					text += ` Restarting it failed too: ${errorText(error)}`;
				}
				finish({...base(), ok: false, error: text, limit: why, restarted: true, ms: performance.now() - started});
			};
			const interrupt = (why: 'timeout' | 'cancelled') => {
				if (limit || settled || finishing) return;
				limit = why;
				for (const controller of calls.values()) controller.abort();
				host.send({t: 'interrupt', id});
				killTimer = setTimeout(() => {
					const what =
						why === 'timeout'
							? `Timed out after ${seconds(timeoutMs)}, and Python did not stop when interrupted, so the REPL was restarted.`
							: 'Cancelled, and Python did not stop when interrupted, so the REPL was restarted.';
					void restartAndFinish(why, what);
				}, this.#opts.interruptGraceMs);
			};
			const onAbort = () => interrupt('cancelled');
			const startClock = () => {
				clockStarted = performance.now();
				// setTimeout overflows past 2^31-1 ms and would fire at once.
				timeoutTimer = setTimeout(() => interrupt('timeout'), Math.min(Math.max(0, timeLeft), 2 ** 31 - 1));
			};
			const stopClock = () => {
				clearTimeout(timeoutTimer);
				timeLeft -= performance.now() - clockStarted;
			};

			const handler: RunHandler = {
				onMessage: (message) => {
					if (settled) return;
					switch (message.t) {
						case 'output': {
							if (message.id !== id) return;
							const kept = streamed[message.stream];
							if (kept.length < keepStreamed * 2) streamed[message.stream] = kept + message.text;
							try {
								options.onOutput?.(message.stream, message.text);
							} catch {
								// the listener's problem, not the block's
							}
							return;
						}
						case 'bridge': {
							if (message.id !== id || !bridgeFunctions.includes(message.fn)) return;
							const controller = new AbortController();
							calls.set(message.callId, controller);
							if (limit) controller.abort();
							const request: BridgeRequest = {fn: message.fn, prompts: message.prompts, model: message.model};
							if (pendingBridge++ === 0 && !limit) stopClock();
							void answerBridge(request, controller.signal, options.onCall).then((results) => {
								calls.delete(message.callId);
								if (--pendingBridge === 0 && !limit && !settled && !finishing) startClock();
								if (controller.signal.aborted || settled) return;
								host.send({t: 'bridge-reply', callId: message.callId, results});
							});
							return;
						}
						case 'bridge-cancel':
							calls.get(message.callId)?.abort();
							calls.delete(message.callId);
							return;
						case 'done':
							if (message.id !== id || finishing) return;
							// From here on no timer or abort may interrupt or kill this host.
							finishing = true;
							clearTimeout(timeoutTimer);
							clearTimeout(killTimer);
							options.signal?.removeEventListener('abort', onAbort);
							void this.#complete(message.result, limit, timeoutMs, started).then(finish);
							return;
						default:
					}
				},
				onExit: (reason) => {
					if (finishing) return;
					const what =
						limit === 'timeout'
							? `Timed out after ${seconds(timeoutMs)}; the Python process stopped (${reason}) and was restarted.`
							: limit === 'cancelled'
								? `Cancelled; the Python process stopped (${reason}) and was restarted.`
								: `The Python process crashed (${reason}) and was restarted.`;
					void restartAndFinish(limit ?? 'crashed', what);
				},
			};
			host.run = handler;
			if (!host.alive) {
				handler.onExit(host.exitReason());
				return;
			}
			startClock();
			options.signal?.addEventListener('abort', onAbort, {once: true});
			host.send({t: 'run', id, code, maxOutputChars: this.#opts.maxOutputChars});
		});
	}

	async #complete(
		r: WorkerRunResult,
		limit: 'timeout' | 'cancelled' | undefined,
		timeoutMs: number,
		started: number,
	): Promise<ExecResult> {
		let error = r.error ?? undefined;
		let resultLimit: ExecResult['limit'] = limit;
		if (limit === 'timeout')
			error = `Timed out after ${seconds(timeoutMs)} of Python time (waiting for sub-calls does not count): the block was interrupted. Variables from earlier blocks are kept.${error ? `\n${error}` : ''}`;
		else if (limit === 'cancelled') error = `Cancelled: the block was interrupted.${error ? `\n${error}` : ''}`;
		else if (r.errorType === 'MemoryError') resultLimit = 'memory';
		if (!resultLimit && r.truncatedChars > 0) resultLimit = 'output';
		const result: ExecResult = {
			ok: r.ok && !limit,
			stdout: r.stdout,
			stderr: r.stderr,
			...(error ? {error} : {}),
			truncatedChars: r.truncatedChars,
			variables: r.variables,
			final: r.final,
			ms: 0,
			...(resultLimit ? {limit: resultLimit} : {}),
			restarted: false,
		};
		this.#heapBytes = r.heapBytes;
		if (r.heapBytes > this.#memoryCeiling()) {
			const note = `The REPL's memory grew to ${Math.round(r.heapBytes / MB)} MB (limit ${Math.round(this.#memoryCeiling() / MB)} MB), so it was restarted to free it: every variable is gone; context and history were reloaded.`;
			try {
				await this.#restart();
			} catch (restartError) {
				result.error = `${result.error ? `${result.error}\n\n` : ''}${note} (Restarting failed: ${errorText(restartError)})`;
			}
			result.restarted = true;
			result.variables = [];
			result.limit = 'memory';
			if (!result.error?.includes(note)) result.error = `${result.error ? `${result.error}\n\n` : ''}${note}`;
		}
		result.ms = performance.now() - started;
		return result;
	}
}

function cancelledBeforeStart(started: number): ExecResult {
	return {
		ok: false,
		stdout: '',
		stderr: '',
		error: 'Cancelled before the block ran.',
		truncatedChars: 0,
		variables: [],
		final: null,
		ms: performance.now() - started,
		limit: 'cancelled',
		restarted: false,
	};
}

function failed(started: number, error: string): ExecResult {
	return {
		ok: false,
		stdout: '',
		stderr: '',
		error,
		truncatedChars: 0,
		variables: [],
		final: null,
		ms: performance.now() - started,
		limit: 'crashed',
		restarted: true,
	};
}

/** Builds the Pyodide snapshot into the cache dir if it is missing (run it while the user types). */
export async function prewarmSandbox(options?: SandboxOptions): Promise<void> {
	const resolved = resolveOptions(options);
	if (fs.existsSync(snapshotPath(resolved.cacheDir))) return;
	const sandbox = await Sandbox.start(resolved);
	try {
		await snapshotWritesSettled();
	} finally {
		await sandbox.dispose();
	}
}
