// The built CLI when the SDK itself retries a failed try (a 429, Anthropic's 529): -e tells each
// retry with its cause before the answer; a deprecated Anthropic model is one warning line, never
// the SDK's raw lines.
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

const env = () => cleanEnv({ANTHROPIC_API_KEY: 'sk-ant-test', OPENAI_API_KEY: 'sk-test'});

/** The first root tries fail as `failures`; then the run answers. */
function failFirst(failures: FakeReply[]) {
	const queue = [...failures];
	server.setResponder(scripted({root: () => queue.shift() ?? repl('llm_output("answered")')}));
}

describe.each([
	['openai', ['-b', 'openai'], {status: 429, message: 'Rate limit reached for requests', retryAfterMs: 1}, /answered 429: Rate limit reached for requests\./],
	['anthropic', ['-b', 'anthropic'], {status: 529, message: 'Overloaded', retryAfterMs: 1}, /answered 529: Overloaded\./],
] as const)('%s: a try the SDK retries', (api, backend, failure, said) => {
	const args = () => [...backend, '-u', api === 'anthropic' ? server.anthropicBaseURL : server.openaiBaseURL, '-m', 'm'];

	it('-e: each retry is a line with its cause, and the run answers', async () => {
		failFirst([failure, failure]);
		const result = await runCli([...args(), '-e', '-p', 'q'], {env: env()});
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout.trim()).toBe('answered');
		expect(rootRequests(server.requests)).toHaveLength(3);
		const lines = result.stderr.split('\n').filter((line) => line.startsWith('! '));
		expect(lines).toHaveLength(2);
		expect(lines[0]).toMatch(said);
		expect(lines[0]).toMatch(/Retrying at once \(1 of 2\)\.$/);
		expect(lines[1]).toMatch(/Retrying at once \(2 of 2\)\.$/);
	});
});

it('anthropic: a deprecated model is one warning line, not the SDK’s raw lines each request', async () => {
	server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('print(1)') : repl('llm_output("done")'))}));
	const result = await runCli(['-b', 'anthropic', '-u', server.anthropicBaseURL, '-m', 'claude-sonnet-4-5', '-p', 'q'], {env: env()});
	expect(result.code, result.stderr).toBe(0);
	expect(result.stdout.trim()).toBe('done');
	expect(rootRequests(server.requests).length).toBeGreaterThanOrEqual(2);
	expect(result.stderr).not.toContain('Please migrate');
	expect(result.stderr.match(/deprecated/g)).toHaveLength(1);
	expect(result.stderr).toMatch(/^rlm-tui: warning: Anthropic has deprecated the model 'claude-sonnet-4-5' \(end of life: [^)]+\): choose a newer model; see https:\S+$/m);
});
