// The library's public shapes: options for an Rlm and what a completion returns.
import type {CutReason, FinishReason, Usage} from '../protocol/llm.js';
import type {BackendName} from '../protocol/backends.js';
import type {Backend} from '../backends/types.js';
import type {JsonValue, ReplFactory, SandboxContext, VariableInfo} from '../protocol/repl.js';
import type {RunStatus} from '../protocol/events.js';
import type {RunErrorCode} from '../protocol/errors.js';
import type {LimitName} from '../protocol/limits.js';
import type {SessionOrigin} from '../trajectory/log-names.js';

export type {SessionOrigin} from '../trajectory/log-names.js';

export interface HostTool {
	/** What the model is told about it (its docstring in Python): what it does, what it takes and
	 * what it returns. */
	description: string;
	/** How to call it, shown after its name in the system prompt, e.g. "(query)" or "(path, limit=10)"
	 * (default "(input)"). Python passes one argument, or keyword arguments as one object. */
	signature?: string;
	/**
	 * Runs in the parent process with its rights (files, network, keys): keep it to what the model
	 * may do. `input` is the JSON value Python passed (null when none; an object for keyword
	 * arguments). Returns a JSON value, or a promise of one (undefined means null). What it throws
	 * becomes a ToolError in Python with the first line of its message. `signal` aborts when the
	 * block is cancelled or times out.
	 */
	fn: (input: JsonValue, context: {signal: AbortSignal}) => unknown;
}

/** The library option `tools`: tool name -> tool (engine/host-tools.ts checks and runs them). */
export type HostTools = Readonly<Record<string, HostTool>>;

