// serve under the run-wide limits it was started with: a limited run answers with its best answer
// and finish_reason "length" (a forced answer's), JSON and SSE, through the real openai SDK.
import OpenAI from 'openai';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createBackend} from '../../source/backends/create.js';
import {startRlmServer, type RlmServer} from '../../source/server/server.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted, subRequests} from '../support/rlm-script.js';

let llm: FakeLlmServer;
let server: RlmServer;
beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['root-model']});
	server = await startRlmServer({
		rlm: {model: 'root-model', maxIterations: 4, maxSubCalls: 3, logDir: false},
		backend: createBackend({kind: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'upstream-key'}),
		port: 0,
	});
});
afterAll(async () => {
	await server?.close();
	await llm?.close();
});

const loop = repl('for i in range(100):\n    llm_query(f"part {i}")\n    answer["content"] = f"draft after {i + 1}"');

describe('serve with run-wide limits', () => {
	it('stops each request at the cap and answers with the best answer, finish_reason length', async () => {
		llm.setResponder(scripted({root: () => loop}));
		llm.requests.length = 0;
		const client = new OpenAI({baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0});
		const completion = await client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'loop'}]});
		expect(completion.choices[0]!.message.content).toBe('draft after 3');
		expect(completion.choices[0]!.finish_reason).toBe('length');
		expect(subRequests(llm.requests)).toHaveLength(3);

		// The cap is per request: a second one gets its own three sub-calls, streamed this time.
		llm.requests.length = 0;
		const stream = await client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'loop'}], stream: true});
		let text = '';
		let finish: string | null | undefined;
		for await (const chunk of stream) {
			text += chunk.choices[0]?.delta.content ?? '';
			finish ??= chunk.choices[0]?.finish_reason;
		}
		expect(text).toBe('draft after 3');
		expect(finish).toBe('length');
		expect(subRequests(llm.requests)).toHaveLength(3);
	});
});
