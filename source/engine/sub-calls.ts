// Answers llm_query / rlm_query (and their batched forms) coming over the sandbox bridge.
import {setMaxListeners} from 'node:events';
import pLimit from 'p-limit';
import type {FinishReason, NoticeCode, Usage} from '../protocol/llm.js';
import {isCutReply, zeroUsage} from '../protocol/llm.js';
import {runErrorOf, type RunError, type RunErrorCode} from '../protocol/errors.js';
import type {BridgeHandler, BridgeRequest} from '../protocol/repl.js';
import {subBackendOf, type EngineContext} from './engine-context.js';
import type {PromptTruncation} from '../protocol/events.js';
import type {HostSlot} from './host-pool.js';
import {newId} from './ids.js';
import {checkRequest, promptBytesError, PROMPT_PREVIEW_CHARS} from './sub-call-checks.js';
import {emptyReplyCause, emptyReplyNotice, emptySubCallError} from './empty-reply.js';
import {callModel} from './model-call.js';
import {overWindowPhrase, promptBudgetChars, replyReserveTokens, subModelWindow} from './windows.js';
import {cutPromptMarker, cutReplyMarker, GENERIC_WINDOW_ADVICE, promptTruncatedMessage, promptTruncation, quotedRefusalSentence} from './truncation.js';
import {formatCount} from '../protocol/numbers.js';
import {hideUpstreams} from '../text/upstream-address.js';

export interface CallSite {
	runId: string;
	iteration: number;
	block: number;
	depth: number;
	/** Receives the usage of every finished sub-call (children's whole trees included). */
	addUsage(usage: Usage): void;
	/** Told of each bridge request's work, so a cancelled run can wait for it to wind down. */
	track(work: Promise<unknown>): void;
	/** Emits a notice on the run, once per kind (a batch of empty replies gives one notice). */
	noticeOnce(notice: {code: NoticeCode; message: string} | null): void;
	/** The REPL slot of the run making the calls (its children take theirs under it). */
	hostSlot: HostSlot;
}

const approxTokens = (text: string) => Math.ceil(text.length / 4);


/** What a slot of a failed sub-call holds for Python: "Error: " and the message. */
const slotText = (message: string) => `Error: ${message}`;

/** A failed call's outcome: Python gets "Error: " and the message; the tree and the logs get the code too. */
function failed(code: RunErrorCode, message: string, usage: Usage = zeroUsage(), extra: Partial<CallOutcome> = {}): CallOutcome {
	return {...extra, response: slotText(message), usage, error: {code, message}};
}

/**
 * Answers one bridge request. Refusals come first, before anything is emitted or logged: a batch
 * over maxBatchPrompts, a model outside the allowed ones, a prompt over maxPromptBytes, more
 * prompts than the run's sub-calls have left. A refused slot holds an `Error:` string.
 */
export function bridgeHandler(engine: EngineContext, site: CallSite): BridgeHandler {
	return async (request: BridgeRequest, signal: AbortSignal) => {
		// Every concurrent slot (and the SDK under it) listens on this one signal: no leak, just many.
		setMaxListeners(0, signal);
		const checked = checkRequest(engine.options, request);
		if (!checked.ok) {
			site.noticeOnce({code: 'sub_call_refused', message: checked.notice});
			return request.prompts.map(() => checked.error);
		}
		const {model, oversized} = checked;
		const sendable = request.prompts.length - oversized.size;
		const refusal = sendable > 0 ? engine.limits.takeSubCalls(sendable) : null;
		if (refusal) {
			if (!engine.limits.tripped) site.noticeOnce({code: 'sub_call_refused', message: refusal});
			return request.prompts.map(() => slotText(refusal));
		}
		const recursive = request.fn.startsWith('rlm_') && site.depth + 1 < engine.options.maxDepth;
		const limit = pLimit(recursive ? engine.options.maxChildConcurrency : engine.options.maxConcurrency);
		const work = Promise.all(
			request.prompts.map((prompt, index) => {
				const bytes = oversized.get(index);
				if (bytes !== undefined) return oversizedCall(engine, site, request, model, prompt, bytes, index);
				return limit(() => (recursive ? childCall : modelCall)(engine, site, request, model, prompt, index, signal));
			}),
		);
		site.track(work);
		return work;
	};
}

