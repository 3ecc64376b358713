// The original RLM's JSONL log schema (a metadata line, then one line per iteration), built from
// the trajectory tree so logs, replay and the UI all read the same structure. Fields of ours go
// under `rlm_tui`; theirs are all present so their visualizer opens our files.
import type {LimitCaps, LimitName, LimitUse} from '../protocol/limits.js';
import type {SandboxContext} from '../protocol/repl.js';
import type {SessionOrigin} from './log-names.js';
import type {ChatMessage, FinishReason, RetryFacts, Usage} from '../protocol/llm.js';
import type {CharUnit, ContextInfo, RunStatus, SystemPromptChoice} from '../protocol/events.js';
import {metadataFromFields} from './metadata-record.js';
import {getNode, type CallNode, type CodeNode, type NoticeNode, type OutputNode, type ReplyNode, type RunNode, type TrajectoryNode, type TrajectoryState} from './tree.js';

/** A prompt the server truncated, in tokens (our extra). */
export interface LoggedPromptTruncation {
	sent_tokens: number;
	kept_tokens: number;
}

export interface OriginalCall {
	root_model: string;
	prompt: string;
	response: string;
	usage_summary: {model_usage_summaries: Record<string, {total_calls: number; total_input_tokens: number; total_output_tokens: number}>};
	prompt_tokens: number;
	completion_tokens: number;
	execution_time: number;
	/** A child RLM's own trajectory. */
	metadata?: ChildTrajectory;
	rlm_tui?: {
		fn: string;
		index: number;
		/** A batched call's number of prompts (call.start batchSize). */
		batch_size?: number;
		/** 'tool': a host tool's call (root_model is the tool's name). */
		kind: 'llm' | 'rlm' | 'tool';
		error?: string;
		/** With error: its stable code (protocol/errors.ts RunErrorCode). */
		error_code?: string;
		/** The iteration's model call failed: its error and code (the reply is no reply then). */
		reply_error?: string;
		reply_error_code?: string;
		/** Present when the reply did not end normally ('length': cut at the output-token limit). */
		finish_reason?: FinishReason;
		prompt_truncated?: LoggedPromptTruncation;
		/** The sub-model's thinking (`response` holds only the answer part). */
		reasoning?: string;
	};
}

export interface OriginalCodeBlock {
	code: string;
	result: {
		stdout: string;
		stderr: string;
		locals: Record<string, string>;
		execution_time: number;
		rlm_calls: OriginalCall[];
		final_answer: string | null;
		/** answer_refused: the block's answer had nothing visible and was not taken (code.done answerRefused). */
		rlm_tui?: {ok: boolean; error?: string; truncated_chars: number; restarted: boolean; limit?: string; answer_refused?: 'empty'};
	};
}

export interface OriginalIteration {
	type: 'iteration';
	iteration: number;
	timestamp: string;
	prompt: ChatMessage[];
	response: string;
	code_blocks: OriginalCodeBlock[];
	final_answer: string | null;
	iteration_time: number;
	rlm_tui?: {
		usage: Usage;
		run_status?: RunStatus;
		/** With run_status: how long the run took, in ms, as it reported it (its events' run.done). */
		run_ms?: number;
		answer?: string;
		error?: string;
		/** With error: the run's error code (protocol/errors.ts RunErrorCode). */
		error_code?: string;
		/** Present when the reply did not end normally ('length': cut at the output-token limit). */
		finish_reason?: FinishReason;
		prompt_truncated?: LoggedPromptTruncation;
		/** Notices given during the iteration (a truncated prompt, a refused parameter, ...), in order. */
		notices?: LoggedNotice[];
		/** On a run's first iteration: the notices given before it, on the run itself (the model
		 * chosen, the sub-calls' model, an incomplete system prompt). */
		run_notices?: LoggedNotice[];
		/** The root model's thinking for this iteration (`response` holds only the answer part). */
		reasoning?: string;
		/** How long the model call took, in ms (iteration_time also holds the code's and the waits'). */
		reply_ms?: number;
		/** The record of the last call for the best answer, out of iterations or after a limit: logged
		 * as one more iteration (as the original does), never counted as one. */
		final_call?: 'forced' | 'limited';
		/** On a run's last iteration, with run_status `limited`: the limit that stopped it. */
		run_limit?: LimitName;
		/** On a run's last iteration: the run-wide caps and the whole tree's use against them
		 * (`defaults`: the caps the user did not set). */
		limits?: {caps: LimitCaps; use: LimitUse; defaults?: readonly LimitName[]};
	};
}

