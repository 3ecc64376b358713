// Retrying a stream that failed before it said anything: the SDKs retry only a failed response
// status, not an error event inside a 200 stream (Anthropic's overloaded_error, an OpenAI-compatible
// error chunk). Once text has arrived the call fails instead: a retry would repeat what was shown.
import {abortedError, retryDelayMs} from './errors.js';
import {BackendError, type StreamChunk} from './types.js';

/**
 * Runs `attempt` and passes its chunks on; when it throws a `transient` BackendError before any text or
 * reasoning came, waits the SDKs' backoff and runs it again, up to `maxRetries` times. Other errors,
 * and errors after text, are thrown as they are.
 */
export async function* withStreamRetries(
	attempt: () => AsyncGenerator<StreamChunk>,
	options: {maxRetries: number; signal?: AbortSignal},
): AsyncGenerator<StreamChunk> {
	for (let retry = 0; ; retry++) {
		let started = false;
		try {
			for await (const chunk of attempt()) {
				if (chunk.type === 'text' || chunk.type === 'reasoning') started = true;
				yield chunk;
			}
			return;
		} catch (error) {
			if (started || retry >= options.maxRetries || options.signal?.aborted || !(error instanceof BackendError && error.transient)) throw error;
			const delay = retryDelayMs(retry);
			yield {type: 'notice', code: 'stream_retried', message: `${error.message} Retrying in ${(delay / 1000).toFixed(1)} s (${retry + 1} of ${options.maxRetries}).`};
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
