// OpenAI wire shapes the server writes: completions, stream chunks, model lists, errors.
import type {ServerResponse} from 'node:http';
import type {Usage} from '../protocol/llm.js';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function usageObject(usage: Usage) {
	return {prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens};
}

export function completionObject(id: string, model: string, content: string, usage: Usage, finishReason: 'stop' | 'length') {
	return {
		id,
		object: 'chat.completion',
		created: nowSeconds(),
		model,
		choices: [{index: 0, message: {role: 'assistant', content, refusal: null}, logprobs: null, finish_reason: finishReason}],
		usage: usageObject(usage),
	};
}

export function chunkObject(id: string, model: string, delta: Record<string, unknown>, finishReason: string | null = null) {
	return {id, object: 'chat.completion.chunk', created: nowSeconds(), model, choices: [{index: 0, delta, logprobs: null, finish_reason: finishReason}]};
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers});
	res.end(text);
}

export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'rate_limit_error' | 'server_error' | 'upstream_error';

export function sendError(
	res: ServerResponse,
	status: number,
	type: ErrorType,
	message: string,
	options: {code?: string | null; param?: string | null; retry?: boolean; headers?: Record<string, string>} = {},
) {
	const headers: Record<string, string> = {...options.headers};
	if (options.retry === false) headers['x-should-retry'] = 'false';
	sendJson(res, status, {error: {message, type, param: options.param ?? null, code: options.code ?? null}}, headers);
}
