// One request's RLM run, whatever the endpoint: the run (each in its own Rlm and sandbox), its
// progress as narration, the answer's format checked (with up to two repairs in the same REPL),
// the client's output-token limit applied to the answer only, and failures turned into an HTTP
// status that SDKs do not retry.
import type {RlmEvent} from '../protocol/events.js';
import {Rlm} from '../engine/rlm.js';
import type {RlmOptions} from '../engine/types.js';
import {emptyTrajectory, reduceTrajectory} from '../trajectory/tree.js';
import type {Conversation} from './conversation.js';
import {progressNarrator} from './progress-narrator.js';
import {printableStream} from '../text/printable-stream.js';
import type {OutputFormat} from './request-schema.js';
import {checkOutput, formatInstructions, repairPrompt} from './structured-output.js';
import {hideUpstream} from '../text/upstream-address.js';

export interface RunUsage {
	inputTokens: number;
	outputTokens: number;
	/** USD, where every priced model's price is known (model-info's catalog); else undefined. */
	costUsd?: number;
}

export type RunOutcome =
	| {ok: true; answer: string; finishReason: 'stop' | 'length'; usage: RunUsage; reasoning: string}
	| {ok: false; cancelled: boolean; status: number; type: FailureType; code: string; message: string; usage: RunUsage};

export interface RunRequest {
	/** Options for this request's Rlm (model, backendInstance, limits, log dir). */
	rlm: RlmOptions;
	conversation: Conversation;
	format: OutputFormat;
	/** The client's max_tokens / max_completion_tokens / max_output_tokens: caps the answer only. */
	maxOutputTokens?: number;
	/** The client's stop sequences: the answer ends before the first one it holds (as a model's
	 * output does, finish_reason `stop`); the model calls inside the run are not cut. */
	stop?: string[];
	signal: AbortSignal;
	/** Each piece of progress narration as it happens (for streaming). */
	onReasoning?: (text: string) => void;
}

/** Answers beyond this many repairs of a badly formatted answer fail the request. */
const maxRepairs = 2;

/** About four characters a token (model-info's estimate; no tokenizer for arbitrary models). */
const charsPerToken = 4;

/** The OpenAI error `type` of a failed run (openai-wire.ts ErrorType has them all). */
export type FailureType = 'not_found_error' | 'insufficient_quota' | 'upstream_error' | 'server_error';

/** How serve answers a failed run: HTTP status, OpenAI error `type` and `code`. */
export interface FailureAnswer {
	status: number;
	type: FailureType;
	code: string;
}

/**
 * How serve answers a run that failed with `cause` (a RunErrorCode, `run_failed` or
 * `invalid_output`), with a status that no common client retries: a retry repeats a whole RLM run
 * (many model calls) and the backend has already retried the calls that failed. The openai SDK
 * honours `x-should-retry: false` (sent with every failure) but the AI SDK retries 408/409/429/5xx
 * whatever the headers, and LangChain every status but 400-407, 409 and 413.
 * - An unknown upstream model: 404 `not_found_error`, `model_not_found` (the client can pick
 *   another `rlm:<model>`).
 * - The upstream account out of credits or quota: OpenAI's own body for it (type and code
 *   `insufficient_quota`, which LangChain and the AI SDK read as "stop", streamed too) under 402
 *   Payment Required, not OpenAI's 429, which every client above retries as a rate limit.
 * - Anything else: 400 `upstream_error`, with a code saying what failed (`upstream_unreachable`,
 *   `upstream_server`, `invalid_output`, ...).
 */
export function failureAnswer(cause: string): FailureAnswer {
	if (cause === 'not_found') return {status: 404, type: 'not_found_error', code: 'model_not_found'};
	if (cause === 'insufficient_quota') return {status: 402, type: 'insufficient_quota', code: 'insufficient_quota'};
	const code = cause === 'run_failed' || cause === 'invalid_output' ? cause : `upstream_${cause}`;
	return {status: 400, type: 'upstream_error', code};
}