/** A prompt over maxPromptBytes: shown in the tree by its first characters only, never sent. */
function oversizedCall(engine: EngineContext, site: CallSite, request: BridgeRequest, model: string, prompt: string, bytes: number, index: number) {
	const error = promptBytesError(bytes, engine.options.maxPromptBytes);
	const preview = `${prompt.slice(0, PROMPT_PREVIEW_CHARS)}… [${formatCount(bytes)} bytes: not sent]`;
	site.noticeOnce({code: 'sub_call_refused', message: error});
	return tracedCall(engine, site, {kind: request.fn.startsWith('rlm_') ? 'rlm' : 'llm', fn: request.fn, model, prompt: preview, index, ...batchSizeOf(request), backend: subBackendOf(engine).label}, async () =>
		failed('prompt_too_large', error),
	);
}

interface CallOutcome {
	response: string;
	/** The sub-model's thinking, when it sent any (never part of the response). */
	reasoning?: string;
	usage: Usage;
	/** USD of this call when its model's price is known (a plain llm call: a child RLM's replies
	 * carry their own). */
	costUsd?: number;
	error?: RunError;
	finishReason?: FinishReason;
	promptTruncated?: PromptTruncation;
}

/** `text` without the address of the root's or the sub-calls' server (text/upstream-address.ts). */
function withoutUpstreams(engine: EngineContext, text: string): string {
	return hideUpstreams(text, [engine.backend.baseURL, engine.sub?.backend.baseURL]);
}

/** A batched call's size for each slot's call.start (see the event's batchSize). */
const batchSizeOf = (request: BridgeRequest) => (request.fn.endsWith('_batched') ? {batchSize: request.prompts.length} : {});

/** One sub-call as the tree sees it: call.start, the work, call.done (a thrown error becomes a
 * failed outcome with its code; Python gets its text). */
async function tracedCall(
	engine: EngineContext,
	site: CallSite,
	start: {kind: 'llm' | 'rlm'; fn: BridgeRequest['fn']; model: string; prompt: string; index: number; batchSize?: number; backend: string},
	work: (callId: string) => Promise<CallOutcome>,
): Promise<string> {
	const callId = newId('call');
	engine.emit({...siteFields(site), type: 'call.start', callId, ...start});
	const started = performance.now();
	let outcome: CallOutcome;
	try {
		outcome = await work(callId);
	} catch (error) {
		const {code, message} = runErrorOf(error);
		outcome = failed(code, message);
	}
	site.addUsage(outcome.usage);
	// The model that asked reads the error, and may repeat it to whoever reads its answer (a serve
	// client): it is not told where the servers are. The tree and the log keep the whole message.
	if (outcome.error) outcome = {...outcome, response: withoutUpstreams(engine, outcome.response)};
	engine.emit({
		type: 'call.done',
		callId,
		response: outcome.response,
		...(outcome.reasoning ? {reasoning: outcome.reasoning} : {}),
		usage: outcome.usage,
		...(outcome.costUsd !== undefined ? {costUsd: outcome.costUsd} : {}),
		ms: performance.now() - started,
		...(outcome.error ? {error: outcome.error.message, errorCode: outcome.error.code} : {}),
		...(outcome.finishReason ? {finishReason: outcome.finishReason} : {}),
		...(outcome.promptTruncated ? {promptTruncated: outcome.promptTruncated} : {}),
	});
	return outcome.response;
}

