// The Pyodide worker thread inside the host process. Python reaches JavaScript only through the
// two functions of `host` below (bridge call and sleep); `js` and `pyodide_js` are unregistered,
// and whatever Pyodide itself could use to reach the network or the host's files is disabled.
import fs from 'node:fs';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import {isAscii} from 'node:buffer';
import {parentPort, workerData, receiveMessageOnPort, type MessagePort} from 'node:worker_threads';
import {CONTEXT_FD, CTL, bigReplyChars, bridgeFunctions, type HostMessage, type ParentMessage, type WorkerInit, type WorkerRunResult} from './protocol.js';
import {OutputCapture, type StreamName} from './output.js';
import {withSnapshotFile} from './snapshot-file.js';
import {compilePyodideAsm} from './asm-script.js';
import {lazyValidationCompile, preloadPyodide, withPyodidePreload} from './wasm-preload.js';
import {isStackOverflow} from './notices.js';

interface WorkerData {
	init: WorkerInit;
	ctl: SharedArrayBuffer;
	replyPort: MessagePort;
}

// Minimal view of the Pyodide API this file uses (the package's own types are not imported so
// that the worker stays independent of its module format).
interface PyProxyLike {
	destroy(): void;
	getBuffer(type?: string): {data: Uint8Array; release(): void};
	toString(): string;
	(...args: unknown[]): unknown;
	[key: string]: any;
}
interface PyodideLike {
	runPython(code: string): any;
	pyimport(name: string): PyProxyLike;
	unregisterJsModule(name: string): void;
	setStdout(options: object): void;
	setStderr(options: object): void;
	setStdin(options: object): void;
	setInterruptBuffer(buffer: Int32Array): void;
	makeMemorySnapshot(): Uint8Array;
	_module: {HEAPU8: Uint8Array; [key: string]: any};
	_api: {[key: string]: any};
	[key: string]: any;
}

/** V8's collector (the host sets --expose-gc for this worker: worker-flags.ts; Python reaches no
 * JavaScript global): a full collection, or with {type: 'minor'} only the young generation's (a scavenge). */
const collectGarbage = (globalThis as {gc?: (options?: {type: 'minor' | 'major'}) => void}).gc;

const data = workerData as WorkerData;
const port = parentPort!;
const ctl = new Int32Array(data.ctl);
const interruptView = new Int32Array(data.ctl, CTL.interrupt * 4, 1);
const replyPort = data.replyPort;

function post(message: HostMessage, transfer?: ArrayBuffer[]): void {
	port.postMessage(message, transfer ?? []);
}

// ---- what Pyodide needs from Node under the permission model -----------------------------------

const allowedModules: Record<string, unknown> = {
	fs,
	'node:fs': fs,
	crypto,
	'node:crypto': crypto,
	path,
	'node:path': path,
	url,
	'node:url': url,
};
// pyodide.mjs imports ws and child_process unless `require` exists; give it only what it needs.
(globalThis as any).require = (name: string) => {
	if (name in allowedModules) return allowedModules[name];
	throw new Error(`module ${name} is not available in the sandbox`);
};
// Emscripten's NODEFS reads fs flags from process.binding('constants'), which the permission
// model refuses.
const constants = {fs: fs.constants, os: os.constants, crypto: crypto.constants};
(process as any).binding = (name: string) => {
	if (name === 'constants') return constants;
	throw new Error(`process.binding('${name}') is not available in the sandbox`);
};

// ---- the memory ceiling -------------------------------------------------------------------------

/**
 * Pyodide grows its Wasm heap only through WebAssembly.Memory.prototype.grow: Emscripten's
 * `growMemory` (pyodide.asm.mjs, called by `_emscripten_resize_heap` when malloc needs room)
 * catches what grow throws and reports failure, so malloc returns NULL and CPython raises
 * MemoryError. The Wasm code has no memory.grow instruction of its own and the stdlib has no side
 * modules (the loaders for others are disabled in harden()), so refusing here bounds the heap.
 * Installed before Pyodide loads, fixed on the prototype: Python can find Pyodide's objects (through
 * gc) and call grow, but never reaches the original, which only this closure holds.
 */
