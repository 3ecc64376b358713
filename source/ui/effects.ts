// Runs the reducer's queued effects against the engine, the settings store, the terminal and the
// file system, and reports back through actions. The only place the UI touches the engine's
// methods: a slash command's own work (commands/) is performed here too, with a CommandContext.
import type {ContextLoadOptions} from '../context/index.js';
import type {BackendName} from '../protocol/backends.js';
import type {CompletionResult} from '../engine/types.js';
import {Withdrawal} from '../protocol/withdrawal.js';
import type {ResolvedConfig} from '../settings/resolve.js';
import type {SettingsStore} from '../settings/store.js';
import {unreachableHint} from './advice.js';
import type {CommandContext} from './commands/command.js';
import {ContextReadFailed} from './commands/context.js';
import {findCommand} from './commands/index.js';
import {resumeLast} from './commands/resume.js';
import {firstLine, type UiEngine} from './engine-port.js';
import {runErrorOf, type RunErrorCode} from '../protocol/errors.js';
import {appendHistory, loadHistory} from './input-history.js';
import type {AppAction, ChatKind, CompletionSummary, Effect} from './state/types.js';
import type {TerminalControl} from './terminal.js';

export interface EffectDeps {
	rlm: UiEngine;
	settings: SettingsStore;
	config: ResolvedConfig;
	dispatch: (action: AppAction) => void;
	/** Applies engine events still waiting in the batch. */
	flushEvents: () => void;
	onExit: (code: number) => void;
	cwd: string;
	env: NodeJS.ProcessEnv;
	/** Input history across restarts (none: this session only). */
	historyFile?: string;
	/** The terminal (suspend, mouse); absent under tests. */
	terminal?: TerminalControl;
	/** How /context reads (the command line's --context-format and --max-context-bytes). */
	contextLoad?: Pick<ContextLoadOptions, 'format' | 'maxBytes'>;
}

export function summarize(result: CompletionResult): CompletionSummary {
	return {
		runId: result.runId,
		status: result.status,
		response: result.response,
		...(result.error ? {error: result.error} : {}),
		...(result.errorCode ? {errorCode: result.errorCode} : {}),
		...(result.errorAdvice ? {errorAdvice: result.errorAdvice} : {}),
		iterations: result.iterations.length,
		ms: result.executionTimeMs,
		usage: {inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens},
	};
}

/** A thrown error as a summary's error, its code and its advice. */
function runErrorFields(error: unknown): {error: string; errorCode: RunErrorCode; errorAdvice?: string} {
	const {code, message, advice} = runErrorOf(error);
	return {error: message, errorCode: code, ...(advice ? {errorAdvice: advice} : {})};
}

export class EffectRunner {
	/** The questions given to the engine and not yet ended, by chat entry id, in the order asked:
	 * the first runs, the others wait their turn in the engine's queue. */
	#questions = new Map<number, AbortController>();
	/** Queued questions by id: each starts when the reducer says its turn has come ('start'). */
	#turns = new Map<number, () => void>();
	#nextId = -1;
	#disposed = false;
	/** History writes in order, one at a time. */
	#historyWrites: Promise<unknown> = Promise.resolve();
	/** Commands still at work (a /context still reading): a question asked meanwhile waits for them,
	 * so that it runs with what they set, not without it. Resolves to the paths of the last /context
	 * among them when its read failed (the question is then not asked), else undefined. */
	#commands: Promise<string | undefined> = Promise.resolve(undefined);
	/** Some command's work is still under way (#commands has not settled). */
	#commandsPending = false;

	constructor(private deps: EffectDeps) {}

	update(deps: EffectDeps): void {
		this.deps = deps;
	}

	dispose(): void {
		this.#disposed = true;
		this.#abortAll();
	}

	#abortAll(): void {
		for (const controller of this.#questions.values()) controller.abort();
	}

	#dispatch(action: AppAction): void {
		if (!this.#disposed) this.deps.dispatch(action);
	}

