// The engine's event stream: everything observable about a run. The tree pane, the JSONL log,
// --json, the -e exec log and the server's progress stream are all consumers of these events.
import type {RunErrorCode} from './errors.js';
import type {ChatMessage, FinishReason, NoticeCode, RetryFacts, Usage} from './llm.js';
import type {LimitCaps, LimitName, LimitUse} from './limits.js';
import type {BridgeFunction, VariableInfo} from './repl.js';

/** What a call node calls: a sub-call function, or `tool` for a host tool (the library's `tools`). */
export type CallFunction = BridgeFunction | 'tool';

/** How a run ended: `answered` (code submitted the answer), `forced` (out of turns: one last call
 * gave the best answer), `limited` (a limit stopped it: `limit` says which; the answer is the best
 * it had), `cancelled` (the user or client stopped it), `failed`, and, only for a run read back from
 * its log, `unfinished`: the log ends without the run's end (its process was killed or crashed),
 * which the engine itself never reports. */
export type RunStatus = 'answered' | 'forced' | 'limited' | 'cancelled' | 'failed' | 'unfinished';

/** The server kept fewer prompt tokens than were sent (it truncated the prompt), in tokens:
 * `sentTokens` estimated from the text (about four characters a token), `keptTokens` as reported. */
export interface PromptTruncation {
	sentTokens: number;
	keptTokens: number;
}

/** What a text's characters are counted in: code points as Python's len() counts them (the
 * context's size, but see engine/context-info.ts), or UTF-16 units, as logs written before
 * 2026-12-02 counted them. */
export type CharUnit = 'code_point' | 'utf16_unit';

export interface ContextInfo {
	/** Python's type name for `context` ('none' when there is no separate context). */
	type: 'none' | 'str' | 'dict' | 'list' | 'int' | 'float' | 'bool';
	/** Characters in all: texts as they are, other values as JSON text. */
	chars: number;
	/** For dict contexts: the keys (file names). */
	keys?: string[];
	/** For dict contexts: 'json' when some values are not str (parsed data). */
	values?: 'json';
	/** For list contexts: the number of items. */
	items?: number;
}

/** What the user did to the root model's system prompt: instructions appended to the built-in
 * one (-s/--system, the library's `instructions`), and/or a replacement for it whole
 * (--system-file, the library's `systemPrompt`; the instructions then follow the replacement). */
