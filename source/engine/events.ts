// The engine's event stream: everything observable about a run. The tree pane, the JSONL log,
// --json, the -e exec log and the server's progress stream are all consumers of these events.
import type {ChatMessage, FinishReason, NoticeCode, Usage} from '../backends/types.js';
import type {BridgeFunction, VariableInfo} from '../protocol/repl.js';

export type RunStatus = 'answered' | 'forced' | 'cancelled' | 'failed';

/** The server kept fewer prompt tokens than were sent (it truncated the prompt), in tokens:
 * `sentTokens` estimated from the text (about four characters a token), `keptTokens` as reported. */
export interface PromptTruncation {
	sentTokens: number;
	keptTokens: number;
}

export interface ContextInfo {
	type: 'none' | 'str' | 'dict';
	chars: number;
	/** For dict contexts: the keys (file names). */
	keys?: string[];
}

interface Stamp {
	/** Monotonic milliseconds (performance.now() of the engine's process). */
	t: number;
}

export type RlmEventBody =
	| {
			type: 'run.start';
			runId: string;
			parentCallId?: string;
			depth: number;
			model: string;
			backend: string;
			question: string;
			context: ContextInfo;
			maxIterations: number;
	  }
	| {type: 'iter.start'; runId: string; iteration: number; maxIterations: number}
	| {
			type: 'llm.start';
			runId: string;
			iteration: number;
			messages: number;
			promptChars: number;
			/** The messages sent (for logs; the tree ignores them). */
			prompt?: ChatMessage[];
	  }
	| {type: 'llm.delta'; runId: string; iteration: number; text: string}
	| {
			type: 'llm.done';
			runId: string;
			iteration: number;
			text: string;
			usage: Usage;
			ms: number;
			/** Why the reply ended; 'length' is a reply cut at the output-token limit. */
			finishReason?: FinishReason;
			promptTruncated?: PromptTruncation;
	  }
	| {type: 'code.start'; runId: string; iteration: number; block: number; code: string}
	| {type: 'code.output'; runId: string; iteration: number; block: number; stream: 'stdout' | 'stderr'; text: string}
	| {
			type: 'code.done';
			runId: string;
			iteration: number;
			block: number;
			ok: boolean;
			stdout: string;
			stderr: string;
			error?: string;
			ms: number;
			truncatedChars: number;
			variables: VariableInfo[];
			final: string | null;
			limit?: string;
			restarted: boolean;
	  }
	| {
			type: 'call.start';
			callId: string;
			runId: string;
			iteration: number;
			block: number;
			kind: 'llm' | 'rlm';
			fn: BridgeFunction;
			/** Slot in a batched call (0 for plain calls). */
			index: number;
			model: string;
			prompt: string;
	  }
	| {type: 'call.delta'; callId: string; text: string}
	| {
			type: 'call.done';
			callId: string;
			response: string;
			usage: Usage;
			ms: number;
			error?: string;
			/** Why the sub-model's reply ended ('length': cut at the output-token limit). */
			finishReason?: FinishReason;
			promptTruncated?: PromptTruncation;
	  }
	| {
			type: 'notice';
			runId: string;
			level: 'info' | 'warn' | 'error';
			/** A short stable name for what the notice is about ('param_dropped', 'prompt_truncated', ...). */
			code: NoticeCode;
			message: string;
	  }
	| {
			type: 'run.done';
			runId: string;
			answer: string;
			status: RunStatus;
			/** Rolled up over this run and every sub-call and child run beneath it. */
			usage: Usage;
			ms: number;
			iterations: number;
			error?: string;
	  };

export type RlmEvent = RlmEventBody & Stamp;
export type RlmEventType = RlmEvent['type'];
export type RlmEventOf<T extends RlmEventType> = Extract<RlmEvent, {type: T}>;
