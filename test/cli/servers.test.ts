// The built CLI against servers as they really behave: what a user sees on stdout, stderr and in the exit code.
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {parameterRejection, startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
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

const hasTemperature = (body: unknown) => typeof body === 'object' && body !== null && 'temperature' in body;

describe('parameters', () => {
	it('sends GPT-5 no temperature unless the user chose one', async () => {
		server.setResponder(scripted({root: () => repl('llm_output("fine")')}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'gpt-5-mini', '-p', 'q']);
		expect(result.stderr).toBe('');
		expect(result.stdout.trim()).toBe('fine');
		expect(server.requests.some((request) => hasTemperature(request.body))).toBe(false);

		server.requests.length = 0;
		await runCli(['-u', server.openaiBaseURL, '-m', 'gpt-5-mini', '-t', '0.2', '-p', 'q']);
		expect((server.requests[0]!.body as {temperature?: number}).temperature).toBe(0.2);
	});

	it('retries a refused temperature without it and reports it once in -e', async () => {
		const answer = scripted({root: () => repl('r = llm_query("hi")\nllm_output("got " + r)'), sub: () => ({text: 'sub'})});
		server.setResponder((request) => (hasTemperature(request.body) ? parameterRejection('temperature', 'message') : answer(request)));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'picky-local-model', '-e', '-p', 'q']);
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('got sub');
		expect(result.stderr.match(/does not take temperature: sent without it/g)).toHaveLength(1);
		// One refusal, then the root and the sub-call go out without it.
		expect(server.requests.filter((request) => hasTemperature(request.body))).toHaveLength(1);
	});

	it('a temperature the user gave and the server refused is a warning on stderr without -e; our default is not', async () => {
		const answer = scripted({root: () => repl('llm_output("fine")')});
		server.setResponder((request) => (hasTemperature(request.body) ? parameterRejection('temperature', 'openai') : answer(request)));
		const given = await runCli(['-u', server.openaiBaseURL, '-m', 'picky-given', '-t', '0.2', '-p', 'q']);
		expect(given.stdout.trim()).toBe('fine');
		expect(given.stderr.trim()).toMatch(/^rlm-tui: warning: picky-given at \S+ does not take temperature: sent without it for the rest of this session\.$/);
		const defaulted = await runCli(['-u', server.openaiBaseURL, '-m', 'picky-default', '-p', 'q']);
		expect(defaulted.stdout.trim()).toBe('fine');
		expect(defaulted.stderr).toBe('');
	});
});

describe('truncation is never silent', () => {
	const script = scripted({
		root: ({turn}) => (turn === 0 ? {text: '```repl\nprint("half', finishReason: 'length'} : repl('llm_output(llm_query("long story"))')),
		sub: () => ({text: 'once upon', finishReason: 'length'}),
	});

	it('-e marks a root reply and a sub-call cut at the limit', async () => {
		server.setResponder(script);
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'm', '-e', '-p', 'q']);
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/! The reply of iteration 1 was cut at the output-token limit .*its unfinished code block did not run/);
		expect(result.stderr).toMatch(/✂ cut at the output-token limit/);
		expect(result.stdout).toContain('[cut off: this reply reached the output-token limit and is incomplete]');
	});

	it('warns on stderr without -e, and --json carries the finish reasons', async () => {
		server.setResponder(script);
		const plain = await runCli(['-u', server.openaiBaseURL, '-m', 'm', '-p', 'q']);
		expect(plain.stderr).toMatch(/^rlm-tui: warning: The reply of iteration 1 was cut at the output-token limit/m);
		server.setResponder(script);
		const json = await runCli(['-u', server.openaiBaseURL, '-m', 'm', '--json', '-p', 'q']);
		const parsed = JSON.parse(json.stdout);
		expect(parsed.iterations[0].finishReason).toBe('length');
		expect(JSON.stringify(parsed.session.runs)).toContain('"finishReason":"length"');
	});
});

describe('a stream the server drops mid-reply', () => {
	it('-e marks the dropped root reply and sub-call; the unclosed block does not run', async () => {
		server.setResponder(
			scripted({
				root: ({turn}) => (turn === 0 ? {text: '```repl\nprint("must not run")\nx = 1', drop: {afterChars: 24}} : repl('llm_output(llm_query("long story"))')),
				sub: () => ({text: 'once upon a time', drop: {afterChars: 9, how: 'reset'}}),
			}),
		);
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'm', '-e', '-p', 'q']);
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/! The reply of iteration 1 was cut off: the OpenAI-compatible server at \S+ closed the stream before the reply ended \(no finish_reason and no data: \[DONE\]\)\. Its unfinished code block did not run/);
		expect(result.stderr).not.toContain('must not run\n');
		expect(result.stderr).toMatch(/✂ cut off: the server ended the stream before the reply was finished/);
		expect(result.stdout).toContain('once upon\n[cut off: the connection to the server ended before this reply was finished; it is incomplete]');
	});
});

describe("a reply the provider's content filter stopped", () => {
	it('-e marks the filtered sub-call as the tree and the detail view do (text/cut-reply.ts)', async () => {
		server.setResponder(
			scripted({
				root: () => repl('llm_output(llm_query("tell me"))'),
				sub: () => ({text: 'partial', finishReason: 'content_filter'}),
			}),
		);
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'm', '-e', '-p', 'q']);
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/✂ stopped by the provider's content filter/);
		expect(result.stderr).not.toMatch(/✂ cut off/);
	});
});

