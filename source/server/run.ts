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
import {printable} from '../text/printable.js';
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
	| {ok: false; cancelled: boolean; status: number; code: string; message: string; usage: RunUsage};

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

/**
 * The HTTP status for a failed run: one that no common client retries, since a retry repeats a
 * whole RLM run (many model calls) and the backend has already retried the calls that failed.
 * The openai SDK honours `x-should-retry: false` (sent with every failure) but the AI SDK retries
 * 408/409/429/5xx whatever the headers, and LangChain every status but 400-407, 409 and 413. So an
 * unknown upstream model answers 404 (the client can pick another `rlm:<model>`), and any other
 * failure 400, with type `upstream_error` and a code saying what failed (`upstream_unreachable`,
 * `upstream_server`, `invalid_output`, ...).
 */
export function failureStatus(code: string): number {
	return code === 'not_found' ? 404 : 400;
}

export async function runRequest(request: RunRequest): Promise<RunOutcome> {
	const rlm = new Rlm({...request.rlm, origin: 'serve'});
	let tree = emptyTrajectory();
	const narrate = progressNarrator();
	// The client is not told where the upstream server is.
	const upstream = request.rlm.backendInstance?.baseURL ?? request.rlm.baseURL;
	const forClient = (text: string) => hideUpstream(text, upstream);
	let reasoning = '';
	rlm.on('event', (event: RlmEvent) => {
		tree = reduceTrajectory(tree, event);
		// Clients show this as thinking, some in a terminal: no escape sequences from model text.
		const narrated = narrate(event);
		const text = narrated && forClient(printable(narrated));
		if (!text) return;
		reasoning += text;
		request.onReasoning?.(text);
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
			if (result.status === 'cancelled') return {ok: false, cancelled: true, status: 499, code: 'cancelled', message: 'The RLM run was cancelled.', usage: usage()};
			if (result.status === 'failed') {
				const cause = result.errorCode ?? 'run_failed';
				const code = cause === 'run_failed' ? cause : cause === 'not_found' ? 'model_not_found' : `upstream_${cause}`;
				return {ok: false, cancelled: false, status: failureStatus(cause), code, message: forClient(`The RLM run failed: ${result.error ?? 'no reason given'}`), usage: usage()};
			}
			const check = checkOutput(request.format, result.response);
			if (check.ok) return finished(check.text, result.status === 'forced' || result.status === 'limited' ? 'length' : 'stop');
			if (repairs === maxRepairs) {
				return {ok: false, cancelled: false, status: failureStatus('invalid_output'), code: 'invalid_output', message: `The RLM's answer does not have the requested format after ${maxRepairs} repairs: ${check.problem}.`, usage: usage()};
			}
			const note = `\n\n! The answer does not have the requested format (${check.problem}); asking for a repair.\n`;
			reasoning += note;
			request.onReasoning?.(note);
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
