// Retrying a stream that failed inside its 200: the SDKs retry only a failed response status, not
// an error event inside a 200 stream (Anthropic's overloaded_error, an OpenAI-compatible error
// chunk, OpenRouter's finish_reason "error") or a connection cut mid-reply. A thinking model often
// fails mid-thought: its thinking is not the reply, so it is retried and its thinking shown stays,
// marked by the retry notice. A failure after answer text is retried too (vLLM and Ollama drop
// connections mid-generation, Anthropic sends overloaded_error mid-reply): the notice then withdraws
// the reply so far (`replyWithdrawn`), and the retried reply streams from its start.
import {abortedError, isDroppedStream, oneLine, retryDelayMs, retryNoticeText} from './errors.js';
import {ThinkSplitter} from './reasoning.js';
import {BackendError, type RetryFacts, type StreamChunk} from './types.js';

/**
 * Runs `attempt` and passes its chunks on; when it throws a `transient` BackendError, or ends in a
 * reply the server cut (a usage chunk with `droppedBy`), waits the SDKs' backoff and runs it again,
 * up to `maxRetries` times, after a `stream_retried` notice (separateReasoning starts over on it);
 * the wait is the one the server named (BackendError.retryAfterMs), if it named one. When answer
 * text had come (reasoning chunks and `<think>` text do not count: a ThinkSplitter decides as the
 * consumer will), the notice says the reply so far is withdrawn and carries `replyWithdrawn`. The
 * notice carries the retry's facts (`retry`: its number, the wait, the error's summary). Other
 * errors, and the last try's, are thrown as they are; the last try's cut reply is kept ('dropped').
 */
export async function* withStreamRetries(
	attempt: () => AsyncGenerator<StreamChunk>,
	options: {maxRetries: number; signal?: AbortSignal},
): AsyncGenerator<StreamChunk> {
	/** What each failed try said, for the last one's error. */
	const failures: string[] = [];
	for (let retry = 0; ; retry++) {
		let answered = false;
		let thought = false;
		const splitter = new ThinkSplitter();
		let cut: BackendError | undefined;
		try {
			for await (const chunk of attempt()) {
				if (chunk.type === 'usage' && chunk.droppedBy !== undefined) {
					// A reply the server cut after its answer began: retried while retries are left, else kept as cut.
					// The last try's cut is kept, with what cut it (the engine's notice says it).
					if (retry >= options.maxRetries || options.signal?.aborted) {
						yield chunk;
						return;
					}
					const {droppedBy, droppedSummary} = chunk;
					cut = new BackendError(droppedBy, 'server');
					if (droppedSummary !== undefined) cut.summary = droppedSummary;
					cut.transient = true;
					break;
				}
				if (chunk.type === 'reasoning') thought = true;
				if (chunk.type === 'text' && !answered) {
					const pieces = splitter.push(chunk.text);
					answered = pieces.some((piece) => piece.type === 'text' && piece.text.trim() !== '');
					thought ||= pieces.some((piece) => piece.type === 'reasoning');
				}
				yield chunk;
			}
			if (!cut) return;
			throw cut;
		} catch (error) {
			if (error instanceof BackendError && error.transient) failures.push(error.message);
			if (retry >= options.maxRetries && !options.signal?.aborted) throw onEachTry(error, failures);
			if (retry >= options.maxRetries || options.signal?.aborted || !(error instanceof BackendError && error.transient)) throw error;
			// What the splitter still holds counts as the consumer will read it: separateReasoning flushes
			// it on the notice (a harmony header whose `<|message|>` never came is answer text then).
			answered ||= splitter.end().some((piece) => piece.type === 'text' && piece.text.trim() !== '');
			// As the SDKs retry a response status: the wait the server named, else the backoff.
			const delay = error.retryAfterMs ?? retryDelayMs(retry);
			const facts = retryFacts(error, delay, retry, options.maxRetries);
			yield {
				type: 'notice',
				code: 'stream_retried',
				message: retryNoticeText(retryCause(error.message, answered, thought), facts),
				...(answered ? {replyWithdrawn: true as const} : {}),
				retry: facts,
			};
			await sleep(delay, options.signal);
		}
	}
}

/**
 * A non-streamed request run again, as withStreamRetries runs a stream, when it fails with a
 * `transient` BackendError: an error the server put in the 200 body instead of the reply (the SDKs
 * retry only a failed response status). Waits the wait the server named, else the SDKs' backoff.
 */
export async function withRetries<T>(
	attempt: () => Promise<T>,
	options: {maxRetries: number; signal?: AbortSignal; onNotice?: (notice: Extract<StreamChunk, {type: 'notice'}>) => void},
): Promise<T> {
	for (let retry = 0; ; retry++) {
		try {
			return await attempt();
		} catch (error) {
			if (retry >= options.maxRetries || options.signal?.aborted || !(error instanceof BackendError && error.transient)) throw error;
			const delay = error.retryAfterMs ?? retryDelayMs(retry);
			const facts = retryFacts(error, delay, retry, options.maxRetries);
			options.onNotice?.({type: 'notice', code: 'stream_retried', message: retryNoticeText(error.message, facts), retry: facts});
			await sleep(delay, options.signal);
		}
	}
}

/** The last try's error, saying so when every try's connection dropped the same way, as a timeout
 * or a reset before the response says it: "… mid-stream (each of 3 tries)." */
function onEachTry(error: unknown, failures: string[]): unknown {
	if (!(error instanceof BackendError) || !isDroppedStream(error) || failures.length < 2 || failures.some((failure) => failure !== error.message) || !error.message.endsWith('.')) return error;
	const each = new BackendError(`${error.message.slice(0, -1)} (each of ${failures.length} tries).`, error.code, error.status, error.advice);
	if (error.retryAfterMs !== undefined) each.retryAfterMs = error.retryAfterMs;
	if (error.summary !== undefined) each.summary = error.summary;
	return each;
}

/** The facts of retry number `retry` + 1 after `error`, waited `delayMs` (0 and a few ms: at once). */
function retryFacts(error: BackendError, delayMs: number, retry: number, maxRetries: number): RetryFacts {
	return {retry: retry + 1, maxRetries, waitMs: Math.round(delayMs), cause: oneLine(error.summary ?? error.message)};
}

/** Why the call is retried, and what becomes of the reply so far: a withdrawn reply is said first
 * (a line cut to a row's width still says it). */
function retryCause(failure: string, answered: boolean, thought: boolean): string {
	if (answered) return `The reply so far is withdrawn${thought ? ' (its thinking is kept)' : ''}: ${failure}`;
	return thought ? `${failure} The model was still thinking (its thinking so far is kept).` : failure;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(abortedError());
		const onAbort = () => {
			clearTimeout(timer);
			reject(abortedError());
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, {once: true});
	});
}