describe("a reply the model refused (OpenAI's refusal field)", () => {
	const REFUSAL = "I'm sorry, but I can't help with that.";

	it('the user reads the refusal and why the run stopped, not that the replies were empty', async () => {
		server.setResponder(scripted({root: () => ({text: '', refusal: REFUSAL})}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'm', '-p', 'q']);
		expect(result.code).not.toBe(0);
		expect(result.stderr).toContain(`The model refused twice in a row, even when asked to go on in other words: “${REFUSAL}”`);
		expect(result.stderr).not.toMatch(/empty/);
	});

	it('-e shows the refusal notice and marks a refused sub-call', async () => {
		server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('llm_output(llm_query("tell me"))') : {text: 'FINAL(x)'}), sub: () => ({text: '', refusal: REFUSAL})}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'm', '-e', '-p', 'q']);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain(REFUSAL);
		expect(result.stderr).toContain(`refused a prompt: “${REFUSAL}”`);
		expect(result.stderr).toMatch(/✂ refused by the model/);
	});
});

describe('replies that are not replies', () => {
	it('an HTML page with 200 fails the run at once with one line naming the URL', async () => {
		server.setResponder(() => ({raw: '<html><head><title>Welcome to nginx!</title></head><body></body></html>'}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'm', '-p', 'q']);
		expect(result.code).toBe(1);
		expect(result.stdout).toBe('');
		const lines = result.stderr.trim().split('\n');
		expect(lines).toHaveLength(1);
		expect(lines[0]).toContain(server.openaiBaseURL);
		expect(lines[0]).toContain('HTML page ("Welcome to nginx!")');
		expect(rootRequests(server.requests)).toHaveLength(1);
	});
});

describe('an account out of credits', () => {
	it('a 402 fails the run at once with one line: what the server said and to add credits at that host', async () => {
		server.setResponder(() => ({status: 402, message: 'Insufficient credits', body: {error: {code: 402, message: 'Insufficient credits'}}}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'm', '-p', 'q']);
		expect(result.code).toBe(1);
		expect(result.stdout).toBe('');
		const lines = result.stderr.trim().split('\n');
		expect(lines).toHaveLength(1);
		expect(lines[0]).toContain(`Out of credits or quota at ${server.openaiBaseURL} (402): Insufficient credits.`);
		expect(lines[0]).toContain('Add credits or check the plan and billing of the account at 127.0.0.1');
		expect(rootRequests(server.requests)).toHaveLength(1);
	});
});

describe('pointing it at a server', () => {
	it('OLLAMA_HOST is where the default server is', async () => {
		server.setResponder(scripted({root: () => repl('llm_output("via OLLAMA_HOST")')}));
		const result = await runCli(['-m', 'm', '-p', 'q'], {env: cleanEnv({OLLAMA_HOST: server.url.replace('http://', '')})});
		expect(result.stderr).toBe('');
		expect(result.stdout.trim()).toBe('via OLLAMA_HOST');
	});

	it('with only Anthropic configured and nothing chosen, it talks to Anthropic', async () => {
		server.setResponder(scripted({root: () => repl('llm_output("from claude")')}));
		const result = await runCli(['-p', 'q'], {env: cleanEnv({ANTHROPIC_API_KEY: 'sk-ant-x', ANTHROPIC_BASE_URL: server.anthropicBaseURL})});
		expect(result.stdout.trim()).toBe('from claude');
		expect(server.requests[0]).toMatchObject({api: 'anthropic', model: 'claude-sonnet-5-5'});
	});

	it('a local preset without a model uses the first one the server lists, and says so in -e', async () => {
		server.models.splice(0, server.models.length, 'served-model', 'other-model');
		server.setResponder(scripted({root: () => repl('llm_output("ok")')}));
		const result = await runCli(['-b', 'vllm', '-u', server.openaiBaseURL, '-e', '-p', 'q']);
		expect(result.code).toBe(0);
		expect(server.requests[0]!.model).toBe('served-model');
		expect(result.stderr).toContain(`! Using served-model, the first model ${server.openaiBaseURL} lists`);
	});

	it('a hosted preset without its key says which variable to set', async () => {
		const result = await runCli(['-b', 'groq', '-p', 'q'], {env: cleanEnv({OPENAI_API_KEY: 'sk-not-for-groq'})});
		expect(result.code).toBe(2);
		expect(result.stderr.trim()).toBe('rlm-tui: GROQ_API_KEY is not set. Pass -k KEY or export GROQ_API_KEY.');
	});

	it('--header reaches the server; a malformed one is a usage error', async () => {
		server.setResponder(scripted({root: () => repl('llm_output("h")')}));
		const result = await runCli(['-u', server.openaiBaseURL, '-m', 'm', '--header', 'X-Portkey-Provider: openai', '--header', 'X-Trace: 7', '-p', 'q']);
		expect(result.code).toBe(0);
		expect(server.requests[0]!.headers).toMatchObject({'x-portkey-provider': 'openai', 'x-trace': '7'});
		const bad = await runCli(['-u', server.openaiBaseURL, '--header', 'nonsense', '-p', 'q']);
		expect(bad.code).toBe(2);
		expect(bad.stderr.trim()).toMatch(/^rlm-tui: Invalid --header "nonsense": expected 'Name: value'/);
	});
});