/** A notice as logged. `model` and `usage`: the tokens of the work it reports (a compaction's
 * summary). `after`: where it was given among its iteration's reply and code blocks, so a replay
 * puts it back there: 0 while the model call ran (above the reply), 1 after the reply, 1 + k after
 * code block k began; absent in logs before 2026-12-02 and on run notices. */
export interface LoggedNotice {
	code: string;
	level: 'info' | 'warn' | 'error';
	message: string;
	model?: string;
	usage?: Usage;
	/** A retry notice's facts (stream_retried). */
	retry?: RetryFacts;
	after?: number;
}

export interface OriginalMetadata {
	type: 'metadata';
	timestamp: string;
	root_model: string;
	max_depth: number;
	max_iterations: number;
	backend: string;
	backend_kwargs: Record<string, unknown>;
	environment_type: string;
	environment_kwargs: Record<string, unknown>;
	other_backends: null | unknown[];
	rlm_tui?: {
		version: 1;
		session_id: string;
		/** The front end that wrote the session (also in the file name); absent in older logs. */
		origin?: SessionOrigin;
		/** The session's base URL carried credentials or a query that backend_kwargs.base_url lacks. */
		base_url_incomplete?: true;
		/** Where the sub-calls went, when not to backend_kwargs.base_url (--sub-url, --sub-backend). */
		sub_base_url?: string;
		run_id: string;
		turn: number;
		question: string;
		/** Absent while its context is not known: a question logged before the engine took it in
		 * (early-question.ts), or queued behind what may set its context (a /context still reading, a
		 * resume: jsonl-log.ts contextPending), or cancelled before that was done. */
		context?: ContextInfo;
		/** What `context.chars` counts, in a session log's runs: absent in logs written before
		 * 2026-12-02 (UTF-16 units until then, code points on that day). */
		context_char_unit?: CharUnit;
		/** The context itself, when small enough to keep (for --resume). */
		context_text?: SandboxContext;
		/** The question was its own context, so context_text is not kept. */
		context_is_prompt?: boolean;
		/** A context too big to keep as context_text: its fingerprint (context-fingerprint.ts). */
		context_fingerprint?: string;
		sub_model?: string;
		/** The user's instructions and/or replacement system prompt. */
		system?: SystemPromptChoice;
		/** The question was taken in but waits its turn (behind a resume, an earlier question, a
		 * /context still reading): its run has not started. Its run's start rewrites the line without it. */
		queued?: true;
	};
}

export interface ChildTrajectory {
	run_metadata: OriginalMetadata;
	iterations: OriginalIteration[];
}

/** The thinking logged under a reply or call node ('' when none). */
function reasoningOf(state: TrajectoryState, node: TrajectoryNode | undefined): string {
	for (const id of node?.children ?? []) {
		const child = getNode(state, id);
		if (child?.kind === 'reasoning') return child.text;
	}
	return '';
}

/** performance.now() values of this process as wall-clock ISO strings. */
export const isoAt = (t: number) => new Date(performance.timeOrigin + t).toISOString();
const seconds = (ms: number | undefined) => (ms ?? 0) / 1000;

export type PromptLookup = (runId: string, iteration: number) => ChatMessage[];

export function metadataRecord(run: RunNode, extra: {maxDepth: number; baseURL?: string; rlmTui?: OriginalMetadata['rlm_tui']}): OriginalMetadata {
	return metadataFromFields({timestamp: isoAt(run.startedAt), model: run.model, maxIterations: run.maxIterations, backend: run.backend, ...extra});
}

