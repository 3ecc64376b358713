// A retry notice's cause quotes the server (its error body may echo a key or a URL's credentials):
// it leaves the backends room redacted, as the notice's message does.
import {expect, it} from 'vitest';
import {redactError, redactingBackend} from '../../source/backends/redacting-backend.js';
import {BackendError, type Backend, type StreamChunk} from '../../source/backends/types.js';

const KEY = 'sk-live-retrycause-0123456789';

it('the cause in a retry notice\'s facts is redacted with the message', async () => {
	const said = `503: upstream refused key ${KEY}`;
	const inner: Backend = {
		kind: 'openai',
		name: 'openai',
		async *stream(): AsyncIterable<StreamChunk> {
			yield {type: 'notice', code: 'stream_retried', message: `The server answered ${said}. Retrying in 1 s (1 of 2).`, retry: {retry: 1, maxRetries: 2, waitMs: 1000, cause: said}};
			yield {type: 'usage', usage: {inputTokens: 0, outputTokens: 0}, finishReason: 'stop'};
		},
		listModels: async () => [],
	};
	const chunks: StreamChunk[] = [];
	for await (const chunk of redactingBackend(inner, [KEY]).stream([], {model: 'm'})) chunks.push(chunk);
	const notice = chunks[0];
	if (notice?.type !== 'notice') throw new Error('no notice');
	expect(notice.retry).toEqual({retry: 1, maxRetries: 2, waitMs: 1000, cause: '503: upstream refused key [redacted]'});
	expect(notice.message).not.toContain(KEY);
});

it('a BackendError\'s summary is redacted with its message', () => {
	const error = new BackendError(`Server error (503): key ${KEY}.`, 'server', 503);
	error.summary = `503: key ${KEY}`;
	error.transient = true;
	const redacted = redactError(error, [KEY]) as BackendError;
	expect(redacted.summary).toBe('503: key [redacted]');
	expect(redacted.transient).toBe(true);
});
