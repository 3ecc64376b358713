// The backend's model list as GET /v1/models shows it, kept a short while: a client polling the
// endpoint (a chat front end does on every page load) should not send each poll upstream, nor
// wait each time on an upstream whose list stalls.

/** How long a list the backend gave is shown without asking again, in ms. */
export const MODEL_LIST_FRESH_MS = 30_000;
/** How long after a failed or stalled list the backend is not asked again, in ms (polls meanwhile
 * answer at once, with the last list it gave, else none). */
export const MODEL_LIST_RETRY_MS = 30_000;
/** The most a list request may take, headers and body, in ms (it goes on in the background
 * after a poll has been answered without it). */
export const MODEL_LIST_TIMEOUT_MS = 10_000;
/** The most a poll waits for the backend's list, in ms: then it is answered with the last list
 * the backend gave, else none, and the request goes on for the polls after it. */
export const MODEL_LIST_ANSWER_MS = 2_000;

/**
 * A function that gives the backend's model ids: a fresh kept list, else what the request in
 * flight (concurrent polls share it; else a new one, bounded by `timeoutMs`) gives within
 * `answerWithinMs` of its start, else the last good list, else undefined. A request's list is kept whenever it
 * comes; a failure (an error, a timeout) is itself kept for `retryMs`. Never rejects.
 */
export function keptModelList(
	list: (signal: AbortSignal) => Promise<string[]>,
	options: {freshMs?: number; retryMs?: number; timeoutMs?: number; answerWithinMs?: number; now?: () => number} = {},
): () => Promise<string[] | undefined> {
	const {freshMs = MODEL_LIST_FRESH_MS, retryMs = MODEL_LIST_RETRY_MS, timeoutMs = MODEL_LIST_TIMEOUT_MS, answerWithinMs = MODEL_LIST_ANSWER_MS, now = Date.now} = options;
	let lastGood: string[] | undefined;
	let askAfter = 0;
	let pending: Promise<string[] | undefined> | undefined;
	/** When the polls waiting on the request in flight are answered without it. */
	let answerBy = 0;
	return () => {
		if (now() < askAfter) return Promise.resolve(lastGood);
		if (!pending) answerBy = now() + answerWithinMs;
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
		return withinMs(pending, Math.max(0, answerBy - now()), () => lastGood);
	};
}

/** What `promise` gives within `ms`, else `fallback()` (the promise goes on). */
function withinMs<T>(promise: Promise<T>, ms: number, fallback: () => T): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<T>((resolve) => {
		timer = setTimeout(() => resolve(fallback()), ms);
	});
	return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
