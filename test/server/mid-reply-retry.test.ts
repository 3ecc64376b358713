// serve when the upstream fails after the model's answer began (a mid-stream error chunk, a
// connection cut): the run retries, the answer (content) is the retried reply's, and the narration
// (reasoning_content), which already sent the partial reply, says it is withdrawn, outside any fence.
import {marked} from 'marked';
import OpenAI from 'openai';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {createBackend} from '../../source/backends/create.js';
import {closingFence} from '../../source/engine/fence.js';
import type {RlmEvent} from '../../source/protocol/events.js';
import {progressNarrator, REPLY_WITHDRAWN_LINE} from '../../source/server/progress-narrator.js';
import {startRlmServer, type RlmServer} from '../../source/server/server.js';
import {startFakeLlmServer, type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';

let llm: FakeLlmServer;
const servers: RlmServer[] = [];
beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['gpt-4o']});
});
afterEach(async () => {
	await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(async () => {
	await llm?.close();
});

const PARTIAL = '```repl\nprint(1)';

/** The narration's paragraphs and code blocks, as a markdown client renders them. */
const blocks = (text: string) => marked.lexer(text).filter((token) => token.type === 'paragraph' || token.type === 'code');

describe.each([
	['an error chunk', {streamError: {afterChars: PARTIAL.length, message: 'Overloaded', shape: 'error'}}],
	['a connection reset', {drop: {afterChars: PARTIAL.length, how: 'reset'}}],
] as const)('serve, the upstream failing after the answer began (%s)', (_what, how) => {
	it('streams the retried reply’s answer as content, and narrates the partial as withdrawn', async () => {
		llm.requests.length = 0;
		let tries = 0;
		const failing: FakeReply = {text: `${PARTIAL}\n\`\`\``, chunkSize: 4, ...how};
		llm.setResponder(scripted({root: () => (tries++ === 0 ? failing : repl('llm_output("from the retry")'))}));
		const server = await startRlmServer({
			rlm: {model: 'gpt-4o', maxIterations: 4, logDir: false},
			backend: createBackend({kind: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'upstream-key', maxRetries: 2}),
			port: 0,
		});
		servers.push(server);
		const client = new OpenAI({baseURL: `${server.url}/v1`, apiKey: 'unused'});
		const stream = await client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'q'}], stream: true});
		let reasoning = '';
		let content = '';
		for await (const chunk of stream) {
			const delta = chunk.choices[0]?.delta as {content?: string; reasoning_content?: string} | undefined;
			reasoning += delta?.reasoning_content ?? '';
			content += delta?.content ?? '';
		}
		expect(content).toBe('from the retry');
		expect(rootRequests(llm.requests)).toHaveLength(2);
		// The retry notice says the partial is withdrawn, and why, in place of the generic line.
		const withdrawn = reasoning.indexOf('! The reply so far is withdrawn: ');
		expect(withdrawn).toBeGreaterThan(0);
		expect(reasoning.slice(0, withdrawn)).toContain(PARTIAL);
		expect(reasoning.slice(withdrawn)).toContain('llm_output("from the retry")');
		expect(blocks(reasoning)).toContainEqual(
			expect.objectContaining({type: 'paragraph', text: expect.stringMatching(/^! The reply so far is withdrawn: .+(Overloaded|closed the connection|reset).* Retrying in \d\.\d s \(1 of 2\)\.$/)}),
		);
		expect(reasoning).not.toContain(REPLY_WITHDRAWN_LINE);
	});
});

describe('serve, the upstream refusing the first tries (the SDK retries them)', () => {
	it('narrates each retry with its cause, as it comes, before the reply', async () => {
		llm.requests.length = 0;
		const queue: FakeReply[] = [
			{status: 429, message: 'Rate limit reached for requests', retryAfterMs: 1},
			{status: 503, message: 'Service temporarily unavailable', retryAfterMs: 1},
		];
		llm.setResponder(scripted({root: () => queue.shift() ?? repl('llm_output("answered")')}));
		const server = await startRlmServer({
			rlm: {model: 'gpt-4o', maxIterations: 4, logDir: false},
			backend: createBackend({kind: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'upstream-key', maxRetries: 2}),
			port: 0,
		});
		servers.push(server);
		const client = new OpenAI({baseURL: `${server.url}/v1`, apiKey: 'unused'});
		const stream = await client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'q'}], stream: true});
		let reasoning = '';
		let content = '';
		for await (const chunk of stream) {
			const delta = chunk.choices[0]?.delta as {content?: string; reasoning_content?: string} | undefined;
			reasoning += delta?.reasoning_content ?? '';
			content += delta?.content ?? '';
		}
		expect(content).toBe('answered');
		const paragraphs = blocks(reasoning).filter((token) => token.type === 'paragraph').map((token) => token.raw.trim());
		const retries = paragraphs.filter((line) => line.startsWith('! '));
		expect(retries).toEqual([
			expect.stringMatching(/answered 429: Rate limit reached for requests\. Retrying at once \(1 of 2\)\.$/),
			expect.stringMatching(/answered 503: Service temporarily unavailable\. Retrying at once \(2 of 2\)\.$/),
		]);
		expect(reasoning.indexOf(retries[1]!)).toBeLessThan(reasoning.indexOf('llm_output("answered")'));
	});
});

