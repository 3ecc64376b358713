// What OpenAI-style requests may hold (validated: they come from the network), for
// POST /v1/chat/completions and POST /v1/responses, and the parts rlm-tui refuses with a clear 400
// rather than dropping: tools, n > 1, logprobs, audio output, and anything but text in a message.
// Fields that only tune sampling or label the request (seed, user, top_p, penalties, logit_bias,
// metadata, store, reasoning_effort, service_tier...) are accepted and have no effect: an RLM run
// is many model calls the client does not see. `stop` is honoured on the answer.
import * as z from 'zod';
import {CALL_LIMIT_NAMES, snakeName, type CallLimits} from '../protocol/limits.js';
import {quotedClip} from '../protocol/quoted.js';

/** A request field or part rlm-tui does not serve; `param` names it as OpenAI errors do. */
export class UnsupportedError extends Error {
	constructor(
		message: string,
		readonly param: string,
	) {
		super(message);
	}
}

const jsonSchemaFormat = z.looseObject({
	name: z.string().min(1).max(64),
	description: z.string().nullish(),
	schema: z.record(z.string(), z.unknown()).nullish(),
	strict: z.boolean().nullish(),
});

/** Chat's `response_format`. */
const chatResponseFormat = z.discriminatedUnion('type', [
	z.looseObject({type: z.literal('text')}),
	z.looseObject({type: z.literal('json_object')}),
	z.looseObject({type: z.literal('json_schema'), json_schema: jsonSchemaFormat}),
]);

/** Responses' `text.format` (the json_schema fields sit beside `type`). */
const responsesTextFormat = z.discriminatedUnion('type', [
	z.looseObject({type: z.literal('text')}),
	z.looseObject({type: z.literal('json_object')}),
	jsonSchemaFormat.extend({type: z.literal('json_schema')}),
]);

const part = z.looseObject({type: z.string(), text: z.string().optional()});

export const chatMessageSchema = z.looseObject({
	role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
	content: z.union([z.string(), z.array(part), z.null()]).optional(),
	tool_calls: z.array(z.unknown()).nullish(),
	function_call: z.unknown().optional(),
});

const maxTokens = z.number().int().positive().nullish();

/**
 * rlm-tui's own request field `rlm`: caps for this request's run, in the original RLM's names
 * (max_budget in USD, max_timeout in seconds, max_tokens input + output tokens of the whole tree).
 * Each is lowered to the server's own when it asks more. Strict: a misspelt cap is a 400, not a run
 * without it. Clients send it as an extra body field (the Python SDK's `extra_body`).
 */
export const rlmFieldSchema = z
	.strictObject({
		max_iterations: z.number().int().min(1).nullish(),
		max_depth: z.number().int().min(1).nullish(),
		max_budget: z.number().positive().nullish(),
		max_timeout: z.number().positive().nullish(),
		max_tokens: z.number().int().min(1).nullish(),
		max_errors: z.number().int().min(1).nullish(),
		max_sub_calls: z.number().int().min(0).nullish(),
	})
	.nullish();

export type RlmField = z.infer<typeof rlmFieldSchema>;

/** The `rlm` field as the engine's call limits (absent or null caps left out). */
export function requestLimits(field: RlmField): CallLimits {
	const limits: CallLimits = {};
	for (const name of CALL_LIMIT_NAMES) {
		const value = field?.[snakeName(name) as keyof NonNullable<typeof field>];
		if (value != null) limits[name] = value;
	}
	return limits;
}

