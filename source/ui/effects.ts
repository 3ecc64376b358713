// Runs the reducer's queued effects against the engine, the settings store and the file system,
// and reports back through actions. The only place the UI touches the engine's methods.
import {writeFile} from 'node:fs/promises';
import {homedir} from 'node:os';
import {resolve} from 'node:path';
import {contextBadge, describeLoaded, loadContext, skippedLine, type ContextLoadOptions} from '../context/index.js';
import type {RlmEvent} from '../protocol/events.js';
import type {CompletionOptions, CompletionResult, RlmOptions} from '../engine/types.js';
import type {SandboxContext} from '../protocol/repl.js';
import {apiKeyFor, baseURLFor, headersFor, modelFor, type ResolvedConfig} from '../settings/resolve.js';
import {presetOf, type BackendName} from '../protocol/backends.js';
import type {SettingsStore} from '../settings/store.js';
import type {AppAction, CompletionSummary, Effect} from './state/app-state.js';
import {transcriptFileName} from './transcript.js';
import {appendHistory, loadHistory} from './input-history.js';
import type {TerminalControl} from './terminal.js';
import {defaultLogDir} from '../trajectory/jsonl-log.js';
import {lastSessionFiles, readTrajectoryLog} from '../trajectory/read-log.js';
import {resumeTurns, type ResumeTurn} from '../trajectory/resume.js';
import type {ResumeSummary} from '../engine/rlm.js';

/** What the UI uses of the engine (the live Rlm, or the inert stand-in of a replay). */
export interface UiEngine {
	on(event: 'event', listener: (event: RlmEvent) => void): unknown;
	off(event: 'event', listener: (event: RlmEvent) => void): unknown;
	readonly options: Readonly<RlmOptions>;
	configure(patch: Partial<RlmOptions>): void;
	completion(prompt: string, options?: CompletionOptions): Promise<CompletionResult>;
	setContext(context: SandboxContext | null): void;
	listModels(signal?: AbortSignal): Promise<string[]>;
	checkBackend(signal?: AbortSignal): Promise<void>;
	resetSession(): Promise<void>;
	resume(turns: ResumeTurn[], sessionId?: string): Promise<ResumeSummary>;
	readonly sessionId: string;
	readonly history: readonly {question: string; answer: string}[];
	warmUp(): Promise<void>;
	dispose(): Promise<void>;
}

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

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

export function summarize(result: CompletionResult): CompletionSummary {
	return {
		status: result.status,
		response: result.response,
		...(result.error ? {error: result.error} : {}),
		iterations: result.iterations.length,
		ms: result.executionTimeMs,
		usage: {inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens},
	};
}

