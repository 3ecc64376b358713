// Messages between the parent (sandbox.ts), the host process (host.ts) and the Pyodide worker
// (worker.ts). The host forwards most of them unchanged; it only acts on `interrupt` and
// `bridge-reply` itself. The parent checks every message it receives (host-messages.ts).
// The host may read only the sandbox's own folder: runtime values it needs live here.
import type {BridgeFunction, HistoryEntry, HostToolSpec, VariableInfo} from './types.js';

/** The host's file descriptor on which the parent writes a context's bytes (stdio[4]): the worker
 * reads them straight into Python's memory, with no message, copy or decoding on the way. */
export const CONTEXT_FD = 4;

export interface WorkerInit {
	/** Pyodide's package directory, with a trailing slash. */
	pyodideDir: string;
	preludePath: string;
	/** A snapshot to restore, if one exists; null for a cold start. */
	snapshotPath: string | null;
	/** Written into the prelude before the snapshot; checked after restoring it. */
	snapshotTag: string;
	/** V8's code cache for pyodide.asm.mjs to use if it is there and checks out (code-cache-file.ts);
	 * null when starting cold, which makes a new one. */
	codeCachePath: string | null;
}

/** How the context's bytes are laid out: see context-encoding.ts. */
export type ContextKind = 'none' | 'str' | 'dict' | 'json';

/** A context part on the wire: [dict key or '', UTF-8 bytes, every character ASCII]. */
export type ContextPartHeader = [string, number, boolean];

/** Parent -> host. */
export type ParentMessage =
	| {t: 'start'; init: WorkerInit}
	/** A context load: this header; its parts' bytes follow end to end on the context pipe. */
	| {t: 'context'; id: number; kind: ContextKind; parts: ContextPartHeader[]}
	| {t: 'turn'; id: number; history: HistoryEntry[]}
	| {t: 'host-tools'; id: number; tools: HostToolSpec[]}
	/** `heapCeilingBytes`: the Wasm heap may not grow past it while the block runs (worker.ts). */
	| {t: 'run'; id: number; code: string; maxOutputChars: number; heapCeilingBytes: number}
	| {t: 'interrupt'; id: number}
	/** `tooLargeBytes`: the results were this big, too big for Python's memory, and are not sent. */
	| {t: 'bridge-reply'; callId: number; results: string[]; tooLargeBytes?: number};

export interface WorkerRunResult {
	ok: boolean;
	error: string | null;
	errorType: string | null;
	final: string | null;
	/** The first LISTED_VARIABLES (prelude.py) user variables, names and types cut. */
	variables: VariableInfo[];
	/** How many user variables there are. */
	variableCount?: number;
	/** answer["content"] when set and not submitted. */
	answerDraft?: string | null;
	stdout: string;
	stderr: string;
	truncatedChars: number;
	heapBytes: number;
	/** The memory ceiling refused the heap a growth during the block (so a MemoryError is its doing). */
	heapLimitHit: boolean;
}

/** Host (or worker, through the host) -> parent. */
export type HostMessage =
	/** `codeCache`: pyodide.asm.mjs was compiled from the code cache. */
	| {t: 'ready'; fromSnapshot: boolean; codeCache: boolean; loadMs: number; heapBytes: number; note?: string}
	| {t: 'snapshot'; bytes: Uint8Array}
	/** V8's code cache for pyodide.asm.mjs, made by a cold start after its snapshot; `sourceHash`:
	 * the SHA-256 (hex) of the script it was compiled from (asm-script.ts). */
	| {t: 'code-cache'; sourceHash: string; bytes: Uint8Array}
	| {t: 'ok'; id: number; heapBytes: number}
	| {t: 'failed'; id: number; message: string}
	| {t: 'output'; id: number; stream: 'stdout' | 'stderr'; text: string}
	| {t: 'bridge'; id: number; callId: number; fn: BridgeFunction; prompts: string[]; model: string | null}
	| {t: 'bridge-cancel'; callId: number}
	/** A host tool call; answered with a bridge-reply whose one result is the outcome as JSON. */
	| {t: 'tool'; id: number; callId: number; name: string; input: string}
	| {t: 'done'; id: number; result: WorkerRunResult}
	/** The interpreter is gone; `outOfMemory` when it died after the memory ceiling refused a growth. */
	| {t: 'fatal'; message: string; outOfMemory?: boolean};

/** A warm host's first frame to the client that connects (host-channel.ts, warm-link.ts): its
 * build's tag (warm-dir.ts warmTag), its process id, the name, in the same directory, of the
 * socket it listens on for the context's bytes (once, for this client only), and the idle time it
 * was left with, in ms (a run that ends on a usage error leaves a new one with it: cli/keep-warm.ts). */
export interface WarmHello {
	t: 'hello';
	tag: string;
	pid: number;
	contextSocket: string;
	idleMs: number;
}

/**
 * The host's hard memory bound while a block runs is the heap's ceiling + this (host.ts). Measured:
 * outside the heap a host holds 140-170 MB (Pyodide's code, its JS heap); a sub-call reply costs
 * it about six times its size in transit (IPC buffers, the message, its copy for the worker, the
 * JSON text: +310 MB for 50 MB), so replies past `maxReplyBytes` are not sent (block-run.ts).
 */
export const hostMemorySlackBytes = 512 * 1024 * 1024;
export const maxReplyBytes = hostMemorySlackBytes / 8;
/** A reply this big (in characters) is followed by a garbage collection, in the host and the
 * worker: its copies would otherwise stay in memory until V8 happens to collect. */
export const bigReplyChars = 8 * 1024 * 1024;

/** Control words shared by the host and the worker (an Int32Array over a SharedArrayBuffer). */
export const CTL = {
	/** Pyodide's interrupt buffer: 2 = SIGINT. */
	interrupt: 0,
	/** Bumped by the host after it posts a bridge reply. */
	reply: 1,
	/** Never written; notified to wake a sleeping worker on interrupt. */
	wake: 2,
	/** The run id the last interrupt was meant for (it may arrive before that run starts). */
	interruptRun: 3,
	/** The descriptor the context's bytes come on, when not CONTEXT_FD (0): a claimed warm host's
	 * context socket (host-channel.ts). */
	contextFd: 4,
	size: 5,
} as const;

export const bridgeFunctions = ['llm_query', 'llm_query_batched', 'rlm_query', 'rlm_query_batched'] as const satisfies readonly BridgeFunction[];

/** Fails to compile when protocol/repl.ts names a bridge function this list lacks. */
type MissingBridgeFunction = Exclude<BridgeFunction, (typeof bridgeFunctions)[number]>;
const _everyBridgeFunctionListed: [MissingBridgeFunction] extends [never] ? true : MissingBridgeFunction = true;
