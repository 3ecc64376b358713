// OpenAI wire shapes the server writes, typed with the openai package's own types: chat
// completions and their chunks, Responses objects and stream events, model objects, errors.
// Two extensions real servers use: `reasoning_content` (vLLM, DeepSeek; what Open WebUI,
// LibreChat and the AI SDK show as thinking) and `usage.cost` in USD (as OpenRouter reports it).
import type {ServerResponse} from 'node:http';
import type {ChatCompletion, ChatCompletionChunk} from 'openai/resources/chat/completions';
import type {CompletionUsage} from 'openai/resources/completions';
import type {Model} from 'openai/resources/models';
import type {Response as ResponsesResponse, ResponseOutputItem, ResponseUsage} from 'openai/resources/responses/responses';
import type {RunUsage} from './run.js';
import {jsonText} from '../text/json-text.js';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export type UsageWithCost = CompletionUsage & {cost?: number};

export function chatUsage(usage: RunUsage): UsageWithCost {
	return {
		prompt_tokens: usage.inputTokens,
		completion_tokens: usage.outputTokens,
		total_tokens: usage.inputTokens + usage.outputTokens,
		...(usage.costUsd !== undefined ? {cost: usage.costUsd} : {}),
	};
}

type ChatMessageWithReasoning = ChatCompletion.Choice['message'] & {reasoning_content?: string};

export function chatCompletion(options: {id: string; model: string; content: string; reasoning?: string; usage: RunUsage; finishReason: 'stop' | 'length'}): ChatCompletion {
	const message: ChatMessageWithReasoning = {
		role: 'assistant',
		content: options.content,
		refusal: null,
		...(options.reasoning ? {reasoning_content: options.reasoning} : {}),
	};
	return {
		id: options.id,
		object: 'chat.completion',
		created: nowSeconds(),
		model: options.model,
		choices: [{index: 0, message, logprobs: null, finish_reason: options.finishReason}],
		usage: chatUsage(options.usage),
	};
}

type ChunkDelta = ChatCompletionChunk.Choice.Delta & {reasoning_content?: string};

export function chatChunk(id: string, model: string, delta: ChunkDelta, finishReason: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk {
	return {id, object: 'chat.completion.chunk', created: nowSeconds(), model, choices: [{index: 0, delta, logprobs: null, finish_reason: finishReason}]};
}

/** The last chunk of a stream with stream_options.include_usage: no choices, the usage. */
export function chatUsageChunk(id: string, model: string, usage: RunUsage): ChatCompletionChunk {
	return {id, object: 'chat.completion.chunk', created: nowSeconds(), model, choices: [], usage: chatUsage(usage)};
}

export function modelObject(id: string): Model {
	return {id, object: 'model', created: nowSeconds(), owned_by: 'rlm-tui'};
}

export function responsesUsage(usage: RunUsage): ResponseUsage & {cost?: number} {
	return {
		input_tokens: usage.inputTokens,
		input_tokens_details: {cached_tokens: 0, cache_write_tokens: 0},
		output_tokens: usage.outputTokens,
		output_tokens_details: {reasoning_tokens: 0},
		total_tokens: usage.inputTokens + usage.outputTokens,
		...(usage.costUsd !== undefined ? {cost: usage.costUsd} : {}),
	};
}

export interface ResponseIds {
	response: string;
	reasoning: string;
	message: string;
}

export function reasoningItem(id: string, text: string, status: 'in_progress' | 'completed' = 'completed'): ResponseOutputItem {
	return {type: 'reasoning', id, summary: text ? [{type: 'summary_text', text}] : [], status};
}

export function messageItem(id: string, text: string, status: 'in_progress' | 'completed' | 'incomplete' = 'completed'): ResponseOutputItem {
	return {type: 'message', id, role: 'assistant', status, content: text || status === 'completed' ? [{type: 'output_text', text, annotations: [], logprobs: []}] : []};
}

/** A Responses object; `output` holds the reasoning summary (the run's progress) and the answer. */
export function responseObject(options: {
	ids: ResponseIds;
	model: string;
	createdAt: number;
	status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
	output?: ResponseOutputItem[];
	usage?: RunUsage;
	error?: {code: string; message: string};
	maxOutputTokens?: number | null;
	instructions?: string | null;
	temperature?: number | null;
}): ResponsesResponse {
	const output = options.output ?? [];
	const text = output.flatMap((item) => (item.type === 'message' ? item.content : [])).map((part) => (part.type === 'output_text' ? part.text : '')).join('');
	return {
		id: options.ids.response,
		object: 'response',
		created_at: options.createdAt,
		status: options.status,
		model: options.model,
		output,
		output_text: text,
		error: options.error ? ({code: options.error.code, message: options.error.message} as ResponsesResponse['error']) : null,
		incomplete_details: options.status === 'incomplete' ? {reason: 'max_output_tokens'} : null,
		instructions: options.instructions ?? null,
		metadata: null,
		parallel_tool_calls: false,
		temperature: options.temperature ?? null,
		tool_choice: 'none',
		tools: [],
		top_p: null,
		max_output_tokens: options.maxOutputTokens ?? null,
		...(options.usage ? {usage: responsesUsage(options.usage)} : {}),
	};
}

/** The answer in streamed pieces of about `size` UTF-16 units, never splitting a surrogate pair
 * (a lone half in a delta is an unpaired `\ud83d` escape that clients other than JavaScript's
 * cannot join back into the character). */
export function answerChunks(answer: string, size = 256): string[] {
	const chunks: string[] = [];
	for (let start = 0; start < answer.length; ) {
		let end = Math.min(start + size, answer.length);
		const last = answer.charCodeAt(end - 1);
		if (end < answer.length && last >= 0xd800 && last <= 0xdbff) end++;
		chunks.push(answer.slice(start, end));
		start = end;
	}
	return chunks;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
	const text = jsonText(body);
	res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers});
	res.end(text);
}

export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'rate_limit_error' | 'insufficient_quota' | 'server_error' | 'upstream_error';

/** An OpenAI-style error body. `x-should-retry: false` tells the openai SDKs not to retry. */
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