export interface SystemPromptChoice {
	instructions?: string;
	replacement?: {
		text: string;
		/** Where the replacement came from (a file path), when it came from a file. */
		source?: string;
	};
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
			/** Set when the user extended or replaced the system prompt. */
			system?: SystemPromptChoice;
	  }
	| {type: 'iter.start'; runId: string; iteration: number; maxIterations: number}
	| {
			type: 'llm.start';
			runId: string;
			iteration: number;
			/** The one last call for the best answer, numbered after the last iteration begun and not
			 * an iteration of its own: `forced` when the iterations ran out, `limited` after a limit
			 * stopped the run. */
			final?: 'forced' | 'limited';
			messages: number;
			promptChars: number;
			/** The messages sent (for logs; the tree ignores them). */
			prompt?: ChatMessage[];
	  }
	| {type: 'llm.delta'; runId: string; iteration: number; text: string}
	/** The reply text streamed so far (its llm.delta events) is withdrawn: the call failed mid-reply
	 * (a server error, a cut connection) and is retried, after a `stream_retried` notice that says
	 * so; the retried reply streams from its start. Its thinking (llm.reasoning) stays. */
	| {type: 'llm.restart'; runId: string; iteration: number}
	/** Streamed thinking of the root model: shown and logged, never run, never the answer.
	 * `movedFromReply`: this text had streamed as reply text (llm.delta) and turned out to be thinking. */
	| {type: 'llm.reasoning'; runId: string; iteration: number; text: string; movedFromReply?: boolean}
	| {
			type: 'llm.done';
			runId: string;
			iteration: number;
			/** The answer part of the reply (thinking separated out). */
			text: string;
			/** The whole thinking, when there was any. */
			reasoning?: string;
			usage: Usage;
			/** Estimated USD for this reply, when its model's price is known (the engine's catalog). */
			costUsd?: number;
			ms: number;
			/** Why the reply ended; 'length' is a reply cut at the output-token limit. */
			finishReason?: FinishReason;
			promptTruncated?: PromptTruncation;
	  }
	/** A root model call that failed (no llm.done follows): the server's error, or a reply that broke
	 * off. Not sent for a call cancelled (by the user or a limit): the run's end says that. */
	| {type: 'llm.error'; runId: string; iteration: number; error: string; errorCode?: RunErrorCode; ms: number}
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
			/** `answer["content"]` after the block, when set and not yet submitted (a stopped run's best answer). */
			answerDraft?: string;
			/** What stopped the block: the REPL's ExecLimit (`timeout`, `cancelled`...), or the run-wide
			 * LimitName (`maxTimeout`, `maxSubCalls`...) when a limit of the run interrupted it. */
			limit?: string;
			restarted: boolean;
			/** The block submitted an answer with nothing visible in it (FINAL(""), llm_output(None),
			 * zero-width-only text: engine/visible-text.ts), so it was not taken (`final` is null) and the
			 * run goes on; the block's stderr ends with the note the model reads. */
			answerRefused?: 'empty';
	  }
	| {
			type: 'call.start';
			callId: string;
			runId: string;
			iteration: number;
			block: number;
			/** A sub-model call, a child RLM, or a host tool (then `model` is the tool's name, `prompt`
			 * its argument and the response its result, as JSON text). */
			kind: 'llm' | 'rlm' | 'tool';
			fn: CallFunction;
			/** Slot in a batched call (0 for plain calls). */
			index: number;
			/** A batched call's number of prompts, on each of its slots: the slots start one by one as
			 * the concurrency limit (maxConcurrency) lets them, and the tree shows the whole batch from
			 * the first. Absent for plain calls (and in logs written before it was kept). */
			batchSize?: number;
			model: string;
			/** The backend that answers it (the sub backend's label with --sub-backend / --sub-url). */
			backend?: string;
			prompt: string;
	  }
	| {type: 'call.delta'; callId: string; text: string}
	/** The sub-model's response streamed so far is withdrawn, as llm.restart's reply. */
	| {type: 'call.restart'; callId: string}
	/** Streamed thinking of a sub-model (llm_query); `movedFromResponse` as llm.reasoning's movedFromReply. */
	| {type: 'call.reasoning'; callId: string; text: string; movedFromResponse?: boolean}
	| {
			type: 'call.done';
			callId: string;
			response: string;
			/** The sub-model's thinking, when it sent any (never part of the response). */
			reasoning?: string;
			usage: Usage;
			/** Estimated USD for a plain sub-call, when its model's price is known (a child RLM's
			 * replies carry their own). */
			costUsd?: number;
			ms: number;
			/** When the call failed: what went wrong, one line (`errorCode` says what kind). The
			 * `response` Python got is then "Error: " and this message. */
			error?: string;
			/** When the call failed: the error's stable code, as a run's (protocol/errors.ts). Logs
			 * written before codes were kept replay without one. */
			errorCode?: RunErrorCode;
			/** Why the sub-model's reply ended ('length': cut at the output-token limit). */
			finishReason?: FinishReason;
			promptTruncated?: PromptTruncation;
	  }
	| {
			type: 'notice';
			runId: string;
			level: 'info' | 'warn' | 'error';
			/** A short stable name for what the notice is about ('param_dropped', 'reasoning_only', ...); front ends key advice on it. */
			code: NoticeCode;
			message: string;
			/** Work the notice reports that spent tokens (a compaction's summary call): the model and
			 * its usage, counted and priced (`costUsd`) as a reply is. */
			model?: string;
			usage?: Usage;
			costUsd?: number;
			/** On a `stream_retried` notice: the retry's facts (logs written before 2026-12-02 have none). */
			retry?: RetryFacts;
	  }
	/** Use against the run-wide limits, for the whole tree of the root run `runId`: sent once the
	 * root starts, then whenever use changes (a model reply, a sub-call, a block). `defaults`: the
	 * caps the engine applied because the user set none (the 500 sub-calls), for front ends that
	 * show only the caps a user chose. */
	| {type: 'limits'; runId: string; caps: LimitCaps; use: LimitUse; defaults?: LimitName[]}
	| {
			type: 'run.done';
			runId: string;
			answer: string;
			status: RunStatus;
			/** With status `limited`: the limit that stopped the run. */
			limit?: LimitName;
			/** Rolled up over this run and every sub-call and child run beneath it. */
			usage: Usage;
			ms: number;
			iterations: number;
			/** With status `failed`: what went wrong, one line (`errorCode` says what kind). */
			error?: string;
			/** With status `failed`: the error's stable code, for front ends' advice. */
			errorCode?: RunErrorCode;
	  };

export type RlmEvent = RlmEventBody & Stamp;
export type RlmEventType = RlmEvent['type'];
export type RlmEventOf<T extends RlmEventType> = Extract<RlmEvent, {type: T}>;
