// The REPL's vocabulary, shared by the engine, the sandbox, the trajectory and the front ends:
// the small `Repl` port the engine runs code through, and the words that cross it.
// A leaf: imports no one.

/** The sub-call functions Python can call (the names the original RLM uses). */
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

/** A host tool as Python sees it (the library's `tools`): a function of that name in the REPL
 * whose calls run in the parent. */
export interface HostToolSpec {
	/** A Python identifier, not a reserved name. */
	name: string;
	/** What the model is told about it (the function's docstring in Python). */
	description: string;
}

/** A call of a host tool from Python: its name and its argument as JSON text (`null` when it was
 * called with none, an object for keyword arguments). */
export interface ToolRequest {
	name: string;
	input: string;
}

/** What a host tool call gives back to Python: its result, or a one-line error that Python raises
 * as ToolError. */
export type ToolOutcome = {ok: true; value: JsonValue} | {ok: false; error: string};

/** Runs a host tool in the parent. Resolves with the outcome; never rejects on purpose (a
 * rejection reaches Python as a ToolError with its message). */
export type ToolHandler = (request: ToolRequest, signal: AbortSignal) => Promise<ToolOutcome>;

/** A value JSON can carry: what `json.loads` turns into str, int/float, bool, None, list, dict. */
export type JsonValue = string | number | boolean | null | JsonValue[] | {[key: string]: JsonValue};

/** Python's `context`: a str, a dict of name -> text (several files), or any other JSON value
 * (parsed data: a list, a dict of values, a number, a bool), as the original RLM takes. A str and a
 * dict of str travel as text; the rest as JSON text that Python parses. null is "no context". */
export type SandboxContext = Exclude<JsonValue, null>;

/** One earlier turn of the chat, as Python's `history` holds it. */
export interface HistoryEntry {
	question: string;
	answer: string;
	/** The root model's messages of that turn, as Python's `history_N` holds them (the original
	 * RLM's name); absent for turns that came from elsewhere (a resumed log, an API transcript),
	 * whose `history_N` is then the question and the answer. */
	messages?: Array<{role: string; content: string}>;
}

/** A user variable of the REPL: its name and its Python type name. */
export interface VariableInfo {
	name: string;
	type: string;
}

export interface RunOptions {
	/** Called as output is produced (already capped). */
	onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
	/** Answers llm_query & co. for this block. */
	onCall?: BridgeHandler;
	/** Runs the host tools' calls for this block (without it, a call raises ToolError). */
	onTool?: ToolHandler;
	/** Aborting interrupts the running Python (KeyboardInterrupt, then kill and restart). */
	signal?: AbortSignal;
	/** Overrides the REPL's per-block wall-clock timeout, in milliseconds. */
	timeoutMs?: number;
	/** Overrides the REPL's memory ceiling for this block, in MiB (see ReplOptions.memoryLimitMb). */
	memoryLimitMb?: number;
}

/** What stopped a block, when something did. */
export type ExecLimit = 'timeout' | 'memory' | 'output' | 'cancelled' | 'crashed';

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
	/** `answer["content"]` when it is set but not submitted (answer["ready"] still False): the best
	 * answer of a run a limit stops. */
	answerDraft?: string;
	/** How many user variables there are, when `variables` lists only some of them. */
	variableCount?: number;
	/** Wall-clock time of the block, in milliseconds. */
	ms: number;
	limit?: ExecLimit;
	/** The REPL was restarted: every variable is gone. After the block ran (it timed out, ran out of
	 * memory, crashed...), or before it (the host had stopped): its error then says so
	 * (RESTARTED_BEFORE_BLOCK), and the block ran in the fresh REPL. */
	restarted: boolean;
}

/** How the error of a block that `restarted` says the restart came before the block ran (the
 * sandbox's restartNotice, which cannot import this: the host reads only its own folder). */
export const RESTARTED_BEFORE_BLOCK = 'restarted before this block ran';

/** A persistent Python namespace that runs the model's code blocks one at a time. The sandbox
 * (source/sandbox) is the real one; tests and library users may bring their own. */
export interface Repl {
	/** Sets Python's `context`: a str, a dict of name -> text, another JSON value, or None. */
	setContext(context: SandboxContext | null): Promise<void>;
	/** Starts a turn: sets `history` and resets the answer. */
	beginTurn(history: HistoryEntry[]): Promise<void>;
	/** Runs one block in the persistent namespace. Never rejects for what the code does: errors,
	 * limits and restarts are reported in the result. Rejects only once disposed. */
	run(code: string, options?: RunOptions): Promise<ExecResult>;
	/** Defines the host tools in Python (functions whose calls come back to `RunOptions.onTool`),
	 * kept across restarts. Optional: a REPL without it has no host tools. */
	setHostTools?(tools: readonly HostToolSpec[]): Promise<void>;
	/** Frees the REPL. Idempotent. */
	dispose(): Promise<void>;
}

/** How an Rlm wants its REPLs to behave. */
export interface ReplOptions {
	/** Wall-clock limit per block, in milliseconds. */
	timeoutMs?: number;
	/** Most characters of stdout+stderr kept per block (head and tail). */
	maxOutputChars?: number;
	/** Wasm heap ceiling in MiB, held while a block runs: past it an allocation raises MemoryError. */
	memoryLimitMb?: number;
	/** How the MemoryError's notice names that limit for whoever can change it: a front end gives
	 * its flag (`--memory-limit`); default `the sandbox option memoryLimitMb`. */
	memoryLimitName?: string;
	/** Where the Pyodide memory snapshot is kept. */
	cacheDir?: string;
}

/** Where an Rlm gets its REPLs: one for the chat session, one per child RLM. */
export interface ReplFactory {
	/** Starts a REPL and resolves when it is ready. */
	start(options: ReplOptions): Promise<Repl>;
	/** Resolves when background work of earlier REPLs is done (the sandbox writes its memory
	 * snapshot after a first start); awaited by Rlm.dispose(). */
	settled?(): Promise<void>;
}
