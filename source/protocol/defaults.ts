// The defaults a user reads in --help, the README and /settings, defined once so the text cannot
// drift from what the code does: the settings file, the engine, serve, mcp and the context loader
// take them from here. A leaf: imports no one. (Sub-calls' default cap: limits.ts; models and base
// URLs per backend: backends.ts.)

/** Sent to OpenAI-compatible servers when the caller chose no temperature (the seed's default;
 * none to GPT-5 and the o-series, which refuse it). */
export const DEFAULT_TEMPERATURE = 0.7;

/** Turns before one forced final answer. */
export const DEFAULT_MAX_ITERATIONS = 30;

/** 1: rlm_query is a plain model call; 2 or more: child RLMs. */
export const DEFAULT_MAX_DEPTH = 1;

/** Limit per code block, in seconds of Python's own time. */
export const DEFAULT_TIMEOUT_SECONDS = 30;

/** The longest a model request can wait for the server, in seconds: Node's fetch (undici) gives
 * up on a response whose headers take longer, and on a body silent for longer, whatever the SDK's
 * timeout says (measured on Node 20.20: UND_ERR_HEADERS_TIMEOUT after 300 s). */
export const MAX_REQUEST_TIMEOUT_SECONDS = 300;

/** How long a model request may wait for the server, in seconds: for the reply to start, and
 * between the parts of a streamed reply (--request-timeout). The SDKs say 10 minutes, but Node's
 * fetch stops at MAX_REQUEST_TIMEOUT_SECONDS. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = MAX_REQUEST_TIMEOUT_SECONDS;

/** `rlm-tui serve`'s port. */
export const DEFAULT_SERVE_PORT = 8080;

/** `rlm-tui mcp --http`'s port. */
export const DEFAULT_MCP_PORT = 8765;

/** The interface serve and mcp --http listen on (any other needs a token). */
export const DEFAULT_HOST = '127.0.0.1';

/** Runs at once in serve and mcp; more wait. */
export const DEFAULT_MAX_CONCURRENT = 2;

/** Runs serve and mcp keep waiting beyond those running; more are refused. */
export const DEFAULT_MAX_QUEUED = 8;

/** Bytes that folders and globs load as a context at most (100 MiB). */
export const DEFAULT_MAX_CONTEXT_BYTES = 100 * 1024 * 1024;

/** The REPL's memory ceiling while a block runs, in MiB of its Wasm heap: past it an allocation
 * raises MemoryError (the sandbox refuses the heap's growth). */
export const DEFAULT_MEMORY_LIMIT_MB = 1024;

/** Minutes a warm sandbox waits for the next run after one ends (--keep-warm, keepWarmMinutes):
 * 0, none is left (sandbox/warm-spare.ts). */
export const DEFAULT_KEEP_WARM_MINUTES = 0;

/** The longest a warm sandbox may wait, in minutes: an idle one holds a host's memory (about
 * 150 MB, README: Performance) all that time. */
export const MAX_KEEP_WARM_MINUTES = 120;

/** The lowest memory limit accepted, in MiB: the Pyodide snapshot with an empty context holds
 * 30 MiB (measured), and the sandbox keeps 128 MiB above what the context holds whatever the limit
 * (sandbox.ts): a limit below this one would not be what the REPL gets. */
export const MIN_MEMORY_LIMIT_MB = 256;

/** The highest memory limit accepted, in MiB: a 32-bit Wasm heap (Pyodide's) ends at 4 GiB
 * (measured: a block held 4,000 MB at this limit). */
export const MAX_MEMORY_LIMIT_MB = 4096;

/** A batched call of this many slots or more is shown folded: one row in the TUI's tree, one start
 * and one summary line in the -e log. */
export const BATCH_FOLD_MIN = 10;
