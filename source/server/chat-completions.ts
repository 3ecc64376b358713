// POST /v1/chat/completions: an RLM run answering a chat. Streaming sends the run's progress as
// `reasoning_content` deltas, then the answer as `content`, then usage (with cost where known).
import {randomBytes} from 'node:crypto';
import type {ServerResponse} from 'node:http';
import {conversationOf, parseBody, type Endpoint} from './endpoint.js';
import {answerChunks, chatChunk, chatCompletion, chatUsageChunk, sendError} from './openai-wire.js';
import {chatOutputFormat, chatRequestSchema, chatStopSequences, chatTurns} from './request-schema.js';
import {runRequest} from './run.js';
import {startSse} from './sse.js';
import {SHUTDOWN_CODE, SHUTDOWN_MESSAGE} from './shutdown.js';
import {jsonText} from '../text/json-text.js';

export async function chatCompletions(endpoint: Endpoint, body: unknown, res: ServerResponse): Promise<void> {
	const request = parseBody(chatRequestSchema, body);
	const conversation = conversationOf(() => chatTurns(request), 'messages');
	const format = chatOutputFormat(request);
	// Taken before the model check waits (on the backend's list): a client gone meanwhile is seen.
	const signal = endpoint.runSignal(res);
	const rlm = await endpoint.rlmOptions(res, request);
	const maxOutputTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
	const stop = chatStopSequences(request);
	const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
	const model = request.model;

	endpoint.admit();
	// A stream opens at once (its heartbeat covers the wait in the queue); a plain reply waits.
	const stream = request.stream ? startSse(res, {...(endpoint.heartbeatMs ? {heartbeatMs: endpoint.heartbeatMs} : {})}) : undefined;
	stream?.send(chatChunk(id, model, {role: 'assistant', content: ''}));
	if (stream)
		endpoint.onShutdown(res, () => {
			stream.send({error: {message: SHUTDOWN_MESSAGE, type: 'server_error', param: null, code: SHUTDOWN_CODE}});
			stream.end(true);
		});
	await endpoint.schedule(async () => {
		const outcome = await runRequest({
			rlm,
			conversation,
			format,
			...(maxOutputTokens ? {maxOutputTokens} : {}),
			...(stop.length > 0 ? {stop} : {}),
			signal,
			...(stream ? {onReasoning: (text: string) => stream.send(chatChunk(id, model, {reasoning_content: text}))} : {}),
		});
		if (!outcome.ok && outcome.cancelled) return;
		if (!outcome.ok) {
			if (stream) {
				stream.send({error: {message: outcome.message, type: outcome.type, param: null, code: outcome.code}});
				stream.end(true);
			} else sendError(res, outcome.status, outcome.type, outcome.message, {code: outcome.code, retry: false});
			return;
		}
		if (!stream) {
			const completion = chatCompletion({id, model, content: outcome.answer, reasoning: outcome.reasoning, usage: outcome.usage, finishReason: outcome.finishReason});
			const text = jsonText(completion);
			res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
			res.end(text);
			return;
		}
		for (const content of answerChunks(outcome.answer)) stream.send(chatChunk(id, model, {content}));
		stream.send(chatChunk(id, model, {}, outcome.finishReason));
		if (request.stream_options?.include_usage) stream.send(chatUsageChunk(id, model, outcome.usage));
		stream.end(true);
	}, signal);
}
