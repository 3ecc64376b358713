// What a run needs from the Rlm that owns it: the backend, the settled options, the event sink,
// REPLs for child runs, and the child runs themselves.
import type {Backend} from '../backends/types.js';
import type {Repl, ReplOptions} from '../protocol/repl.js';
import type {RlmEventBody} from '../protocol/events.js';
import type {CompletionResult} from './types.js';

export interface ChildRunParams {
	parentCallId: string;
	depth: number;
	model: string;
	prompt: string;
	signal: AbortSignal;
}

export interface SettledOptions {
	model: string;
	subModel: string;
	temperature?: number;
	maxOutputTokens?: number;
	maxIterations: number;
	maxDepth: number;
	maxConcurrency: number;
	maxChildConcurrency: number;
	subModelContextTokens?: number;
	repl: ReplOptions;
}

export interface EngineContext {
	backend: Backend;
	options: SettledOptions;
	emit(event: RlmEventBody): void;
	/** True the first time `key` is passed in this completion (for warnings given once). */
	once(key: string): boolean;
	/** A fresh REPL for a child RLM; the caller disposes it. */
	startRepl(): Promise<Repl>;
	/** Runs a child RLM (rlm_query) on this context, one level deeper (child-run.ts; passed in so
	 * that the loop, its sub-calls and the child run do not import one another in a circle). */
	runChild(params: ChildRunParams): Promise<CompletionResult>;
}
