// Types at the sandbox boundary. The REPL's words live in protocol/repl.ts (shared by everyone);
// they are re-exported here for code that imports them from the sandbox.
import type {ReplOptions} from '../protocol/repl.js';

export type {
	BridgeFunction,
	BridgeHandler,
	BridgeRequest,
	ExecLimit,
	ExecResult,
	HistoryEntry,
	HostToolSpec,
	Repl,
	ReplFactory,
	ReplOptions,
	RunOptions,
	SandboxContext,
	ToolHandler,
	ToolOutcome,
	ToolRequest,
	VariableInfo,
} from '../protocol/repl.js';

/** The sandbox's knobs are the REPL's: timeout, output cap, memory ceiling, snapshot cache. */
export type SandboxOptions = ReplOptions;
