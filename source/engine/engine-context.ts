// What a run needs from the Rlm that owns it: the backend, the settled options, the event sink,
// REPLs for child runs (with their slots), the child runs themselves, and the run-wide limits of
// the completion.
import type {Backend} from '../backends/types.js';
import type {LimitCaps, LimitName} from '../protocol/limits.js';
import type {Repl, ReplOptions} from '../protocol/repl.js';
import type {RlmEventBody, SystemPromptChoice} from '../protocol/events.js';
import type {CompletionResult, HostTools} from './types.js';
import type {HostPool, HostSlot} from './host-pool.js';
import type {RunLimits} from './run-limits.js';

export interface ChildRunParams {
	parentCallId: string;
	depth: number;
	model: string;
	prompt: string;
	signal: AbortSignal;
	/** The parent's REPL slot (a child waiting for one of its own must not deadlock its parent). */
	parentSlot: HostSlot;
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
	/** Python run in each child RLM's REPL before its first block (--sub-tools, else --tools). */
	subTools?: {code: string; source: string};
	/** The library's host tools, in every REPL of the run's tree. */
	hostTools?: HostTools;
	/** Summarise older iterations when the conversation nears the window (default on). */
	compaction: boolean;
	/** The root model's window in tokens, when set by the user (else learned from the server). */
	contextWindow?: number;
	/** Where contextWindow came from, as messages name it (RlmOptions.contextWindowName). */
	contextWindowName?: string;
	/** The user's instructions and/or replacement system prompt, when there are any. */
	system?: SystemPromptChoice;
	repl: ReplOptions;
	/** The run-wide caps (maxSubCalls always set). */
	limits: LimitCaps;
	/** The caps in `limits` the user did not set (the engine's defaults). */
	limitDefaults?: LimitName[];
	/** How messages name caps that are not the user's own (RlmOptions.limitLabels). */
	limitLabels?: Partial<Record<LimitName, string>>;
	/** Models `model=` may name in sub-calls: the root model, the sub-model and allowModels (aliases resolved). */
	allowedModels: ReadonlySet<string>;
	/** Most prompts in one batched sub-call. */
	maxBatchPrompts: number;
	/** Most UTF-8 bytes of one sub-call prompt. */
	maxPromptBytes: number;
	/** Resolves a model name as the user may write it (`sonnet`, `4o`) to the backend's. */
	resolveModel(name: string): string;
}

export interface EngineContext {
	backend: Backend;
	/** How events name `backend` (its name, with the host when two backends share a name). */
	backendLabel?: string;
	/** Where llm_query and child RLMs go (--sub-backend / --sub-url); absent: `backend`. */
	sub?: {backend: Backend; label: string};
	options: SettledOptions;
	emit: (event: RlmEventBody) => void;
	/** True the first time `key` is passed in this completion (for warnings given once). */
	once(key: string): boolean;
	/** The completion's run-wide limits, shared by every run of its tree. */
	limits: RunLimits;
	/** The Rlm's cap on REPLs at once: a child run takes a slot before startRepl(). */
	hosts: HostPool;
	/** A fresh REPL for a child RLM; the caller disposes it. */
	startRepl(): Promise<Repl>;
	/** Runs a child RLM (rlm_query) on this context, one level deeper (child-run.ts; passed in so
	 * that the loop, its sub-calls and the child run do not import one another in a circle). */
	runChild(params: ChildRunParams): Promise<CompletionResult>;
}

/** The backend sub-calls use, and how events name it. */
export function subBackendOf(engine: EngineContext): {backend: Backend; label: string} {
	return engine.sub ?? {backend: engine.backend, label: engine.backendLabel ?? engine.backend.name};
}

/** The engine as a child RLM sees it: its root calls and its own sub-calls on the sub backend. */
export function forChildRuns(engine: EngineContext): EngineContext {
	if (!engine.sub) return engine;
	return {...engine, backend: engine.sub.backend, backendLabel: engine.sub.label};
}
