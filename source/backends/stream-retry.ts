// Retrying a stream that failed before its answer began: the SDKs retry only a failed response
// status, not an error event inside a 200 stream (Anthropic's overloaded_error, an OpenAI-compatible
// error chunk, OpenRouter's finish_reason "error"). A thinking model often fails mid-thought: its
// thinking is not the reply, so it is retried too (the thinking shown stays, marked by the retry
// notice). Once answer text has arrived the call fails instead: a retry would repeat what was shown.
import {abortedError, retryDelayMs} from './errors.js';
import {ThinkSplitter} from './reasoning.js';
import {BackendError, type StreamChunk} from './types.js';

/**
 * Runs `attempt` and passes its chunks on; when it throws a `transient` BackendError before any answer
 * text came (reasoning chunks and `<think>` text do not count: separateReasoning decides as the
 * consumer will), waits the SDKs' backoff and runs it again, up to `maxRetries` times, after a
 * `stream_retried` notice (separateReasoning starts over on it); the wait is the one the server
 * named (BackendError.retryAfterMs), if it named one. Other errors, and errors after
 * answer text, are thrown as they are.
 */
export async function* withStreamRetries(
	attempt: () => AsyncGenerator<StreamChunk>,
	options: {maxRetries: number; signal?: AbortSignal},
): AsyncGenerator<StreamChunk> {
	for (let retry = 0; ; retry++) {
		let answered = false;
		let thought = false;
		const splitter = new ThinkSplitter();
		try {
			for await (const chunk of attempt()) {
				if (chunk.type === 'reasoning') thought = true;
				if (chunk.type === 'text' && !answered) {
					const pieces = splitter.push(chunk.text);
					answered = pieces.some((piece) => piece.type === 'text' && piece.text.trim() !== '');
					thought ||= pieces.some((piece) => piece.type === 'reasoning');
				}
				yield chunk;
			}
			return;
		} catch (error) {
			if (answered || retry >= options.maxRetries || options.signal?.aborted || !(error instanceof BackendError && error.transient)) throw error;
			// As the SDKs retry a response status: the wait the server named, else the backoff.
			const delay = error.retryAfterMs ?? retryDelayMs(retry);
			const kept = thought ? ' The model was still thinking (its thinking so far is kept); it starts over.' : '';
			yield {type: 'notice', code: 'stream_retried', message: `${error.message}${kept} Retrying in ${(delay / 1000).toFixed(1)} s (${retry + 1} of ${options.maxRetries}).`};
			await sleep(delay, options.signal);
		}
	}
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