function callRecord(state: TrajectoryState, call: CallNode, prompts: PromptLookup, maxDepth: number): OriginalCall {
	const usage = call.reported ?? call.usage;
	const record: OriginalCall = {
		root_model: call.model,
		prompt: call.prompt,
		response: call.response,
		usage_summary: {
			model_usage_summaries: {
				[call.model]: {total_calls: 1, total_input_tokens: usage.inputTokens, total_output_tokens: usage.outputTokens},
			},
		},
		prompt_tokens: usage.inputTokens,
		completion_tokens: usage.outputTokens,
		execution_time: seconds(call.ms),
		rlm_tui: {
			fn: call.fn,
			index: call.index,
			...(call.batchSize !== undefined ? {batch_size: call.batchSize} : {}),
			kind: call.callKind,
			...(call.error ? {error: call.error} : {}),
			...(call.errorCode ? {error_code: call.errorCode} : {}),
			...(call.finishReason && call.finishReason !== 'stop' ? {finish_reason: call.finishReason} : {}),
			...(call.promptTruncated ? {prompt_truncated: loggedTruncation(call.promptTruncated)} : {}),
		},
	};
	const reasoning = reasoningOf(state, call);
	if (reasoning) record.rlm_tui!.reasoning = reasoning;
	const child = call.childRun === undefined ? undefined : getNode(state, call.childRun);
	if (child?.kind === 'run') record.metadata = childTrajectory(state, child, prompts, maxDepth);
	return record;
}

function codeBlockRecord(state: TrajectoryState, code: CodeNode, prompts: PromptLookup, maxDepth: number): OriginalCodeBlock {
	const output = code.output === undefined ? undefined : (getNode(state, code.output) as OutputNode | undefined);
	const calls = code.children.map((id) => getNode(state, id)).filter((node): node is CallNode => node?.kind === 'call');
	const locals: Record<string, string> = {};
	for (const variable of code.variables ?? []) locals[variable.name] = variable.type;
	const stderr = [output?.stderr ?? '', code.ok === false && code.error ? code.error : ''].filter(Boolean).join(output?.stderr?.endsWith('\n') ? '' : '\n');
	return {
		code: code.code,
		result: {
			stdout: output?.stdout ?? '',
			stderr,
			locals,
			execution_time: seconds(code.ms),
			rlm_calls: calls.map((call) => callRecord(state, call, prompts, maxDepth)),
			final_answer: code.final ?? null,
			rlm_tui: {
				ok: code.ok ?? false,
				...(code.error ? {error: code.error} : {}),
				truncated_chars: code.truncatedChars,
				restarted: code.restarted ?? false,
				...(code.limit ? {limit: code.limit} : {}),
				...(code.answerRefused ? {answer_refused: code.answerRefused} : {}),
			},
		},
	};
}

