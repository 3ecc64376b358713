// A streamed reply that stops mid-way: the SDKs' timeout ends when the response starts (their fetch
// clears it once the headers arrive), so a stream that stalls after that would wait for undici's
// own body timeout (300 s) whatever the request timeout says. This puts the request timeout
// between the parts of the stream too.
import {BackendError} from './types.js';

/** The error a stalled stream ends with (a BackendError 'timeout'; `stalled` tells it apart). */
export class StreamStalled extends BackendError {
	readonly stalled = true;
}

/**
 * `source`'s items as they come; when none comes for `ms` milliseconds, `stop()` is called (it
 * aborts the request, so the pending read ends) and the iteration throws `stalled()`.
 */
export async function* withIdleTimeout<T>(source: AsyncIterable<T>, ms: number, stop: () => void, stalled: () => StreamStalled): AsyncGenerator<T> {
	const iterator = source[Symbol.asyncIterator]();
	let finished = false;
	try {
		for (;;) {
			let timer: NodeJS.Timeout | undefined;
			const idle = new Promise<'idle'>((resolve) => {
				timer = setTimeout(() => resolve('idle'), ms);
			});
			const pending = iterator.next();
			let next: IteratorResult<T> | 'idle';
			try {
				next = await Promise.race([pending, idle]);
			} finally {
				clearTimeout(timer);
			}
			if (next === 'idle') {
				finished = true;
				stop();
				pending.catch(() => undefined);
				throw stalled();
			}
			if (next.done) {
				finished = true;
				return;
			}
			yield next.value;
		}
	} finally {
		// The consumer stopped early (break, an error it threw): the source stops too (the SDKs
		// abort the request when their stream is returned).
		if (!finished) await iterator.return?.();
	}
}
