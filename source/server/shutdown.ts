// Shutting the server down (SIGINT, SIGTERM) with every client told: each open response ends
// in its protocol's words (a stream with its error event and its end, a plain request with a
// 503 error body) before the connections close, and the runs are cancelled. Bounded: whatever
// has not ended after the grace period is closed anyway.
import type {Server, ServerResponse} from 'node:http';
import {sendError} from './openai-wire.js';

/** How long a shutdown waits for cancelled runs to end and answers to reach their clients, in ms. */
export const SHUTDOWN_GRACE_MS = 3_000;

export const SHUTDOWN_CODE = 'server_shutting_down';
export const SHUTDOWN_MESSAGE = 'The rlm-tui server is shutting down; the request was not answered. Send it again once the server is back.';

/** A plain request's answer at shutdown: 503, not retried against a server that is going away. */
export function sendShutdownError(res: ServerResponse): void {
	sendError(res, 503, 'server_error', SHUTDOWN_MESSAGE, {code: SHUTDOWN_CODE, retry: false, headers: {connection: 'close'}});
}

export interface Shutdown {
	/** Fires when the shutdown begins: the runs' signals include it. */
	readonly signal: AbortSignal;
	readonly begun: boolean;
	/** Follows a request until its response has ended, and its handler until it settles. */
	track(res: ServerResponse, handled: Promise<void>): void;
	/** How `res` ends at shutdown when it is a stream (its error event, then its end); a response
	 * without one gets the 503 error body if nothing was sent yet, else just its end. */
	onShutdown(res: ServerResponse, end: () => void): void;
	/** Ends every open response, cancels the runs, waits (at most `graceMs`) for them, then closes
	 * every connection and the listener. Resolves to the number of requests that were still open. */
	close(server: Server, graceMs?: number): Promise<number>;
}

export function shutdownTracker(): Shutdown {
	const controller = new AbortController();
	const open = new Map<ServerResponse, {end?: () => void}>();
	const handlers = new Set<Promise<void>>();

	/** Whether `res` was still open, and so was answered now. */
	function endForShutdown(res: ServerResponse, end: (() => void) | undefined): boolean {
		if (res.writableEnded || res.destroyed) return false;
		try {
			if (end) end();
			else if (!res.headersSent) sendShutdownError(res);
			else res.end();
		} catch {
			res.destroy();
		}
		return true;
	}

	return {
		signal: controller.signal,
		get begun() {
			return controller.signal.aborted;
		},
		track(res, handled) {
			open.set(res, {});
			res.once('close', () => open.delete(res));
			const settled = handled.then(
				() => undefined,
				() => undefined,
			);
			handlers.add(settled);
			void settled.then(() => handlers.delete(settled));
		},
		onShutdown(res, end) {
			const entry = open.get(res);
			if (entry) entry.end = end;
		},
		async close(server, graceMs = SHUTDOWN_GRACE_MS) {
			const closed = new Promise<void>((resolve) => server.close(() => resolve()));
			server.closeIdleConnections();
			let answered = 0;
			for (const [res, {end}] of open) if (endForShutdown(res, end)) answered++;
			controller.abort();
			const finished = [...open.keys()].map((res) => (res.writableFinished || res.destroyed ? undefined : new Promise<void>((resolve) => res.once('close', resolve).once('finish', resolve))));
			let timer: NodeJS.Timeout | undefined;
			const grace = new Promise<void>((resolve) => {
				timer = setTimeout(resolve, graceMs);
			});
			await Promise.race([Promise.all([...finished, ...handlers]), grace]);
			clearTimeout(timer);
			server.closeAllConnections();
			await closed;
			return answered;
		},
	};
}
