// Rlm: the library's front door. Owns one chat session (a persistent REPL and its history),
// runs completions one at a time, and emits every event of the tree it runs.
import {EventEmitter} from 'node:events';
import {createBackend} from '../backends/create.js';
import {redactingBackend, secretsOf} from '../backends/redacting-backend.js';
import {raceAbort} from '../backends/errors.js';
import {Withdrawal} from '../protocol/withdrawal.js';
import {MODEL_ALIASES, resolveModelAlias} from '../backends/model-aliases.js';
import {listsModel} from '../protocol/listed-model.js';
import {DEFAULT_ANTHROPIC_BASE_URL, defaultModelOf, isAzureURL, OPENAI_API_BASE_URL, presetOf, type BackendKind} from '../protocol/backends.js';
import type {Backend} from '../backends/types.js';
import type {ExecResult, HistoryEntry, JsonValue, Repl, ReplFactory, ReplOptions, RunOptions, SandboxContext, ToolOutcome, VariableInfo} from '../protocol/repl.js';
import type {EngineContext, SettledOptions} from './engine-context.js';
import {contextInfo, matchesLoggedShape} from './context-info.js';
import type {ContextInfo, RlmEvent, RlmEventBody, SystemPromptChoice} from '../protocol/events.js';
import {DEFAULT_MAX_SUB_CALLS, type LimitCaps} from '../protocol/limits.js';
import {HostPool} from './host-pool.js';
import {RunLimits} from './run-limits.js';
import {newId} from './ids.js';
import {CodedError, runErrorOf} from '../protocol/errors.js';
import {runChild} from './child-run.js';
import {runLoop} from './run-loop.js';
import {loadTools, type ToolInfo} from './tools.js';
import {checkHostTools, giveHostTools} from './host-tools.js';
import {sandboxRepls} from './sandbox-repls.js';
import {defaultLogDir, TrajectoryLogger, type LogRunInfo, type RunStartBody} from '../trajectory/jsonl-log.js';
import {systemPromptChoice} from './prompts.js';
import {splitBaseURL} from '../backends/base-url.js';
import {randomBytes} from 'node:crypto';
import {errorHeadline, type ResumeTurn} from '../trajectory/resume.js';
import {contextFingerprint} from '../trajectory/context-fingerprint.js';
import type {TrajectoryLog} from '../trajectory/read-log.js';

import {findLastSession, type ResumeLastResult, type ResumeSummary} from './last-session.js';

export type {ResumeLastResult, ResumeSummary} from './last-session.js';
import type {CompletionLimits, CompletionOptions, CompletionResult, RlmOptions} from './types.js';
import {DEFAULT_MAX_DEPTH, DEFAULT_MAX_ITERATIONS, DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIMEOUT_SECONDS, MAX_MEMORY_LIMIT_MB, MIN_MEMORY_LIMIT_MB} from '../protocol/defaults.js';

/** The limits a completion set, without keys given as undefined (they would clear the Rlm's). */
function definedOnly(limits: CompletionLimits): CompletionLimits {
	const out: CompletionLimits = {};
	for (const key of ['maxBudget', 'maxTimeout', 'maxTokens', 'maxErrors', 'maxSubCalls'] as const) if (limits[key] !== undefined) out[key] = limits[key];
	return out;
}

/** @throws RangeError for a memory limit outside what a REPL can work in (protocol/defaults.ts). */
function checkMemoryLimit(options: Partial<RlmOptions>): void {
	const mb = options.memoryLimitMb;
	if (mb === undefined) return;
	if (!Number.isFinite(mb) || mb < MIN_MEMORY_LIMIT_MB || mb > MAX_MEMORY_LIMIT_MB) {
		throw new RangeError(`memoryLimitMb ${String(mb)} is out of range: from ${MIN_MEMORY_LIMIT_MB} to ${MAX_MEMORY_LIMIT_MB} (MiB).`);
	}
}

/** Prompts up to this size are shown to the root model even when they are also the context. */
const maxInlineQuestionChars = 4000;

export const DEFAULTS = {
	maxIterations: DEFAULT_MAX_ITERATIONS,
	maxDepth: DEFAULT_MAX_DEPTH,
	timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
	memoryLimitMb: DEFAULT_MEMORY_LIMIT_MB,
	maxConcurrency: 16,
	maxChildConcurrency: 4,
	maxOutputChars: 20_000,
	maxSubCalls: DEFAULT_MAX_SUB_CALLS,
	maxBatchPrompts: 1000,
	maxPromptBytes: 4 * 1024 * 1024,
	maxHosts: 5,
} as const;

export interface RlmEvents {
	event: [RlmEvent];
}

/** True when `baseURL` is the provider's own API for `kind` (its aliases are its own model ids);
 * an Anthropic backend without a URL goes there. */
function isProviderHost(kind: BackendKind, baseURL: string | undefined): boolean {
	const own = kind === 'openai' ? OPENAI_API_BASE_URL : kind === 'anthropic' ? DEFAULT_ANTHROPIC_BASE_URL : undefined;
	if (own === undefined) return false;
	if (baseURL === undefined) return kind === 'anthropic';
	try {
		return new URL(baseURL).host === new URL(own).host;
	} catch {
		return false;
	}
}

/** What Rlm.modelForServer did with the model: kept it, chose the server's first, or could not check. */
export type ServerModelChoice =
	| {status: 'kept'; model: string}
	| {status: 'chosen'; model: string; replaced: string; listed: number}
	| {status: 'unlisted'; model: string; listed: number}
	| {status: 'unchecked'; model: string; error: unknown};

