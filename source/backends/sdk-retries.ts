// The retries the SDKs make themselves (maxRetries: a 408, 409, 429 or 5xx status, Anthropic's 529,
// a timeout before the headers, a reset connection) are silent: the SDK sleeps and tries again. The
// fetch given to each SDK client sees every try, so it tells the request being watched each try
// that failed in a way the SDK will retry, and the backend's stream() yields it as a notice. The
// request names its watch in a header of its own, which the fetch takes off before it sends: an
// AsyncLocalStorage would do without it, but in Node 20 it turns on async hooks for every promise
// of the process from then on (measured: a headless answer 20 ms more CPU, 670 vs 690 ms).
import {errorBodyOf, messageFromText, retryAfterMs} from './response-body.js';
import type {CompleteOptions, RetryFacts, StreamChunk} from './types.js';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A try that failed and that the SDK will retry: what failed, and which retry comes. */
export type RetriedFailure = (
	| {how: 'status'; status: number; /** The server's own message, when it sent one. */ said?: string}
	| {how: 'timeout'}
	| {how: 'connection'; error: unknown}
) & {
	/** The wait the SDK sleeps as the response named it (retry-after-ms, retry-after), in ms; absent
	 * when it sleeps its own backoff (SdkWaitRule). 0: at once. */
	waitMs?: number;
	/** 1 for the first retry. */
	retry: number;
	maxRetries: number;
};

/** What the retry notice says (its message) and carries (the retry's facts) for a retried failure. */
export type SayRetry = (failure: RetriedFailure) => {message: string; retry: RetryFacts};

/**
 * The wait an SDK sleeps before a retry as a response names it (retry-after-ms, else retry-after:
 * response-body.ts retryAfterMs), in ms; undefined when it sleeps its own backoff instead.
 * openai's sleeps any wait named, a 0 (or a date past) at once; @anthropic-ai/sdk's only a wait
 * above 0 that one timer can hold (up to 2^31 - 1 ms), its backoff for any other.
 */
export type SdkWaitRule = (named: number | undefined) => number | undefined;

export const OPENAI_SDK_WAIT: SdkWaitRule = (named) => (named === undefined ? undefined : Math.max(0, named));
export const ANTHROPIC_SDK_WAIT: SdkWaitRule = (named) => (named !== undefined && named > 0 && named <= 2 ** 31 - 1 ? named : undefined);

/** The header a watched request carries (never sent: retryTellingFetch removes it). */
const WATCH_HEADER = 'x-rlm-tui-retry-watch';
/** The watches whose request is still running, by the id their header holds. */
const watches = new Map<string, SdkRetryWatch>();
let watchCount = 0;

/**
 * The failed tries of one request, in order, told by retryTellingFetch while the request runs inside
 * `run`. `signal` is the caller's: a try it ended is a cancel, not a failure the SDK retries.
 */
export class SdkRetryWatch {
	private readonly told: RetriedFailure[] = [];
	private wake: (() => void) | undefined;

	private readonly id = String(++watchCount);

	constructor(readonly signal?: AbortSignal) {}

	/** Runs `call`, which makes an SDK request with `headers` among its request options, so that the
	 * request's tries are told to this watch (until `notices` has seen the request settle). */
	run<T>(call: (headers: Record<string, string>) => T): T {
		watches.set(this.id, this);
		return call({[WATCH_HEADER]: this.id});
	}

	tell(failure: RetriedFailure): void {
		this.told.push(failure);
		this.wake?.();
	}

	/** Yields a `stream_retried` notice (`say`: its words and facts) for each failure told until
	 * `promise` settles, then for those still held, then returns its value (or throws its error). */
	async *notices<T>(promise: Promise<T>, say: SayRetry): AsyncGenerator<StreamChunk, T> {
		const settled = promise.then(
			() => true,
			() => true,
		);
		void settled.then(() => watches.delete(this.id));
		const notice = (failure: RetriedFailure): StreamChunk => ({type: 'notice', code: 'stream_retried', ...say(failure)});
		for (;;) {
			while (this.told.length > 0) yield notice(this.told.shift()!);
			const told = new Promise<false>((resolve) => (this.wake = () => resolve(false)));
			const done = await Promise.race([settled, told]);
			this.wake = undefined;
			if (done) break;
		}
		while (this.told.length > 0) yield notice(this.told.shift()!);
		return await promise;
	}
}

/** Whether the SDKs retry a response with this status and headers (their shouldRetry). */
function sdkRetries(response: Response): boolean {
	const asked = response.headers.get('x-should-retry');
	if (asked === 'true') return true;
	if (asked === 'false') return false;
	return response.status === 408 || response.status === 409 || response.status === 429 || response.status >= 500;
}

/**
 * A fetch for an SDK client made with `maxRetries` (wrapping `inner`, the inspecting fetch, whose
 * kept error body gives the server's message): a try the SDK will retry is told to the watch the
 * request runs under (SdkRetryWatch.run), with the wait that SDK sleeps (`sdkWait`, its rule);
 * other requests pass through untouched. Each try carries the SDK's `x-stainless-retry-count`, so
 * the fetch knows whether a retry is left.
 */
export function retryTellingFetch(inner: Fetch, maxRetries: number, sdkWait: SdkWaitRule): Fetch {
	return async (input, init) => {
		// Both SDKs build each try's Headers anew: taking the watch's off this one changes no other try.
		const headers = init?.headers instanceof Headers ? init.headers : new Headers(init?.headers);
		const id = headers.get(WATCH_HEADER);
		if (id === null) return inner(input, init);
		headers.delete(WATCH_HEADER);
		init = {...init, headers};
		const watch = watches.get(id);
		if (!watch) return inner(input, init);
		const tries = Number.parseInt(headers.get('x-stainless-retry-count') ?? '0', 10) || 0;
		const next = {retry: tries + 1, maxRetries};
		const retried = tries < maxRetries;
		let response: Response;
		try {
			response = await inner(input, init);
		} catch (error) {
			// The SDK ends a try at its timeout through the signal it passes; the caller's signal, a cancel.
			if (retried && !watch.signal?.aborted) watch.tell(init?.signal?.aborted ? {how: 'timeout', ...next} : {how: 'connection', error, ...next});
			throw error;
		}
		if (retried && !response.ok && sdkRetries(response)) {
			const raw = errorBodyOf(response);
			const said = raw === undefined ? undefined : messageFromText(raw);
			const wait = sdkWait(retryAfterMs(response.headers));
			watch.tell({
				how: 'status',
				status: response.status,
				...(said ? {said} : {}),
				...(wait !== undefined ? {waitMs: wait} : {}),
				...next,
			});
		}
		return response;
	};
}

/** `call` (one try of a non-streamed request, made with `headers` among its request options) run
 * under a watch, each SDK retry told to `options.onNotice` as it comes. */
export async function toldRetries<T>(options: CompleteOptions, call: (headers: Record<string, string>) => Promise<T>, say: SayRetry): Promise<T> {
	const watch = new SdkRetryWatch(options.signal);
	const notices = watch.notices(watch.run(call), say);
	for (;;) {
		const next = await notices.next();
		if (next.done) return next.value;
		if (next.value.type === 'notice') options.onNotice?.(next.value);
	}
}
