// rlm-tui serve through the real openai SDK, with a fake LLM server behind it.
import {spawn} from 'node:child_process';
import {request as httpRequest} from 'node:http';
import OpenAI from 'openai';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {createBackend} from '../../source/backends/create.js';
import {startRlmServer, type RlmServer} from '../../source/server/server.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {cleanEnv, cliPath} from '../support/run-cli.js';

let llm: FakeLlmServer;
const servers: RlmServer[] = [];

beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['root-model', 'other-model']});
});
afterEach(async () => {
	await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(async () => {
	await llm?.close();
});

async function serve(options: {token?: string; maxConcurrent?: number; maxQueued?: number} = {}) {
	const server = await startRlmServer({
		rlm: {model: 'root-model', maxIterations: 4},
		backend: createBackend({kind: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'upstream-key'}),
		port: 0,
		...options,
	});
	servers.push(server);
	return server;
}

const clientFor = (server: RlmServer, apiKey = 'unused') => new OpenAI({baseURL: `${server.url}/v1`, apiKey, maxRetries: 0});

describe('rlm-tui serve', () => {
	it('lists rlm and rlm:<model> for each backend model', async () => {
		const client = clientFor(await serve());
		const models = await client.models.list();
		expect(models.data.map((m) => m.id)).toEqual(['rlm', 'rlm:root-model', 'rlm:other-model']);
	});

	it('answers a plain completion with usage rolled up, and maps rlm:<model> to the root model', async () => {
		llm.requests.length = 0;
		llm.setResponder(scripted({root: () => repl('llm_output(llm_query("say hi"))'), sub: () => ({text: 'hi there', usage: {inputTokens: 3, outputTokens: 2}})}));
		const client = clientFor(await serve());
		const completion = await client.chat.completions.create({model: 'rlm:other-model', messages: [{role: 'user', content: 'greet me'}]});
		expect(completion.choices[0]!.message.content).toBe('hi there');
		expect(completion.choices[0]!.finish_reason).toBe('stop');
		expect(rootRequests(llm.requests)[0]!.model).toBe('other-model');
		expect(completion.usage!.prompt_tokens).toBeGreaterThan(3);
		expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
	});

	it('streams the answer over SSE with usage, ignoring the progress comments', async () => {
		llm.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('print(len(context))') : repl('llm_output("streamed " * 100)'))}));
		const client = clientFor(await serve());
		const stream = await client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'go'}], stream: true, stream_options: {include_usage: true}});
		let text = '';
		let usage: OpenAI.CompletionUsage | undefined;
		let finish: string | null | undefined;
		for await (const chunk of stream) {
			text += chunk.choices[0]?.delta.content ?? '';
			finish ??= chunk.choices[0]?.finish_reason;
			if (chunk.usage) usage = chunk.usage;
		}
		expect(text).toBe('streamed '.repeat(100));
		expect(finish).toBe('stop');
		expect(usage?.completion_tokens).toBeGreaterThan(0);
	});

	it('turns system and earlier turns into the question and history', async () => {
		llm.requests.length = 0;
		llm.setResponder(scripted({root: () => repl('llm_output(f"{len(history)}|{history[0][\'question\']}|{history[0][\'answer\']}")')}));
		const client = clientFor(await serve());
		const completion = await client.chat.completions.create({
			model: 'rlm',
			messages: [
				{role: 'system', content: 'Be terse.'},
				{role: 'user', content: 'first q'},
				{role: 'assistant', content: 'first a'},
				{role: 'user', content: 'second q'},
			],
		});
		expect(completion.choices[0]!.message.content).toBe('1|first q|first a');
		const first = rootRequests(llm.requests)[0]!.messages[1]!.content;
		expect(first).toContain('Instructions: Be terse.');
		expect(first).toContain('second q');
	});

	it("keeps an earlier turn's refusal as its answer (content null beside refusal, or a refusal part)", async () => {
		llm.setResponder(scripted({root: () => repl('llm_output(" / ".join(turn["answer"] for turn in history))')}));
		const client = clientFor(await serve());
		const completion = await client.chat.completions.create({
			model: 'rlm',
			messages: [
				{role: 'user', content: 'first q'},
				{role: 'assistant', content: null, refusal: "I can't help with that."},
				{role: 'user', content: 'second q'},
				{role: 'assistant', content: [{type: 'refusal', refusal: 'Nor with that.'}]},
				{role: 'user', content: 'third q'},
			],
		});
		expect(completion.choices[0]!.message.content).toBe("I can't help with that. / Nor with that.");
	});

	it('refuses a missing or wrong bearer token', async () => {
		const server = await serve({token: 'sekrit'});
		await expect(clientFor(server, 'wrong').models.list()).rejects.toMatchObject({status: 401});
		const ok = await clientFor(server, 'sekrit').models.list();
		expect(ok.data[0]!.id).toBe('rlm');
		// The scheme is case-insensitive (RFC 9110 11.1); the token is not.
		const status = async (authorization: string) => (await fetch(`${server.url}/v1/models`, {headers: {authorization}})).status;
		expect(await status('bearer sekrit')).toBe(200);
		expect(await status('BEARER  sekrit')).toBe(200);
		expect(await status('Bearer SEKRIT')).toBe(401);
		expect(await status('Basic sekrit')).toBe(401);
		expect(await status('Bearer sekrit extra')).toBe(401);
	});

	it('answers unknown models and bad requests with OpenAI-style errors', async () => {
		const client = clientFor(await serve());
		await expect(client.chat.completions.create({model: 'gpt-9', messages: [{role: 'user', content: 'x'}]})).rejects.toMatchObject({status: 404});
		await expect(client.chat.completions.create({model: 'rlm', messages: [{role: 'assistant', content: 'x'}]})).rejects.toMatchObject({status: 400});
	});

	it('cancels the run when the client disconnects', async () => {
		const abortedBefore = llm.aborted;
		llm.requests.length = 0;
		llm.setResponder(scripted({root: () => ({hang: true})}));
		const server = await serve();
		const controller = new AbortController();
		const pending = clientFor(server).chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'wait'}]}, {signal: controller.signal});
		pending.catch(() => undefined);
		await expect.poll(() => rootRequests(llm.requests).length).toBe(1);
		controller.abort();
		await expect(pending).rejects.toThrow();
		await expect.poll(() => llm.aborted).toBeGreaterThan(abortedBefore);
		// Winding down includes stopping a sandbox that may still be starting: poll, do not time it.
		await expect.poll(() => server.active, {timeout: 30_000}).toBe(0);
	});

	it('runs concurrent requests in isolated REPLs', async () => {
		llm.setResponder(
			scripted({
				root: ({turn, request}) => {
					const who = /who=(\w+)/.exec(request.messages[1]!.content)![1];
					if (turn === 0) return repl(`mine = "${who}"\nimport time\ntime.sleep(0.3)\nprint(mine)`);
					return repl('llm_output(mine + ":" + ",".join(sorted(v for v in globals() if v == "mine")))');
				},
			}),
		);
		const client = clientFor(await serve({maxConcurrent: 2}));
		const ask = (who: string) => client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: `who=${who}`}]});
		const [a, b] = await Promise.all([ask('alice'), ask('bob')]);
		expect(a.choices[0]!.message.content).toBe('alice:mine');
		expect(b.choices[0]!.message.content).toBe('bob:mine');
	});

	it('queues up to its limit and then answers 429', async () => {
		llm.requests.length = 0;
		llm.setResponder(scripted({root: () => ({hang: true})}));
		const client = clientFor(await serve({maxConcurrent: 1, maxQueued: 0}));
		const controller = new AbortController();
		const first = client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'one'}]}, {signal: controller.signal});
		first.catch(() => undefined);
		await expect.poll(() => rootRequests(llm.requests).length).toBe(1);
		await expect(client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'two'}]})).rejects.toMatchObject({status: 429});
		controller.abort();
	});

	it('without a token, turns away web pages, rebound Host names and non-JSON posts', async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("should not run")')}));
		const server = await serve();
		// node:http, since fetch will not send a Host header of our choosing.
		const post = (headers: Record<string, string>) =>
			new Promise<{status: number; body: string}>((resolve, reject) => {
				const request = httpRequest(`${server.url}/v1/chat/completions`, {method: 'POST', headers}, (response) => {
					let body = '';
					response.on('data', (chunk) => (body += chunk));
					response.on('end', () => resolve({status: response.statusCode ?? 0, body}));
				});
				request.on('error', reject);
				request.end(JSON.stringify({model: 'rlm', messages: [{role: 'user', content: 'x'}]}));
			});
		const origin = await post({'content-type': 'application/json', origin: 'http://evil.example'});
		expect(origin.status).toBe(403);
		const port = new URL(server.url).port;
		const rebound = await post({'content-type': 'application/json', host: `evil.example:${port}`});
		expect(rebound.status).toBe(403);
		const form = await post({'content-type': 'text/plain'});
		expect(form.status).toBe(415);
		expect(JSON.parse(form.body).error.type).toBe('invalid_request_error');
		const local = await post({'content-type': 'application/json', host: `localhost:${port}`});
		expect(local.status).toBe(200);
	});

	it('without a token, accepts the names containers reach the host by (host.docker.internal: Open WebUI in Docker Desktop), and no look-alike', async () => {
		llm.setResponder(scripted({root: () => repl('llm_output("hello from the host")')}));
		const server = await serve();
		const port = new URL(server.url).port;
		const post = (host: string) =>
			new Promise<{status: number; body: string}>((resolve, reject) => {
				const request = httpRequest(`${server.url}/v1/chat/completions`, {method: 'POST', headers: {'content-type': 'application/json', host}}, (response) => {
					let body = '';
					response.on('data', (chunk) => (body += chunk));
					response.on('end', () => resolve({status: response.statusCode ?? 0, body}));
				});
				request.on('error', reject);
				request.end(JSON.stringify({model: 'rlm', messages: [{role: 'user', content: 'x'}]}));
			});
		for (const host of [`host.docker.internal:${port}`, `HOST.Docker.Internal:${port}`, `host.containers.internal:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
			const answered = await post(host);
			expect(answered.status, host).toBe(200);
			expect((JSON.parse(answered.body) as {choices: Array<{message: {content: string}}>}).choices[0]!.message.content).toBe('hello from the host');
		}
		for (const host of [`host.docker.internal.evil.example:${port}`, `evil.internal:${port}`, `docker.internal:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
			const refused = await post(host);
			expect(refused.status, host).toBe(403);
			expect(refused.body).toContain('Only loopback Host names (localhost, 127.0.0.1, [::1]) and host.docker.internal, host.containers.internal are accepted without a bearer token.');
		}
	});

	it('treats only loopback addresses as loopback', async () => {
		const {isLoopback} = await import('../../source/server/server.js');
		expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].map(isLoopback)).toEqual([true, true, true, true, true]);
		expect(['127.example.com', '0.0.0.0', '10.0.0.1', 'example.com'].map(isLoopback)).toEqual([false, false, false, false]);
	});

	it('refuses to bind a non-loopback host without a token', async () => {
		await expect(
			startRlmServer({rlm: {model: 'root-model'}, backend: createBackend({kind: 'demo'}), host: '0.0.0.0', port: 0}),
		).rejects.toThrow(/needs a bearer token/);
	});

	it('rlm-tui serve --request-timeout bounds its upstream calls: a hanging upstream fails the request with a line naming the flag', async () => {
		llm.setResponder(() => ({hang: true}));
		const child = spawn(process.execPath, [cliPath, 'serve', '-u', llm.openaiBaseURL, '-m', 'root-model', '--request-timeout', '0.3', '--port', '0'], {env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
		try {
			await expect.poll(() => /:(\d+)\/v1/.test(stderr), {timeout: 20_000}).toBe(true);
			const port = /:(\d+)\/v1/.exec(stderr)![1]!;
			const client = new OpenAI({baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'unused', maxRetries: 0});
			const error = await client.chat.completions.create({model: 'rlm', messages: [{role: 'user', content: 'hi'}]}).catch((caught: unknown) => caught);
			expect(error).toBeInstanceOf(OpenAI.APIError);
			expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_timeout');
			expect((error as Error).message).toMatch(/Timed out after 0\.3 s \(each of 3 tries\) waiting for .*raise --request-timeout/);
		} finally {
			child.kill('SIGINT');
		}
		expect(await exited).toBe(0);
	});

	it('rlm-tui serve on another host generates and prints a token, and stops on SIGINT', async () => {
		const child = spawn(process.execPath, [cliPath, 'serve', '-b', 'demo', '--host', '0.0.0.0', '--port', '0'], {env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
		try {
			await expect.poll(() => /bearer token .*: (rlm-\S+)/.test(stderr) && /:(\d+)\/v1/.test(stderr), {timeout: 20_000}).toBe(true);
			const token = /bearer token .*: (rlm-\S+)/.exec(stderr)![1]!;
			const port = /:(\d+)\/v1/.exec(stderr)![1]!;
			const client = (key: string) => new OpenAI({baseURL: `http://127.0.0.1:${port}/v1`, apiKey: key, maxRetries: 0});
			await expect(client('wrong').models.list()).rejects.toMatchObject({status: 401});
			expect((await client(token).models.list()).data.map((m) => m.id)).toEqual(['rlm', 'rlm:demo']);
		} finally {
			child.kill('SIGINT');
		}
		expect(await exited).toBe(0);
	});
});