	#say(kind: ChatKind, text: string): void {
		this.#dispatch({type: 'chat', kind, text});
	}

	get #backend(): BackendName {
		return this.deps.rlm.options.backend ?? this.deps.config.backend;
	}

	/** What a command's effect sees: always the latest props. `at`: where what it says goes in the chat. */
	#context(at?: number): CommandContext {
		const {deps} = this;
		const backend = () => this.#backend;
		return {
			rlm: deps.rlm,
			settings: deps.settings,
			config: deps.config,
			cwd: deps.cwd,
			env: deps.env,
			...(deps.terminal ? {terminal: deps.terminal} : {}),
			...(deps.contextLoad ? {contextLoad: deps.contextLoad} : {}),
			get backend() {
				return backend();
			},
			dispatch: (action) => this.#dispatch(action),
			say: (kind, text, table) => this.#dispatch({type: 'chat', kind, text, ...(at === undefined ? {} : {at}), ...(table ? {table} : {})}),
		};
	}

	/** At start-up: is the backend there? Then start the sandbox early. */
	async startUp(): Promise<void> {
		const {rlm} = this.deps;
		// The check is about the backend in use now; a /backend meanwhile makes its answer moot.
		const backend = this.#backend;
		const baseURL = rlm.options.baseURL ?? (backend === this.deps.config.backend ? this.deps.config.baseURL : undefined);
		const check = rlm.checkBackend(AbortSignal.timeout(15_000)).then(
			() => this.#pickServerModel(),
			(error: unknown) => {
				if (this.#backend === backend && (rlm.options.baseURL ?? baseURL) === baseURL) this.#say('error', unreachableHint(backend, baseURL, error));
			},
		);
		const warm = rlm.warmUp().catch((error: unknown) => this.#say('error', `The Python sandbox could not start: ${firstLine(error)}`));
		await Promise.all([check, warm]);
	}

	/** A backend without a model set (a vLLM, LM Studio or llama.cpp preset) uses the server's first. */
	async #pickServerModel(): Promise<void> {
		const {rlm} = this.deps;
		if (rlm.options.model.trim()) return;
		const first = await rlm.chooseServerModel(AbortSignal.timeout(15_000)).catch(() => undefined);
		if (!first) return;
		this.#dispatch({type: 'config', config: {model: first}});
		this.#say('info', `Model: ${first}, the first the server lists (/model to choose another).`);
	}

	/** Earlier sessions' inputs, for Up. */
	async loadHistory(): Promise<void> {
		const file = this.deps.historyFile;
		if (!file) return;
		const entries = await loadHistory(file);
		if (entries.length > 0) this.#dispatch({type: 'history-loaded', entries});
	}

	/** --resume: the last logged session, as /resume brings it back. */
	resumeLast(): Promise<void> {
		return resumeLast(this.#context());
	}

	run(effect: Effect & {readonly at?: number}): void {
		switch (effect.kind) {
			case 'suspend':
				if (this.deps.terminal) this.deps.terminal.suspend();
				else this.#dispatch({type: 'chat', kind: 'info', text: 'Suspend is not available here.', at: effect.at});
				return;
			case 'history-add': {
				const file = this.deps.historyFile;
				if (!file) return;
				this.#historyWrites = this.#historyWrites.then(() => appendHistory(file, effect.text)).catch(() => undefined);
				return;
			}
			case 'submit':
				this.#submit(effect.prompt, effect.id ?? this.#nextId--, effect.queued === true);
				return;
			case 'cancel':
				// No id: the question running now (the first of those not ended).
				(effect.id === undefined ? this.#questions.values().next().value : this.#questions.get(effect.id))?.abort();
				return;
			case 'start':
				this.#turns.get(effect.id)?.();
				this.#turns.delete(effect.id);
				return;
			case 'take-back':
				this.#turns.delete(effect.id);
				this.#questions.get(effect.id)?.abort(new Withdrawal());
				return;
			case 'exit':
				this.#abortAll();
				this.deps.onExit(effect.code);
				return;
			case 'command': {
				const command = findCommand(effect.name);
				if (!command?.perform) return;
				const context = this.#context(effect.at);
				const failed = (error: unknown) => context.say('error', `/${command.name} failed: ${firstLine(error)}`);
				try {
					const work = command.perform(effect.payload, context)?.then(
						// A /context read: any earlier one's failure no longer counts.
						() => (command.name === 'context' ? {failedContext: undefined} : {}),
						(error: unknown) => (error instanceof ContextReadFailed ? {failedContext: error.paths} : (failed(error), {})),
					);
					if (work) this.#awaitCommand(work);
				} catch (error) {
					failed(error);
				}
				return;
			}
		}
	}

	/** Questions asked from now wait for `work` too. A /context's outcome (read or failed) replaces
	 * an earlier one's: the last one given is the one that counts. */
	#awaitCommand(work: Promise<{failedContext?: string | undefined}>): void {
		const commands = Promise.all([this.#commands, work]).then(([before, outcome]) => ('failedContext' in outcome ? outcome.failedContext : before));
		this.#commands = commands;
		this.#commandsPending = true;
		void commands.then(() => {
			if (this.#commands !== commands) return;
			// Settled: a failure in it holds none of the questions asked from now.
			this.#commands = Promise.resolve(undefined);
			this.#commandsPending = false;
		});
	}

	/** Gives the question to the engine now. `queued`: typed while another runs; the engine waits
	 * with it until the reducer, seeing the one before it end, says its turn has come ('start'):
	 * the reducer alone decides, so a question it took back can never start. */
	#submit(prompt: string, id: number, queued: boolean): void {
		const controller = new AbortController();
		this.#questions.set(id, controller);
		const done = (result: CompletionSummary) => {
			this.#questions.delete(id);
			this.deps.flushEvents();
			this.#dispatch({type: 'completion-done', result, now: performance.now(), id});
		};
		// The engine takes the question in now (it is in the log from here on, marked queued) and
		// starts it once the commands before it (a /context still reading) have done their work: given
		// as `after` only when some are still at work, so that the engine knows the context may yet
		// change (the queued line then names none; it is not the question's own). A cancel meanwhile
		// (a pipe that never ends) stops the wait, and later questions do not wait for them.
		const commands = this.#commandsPending ? this.#commands : undefined;
		let commandsDone = commands === undefined;
		const turn = queued ? new Promise<void>((resolve) => this.#turns.set(id, resolve)) : undefined;
		// A /context it waited for that failed: it is not asked without it (the reducer gives it back).
		const failedContext = (paths: string | undefined) => {
			commandsDone = true;
			if (paths !== undefined) controller.abort(new NotAsked(paths));
		};
		const waits = [...(commands ? [commands.then(failedContext)] : []), ...(turn ? [turn] : [])];
		const after = waits.length > 0 ? Promise.all(waits) : undefined;
		controller.signal.addEventListener(
			'abort',
			() => {
				if (!commandsDone && this.#commands === commands && !(controller.signal.reason instanceof Withdrawal)) {
					this.#commands = Promise.resolve(undefined);
					this.#commandsPending = false;
				}
			},
			{once: true},
		);
		let call: Promise<CompletionResult>;
		try {
			call = this.deps.rlm.completion(prompt, {signal: controller.signal, ...(after ? {after} : {})});
		} catch (error) {
			call = Promise.reject(error instanceof Error ? error : new Error(String(error)));
		}
		const notAsked = () => (controller.signal.reason instanceof NotAsked ? {contextFailed: controller.signal.reason.paths} : {});
		void call.then(
			(result) => done({...summarize(result), ...(!commandsDone && result.status === 'cancelled' ? {beforeStart: true as const} : {}), ...(result.status === 'cancelled' ? notAsked() : {})}),
			(error: unknown) =>
				done({
					status: controller.signal.aborted ? 'cancelled' : 'failed',
					response: '',
					...runErrorFields(error),
					iterations: 0,
					ms: 0,
					usage: {inputTokens: 0, outputTokens: 0},
					...(commandsDone ? {} : {beforeStart: true as const}),
					...notAsked(),
				}),
		);
	}
}

/** The reason a question's signal is aborted with when the /context it waited for failed to load. */
class NotAsked extends Error {
	constructor(readonly paths: string) {
		super(`not asked: the context (${paths}) failed to load`);
	}
}