const wasmPageBytes = 65_536;
/** Bytes the heap may grow to now: a block's ceiling while it runs (and the last one's while a turn
 * or the host tools are set up); Infinity while Pyodide starts and a context loads. */
let heapCeiling = Infinity;
/** A growth was refused since the current block began. */
let growthRefused = false;

/** WebAssembly.Memory as far as the guard uses it (the project's TypeScript libs do not declare WebAssembly). */
interface WasmMemory {
	readonly buffer: ArrayBuffer;
	grow: (this: WasmMemory, deltaPages: number) => number;
}

/** The last block's ceiling, until a context load: finalizers (`__del__`) and weakref callbacks
 * the model defined can run in any Python call, so the sandbox's own calls between blocks are
 * held to it too. */
let lastBlockCeiling = Infinity;

function underLastCeiling(call: () => void): void {
	heapCeiling = lastBlockCeiling;
	try {
		call();
	} finally {
		heapCeiling = Infinity;
	}
}

function guardHeapGrowth(): void {
	const proto = (globalThis as unknown as {WebAssembly: {Memory: {prototype: WasmMemory}}}).WebAssembly.Memory.prototype;
	const grow = proto.grow;
	const guarded = function (this: WasmMemory, delta: number): number {
		if (this.buffer.byteLength + Number(delta) * wasmPageBytes > heapCeiling) {
			growthRefused = true;
			throw new RangeError('the REPL\'s memory limit refuses this growth');
		}
		return grow.call(this, delta);
	};
	Object.defineProperty(proto, 'grow', {value: guarded, writable: false, configurable: false});
}

guardHeapGrowth();

// ---- output -------------------------------------------------------------------------------------

let currentRun = 0;
let capture: OutputCapture | null = null;
let lastOutput = {stdout: '', stderr: '', truncatedChars: 0};

function makeWriter(stream: StreamName) {
	return {
		isatty: false,
		write(buffer: Uint8Array): number {
			capture?.write(stream, buffer);
			return buffer.length;
		},
	};
}

// ---- the bridge ---------------------------------------------------------------------------------

let callSeq = 0;

function interrupted(): boolean {
	if (Atomics.load(ctl, CTL.interrupt) === 0) return false;
	Atomics.store(ctl, CTL.interrupt, 0);
	return true;
}

/** Called from Python: posts a sub-call request and blocks until the reply, which it hands to
 * Python (replyToPython), or an interrupt (then undefined, which Python sees as None). */
function bridgeCall(requestJson: unknown): number | undefined {
	capture?.flush();
	if (typeof requestJson !== 'string') throw new TypeError('bad bridge request');
	const request = JSON.parse(requestJson) as {fn: unknown; prompts: unknown; model: unknown};
	const fn = request.fn as (typeof bridgeFunctions)[number];
	if (!bridgeFunctions.includes(fn)) throw new TypeError('unknown bridge function');
	if (!Array.isArray(request.prompts) || !request.prompts.every((p) => typeof p === 'string'))
		throw new TypeError('prompts must be strings');
	const model = typeof request.model === 'string' ? request.model : null;
	collectReplyGarbage();
	const callId = ++callSeq;
	post({t: 'bridge', id: currentRun, callId, fn, prompts: request.prompts, model});
	const reply = awaitReply(callId);
	return reply === undefined ? undefined : replyToPython(reply, () => JSON.stringify(reply.results));
}

/** Called from Python: runs a host tool in the parent and blocks until its outcome (JSON text),
 * which it hands to Python (replyToPython), or an interrupt (then undefined: None in Python). */
function toolCall(name: unknown, input: unknown): number | undefined {
	capture?.flush();
	if (typeof name !== 'string' || typeof input !== 'string') throw new TypeError('bad tool call');
	collectReplyGarbage();
	const callId = ++callSeq;
	post({t: 'tool', id: currentRun, callId, name, input});
	const reply = awaitReply(callId);
	return reply === undefined ? undefined : replyToPython(reply, () => reply.results[0] ?? '');
}

