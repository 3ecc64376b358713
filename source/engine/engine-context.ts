// What a run needs from the Rlm that owns it: the backend, the settled options, and the event sink.
import type {Backend} from '../backends/types.js';
import type {Sandbox} from '../sandbox/sandbox.js';
import type {SandboxOptions} from '../sandbox/types.js';
import type {RlmEventBody} from './events.js';

export interface SettledOptions {
	model: string;
	subModel: string;
	temperature?: number;
	maxTokens?: number;
	maxIterations: number;
	maxDepth: number;
	maxConcurrency: number;
	maxChildConcurrency: number;
	subModelContextTokens?: number;
	sandbox: SandboxOptions;
}

export interface EngineContext {
	backend: Backend;
	options: SettledOptions;
	emit(event: RlmEventBody): void;
	/** A fresh sandbox for a child RLM; the caller disposes it. */
	startSandbox(): Promise<Sandbox>;
}