/** One iteration of a run as the original writes it. */
export function iterationRecord(state: TrajectoryState, iterationId: number, prompts: PromptLookup, maxDepth: number): OriginalIteration {
	const iteration = getNode(state, iterationId);
	if (iteration?.kind !== 'iteration') throw new Error(`node ${iterationId} is not an iteration`);
	const children = iteration.children.map((id) => getNode(state, id));
	const reply = children.find((node): node is ReplyNode => node?.kind === 'reply');
	const codes = children.filter((node): node is CodeNode => node?.kind === 'code');
	const blocks = codes.map((code) => codeBlockRecord(state, code, prompts, maxDepth));
	const final = blocks.find((block) => block.result.final_answer !== null)?.result.final_answer ?? null;
	let after = 0;
	const notices: LoggedNotice[] = [];
	for (const node of children) {
		if (node?.kind === 'notice') notices.push({...loggedNotice(node), after});
		else if (node?.kind === 'reply' || node?.kind === 'code') after++;
	}
	return {
		type: 'iteration',
		iteration: iteration.iteration,
		timestamp: isoAt(iteration.startedAt),
		prompt: prompts(iteration.runId, iteration.iteration),
		response: reply?.text ?? '',
		code_blocks: blocks,
		final_answer: final,
		iteration_time: seconds(iteration.ms ?? (iteration.endedAt !== undefined ? iteration.endedAt - iteration.startedAt : undefined)),
		rlm_tui: {
			usage: iteration.usage,
			...(reply?.error ? {reply_error: reply.error, ...(reply.errorCode ? {reply_error_code: reply.errorCode} : {})} : {}),
			...(reply?.finishReason && reply.finishReason !== 'stop' ? {finish_reason: reply.finishReason} : {}),
			...(reply?.promptTruncated ? {prompt_truncated: loggedTruncation(reply.promptTruncated)} : {}),
			...(notices.length > 0 ? {notices} : {}),
			...(reasoningOf(state, reply) ? {reasoning: reasoningOf(state, reply)} : {}),
			...(reply?.ms !== undefined && reply.status !== 'running' ? {reply_ms: Math.round(reply.ms)} : {}),
			// The last call for the best answer is logged as one more iteration; it is not one.
			...(iteration.forced ? {final_call: iteration.afterLimit ? 'limited' : 'forced'} : {}),
		},
	};
}

const loggedNotice = (node: NoticeNode): LoggedNotice => ({code: node.code, level: node.noticeLevel, message: node.message, ...(node.model ? {model: node.model} : {}), ...(node.reported ? {usage: node.reported} : {}), ...(node.retry ? {retry: node.retry} : {})});

/** The notices given on the run itself, outside its iterations (before its first one). */
export function runNotices(state: TrajectoryState, run: RunNode): LoggedNotice[] {
	return run.children.map((id) => getNode(state, id)).filter((node): node is NoticeNode => node?.kind === 'notice').map(loggedNotice);
}

const loggedTruncation = (cut: {sentTokens: number; keptTokens: number}): LoggedPromptTruncation => ({
	sent_tokens: cut.sentTokens,
	kept_tokens: cut.keptTokens,
});

export function iterationIds(state: TrajectoryState, run: RunNode): number[] {
	return run.children.filter((id) => getNode(state, id)?.kind === 'iteration');
}

/** A finished run's time as our log field (none while it runs). */
export function runTimeRecord(run: RunNode): {run_ms?: number} {
	return run.status !== 'running' && run.ms !== undefined ? {run_ms: Math.round(run.ms)} : {};
}

/** A run's error as our log fields (none when it has none). */
export function runErrorRecord(run: RunNode): {error?: string; error_code?: string} {
	return {...(run.error ? {error: run.error} : {}), ...(run.error && run.errorCode ? {error_code: run.errorCode} : {})};
}

export function childTrajectory(state: TrajectoryState, run: RunNode, prompts: PromptLookup, maxDepth: number): ChildTrajectory {
	const iterations = iterationIds(state, run).map((id) => iterationRecord(state, id, prompts, maxDepth));
	const notices = runNotices(state, run);
	if (iterations[0] && notices.length) iterations[0].rlm_tui = {...iterations[0].rlm_tui!, run_notices: notices};
	const last = iterations.at(-1);
	if (last) {
		last.rlm_tui = {...last.rlm_tui!, ...(run.runStatus ? {run_status: run.runStatus} : {}), ...runTimeRecord(run), ...(run.answer !== undefined ? {answer: run.answer} : {}), ...runErrorRecord(run)};
		if ((run.runStatus === 'forced' || run.runStatus === 'answered') && last.final_answer === null) last.final_answer = run.answer ?? null;
	}
	const rlmTui = {version: 1 as const, session_id: '', run_id: run.runId, turn: 0, question: run.question, context: run.context, ...(run.system ? {system: run.system} : {})};
	return {run_metadata: metadataRecord(run, {maxDepth, rlmTui}), iterations};
}
