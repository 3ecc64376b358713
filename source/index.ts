// The library: an observable Recursive Language Model.
export {Rlm, DEFAULTS} from './engine/rlm.js';
export type {RlmOptions, SessionOrigin, HostTool, HostTools, CompletionOptions, CompletionLimits, CompletionResult, IterationRecord, CodeBlockRecord} from './engine/types.js';
export type {RlmEvent, RlmEventType, RlmEventOf, RunStatus, ContextInfo} from './protocol/events.js';
export type {ChatMessage, Usage} from './protocol/llm.js';
export type {LimitCaps, LimitName, LimitUse} from './protocol/limits.js';
export {LIMIT_NAMES} from './protocol/limits.js';
export type {BackendKind} from './protocol/backends.js';
export type {Backend, StreamChunk, StreamOptions} from './backends/types.js';
export {BackendError} from './backends/types.js';
export {createBackend} from './backends/create.js';
export {Sandbox, prewarmSandbox} from './sandbox/sandbox.js';
export {ContextLoadError, loadContext, type ContextLoadOptions, type LoadedContext, type ContextFormat} from './context/index.js';
export type {
	SandboxContext,
	JsonValue,
	ExecResult,
	ExecLimit,
	HistoryEntry,
	VariableInfo,
	Repl,
	ReplFactory,
	ReplOptions,
	RunOptions,
	BridgeFunction,
	BridgeHandler,
	BridgeRequest,
	HostToolSpec,
	ToolHandler,
	ToolOutcome,
	ToolRequest,
} from './protocol/repl.js';
export {HostToolsError} from './engine/host-tools.js';