function modelCall(engine: EngineContext, site: CallSite, request: BridgeRequest, model: string, prompt: string, index: number, signal: AbortSignal) {
	const sub = subBackendOf(engine);
	return tracedCall(engine, site, {kind: 'llm', fn: request.fn, model, prompt, index, ...batchSizeOf(request), backend: sub.label}, async (callId) => {
		// The window the server really gives this model (Ollama's loaded context, vLLM's max_model_len...).
		const {tokens: window, source} = await subModelWindow(engine, model, signal);
		const tokens = approxTokens(prompt);
		if (tokens + replyReserveTokens(window) > window) {
			const error = `this prompt is ${overWindowPhrase(tokens, window)} of ${model} (${source}). Split it into smaller pieces (e.g. chunks of ${formatCount(promptBudgetChars(window))} characters) and use llm_query_batched.`;
			return failed('prompt_too_large', error);
		}
		const refused = engine.limits.admit(model, tokens);
		if (refused) return failed('limit_reached', refused.message);
		const result = await callModel(
			sub.backend,
			[{role: 'user', content: prompt}],
			{model, temperature: engine.options.temperature, maxOutputTokens: engine.options.maxOutputTokens, signal},
			{
				onText: (text) => engine.emit({type: 'call.delta', callId, text}),
				onReasoning: (text, moved) => engine.emit({type: 'call.reasoning', callId, text, ...(moved ? {movedFromResponse: true} : {})}),
				onNotice: (notice) => engine.emit({type: 'notice', runId: site.runId, ...notice}),
				onReplyWithdrawn: () => engine.emit({type: 'call.restart', callId}),
			},
		);
		const costUsd = engine.limits.record(model, result.usage);
		const priced = costUsd !== undefined ? {costUsd} : {};
		const reasoning = result.reasoning ? {reasoning: result.reasoning} : {};
		if (result.finishReason === 'refusal') {
			site.noticeOnce({code: 'reply_refused', message: `The sub-model ${model} refused a prompt: ${quotedRefusalSentence(result.text)} Its slot holds the refusal, marked as one.`});
		}
		if (result.finishReason === 'content_filter') {
			site.noticeOnce({code: 'reply_filtered', message: `A reply of the sub-model ${model} was stopped by the provider's content filter (finish_reason content_filter, or Anthropic's refusal): its slot says so. If it keeps happening, rephrase the prompts or use another sub-model.`});
		}
		// llm_query returns the answer part only; an empty one is a clear error, never ''.
		const empty = emptyReplyCause(result);
		if (empty) {
			site.noticeOnce(emptyReplyNotice(empty, 'sub-model', result.reasoning.length, model));
			return failed('empty_reply', emptySubCallError(empty, result.reasoning.length, result.stalledMs), result.usage, {...reasoning, ...priced, finishReason: result.finishReason});
		}
		// The model that asked reads the slot: it is told when the text is not the whole answer.
		let response = result.text;
		const promptTruncated = promptTruncation([{role: 'user', content: prompt}], result.usage);
		if (promptTruncated) {
			response += `${response ? '\n' : ''}${cutPromptMarker(promptTruncated)}`;
			if (engine.once(`prompt_truncated ${model}`)) {
				const advice = sub.backend.windowAdvice?.(model) ?? GENERIC_WINDOW_ADVICE;
				engine.emit({type: 'notice', runId: site.runId, level: 'warn', code: 'prompt_truncated', message: promptTruncatedMessage(model, promptTruncated, advice)});
			}
		}
		if (isCutReply(result.finishReason)) response += `${response ? '\n' : ''}${cutReplyMarker(result.finishReason, result.stalledMs)}`;
		return {response, ...reasoning, usage: result.usage, ...priced, finishReason: result.finishReason, ...(promptTruncated ? {promptTruncated} : {})};
	});
}

function childCall(engine: EngineContext, site: CallSite, request: BridgeRequest, model: string, prompt: string, index: number, signal: AbortSignal) {
	return tracedCall(engine, site, {kind: 'rlm', fn: request.fn, model, prompt, index, ...batchSizeOf(request), backend: subBackendOf(engine).label}, async (callId) => {
		const result = await engine.runChild({parentCallId: callId, parentSlot: site.hostSlot, depth: site.depth + 1, model, prompt, signal});
		const usage = {inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens};
		if (result.status === 'failed' || result.status === 'cancelled' || (result.status === 'limited' && !result.response)) {
			const message = `the child RLM ${result.status === 'limited' ? 'stopped at a limit' : result.status}${result.error ? `: ${result.error}` : ''}`;
			const code: RunErrorCode = result.status === 'cancelled' ? 'aborted' : result.status === 'limited' ? 'limit_reached' : (result.errorCode ?? 'internal');
			return failed(code, message, usage);
		}
		return {response: result.response, usage};
	});
}

function siteFields(site: CallSite) {
	return {runId: site.runId, iteration: site.iteration, block: site.block};
}

