// Types at the sandbox boundary: what the parent asks of the REPL and what comes back.

export type BridgeFunction = 'llm_query' | 'llm_query_batched' | 'rlm_query' | 'rlm_query_batched';

/** A sub-call made from Python. Batched functions carry several prompts; plain ones carry one. */
export interface BridgeRequest {
	fn: BridgeFunction;
	prompts: string[];
	model: string | null;
}

/** Handles a bridge request in the parent. Must resolve with one string per prompt, in order;
 * a failing slot holds an error string (starting "Error:") rather than rejecting. */
export type BridgeHandler = (request: BridgeRequest, signal: AbortSignal) => Promise<string[]>;

export type SandboxContext = string | Record<string, string>;

export interface HistoryEntry {
	question: string;
	answer: string;
}

export interface VariableInfo {
	name: string;
	type: string;
}

export interface RunOptions {
	/** Called as output is produced (already capped). */
	onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
	/** Answers llm_query & co. for this block. */
	onCall?: BridgeHandler;
	/** Aborting interrupts the running Python (KeyboardInterrupt, then kill and restart). */
	signal?: AbortSignal;
	/** Overrides the sandbox's per-block wall-clock timeout. */
	timeoutMs?: number;
}

export interface ExecResult {
	ok: boolean;
	stdout: string;
	stderr: string;
	/** Python traceback's last lines or a plain description of what the sandbox did. */
	error?: string;
	/** Characters of output dropped by the cap (head and tail are kept). */
	truncatedChars: number;
	/** The user's variables after the block (reserved names excluded). */
	variables: VariableInfo[];
	/** Set when the block submitted an answer (llm_output, FINAL_VAR, or answer["ready"]). */
	final: string | null;
	ms: number;
	/** What stopped the block, when something did. */
	limit?: 'timeout' | 'memory' | 'output' | 'cancelled' | 'crashed';
	/** The host process was restarted: every variable is gone. */
	restarted: boolean;
}

export interface SandboxOptions {
	/** Wall-clock limit per block, in milliseconds. */
	timeoutMs?: number;
	/** Most characters of stdout+stderr kept per block (head and tail). */
	maxOutputChars?: number;
	/** Wasm heap ceiling in MiB; above it the REPL is recycled. */
	memoryLimitMb?: number;
	/** Where the Pyodide memory snapshot is kept. */
	cacheDir?: string;
}
