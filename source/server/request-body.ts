// Request bodies under two caps: one body's size, and the bytes held across all requests at once
// (a few clients sending large bodies slowly must not hold the process's memory). A declared
// Content-Length over the cap is refused before a byte is read.
import type {IncomingMessage} from 'node:http';
import {HttpError} from './http-error.js';

/** Default largest request body, in bytes: 64 MiB, about 16M tokens of text, the largest
 * contexts the RLM is meant for, with room for JSON escaping. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Default cap on request bytes buffered across all requests at once, in bytes (256 MiB). */
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

export interface BodyReader {
	/** Reads and parses `req`'s JSON body. @throws HttpError 413 (body too large), 503 (too many
	 * bytes in flight across requests), 400 (not JSON). */
	readJson(req: IncomingMessage): Promise<unknown>;
	/** Bytes buffered right now across all requests. */
	readonly buffered: number;
}

export function bodyReader(limits: {maxBodyBytes?: number | undefined; maxBufferedBytes?: number | undefined} = {}): BodyReader {
	const maxBodyBytes = limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
	const maxBufferedBytes = limits.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
	let buffered = 0;
	const tooLarge = () => new HttpError(413, 'invalid_request_error', `Request body over ${maxBodyBytes} bytes.`);
	return {
		get buffered() {
			return buffered;
		},
		async readJson(req) {
			const declared = Number(req.headers['content-length']);
			if (Number.isFinite(declared) && declared > maxBodyBytes) throw tooLarge();
			const chunks: Buffer[] = [];
			let size = 0;
			try {
				for await (const chunk of req) {
					const piece = chunk as Buffer;
					if (size + piece.length > maxBodyBytes) throw tooLarge();
					if (buffered + piece.length > maxBufferedBytes)
						throw new HttpError(503, 'server_error', 'The server is receiving too many large requests at once; try again shortly.', {headers: {'retry-after': '5'}});
					size += piece.length;
					buffered += piece.length;
					chunks.push(piece);
				}
			} finally {
				buffered -= size;
			}
			try {
				return JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as unknown;
			} catch {
				throw new HttpError(400, 'invalid_request_error', 'The request body is not valid JSON.');
			}
		},
	};
}