/**
 * Hands a reply (JSON text) to Python through the Wasm heap: Python makes room for its UTF-8
 * bytes (`_rlm.reply_target`, a bytearray: under the memory ceiling, MemoryError when there is no
 * room) and they are written straight there. Returning the string instead would let Pyodide copy
 * it into a Uint32Array of four bytes a character first, outside the heap and its ceiling.
 * @returns the reply's size in bytes; Python takes it with `_take_reply()`.
 */
function replyToPython(reply: Reply, textOf: (reply: Reply) => string): number {
	// Raises Python's MemoryError, which goes back to the Python code that made the call.
	if (reply.tooLargeBytes !== undefined) rlm.refuse_reply(reply.tooLargeBytes);
	const text = textOf(reply);
	if (text.length >= bigReplyChars) replyGarbage = true;
	const size = Buffer.byteLength(text, 'utf8');
	const target = rlm.reply_target(size) as PyProxyLike;
	try {
		const view = target.getBuffer('u8');
		try {
			Buffer.from(view.data.buffer, view.data.byteOffset, size).write(text, 'utf8');
		} finally {
			view.release();
		}
	} finally {
		target.destroy();
	}
	return size;
}

/** A big reply was handed to Python: its copies here are garbage, collected before the next call
 * and when the block ends. */
let replyGarbage = false;

function collectReplyGarbage(): void {
	if (!replyGarbage) return;
	replyGarbage = false;
	collectGarbage?.();
}

/** A call's results, or their size when they were too big to send (`results` is then empty). */
interface Reply {
	callId: number;
	results: string[];
	tooLargeBytes?: number;
}

/** Waits for the parent's reply to call `callId`; undefined when Python is interrupted first (the
 * parent is told to drop the call). */
function awaitReply(callId: number): Reply | undefined {
	for (;;) {
		const seen = Atomics.load(ctl, CTL.reply);
		let received = receiveMessageOnPort(replyPort);
		while (received) {
			const reply = received.message as Reply;
			if (reply.callId === callId) return reply;
			received = receiveMessageOnPort(replyPort); // a late reply to a cancelled call
		}
		if (interrupted()) {
			post({t: 'bridge-cancel', callId});
			return undefined;
		}
		Atomics.wait(ctl, CTL.reply, seen, 50);
	}
}

/** Called from Python's time.sleep: waits without burning a core; false if interrupted. */
function sleep(seconds: unknown): boolean {
	capture?.flush();
	const ms = Math.max(0, Number(seconds) * 1000);
	const end = performance.now() + (Number.isFinite(ms) ? ms : 0);
	for (;;) {
		if (interrupted()) return false;
		const left = end - performance.now();
		if (left <= 0) return true;
		Atomics.wait(ctl, CTL.wake, 0, Math.min(left, 100));
	}
}

const host = Object.freeze(Object.assign(Object.create(null), {call: bridgeCall, tool: toolCall, sleep}));

// ---- start-up -----------------------------------------------------------------------------------

const jsglobals = Object.freeze(Object.create(null));

