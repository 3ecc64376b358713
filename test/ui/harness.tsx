// Test harness for the TUI: ink-testing-library with a sized terminal, a frame poller, and a
// scriptable stand-in engine (for the cases where the real engine cannot be steered precisely).
import {EventEmitter} from 'node:events';
import {render} from 'ink-testing-library';
import type {ContextBadge, ContextLoadOptions} from '../../source/context/index.js';
import type {RlmEvent, RlmEventBody} from '../../source/protocol/events.js';
import type {Rlm} from '../../source/engine/rlm.js';
import type {CompletionResult, RlmOptions} from '../../source/engine/types.js';
import type {ResolvedConfig} from '../../source/settings/resolve.js';
import type {SettingsStore} from '../../source/settings/store.js';
import {App} from '../../source/ui/app.js';
import type {UiEngine} from '../../source/ui/engine-port.js';
import {loadRenderers} from '../../source/ui/markdown.js';
import type {TerminalControl} from '../../source/ui/terminal.js';

// The app loads Markdown and colouring after its first frame; tests start with them in.
await loadRenderers();

export const ESC = '\x1b';
export const KEYS = {
	up: '\x1b[A',
	down: '\x1b[B',
	right: '\x1b[C',
	left: '\x1b[D',
	enter: '\r',
	esc: '\x1b',
	tab: '\t',
	pgup: '\x1b[5~',
	pgdn: '\x1b[6~',
	ctrlC: '\x03',
	backspace: '\x7f',
};

export const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');

export interface Harness {
	lastFrame(): string;
	frames: string[];
	write(data: string): void;
	waitForFrame(predicate: (frame: string) => boolean, timeoutMs?: number): Promise<string>;
	resize(columns: number, rows: number): void;
	unmount(): void;
	exits: number[];
}

export async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

export function renderApp(props: {
	rlm: UiEngine;
	config: ResolvedConfig;
	settings: SettingsStore;
	notices?: string[];
	columns?: number;
	rows?: number;
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	skipStartup?: boolean;
	replay?: {title: string; events: readonly RlmEvent[]};
	/** --resume: reopen the last logged session at start. */
	resume?: boolean;
	terminal?: TerminalControl;
	historyFile?: string;
	contextBadge?: ContextBadge;
	contextLoad?: Pick<ContextLoadOptions, 'format' | 'maxBytes'>;
}): Harness {
	const exits: number[] = [];
	const instance = render(
		<App
			rlm={props.rlm}
			config={props.config}
			settings={props.settings}
			notices={props.notices ?? []}
			onExit={(code) => exits.push(code)}
			{...(props.cwd ? {cwd: props.cwd} : {})}
			env={props.env ?? {}}
			{...(props.skipStartup ? {skipStartup: true} : {})}
			{...(props.replay ? {replay: props.replay} : {})}
			{...(props.resume ? {resume: true} : {})}
			{...(props.terminal ? {terminal: props.terminal} : {})}
			{...(props.historyFile ? {historyFile: props.historyFile} : {})}
			{...(props.contextBadge ? {contextBadge: props.contextBadge} : {})}
			{...(props.contextLoad ? {contextLoad: props.contextLoad} : {})}
		/>,
	);
	const stdout = instance.stdout as unknown as EventEmitter & {columns: number; rows: number};
	const resize = (columns: number, rows: number) => {
		Object.defineProperty(stdout, 'columns', {value: columns, configurable: true, writable: true});
		Object.defineProperty(stdout, 'rows', {value: rows, configurable: true, writable: true});
		stdout.emit('resize');
	};
	resize(props.columns ?? 120, props.rows ?? 36);
	const lastFrame = () => stripAnsi(instance.lastFrame() ?? '');
	return {
		lastFrame,
		frames: instance.frames,
		write: (data) => instance.stdin.write(data),
		async waitForFrame(predicate, timeoutMs = 10_000) {
			try {
				return await waitFor(() => {
					const frame = lastFrame();
					return predicate(frame) ? frame : undefined;
				}, timeoutMs, 'frame');
			} catch (error) {
				throw new Error(`${(error as Error).message}; last frame:\n${lastFrame()}`, {cause: error});
			}
		},
		resize,
		unmount: () => instance.unmount(),
		exits,
	};
}

/** A stand-in engine driven by the test: emits the events it is told to, resolves on demand. */
export class ScriptedRlm extends EventEmitter {
	#options: RlmOptions;
	prompts: string[] = [];
	signals: AbortSignal[] = [];
	configured: Partial<RlmOptions>[] = [];
	contexts: unknown[] = [];
	resets = 0;
	models = ['llama3.2:3b', 'qwen2.5:7b', 'cogito:14b', 'gpt-4o-mini'];
	checkError: Error | undefined;
	#pending: Array<(result: CompletionResult) => void> = [];
	#t = 1000;

	#sessionModels = new Map<string, string>();

	constructor(options: RlmOptions = {model: 'cogito:14b', backend: 'openai'}) {
		super();
		this.#options = {...options};
		this.#remember();
	}

	/** As the engine: the model last used on each backend. */
	sessionModel(backend: string): string | undefined {
		return this.#sessionModels.get(backend);
	}

	#remember(): void {
		if (this.#options.model.trim()) this.#sessionModels.set(this.#options.backend ?? 'openai', this.#options.model);
	}

	get options(): Readonly<RlmOptions> {
		return this.#options;
	}

	configure(patch: Partial<RlmOptions>): void {
		this.configured.push(patch);
		this.#options = {...this.#options, ...patch};
		this.#remember();
	}

