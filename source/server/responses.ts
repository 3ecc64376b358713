// POST /v1/responses, minimal: what @ai-sdk/openai (its default path), the OpenAI Agents SDK and
// Codex-style clients send for a text or structured answer. No stored state, no tools. The run's
// progress is a reasoning item's summary; the answer is one assistant message.
import {randomBytes} from 'node:crypto';
import type {ServerResponse} from 'node:http';
import type {ResponseStreamEvent} from 'openai/resources/responses/responses';
import {conversationOf, parseBody, type Endpoint} from './endpoint.js';
import {answerChunks, messageItem, nowSeconds, reasoningItem, responseObject, sendError, type ResponseIds} from './openai-wire.js';
import {responsesOutputFormat, responsesRequestSchema, responsesTurns} from './request-schema.js';
import {runRequest} from './run.js';
import {startSse} from './sse.js';
import {SHUTDOWN_CODE, SHUTDOWN_MESSAGE} from './shutdown.js';
import {jsonText} from '../text/json-text.js';

/** A stream event without its sequence number (the writer numbers them). */
type Event = ResponseStreamEvent extends infer E ? (E extends {sequence_number: number} ? Omit<E, 'sequence_number'> : never) : never;

export async function responses(endpoint: Endpoint, body: unknown, res: ServerResponse): Promise<void> {
	const request = parseBody(responsesRequestSchema, body);
	const conversation = conversationOf(() => responsesTurns(request), 'input');
	const format = responsesOutputFormat(request);
	// Taken before the model check waits (on the backend's list): a client gone meanwhile is seen.
	const signal = endpoint.runSignal(res);
	const rlm = await endpoint.rlmOptions(res, request);
	const maxOutputTokens = request.max_output_tokens ?? undefined;
	const hex = () => randomBytes(12).toString('hex');
	const ids: ResponseIds = {response: `resp_${hex()}`, reasoning: `rs_${hex()}`, message: `msg_${hex()}`};
	const createdAt = nowSeconds();
	const base = {ids, model: request.model, createdAt, maxOutputTokens: request.max_output_tokens ?? null, instructions: request.instructions ?? null, temperature: request.temperature ?? null};

	endpoint.admit();
	if (!request.stream) {
		await endpoint.schedule(async () => {
			const outcome = await runRequest({rlm, conversation, format, ...(maxOutputTokens ? {maxOutputTokens} : {}), signal});
			if (!outcome.ok) {
				if (!outcome.cancelled) sendError(res, outcome.status, outcome.type, outcome.message, {code: outcome.code, retry: false});
				return;
			}
			const status = outcome.finishReason === 'length' && maxOutputTokens ? 'incomplete' : 'completed';
			const output = [reasoningItem(ids.reasoning, outcome.reasoning), messageItem(ids.message, outcome.answer, status === 'completed' ? 'completed' : 'incomplete')];
			const text = jsonText(responseObject({...base, status, output, usage: outcome.usage}));
			res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
			res.end(text);
		}, signal);
		return;
	}

	const stream = startSse(res, {...(endpoint.heartbeatMs ? {heartbeatMs: endpoint.heartbeatMs} : {})});
	let sequence = 0;
	const emit = (event: Event) => stream.send({...event, sequence_number: sequence++}, event.type);
	emit({type: 'response.created', response: responseObject({...base, status: 'in_progress'})});
	endpoint.onShutdown(res, () => {
		emit({type: 'error', code: SHUTDOWN_CODE, message: SHUTDOWN_MESSAGE, param: null});
		stream.end();
	});
	await endpoint.schedule(async () => {
		emit({type: 'response.in_progress', response: responseObject({...base, status: 'in_progress'})});
		emit({type: 'response.output_item.added', output_index: 0, item: reasoningItem(ids.reasoning, '', 'in_progress')});
		emit({type: 'response.reasoning_summary_part.added', item_id: ids.reasoning, output_index: 0, summary_index: 0, part: {type: 'summary_text', text: ''}});
		const outcome = await runRequest({
			rlm,
			conversation,
			format,
			...(maxOutputTokens ? {maxOutputTokens} : {}),
			signal,
			onReasoning: (delta) => emit({type: 'response.reasoning_summary_text.delta', item_id: ids.reasoning, output_index: 0, summary_index: 0, delta}),
		});
		if (!outcome.ok && outcome.cancelled) return;
		const reasoning = outcome.ok ? outcome.reasoning : '';
		emit({type: 'response.reasoning_summary_text.done', item_id: ids.reasoning, output_index: 0, summary_index: 0, text: reasoning});
		emit({type: 'response.reasoning_summary_part.done', item_id: ids.reasoning, output_index: 0, summary_index: 0, part: {type: 'summary_text', text: reasoning}});
		const reasoningDone = reasoningItem(ids.reasoning, reasoning);
		emit({type: 'response.output_item.done', output_index: 0, item: reasoningDone});
		if (!outcome.ok) {
			emit({type: 'response.failed', response: responseObject({...base, status: 'failed', output: [reasoningDone], usage: outcome.usage, error: {code: outcome.code, message: outcome.message}})});
			stream.end();
			return;
		}
		const status = outcome.finishReason === 'length' && maxOutputTokens ? 'incomplete' : 'completed';
		emit({type: 'response.output_item.added', output_index: 1, item: messageItem(ids.message, '', 'in_progress')});
		emit({type: 'response.content_part.added', item_id: ids.message, output_index: 1, content_index: 0, part: {type: 'output_text', text: '', annotations: [], logprobs: []}});
		for (const delta of answerChunks(outcome.answer)) emit({type: 'response.output_text.delta', item_id: ids.message, output_index: 1, content_index: 0, delta, logprobs: []});
		emit({type: 'response.output_text.done', item_id: ids.message, output_index: 1, content_index: 0, text: outcome.answer, logprobs: []});
		emit({type: 'response.content_part.done', item_id: ids.message, output_index: 1, content_index: 0, part: {type: 'output_text', text: outcome.answer, annotations: [], logprobs: []}});
		const message = messageItem(ids.message, outcome.answer, status === 'completed' ? 'completed' : 'incomplete');
		emit({type: 'response.output_item.done', output_index: 1, item: message});
		const final = responseObject({...base, status, output: [reasoningDone, message], usage: outcome.usage});
		emit(status === 'completed' ? {type: 'response.completed', response: final} : {type: 'response.incomplete', response: final});
		stream.end();
	}, signal);
}