export const chatRequestSchema = z.looseObject({
	model: z.string().min(1),
	messages: z.array(chatMessageSchema).min(1),
	// The spec allows null for every optional field; SDKs send `stream: null`.
	stream: z.boolean().nullish(),
	stream_options: z.looseObject({include_usage: z.boolean().nullish()}).nullish(),
	temperature: z.number().min(0).max(2).nullish(),
	max_tokens: maxTokens,
	max_completion_tokens: maxTokens,
	n: z.number().int().positive().nullish(),
	/** Up to 4 in OpenAI's API; honoured on the answer (cut before the first one found). */
	stop: z.union([z.string(), z.array(z.string()).max(16)]).nullish(),
	logprobs: z.boolean().nullish(),
	top_logprobs: z.number().int().min(0).nullish(),
	modalities: z.array(z.string()).nullish(),
	audio: z.unknown().optional(),
	tools: z.array(z.unknown()).nullish(),
	functions: z.array(z.unknown()).nullish(),
	response_format: chatResponseFormat.nullish(),
	rlm: rlmFieldSchema,
});

const inputItem = z.looseObject({
	type: z.string().optional(),
	role: z.enum(['system', 'developer', 'user', 'assistant']).optional(),
	content: z.union([z.string(), z.array(part)]).optional(),
});