export class Rlm extends EventEmitter<RlmEvents> {
	#options: RlmOptions;
	#backend: Backend;
	/** The sub-call backend, when sub-calls go elsewhere (subBackend / subBaseURL / subBackendInstance). */
	#subBackend: Backend | null = null;
	#sandbox: Promise<Repl> | null = null;
	#history: HistoryEntry[] = [];
	#variables: VariableInfo[] = [];
	/** The session's context; undefined means "each prompt is its own context". */
	#context: SandboxContext | null | undefined = undefined;
	#contextLoaded: SandboxContext | null | undefined = undefined;
	#queue: Promise<unknown> = Promise.resolve();
	/** The last sandbox preparation; the next one waits for it (a run can end before it does). */
	#preparing: Promise<unknown> = Promise.resolve();
	#disposed = false;
	/** Aborted by dispose(): stops whatever run is still going. */
	readonly #life = new AbortController();
	#logger: TrajectoryLogger | null = null;
	#turns = 0;
	/** The session REPL's tools, once its tools file ran (null: not yet). */
	#tools: ToolInfo[] | null = null;
	/** Turns begun in the session's REPL: Python's context_0 … context_{n-1}. */
	#contextCount = 0;
	#sessionId = randomBytes(4).toString('hex');
	/** Puts the cost on the events that can carry it. */
	#hosts: HostPool;

	/** The model this session last used on each backend (a switch back to one takes it again). */
	readonly #sessionModels = new Map<string, string>();
	/** The last sub-model notice said (#subModelNotice). */
	#subModelTold: string | undefined;

	constructor(options: RlmOptions) {
		super();
		checkMemoryLimit(options);
		this.#options = {...options, ...(options.tools !== undefined ? {tools: checkHostTools(options.tools)} : {})};
		if (options.sessionId !== undefined) {
			if (!/^[0-9a-f]{8}$/.test(options.sessionId)) throw new Error(`sessionId must be 8 hex digits, not ${JSON.stringify(options.sessionId)}`);
			this.#sessionId = options.sessionId;
		}
		this.#backend = this.#buildBackend();
		this.#rememberModel();
		this.#hosts = new HostPool(options.maxHosts ?? DEFAULTS.maxHosts);
		this.#subBackend = this.#buildSubBackend();
	}

	get options(): Readonly<RlmOptions> {
		return this.#options;
	}

	/** The earlier turns as questions and answers (the messages behind Python's history_N are not included). */
	get history(): HistoryEntry[] {
		return this.#history.map((entry) => ({question: entry.question, answer: entry.answer}));
	}

