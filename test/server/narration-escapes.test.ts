// serve's narration (reasoning_content) of a reply whose text holds terminal escape sequences,
// streamed in pieces that split them: clients show it in terminals, so each sequence goes whole,
// payload and all (an OSC 52 clipboard write, a window title), not only its control characters.
// Through the real openai client, streamed.
import OpenAI from 'openai';
import {afterAll, afterEach, beforeAll, expect, it} from 'vitest';
import {createBackend} from '../../source/backends/create.js';
import {startRlmServer, type RlmServer} from '../../source/server/server.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {scripted} from '../support/rlm-script.js';

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

it.each([1, 3, 7])('a reply streamed in pieces of %i characters: no part of an escape sequence reaches reasoning_content', async (chunkSize) => {
	const reply = 'FINAL(answer with \u001b]52;c;cHduZWQ=\u0007osc52 and \u001b]0;TITLE2\u0007 title and \u001b[1mbold\u001b[0m)';
	llm.setResponder(scripted({root: () => ({text: reply, chunkSize})}));
	const server = await startRlmServer({
		rlm: {model: 'gpt-4o', maxIterations: 2, logDir: false},
		backend: createBackend({kind: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'upstream-key', maxRetries: 0}),
		port: 0,
	});
	servers.push(server);
	const client = new OpenAI({baseURL: `${server.url}/v1`, apiKey: 'unused'});
	const stream = await client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'q'}], stream: true});
	let reasoning = '';
	for await (const chunk of stream) reasoning += (chunk.choices[0]?.delta as {reasoning_content?: string} | undefined)?.reasoning_content ?? '';
	expect(reasoning).toContain('FINAL(answer with osc52 and  title and bold)');
	for (const piece of ['cHduZWQ', 'TITLE2', ']52', ']0;', '[1m', '\u001b', '\u0007']) expect(reasoning).not.toContain(piece);
});