/**
 * What the client is told to do about a failure, by its code: the backend's advice where it speaks
 * to whoever sent the request (the account's credits, a wait), never where it names the operator's
 * flags (-k, -u, -m: the client cannot pass them). Out of credits, it says that retrying will not help.
 */
export function clientAdvice(cause: string, advice: string | undefined): string | undefined {
	if (cause === 'insufficient_quota') return advice ?? 'Retrying will not help until the upstream account has credits or quota again.';
	if (cause === 'rate_limited') return advice;
	return undefined;
}

export async function runRequest(request: RunRequest): Promise<RunOutcome> {
	const rlm = new Rlm({...request.rlm, origin: 'serve'});
	let tree = emptyTrajectory();
	const narrate = progressNarrator();
	// The client is not told where the upstream server is.
	const upstream = request.rlm.backendInstance?.baseURL ?? request.rlm.baseURL;
	const forClient = (text: string) => hideUpstream(text, upstream);
	let reasoning = '';
	// Clients show this as thinking, some in a terminal: no escape sequences from model text, also
	// when one is split between two pieces of a streamed reply.
	const printable = printableStream();
	const say = (text: string) => {
		if (!text) return;
		reasoning += text;
		request.onReasoning?.(text);
	};
	rlm.on('event', (event: RlmEvent) => {
		tree = reduceTrajectory(tree, event);
		const narrated = narrate(event);
		if (narrated) say(forClient(printable.push(narrated)));
	});
	const usage = (): RunUsage => {
		const {usage, costUsd} = tree;
		return {inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, ...(costUsd !== undefined ? {costUsd} : {})};
	};
	rlm.setHistory(request.conversation.history);
	const instructions = formatInstructions(request.format);
	try {
		let result = await rlm.completion(request.conversation.question, {
			...(request.conversation.context !== undefined ? {context: request.conversation.context} : {}),
			...(instructions ? {instructions} : {}),
			signal: request.signal,
		});
		for (let repairs = 0; ; repairs++) {
			// The run is over: what the narration held back for a sequence it did not end is said.
			say(forClient(printable.end()));
			if (result.status === 'cancelled') return {ok: false, cancelled: true, status: 499, type: 'server_error', code: 'cancelled', message: 'The RLM run was cancelled.', usage: usage()};
			if (result.status === 'failed') {
				const cause = result.errorCode ?? 'run_failed';
				const advice = clientAdvice(cause, result.errorAdvice);
				const message = `The RLM run failed: ${result.error ?? 'no reason given'}${advice ? ` ${advice}` : ''}`;
				return {ok: false, cancelled: false, ...failureAnswer(cause), message: forClient(message), usage: usage()};
			}
			const check = checkOutput(request.format, result.response);
			if (check.ok) return finished(check.text, result.status === 'forced' || result.status === 'limited' ? 'length' : 'stop');
			if (repairs === maxRepairs) {
				return {ok: false, cancelled: false, ...failureAnswer('invalid_output'), message: `The RLM's answer does not have the requested format after ${maxRepairs} repairs: ${check.problem}.`, usage: usage()};
			}
			say(`\n\n! The answer does not have the requested format (${check.problem}); asking for a repair.\n`);
			result = await rlm.completion(repairPrompt(check.problem), {...(instructions ? {instructions} : {}), signal: request.signal});
		}
	} finally {
		await rlm.dispose();
	}

	function finished(whole: string, finishReason: 'stop' | 'length'): RunOutcome {
		const stopAt = Math.min(...(request.stop ?? []).map((sequence) => whole.indexOf(sequence)).filter((index) => index >= 0));
		const answer = Number.isFinite(stopAt) ? whole.slice(0, stopAt) : whole;
		const limit = request.maxOutputTokens;
		if (limit !== undefined && answer.length > limit * charsPerToken)
			return {ok: true, answer: answer.slice(0, limit * charsPerToken), finishReason: 'length', usage: usage(), reasoning};
		return {ok: true, answer, finishReason, usage: usage(), reasoning};
	}
}
