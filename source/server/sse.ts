// Server-sent events for streaming answers, with a heartbeat: an SSE comment every few seconds
// while nothing else is written, so proxies and clients with idle timeouts keep a long run open.
import type {ServerResponse} from 'node:http';
import {printableLine} from '../text/printable.js';
import {jsonText} from '../text/json-text.js';

export interface SseStream {
	/** One event: `data: JSON` (with `event: NAME` first when given, as the Responses API sends). */
	send(body: unknown, event?: string): void;
	/** A comment line, which every SSE client ignores. */
	comment(text: string): void;
	/** Ends the stream (after `data: [DONE]` when `done` is set, as chat completions end). */
	end(done?: boolean): void;
}

/** Default interval of the heartbeat comment, in ms. */
export const heartbeatMs = 15_000;

export function startSse(res: ServerResponse, options: {heartbeatMs?: number; headers?: Record<string, string>} = {}): SseStream {
	res.writeHead(200, {'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no', ...options.headers});
	const interval = options.heartbeatMs ?? heartbeatMs;
	let last = Date.now();
	const write = (text: string) => {
		if (res.writableEnded || res.destroyed) return;
		last = Date.now();
		res.write(text);
	};
	const timer = setInterval(() => {
		if (Date.now() - last >= interval) write(': keep-alive\n\n');
	}, Math.max(10, Math.floor(interval / 2)));
	timer.unref();
	res.once('close', () => clearInterval(timer));
	return {
		send(body, event) {
			write(`${event ? `event: ${event}\n` : ''}data: ${jsonText(body)}\n\n`);
		},
		comment(text) {
			// One printable line: a CR or LF in model-chosen text would end the comment and forge events.
			write(`: ${printableLine(text)}\n\n`);
		},
		end(done = false) {
			clearInterval(timer);
			if (res.writableEnded || res.destroyed) return;
			res.end(done ? 'data: [DONE]\n\n' : undefined);
		},
	};
}
