// What the route handlers need from the server: per-request Rlm options, admission to the run
// pool, the heartbeat interval, and the checks every request body goes through.
import type {z} from 'zod';
import type {RlmOptions} from '../engine/types.js';
import {ConversationError, toConversation, type Conversation} from './conversation.js';
import {HttpError} from './http-error.js';
import {UnsupportedError, type RlmField, type TextMessage} from './request-schema.js';
import type {ServerResponse} from 'node:http';

export interface Endpoint {
	/**
	 * Options for an Rlm answering the request as its `model` ("rlm" or "rlm:<model>"), under the
	 * caps its `rlm` field asks for, each no higher than the server's; the `rlm-limits-lowered`
	 * response header names any that were lowered. The model is checked before anything is sent
	 * upstream (served-models.ts).
	 * @throws HttpError 404 for a model the server does not run, 400 for a name holding control characters.
	 */
	rlmOptions(res: ServerResponse, request: {model: string; temperature?: number | null | undefined; rlm?: RlmField}): Promise<RlmOptions>;
	/** @throws HttpError 429 when the pool and its queue are full. */
	admit(): void;
	/** Runs `task` in the bounded pool (after admit()); resolves without running it when `signal`
	 * (the run's signal) fires while it waits, which frees its place in the queue at once. */
	schedule(task: () => Promise<void>, signal: AbortSignal): Promise<void>;
	/** The run's signal: fires when the client goes away or the server shuts down. */
	runSignal(res: ServerResponse): AbortSignal;
	/** How a stream ends when the server shuts down: its error event, then its end (a plain
	 * response needs none: it gets a 503 error body). */
	onShutdown(res: ServerResponse, end: () => void): void;
	heartbeatMs?: number;
}

/** Parses a body with `schema`. @throws HttpError 400 naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
	const parsed = schema.safeParse(body);
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0];
	const param = issue?.path.join('.') || null;
	throw new HttpError(400, 'invalid_request_error', `Invalid request: ${param ?? 'body'}: ${issue?.message}`, {param});
}

/** The turns as a conversation; `field` is the body's field that holds them (`messages`, or the
 * Responses API's `input`), named as the 400's `param`. @throws HttpError 400 for refused fields and unusable turns. */
export function conversationOf(turns: () => TextMessage[], field: 'messages' | 'input'): Conversation {
	try {
		return toConversation(turns());
	} catch (error) {
		if (error instanceof UnsupportedError) throw new HttpError(400, 'invalid_request_error', error.message, {param: error.param, code: 'unsupported_parameter'});
		if (error instanceof ConversationError) throw new HttpError(400, 'invalid_request_error', error.message, {param: field});
		throw error;
	}
}

/** An AbortSignal that fires when the client goes away before the response is finished. */
export function clientGone(res: ServerResponse): AbortSignal {
	const controller = new AbortController();
	res.on('close', () => {
		if (!res.writableFinished) controller.abort();
	});
	return controller.signal;
}
