// The built CLI when the server fails after the model's answer began (Anthropic's overloaded_error
// mid-stream, a connection an OpenAI-compatible server cuts mid-reply): the run retries and answers
// from the retried reply; -e says the reply so far was withdrawn, -v shows only the retried reply.
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer, type FakeReply} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {cleanEnv, runCli} from '../support/run-cli.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer();
});
afterAll(async () => {
	await server?.close();
});
beforeEach(() => {
	server.requests.length = 0;
});

const PARTIAL = '```repl\nprint("withdrawn")';
const failing = (how: Partial<Pick<Extract<FakeReply, {text: string}>, 'streamError' | 'drop'>>): FakeReply => ({text: `${PARTIAL}\n\`\`\``, chunkSize: 4, ...how});

/** The first root call fails after its answer began; the retry answers. */
function failOnce(failure: FakeReply) {
	let tries = 0;
	server.setResponder(scripted({root: () => (tries++ === 0 ? failure : repl('print("ran once")\nllm_output("from the retry")'))}));
}

const cases = [
	['anthropic overloaded_error', ['-b', 'anthropic'], failing({streamError: {afterChars: PARTIAL.length, message: 'Overloaded', type: 'overloaded_error'}})],
	['openai connection reset', ['-b', 'openai'], failing({drop: {afterChars: PARTIAL.length, how: 'reset'}})],
] as const;

describe.each(cases)('%s after the answer began', (_what, backend, failure) => {
	const args = () => [...backend, '-u', backend[1] === 'anthropic' ? server.anthropicBaseURL : server.openaiBaseURL, '-m', 'm'];
	const env = () => cleanEnv({ANTHROPIC_API_KEY: 'sk-ant-test', OPENAI_API_KEY: 'sk-test'});

	it('-e: the run answers from the retried reply, and the log says the reply so far was withdrawn', async () => {
		failOnce(failure);
		const result = await runCli([...args(), '-e', '-p', 'q'], {env: env()});
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout.trim()).toBe('from the retry');
		expect(rootRequests(server.requests)).toHaveLength(2);
		expect(result.stderr).toMatch(/^! The reply so far is withdrawn: .+ Retrying in \d\.\d s \(1 of 2\)\.$/m);
		// Only the retried block ran, once.
		expect(result.stderr.match(/⚡/g)).toHaveLength(1);
		expect(result.stderr).toContain('→ ✓ ran once');
		expect(result.stderr).not.toContain('withdrawn")');
	});

	it('-v: the model reply shown is the retried one alone', async () => {
		failOnce(failure);
		const result = await runCli([...args(), '-v', '-p', 'q'], {env: env()});
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toMatch(/^! The reply so far is withdrawn: /m);
		const replies = [...result.stderr.matchAll(/┌─ model reply[^\n]*\n((?:│[^\n]*\n)*)└─/g)].map((match) => match[1]);
		expect(replies).toEqual(['│ Working on it.\n│ \n│ ```repl\n│ print("ran once")\n│ llm_output("from the retry")\n│ ```\n']);
		expect(result.stderr).not.toContain('print("withdrawn")');
	});
});
