// A stopped run keeps what it found (issue 13, as the original's _best_partial_answer): a cancelled
// run resolves with the answer dict's content, else its code's last output, else the model's last
// reply, never an empty string when it found something. Real sandbox, real SDK, fake server.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

/** Runs `firstBlock`, then cancels while the model is asked for the next turn (it never answers in time). */
async function cancelAfter(firstBlock: string, words = 'First I look.') {
	server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl(firstBlock, words) : {...repl('llm_output("too late")'), delayMs: 60_000})}));
	const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, apiKey: 'k', maxIterations: 5, logDir: false});
	const controller = new AbortController();
	rlm.on('event', (event) => {
		if (event.type === 'iter.start' && event.iteration === 2) controller.abort();
	});
	try {
		return await rlm.completion('find it', {context: 'data', signal: controller.signal});
	} finally {
		await rlm.dispose();
	}
}

describe('a cancelled run returns its best partial answer', () => {
	it('the answer dict\'s content first', async () => {
		const result = await cancelAfter('answer["content"] = "the draft"\nprint("some output")');
		expect(result.status).toBe('cancelled');
		expect(result.response).toBe('the draft');
	});

	it('else the last output of its code', async () => {
		const result = await cancelAfter('print("found 42 rows")');
		expect(result.status).toBe('cancelled');
		expect(result.response).toBe('found 42 rows');
	});

	it('else the model\'s last reply', async () => {
		const result = await cancelAfter('x = 1');
		expect(result.status).toBe('cancelled');
		expect(result.response).toContain('First I look.');
		expect(result.response).not.toContain('x = 1');
	});

	it('never the code of a reply that is only code: no answer rather than code as one', async () => {
		const result = await cancelAfter('x = 1', '');
		expect(result.status).toBe('cancelled');
		expect(result.response).toBe('');
	});
});