function expandHome(path: string): string {
	return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

export function unreachableHint(backend: string, baseURL: string | undefined, message: string): string {
	const where = baseURL ? ` at ${baseURL}` : '';
	// The backend's own message already names the URL; its advice about flags does not fit here.
	const what = /^Cannot reach/i.test(message) ? message.replace(/\s*Start the server[\s\S]*$/, '') : `Cannot reach the ${backend} backend${where}: ${message}.`;
	const start = presetOf(backend)?.start;
	const how = backend === 'openai' ? ' (for Ollama: `ollama serve`)' : start ? ` (${start})` : '';
	return `${what} Start the server${how}, fix the URL with /backend ${backend} URL, or try the offline demo model: /backend demo`;
}

export class EffectRunner {
	#controller: AbortController | null = null;
	#disposed = false;
	/** Models picked with /model in this session, per backend (they win over the -m flag). */
	#picked = new Map<string, string>();
	/** History writes in order, one at a time. */
	#historyWrites: Promise<unknown> = Promise.resolve();

	constructor(private deps: EffectDeps) {}

	update(deps: EffectDeps): void {
		this.deps = deps;
	}

	dispose(): void {
		this.#disposed = true;
		this.#controller?.abort();
	}

	#dispatch(action: AppAction): void {
		if (!this.#disposed) this.deps.dispatch(action);
	}

	#say(kind: 'info' | 'error' | 'notice', text: string): void {
		this.#dispatch({type: 'chat', kind, text});
	}

	get #backend() {
		return this.deps.rlm.options.backend ?? this.deps.config.backend;
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
				if (this.#backend === backend && (rlm.options.baseURL ?? baseURL) === baseURL) this.#say('error', unreachableHint(backend, baseURL, firstLine(error)));
			},
		);
		const warm = rlm.warmUp().catch((error: unknown) => this.#say('error', `The Python sandbox could not start: ${firstLine(error)}`));
		await Promise.all([check, warm]);
	}

	/** A backend without a model set (a vLLM, LM Studio or llama.cpp preset) uses the server's first. */
	async #pickServerModel(): Promise<void> {
		const {rlm} = this.deps;
		if (rlm.options.model.trim()) return;
		const [first] = await rlm.listModels(AbortSignal.timeout(15_000)).catch(() => []);
		if (!first || rlm.options.model.trim()) return;
		rlm.configure({model: first});
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

	run(effect: Effect): void {
		switch (effect.kind) {
			case 'suspend':
				if (this.deps.terminal) this.deps.terminal.suspend();
				else this.#say('info', 'Suspend is not available here.');
				return;
			case 'mouse':
				this.deps.terminal?.setMouse(effect.on);
				return;
			case 'history-add': {
				const file = this.deps.historyFile;
				if (!file) return;
				this.#historyWrites = this.#historyWrites.then(() => appendHistory(file, effect.text)).catch(() => undefined);
				return;
			}
			case 'submit':
				this.#submit(effect.prompt);
				return;
			case 'cancel':
				this.#controller?.abort();
				return;
			case 'exit':
				this.#controller?.abort();
				this.deps.onExit(effect.code);
				return;
			case 'load-models':
				void this.#loadModels();
				return;
			case 'set-model':
				this.#setModel(effect.model);
				if (effect.verify) void this.#verifyModel(effect.model);
				return;
			case 'set-backend':
				void this.#setBackend(effect.backend, effect.url);
				return;
			case 'context':
				void this.#setContext(effect.paths);
				return;
			case 'clear':
				void this.#clear();
				return;
			case 'save':
				void this.#save(effect.content, effect.format, effect.path);
				return;
			case 'resume':
				void this.resume();
				return;
			case 'set-theme':
				this.deps.settings.save({theme: effect.theme});
				this.#say('info', `Theme: ${effect.theme} (saved).`);
				return;
		}
	}

	#submit(prompt: string): void {
		const controller = new AbortController();
		this.#controller = controller;
		const done = (result: CompletionSummary) => {
			if (this.#controller === controller) this.#controller = null;
			this.deps.flushEvents();
			this.#dispatch({type: 'completion-done', result, now: performance.now()});
		};
		this.deps.rlm.completion(prompt, {signal: controller.signal}).then(
			(result) => done(summarize(result)),
			(error: unknown) =>
				done({
					status: controller.signal.aborted ? 'cancelled' : 'failed',
					response: '',
					error: firstLine(error),
					iterations: 0,
					ms: 0,
					usage: {inputTokens: 0, outputTokens: 0},
				}),
		);
	}

	async #loadModels(): Promise<void> {
		const backend = this.#backend;
		try {
			const models = await this.deps.rlm.listModels(AbortSignal.timeout(15_000));
			this.#dispatch({type: 'models-loaded', models, backend});
		} catch (error) {
			this.#dispatch({type: 'models-failed', error: firstLine(error), backend});
		}
	}

	#setModel(model: string): void {
		const backend = this.#backend;
		try {
			this.deps.rlm.configure({model});
		} catch (error) {
			this.#say('error', `Could not switch the model: ${firstLine(error)}`);
			return;
		}
		this.deps.settings.save({models: {[backend]: model}});
		this.#picked.set(backend, model);
		this.#dispatch({type: 'config', config: {model}});
		this.#say('info', `Model: ${model} (from the next question; saved for ${backend}).`);
	}

	/** /model NAME: a name the server's list does not have gets a warning (it is kept: servers
	 * may serve models they do not list). No warning when the list cannot be had. */
	async #verifyModel(model: string): Promise<void> {
		const backend = this.#backend;
		let models: string[];
		try {
			models = await this.deps.rlm.listModels(AbortSignal.timeout(15_000));
		} catch {
			return;
		}
		if (models.length === 0 || models.includes(model) || this.#backend !== backend) return;
		const near = models.filter((name) => name.toLowerCase().includes(model.toLowerCase()) || model.toLowerCase().includes(name.toLowerCase())).slice(0, 3);
		const hint = near.length > 0 ? ` Did you mean ${near.join(', ')}?` : '';
		this.#say('notice', `The ${backend} server does not list "${model}" (it lists ${models.length} model${models.length === 1 ? '' : 's'}: /model shows them).${hint} Kept anyway.`);
	}

	async #setBackend(backend: BackendName, url?: string): Promise<void> {
		const {rlm, settings, config, env} = this.deps;
		const stored = settings.get();
		// Back to the backend the app was launched with: its flags (-u, -m, --header) hold for the
		// session, unless /model picked another model for it meanwhile.
		const launched = backend === config.backend;
		const model = this.#picked.get(backend) ?? (launched ? config.model : modelFor(backend, stored));
		const baseURL = backend === 'demo' ? undefined : (url ?? (launched ? config.baseURL : undefined) ?? baseURLFor(backend, stored, env, model));
		const apiKey = launched && config.apiKey ? config.apiKey : apiKeyFor(backend, env, baseURL);
		const headers = launched ? config.headers : headersFor(backend, stored);
		try {
			rlm.configure({backend, baseURL, apiKey, model, headers});
		} catch (error) {
			this.#say('error', `Could not switch to ${backend}: ${firstLine(error)}`);
			return;
		}
		settings.save({backend, ...(url && backend !== 'demo' ? {baseURLs: {[backend]: url}} : {})});
		this.#dispatch({type: 'config', config: {backend, model, baseURL}});
		this.#say('info', `Backend: ${backend}${baseURL ? ` at ${baseURL}` : ''} · model ${model} (saved).`);
		try {
			await rlm.checkBackend(AbortSignal.timeout(15_000));
		} catch (error) {
			this.#say('error', unreachableHint(backend, baseURL, firstLine(error)));
		}
	}

	async #setContext(paths: readonly string[] | null): Promise<void> {
		if (paths === null) {
			this.deps.rlm.setContext(null);
			this.#dispatch({type: 'config', config: {context: null}});
			this.#say('info', 'Context cleared: each question is its own context again.');
			return;
		}
		try {
			const loaded = await loadContext(paths, {...this.deps.contextLoad, cwd: this.deps.cwd});
			this.deps.rlm.setContext(loaded.context);
			this.#dispatch({type: 'config', config: {context: contextBadge(loaded)}});
			this.#say('info', `Context: ${describeLoaded(loaded)} for the next questions.`);
			const skipped = skippedLine(loaded.skipped);
			if (skipped) this.#say('notice', `Context: ${skipped}.`);
		} catch (error) {
			this.#say('error', firstLine(error));
		}
	}

	async #clear(): Promise<void> {
		try {
			await this.deps.rlm.resetSession();
		} catch (error) {
			this.#say('error', `Could not reset the session: ${firstLine(error)}`);
			return;
		}
		this.#dispatch({type: 'cleared'});
		this.#say('info', 'New session: fresh REPL, empty history and tree.');
	}

	async #save(content: string, format: 'md' | 'json', path?: string): Promise<void> {
		const full = resolve(this.deps.cwd, expandHome(path ?? transcriptFileName(new Date(), format)));
		const what = format === 'md' ? 'the transcript' : 'the session';
		try {
			await writeFile(full, content, path ? {} : {flag: 'wx'});
			this.#say('info', `Saved ${what} to ${full}`);
		} catch (error) {
			this.#say('error', `Could not save ${what} to ${full}: ${firstLine(error)}`);
		}
	}

	/** /resume and --resume: the last logged session's chat and REPL variables come back. */
	async resume(): Promise<void> {
		const {rlm} = this.deps;
		const dir = rlm.options.logDir === false ? null : (rlm.options.logDir ?? defaultLogDir());
		if (!dir) {
			this.#say('error', 'Nothing to resume: trajectory logs are turned off.');
			return;
		}
		// Never this very session (its own first question may already be logged).
		const files = lastSessionFiles(dir, rlm.sessionId);
		if (files.length === 0) {
			this.#say('info', `Nothing to resume: no earlier session in ${dir}.`);
			return;
		}
		try {
			if (rlm.history.length > 0) {
				// Mid-session: the resumed one replaces it, in a fresh REPL.
				await rlm.resetSession();
				this.#dispatch({type: 'cleared'});
			}
			this.#say('info', `Resuming the last session (${files.length} turn(s)): re-running its code with the recorded sub-call answers…`);
			const turns = resumeTurns(files.map((file) => readTrajectoryLog(file)));
			const summary = await rlm.resume(turns, /_([0-9a-f]{8})_t\d+_/.exec(files[0]!)?.[1]);
			for (const turn of turns) {
				this.#dispatch({type: 'chat', kind: 'user', text: turn.question});
				if (turn.answer !== null) this.#dispatch({type: 'chat', kind: 'answer', text: turn.answer});
			}
			const names = summary.variables.map((variable) => variable.name);
			const failed = summary.failedBlocks ? ` (${summary.failedBlocks} failed now)` : '';
			if (summary.missingContexts) this.#say('notice', `${summary.missingContexts} turn(s) had a context too big to log: their code was re-run against the current context.`);
			this.#say('info', `Resumed ${summary.turns} turn(s), re-ran ${summary.blocks} block(s)${failed}. Variables: ${names.join(', ') || 'none'}.`);
		} catch (error) {
			this.#say('error', `Could not resume: ${firstLine(error)}`);
		}
	}
}
