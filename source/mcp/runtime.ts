// What every session of one MCP server shares: the options, the queue of runs (each in its own
// Rlm, with its own sandbox, as serve does), the lifetime ledger, and the runs in progress.
import PQueue from 'p-queue';
import type {ContextFormat} from '../context/index.js';
import {Rlm} from '../engine/rlm.js';
import type {CompletionResult, RlmOptions} from '../engine/types.js';
import {callContext} from './context.js';
import {callLimits, snakeName, type CallLimits, type LimitName} from '../protocol/limits.js';
import {quotedClip} from '../protocol/quoted.js';
import {LifetimeLedger, type LifetimeLimits} from './limits.js';
import {runProgress, type ProgressStep, type RunProgress} from './progress.js';
import {answerFields, summarizeRun, type RunSummary} from './run-log.js';
import {DEFAULT_MAX_CONCURRENT, DEFAULT_MAX_QUEUED} from '../protocol/defaults.js';
import {whenFree} from '../server/run-pool.js';

export interface McpOptions {
	/** Options of every run (model, backend, keys from the environment, sub-model, timeouts...);
	 * a call's limits and model are laid over them. */
	rlm: Omit<RlmOptions, 'logDir' | 'maxIterations' | 'maxDepth' | 'maxBudget' | 'maxTimeout' | 'maxTokens' | 'maxErrors' | 'maxSubCalls'>;
	/** Where every run's trajectory is written (`rlm-tui --replay FILE` shows it). */
	logDir: string;
	/** Models a call may name besides the root model and the sub-model. */
	allowModels?: readonly string[];
	/** Folders calls may read besides the client's roots (absolute). */
	allowDirs: readonly string[];
	/** Most bytes that folders and globs of one call may gather (as --max-context-bytes). */
	maxContextBytes?: number;
	/** Each call's caps: its own may be lower, never higher. */
	callLimits: CallLimits;
	/** What the server may spend over its whole life. */
	lifetime: LifetimeLimits;
	/** Runs at once (default 2); more wait, up to `maxQueued` (default 8), then are refused. */
	maxConcurrent?: number;
	maxQueued?: number;
	/** Milliseconds between heartbeat progress notifications during a run (default 15,000):
	 * clients that reset their tool timeout on progress keep waiting for a long model reply. */
	heartbeatMs?: number;
}

export interface QueryRequest {
	question: string;
	paths?: string[];
	context?: string;
	format?: ContextFormat;
	model?: string;
	limits: CallLimits;
}

export interface QueryOutcome {
	result: CompletionResult;
	summary: RunSummary;
	/** The limits the run had. */
	limits: CallLimits;
	/** The limit that stopped the run (status limited): the engine's name, or totalBudget /
	 * totalTokens when it was the run's share of the server's lifetime limit; maxIterations with
	 * status forced. */
	limit?: LimitName | 'maxIterations' | 'totalBudget' | 'totalTokens';
	/** Things the agent should know: asks lowered, files skipped. */
	notes: string[];
}

interface LiveRun {
	runId: string;
	progress: RunProgress;
	file: () => string | undefined;
}

/** A call the server refuses before running it; its message is the tool error. */
export class CallRefused extends Error {}

export class McpRuntime {
	readonly ledger: LifetimeLedger;
	readonly #queue: PQueue;
	readonly #live = new Map<string, LiveRun>();
	readonly #closing = new AbortController();
	#pending = 0;
	#idle: Array<() => void> = [];

	constructor(readonly options: McpOptions) {
		this.ledger = new LifetimeLedger(options.lifetime);
		this.#queue = new PQueue({concurrency: options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT});
	}

	/** The models a call may name. */
	get models(): string[] {
		const {model, subModel} = this.options.rlm;
		return [...new Set([model, ...(subModel ? [subModel] : []), ...(this.options.allowModels ?? [])].filter(Boolean))];
	}