async function load(): Promise<{py: PyodideLike; fromSnapshot: boolean; codeCache: boolean; note?: string}> {
	const {init} = data;
	// First: its Wasm module compiles in the background while pyodide.mjs loads.
	const preload = preloadPyodide(init.pyodideDir);
	const {loadPyodide: pyodideLoad} = (await import(url.pathToFileURL(path.join(init.pyodideDir, 'pyodide.mjs')).href)) as {
		loadPyodide: (options: object) => Promise<PyodideLike>;
	};
	const loadPyodide = (options: object) => withPyodidePreload(preload, () => pyodideLoad(options));
	// Pyodide's glue, from V8's code cache when there is a sound one (a missing file is no news),
	// checked with the flags it was made with: about 1 start in 30 had it refused when the Wasm
	// compile above, with its own flag on, was still running.
	for (let compile = lazyValidationCompile(); compile; compile = lazyValidationCompile()) await compile;
	const asm = compilePyodideAsm(init.pyodideDir, init.codeCachePath && fs.existsSync(init.codeCachePath) ? init.codeCachePath : null);
	const codeCache = asm.script?.fromCache ?? false;
	let note = asm.note;
	const base = {
		...(asm.script ? {createPyodideModule: asm.script.create} : {}),
		indexURL: init.pyodideDir,
		jsglobals,
		env: {HOME: '/home/pyodide'},
		stdout: () => {},
		stderr: () => {},
		stdin: () => null,
		checkAPIVersion: true,
	};
	const addNote = (text: string) => (note = note ? `${note}; ${text}` : text);
	if (init.snapshotPath) {
		try {
			const py = await withSnapshotFile(init.snapshotPath, (snapshot) => {
				// V8 counts every ArrayBuffer as external memory, and past 64 MB more than at the last
				// full collection it starts marking: the snapshot's payload (31 MB, never resident), the
				// files read ahead (12 MB) and then the Wasm memory (31 MB) crossed that while Pyodide
				// instantiated, so its busiest JavaScript ran with marking on (write barriers, marking
				// steps). A full collection now, of a heap of about 5 MB, moves that limit past the load:
				// the host of a 3-turn answer used about 115 ms less CPU (median of 8 paired runs).
				collectGarbage?.();
				return loadPyodide({...base, _loadSnapshot: snapshot});
			});
			// Pyodide keeps its config, and with it the snapshot's payload, for the interpreter's life.
			if (py._api.config) py._api.config._loadSnapshot = undefined;
			const tag = py.runPython('import _rlm; _rlm.SNAPSHOT_TAG');
			if (tag !== init.snapshotTag) throw new Error('snapshot tag mismatch');
			return {py, fromSnapshot: true, codeCache, ...(note ? {note} : {})};
		} catch (error) {
			addNote(`snapshot unusable (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); cold start`);
		}
	}
	const py = await loadPyodide({...base, _makeSnapshot: true});
	const prelude = fs.readFileSync(init.preludePath, 'utf8');
	const module = py.runPython(
		'import sys, types\n_m = types.ModuleType("_rlm")\nsys.modules["_rlm"] = _m\n_m',
	) as PyProxyLike;
	const globals = module.__dict__;
	const run = py.runPython('lambda code, ns: exec(compile(code, "<rlm-prelude>", "exec"), ns)') as PyProxyLike;
	run(prelude, globals);
	run(`SNAPSHOT_TAG = ${JSON.stringify(init.snapshotTag)}`, globals);
	for (const proxy of [run, globals, module]) proxy.destroy();
	py.runPython('del _m, sys, types');
	try {
		const bytes = py.makeMemorySnapshot();
		post({t: 'snapshot', bytes}, [bytes.buffer as ArrayBuffer]);
	} catch (error) {
		addNote(`snapshot not made (${error instanceof Error ? error.message : String(error)})`);
		return {py, fromSnapshot: false, codeCache, ...(note ? {note} : {})};
	}
	// Made here only: a start that has run no model code, and after a whole cold start, so the
	// cache holds every function it compiled.
	if (asm.script) {
		try {
			const {sourceHash, bytes} = asm.script.makeCache();
			post({t: 'code-cache', sourceHash, bytes});
		} catch (error) {
			addNote(`code cache not made (${error instanceof Error ? error.message : String(error)})`);
		}
	}
	return {py, fromSnapshot: false, codeCache, ...(note ? {note} : {})};
}

function disable(target: Record<string, unknown> | undefined, names: string[]): void {
	if (!target) return;
	for (const name of names) {
		const refuse = () => {
			throw new Error(`${name} is disabled in the sandbox`);
		};
		try {
			Object.defineProperty(target, name, {value: refuse, writable: false, configurable: false});
		} catch {
			try {
				target[name] = refuse;
			} catch {
				// not writable: leave it
			}
		}
	}
}