export interface RlmOptions {
	/** Root model name. */
	model: string;
	/** A kind ('openai', 'anthropic', 'demo') or a preset ('groq', 'lmstudio', ...). */
	backend?: BackendName;
	/** Base URL for the backend (OpenAI-compatible default: http://localhost:11434/v1). */
	baseURL?: string;
	apiKey?: string;
	/** Extra request headers for the backend. */
	headers?: Record<string, string>;
	/** Use this backend object instead of building one from backend/baseURL/apiKey. */
	backendInstance?: Backend;
	temperature?: number;
	/** Output-token limit of each model reply (sent as max_tokens or max_completion_tokens); the
	 * run-wide cap on input + output tokens is maxTokens. */
	maxOutputTokens?: number;
	maxIterations?: number;
	/** 1 means rlm_query is a plain sub-call (as the original); 2 allows one level of child RLMs. */
	maxDepth?: number;
	/** Model for llm_query / rlm_query. Default: the root model (on the root's server, or on a
	 * `subBaseURL` given alone); with `subBackend`, that backend's default model, else the first
	 * its server lists. A run whose sub-calls go elsewhere, or whose sub-model has a source, names
	 * the model and where it came from in an info notice (code `model_chosen`). */
	subModel?: string;
	/** Where `subModel` came from, for that notice (`--sub-model`, `the settings file`). */
	subModelSource?: string;
	/** Another backend for llm_query and child RLMs (--sub-backend): a kind or a preset. */
	subBackend?: BackendName;
	/** Its base URL (--sub-url); alone, it means an OpenAI-compatible server. */
	subBaseURL?: string;
	/** Its key (RLM_SUB_API_KEY, else its backend's usual variable); never the root's key unless
	 * the environment gives the same variable to both. */
	subApiKey?: string;
	/** Use this backend object for sub-calls instead of building one. */
	subBackendInstance?: Backend;
	/** Wall-clock limit per code block, in seconds. */
	timeoutSeconds?: number;
	/** The REPL's memory ceiling while a block runs, in MiB of its Wasm heap (--memory-limit;
	 * default 1024, from 256 to 4096: Pyodide's 32-bit heap ends at 4 GiB). An allocation past it
	 * raises MemoryError in Python: the block fails, its variables and the session survive, and
	 * the model is told the limit. A context bigger than it gets its loaded size + 128 MiB. A
	 * change (configure) holds from the next block, in the session's REPL too.
	 * @throws RangeError from the constructor and configure() for a value outside 256-4096. */
	memoryLimitMb?: number;
	/** How the MemoryError's notice names memoryLimitMb for whoever can change it (a front end's
	 * flag: `--memory-limit`); default `the sandbox option memoryLimitMb`. */
	memoryLimitName?: string;
	/** Most concurrent sub-calls in a batch. */
	maxConcurrency?: number;
	/** Characters of each block's output the model sees (head and tail kept). */
	maxOutputChars?: number;
	/** Context window of the sub-model in tokens, for the fail-fast check (guessed when absent). */
	subModelContextTokens?: number;
	/** Per-request timeout for model calls, in milliseconds. */
	requestTimeoutMs?: number;
	/** Where JSONL trajectories go (default: the XDG state dir); false writes none. */
	logDir?: string | false;
	/** The front end this session belongs to, recorded in its logs (default `library`). resumeLast
	 * brings back only sessions it may: `tui` and `headless` each other's, `library` its own kind,
	 * `serve` and `mcp` (many clients' sessions) none, and no one resumes theirs. */
	origin?: SessionOrigin;
	/** The session's name in its logs (8 hex digits; default: a new random one): the headless CLI
	 * names it before the engine loads, when it logs the question early (trajectory/early-question.ts). */
	sessionId?: string;
	/** Directory for the Pyodide snapshot. */
	cacheDir?: string;
	/** Python run in the session's REPL before the first block (--tools FILE.py); its public
	 * functions are listed with their docstrings in the system prompt and restored after every
	 * block like the reserved names. */
	toolsCode?: string;
	/** Where toolsCode came from (a path), for the prompt and errors. */
	toolsSource?: string;
	/** The same for child RLMs' REPLs (--sub-tools FILE.py); default: toolsCode, as the original. */
	subToolsCode?: string;
	subToolsSource?: string;
	/** Host tools: functions Python calls by name whose calls run here, in your process, with its
	 * rights (see `HostTool`; the README's Security section). Listed in the system
	 * prompt; in every REPL of the session, child RLMs' included. Arguments and results are JSON;
	 * what `fn` throws reaches Python as a ToolError with one line. Checked when the Rlm is made:
	 * @throws HostToolsError for a bad name, a missing description or a non-function fn. */
	tools?: HostTools;
	/** Summarise older iterations when a run's conversation nears the model's window (default true). */
	compaction?: boolean;
	/** The root model's window in tokens (--context-window); default: what its server reports, else
	 * the model catalog's figure. Compaction keeps every request under it. */
	contextWindow?: number;
	/** How messages (the over-window warning, compaction) name where contextWindow came from, for
	 * whoever can change it (a front end's flag: `--context-window`); default `contextWindow`. A
	 * configure() that changes contextWindow without it goes back to the default. */
	contextWindowName?: string;
	/** Your instructions, appended to the built-in system prompt (or to `systemPrompt`) of every
	 * run, child RLMs included (-s/--system). */
	instructions?: string;
	/** Replaces the built-in system prompt whole (--system-file). It must still tell the model to
	 * write ```repl blocks and to submit with llm_output(...) (see the README); a notice says so
	 * when it does not. */
	systemPrompt?: string;
	/** Where `systemPrompt` came from (a file path), shown in the detail view and logged. */
	systemPromptSource?: string;
	/** Where REPLs come from: the session's and each child RLM's (default: the Pyodide sandbox). */
	replFactory?: ReplFactory;

