// The context window a model really has, for the sub-call check and the root's own prompt: what
// the server says (Ollama, vLLM, LM Studio, llama.cpp), else the model catalog, else a guess.
import {DEFAULT_CONTEXT_TOKENS} from '../backends/model-info.js';
import {subBackendOf, type EngineContext} from './engine-context.js';
import {formatCount} from '../protocol/numbers.js';

export interface KnownWindow {
	tokens: number;
	/** Where the figure came from, for messages ('Ollama num_ctx', 'the model catalog', ...). */
	source: string;
	/** False for the guess used when nothing is known. */
	known: boolean;
}

/** Reserve for a model's reply inside its window, in tokens (windows of 4,096 tokens and more). */
export const REPLY_RESERVE_TOKENS = 1024;
/** The smallest reply reserve a small window keeps, in tokens. */
export const MIN_REPLY_RESERVE_TOKENS = 256;

/** The reply's reserve inside a `windowTokens`-token window: REPLY_RESERVE_TOKENS, shrunk on a
 * small window (a quarter of it, at least MIN_REPLY_RESERVE_TOKENS) so the prompt keeps room. */
export function replyReserveTokens(windowTokens: number): number {
	return Math.min(REPLY_RESERVE_TOKENS, Math.max(MIN_REPLY_RESERVE_TOKENS, Math.floor(windowTokens / 4)));
}

/** How a prompt of `tokens` is over a window, as messages say it: plainly over, or over once the
 * reply's reserve is counted (said so, not hidden). */
export function overWindowPhrase(tokens: number, windowTokens: number): string {
	const window = `the ${formatCount(windowTokens)}-token window`;
	return tokens > windowTokens
		? `about ${formatCount(tokens)} tokens, over ${window}`
		: `about ${formatCount(tokens)} tokens; with room for a ${formatCount(replyReserveTokens(windowTokens))}-token reply that is over ${window}`;
}

/** `model`'s window: the server's or the catalog's figure, else DEFAULT_CONTEXT_TOKENS (a guess). */
export async function windowOf(engine: EngineContext, model: string, signal?: AbortSignal, backend = engine.backend): Promise<KnownWindow> {
	const found = await backend.contextWindow?.(model, signal).catch(() => undefined);
	if (found) return {...found, known: true};
	return {tokens: DEFAULT_CONTEXT_TOKENS, source: 'a guess: the server did not say', known: false};
}

/** The run's own model's window: the contextWindow option when set (the server is not asked), else windowOf. */
export async function rootWindow(engine: EngineContext, model: string, signal?: AbortSignal): Promise<KnownWindow> {
	const set = engine.options.contextWindow;
	if (set) return {tokens: set, source: engine.options.contextWindowName ?? 'contextWindow', known: true};
	return windowOf(engine, model, signal);
}

/** The sub-model's window: subModelContextTokens when set, the root's contextWindow when it is the root's model on the root's server, else windowOf. */
export async function subModelWindow(engine: EngineContext, model: string, signal?: AbortSignal): Promise<KnownWindow> {
	const set = engine.options.subModelContextTokens;
	if (set) return {tokens: set, source: 'subModelContextTokens', known: true};
	// The root's own model on the root's server: the window the user gave for it holds here too.
	if (!engine.sub && model === engine.options.model && engine.options.contextWindow) return rootWindow(engine, model, signal);
	return windowOf(engine, model, signal, subBackendOf(engine).backend);
}

/** Characters of prompt a window leaves room for (about four characters a token, half the window
 * so the sub-model's instructions and reply fit too). */
export function promptBudgetChars(window: number): number {
	return Math.max(1000, Math.floor(((window - replyReserveTokens(window)) * 4) / 2));
}