/** FS.mount takes only MEMFS: any other file system (NODEFS, PROXYFS, WORKERFS, a type made up
 * in Python) could reach beyond the sandbox's memory. Refused with EPERM. */
function onlyMemfsMounts(mod: any): void {
	const fs = mod.FS;
	const memfs = fs?.filesystems?.MEMFS;
	if (!fs || typeof fs.mount !== 'function' || !memfs) return;
	const mount = fs.mount as (...args: unknown[]) => unknown;
	const errno = mod.ERRNO_CODES?.EPERM ?? 63;
	const guarded = (type: unknown, ...rest: unknown[]) => {
		if (type !== memfs) throw new fs.ErrnoError(errno);
		return mount.call(fs, type, ...rest);
	};
	try {
		Object.defineProperty(fs, 'mount', {value: guarded, writable: false, configurable: false});
	} catch {
		fs.mount = guarded;
	}
}

/**
 * Callbacks Python schedules (asyncio's call_soon, call_later, tasks) reach Pyodide's
 * scheduleCallback, which calls setTimeout or setImmediate. A block runs synchronously, so any of
 * them would fire after it ended: outside its timeout and its output, between or inside later
 * blocks. They are tracked from here on and cancelled when each block ends.
 */
const pendingTimers = new Set<() => void>();

function trackScheduledCallbacks(): void {
	const g = globalThis as any;
	const wrap = (name: string, clearName: string, repeats: boolean) => {
		const schedule = g[name] as (callback: (...args: unknown[]) => unknown, ...rest: unknown[]) => unknown;
		const clear = g[clearName] as (handle: unknown) => void;
		if (typeof schedule !== 'function' || typeof clear !== 'function') return;
		const tracked = (callback: (...args: unknown[]) => unknown, ...rest: unknown[]) => {
			if (typeof callback !== 'function') return schedule(callback, ...rest);
			const cancel = () => clear(handle);
			const handle = schedule((...args: unknown[]) => {
				if (!repeats) pendingTimers.delete(cancel);
				return callback(...args);
			}, ...rest);
			pendingTimers.add(cancel);
			return handle;
		};
		try {
			Object.defineProperty(g, name, {value: tracked, writable: false, configurable: false});
		} catch {
			g[name] = tracked;
		}
	};
	wrap('setTimeout', 'clearTimeout', false);
	wrap('setImmediate', 'clearImmediate', false);
	wrap('setInterval', 'clearInterval', true);
}

/** Cancels every callback scheduled since the last call. */
function cancelScheduledCallbacks(): void {
	for (const cancel of pendingTimers) cancel();
	pendingTimers.clear();
}

/** Closes what Python could reach through Pyodide's own objects (found e.g. through gc). */
function harden(py: PyodideLike): void {
	for (const name of ['js', 'pyodide_js']) {
		try {
			py.unregisterJsModule(name);
		} catch {
			// not registered
		}
	}
	disable(py, ['mountNodeFS', 'mountNativeFS', 'useNodeSockFS', 'loadPackage', 'loadPackagesFromImports', 'registerJsModule']);
	disable(py._api, ['initializeNodeSockFS', 'loadBinaryFile', 'loadPackage']);
	const mod = py._module;
	// Emscripten's side-module loaders: a Wasm module of Python's making could grow the heap with
	// its own memory.grow, past the ceiling's guard (guardHeapGrowth).
	disable(mod, ['loadWebAssemblyModule', 'loadDynamicLibrary', 'instantiateWasm']);
	disable(mod.FS?.filesystems?.NODEFS, ['mount']);
	disable(mod.NODEFS, ['mount']);
	onlyMemfsMounts(mod);
	const sockfs = mod.SOCKFS;
	if (sockfs) {
		const errno = mod.ERRNO_CODES?.EACCES ?? 2;
		const refuse = () => {
			throw new mod.FS.ErrnoError(errno);
		};
		// Every socket entry point, not only the obvious ones: createPeer and listen load `ws`.
		for (const target of [sockfs, sockfs.websocket_sock_ops]) {
			if (!target) continue;
			for (const key of Object.keys(target)) {
				try {
					if (typeof target[key] === 'function') target[key] = refuse;
				} catch {
					// leave it
				}
			}
		}
	}
	const g = globalThis as any;
	for (const name of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest', 'require', 'Request', 'navigator']) {
		try {
			delete g[name];
		} catch {
			// not configurable
		}
	}
	const proc = process as any;
	for (const name of ['binding', '_linkedBinding', 'dlopen', 'getBuiltinModule']) {
		try {
			proc[name] = undefined;
		} catch {
			// read-only
		}
	}
	try {
		Object.defineProperty(Error, 'prepareStackTrace', {get: () => undefined, set: () => {}, configurable: false});
	} catch {
		// already locked
	}
}