	emitEvent(body: RlmEventBody): void {
		this.emit('event', {...body, t: (this.#t += 5)});
	}

	/** As the engine: a question is taken in at once (`taken`) and starts (`prompts`) once `after`
	 * has settled; a cancel before that resolves it as cancelled without starting it. */
	taken: string[] = [];

	async completion(prompt: string, options: {signal?: AbortSignal; after?: PromiseLike<unknown>} = {}): Promise<CompletionResult> {
		this.taken.push(prompt);
		if (options.after) {
			const {signal} = options;
			const aborted = new Promise<void>((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener('abort', () => resolve(), {once: true})));
			await Promise.race([Promise.resolve(options.after).then(() => undefined, () => undefined), aborted]);
			if (signal?.aborted) return result('', 'cancelled');
		}
		this.prompts.push(prompt);
		if (options.signal) this.signals.push(options.signal);
		return new Promise((resolve) => {
			this.#pending.push(resolve);
			options.signal?.addEventListener('abort', () => resolve(result('', 'cancelled')));
		});
	}

	finish(response: string, status: CompletionResult['status'] = 'answered', iterations = 1): void {
		this.#pending.shift()?.(result(response, status, iterations));
	}

	setContext(context: unknown): void {
		this.contexts.push(context);
	}

	async listModels(): Promise<string[]> {
		return this.models;
	}

	/** What the engine resolves for the backend (set by a test). */
	aliases: Record<string, string> = {};

	modelAliases(): Readonly<Record<string, string>> {
		return this.aliases;
	}

	async checkBackend(): Promise<void> {
		if (this.checkError) throw this.checkError;
	}

	/** The engine's check after /backend, without its list: kept, or unchecked on `checkError`
	 * (the real one is tested with the fake server in engine.test.tsx). */
	async modelForServer(): Promise<{status: 'kept'; model: string} | {status: 'unchecked'; model: string; error: unknown}> {
		if (this.checkError) return {status: 'unchecked', model: this.#options.model, error: this.checkError};
		return {status: 'kept', model: this.#options.model};
	}

	async resetSession(): Promise<void> {
		this.resets++;
	}

	get history() {
		return [];
	}

	async warmUp(): Promise<void> {}

	async dispose(): Promise<void> {}
}

function result(response: string, status: CompletionResult['status'], iterations = 1): CompletionResult {
	return {
		response,
		status,
		iterations: Array.from({length: iterations}, (_, i) => ({iteration: i + 1, response: '', codeBlocks: [], finalAnswer: null, executionTimeMs: 1, usage: {inputTokens: 0, outputTokens: 0}, finishReason: 'stop' as const})),
		usage: {inputTokens: 120, outputTokens: 30, totalTokens: 150},
		executionTimeMs: 1234,
		runId: 'run-x',
	};
}

export const asRlm = (fake: ScriptedRlm) => fake as unknown as Rlm;

/** Events of one small run: 1 iteration, a reply, a code block with output and two sub-calls. */
export function scriptRun(rlm: ScriptedRlm, runId = 'r1', question = 'hello'): void {
	rlm.emitEvent({type: 'run.start', runId, depth: 0, model: 'cogito:14b', backend: 'openai', question, context: {type: 'str', chars: 5}, maxIterations: 30});
	rlm.emitEvent({type: 'iter.start', runId, iteration: 1, maxIterations: 30});
	rlm.emitEvent({type: 'llm.start', runId, iteration: 1, messages: 2, promptChars: 500});
	rlm.emitEvent({type: 'llm.delta', runId, iteration: 1, text: 'Looking at the context.\n'});
	rlm.emitEvent({type: 'llm.done', runId, iteration: 1, text: 'Looking at the context.\n```repl\nprint(len(context))\n```', usage: {inputTokens: 100, outputTokens: 20}, ms: 30});
	rlm.emitEvent({type: 'code.start', runId, iteration: 1, block: 1, code: 'print(len(context))\nx = llm_query_batched(["a", "b"])'});
	rlm.emitEvent({type: 'code.output', runId, iteration: 1, block: 1, stream: 'stdout', text: '5\n'});
	for (const index of [0, 1]) {
		rlm.emitEvent({type: 'call.start', callId: `${runId}-c${index}`, runId, iteration: 1, block: 1, kind: 'llm', fn: 'llm_query_batched', index, model: 'cogito:14b', prompt: `prompt number ${index}`});
		rlm.emitEvent({type: 'call.done', callId: `${runId}-c${index}`, response: `response number ${index}`, usage: {inputTokens: 10, outputTokens: 5}, ms: 12});
	}
	rlm.emitEvent({type: 'code.done', runId, iteration: 1, block: 1, ok: true, stdout: '5\n', stderr: '', ms: 40, truncatedChars: 0, variables: [{name: 'x', type: 'list'}], final: null, restarted: false});
}

export function scriptRunDone(rlm: ScriptedRlm, runId = 'r1', answer = 'The answer is **five**.'): void {
	rlm.emitEvent({type: 'run.done', runId, answer, status: 'answered', usage: {inputTokens: 120, outputTokens: 30}, ms: 200, iterations: 1});
}

/** Records what the app asks of its terminal (suspend, mouse) and lets a test resume it. */
export class FakeTerminal implements TerminalControl {
	suspends = 0;
	mouse: boolean[] = [];
	#listeners = new Set<() => void>();

	suspend(): void {
		this.suspends++;
	}

	setMouse(on: boolean): void {
		this.mouse.push(on);
	}

	copied: string[] = [];
	copy(text: string): boolean {
		this.copied.push(text);
		return true;
	}

	onResume(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	resume(): void {
		for (const listener of this.#listeners) listener();
	}
}
