// The built CLI against a server that cuts every reply mid-stream (a crashing worker, a proxy that
// cuts long replies): after its retries the run stops with one line that names the cut and the
// server, exit 1 as the other failed-model cases, rather than go through every turn and blame the
// turn limit; and no usage the server never reported is counted for the cut replies.
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {rootRequests, scripted} from '../support/rlm-script.js';
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

const REPLY = 'Let me look at the context first.\n\n```repl\nprint(len(context))\n```\nThen I will';

describe.each([
	// An OpenAI-compatible server's usage comes in the last chunk, which never came: none is counted.
	['openai', 'reset', /the OpenAI-compatible server at http:\/\/127\.0\.0\.1:\d+\/v1 closed the connection mid-stream/, {inputTokens: 0, outputTokens: 0}],
	['openai', 'end', /the OpenAI-compatible server at http:\/\/127\.0\.0\.1:\d+\/v1 closed the stream before the reply ended/, {inputTokens: 0, outputTokens: 0}],
	// Anthropic's message_start reports the input and 1 output token: that much of each kept reply counts.
	['anthropic', 'reset', /the Anthropic API at http:\/\/127\.0\.0\.1:\d+ closed the connection mid-stream/, {inputTokens: 2 * 500, outputTokens: 2}],
] as const)('%s: every reply cut (%s) after its answer began', (backend, how, cause, usage) => {
	it('stops after two cut replies in a row with one line naming the cut and the server, exit 1, only the usage the server reported', async () => {
		server.setResponder(scripted({root: () => ({text: REPLY, chunkSize: 8, usage: {inputTokens: 500}, drop: {afterChars: REPLY.length - 4, how}})}));
		const url = backend === 'openai' ? server.openaiBaseURL : server.anthropicBaseURL;
		const result = await runCli(['-b', backend, '-u', url, '-m', 'm', '--json', '-p', 'q'], {env: cleanEnv({OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test'})});
		expect(result.code, result.stderr).toBe(1);
		const last = result.stderr.trim().split('\n').at(-1)!;
		expect(last).toMatch(/^rlm-tui: The model's reply was cut off twice in a row, retries included: /);
		expect(last).toMatch(cause);
		expect(result.stderr).not.toContain('out of iterations');
		// Two replies, each tried three times (two retries), then no more.
		expect(rootRequests(server.requests)).toHaveLength(6);
		const json = JSON.parse(result.stdout) as {status: string; errorCode: string; iterations: unknown[]; usage: {inputTokens: number; outputTokens: number}};
		expect(json).toMatchObject({status: 'failed', errorCode: 'server'});
		expect(json.iterations).toHaveLength(2);
		// What the server reported for the replies it cut, not an estimate.
		expect(json.usage).toMatchObject(usage);
	});
});