/** Whether this thread's context runs code from strings (eval, new Function): the host starts the
 * worker with it forbidden (worker-flags.ts); a worker that finds it allowed does not start Python. */
function codeFromStringsAllowed(): boolean {
	try {
		(globalThis as unknown as {eval: (code: string) => unknown}).eval('0');
		return true;
	} catch {
		return false;
	}
}

/** How long the worker waits without a message before it collects the start's garbage, in ms. */
const idleCollectMs = 500;
// Captured before trackScheduledCallbacks wraps them: this timer is the sandbox's, not Python's.
const startTimer = setTimeout;
const stopTimer = clearTimeout;
let idleCollection: ReturnType<typeof setTimeout> | null = null;

/**
 * The start's garbage (the snapshot's copy, Pyodide's loader) would stay until an allocation
 * triggers a collection, which an idle REPL never makes: about 30 MB of an idle host. A full
 * collection takes 25-50 ms, so it waits until no message came for idleCollectMs; run at `ready`,
 * it held up the first block, which usually comes at once. Every message pushes it back
 * (noteMessage) until it has run once.
 */
function collectStartGarbageWhenIdle(): void {
	if (!collectGarbage) return;
	if (idleCollection) stopTimer(idleCollection);
	idleCollection = startTimer(() => {
		idleCollection = null;
		collectGarbage();
	}, idleCollectMs);
}

/** A message came: the idle collection, if still pending, waits again. */
function noteMessage(): void {
	if (idleCollection) collectStartGarbageWhenIdle();
}

/**
 * Keeps the worker's event loop alive until the port listens. While Pyodide loads, the loop often
 * has no handle of its own (the load waits on V8: the Wasm compile, WebAssembly.instantiate), so
 * uv_run returns and Node runs V8's tasks for this thread from NodePlatform::DrainTasks, which
 * first waits for every background task V8 has posted, including the Wasm functions the load made
 * hot being optimised (TurboFan, on the one background compiler the host allows). The end of the
 * load, `ready` and the first message then waited for that compile: 40-100 ms between `ready` and
 * the first reply in about 5 starts of 8 (seen with perf: the worker's thread asleep in
 * DrainTasks, the compiler's thread in TurboFan). With a handle alive, uv_run does not return:
 * V8's tasks come through the loop, and the optimising goes on in the background.
 */
