// The backend's model list as GET /v1/models shows it, kept a short while: a client polling the
// endpoint (a chat front end does on every page load) should not send each poll upstream, nor
// wait each time on an upstream whose list stalls.

/** How long a list the backend gave is shown without asking again, in ms. */
export const MODEL_LIST_FRESH_MS = 30_000;
/** How long after a failed or stalled list the backend is not asked again, in ms (polls meanwhile
 * answer at once, with the last list it gave, else none). */
export const MODEL_LIST_RETRY_MS = 30_000;
/** The most a list request may take, headers and body, in ms. */
export const MODEL_LIST_TIMEOUT_MS = 10_000;

/**
 * A function that gives the backend's model ids: a fresh kept list, else the one request in
 * flight (concurrent polls share it), else a new request bounded by `timeoutMs`. A failure (an
 * error, a timeout) gives the last good list, else undefined, and is itself kept for `retryMs`.
 * Never rejects.
 */
export function keptModelList(
	list: (signal: AbortSignal) => Promise<string[]>,
	options: {freshMs?: number; retryMs?: number; timeoutMs?: number; now?: () => number} = {},
): () => Promise<string[] | undefined> {
	const {freshMs = MODEL_LIST_FRESH_MS, retryMs = MODEL_LIST_RETRY_MS, timeoutMs = MODEL_LIST_TIMEOUT_MS, now = Date.now} = options;
	let lastGood: string[] | undefined;
	let askAfter = 0;
	let pending: Promise<string[] | undefined> | undefined;
	return () => {
		if (now() < askAfter) return Promise.resolve(lastGood);
		pending ??= list(AbortSignal.timeout(timeoutMs))
			.then(
				(models) => {
					lastGood = models;
					askAfter = now() + freshMs;
					return models;
				},
				() => {
					askAfter = now() + retryMs;
					return lastGood;
				},
			)
			.finally(() => {
				pending = undefined;
			});
		return pending;
	};
}