	/** Runs in progress, newest first. */
	liveRuns(): RunSummary[] {
		const now = performance.now();
		return [...this.#live.values()]
			.reverse()
			.map((live) => summarizeRun(live.progress.tree, live.runId, {now, ...(live.progress.costUsd !== undefined ? {costUsd: live.progress.costUsd} : {}), ...(live.file() ? {file: live.file()!} : {})}))
			.filter((summary): summary is RunSummary => summary !== null);
	}

	/** A run in progress, by its id. */
	liveRun(runId: string): RunSummary | null {
		return this.liveRuns().find((run) => run.run_id === runId) ?? null;
	}

	/**
	 * Runs one rlm_query. `folders` gives the allowed folders (asked when paths need them).
	 * @throws CallRefused (a model not allowed, the queue full, the lifetime limits spent),
	 * ContextLoadError (a path outside the folders, too big...), or an abort error when `signal`
	 * aborts before the run starts. A run that starts always resolves, cancelled or not.
	 */
	async query(request: QueryRequest, call: {folders: () => Promise<string[]>; signal: AbortSignal; onProgress?: (step: ProgressStep) => void}): Promise<QueryOutcome> {
		const model = request.model ?? this.options.rlm.model;
		if (request.model !== undefined && !this.models.includes(request.model))
			throw new CallRefused(`Model ${quotedClip(request.model)} is not one this server runs: use one of ${this.models.join(', ')} (start rlm-tui mcp with --allow-models to allow more).`);
		const {limits, lowered} = callLimits(this.options.callLimits, request.limits);
		const loaded = await callContext(request, request.paths?.length ? [...(await call.folders()), ...this.options.allowDirs] : [], {
			...(this.options.maxContextBytes ? {maxContextBytes: this.options.maxContextBytes} : {}),
		});
		const capacity = (this.options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT) + (this.options.maxQueued ?? DEFAULT_MAX_QUEUED);
		if (this.#pending >= capacity) throw new CallRefused(`Too many rlm_query calls at once (${capacity} running or waiting): try again when one has finished.`);
		const signal = AbortSignal.any([call.signal, this.#closing.signal]);
		this.#pending++;
		try {
			return await whenFree(this.#queue, signal, async () => {
				signal.throwIfAborted();
				const reservation = await this.ledger.reserve({...(limits.maxBudget !== undefined ? {maxBudget: limits.maxBudget} : {}), ...(limits.maxTokens !== undefined ? {maxTokens: limits.maxTokens} : {})}, signal).catch((error: unknown) => {
					throw signal.aborted ? error : new CallRefused((error as Error).message);
				});
				const runLimits: CallLimits = {...limits, ...(reservation.maxBudget !== undefined ? {maxBudget: reservation.maxBudget} : {}), ...(reservation.maxTokens !== undefined ? {maxTokens: reservation.maxTokens} : {})};
				const fromTotal = Object.entries(reservation.fromTotal);
				const limitLabels = Object.fromEntries(fromTotal.map(([name, share]) => [name, share.label]));
				const rlm = new Rlm({...this.options.rlm, model, logDir: this.options.logDir, ...engineLimits(runLimits), ...(fromTotal.length ? {limitLabels} : {}), origin: 'mcp'});
				const progress = runProgress((step) => call.onProgress?.(step));
				let runId: string | undefined;
				rlm.on('event', (event) => {
					progress.onEvent(event);
					if (event.type === 'run.start' && event.depth === 0 && runId === undefined) {
						runId = event.runId;
						this.#live.set(runId, {runId, progress, file: () => rlm.logFiles.at(-1)});
					}
				});
				let result: CompletionResult | undefined;
				const heartbeat = call.onProgress ? setInterval(() => progress.heartbeat(), this.options.heartbeatMs ?? 15_000) : undefined;
				try {
					result = await rlm.completion(request.question, {...(loaded.context !== undefined ? {context: loaded.context} : {}), signal});
				} finally {
					clearInterval(heartbeat);
					reservation.settle({usd: progress.costUsd ?? 0, tokens: result?.usage.totalTokens ?? treeTokens(progress)});
					if (runId) this.#live.delete(runId);
					await rlm.dispose();
				}
				const file = rlm.logFiles.at(-1);
				const summary = summarizeRun(progress.tree, result.runId, {...(progress.costUsd !== undefined ? {costUsd: progress.costUsd} : {}), ...(file ? {file} : {})});
				const limit = result.limit === 'maxTokens' && reservation.fromTotal.maxTokens ? 'totalTokens' : result.limit === 'maxBudget' && reservation.fromTotal.maxBudget ? 'totalBudget' : result.limit;
				return {
					result,
					summary: summary ?? fallbackSummary(result, model, request.question, file),
					limits: runLimits,
					...(limit ? {limit} : {}),
					notes: [...lowered.map((line) => `${line}.`), ...fromTotal.flatMap(([, share]) => (share.note ? [`${share.note}.`] : [])), ...loaded.notes],
				};
			});
		} finally {
			this.#pending--;
			if (this.#pending === 0) for (const wake of this.#idle.splice(0)) wake();
		}
	}

	/** Stops every run (they end cancelled, their trajectories written) and refuses new ones;
	 * resolves once they have ended, or after `waitMs` milliseconds at most. */
	async close(waitMs = 5_000): Promise<void> {
		this.#closing.abort(new Error('the MCP server is shutting down'));
		if (this.#pending === 0) return;
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([
			new Promise<void>((resolve) => this.#idle.push(resolve)),
			new Promise<void>((resolve) => {
				timer = setTimeout(resolve, waitMs);
			}),
		]);
		clearTimeout(timer);
	}
}


const treeTokens = (progress: RunProgress) => progress.tree.usage.inputTokens + progress.tree.usage.outputTokens;

/** A call's caps as the engine's options (the run-wide ones cover the call's whole tree). */
function engineLimits(limits: CallLimits): Partial<RlmOptions> {
	return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}

/** A run that failed before it started (no events): the summary from its result. */
function fallbackSummary(result: CompletionResult, model: string, question: string, file: string | undefined): RunSummary {
	const {inputTokens, outputTokens} = result.usage;
	return {
		run_id: result.runId,
		status: result.status,
		question,
		model,
		...answerFields(result.status, result.response),
		iterations: result.iterations.length,
		max_iterations: 0,
		code_blocks: 0,
		failed_blocks: 0,
		sub_calls: 0,
		failed_sub_calls: 0,
		usage: {input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens},
		ms: Math.round(result.executionTimeMs),
		...(result.error ? {error: result.error} : {}),
		...(result.errorCode ? {error_code: result.errorCode} : {}),
		...(file ? {trajectory_file: file} : {}),
	};
}

/** The limits a call ran with, in the tool's names. */
export function limitsOut(limits: CallLimits): Record<string, number> {
	return Object.fromEntries(Object.entries(limits).map(([name, value]) => [snakeName(name), value as number]));
}