	/** Changes options from the next call on; the session's REPL and history are kept. */
	configure(patch: Partial<RlmOptions>): void {
		checkMemoryLimit(patch);
		const next = {...this.#options, ...patch, ...(patch.tools !== undefined ? {tools: checkHostTools(patch.tools)} : {})};
		// A sub-model set now is no longer the one its launch source chose.
		if ('subModel' in patch && !('subModelSource' in patch)) delete next.subModelSource;
		if ('contextWindow' in patch && !('contextWindowName' in patch)) delete next.contextWindowName;
		const backendChanged =
			'backend' in patch ||
			'baseURL' in patch ||
			'apiKey' in patch ||
			'headers' in patch ||
			'backendInstance' in patch ||
			'requestTimeoutMs' in patch;
		const subChanged = 'subBackend' in patch || 'subBaseURL' in patch || 'subApiKey' in patch || 'subBackendInstance' in patch || 'requestTimeoutMs' in patch;
		const previous = this.#options;
		this.#options = next;
		if ('maxHosts' in patch) this.#hosts = new HostPool(next.maxHosts ?? DEFAULTS.maxHosts);
		try {
			const backend = backendChanged ? this.#buildBackend() : this.#backend;
			const sub = subChanged ? this.#buildSubBackend() : this.#subBackend;
			this.#backend = backend;
			this.#subBackend = sub;
		} catch (error) {
			this.#options = previous;
			throw error;
		}
		this.#rememberModel();
	}

	/** The model this session last used on `backend` (a kind or preset name): what a switch back to
	 * it should take (it wins over the launch flags and the saved settings); undefined when none. */
	sessionModel(backend: string): string | undefined {
		return this.#sessionModels.get(backend);
	}

	/** The model id a run on a backend of `kind` sends for `name`: its alias (`sonnet`, `4o`)
	 * resolved (backends/model-aliases.ts), else `name` as it is. */
	static modelId(kind: BackendKind, name: string): string {
		return resolveModelAlias(kind, name);
	}

	/** The short names (`sonnet`, `4o`) the backend in use resolves, alias to model id
	 * (backends/model-aliases.ts); empty for a backend without any (the demo). On a server other
	 * than the provider's own (api.openai.com, api.anthropic.com), only the aliases whose model is
	 * in `listed`, the server's list (none when it is not known): a local server has no `gpt-4o`. */
	modelAliases(listed?: readonly string[]): Readonly<Record<string, string>> {
		const aliases = MODEL_ALIASES[this.#backend.kind] ?? {};
		if (isProviderHost(this.#backend.kind, this.#backend.baseURL)) return {...aliases};
		return Object.fromEntries(Object.entries(aliases).filter(([, id]) => listed !== undefined && listsModel(listed, id)));
	}

	#rememberModel(): void {
		const model = this.#options.model.trim();
		if (model) this.#sessionModels.set(this.#options.backend ?? 'openai', model);
	}

	/** Replaces the session's earlier turns (e.g. a chat transcript from an API client). */
	setHistory(history: HistoryEntry[]): void {
		this.#history = history.map((entry) => ({question: entry.question, answer: entry.answer}));
	}

	setContext(context: SandboxContext | null): void {
		this.#context = context;
	}

	/** The context the session's next question gets: what setContext or a completion's `context`
	 * set, or what a resume brought back from the log; undefined or null: each question is its own. */
	get sessionContext(): SandboxContext | null | undefined {
		return this.#context;
	}

	listModels(signal?: AbortSignal): Promise<string[]> {
		return this.#backend.listModels(signal);
	}

	async checkBackend(signal?: AbortSignal): Promise<void> {
		await this.#backend.listModels(signal);
	}

	/** With no model set (a vLLM, LM Studio or llama.cpp preset), the first model the server lists
	 * becomes the model. Returns it; undefined when a model is set or the server lists none.
	 * Throws what the backend's listModels throws (BackendError). */
	async chooseServerModel(signal?: AbortSignal): Promise<string | undefined> {
		if (this.#options.model.trim()) return undefined;
		const [first] = await this.#backend.listModels(signal);
		if (!first || this.#options.model.trim()) return undefined;
		this.#options = {...this.#options, model: first};
		this.#rememberModel();
		return first;
	}

	/**
	 * After a switch to another server (/backend): the model checked against the server's list.
	 * `kept`: the server lists the model (protocol/listed-model.ts), lists none, or the model
	 * changed meanwhile; `chosen`: it does not list it (or none was set), so its first listed model
	 * became the model (`replaced`: the one before, '' for none; `listed`: how many it lists);
	 * `unlisted`: a hosted API (OpenAI, Anthropic, Azure, a preset that needs a key) does not list
	 * it: kept, as its first listed model may be no chat model;
	 * `unchecked`: the list could not be read (`error`, what listModels threw), the model is kept.
	 */
	async modelForServer(signal?: AbortSignal): Promise<ServerModelChoice> {
		const before = this.#options.model.trim();
		const backend = this.#backend;
		let listed: string[];
		try {
			listed = await backend.listModels(signal);
		} catch (error) {
			return {status: 'unchecked', model: before, error};
		}
		const [first] = listed;
		if (!first || listsModel(listed, before) || this.#options.model.trim() !== before || this.#backend !== backend) return {status: 'kept', model: this.#options.model.trim()};
		// A hosted API's first listed model may be no chat model at all (OpenAI's whisper-1, dall-e-3).
		if (before && this.#hostedAPI()) return {status: 'unlisted', model: before, listed: listed.length};
		this.#options = {...this.#options, model: first};
		this.#rememberModel();
		return {status: 'chosen', model: first, replaced: before, listed: listed.length};
	}

	/** The provider's own API, Azure, or a preset that needs a key (not a server someone runs). */
	#hostedAPI(): boolean {
		const {kind, baseURL} = this.#backend;
		return isProviderHost(kind, baseURL) || (baseURL !== undefined && isAzureURL(baseURL)) || presetOf(this.#options.backend ?? '')?.needsKey === true;
	}

	/** Starts the sandbox now, so the first question does not wait for it. */
	async warmUp(): Promise<void> {
		await this.#session();
	}

	async resetSession(): Promise<void> {
		// A fresh session logs as a new one, so --resume never brings back what /clear dropped. Its
		// name and turn count change now, in call order: a question asked after this call is its turn 1.
		this.#sessionId = randomBytes(4).toString('hex');
		this.#turns = 0;
		await this.#enqueue(async () => {
			const old = this.#sandbox;
			this.#sandbox = null;
			this.#history = [];
			this.#variables = [];
			this.#contextLoaded = undefined;
			this.#contextCount = 0;
			this.#tools = null;
			this.#logger?.dispose();
			this.#logger = null;
			if (old) await (await old.catch(() => null))?.dispose();
		});
	}

	/**
	 * Takes the question in now: its turn and session are set in call order, and it is in the log at
	 * once (marked queued) while it waits for `options.after` and for what this Rlm runs before it
	 * (a resume re-running its code, an earlier question). A process killed meanwhile leaves it there.
	 */
	completion(prompt: string, options: CompletionOptions = {}): Promise<CompletionResult> {
		if (this.#disposed) return Promise.reject(new Error('This Rlm has been disposed'));
		const intake = this.#intake(prompt, options);
		const withdrawal = this.#watchWithdrawal(intake, options.signal);
		const run = (taken: Intake) => this.#enqueue(async () => (withdrawal.begin() ? this.#complete(prompt, options, taken) : withdrawnResult(intake.runId)));
		const {after} = options;
		if (after === undefined) return run(intake);
		// Waited for outside the queue: what it waits for may itself wait in the queue (a /resume).
		// A cancel meanwhile ends the wait; the run then logs the question as cancelled.
		return raceAbort(Promise.resolve(after), options.signal).then(
			() => run(intake),
			// Cancelled before what it waited for was done: the context it would have had is not known.
			() => (withdrawal.withdrawn() ? withdrawnResult(intake.runId) : run({...intake, ...(options.context === undefined ? {contextPending: true as const} : {})})),
		);
	}

	/**
	 * Until its run begins, a question whose signal is aborted with a Withdrawal is taken back at
	 * once (in the abort's own call, so a question asked right after gets the turn number back):
	 * its queued log file is removed and its turn given back. Only the last question taken in can
	 * be: an earlier one's number is held by those after it, so it ends as a cancelled turn.
	 */
	#watchWithdrawal(intake: Intake, signal: AbortSignal | undefined): {begin: () => boolean; withdrawn: () => boolean} {
		let withdrawn = false;
		const onAbort = () => {
			if (!(signal?.reason instanceof Withdrawal) || intake.sessionId !== this.#sessionId || intake.turn !== this.#turns) return;
			withdrawn = true;
			this.#turns--;
			if (intake.queuedPath) this.#trajectoryLogger()?.withdrawTurn(intake.queuedPath);
		};
		signal?.addEventListener('abort', onAbort, {once: true});
		return {
			begin: () => {
				signal?.removeEventListener('abort', onAbort);
				return !withdrawn;
			},
			withdrawn: () => withdrawn,
		};
	}

	/** A question taken in: its run id, turn and session, and the file its queued line went to. */
	#intake(prompt: string, options: CompletionOptions): Intake {
		const runId = options.takenIn?.runId ?? newId('run');
		const turn = ++this.#turns;
		const sessionId = this.#sessionId;
		const given = options.context !== undefined ? options.context : this.#context;
		const ownContext = given === undefined || given === null;
		const context = ownContext ? prompt : given;
		// What it waits for (`after`: a /context still reading, a resume) may set the context: its
		// queued line says none until its run starts (it is not its own context meanwhile).
		const contextPending = options.after !== undefined && options.context === undefined ? {contextPending: true as const} : {};
		const logger = this.#trajectoryLogger();
		const queuedPath = logger?.queueTurn({runId, turn, sessionId, question: prompt, context, contextIsPrompt: ownContext, ...contextPending}, this.#runStart(runId, prompt, contextInfo(context), options), options.takenIn?.path);
		return {runId, turn, sessionId, ...(queuedPath ? {queuedPath} : {})};
	}

	async dispose(): Promise<void> {
		this.#disposed = true;
		this.#life.abort(new Error('disposed'));
		this.#logger?.dispose();
		const sandbox = this.#sandbox;
		this.#sandbox = null;
		if (sandbox) await (await sandbox.catch(() => null))?.dispose();
		// A first start writes the snapshot in the background: let it land before the process ends.
		await this.#repls().settled?.();
	}

	async #complete(prompt: string, options: CompletionOptions, intake: Intake): Promise<CompletionResult> {
		if (this.#disposed) throw new Error('This Rlm has been disposed');
		if (options.context !== undefined) this.#context = options.context;
		const ownContext = this.#context === undefined || this.#context === null;
		const context = ownContext ? prompt : this.#context!;
		const {runId, turn, sessionId, queuedPath} = intake;
		const info = contextInfo(context);
		// Cancelled while it waited for `after`: a cancelled turn, as a cancel during the waits below is.
		const cancelledWaiting = options.after !== undefined && options.signal?.aborted === true;
		const pending = cancelledWaiting && intake.contextPending ? {contextPending: true as const} : {};
		// The question is in the log before anything it waits for: a process killed meanwhile leaves it there.
		const turnInfo = () => ({runId, turn, sessionId, question: prompt, context, contextIsPrompt: ownContext, ...pending, ...(queuedPath ? {queuedPath} : {}), ...(this.#options.subModel ? {subModel: this.#options.subModel} : {})});
		this.#trajectoryLogger()?.beginTurn(turnInfo(), this.#runStart(runId, prompt, info, options));
		const notStarted = (error: unknown) => this.#failedBeforeStart(this.#runStart(runId, prompt, info, options), error, options.signal);
		if (cancelledWaiting) return notStarted(new Error('cancelled before it started'));
		// No model chosen (a vLLM, LM Studio or llama.cpp preset): the first one the server lists.
		let chosenNotice: string | undefined;
		if (!this.#options.model.trim()) {
			try {
				const first = await this.chooseServerModel(options.signal);
				if (!first) throw new CodedError('no_model', `${this.#backend.baseURL ?? 'The server'} lists no models: pass -m MODEL (/model in the app).`);
				chosenNotice = `Using ${first}, the first model ${this.#backend.baseURL ?? 'the server'} lists (choose another with -m or /model).`;
			} catch (error) {
				return notStarted(error);
			}
		}
		// Sub-calls on another backend with no model named: the first one that server lists.
		if (this.#subBackend && !this.#subModelName()) {
			try {
				const [first] = await this.#subBackend.listModels(options.signal);
				if (!first) throw new Error(`${this.#subBackend.baseURL ?? 'The sub backend'} lists no models: pass --sub-model MODEL (/set sub-model in the app).`);
				this.#options = {...this.#options, subModel: first, subModelSource: `the first model ${this.#subBackend.baseURL ?? 'the sub backend'} lists`};
			} catch (error) {
				return notStarted(error);
			}
		}
		const subModelNotice = this.#subModelNotice();
		if (subModelNotice) chosenNotice = chosenNotice ? `${chosenNotice} ${subModelNotice}` : subModelNotice;
		const settled = this.#settle(options);
		const engine = this.#engineContext(settled, runId);
		const rootSlot = this.#hosts.root();
		if (chosenNotice) {
			// Said inside the run, just after it starts.
			const emit = engine.emit;
			let pending: string | undefined = chosenNotice;
			engine.emit = (event) => {
				emit(event);
				if (pending && event.type === 'run.start' && event.runId === runId) {
					emit({type: 'notice', runId, level: 'info', code: 'model_chosen', message: pending});
					pending = undefined;
				}
			};
		}
		// The sandbox gets ready while the first model call is under way; blocks wait for it.
		// This turn's context is the next of Python's context_0 … context_N.
		const contextCount = this.#contextCount + 1;
		const previous = this.#preparing;
		const ready = previous.then(() => this.#prepareSandbox(context));
		this.#preparing = ready.catch(() => undefined);
		const repl = {
			run: async (code: string, runOptions?: RunOptions) => {
				let prepared: Repl;
				try {
					prepared = await raceAbort(ready, runOptions?.signal);
				} catch (error) {
					if (runOptions?.signal?.aborted) return cancelledBlock();
					throw new CodedError('sandbox', `The Python sandbox could not start: ${error instanceof Error ? error.message : String(error)}`);
				}
				return prepared.run(code, runOptions);
			},
		};
		// With a tools file, the first call waits for it: the tools are listed in the system prompt.
		if (this.#options.toolsCode) {
			try {
				await raceAbort(ready, options.signal);
			} catch (error) {
				engine.limits.dispose();
				rootSlot.release();
				return notStarted(error);
			}
		}
		const toolsCode = this.#options.toolsCode;
		let turnMessages: HistoryEntry['messages'];
		// What the waits settled (a sub-model the sub backend lists first) goes in the run's log.
		this.#trajectoryLogger()?.beginTurn(turnInfo());
		let result: CompletionResult;
		try {
			result = await runLoop(engine, {
				runId,
				depth: 0,
				model: settled.model,
				question: ownContext && prompt.length > maxInlineQuestionChars ? null : prompt,
				displayQuestion: prompt,
				context: info,
				repl,
				hostSlot: rootSlot,
				historyTurns: this.#history.length,
				contextCount,
				...(this.#tools?.length ? {tools: this.#tools, toolsSource: this.#options.toolsSource ?? 'tools'} : {}),
				...(toolsCode ? {reloadTools: () => loadTools(repl, toolsCode, this.#options.toolsSource ?? 'tools', this.#timeoutSeconds())} : {}),
				variables: this.#variables,
				signal: options.signal ? AbortSignal.any([options.signal, this.#life.signal]) : this.#life.signal,
				...(options.instructions ? {instructions: options.instructions} : {}),
				onMessages: (messages) => {
					turnMessages = messages.map((message) => ({role: message.role, content: message.content}));
				},
			});
		} finally {
			engine.limits.dispose();
			rootSlot.release();
		}
		const lastBlocks = result.iterations.flatMap((iteration) => iteration.codeBlocks);
		if (lastBlocks.length) this.#variables = lastBlocks.at(-1)!.result.variables;
		if (result.status === 'answered' || result.status === 'forced' || (result.status === 'limited' && result.response))
			this.#history.push({question: prompt, answer: result.response, ...(turnMessages ? {messages: turnMessages} : {})});
		return result;
	}

	/** A root run's start as its run.start tells it: what the log records of a question from the moment it is asked. */
	#runStart(runId: string, prompt: string, context: ContextInfo, options: CompletionOptions): RunStartBody {
		const settled = this.#settle(options);
		const system = systemPromptChoice(settled.system, options.instructions);
		return {type: 'run.start', runId, depth: 0, model: settled.model, backend: this.#backendLabels().root, question: prompt, context, maxIterations: settled.maxIterations, ...(system ? {system} : {})};
	}

	/** A run that could not begin (no model to use, a tools file that failed, a cancel while it
	 * waited): its start and end, and the failed (or cancelled) result. */
	#failedBeforeStart(start: RunStartBody, error: unknown, signal: AbortSignal | undefined): CompletionResult {
		const {runId} = start;
		const engine = this.#engineContext(this.#settle(), runId);
		engine.limits.dispose();
		const usage = {inputTokens: 0, outputTokens: 0};
		engine.emit(start);
		// A cancel is no failure, whatever the wait it cut threw: the run says so as a cancelled run does.
		if (signal?.aborted) {
			engine.emit({type: 'run.done', runId, answer: '', status: 'cancelled', usage, ms: 0, iterations: 0});
			return {response: '', status: 'cancelled', iterations: [], usage: {...usage, totalTokens: 0}, executionTimeMs: 0, runId};
		}
		const {code, message, advice} = runErrorOf(error);
		engine.emit({type: 'run.done', runId, answer: '', status: 'failed', usage, ms: 0, iterations: 0, error: message, errorCode: code});
		return {response: '', status: 'failed', iterations: [], usage: {...usage, totalTokens: 0}, executionTimeMs: 0, runId, error: message, errorCode: code, ...(advice ? {errorAdvice: advice} : {})};
	}

	/** Loads `context` unless the sandbox holds it already, and opens a turn: the history, the host tools. */
	async #enterTurn(sandbox: Repl, context: SandboxContext): Promise<void> {
		if (this.#contextLoaded !== context) {
			await sandbox.setContext(context);
			this.#contextLoaded = context;
		}
		await sandbox.beginTurn(this.#history);
		this.#contextCount++;
		await giveHostTools(sandbox, this.#options.tools);
	}

	async #prepareSandbox(context: SandboxContext): Promise<Repl> {
		const starting = this.#session();
		try {
			const sandbox = await starting;
			await this.#enterTurn(sandbox, context);
			if (this.#options.toolsCode && this.#tools === null) this.#tools = await loadTools(sandbox, this.#options.toolsCode, this.#options.toolsSource ?? 'tools', this.#timeoutSeconds());
			return sandbox;
		} catch (error) {
			// Drop only the sandbox this preparation used (a /clear may have started another).
			if (this.#sandbox === starting) {
				this.#sandbox = null;
				this.#contextLoaded = undefined;
				this.#contextCount = 0;
				this.#tools = null;
			}
			await (await starting.catch(() => null))?.dispose();
			throw error;
		}
	}

	#session(): Promise<Repl> {
		if (this.#disposed) return Promise.reject(new Error('This Rlm has been disposed'));
		let sandbox = this.#sandbox;
		if (!sandbox) {
			const starting = this.#repls().start(this.#replOptions());
			starting.catch(() => {
				if (this.#sandbox === starting) this.#sandbox = null;
			});
			this.#sandbox = sandbox = starting;
		}
		return sandbox;
	}

	/** Where this Rlm's REPLs come from. */
	#repls(): ReplFactory {
		return this.#options.replFactory ?? sandboxRepls;
	}

	#timeoutSeconds(): number {
		return this.#options.timeoutSeconds ?? DEFAULTS.timeoutSeconds;
	}

	#replOptions(): ReplOptions {
		return {
			timeoutMs: this.#timeoutSeconds() * 1000,
			maxOutputChars: this.#options.maxOutputChars ?? DEFAULTS.maxOutputChars,
			memoryLimitMb: this.#options.memoryLimitMb ?? DEFAULTS.memoryLimitMb,
			...(this.#options.memoryLimitName ? {memoryLimitName: this.#options.memoryLimitName} : {}),
			...(this.#options.cacheDir ? {cacheDir: this.#options.cacheDir} : {}),
		};
	}

	/** The options a completion runs with; `perCall` limits win over the Rlm's. */
	#settle(perCall: CompletionLimits = {}): SettledOptions {
		const o = this.#options;
		// Short names (`sonnet`, `4o`) mean their backend's model, however the options were set.
		const kind = this.#backend.kind;
		const resolveModel = (name: string) => resolveModelAlias(kind, name);
		const model = resolveModel(o.model);
		const subModel = this.#subModelId();
		return {
			model,
			subModel,
			limits: this.#limitCaps(perCall),
			limitDefaults: this.#options.maxSubCalls === undefined && perCall.maxSubCalls === undefined ? ['maxSubCalls'] : [],
			...(o.limitLabels ? {limitLabels: o.limitLabels} : {}),
			allowedModels: new Set([model, subModel, ...(o.allowModels ?? []).map(resolveModel)]),
			maxBatchPrompts: o.maxBatchPrompts ?? DEFAULTS.maxBatchPrompts,
			maxPromptBytes: o.maxPromptBytes ?? DEFAULTS.maxPromptBytes,
			resolveModel,
			temperature: o.temperature,
			maxOutputTokens: o.maxOutputTokens,
			maxIterations: o.maxIterations ?? DEFAULTS.maxIterations,
			maxDepth: o.maxDepth ?? DEFAULTS.maxDepth,
			maxConcurrency: o.maxConcurrency ?? DEFAULTS.maxConcurrency,
			maxChildConcurrency: Math.min(o.maxConcurrency ?? DEFAULTS.maxChildConcurrency, DEFAULTS.maxChildConcurrency),
			subModelContextTokens: o.subModelContextTokens,
			compaction: o.compaction ?? true,
			...subToolsOf(o),
			...(o.tools && Object.keys(o.tools).length > 0 ? {hostTools: o.tools} : {}),
			...(o.contextWindow ? {contextWindow: o.contextWindow, ...(o.contextWindowName ? {contextWindowName: o.contextWindowName} : {})} : {}),
			...systemChoice(o),
			repl: this.#replOptions(),
		};
	}

	#limitCaps(perCall: CompletionLimits): LimitCaps {
		const o = {...this.#options, ...definedOnly(perCall)};
		return {
			...(o.maxBudget !== undefined ? {maxBudget: o.maxBudget} : {}),
			...(o.maxTimeout !== undefined ? {maxTimeout: o.maxTimeout} : {}),
			...(o.maxTokens !== undefined ? {maxTokens: o.maxTokens} : {}),
			...(o.maxErrors !== undefined ? {maxErrors: o.maxErrors} : {}),
			maxSubCalls: o.maxSubCalls ?? DEFAULTS.maxSubCalls,
		};
	}

	/** What each run's log line records of the session, read when the run starts (a backend or
	 * depth changed by configure() shows in the next run's log). */
	#logRunInfo(): LogRunInfo {
		// eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters read private fields
		const rlm = this;
		return {
			get maxDepth() {
				return rlm.#options.maxDepth ?? DEFAULTS.maxDepth;
			},
			get baseURL() {
				return rlm.#backend.baseURL;
			},
			get subBaseURL() {
				return rlm.#subBackend?.baseURL;
			},
			// The logged URL is the SDKs' (splitBaseURL): without the userinfo or query it was given.
			get baseURLIncomplete() {
				const given = rlm.#options.baseURL;
				if (!given || rlm.#options.backendInstance) return false;
				const split = splitBaseURL(given);
				return Boolean(split.basicAuth) || Object.keys(split.query).length > 0;
			},
			origin: this.#options.origin ?? 'library',
		};
	}

	/** The session's log writer, made on first use; null when logging is off. */
	#trajectoryLogger(): TrajectoryLogger | null {
		if (this.#options.logDir === false) return null;
		const dir = this.#options.logDir ?? defaultLogDir();
		if (this.#logger?.dir !== dir) {
			this.#logger?.dispose();
			this.#logger = new TrajectoryLogger(
				dir,
				this.#sessionId,
				this.#logRunInfo(),
				(message, runId) => this.emit('event', {type: 'notice', runId, level: 'warn', code: 'log_failed', message, t: performance.now()}),
			);
		}
		return this.#logger;
	}

	/** Names this chat session in its log files (--resume finds the newest). */
	get sessionId(): string {
		return this.#sessionId;
	}

	/** Rebuilds a logged session: its history, and its REPL by re-running the code blocks that
	 * succeeded or raised a Python exception, with the recorded sub-call answers (no model calls);
	 * blocks a limit stopped (timeout, interrupt, memory) are not re-run (summary.skippedBlocks). Later turns log to the same session. */
	resume(turns: ResumeTurn[], sessionId?: string): Promise<ResumeSummary> {
		// The session's name and turn count change now, in call order: a question asked while its code
		// is re-run is the resumed session's next turn, in the log from the moment it is asked.
		if (sessionId) this.#sessionId = sessionId;
		this.#turns += turns.length;
		return this.#enqueue(async () => {
			const sandbox = await this.#session();
			if (sessionId) {
				this.#logger?.dispose();
				this.#logger = null;
			}
			this.#history = [];
			// A context set for this session (e.g. -c FILE) wins over the logged ones afterwards.
			const chosen = this.#context;
			const summary: ResumeSummary = {turns: 0, blocks: 0, failedBlocks: 0, skippedBlocks: [], changedErrors: [], missingContexts: 0, unrestoredContexts: 0, contextGiven: chosen !== undefined && chosen !== null, variables: []};
			for (const turn of turns) {
				// A question that never started (the process ended while it waited): nothing of it ran.
				if (turn.status === 'queued') {
					summary.turns++;
					continue;
				}
				let context: SandboxContext | undefined;
				if (turn.contextSource === 'logged') {
					context = turn.context!;
					this.#context = context;
				} else if (turn.contextSource === 'prompt') {
					context = turn.question;
					this.#context = undefined;
				} else if (chosen !== undefined && chosen !== null && matchesLoggedShape(chosen, turn.contextInfo, turn.contextCharUnit) && (turn.contextFingerprint === undefined || contextFingerprint(chosen) === turn.contextFingerprint)) {
					// Too big to have been logged: the session's context stands in for it when it looks the same.
					context = chosen;
					this.#context = context;
					summary.missingContexts++;
				} else if (turn.blocks.length > 0) {
					// Nothing to run its code against: any other text would give its variables wrong values.
					summary.unrestoredContexts++;
				}
				if (context !== undefined) {
					await this.#enterTurn(sandbox, context);
					for (const block of turn.blocks) {
						const recorded = [...block.responses];
						const result = await sandbox.run(block.code, {
							onCall: async (request) => request.prompts.map(() => recorded.shift() ?? 'Error: no recorded answer for this sub-call'),
							// Host tools are not run again (they may act on the world): their logged results are replayed.
							onTool: async (request) => recordedToolOutcome(request.name, recorded.shift()),
						});
						summary.blocks++;
						if (block.loggedError === undefined) {
							if (!result.ok) summary.failedBlocks++;
						} else {
							const logged = errorHeadline(block.loggedError);
							const now = result.ok ? '(no error)' : errorHeadline(result.error);
							if (now !== logged) summary.changedErrors.push({logged, now});
						}
						summary.variables = result.variables;
					}
					summary.skippedBlocks.push(...turn.skippedBlocks);
				}
				if (turn.answer !== null) this.#history.push({question: turn.question, answer: turn.answer});
				summary.turns++;
			}
			this.#variables = summary.variables;
			if (chosen !== undefined) this.#context = chosen;
			return summary;
		});
	}

	/**
	 * --resume and /resume: brings back the newest session logged in the log dir (other than this
	 * one) as `resume` does, among those this Rlm's `origin` may resume: the app and the headless
	 * CLI resume each other's, a library Rlm its kind's, serve and mcp none (resumableOrigins). A session with turns of its own is replaced: it is reset first, and
	 * `onFound` hears `replacing: true` (before the slow part, the re-run of the code).
	 * Throws LogReadError on an unreadable log, or what the sandbox throws.
	 */
	async resumeLast(onFound?: (found: {turns: readonly ResumeTurn[]; replacing: boolean; logs: readonly TrajectoryLog[]}) => void, options: {exceptFile?: string} = {}): Promise<ResumeLastResult> {
		// exceptFile: the question this run logged before it resumed (completion's takenIn), not a turn yet.
		const found = findLastSession(this.#options.logDir, this.#options.origin ?? 'library', this.#sessionId, options.exceptFile);
		if (found.status !== 'found') return found;
		const replacing = this.#history.length > 0;
		// Both asked for at once, in this order: a question asked meanwhile comes after the resume.
		const reset = replacing ? this.resetSession() : Promise.resolve();
		onFound?.({turns: found.turns, replacing, logs: found.logs});
		const [, summary] = await Promise.all([reset, this.resume(found.turns, found.sessionId)]);
		return {status: 'resumed', dir: found.dir, turns: found.turns, summary, session: found.session};
	}

	/** Files this session has written its trajectories to. */
	get logFiles(): readonly string[] {
		return this.#logger?.files ?? [];
	}

	/** What the runs of one completion (root run `runId`) share. */
	#engineContext(options: SettledOptions, runId: string): EngineContext {
		const logger = this.#trajectoryLogger();
		const seen = new Set<string>();
		const emit = (body: RlmEventBody) => {
			const event = {...body, t: performance.now()};
			logger?.handle(event);
			this.emit('event', event);
		};
		const defaults = options.limitDefaults?.length ? {defaults: options.limitDefaults} : {};
		const limits = new RunLimits(options.limits, {
			onUse: (use) => emit({type: 'limits', runId, caps: limits.caps, use, ...defaults}),
			onNotice: (code, message) => emit({type: 'notice', runId, level: 'warn', code, message}),
		}, options.limitLabels);
		const labels = this.#backendLabels();
		const context: EngineContext = {
			backend: this.#backend,
			backendLabel: labels.root,
			...(this.#subBackend ? {sub: {backend: this.#subBackend, label: labels.sub!}} : {}),
			options,
			once: (key: string) => !seen.has(key) && Boolean(seen.add(key)),
			emit,
			limits,
			hosts: this.#hosts,
			startRepl: () => this.#repls().start(options.repl),
			runChild: (params) => runChild(context, params),
		};
		return context;
	}

	/** The sub-model's name as chosen: the option; else the root model on the root's server or on a
	 * bare subBaseURL (an OpenAI-compatible server); else a named sub backend's default ('' when it
	 * has none: the engine then takes the first its server lists). */
	#subModelName(): string {
		const o = this.#options;
		if (o.subModel?.trim()) return o.subModel;
		if (!this.#subBackend || this.#subIsBareURL()) return o.model;
		return defaultModelOf(this.#subBackend.name);
	}

	/** The sub-model's id, its alias resolved by the backend it names a model of. */
	#subModelId(): string {
		const o = this.#options;
		const rootModel = !o.subModel?.trim() && (!this.#subBackend || this.#subIsBareURL());
		return resolveModelAlias(rootModel || !this.#subBackend ? this.#backend.kind : this.#subBackend.kind, this.#subModelName());
	}

	/** Sub-calls go to a base URL alone: no backend named, no backend object given. */
	#subIsBareURL(): boolean {
		const o = this.#options;
		return !o.subBackendInstance && !o.subBackend && Boolean(o.subBaseURL);
	}

	/** Where the sub-model's name came from, as the run's notice says it. */
	#subModelSource(): string | undefined {
		const o = this.#options;
		if (o.subModel?.trim()) return o.subModelSource;
		if (!this.#subBackend || this.#subIsBareURL()) return 'the root model, as no sub-model is set';
		return `${this.#subBackend.name}'s default`;
	}

	/** `Sub-calls: qwen3:1.7b on ollama (the settings file).`, said once per session and again when it
	 * changes, when the sub-calls go to another server or their model is not one chosen at launch by
	 * --sub-model (a saved one, a default elsewhere); else undefined. */
	#subModelNotice(): string | undefined {
		const o = this.#options;
		const source = this.#subModelSource();
		if (!this.#subBackend && (!o.subModel?.trim() || !source || source === '--sub-model')) return undefined;
		const model = this.#subModelId();
		const where = this.#subBackend ? ` on ${this.#backendLabels().sub ?? this.#subBackend.name}` : '';
		const text = `Sub-calls: ${model}${where}${source ? ` (${source})` : ''}.`;
		if (text === this.#subModelTold) return undefined;
		this.#subModelTold = text;
		return text;
	}

	#buildSubBackend(): Backend | null {
		const o = this.#options;
		if (o.subBackendInstance) return redactingBackend(o.subBackendInstance, secretsOf({apiKey: o.subApiKey, baseURL: o.subBaseURL}));
		if (!o.subBackend && !o.subBaseURL) return null;
		return createBackend({
			kind: o.subBackend ?? 'openai',
			...(o.subBaseURL ? {baseURL: o.subBaseURL} : {}),
			...(o.subApiKey ? {apiKey: o.subApiKey} : {}),
			...(o.requestTimeoutMs ? {timeoutMs: o.requestTimeoutMs} : {}),
			model: o.subModel ?? '',
		});
	}

	/** How events name the root's and the sub-calls' backends: their names, with the host when both share one. */
	#backendLabels(): {root: string; sub?: string} {
		const sub = this.#subBackend;
		if (!sub) return {root: this.#backend.name};
		if (sub.name !== this.#backend.name) return {root: this.#backend.name, sub: sub.name};
		const host = (backend: Backend) => {
			try {
				return new URL(backend.baseURL ?? '').host;
			} catch {
				return backend.baseURL ?? '';
			}
		};
		const rootHost = host(this.#backend);
		const subHost = host(sub);
		if (rootHost === subHost) return {root: this.#backend.name, sub: `${sub.name} (sub)`};
		return {root: `${this.#backend.name}@${rootHost}`, sub: `${sub.name}@${subHost}`};
	}

	#buildBackend(): Backend {
		const o = this.#options;
		// Behind the redaction boundary whoever built it: errors reach Python, events and logs.
		if (o.backendInstance) return redactingBackend(o.backendInstance, secretsOf(o));
		return createBackend({
			kind: o.backend ?? 'openai',
			...(o.baseURL ? {baseURL: o.baseURL} : {}),
			...(o.apiKey ? {apiKey: o.apiKey} : {}),
			...(o.headers ? {headers: o.headers} : {}),
			...(o.requestTimeoutMs ? {timeoutMs: o.requestTimeoutMs} : {}),
			model: o.model,
		});
	}

	#enqueue<T>(task: () => Promise<T>): Promise<T> {
		const run = this.#queue.then(task, task);
		this.#queue = run.catch(() => undefined);
		return run;
	}
}

/** A question as completion() took it in (see #intake). */
interface Intake {
	runId: string;
	turn: number;
	sessionId: string;
	queuedPath?: string;
	/** Cancelled before what it waited for (`after`) was done: its context is not known. */
	contextPending?: true;
}

/** The user's system-prompt choice, as the settled options carry it (absent when none). */
function systemChoice(o: RlmOptions): {system?: SystemPromptChoice} {
	const instructions = o.instructions?.trim() ? o.instructions : undefined;
	const replacement = o.systemPrompt?.trim() ? {text: o.systemPrompt, ...(o.systemPromptSource ? {source: o.systemPromptSource} : {})} : undefined;
	if (!instructions && !replacement) return {};
	return {system: {...(instructions ? {instructions} : {}), ...(replacement ? {replacement} : {})}};
}

/** A host tool's logged response as its outcome again (`Error: ...` is a failure; anything else is
 * its result as JSON text). */
function recordedToolOutcome(name: string, response: string | undefined): ToolOutcome {
	if (response === undefined) return {ok: false, error: `${name}: no recorded result for this call`};
	if (response.startsWith('Error: ')) return {ok: false, error: response.slice('Error: '.length)};
	try {
		return {ok: true, value: JSON.parse(response) as JsonValue};
	} catch {
		return {ok: false, error: `${name}: its recorded result was cut in the log`};
	}
}

/** Child RLMs' tools: subToolsCode, else toolsCode (as the original's custom_sub_tools). */
function subToolsOf(o: RlmOptions): {subTools?: {code: string; source: string}} {
	if (o.subToolsCode) return {subTools: {code: o.subToolsCode, source: o.subToolsSource ?? 'sub-tools'}};
	if (o.toolsCode) return {subTools: {code: o.toolsCode, source: o.toolsSource ?? 'tools'}};
	return {};
}

/** A block cancelled while the sandbox was still starting. */
function cancelledBlock(): ExecResult {
	return {ok: false, stdout: '', stderr: '', error: 'Cancelled before the block ran.', truncatedChars: 0, variables: [], final: null, ms: 0, limit: 'cancelled', restarted: false};
}

/** A question taken back before its run began (a Withdrawal): it ran nothing and left no turn. */
function withdrawnResult(runId: string): CompletionResult {
	return {response: '', status: 'cancelled', iterations: [], usage: {inputTokens: 0, outputTokens: 0, totalTokens: 0}, executionTimeMs: 0, runId};
}
