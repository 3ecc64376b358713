// Turns a JSONL trajectory (ours or the original's) back into engine events, so a replay is fed
// through the same reducer and tree as a live run.
import type {FinishReason, NoticeCode, RetryFacts, Usage} from '../protocol/llm.js';
import type {CallFunction, ContextInfo, RlmEvent, RlmEventBody, RunStatus, SystemPromptChoice} from '../protocol/events.js';
import * as z from 'zod';
import {LIMIT_NAMES, type LimitCaps, type LimitName, type LimitUse} from '../protocol/limits.js';
import {isRunErrorCode, type RunErrorCode} from '../protocol/errors.js';
import type {ChildTrajectory, OriginalCall, OriginalIteration, OriginalMetadata} from './original-schema.js';
import type {TrajectoryLog} from './read-log.js';

interface Ours {
	run_id?: string;
	question?: string;
	context?: ContextInfo;
	usage?: Usage;
	run_status?: RunStatus;
	/** Read only when it is a number of ms. */
	run_ms?: unknown;
	answer?: string;
	error?: string;
	/** Read only when it is a known code (a hand-edited or foreign file may hold anything). */
	error_code?: unknown;
	/** The iteration's model call failed (reply_error_code read as error_code is). */
	reply_error?: string;
	reply_error_code?: unknown;
	ok?: boolean;
	truncated_chars?: number;
	restarted?: boolean;
	limit?: string;
	run_limit?: LimitName;
	/** On the iteration record of the last call for the best answer (not an iteration). */
	final_call?: 'forced' | 'limited';
	limits?: {caps: LimitCaps; use: LimitUse; defaults?: LimitName[]};
	fn?: CallFunction;
	index?: number;
	/** Read only when it is a whole number above 0. */
	batch_size?: unknown;
	/** Read only when it is 'empty'. */
	answer_refused?: unknown;
	kind?: 'llm' | 'rlm' | 'tool';
	reasoning?: string;
	/** Read only when it is a number of ms. */
	reply_ms?: unknown;
	finish_reason?: FinishReason;
	prompt_truncated?: {sent_tokens: number; kept_tokens: number};
	notices?: unknown;
	run_notices?: unknown;
	system?: unknown;
}

/** A logged system-prompt choice, kept only in its known shape (a log file is outside data). */
const loggedSystemSchema = z.object({
	instructions: z.string().optional(),
	replacement: z.object({text: z.string(), source: z.string().optional()}).optional(),
});

function systemOf(value: unknown): SystemPromptChoice | undefined {
	const parsed = loggedSystemSchema.safeParse(value);
	if (!parsed.success) return undefined;
	const {instructions, replacement} = parsed.data;
	if (instructions === undefined && !replacement) return undefined;
	return {
		...(instructions !== undefined ? {instructions} : {}),
		...(replacement ? {replacement: {text: replacement.text, ...(replacement.source !== undefined ? {source: replacement.source} : {})}} : {}),
	};
}

/** Our logged extras about how a reply ended, as event fields. */
function endingOf(extra: Ours) {
	return {
		...(extra.finish_reason ? {finishReason: extra.finish_reason} : {}),
		...(extra.prompt_truncated
			? {promptTruncated: {sentTokens: extra.prompt_truncated.sent_tokens, keptTokens: extra.prompt_truncated.kept_tokens}}
			: {}),
	};
}

/** A logged error as event fields: `error`, and `errorCode` when the log kept a known one (older
 * logs did not: they replay with the message alone). */
function errorOf(extra: Ours): {error?: string; errorCode?: RunErrorCode} {
	if (!extra.error) return {};
	return {error: extra.error, ...(isRunErrorCode(extra.error_code) ? {errorCode: extra.error_code} : {})};
}

/**
 * How an iteration's model call failed, or null when it gave a reply. Our logs say so
 * (`reply_error`); older ones of ours did not: there, a run that failed on a call (the run's error,
 * not an empty reply's) logged an iteration with no reply and no code as its last.
 */
function replyFailure(extra: Ours, iteration: OriginalIteration, ours: boolean): {error: string; errorCode?: RunErrorCode} | null {
	if (extra.reply_error) return {error: extra.reply_error, ...(isRunErrorCode(extra.reply_error_code) ? {errorCode: extra.reply_error_code} : {})};
	const failedCall = ours && extra.run_status === 'failed' && extra.error && extra.error_code !== 'empty_reply' && !iteration.response && iteration.code_blocks.length === 0;
	return failedCall ? {error: extra.error!, ...(isRunErrorCode(extra.error_code) ? {errorCode: extra.error_code} : {})} : null;
}

