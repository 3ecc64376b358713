// --replay in a terminal: the logged run's tree and chat, explored read-only with the same UI.
import {EventEmitter} from 'node:events';
import {isBackendName, type BackendName} from '../protocol/backends.js';
import type {RlmEvent} from '../protocol/events.js';
import type {ResumeLastResult, RlmEvents, ServerModelChoice} from '../engine/rlm.js';
import type {CompletionResult, RlmOptions} from '../engine/types.js';
import type {ResolvedConfig} from '../settings/resolve.js';
import {DEFAULT_SETTINGS} from '../settings/schema.js';
import {openSettings} from '../settings/store.js';
import type {UiEngine} from './engine-port.js';
import {runFullScreen} from './fullscreen.js';

export interface ReplayTuiOptions {
	events: readonly RlmEvent[];
	/** Shown in the chat (the log's path). */
	title: string;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
}

/** Stands in for the engine in a replay: emits nothing, runs nothing. */
export class InertEngine extends EventEmitter<RlmEvents> implements UiEngine {
	constructor(readonly options: Readonly<RlmOptions>) {
		super();
	}

	configure(): void {}

	async completion(): Promise<CompletionResult> {
		return {
			response: '',
			status: 'failed',
			iterations: [],
			usage: {inputTokens: 0, outputTokens: 0, totalTokens: 0},
			executionTimeMs: 0,
			runId: '',
			error: 'a replay cannot run completions',
		};
	}

	setContext(): void {}

	readonly sessionContext = undefined;

	async listModels(): Promise<string[]> {
		return [];
	}

	async checkBackend(): Promise<void> {}

	async chooseServerModel(): Promise<string | undefined> {
		return undefined;
	}

	async modelForServer(): Promise<ServerModelChoice> {
		return {status: 'kept', model: ''};
	}

	sessionModel(): string | undefined {
		return undefined;
	}

	modelAliases(): Readonly<Record<string, string>> {
		return {};
	}

	async resetSession(): Promise<void> {}

	readonly sessionId = 'replay';
	readonly history = [];

	async resumeLast(): Promise<ResumeLastResult> {
		return {status: 'off'};
	}

	async warmUp(): Promise<void> {}

	async dispose(): Promise<void> {}
}

/** The configuration a replay shows: the logged run's backend, model (the log's root_model, as
 * written: the components make it printable) and iteration cap. */
export function replayConfig(events: readonly RlmEvent[]): ResolvedConfig {
	const first = events.find((event) => event.type === 'run.start');
	const backend: BackendName = first?.type === 'run.start' && isBackendName(first.backend) ? first.backend : 'demo';
	return {
		backend,
		model: first?.type === 'run.start' ? first.model : 'unknown',
		maxIterations: first?.type === 'run.start' ? first.maxIterations : DEFAULT_SETTINGS.maxIterations,
		maxDepth: DEFAULT_SETTINGS.maxDepth,
		timeoutSeconds: DEFAULT_SETTINGS.timeoutSeconds,
	};
}

export async function runReplayTui(options: ReplayTuiOptions): Promise<number> {
	const config = replayConfig(options.events);
	const {backend, model} = config;
	return runFullScreen(
		async (onExit, terminal) => {
			// React is CommonJS: its default export is the module in Node and in the bundle alike.
			const [{default: React}, {App}] = await Promise.all([import('react'), import('./app.js')]);
			return React.createElement(App, {
				rlm: new InertEngine({model, backend}),
				config,
				settings: openSettings(),
				onExit,
				terminal,
				skipStartup: true,
				replay: {title: options.title, events: options.events},
			});
		},
		{...(options.stdin ? {stdin: options.stdin} : {}), ...(options.stdout ? {stdout: options.stdout} : {})},
	);
}
