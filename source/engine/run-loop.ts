// The RLM loop for one run (the root or a child): model turn -> run every block -> feed back,
// until code submits an answer, the turns run out (one forced final call), or it is cancelled.
import type {ChatMessage, CutReason, NoticeCode, Usage} from '../protocol/llm.js';
import {addUsage, isCutReply, zeroUsage} from '../protocol/llm.js';
import {runErrorOf, type RunError} from '../protocol/errors.js';
import {BackendError} from '../backends/types.js';
import {estimateMessagesTokens} from '../backends/model-info.js';
import type {Repl, VariableInfo} from '../protocol/repl.js';
import type {EngineContext} from './engine-context.js';
import type {ContextInfo, RunStatus} from '../protocol/events.js';
import type {LimitName} from '../protocol/limits.js';
import type {HostSlot} from './host-pool.js';
import {LimitReached} from './run-limits.js';
import {InARow} from './in-a-row.js';
import {emptyRepliesFailure, emptyReplyCause, emptyReplyNotice, emptyReplyNudge} from './empty-reply.js';
import {callModel, type ModelCallResult} from './model-call.js';
import {toolsSection, type ToolInfo} from './tools.js';
import {hostToolHandler, hostToolsSection} from './host-tools.js';
import {clipToFit, compactedIterations, compactionLimit, compactMessages, KEPT_HEAD_MESSAGES, type Compacted} from './compaction.js';
import {readReply, trimAfterLastBlock, withoutRunnableCode} from './parse.js';
import {bestPartialAnswer, foundSoFar} from './best-answer.js';
import {findProseFinal} from './prose-final.js';
import {hasVisibleText} from './visible-text.js';
import {
	emptyAnswerNote,
	proseFinalBesideCodeNote,
	feedbackMessage,
	firstUserMessage,
	forcedFinalPrompt,
	limitedFinalPrompt,
	missingFromSystemPrompt,
	noCodeNudge,
	systemPrompt,
	systemPromptChoice,
	turnReminder,
	withUserSystem,
	type BlockFeedback,
} from './prompts.js';
import {bridgeHandler} from './sub-calls.js';
import {overWindowPhrase, promptBudgetChars, REPLY_RESERVE_TOKENS, replyReserveTokens, rootWindow, subModelWindow} from './windows.js';
import {cutFinalNotice, cutReplyMarker, cutReplyNote, cutReplyNotice, GENERIC_WINDOW_ADVICE, quotedRefusalSentence, refusedTwiceFailure, promptTruncatedMessage, stalledTwiceFailure, promptTruncation, droppedTwiceFailure, DROPPED_TWICE_ADVICE} from './truncation.js';
import type {CompletionResult, IterationRecord} from './types.js';
import {formatCount} from '../protocol/numbers.js';

export interface RunParams {
	runId: string;
	parentCallId?: string;
	depth: number;
	model: string;
	/** Shown to the model; null when the task is the context itself. */
	question: string | null;
	/** The question as the user asked it (for events and logs). */
	displayQuestion: string;
	context: ContextInfo;
	/** Only run() is needed, so a REPL still starting can be handed in (see Rlm). */
	repl: Pick<Repl, 'run'>;
	/** The slot this run's REPL holds in the host pool (its child runs take theirs under it). */
	hostSlot: HostSlot;
	historyTurns: number;
	/** The user's tools in this run's REPL, listed in the system prompt. */
	tools?: readonly ToolInfo[];
	toolsSource?: string;
	/** Runs the tools file again in this run's REPL after it restarted (its functions went with
	 * the old one). @throws the file's error. */
	reloadTools?: () => Promise<unknown>;
	/** Contexts in the REPL this turn (context_0 … context_{n-1}); 1 when absent. */
	contextCount?: number;
	variables: VariableInfo[];
	/** The caller's cancel; the run also stops when the completion's limits are reached. */
	signal?: AbortSignal;
	/** This call's instructions (CompletionOptions.instructions; the root run only), appended to
	 * the session's (RlmOptions.instructions) in the system prompt. */
	instructions?: string;
	/** Told the root model's whole conversation of this run when it ends (Python's history_N of later turns). */
	onMessages?: (messages: ChatMessage[]) => void;
}

class Cancelled extends Error {}

