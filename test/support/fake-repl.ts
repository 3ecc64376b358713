// A REPL for the engine's tests that do not need Python: each code block a model writes names a
// scripted block, written in TypeScript, that sees `context`, `history` and a persistent namespace,
// prints, makes sub-calls through the run's bridge handler, submits answers, fails, crashes, or
// runs until cancelled. It keeps to the Repl port's contract (protocol/repl.ts) as the sandbox
// does: one operation at a time, errors in the result rather than thrown, the restart said.
// What it does not do: Python, output caps, timeouts, memory limits (test/sandbox covers those).
import type {
	BridgeFunction,
	ExecResult,
	HistoryEntry,
	Repl,
	ReplFactory,
	ReplOptions,
	RunOptions,
	SandboxContext,
	VariableInfo,
} from '../../source/protocol/repl.js';

/** What a scripted block can do: the REPL API, in TypeScript. */
export interface FakeBlockApi {
	readonly context: SandboxContext | null;
	readonly history: readonly HistoryEntry[];
	/** The namespace: what a block puts here is there for later blocks and turns (until a restart). */
	readonly vars: Record<string, unknown>;
	/** Like Python's print: values joined by spaces, a newline, streamed at once. */
	print: (...values: unknown[]) => void;
	printError: (text: string) => void;
	llm_query: (prompt: string, model?: string) => Promise<string>;
	llm_query_batched: (prompts: string[], model?: string) => Promise<string[]>;
	rlm_query: (prompt: string, model?: string) => Promise<string>;
	rlm_query_batched: (prompts: string[], model?: string) => Promise<string[]>;
	/** Submits the final answer. */
	llm_output: (answer: string) => void;
	/** `answer["content"] = text` without `answer["ready"] = True`: a draft, reported with every
	 * later block's result until the turn ends (a run a limit stops answers with it). */
	setAnswerContent: (text: string) => void;
	/** Aborted when the block is interrupted (Python would see KeyboardInterrupt). */
	readonly signal: AbortSignal;
	/** Never resolves: a block that runs until it is interrupted (`while True: pass`). */
	runForever: () => Promise<never>;
	/** The REPL's process dies under this block: every variable is gone, and the result says so. */
	crash: (reason: string) => never;
}

export type FakeBlock = (api: FakeBlockApi) => void | Promise<void>;

/** A Python exception raised by a scripted block: reported as `Type: message`. */
export class FakePythonError extends Error {
	constructor(
		readonly type: string,
		message: string,
	) {
		super(message);
	}
}

class FakeCrash extends Error {}

/** Turns the code of a block into the scripted block to run; undefined when there is none. */
export type FakeBlockLookup = (code: string) => FakeBlock | undefined;

export interface FakeReplScript {
	/** Scripted blocks by their code (trimmed): the model's ```repl block holds the key. */
	blocks: Record<string, FakeBlock> | FakeBlockLookup;
	/** Awaited before each REPL starts (hold it to test a REPL that is slow to start). */
	beforeStart?: () => Promise<void>;
}