const loggedUsageSchema = z.object({inputTokens: z.number().finite().nonnegative(), outputTokens: z.number().finite().nonnegative()});

/** A retry notice's facts (RetryFacts), kept only in their shape. */
const loggedRetrySchema = z.object({
	retry: z.number().int().positive(),
	maxRetries: z.number().int().positive(),
	waitMs: z.number().finite().nonnegative().optional(),
	waitAtMostMs: z.number().finite().nonnegative().optional(),
	cause: z.string().max(2000),
});

function retryOf(value: unknown): {retry: RetryFacts} | Record<string, never> {
	const parsed = loggedRetrySchema.safeParse(value);
	if (!parsed.success) return {};
	const {waitMs, waitAtMostMs, ...facts} = parsed.data;
	return {retry: {...facts, ...(waitMs !== undefined ? {waitMs} : {}), ...(waitAtMostMs !== undefined ? {waitAtMostMs} : {})}};
}

/** A logged notice (a hand-edited or foreign file's odd one is left out, not a crash). Its usage
 * counts only with its model (a compaction's summary call). */
const loggedNoticeSchema = z.object({
	code: z.string(),
	level: z.enum(['info', 'warn', 'error']),
	message: z.string(),
	model: z.string().optional().catch(undefined),
	usage: loggedUsageSchema.optional().catch(undefined),
	after: z.number().int().nonnegative().optional().catch(undefined),
	/** A retry notice's facts: read by retryOf. */
	retry: z.unknown().optional(),
});
type LoggedNotice = z.infer<typeof loggedNoticeSchema>;

function noticesOf(value: unknown): LoggedNotice[] {
	return Array.isArray(value) ? value.flatMap((item) => {
		const parsed = loggedNoticeSchema.safeParse(item);
		return parsed.success ? [parsed.data] : [];
	}) : [];
}

/** Logs before 2026-12-02 did not say where a notice was given: those about the model call
 * (said before its reply came, or about its prompt) go above the reply, the rest after it. */
const ABOUT_THE_CALL: ReadonlySet<string> = new Set(['stream_retried', 'compaction', 'compaction_failed', 'prompt_truncated', 'prompt_over_window', 'param_dropped', 'model_deprecated']);
const placeOf = (notice: LoggedNotice) => notice.after ?? (ABOUT_THE_CALL.has(notice.code) ? 0 : 1);

function noticeEvent(runId: string, {model, usage, after: _after, retry, ...notice}: LoggedNotice): RlmEventBody {
	return {type: 'notice', runId, ...notice, code: notice.code as NoticeCode, ...(model !== undefined && usage ? {model, usage} : {}), ...retryOf(retry)};
}

/** A logged `limits` record (a hand-edited or foreign file gets no limits shown, not a crash). */
const count = z.number().finite().nonnegative();
const loggedLimitsSchema = z.object({
	caps: z.object({maxBudget: count.optional(), maxTimeout: count.optional(), maxTokens: count.optional(), maxErrors: count.optional(), maxSubCalls: count.optional()}),
	use: z.object({costUsd: count, unpricedModels: z.array(z.string().max(500)).max(100), tokens: count, subCalls: count, errors: count, elapsedMs: count}),
	defaults: z.array(z.enum(LIMIT_NAMES as [LimitName, ...LimitName[]])).max(LIMIT_NAMES.length).optional().catch(undefined),
});

const ours = (value: unknown): Ours => (value && typeof value === 'object' ? value : {});
const zero = (): Usage => ({inputTokens: 0, outputTokens: 0});
const add = (a: Usage, b: Usage): Usage => ({inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens});

/**
 * Events with times on one clock: ms since the root run's start. The log gives each iteration's
 * wall-clock timestamp and every duration; where a start is not logged (a reply, a block, a call)
 * it is placed from the durations before it. Every node's events fall inside its parent's span, so
 * concurrent children (llm_query_batched, parallel rlm_query) overlap in time instead of adding up,
 * and a child never outlasts its run.
 */
let replayIds = 0;