export async function runLoop(engine: EngineContext, params: RunParams): Promise<CompletionResult> {
	const started = performance.now();
	const {runId, depth, model} = params;
	const {maxIterations} = engine.options;
	const {limits} = engine;
	const signal = params.signal ? AbortSignal.any([params.signal, limits.signal]) : limits.signal;
	const system = systemPromptChoice(engine.options.system, params.instructions);
	engine.emit({
		type: 'run.start',
		runId,
		...(params.parentCallId ? {parentCallId: params.parentCallId} : {}),
		depth,
		model,
		backend: engine.backendLabel ?? engine.backend.name,
		question: params.displayQuestion,
		context: params.context,
		maxIterations,
		...(system ? {system} : {}),
	});
	if (depth === 0) {
		const {limitDefaults} = engine.options;
		engine.emit({type: 'limits', runId, caps: limits.caps, use: limits.use(), ...(limitDefaults?.length ? {defaults: limitDefaults} : {})});
	}
	const replacement = system?.replacement;
	if (replacement && depth === 0) {
		const missing = missingFromSystemPrompt(replacement.text);
		if (missing.length && engine.once('system_prompt_incomplete'))
			engine.emit({
				type: 'notice',
				runId,
				level: 'warn',
				code: 'system_prompt_incomplete',
				message: `The replacement system prompt${replacement.source ? ` (${replacement.source})` : ''} does not say ${missing.join(', nor ')}: the model may never run code or submit an answer (see "The system prompt" in the README).`,
			});
	}

	let usage: Usage = zeroUsage();
	/** The REPL's variable names as last reported (FINAL(name) of one of them means its value). */
	let knownNames = new Set(params.variables.map((variable) => variable.name));
	const addToRun = (more: Usage) => {
		usage = addUsage(usage, more);
	};
	const iterations: IterationRecord[] = [];
	/** Iterations begun (iter.start sent), the one a cancel or a limit cut short included, never a
	 * final call for the best answer: the count run.done gives, as the tree and the chat show it. */
	let iterationsBegun = 0;
	const inflight = new Set<Promise<unknown>>();
	const track = (work: Promise<unknown>) => {
		inflight.add(work);
		void work.finally(() => inflight.delete(work)).catch(() => undefined);
	};
	// The sub-model's real window sizes the prompts the root is told to write.
	const subWindow = await subModelWindow(engine, engine.options.subModel, signal);
	const messages: ChatMessage[] = [
		{
			role: 'system',
			content: withUserSystem(
				systemPrompt({
					depth,
					maxDepth: engine.options.maxDepth,
					maxIterations,
					...(subWindow.known ? {subModelWindow: {tokens: subWindow.tokens, chars: promptBudgetChars(subWindow.tokens)}} : {}),
				}),
				system,
				[toolsSection(params.tools ?? [], params.toolsSource), hostToolsSection(engine.options.hostTools)].filter(Boolean).join('\n\n'),
			),
		},
		{
			role: 'user',
			content: firstUserMessage({
				question: params.question,
				context: params.context,
				historyTurns: params.historyTurns,
				contextCount: params.contextCount ?? 1,
				variables: params.variables,
			}),
		},
	];

	/** Every message of this run, compacted or not (Python's full_history, and history_N later). */
	const transcript: ChatMessage[] = [...messages];
	const push = (message: ChatMessage) => {
		messages.push(message);
		transcript.push(message);
	};
	/** Iterations already summarised by compaction. */
	let compactedUpTo = 0;

	const finish = (answer: string, status: RunStatus, error?: RunError, limit?: LimitName): CompletionResult => {
		const ms = performance.now() - started;
		params.onMessages?.(transcript);
		const failure = error ? {error: error.message, ...(error.code ? {errorCode: error.code} : {})} : {};
		engine.emit({type: 'run.done', runId, answer, status, ...(limit ? {limit} : {}), usage, ms, iterations: iterationsBegun, ...failure});
		const advice = error?.advice ? {errorAdvice: error.advice} : {};
		// A forced answer is the iteration limit's doing (the event's status says as much).
		const stoppedBy = status === 'forced' ? 'maxIterations' : limit;
		return {
			response: answer,
			status,
			...(stoppedBy ? {limit: stoppedBy} : {}),
			iterations,
			usage: {...usage, totalTokens: usage.inputTokens + usage.outputTokens},
			executionTimeMs: ms,
			runId,
			...failure,
			...advice,
			...(cutAnswer && answer ? {answerCut: cutAnswer} : {}),
		};
	};

	// What a stopped run can still give: the answer dict's content, else (a limit only) a last call
	// the limit allows, else the last output of its code, else its last reply.
	/** `answer["content"]` as the REPL last reported it (set, not yet submitted). */
	const soFar = foundSoFar();
	/** The best answer a stopped run (cancelled, or a limit) has without asking the model again. */
	const bestSoFar = () => soFar.best();
	/** The answer is a last reply (out of turns, or after a limit) that was cut: why. */
	let cutAnswer: CutReason | undefined;
	/** Failed blocks in a row (maxErrors). */
	const failedBlocks = new InARow();

	/** Warns once when the root's own prompt no longer fits its model's window (the server would cut it). */
	const checkRootWindow = async () => {
		const sent = estimateMessagesTokens(messages);
		const window = await rootWindow(engine, model, signal);
		if (!window.known || sent + replyReserveTokens(window.tokens) <= window.tokens || !engine.once(`prompt_over_window ${runId}`)) return;
		const advice = engine.backend.windowAdvice?.(model) ?? GENERIC_WINDOW_ADVICE;
		const head = estimateMessagesTokens(messages.slice(0, KEPT_HEAD_MESSAGES));
		// The question is never cut to fit: a window too small for it is said so here.
		const what = head + replyReserveTokens(window.tokens) > window.tokens ? 'The system prompt and the question alone are' : "This run's conversation is";
		engine.emit({
			type: 'notice',
			runId,
			level: 'warn',
			code: 'prompt_over_window',
			message: `${what} ${overWindowPhrase(sent, window.tokens)} of ${model} (${window.source}): the server will cut or refuse it. ${advice}`,
		});
	};

	/** Summarises older iterations when the conversation nears the model's window (see compaction.ts);
	 * as a last resort cuts the longest texts, so no request goes over the window.
	 * `last`: the final call after a limit, which spends nothing more on a summary (only cuts).
	 * @throws LimitReached when the run's limits refuse the summary call. */
	const compactIfNeeded = async (iteration: number, callSignal: AbortSignal | undefined, last: boolean) => {
		if (!engine.options.compaction) return;
		await syncFullHistory(callSignal);
		const window = await rootWindow(engine, model, callSignal);
		if (!window.known) return;
		const limit = compactionLimit(window.tokens);
		if (estimateMessagesTokens(messages) <= limit) return;
		let compacted: Compacted | null = null;
		if (!last) {
			// The summary call counts against the run's limits as any model call does.
			const refused = limits.admit(model, Math.min(estimateMessagesTokens(messages), window.tokens));
			if (refused) throw refused;
		}
		try {
			if (!last) compacted = await compactMessages(engine, {model, windowTokens: window.tokens, messages, firstIteration: compactedUpTo + 1, ...(callSignal ? {signal: callSignal} : {})});
		} catch (error) {
			if (callSignal?.aborted || (error instanceof BackendError && error.code === 'aborted')) throw new Cancelled();
			noticeOnce({code: 'compaction_failed', message: `Compaction failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): the longest texts are cut instead.`});
		}
		if (compacted) {
			addToRun(compacted.usage);
			const costUsd = limits.record(model, compacted.usage);
			messages.splice(0, messages.length, ...compacted.messages);
			compactedUpTo = compacted.to;
			engine.emit({
				type: 'notice',
				runId,
				level: 'info',
				code: 'compaction',
				model,
				usage: compacted.usage,
				...(costUsd !== undefined ? {costUsd} : {}),
				message: `Compacted ${compactedIterations(compacted)} before turn ${iteration}: about ${formatCount(compacted.tokensBefore)} -> ${formatCount(compacted.tokensAfter)} tokens of the ${formatCount(window.tokens)}-token window (${window.source}). The summary that replaced them:\n${compacted.summary}`,
			});
		}
		if (compacted) await syncFullHistory(callSignal);
		if (estimateMessagesTokens(messages) > limit) messages.splice(0, messages.length, ...clipToFit(messages, limit));
	};

	/** Messages of `transcript` already in Python's full_history. */
	let inFullHistory = 0;
	/** Once a compaction happened, Python's full_history gets the messages it lacks (a failure only
	 * loses that variable). */
	const syncFullHistory = async (callSignal: AbortSignal | undefined) => {
		if (compactedUpTo === 0 || inFullHistory >= transcript.length) return;
		const more = transcript.slice(inFullHistory).map(({role, content}) => ({role, content}));
		const fn = inFullHistory === 0 ? 'set_full_history' : 'extend_full_history';
		inFullHistory = transcript.length;
		await params.repl.run(`__import__("_rlm").${fn}(${JSON.stringify(JSON.stringify(more))})`, callSignal ? {signal: callSignal} : {}).catch(() => undefined);
	};

	/** One root model call. `final`: the one call for the best answer, out of iterations
	 * (`forced`) or after a limit stopped the run (`limited`: the limits' signal has aborted by
	 * then; only the caller's cancel stops it, and the caller checked it fits). */
	const modelTurn = async (iteration: number, final?: 'forced' | 'limited') => {
		const last = final === 'limited';
		const callSignal = last ? params.signal : signal;
		if (callSignal?.aborted) throw new Cancelled();
		await compactIfNeeded(iteration, callSignal, last);
		await checkRootWindow();
		if (!last) {
			const refused = limits.admit(model, estimateMessagesTokens(messages));
			if (refused) throw refused;
		}
		engine.emit({
			type: 'llm.start',
			runId,
			iteration,
			...(final ? {final} : {}),
			messages: messages.length,
			promptChars: messages.reduce((sum, message) => sum + message.content.length, 0),
			prompt: messages.map((message) => ({...message})),
		});
		const calledAt = performance.now();
		try {
			const result = await callModel(
				engine.backend,
				messages,
				{model, temperature: engine.options.temperature, maxOutputTokens: engine.options.maxOutputTokens, ...(callSignal ? {signal: callSignal} : {})},
				{
					onText: (text) => engine.emit({type: 'llm.delta', runId, iteration, text}),
					onReasoning: (text, moved) =>
						engine.emit({type: 'llm.reasoning', runId, iteration, text, ...(moved ? {movedFromReply: true} : {})}),
					onNotice: (notice) => engine.emit({type: 'notice', runId, ...notice}),
					onReplyWithdrawn: () => engine.emit({type: 'llm.restart', runId, iteration}),
				},
			);
			addToRun(result.usage);
			const costUsd = limits.record(model, result.usage);
			soFar.reply(result.text, result.finishReason);
			const promptTruncated = promptTruncation(messages, result.usage);
			// Said while the call is still open, so it stands above the reply, about the prompt it cut.
			if (promptTruncated && engine.once(`prompt_truncated ${model}`)) {
				const advice = engine.backend.windowAdvice?.(model) ?? GENERIC_WINDOW_ADVICE;
				engine.emit({type: 'notice', runId, level: 'warn', code: 'prompt_truncated', message: promptTruncatedMessage(model, promptTruncated, advice)});
			}
			engine.emit({
				type: 'llm.done',
				runId,
				iteration,
				text: result.text,
				...(result.reasoning ? {reasoning: result.reasoning} : {}),
				usage: result.usage,
				...(costUsd !== undefined ? {costUsd} : {}),
				ms: result.ms,
				finishReason: result.finishReason,
				...(promptTruncated ? {promptTruncated} : {}),
			});
			return result;
		} catch (error) {
			if (callSignal?.aborted || (error instanceof BackendError && error.code === 'aborted')) throw new Cancelled();
			// The call failed: its reply says so (a run that ends now, or goes on without it, has not a good reply here).
			const {code, message} = runErrorOf(error);
			engine.emit({type: 'llm.error', runId, iteration, error: message, errorCode: code, ms: performance.now() - calledAt});
			throw error;
		}
	};

	/** Notices about this run's replies, each kind said once. */
	const noticed = new Set<string>();
	const noticeOnce = (notice: {code: NoticeCode; message: string} | null) => {
		if (!notice || noticed.has(notice.code)) return;
		noticed.add(notice.code);
		engine.emit({type: 'notice', runId, level: 'warn', ...notice});
	};
	const emptyReplies = new InARow();
	const refusedReplies = new InARow();
	/** Root replies in a row cut mid-answer on their last try: by the request timeout (the server sent
	 * nothing more), or by the server or a proxy (a reset, a stream ended without its finish). */
	const cutReplies = new InARow();

	/** A REPL that restarted lost what the engine put in it besides the context and history: the
	 * tools file's functions are defined again, and full_history is sent again before the next call. */
	const afterRestart = async () => {
		inFullHistory = 0;
		if (!params.reloadTools) return;
		try {
			await params.reloadTools();
		} catch (error) {
			noticeOnce({code: 'tools_failed', message: `The REPL restarted and the tools file failed to run again: ${error instanceof Error ? error.message : String(error)}`});
		}
	};

	/** Runs one block of an iteration with its events, and records it. */
	const runCode = async (iteration: number, record: IterationRecord | null, code: string, blockSignal = signal) => {
		const block = (record?.codeBlocks.length ?? 0) + 1;
		engine.emit({type: 'code.start', runId, iteration, block, code});
		const ran = await params.repl.run(code, {
			...(blockSignal ? {signal: blockSignal} : {}),
			// The session's REPL was started with the timeout and memory limit of its day: changed ones hold from the next completion.
			...(engine.options.repl.timeoutMs !== undefined ? {timeoutMs: engine.options.repl.timeoutMs} : {}),
			...(engine.options.repl.memoryLimitMb !== undefined ? {memoryLimitMb: engine.options.repl.memoryLimitMb} : {}),
			onOutput: (stream, text) => engine.emit({type: 'code.output', runId, iteration, block, stream, text}),
			onCall: bridgeHandler(engine, {runId, iteration, block, depth, addUsage: addToRun, track, noticeOnce, hostSlot: params.hostSlot}),
			...(engine.options.hostTools ? {onTool: hostToolHandler(engine, {runId, iteration, block}, engine.options.hostTools)} : {}),
		});
		// An answer submitted empty is no answer: the block's output says so, and the run goes on.
		const refused = ran.final !== null && !hasVisibleText(ran.final);
		const result = refused ? {...ran, final: null, stderr: `${ran.stderr}${ran.stderr && !ran.stderr.endsWith('\n') ? '\n' : ''}${emptyAnswerNote}\n`} : ran;
		soFar.block(result);
		// The REPL saw its signal abort, not why: a run-wide limit names itself (the user did not cancel).
		const stoppedBy = result.limit === 'cancelled' ? limits.tripped : null;
		const error = stoppedBy ? limitStoppedBlock(stoppedBy, result.error) : result.error;
		if (result.restarted) await afterRestart();
		engine.emit({
			type: 'code.done',
			runId,
			iteration,
			block,
			ok: result.ok,
			stdout: result.stdout,
			stderr: result.stderr,
			...(error ? {error} : {}),
			ms: result.ms,
			truncatedChars: result.truncatedChars,
			variables: result.variables,
			final: result.final,
			...(result.answerDraft?.trim() ? {answerDraft: result.answerDraft} : {}),
			...(stoppedBy ? {limit: stoppedBy.limit} : result.limit ? {limit: result.limit} : {}),
			restarted: result.restarted,
			...(refused ? {answerRefused: 'empty' as const} : {}),
		});
		record?.codeBlocks.push({
			code,
			result: {
				stdout: result.stdout,
				stderr: result.stderr,
				ok: result.ok,
				...(error ? {error} : {}),
				variables: result.variables,
				executionTimeMs: result.ms,
				final: result.final,
				truncatedChars: result.truncatedChars,
			},
		});
		knownNames = new Set(result.variables.map((variable) => variable.name));
		if (result.limit === 'cancelled' || blockSignal?.aborted) throw new Cancelled();
		const failed = failedBlocks.note(!result.ok);
		if (depth === 0) limits.setRootErrors(failed);
		return result;
	};

	/** The answer of the reply asked for as the last one (out of turns, or after a limit), read as
	 * every reply is: FINAL(text) in prose counts when there is no code, FINAL_VAR(name) once the code
	 * ran. Out of turns (`runBlocks`) its code runs once and what it submits is the answer; after a
	 * limit it does not run (the run must stop: a loop of refused sub-calls would spin until the
	 * block timeout). Code that submits nothing, or does not run, leaves the run's best so far (the
	 * answer dict, then the last output), never the reply's unrun code; a reply without code is the
	 * answer as it stands. */
	const answerFromLastReply = async (reply: ModelCallResult, iteration: number, blockSignal: AbortSignal | undefined, runBlocks: boolean): Promise<string> => {
		const reading = readReply(reply.text);
		const found = findProseFinal(reading.prose, knownNames);
		if (reading.blocks.length === 0 && found?.kind !== 'var') {
			// An invisible answer is none: the caller falls back to the best it has.
			const text = found?.kind === 'text' ? found.text : reply.text.trim();
			if (!hasVisibleText(text)) return '';
			// A closed FINAL(...) is whole; a reply that is the answer as it stands may have been cut.
			if (found?.kind === 'text' || !isCutReply(reply.finishReason) || reply.finishReason === 'refusal') return text;
			cutAnswer = reply.finishReason;
			engine.emit({type: 'notice', runId, level: 'warn', code: 'reply_truncated', message: cutFinalNotice(reply.finishReason, reply.stalledMs)});
			return `${text}\n\n${cutReplyMarker(reply.finishReason, reply.stalledMs)}`;
		}
		// Numbers this reply's blocks for the tree; the run's record keeps its iterations only.
		const record: IterationRecord = {iteration, response: reply.text, codeBlocks: [], finalAnswer: null, executionTimeMs: 0, usage: zeroUsage(), finishReason: 'stop'};
		for (const {code} of runBlocks ? reading.blocks.filter((block) => block.closed) : []) {
			const result = await runCode(iteration, record, code, blockSignal);
			if (result.final !== null) return result.final;
		}
		if (found?.kind === 'var') {
			const result = await runCode(iteration, record, `FINAL_VAR(${JSON.stringify(found.name)})`, blockSignal);
			if (result.final !== null) return result.final;
		}
		return bestPartialAnswer({draft: soFar.draft, lastStdout: soFar.lastStdout, lastReply: withoutRunnableCode(reading)});
	};

	/** Lets aborted sub-calls and child runs wind down, so their usage and events land before this
	 * run reports itself done (bounded, in case one does not stop). */
	const windDown = () => Promise.race([Promise.allSettled([...inflight]), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);

	/** Ends a run a limit stopped, with the best answer it has. */
	const stopLimited = async (reached: LimitReached): Promise<CompletionResult> => {
		await windDown();
		const treeWide = limits.tripped === reached;
		// Each run of the tree stops; the root (or the run whose own limit it is) says why.
		if (depth === 0 || !treeWide) engine.emit({type: 'notice', runId, level: 'warn', code: 'limit_reached', message: `${reached.message} The run stops with the best answer it has.`});
		let answer: string = soFar.draft !== null && hasVisibleText(soFar.draft) ? soFar.draft : '';
		let refusedLast: string | undefined;
		if (!answer && finalCallAllowed(reached, treeWide)) {
			try {
				const last = messages.at(-1)!;
				if (last.role === 'user') last.content += `\n\n${limitedFinalPrompt(reached.message)}`;
				else push({role: 'user', content: limitedFinalPrompt(reached.message)});
				const reply = await modelTurn(iterationsBegun + 1, 'limited');
				// A refusal is no answer: the run keeps the best it has, and its error quotes the refusal.
				if (reply.finishReason === 'refusal') refusedLast = lastCallRefusal(reply.text);
				else if (!emptyReplyCause(reply)) answer = await answerFromLastReply(reply, iterationsBegun + 1, params.signal, false);
			} catch {
				// the best answer falls back to what the run already has
			}
		}
		if (!hasVisibleText(answer)) answer = bestSoFar();
		return finish(answer, 'limited', {code: 'limit_reached', message: refusedLast ? `${reached.message} ${refusedLast}` : reached.message}, reached.limit);
	};

	/** A last model call after a limit: never past the time limit, nor for children of a tree a
	 * shared limit stopped (each would spend more); within the token and budget caps only. */
	const finalCallAllowed = (reached: LimitReached, treeWide: boolean) => {
		if (params.signal?.aborted) return false;
		if (!treeWide) return true;
		if (depth > 0 || reached.limit === 'maxTimeout') return false;
		return limits.fits(model, estimateMessagesTokens(messages) + REPLY_RESERVE_TOKENS);
	};

	try {
		for (let iteration = 1; iteration <= maxIterations; iteration++) {
			const iterationStarted = performance.now();
			iterationsBegun = iteration;
			engine.emit({type: 'iter.start', runId, iteration, maxIterations});
			const reply = await modelTurn(iteration);
			const record: IterationRecord = {
				iteration,
				response: reply.text,
				codeBlocks: [],
				finalAnswer: null,
				executionTimeMs: 0,
				usage: reply.usage,
				finishReason: reply.finishReason,
			};
			iterations.push(record);
			const reading = readReply(reply.text);
			push({role: 'assistant', content: trimAfterLastBlock(reading)});
			// A block the token limit cut off (no closing fence) never runs; one left open by a reply that
			// ended normally does (CommonMark closes it at the end of the document).
			// So does a block of a reply whose stream the server dropped (no finish reason), or that the
			// provider's content filter stopped: it may be half.
			const cutReason = isCutReply(reply.finishReason) ? reply.finishReason : undefined;
			const cut = cutReason !== undefined;
			const blocks = reading.blocks.filter((block) => block.closed || !cut);
			const cutBlock = blocks.length < reading.blocks.length;
			if (cutReason) {
				const code = cutReason === 'content_filter' ? 'reply_filtered' : cutReason === 'refusal' ? 'reply_refused' : 'reply_truncated';
				engine.emit({type: 'notice', runId, level: 'warn', code, message: cutReplyNotice(iteration, reply.usage.outputTokens, cutBlock, cutReason, {stalledMs: reply.stalledMs, text: reply.text, droppedBy: reply.droppedBy})});
			}
			// A model that refuses again after being asked to go on in other words will not answer: one
			// line with its words, rather than a loop to the turn limit.
			if (refusedReplies.note(cutReason === 'refusal') >= 2) {
				record.executionTimeMs = performance.now() - iterationStarted;
				return finish('', 'failed', {code: 'refused', message: refusedTwiceFailure(reply.text)});
			}
			// A server that cuts replies mid-answer twice in a row (after the retries of each) is stuck: a
			// stall would wait the whole request timeout again each turn left (30 turns of 300 s), a cut
			// would be tried again each turn and blamed on the turn limit at the end. The second cut
			// reply's complete blocks still run.
			cutReplies.note(reply.stalledMs !== undefined || reply.droppedBy !== undefined);
			const cutTwice = () => (cutReplies.count >= 2 ? finish('', 'failed', cutTwiceFailure(reply)) : undefined);
			// Nothing outside the thinking: say why, nudge once, and stop at the second in a row rather
			// than loop to the turn limit.
			const empty = emptyReplyCause(reply);
			emptyReplies.note(empty !== null);
			if (empty) {
				noticeOnce(emptyReplyNotice(empty, 'model', reply.reasoning.length, model));
				record.executionTimeMs = performance.now() - iterationStarted;
				if (emptyReplies.count >= 2) return finish('', 'failed', {code: 'empty_reply', message: emptyRepliesFailure(empty, model, reply.stalledMs)});
				const stuck = cutTwice();
				if (stuck) return stuck;
				push({role: 'user', content: `${emptyReplyNudge(empty, reply.stalledMs)}\n\n${turnReminder(iteration + 1, maxIterations)}`});
				continue;
			}

			const feedback: BlockFeedback[] = [];
			let variables: VariableInfo[] = [];
			let variableCount = 0;
			let final: string | null = null;
			const runBlock = async (code: string) => {
				const result = await runCode(iteration, record, code);
				feedback.push({code, ...result});
				variables = result.variables;
				variableCount = result.variableCount ?? result.variables.length;
				return result;
			};

			for (const {code} of blocks) {
				const result = await runBlock(code);
				if (result.final !== null) {
					final = result.final;
					break;
				}
				const maxErrors = limits.caps.maxErrors;
				if (maxErrors !== undefined && failedBlocks.count >= maxErrors) {
					record.executionTimeMs = performance.now() - iterationStarted;
					push({role: 'user', content: feedbackMessage(feedback, variables, variableCount)});
					return await stopLimited(new LimitReached('maxErrors', `${failedBlocks.count} code blocks in a row failed: the run's ${limits.describe('maxErrors')} is reached.`));
				}
			}
			// The original's format: FINAL_VAR(name) in prose, resolved in the REPL once this reply's code
			// has run (only if all of it ran cleanly: the model has not seen an error yet). FINAL(text) in
			// prose counts only in a reply without code: beside code it is a guess at output not yet seen.
			const prose = final === null ? findProseFinal(reading.prose, knownNames) : null;
			if (final === null && feedback.every((block) => block.ok)) {
				if (prose?.kind === 'var') {
					const result = await runBlock(`FINAL_VAR(${JSON.stringify(prose.name)})`);
					final = result.final;
				} else if (prose?.kind === 'text' && reading.blocks.length === 0 && !cut && !hasVisibleText(prose.text)) {
					record.executionTimeMs = performance.now() - iterationStarted;
					push({role: 'user', content: `${emptyAnswerNote}\n\n${turnReminder(iteration + 1, maxIterations)}`});
					continue;
				} else if (prose?.kind === 'text' && reading.blocks.length === 0 && !cut) {
					record.executionTimeMs = performance.now() - iterationStarted;
					record.finalAnswer = prose.text;
					return finish(prose.text, 'answered');
				}
			}
			if (final === null && feedback.length === 0) {
				record.executionTimeMs = performance.now() - iterationStarted;
				const stuck = cutTwice();
				if (stuck) return stuck;
				const said = cutReason ? cutReplyNote({ranBlocks: 0, cutBlock, reason: cutReason, stalledMs: reply.stalledMs}) : noCodeNudge(reading.otherBlocks);
				push({role: 'user', content: `${said}\n\n${turnReminder(iteration + 1, maxIterations)}`});
				continue;
			}
			record.executionTimeMs = performance.now() - iterationStarted;
			if (final !== null) {
				record.finalAnswer = final;
				return finish(final, 'answered');
			}
			const stuck = cutTwice();
			if (stuck) return stuck;
			const reminder = iteration < maxIterations ? `\n\n${turnReminder(iteration + 1, maxIterations)}` : '';
			const cutNote = cutReason ? `\n\n${cutReplyNote({ranBlocks: feedback.length, cutBlock, reason: cutReason, stalledMs: reply.stalledMs})}` : '';
			// A prose FINAL(text) beside code is not taken: say so, or the model waits for a run that ended.
			const proseNote = prose?.kind === 'text' && !cut ? `\n\n${hasVisibleText(prose.text) ? proseFinalBesideCodeNote : emptyAnswerNote}` : '';
			push({role: 'user', content: feedbackMessage(feedback, variables, variableCount) + cutNote + proseNote + reminder});
		}

		// Out of turns: one last call for the best answer; the work done stays in the record.
		const last = messages.at(-1)!;
		if (last.role === 'user') last.content += `\n\n${forcedFinalPrompt}`;
		else push({role: 'user', content: forcedFinalPrompt});
		const forced = await modelTurn(maxIterations + 1, 'forced');
		const forcedEmpty = emptyReplyCause(forced);
		if (forcedEmpty) {
			noticeOnce(emptyReplyNotice(forcedEmpty, 'model', forced.reasoning.length, model));
			return finish('', 'failed', {code: 'empty_reply', message: `Out of turns, and the final answer came back empty. ${emptyRepliesFailure(forcedEmpty, model, forced.stalledMs)}`});
		}
		// A refusal is not the answer: no answer, the refusal quoted in the one-line error.
		if (forced.finishReason === 'refusal') return finish('', 'failed', {code: 'refused', message: `Out of turns: ${lastCallRefusal(forced.text)}`});
		return finish((await answerFromLastReply(forced, maxIterations + 1, signal, true)) || bestSoFar(), 'forced');
	} catch (error) {
		// A limit reached stops the tree's runs (a child's own signal aborts with its parent's block).
		const reached = limits.tripped ?? (error instanceof LimitReached ? error : null);
		if (reached) return await stopLimited(reached);
		if (error instanceof Cancelled || signal?.aborted) {
			await windDown();
			// The original's _best_partial_answer: what the run found, never an empty string when it found something.
			return finish(bestSoFar(), 'cancelled');
		}
		return finish('', 'failed', runErrorOf(error));
	}
}

/** The error of a run whose replies were cut twice in a row (`reply`: the second): a stall names
 * the request timeout; a cut, the server and how it cut. */
function cutTwiceFailure(reply: ModelCallResult): RunError {
	if (reply.stalledMs !== undefined) return {code: 'timeout', message: stalledTwiceFailure(reply.stalledMs)};
	return {code: 'server', message: droppedTwiceFailure(reply.droppedBy ?? 'the server ended the stream before the reply was finished.'), advice: DROPPED_TWICE_ADVICE};
}

/** The words for a refused last call (out of turns, or after a limit): `The model refused the
 * final answer: “…” Rephrase the question, or use another model.` */
function lastCallRefusal(text: string): string {
	return `The model refused the final answer: ${quotedRefusalSentence(text)} Rephrase the question, or use another model.`;
}

/**
 * The error of a block a run-wide limit interrupted: the limit's message (`The run's time limit
 * of 5 s (--max-timeout) is reached.`), then what Python said beneath the REPL's own first line
 * about the interrupt (the traceback: where the block was when it stopped).
 */
function limitStoppedBlock(reached: LimitReached, error: string | undefined): string {
	const traceback = error?.split('\n').slice(1).join('\n').trim();
	return `${reached.message} The block was interrupted.${traceback ? `\n${traceback}` : ''}`;
}