export const responsesRequestSchema = z.looseObject({
	model: z.string().min(1),
	input: z.union([z.string(), z.array(inputItem)]),
	instructions: z.string().nullish(),
	stream: z.boolean().nullish(),
	temperature: z.number().min(0).max(2).nullish(),
	max_output_tokens: maxTokens,
	tools: z.array(z.unknown()).nullish(),
	previous_response_id: z.string().nullish(),
	conversation: z.unknown().optional(),
	background: z.boolean().nullish(),
	top_logprobs: z.number().int().min(0).nullish(),
	include: z.array(z.string()).nullish(),
	text: z.looseObject({format: responsesTextFormat.nullish()}).nullish(),
	rlm: rlmFieldSchema,
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatRequestMessage = z.infer<typeof chatMessageSchema>;
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

/** One turn as the RLM takes it: a role and its text. */
export interface TextMessage {
	role: 'system' | 'developer' | 'user' | 'assistant';
	text: string;
}

/** What the answer must look like (chat's response_format and responses' text.format, unified). */
export type OutputFormat =
	| {type: 'text'}
	| {type: 'json_object'}
	| {type: 'json_schema'; name: string; description?: string; schema?: Record<string, unknown>};

const textPartTypes = new Set(['text', 'input_text', 'output_text']);

function partsText(parts: Array<z.infer<typeof part>>, where: string): string {
	return parts
		.map((item, index) => {
			// An earlier assistant turn that refused (chat's and Responses' `{type: "refusal", refusal}`
			// part): its words are what it said.
			if (item.type === 'refusal') return typeof item['refusal'] === 'string' ? item['refusal'] : '';
			if (!textPartTypes.has(item.type))
				throw new UnsupportedError(`Content parts of type ${quotedClip(item.type)} are not supported: rlm-tui serve reads text only (send the text, or put a document's text in the message).`, `${where}[${index}]`);
			return item.text ?? '';
		})
		.filter(Boolean)
		.join('\n');
}

/** The stop sequences a chat request asks for (none empty). */
export function chatStopSequences(request: ChatRequest): string[] {
	const {stop} = request;
	return (typeof stop === 'string' ? [stop] : (stop ?? [])).filter((sequence) => sequence !== '');
}

/** Chat messages as text turns. @throws UnsupportedError for tools, n > 1, logprobs, audio output
 * and non-text parts. */
export function chatTurns(request: ChatRequest): TextMessage[] {
	if (request.tools?.length || request.functions?.length)
		throw new UnsupportedError('Tools are not supported: an RLM answers by running its own code; send the request without `tools`.', request.tools?.length ? 'tools' : 'functions');
	if ((request.n ?? 1) > 1) throw new UnsupportedError('n > 1 is not supported: each choice would be a whole RLM run; ask once per answer.', 'n');
	if (request.logprobs || (request.top_logprobs ?? 0) > 0)
		throw new UnsupportedError('logprobs are not supported: the answer comes from an RLM run of many model calls, not from one sampling; send the request without `logprobs`.', request.logprobs ? 'logprobs' : 'top_logprobs');
	if (request.modalities?.includes('audio') || (request.audio !== undefined && request.audio !== null))
		throw new UnsupportedError('Audio output is not supported: rlm-tui serve answers in text; send `modalities: ["text"]` or none.', request.modalities?.includes('audio') ? 'modalities' : 'audio');
	return request.messages.map((message, index) => {
		if (message.role === 'tool' || message.role === 'function' || message.tool_calls?.length || message.function_call)
			throw new UnsupportedError('Tool calls and tool results are not supported: send the conversation as text.', `messages[${index}]`);
		const {content} = message;
		const text = typeof content === 'string' ? content : content ? partsText(content, `messages[${index}].content`) : '';
		// An assistant turn that refused has `content: null` beside its `refusal` (OpenAI's message shape).
		const refusal = message['refusal'];
		return {role: message.role, text: text === '' && typeof refusal === 'string' ? refusal : text};
	});
}

/** The Responses API's way to ask for logprobs: `include: ["message.output_text.logprobs"]`. */
const LOGPROBS_INCLUDE = 'message.output_text.logprobs';

/** Responses input as text turns. @throws UnsupportedError for tools, logprobs, stored state and
 * non-text parts. */
export function responsesTurns(request: ResponsesRequest): TextMessage[] {
	if (request.tools?.length) throw new UnsupportedError('Tools are not supported: an RLM answers by running its own code; send the request without `tools`.', 'tools');
	if ((request.top_logprobs ?? 0) > 0 || request.include?.includes(LOGPROBS_INCLUDE))
		throw new UnsupportedError(
			`logprobs are not supported: the answer comes from an RLM run of many model calls, not from one sampling; send the request without ${(request.top_logprobs ?? 0) > 0 ? '`top_logprobs`' : `"${LOGPROBS_INCLUDE}" in \`include\``}.`,
			(request.top_logprobs ?? 0) > 0 ? 'top_logprobs' : 'include',
		);
	if (request.previous_response_id || request.conversation)
		throw new UnsupportedError('rlm-tui serve stores no responses: send the whole conversation in `input` instead of previous_response_id or conversation.', request.previous_response_id ? 'previous_response_id' : 'conversation');
	if (request.background) throw new UnsupportedError('Background responses are not supported: stream instead (`stream: true`).', 'background');
	const turns: TextMessage[] = [];
	if (request.instructions) turns.push({role: 'system', text: request.instructions});
	if (typeof request.input === 'string') return [...turns, {role: 'user', text: request.input}];
	for (const [index, item] of request.input.entries()) {
		const type = item.type ?? 'message';
		// Reasoning items a client sends back from an earlier turn carry nothing the RLM needs.
		if (type === 'reasoning') continue;
		if (type === 'item_reference')
			throw new UnsupportedError('rlm-tui serve stores no responses, so item references cannot be resolved: send the text (for the AI SDK: providerOptions.openai.store = false).', `input[${index}]`);
		if (type !== 'message' || !item.role)
			throw new UnsupportedError(`Input items of type ${quotedClip(type)} are not supported: send messages with text (tools are not supported).`, `input[${index}]`);
		const {content} = item;
		turns.push({role: item.role, text: typeof content === 'string' ? content : content ? partsText(content, `input[${index}].content`) : ''});
	}
	return turns;
}

export function chatOutputFormat(request: ChatRequest): OutputFormat {
	const format = request.response_format;
	if (!format || format.type === 'text') return {type: 'text'};
	if (format.type === 'json_object') return {type: 'json_object'};
	const {name, description, schema} = format.json_schema;
	return {type: 'json_schema', name, ...(description ? {description} : {}), ...(schema ? {schema} : {})};
}

export function responsesOutputFormat(request: ResponsesRequest): OutputFormat {
	const format = request.text?.format;
	if (!format || format.type === 'text') return {type: 'text'};
	if (format.type === 'json_object') return {type: 'json_object'};
	return {type: 'json_schema', name: format.name, ...(format.description ? {description: format.description} : {}), ...(format.schema ? {schema: format.schema} : {})};
}
