// What the UI uses of the engine: the live Rlm, or the inert stand-in of a replay. Only the effect
// runner and the slash commands' effects (run by it) call these methods.
import type {CompletionOptions, CompletionResult, RlmOptions} from '../engine/types.js';
import type {ResumeLastResult, ServerModelChoice} from '../engine/rlm.js';
import type {RlmEvent} from '../protocol/events.js';
import type {SandboxContext} from '../protocol/repl.js';
import type {ResumeTurn} from '../trajectory/resume.js';
import type {TrajectoryLog} from '../trajectory/read-log.js';

export interface UiEngine {
	on(event: 'event', listener: (event: RlmEvent) => void): unknown;
	off(event: 'event', listener: (event: RlmEvent) => void): unknown;
	readonly options: Readonly<RlmOptions>;
	configure(patch: Partial<RlmOptions>): void;
	completion(prompt: string, options?: CompletionOptions): Promise<CompletionResult>;
	setContext(context: SandboxContext | null): void;
	/** The context the next question gets (after a resume: the resumed session's); null or undefined: none. */
	readonly sessionContext: SandboxContext | null | undefined;
	listModels(signal?: AbortSignal): Promise<string[]>;
	checkBackend(signal?: AbortSignal): Promise<void>;
	chooseServerModel(signal?: AbortSignal): Promise<string | undefined>;
	/** After /backend: the model kept when the server lists it, else its first (engine/rlm.ts). */
	modelForServer(signal?: AbortSignal): Promise<ServerModelChoice>;
	/** The model this session last used on a backend (undefined: none yet). */
	sessionModel(backend: string): string | undefined;
	/** Short model names the backend in use resolves: alias to model id (`sonnet` → `claude-…`);
	 * on a server other than the provider's own, only those whose model is in `listed`. */
	modelAliases(listed?: readonly string[]): Readonly<Record<string, string>>;
	resetSession(): Promise<void>;
	resumeLast(onFound?: (found: {turns: readonly ResumeTurn[]; replacing: boolean; logs: readonly TrajectoryLog[]}) => void): Promise<ResumeLastResult>;
	readonly sessionId: string;
	readonly history: readonly {question: string; answer: string}[];
	warmUp(): Promise<void>;
	dispose(): Promise<void>;
}

/** An error's first line, for a one-line message in the chat. */
export const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