describe('serve, a reply cut off on its last retry', () => {
	it('closes the fence the partial left open before the cut-off notice: the notice and the next iteration read as text', async () => {
		llm.requests.length = 0;
		let tries = 0;
		const cut: FakeReply = {text: `${PARTIAL}\n\`\`\``, chunkSize: 4, drop: {afterChars: PARTIAL.length, how: 'reset'}};
		llm.setResponder(scripted({root: () => (tries++ < 2 ? cut : repl('llm_output("after the cut")'))}));
		const server = await startRlmServer({
			rlm: {model: 'gpt-4o', maxIterations: 4, logDir: false},
			backend: createBackend({kind: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'upstream-key', maxRetries: 1}),
			port: 0,
		});
		servers.push(server);
		const client = new OpenAI({baseURL: `${server.url}/v1`, apiKey: 'unused'});
		const stream = await client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'q'}], stream: true});
		let reasoning = '';
		let content = '';
		for await (const chunk of stream) {
			const delta = chunk.choices[0]?.delta as {content?: string; reasoning_content?: string} | undefined;
			reasoning += delta?.reasoning_content ?? '';
			content += delta?.content ?? '';
		}
		expect(content).toBe('after the cut');
		const paragraphs = blocks(reasoning).filter((token) => token.type === 'paragraph').map((token) => token.raw.trim());
		expect(paragraphs).toContainEqual(expect.stringMatching(/^! The reply of iteration 1 was cut off/));
		expect(paragraphs).toContain('**Iteration 2/4**');
		expect(closingFence(reasoning)).toBe('');
	});
});

describe('progressNarrator on llm.restart', () => {
	const runStart = {type: 'run.start', runId: 'r', depth: 0, model: 'm', backend: 'openai', question: 'q', maxIterations: 5} as unknown as RlmEvent;
	const event = (body: object) => ({runId: 'r', iteration: 1, t: 0, ...body}) as unknown as RlmEvent;

	it.each([
		['inside an open block', '```repl\nprint(1)', ['code', 'paragraph', 'code']],
		['after a closed block', '```repl\nprint(1)\n```\nThen', ['code', 'paragraph', 'paragraph', 'code']],
		['in plain text', 'I will look', ['paragraph', 'paragraph', 'code']],
	])('%s: the withdrawn line is its own paragraph, and the retried reply reads as written', (_where, partial, shape) => {
		const narrate = progressNarrator();
		const text = [runStart, event({type: 'llm.start', messages: 2, promptChars: 1}), event({type: 'llm.delta', text: partial}), event({type: 'llm.restart'}), event({type: 'llm.delta', text: '```repl\nprint(2)\n```'})]
			.map(narrate)
			.join('');
		expect(blocks(text).map((token) => token.type)).toEqual(shape);
		expect(blocks(text)).toContainEqual(expect.objectContaining({type: 'paragraph', text: REPLY_WITHDRAWN_LINE}));
		expect(blocks(text).at(-1)).toMatchObject({type: 'code', text: 'print(2)'});
	});

	it('a child run’s restart says nothing (its reply is not narrated)', () => {
		const narrate = progressNarrator();
		narrate(runStart);
		expect(narrate({type: 'llm.restart', runId: 'child', iteration: 1, t: 0})).toBe('');
	});
});

describe('closingFence (what closes a fence a partial reply left open)', () => {
	it.each([
		['```repl\nprint(1)', '```'],
		['````\n```\nstill inside', '````'],
		['~~~python\nx = 1\n', '~~~'],
		['   ```repl\r\nx', '```'],
		['```repl\nx\n```\ntext', ''],
		['```x```\nnot a fence', ''],
		['plain text', ''],
	])('%j: %j', (text, close) => {
		expect(closingFence(text)).toBe(close);
	});
});
