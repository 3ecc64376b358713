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