class EventBuilder {
	readonly #events: Array<{event: RlmEvent; order: number}> = [];
	/** Epoch ms of the root run's start (NaN when the log has no readable timestamps). */
	origin = Number.NaN;
	/** The log is ours: an iteration's timestamp is its start (the original logs its end). */
	startStamps = false;
	push(body: RlmEventBody, t: number) {
		this.#events.push({event: {...body, t: Math.max(0, t)}, order: this.#events.length});
	}
	/** Ids unique in this process, so the trees of several logs can share one trajectory. */
	id(prefix: string) {
		return `${prefix}_replay_${++replayIds}`;
	}
	/** A logged timestamp on this clock, or undefined when it cannot be read. */
	at(timestamp: string | undefined): number | undefined {
		const epoch = timestamp ? Date.parse(timestamp) : Number.NaN;
		return Number.isFinite(epoch) && Number.isFinite(this.origin) ? epoch - this.origin : undefined;
	}
	/** In time order; events at the same time keep the order they were made in (parents first). */
	events(): RlmEvent[] {
		return this.#events.sort((a, b) => a.event.t - b.event.t || a.order - b.order).map((entry) => entry.event);
	}
}

function callUsage(call: OriginalCall): Usage {
	return {inputTokens: call.prompt_tokens ?? 0, outputTokens: call.completion_tokens ?? 0};
}

function isChild(value: unknown): value is ChildTrajectory {
	return Boolean(value && typeof value === 'object' && 'iterations' in value && Array.isArray((value as ChildTrajectory).iterations));
}

const seconds = (value: number) => (Number.isFinite(value) && value > 0 ? value * 1000 : 0);

