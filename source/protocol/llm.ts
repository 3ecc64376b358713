// What a model call is made of and reports, in the wire's words: messages, usage, why a reply
// ended, notice codes and error codes. A leaf of the shared vocabulary.

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
	role: ChatRole;
	content: string;
}

export interface Usage {
	inputTokens: number;
	outputTokens: number;
}

/** Why a reply ended, in the OpenAI wire's words: `stop` (the model finished), `length` (cut at the
 * output-token limit: OpenAI `finish_reason: "length"`, Anthropic `stop_reason: "max_tokens"`),
 * `context_window` (cut because the model's context window filled: Anthropic `stop_reason:
 * "model_context_window_exceeded"`), `paused` (Anthropic `stop_reason: "pause_turn"`: the server
 * paused a long turn, which it does for server tools; we send none, so the reply is unfinished),
 * `content_filter` (the provider's safety filter stopped it: OpenAI and Azure `finish_reason:
 * "content_filter"`, Anthropic `stop_reason: "refusal"` from Claude 4's streaming classifiers),
 * `refusal` (the model declined: OpenAI's `refusal` field, `message.refusal` or streamed
 * `delta.refusal`, usually with `content: null` and `finish_reason: "stop"`; the reply's text is
 * the refusal), `dropped` (the stream ended or broke before the server said the reply was over: no
 * finish_reason and no `data: [DONE]`, or no Anthropic stop_reason and no message_stop), or `other`
 * (tool call, a finish reason we do not know). */
export type FinishReason = 'stop' | 'length' | 'context_window' | 'paused' | 'content_filter' | 'refusal' | 'dropped' | 'other';

/** Why a reply is incomplete (not an answer to act on), when it is. */
export type CutReason = 'length' | 'context_window' | 'paused' | 'content_filter' | 'refusal' | 'dropped';

const CUT_REASONS: ReadonlySet<string> = new Set<CutReason>(['length', 'context_window', 'paused', 'content_filter', 'refusal', 'dropped']);

/** A reply that is incomplete: cut at the output-token limit or by a full context window, paused by
 * the server, stopped by a content filter, refused by the model, or dropped mid-stream. */
export const isCutReply = (reason: FinishReason | undefined): reason is CutReason => reason !== undefined && CUT_REASONS.has(reason);

/** Short stable names for what a notice is about; front ends map them to advice. */
export type NoticeCode =
	| 'param_dropped'
	| 'prompt_truncated'
	| 'reply_truncated'
	/** A reply the provider's content filter stopped (finish_reason content_filter, stop_reason refusal). */
	| 'reply_filtered'
	/** A reply the model refused (OpenAI's `refusal` field): the notice quotes the refusal. */
	| 'reply_refused'
	| 'prompt_over_window'
	| 'stream_retried'
	| 'log_failed'
	| 'model_chosen'
	/** The provider has deprecated the model (Anthropic's SDK warns of it; told once per model). */
	| 'model_deprecated'
	/** A reply whose answer part was empty while its reasoning was not. */
	| 'reasoning_only'
	/** A reply with neither answer text nor reasoning. */
	| 'empty_reply'
	/** A run-wide limit stopped the run, or a sub-call was refused by a limit (batch, prompt size, model). */
	| 'limit_reached'
	| 'sub_call_refused'
	/** --max-budget is set and a model's price is not known: its tokens count, its cost cannot. */
	| 'price_unknown'
	/** A replacement system prompt that does not tell the model how to run code or submit. */
	| 'system_prompt_incomplete'
	/** The REPL restarted and the --tools file failed when it was run again. */
	| 'tools_failed'
	/** Older iterations were summarised to fit the model's window (the message holds the summary). */
	| 'compaction'
	| 'compaction_failed';

/** A retry's wait shorter than this, in ms, is said "at once" (by the notice and by front ends). */
export const RETRY_AT_ONCE_MS = 50;

/**
 * The facts of the retry a `stream_retried` notice announces, for front ends to show without
 * reading the notice's words: which retry, of how many, how long before it, and what failed.
 */
export interface RetryFacts {
	/** Which retry comes: 1 for the first. */
	retry: number;
	/** How many retries there are at most (the backend's maxRetries). */
	maxRetries: number;
	/** The wait before the retry, in ms, when it is known (the one the server named, or our own
	 * backoff); under RETRY_AT_ONCE_MS: at once. */
	waitMs?: number;
	/** When the exact wait is not known (the SDK sleeps its own backoff, with jitter): the longest it
	 * can be, in ms. */
	waitAtMostMs?: number;
	/** What failed, in a few words without the server's name and address: "503: Service
	 * Unavailable", "the server closed the connection mid-stream". The notice's message says it whole. */
	cause: string;
}

export type BackendErrorCode =
	| 'unreachable'
	| 'auth'
	| 'not_found'
	| 'rate_limited'
	/** The account has no credits or quota left: HTTP 402 (OpenRouter's "Insufficient credits",
	 * Anthropic's billing_error) or OpenAI's 429 `insufficient_quota`. Never retried. */
	| 'insufficient_quota'
	| 'server'
	| 'bad_request'
	| 'timeout'
	| 'aborted'
	| 'missing_key'
	/** A 200 that is not an API reply: an HTML page, a proxy's error page, an empty stream. */
	| 'bad_response';

export const zeroUsage = (): Usage => ({inputTokens: 0, outputTokens: 0});

export function addUsage(a: Usage, b: Usage): Usage {
	return {inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens};
}