	// Run-wide limits: each covers one completion's whole tree (root, sub-calls, child runs);
	// children get what is left. A run that reaches one ends with status `limited` and the best
	// answer it has. Absent: no limit (maxSubCalls has a default).
	/** Estimated cost in USD, from the model catalog's prices (a model without a known price adds
	 * its tokens but no cost, and a `price_unknown` notice says so). */
	maxBudget?: number;
	/** Wall-clock seconds for the whole completion, time waiting on sub-calls and children included. */
	maxTimeout?: number;
	/** Input plus output tokens of the whole tree. */
	maxTokens?: number;
	/** Consecutive failed code blocks of one run. */
	maxErrors?: number;
	/** Sub-calls per completion, each slot of a batch counting one (default 500). */
	maxSubCalls?: number;
	/** How messages (the run's error, what the model is told) name a cap that is not the user's own
	 * limit, by its name: e.g. mcp's share of its server's --total-tokens, in place of "limit of
	 * 400 tokens (--max-tokens)". Read as "The run's <label> is reached". */
	limitLabels?: Partial<Record<LimitName, string>>;
	/** Models `model=` may name in sub-calls besides the root model and the sub-model. */
	allowModels?: string[];
	/** Most prompts in one llm_query_batched / rlm_query_batched call (default 1,000); a larger
	 * batch is refused whole with an `Error:` string in each slot. */
	maxBatchPrompts?: number;
	/** Most UTF-8 bytes of one sub-call prompt (default 4 MiB); a larger prompt is not sent. */
	maxPromptBytes?: number;
	/** Most REPLs (sandbox host processes, about 190 MB each) at once, the session's and every
	 * child RLM's, across all depths (default 5). */
	maxHosts?: number;
}

/** Run-wide limits one completion may set for itself, over the Rlm's own (same names and units). */
export type CompletionLimits = Pick<RlmOptions, 'maxBudget' | 'maxTimeout' | 'maxTokens' | 'maxErrors' | 'maxSubCalls'>;

export interface CompletionOptions extends CompletionLimits {
	context?: SandboxContext;
	signal?: AbortSignal;
	/** This call's instructions for the root model (e.g. the format the answer must have, as
	 * serve's response_format): appended after the session's `instructions` under the same
	 * heading of the system prompt. Child RLMs do not see them. */
	instructions?: string;
	/** The run starts once this settles (a /context still reading): the question is in the log
	 * from the call on, marked queued. A cancel (`signal`) meanwhile ends the wait: a cancelled turn. */
	after?: PromiseLike<unknown>;
	/** The question's log file, written before the engine was loaded (trajectory/early-question.ts):
	 * this run takes it over (its run id, and the file moved to the run's turn). */
	takenIn?: {path: string; runId: string};
}

export interface CodeBlockRecord {
	code: string;
	result: {
		stdout: string;
		stderr: string;
		ok: boolean;
		error?: string;
		variables: VariableInfo[];
		executionTimeMs: number;
		final: string | null;
		truncatedChars: number;
	};
}

export interface IterationRecord {
	iteration: number;
	response: string;
	codeBlocks: CodeBlockRecord[];
	finalAnswer: string | null;
	executionTimeMs: number;
	usage: Usage;
	/** Why the model's reply ended; 'length': cut at the output-token limit. */
	finishReason: FinishReason;
}

export interface CompletionResult {
	response: string;
	status: RunStatus;
	/** What stopped the run short of its own answer, in the limits' option names: with status
	 * `limited`, the run-wide limit (`error` says how); with status `forced`, `maxIterations` (out
	 * of iterations, the answer was asked for once more). */
	limit?: LimitName | 'maxIterations';
	iterations: IterationRecord[];
	/** Rolled up over the whole tree: root, sub-calls and child runs. */
	usage: Usage & {totalTokens: number};
	executionTimeMs: number;
	runId: string;
	/** With status `failed`: one line saying what went wrong. */
	error?: string;
	/** With status `failed`: the error's stable code ({code: errorCode, message: error}). */
	errorCode?: RunErrorCode;
	/** With status `failed`, when the error says what to do in the command line's words (a backend's
	 * "pass -u URL, or try -b demo."): that advice, apart from `error`. Front ends with words of
	 * their own advise from `errorCode` instead. */
	errorAdvice?: string;
	/** With status `forced` or `limited`: the last reply asked for the answer, which the answer is, was cut (its finish reason:
	 * the output-token limit, a dropped or stalled stream, a content filter); the answer then ends
	 * with a marker saying it is incomplete. */
	answerCut?: CutReason;
}
