// The library's public shapes: options for an Rlm and what a completion returns.
import type {FinishReason, Usage} from '../protocol/llm.js';
import type {BackendName} from '../protocol/backends.js';
import type {Backend} from '../backends/types.js';
import type {ReplFactory, SandboxContext, VariableInfo} from '../protocol/repl.js';
import type {RunStatus} from '../protocol/events.js';
import type {RunErrorCode} from '../protocol/errors.js';

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
	/** Model for llm_query / rlm_query (defaults to the root model). */
	subModel?: string;
	/** Wall-clock limit per code block, in seconds. */
	timeoutSeconds?: number;
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
	/** Directory for the Pyodide snapshot. */
	cacheDir?: string;
	/** Where REPLs come from: the session's and each child RLM's (default: the Pyodide sandbox). */
	replFactory?: ReplFactory;
}

export interface CompletionOptions {
	context?: SandboxContext;
	signal?: AbortSignal;
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
	iterations: IterationRecord[];
	/** Rolled up over the whole tree: root, sub-calls and child runs. */
	usage: Usage & {totalTokens: number};
	executionTimeMs: number;
	runId: string;
	/** With status `failed`: one line saying what went wrong. */
	error?: string;
	/** With status `failed`: the error's stable code ({code: errorCode, message: error}). */
	errorCode?: RunErrorCode;
}