/** Emits one run from `start` (ms on the builder's clock); returns its usage and when it ended. */
function emitRun(
	out: EventBuilder,
	metadata: Partial<OriginalMetadata>,
	iterations: OriginalIteration[],
	depth: number,
	start: number,
	parentCallId?: string,
): {usage: Usage; end: number} {
	const meta = ours(metadata.rlm_tui);
	const runId = meta.run_id ?? out.id('run');
	const real = iterations.filter((iteration) => iteration.iteration > 0);
	const runStart = Math.max(start, out.at(metadata.timestamp) ?? start);
	out.push(
		{
			type: 'run.start',
			runId,
			...(parentCallId ? {parentCallId} : {}),
			depth,
			model: metadata.root_model ?? 'unknown',
			backend: metadata.backend ?? 'unknown',
			question: meta.question ?? (real[0]?.prompt.find((m) => m.role === 'user')?.content.slice(0, 2000) ?? ''),
			context: meta.context ?? {type: 'none', chars: 0},
			maxIterations: metadata.max_iterations || real.length,
			...(systemOf(meta.system) ? {system: systemOf(meta.system)!} : {}),
		},
		runStart,
	);
	// Said on the run before its first iteration (logged on that iteration's line).
	for (const notice of noticesOf(ours(iterations[0]?.rlm_tui).run_notices)) out.push(noticeEvent(runId, notice), runStart);
	let total = zero();
	let answer = '';
	let status: RunStatus | undefined;
	let error: {error?: string; errorCode?: RunErrorCode} = {};
	let runLimit: LimitName | undefined;
	/** How long the run took as it reported it, when logged. */
	let runMs: number | undefined;
	let limits: {caps: LimitCaps; use: LimitUse; defaults?: LimitName[] | undefined} | undefined;
	/** The latest time any event of this run has used so far. */
	let cursor = runStart;
	for (const iteration of iterations) {
		const extra = ours(iteration.rlm_tui);
		if (extra.run_status) status = extra.run_status;
		if (typeof extra.run_ms === 'number' && Number.isFinite(extra.run_ms) && extra.run_ms >= 0) runMs = extra.run_ms;
		if (extra.run_limit !== undefined && (LIMIT_NAMES as readonly unknown[]).includes(extra.run_limit)) runLimit = extra.run_limit;
		const loggedLimits = loggedLimitsSchema.safeParse(extra.limits);
		if (loggedLimits.success) limits = loggedLimits.data;
		if (extra.answer !== undefined) answer = extra.answer;
		if (extra.error) error = errorOf(extra);
		if (iteration.iteration <= 0) continue;
		const n = iteration.iteration;
		const iterationMs = seconds(iteration.iteration_time);
		const stamped = out.at(iteration.timestamp);
		const logged = stamped === undefined ? undefined : out.startStamps ? stamped : stamped - iterationMs;
		const iterStart = Math.max(cursor, logged ?? cursor);
		const finalCall = extra.final_call === 'forced' || extra.final_call === 'limited' ? extra.final_call : undefined;
		if (!finalCall) out.push({type: 'iter.start', runId, iteration: n, maxIterations: metadata.max_iterations || real.length}, iterStart);
		out.push({type: 'llm.start', runId, iteration: n, ...(finalCall ? {final: finalCall} : {}), messages: iteration.prompt.length, promptChars: iteration.prompt.reduce((s, m) => s + m.content.length, 0), prompt: iteration.prompt}, iterStart);
		let callsUsage = zero();
		for (const block of iteration.code_blocks) for (const call of block.result.rlm_calls) callsUsage = add(callsUsage, callUsage(call));
		const iterationUsage = extra.usage ?? callsUsage;
		const replyUsage = {inputTokens: Math.max(0, iterationUsage.inputTokens - callsUsage.inputTokens), outputTokens: Math.max(0, iterationUsage.outputTokens - callsUsage.outputTokens)};
		const blocksMs = iteration.code_blocks.reduce((s, b) => s + seconds(b.result.execution_time), 0);
		const replyMs = Math.max(0, iterationMs - blocksMs);
		/** The model call's own time, when logged (the iteration's also holds what it waited for). */
		const callMs = typeof extra.reply_ms === 'number' && Number.isFinite(extra.reply_ms) && extra.reply_ms >= 0 ? extra.reply_ms : replyMs;
		const notices = noticesOf(extra.notices);
		/** The notices given at `place` (placeOf): emitted there, so the tree holds them where they were. */
		const noticesAt = (place: number, at: number) => {
			for (const notice of notices) if (Math.min(placeOf(notice), 1 + iteration.code_blocks.length) === place) out.push(noticeEvent(runId, notice), at);
		};
		noticesAt(0, iterStart);
		let now = iterStart + replyMs;
		const failed = replyFailure(extra, iteration, metadata.rlm_tui !== undefined);
		if (failed) {
			// What streamed before the call failed.
			if (iteration.response) out.push({type: 'llm.delta', runId, iteration: n, text: iteration.response}, now);
			out.push({type: 'llm.error', runId, iteration: n, ...failed, ms: callMs}, now);
		} else if (status === 'cancelled' && iteration === real.at(-1) && iteration.code_blocks.length === 0) {
			// The user's cancel cut this reply short (a reply that ended runs its code, or the next
			// iteration starts): what streamed stays open, and the run's end settles it as cancelled, as
			// it did live, not as an empty or whole reply.
			if (iteration.response) out.push({type: 'llm.delta', runId, iteration: n, text: iteration.response}, now);
		} else
			out.push({type: 'llm.done', runId, iteration: n, text: iteration.response, ...(typeof extra.reasoning === 'string' && extra.reasoning ? {reasoning: extra.reasoning} : {}), usage: replyUsage, ms: callMs, ...endingOf(extra)}, now);
		noticesAt(1, now);
		total = add(total, replyUsage);
		iteration.code_blocks.forEach((block, index) => {
			const b = index + 1;
			const result = block.result;
			const blockExtra = ours(result.rlm_tui);
			const blockStart = now;
			const blockMs = seconds(result.execution_time);
			out.push({type: 'code.start', runId, iteration: n, block: b, code: block.code}, blockStart);
			if (result.stdout) out.push({type: 'code.output', runId, iteration: n, block: b, stream: 'stdout', text: result.stdout}, blockStart);
			let blockEnd = blockStart + blockMs;
			/** Where the next plain (sequential) call starts; batched slots all start with the block. */
			let nextCall = blockStart;
			result.rlm_calls.forEach((call, callIndex) => {
				const callExtra = ours(call.rlm_tui);
				const callId = out.id('call');
				const child = isChild(call.metadata) ? call.metadata : undefined;
				const fn: CallFunction = callExtra.fn ?? (child ? 'rlm_query' : 'llm_query');
				const batched = fn.endsWith('batched');
				const callMs = seconds(call.execution_time);
				const callStart = batched ? blockStart : nextCall;
				out.push({type: 'call.start', callId, runId, iteration: n, block: b, kind: callExtra.kind ?? (child ? 'rlm' : 'llm'), fn, index: callExtra.index ?? (batched ? callIndex : 0), ...batchSizeOf(callExtra.batch_size), model: call.root_model, prompt: call.prompt}, callStart);
				let usage = callUsage(call);
				let callEnd = callStart + callMs;
				if (child) {
					const ran = emitRun(out, child.run_metadata ?? {}, child.iterations ?? [], depth + 1, callStart, callId);
					if (usage.inputTokens === 0 && usage.outputTokens === 0) usage = ran.usage;
					callEnd = Math.max(callEnd, ran.end);
				}
				out.push({type: 'call.done', callId, response: call.response, ...(typeof callExtra.reasoning === 'string' && callExtra.reasoning ? {reasoning: callExtra.reasoning} : {}), usage, ms: callMs, ...errorOf(callExtra), ...endingOf(callExtra)}, callEnd);
				if (!batched) nextCall = callEnd;
				blockEnd = Math.max(blockEnd, callEnd);
				total = add(total, usage);
			});
			const ok = blockExtra.ok ?? !/Traceback \(most recent call last\)|^\w*Error\b/m.test(result.stderr);
			out.push(
				{
					type: 'code.done',
					runId,
					iteration: n,
					block: b,
					ok,
					stdout: result.stdout,
					stderr: result.stderr,
					...(blockExtra.error ? {error: blockExtra.error} : !ok ? {error: result.stderr.trim().split('\n').at(-1) ?? 'failed'} : {}),
					ms: blockMs,
					truncatedChars: blockExtra.truncated_chars ?? 0,
					variables: Object.entries(result.locals).map(([name, value]) => ({name, type: typeof value === 'string' ? value : typeof value})),
					final: result.final_answer,
					...(blockExtra.limit ? {limit: blockExtra.limit} : {}),
					restarted: blockExtra.restarted ?? false,
					...(blockExtra.answer_refused === 'empty' ? {answerRefused: 'empty' as const} : {}),
				},
				blockEnd,
			);
			noticesAt(1 + b, blockEnd);
			now = blockEnd;
		});
		cursor = Math.max(now, iterStart + iterationMs);
		if (iteration.final_answer !== null) answer = iteration.final_answer;
	}
	const last = real.at(-1);
	// rlm-tui writes a root run's status on its last line when the run ends: a log of ours without
	// one ends before the run did (its process was killed or crashed, or it is still running), which
	// no one cancelled. Others' logs (the original RLM's) never log a status: an answer means
	// answered; all turns used means forced; fewer turns and no answer is a run that stopped early.
	const unfinished = status === undefined && depth === 0 && metadata.rlm_tui !== undefined;
	const maxIterations = metadata.max_iterations || 0;
	const finalStatus: RunStatus =
		status ??
		(unfinished ? 'unfinished' : last?.final_answer != null ? 'answered' : !real.length ? 'failed' : maxIterations && real.length >= maxIterations ? 'forced' : 'cancelled');
	const queued = (metadata.rlm_tui as {queued?: unknown} | undefined)?.queued === true && !iterations.length;
	if (unfinished && !error.error)
		error = queued
			? {error: 'The run never started: its process was killed or closed while the question waited its turn (or it still waits).'}
			: {error: `The log ends without the run's end, ${real.length ? `after iteration ${last!.iteration}` : 'before its first iteration ended'}: its process was killed or crashed, or it is still running.`};
	// The run lasted from its start to its last iteration's end (never less than its iterations' sum).
	const summed = iterations.reduce((sum, iteration) => sum + seconds(iteration.iteration_time), 0);
	const end = Math.max(cursor, runStart + summed);
	// An iteration's line is written when the next one starts: a killed run was in the one after its
	// last line, the first when it has none (not when it was killed while the question waited).
	const cutIn = !unfinished || queued ? undefined : !last ? 1 : ours(last.rlm_tui).final_call ? undefined : last.iteration + 1;
	if (cutIn !== undefined) out.push({type: 'iter.start', runId, iteration: cutIn, maxIterations: metadata.max_iterations || real.length}, end);
	if (limits) out.push({type: 'limits', runId, caps: limits.caps, use: limits.use, ...(limits.defaults ? {defaults: limits.defaults} : {})}, end);
	// A forced final call is logged as one more iteration; it is not one.
	// As live, the count is of iterations begun: the one a killed run was in counts.
	const counted = real.filter((iteration) => !ours(iteration.rlm_tui).final_call && (!maxIterations || iteration.iteration <= maxIterations)).length + (cutIn !== undefined && (!maxIterations || cutIn <= maxIterations) ? 1 : 0);
	out.push({type: 'run.done', runId, answer, status: finalStatus, usage: total, ms: runMs ?? end - runStart, iterations: counted, ...error, ...(runLimit ? {limit: runLimit} : {})}, end);
	return {usage: total, end};
}

/** Events that rebuild the trajectory of one log file (one root run). */
/** A logged batch size, when it is one. */
const batchSizeOf = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? {batchSize: value} : {});

export function logToEvents(log: TrajectoryLog): RlmEvent[] {
	const out = new EventBuilder();
	out.startStamps = log.metadata.rlm_tui !== undefined;
	const first = log.iterations.find((iteration) => iteration.iteration > 0);
	const firstStart = first ? Date.parse(first.timestamp) - (out.startStamps ? 0 : seconds(first.iteration_time)) : Number.NaN;
	out.origin = Number.isFinite(Date.parse(log.metadata.timestamp)) ? Date.parse(log.metadata.timestamp) : firstStart;
	emitRun(out, log.metadata, log.iterations, 0, 0);
	return out.events();
}