function typeName(value: unknown): string {
	if (value === null || value === undefined) return 'NoneType';
	if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
	if (typeof value === 'string') return 'str';
	if (typeof value === 'boolean') return 'bool';
	if (typeof value === 'function') return 'function';
	if (Array.isArray(value)) return 'list';
	return 'dict';
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

export class FakeRepl implements Repl {
	readonly options: ReplOptions;
	context: SandboxContext | null = null;
	history: HistoryEntry[] = [];
	vars: Record<string, unknown> = {};
	/** `answer["content"]` (reset by beginTurn). */
	answerContent = '';
	/** The code of every block run, in order. */
	readonly runs: string[] = [];
	/** The options each block ran with (its per-block timeout and memory limit), in order. */
	readonly runOptions: RunOptions[] = [];
	disposed = false;
	restarts = 0;
	readonly #lookup: FakeBlockLookup;
	#queue: Promise<unknown> = Promise.resolve();

	constructor(script: FakeReplScript, options: ReplOptions) {
		this.options = options;
		const blocks = script.blocks;
		this.#lookup = typeof blocks === 'function' ? blocks : (code) => blocks[code.trim()];
	}

	setContext(context: SandboxContext | null): Promise<void> {
		return this.#enqueue(async () => {
			this.context = context;
		});
	}

	beginTurn(history: HistoryEntry[]): Promise<void> {
		return this.#enqueue(async () => {
			this.history = history.map((entry) => ({...entry}));
			this.answerContent = '';
		});
	}

	run(code: string, options: RunOptions = {}): Promise<ExecResult> {
		return this.#enqueue(() => this.#run(code, options));
	}

	async dispose(): Promise<void> {
		this.disposed = true;
	}

	#enqueue<T>(job: () => Promise<T>): Promise<T> {
		const next = this.#queue.then(() => {
			if (this.disposed) throw new Error('The fake REPL has been disposed');
			return job();
		});
		this.#queue = next.catch(() => undefined);
		return next;
	}

	async #run(code: string, options: RunOptions): Promise<ExecResult> {
		const started = performance.now();
		this.runs.push(code);
		this.runOptions.push(options);
		const output = {stdout: '', stderr: ''};
		const result = (fields: Partial<ExecResult> & Pick<ExecResult, 'ok'>): ExecResult => ({
			...output,
			truncatedChars: 0,
			variables: this.#variables(),
			final: null,
			ms: performance.now() - started,
			restarted: false,
			...(this.answerContent && !fields.final ? {answerDraft: this.answerContent} : {}),
			...fields,
		});
		if (options.signal?.aborted) return result({ok: false, error: 'Cancelled before the block ran.', limit: 'cancelled'});
		const block = this.#lookup(code);
		if (!block) return result({ok: false, error: `NameError: the fake REPL has no scripted block for ${JSON.stringify(code.trim().slice(0, 80))}`});

		const interrupt = new AbortController();
		const onAbort = () => interrupt.abort();
		options.signal?.addEventListener('abort', onAbort, {once: true});
		const emit = (stream: 'stdout' | 'stderr', text: string) => {
			output[stream] += text;
			options.onOutput?.(stream, text);
		};
		const bridge = async (fn: BridgeFunction, prompts: string[], model?: string): Promise<string[]> => {
			if (!options.onCall) return prompts.map(() => 'Error: sub-calls are not available here');
			try {
				return await options.onCall({fn, prompts, model: model ?? null}, interrupt.signal);
			} catch (error) {
				return prompts.map(() => `Error: ${error instanceof Error ? error.message : String(error)}`);
			}
		};
		let final: string | null = null;
		const api: FakeBlockApi = {
			context: this.context,
			history: this.history,
			vars: this.vars,
			print: (...values) => emit('stdout', `${values.map(show).join(' ')}\n`),
			printError: (text) => emit('stderr', text),
			llm_query: async (prompt, model) => (await bridge('llm_query', [prompt], model))[0]!,
			llm_query_batched: (prompts, model) => bridge('llm_query_batched', prompts, model),
			rlm_query: async (prompt, model) => (await bridge('rlm_query', [prompt], model))[0]!,
			rlm_query_batched: (prompts, model) => bridge('rlm_query_batched', prompts, model),
			llm_output: (answer) => {
				final = answer;
			},
			setAnswerContent: (text) => {
				this.answerContent = text;
			},
			signal: interrupt.signal,
			runForever: () => new Promise<never>(() => {}),
			crash: (reason) => {
				throw new FakeCrash(reason);
			},
		};
		const interrupted = new Promise<'interrupted'>((resolve) => {
			if (interrupt.signal.aborted) resolve('interrupted');
			interrupt.signal.addEventListener('abort', () => resolve('interrupted'), {once: true});
		});
		try {
			const outcome = await Promise.race([Promise.resolve().then(() => block(api)), interrupted]);
			if (outcome === 'interrupted') return result({ok: false, error: 'Cancelled: the block was interrupted.\nKeyboardInterrupt', limit: 'cancelled'});
			return result({ok: true, final});
		} catch (error) {
			if (error instanceof FakeCrash) {
				this.vars = {};
				this.restarts++;
				return result({
					ok: false,
					error: `The Python process crashed (${error.message}), so the REPL was restarted: every variable is gone; context and history were reloaded.`,
					variables: [],
					limit: 'crashed',
					restarted: true,
				});
			}
			const text = error instanceof FakePythonError ? `${error.type}: ${error.message}` : `Exception: ${error instanceof Error ? error.message : String(error)}`;
			return result({ok: false, error: text, final});
		} finally {
			options.signal?.removeEventListener('abort', onAbort);
			interrupt.abort();
		}
	}

	#variables(): VariableInfo[] {
		return Object.entries(this.vars).map(([name, value]) => ({name, type: typeName(value)}));
	}
}

/** A ReplFactory that makes FakeRepls; `started` lists them in the order they were made, `peak`
 * is the most that were alive (started, not disposed) at once. */
export function fakeRepls(script: FakeReplScript): ReplFactory & {started: FakeRepl[]; readonly peak: number} {
	const started: FakeRepl[] = [];
	let peak = 0;
	return {
		started,
		get peak() {
			return peak;
		},
		async start(options) {
			await script.beforeStart?.();
			const repl = new FakeRepl(script, options);
			started.push(repl);
			peak = Math.max(peak, started.filter((one) => !one.disposed).length);
			return repl;
		},
	};
}