const keepLoopAlive = setInterval(() => {}, 1 << 30);
const started = performance.now();
let py: PyodideLike;
let rlm: PyProxyLike;
try {
	if (codeFromStringsAllowed()) throw new Error('its JavaScript context allows code from strings (eval), which the host forbids');
	const loaded = await load();
	py = loaded.py;
	// Pyodide's instantiateWasm hook holds the .wasm file's bytes (about 9 MB) for the interpreter's
	// life, though the compiled module keeps what it needs; nothing instantiates the module again.
	py._module.instantiateWasm = undefined;
	py.setStdout(makeWriter('stdout'));
	py.setStderr(makeWriter('stderr'));
	py.setStdin({error: true});
	py.setInterruptBuffer(interruptView);
	rlm = py.pyimport('_rlm');
	harden(py);
	rlm.install(host);
	trackScheduledCallbacks();
	post({
		t: 'ready',
		fromSnapshot: loaded.fromSnapshot,
		codeCache: loaded.codeCache,
		loadMs: performance.now() - started,
		heapBytes: py._module.HEAPU8.byteLength,
		...(loaded.note ? {note: loaded.note} : {}),
	});
	// The buffers the start gave back (releaseBuffer: the Wasm file's bytes, the snapshot's
	// payload) are freed by a scavenge, a millisecond or two: about 10 MB off the host's peak
	// before the first block. The rest of the start's garbage waits for the idle collection.
	collectGarbage?.({type: 'minor'});
	collectStartGarbageWhenIdle();
} catch (error) {
	post({t: 'fatal', message: `Python could not start: ${describe(error)}`});
	process.exit(1);
}

function describe(error: unknown): string {
	if (error instanceof Error) return error.message;
	return String(error);
}

function isPythonError(error: unknown): boolean {
	return error instanceof Error && error.constructor?.name === 'PythonError' && !(error as any).pyodide_fatal_error;
}

function heap(): number {
	return py._module.HEAPU8.byteLength;
}

// ---- the context: read from its pipe straight into Python's memory -----------------------------

/**
 * Whether Python's str objects lay out as `_rlm.ascii_probe` assumes: a known ASCII str is read
 * back from the heap at the address it names. If not (a CPython that lays them out otherwise),
 * every part goes through a bytearray instead.
 */
function asciiInPlaceWorks(): boolean {
	try {
		const probe = 'rlm-tui probe: ASCII text in place 0123456789';
		const address = Number(rlm.ascii_probe(probe));
		const heap = py._module.HEAPU8;
		return address > 0 && Buffer.from(heap.buffer, heap.byteOffset + address, probe.length).toString('latin1') === probe;
	} catch {
		return false;
	} finally {
		rlm.ascii_probe(null);
	}
}

let asciiInPlace: boolean | null = null;

/** Reads up to `length` bytes of the context pipe into `target` at `offset`; waits while it is empty. */
function readContextPipe(target: Uint8Array, offset: number, length: number): number {
	for (;;) {
		try {
			const n = fs.readSync(Atomics.load(ctl, CTL.contextFd) || CONTEXT_FD, target, offset, length, null);
			if (n === 0) throw new Error('the context pipe closed before the whole context came');
			return n;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
			Atomics.wait(ctl, CTL.wake, 0, 5);
		}
	}
}

/** Reads and drops `bytes` of the pipe (a load that failed still takes its bytes: the pipe stays in step). */
function skipContextBytes(bytes: number): void {
	const scratch = new Uint8Array(Math.min(bytes, 1024 * 1024));
	for (let left = bytes; left > 0; ) left -= readContextPipe(scratch, 0, Math.min(left, scratch.length));
}

/**
 * Loads the context: Python makes room for every part (the old context dropped first), each
 * part's bytes are read from the pipe to where they belong in the Wasm heap, Python then decodes
 * what is not ASCII. A part said to be ASCII is checked to be.
 * @throws ContextLoadFailure (the bytes were all read) or a Python error.
 */
function loadContext(message: Extract<ParentMessage, {t: 'context'}>): void {
	const total = message.parts.reduce((sum, [, bytes]) => sum + bytes, 0);
	let read = 0;
	try {
		asciiInPlace ??= asciiInPlaceWorks();
		const addresses = JSON.parse(rlm.begin_context(message.kind, JSON.stringify(message.parts), asciiInPlace) as string) as number[];
		message.parts.forEach(([, bytes, ascii], i) => {
			let address = addresses[i]!;
			if (address < 0) {
				// A bytearray: its buffer's place in the heap.
				const target = rlm.context_target(i) as PyProxyLike;
				try {
					const view = target.getBuffer('u8');
					address = view.data.byteOffset;
					view.release();
				} finally {
					target.destroy();
				}
			}
			// Python allocates nothing while the bytes come, so the heap cannot move under them.
			const heap = py._module.HEAPU8;
			for (let done = 0; done < bytes; ) {
				const n = readContextPipe(heap, address + done, bytes - done);
				done += n;
				read += n;
			}
			if (ascii && addresses[i]! >= 0 && !isAscii(heap.subarray(address, address + bytes)))
				throw new ContextLoadFailure('a part of the context said to be ASCII was not');
		});
		rlm.end_context();
	} catch (error) {
		if (read < total) skipContextBytes(total - read);
		try {
			rlm.abandon_context();
		} catch {
			// nothing was allocated
		}
		throw error;
	}
}

/** The context's bytes did not match its header: the load fails, the interpreter is fine. */
class ContextLoadFailure extends Error {}

function handle(message: ParentMessage): void {
	// An interrupt meant for this very run may have landed before the run began: keep it.
	// Any other is stale (its block ended before Python saw it).
	if (message.t !== 'run' || Atomics.load(ctl, CTL.interruptRun) !== message.id) Atomics.store(ctl, CTL.interrupt, 0);
	switch (message.t) {
		case 'context':
			// The next block brings the ceiling that counts the new context.
			lastBlockCeiling = Infinity;
			loadContext(message);
			post({t: 'ok', id: message.id, heapBytes: heap()});
			return;
		case 'turn': {
			underLastCeiling(() => void rlm.begin_turn(JSON.stringify(message.history)));
			post({t: 'ok', id: message.id, heapBytes: heap()});
			return;
		}
		case 'host-tools': {
			underLastCeiling(() => void rlm.register_host_tools(JSON.stringify(message.tools)));
			post({t: 'ok', id: message.id, heapBytes: heap()});
			return;
		}
		case 'run': {
			currentRun = message.id;
			while (receiveMessageOnPort(replyPort)) {
				// drop replies to calls of earlier blocks
			}
			const id = message.id;
			// A noted interrupt is stale unless one for this run is waiting in the buffer.
			if (Atomics.load(ctl, CTL.interrupt) === 0) rlm.clear_interrupt();
			capture = new OutputCapture(message.maxOutputChars, (stream, text) => post({t: 'output', id, stream, text}));
			let summary: Omit<WorkerRunResult, 'stdout' | 'stderr' | 'truncatedChars' | 'heapBytes' | 'heapLimitHit'>;
			growthRefused = false;
			heapCeiling = message.heapCeilingBytes;
			lastBlockCeiling = message.heapCeilingBytes;
			try {
				try {
					summary = JSON.parse(rlm.run(message.code) as string);
				} catch (error) {
					if (!isPythonError(error)) throw error;
					summary = JSON.parse(rlm.recover(describe(error)) as string);
				}
			} finally {
				heapCeiling = Infinity;
				// Even when Python died, send what it printed first (the fatal message follows).
				const output = capture.finish();
				capture = null;
				lastOutput = output;
				cancelScheduledCallbacks();
				collectReplyGarbage();
			}
			post({t: 'done', id, result: {...summary, ...lastOutput, heapBytes: heap(), heapLimitHit: growthRefused}});
			return;
		}
		default:
			return;
	}
}

port.on('message', (message: ParentMessage) => {
	try {
		handle(message);
		noteMessage();
	} catch (error) {
		if ((isPythonError(error) || error instanceof ContextLoadFailure) && message.t !== 'run' && 'id' in message) {

			post({t: 'failed', id: message.id, message: describe(error)});
			return;
		}
		// Pyodide failed fatally (or our own code did): this interpreter is gone. After a refused
		// growth, running out of memory is what took it down, unless the stack overflowed (deep
		// recursion grows the heap too, and it is the stack that ends it).
		const fatal = describe(error);
		post({t: 'fatal', message: fatal, ...(message.t === 'run' && growthRefused && !isStackOverflow(fatal) ? {outOfMemory: true} : {})});
		process.exit(1);
	}
});
// The port's listener keeps the loop alive from here on.
clearInterval(keepLoopAlive);
