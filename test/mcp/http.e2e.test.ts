// `rlm-tui mcp --http`: the built CLI serving Streamable HTTP on loopback, driven by the SDK's
// own Client; the server's lifetime limits; the same door rules as `serve`.
import {spawn, type ChildProcess} from 'node:child_process';
import {request} from 'node:http';
import {mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {StreamableHTTPClientTransport} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {CallToolResultSchema, type CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {cleanEnv, cliPath} from '../support/run-cli.js';

let llm: FakeLlmServer;
let child: ChildProcess;
let url: string;
let stderr = '';
const children: ChildProcess[] = [];

/** Starts `rlm-tui mcp --http` on a free loopback port; resolves with its URL and its stderr so far. */
function startHttp(args: string[], model = 'fake-model'): Promise<{child: ChildProcess; url: string; stderr: () => string}> {
	const started = spawn(process.execPath, [cliPath, 'mcp', '--http', '--port', '0', '-u', llm.openaiBaseURL, '-m', model, '--log-dir', logDir, ...args], {
		env: cleanEnv(),
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	children.push(started);
	let text = '';
	return new Promise((resolve, reject) => {
		started.stderr.on('data', (chunk) => {
			text += String(chunk);
			const found = /(http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(text)?.[1];
			if (found) resolve({child: started, url: found, stderr: () => text});
		});
		started.once('exit', (code) => reject(new Error(`rlm-tui mcp --http exited (${code}): ${text}`)));
	});
}
const logDir = mkdtempSync(join(tmpdir(), 'rlm-mcp-http-logs-'));
const callOptions = {timeout: 300_000, resetTimeoutOnProgress: true};

beforeAll(async () => {
	llm = await startFakeLlmServer();
	// Each reply reports 2,000 input + 20 output tokens, more than the engine's estimate of the
	// prompt (as a server that counts differently does): one call of one iteration spends 2,020.
	llm.setResponder(scripted({root: () => ({...repl('llm_output("over http: " + context)'), usage: {inputTokens: 2000, outputTokens: 20}})}));
	const started = await startHttp(['--total-tokens', '1000']);
	({child, url} = started);
	stderr = started.stderr();
});

afterAll(async () => {
	for (const started of children) started.kill('SIGTERM');
	await llm?.close();
});

const connect = async () => {
	const client = new Client({name: 'http-agent', version: '1.0.0'});
	await client.connect(new StreamableHTTPClientTransport(new URL(url)));
	return client;
};
const text = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

describe('rlm-tui mcp --http', () => {
	it('serves the tools on loopback; the lifetime token cap refuses calls once spent, in every session', async () => {
		const client = await connect();
		const {tools} = await client.listTools();
		expect(tools.map((tool) => tool.name)).toContain('rlm_query');
		const first = (await client.callTool({name: 'rlm_query', arguments: {question: 'q', context: 'ctx'}}, CallToolResultSchema, callOptions)) as CallToolResult;
		expect(first.isError).toBeFalsy();
		// The call's share was the whole 1,000: the reply's 2,020 passed it, so its code did not run.
		// It is named as the share of --total-tokens, the limit that ran out, not as a --max-tokens.
		expect(first.structuredContent).toMatchObject({status: 'limited', limit: 'total_tokens', limits: {max_tokens: 1000}, usage: {total_tokens: 2020}});
		expect((first.structuredContent as {error: string}).error).toMatch(/^The run's share of this server's total tokens \(1,000 of --total-tokens 1,000 were left when it started\) is reached: 2,020 used\.$/);

		// The total is spent: the server refuses every call, in any session.
		const other = await connect();
		const refused = (await other.callTool({name: 'rlm_query', arguments: {question: 'q', context: 'ctx'}}, CallToolResultSchema, callOptions)) as CallToolResult;
		expect(refused.isError).toBe(true);
		expect(text(refused)).toMatch(/has spent its total 1,000 tokens \(--total-tokens\): \$0\.0000 and 2,020 tokens over 1 call\(s\)/);
		await client.close();
		await other.close();
	});

	it('refuses web pages, requests without a session and other paths', async () => {
		const init = {jsonrpc: '2.0', id: 1, method: 'initialize', params: {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 'page', version: '1'}}};
		const headers = {'content-type': 'application/json', accept: 'application/json, text/event-stream'};
		const fromPage = await fetch(url, {method: 'POST', headers: {...headers, origin: 'https://evil.example'}, body: JSON.stringify(init)});
		expect(fromPage.status).toBe(403);
		const noSession = await fetch(url, {method: 'POST', headers, body: JSON.stringify({jsonrpc: '2.0', id: 2, method: 'tools/list'})});
		expect(noSession.status).toBe(400);
		expect(((await noSession.json()) as {error: {message: string}}).error.message).toMatch(/first request of a session is initialize/);
		const elsewhere = await fetch(url.replace('/mcp', '/v1/chat/completions'), {method: 'POST', headers, body: '{}'});
		expect(elsewhere.status).toBe(404);
		// DNS rebinding: a page's name resolved to 127.0.0.1 still says its own name in Host.
		const rebound = await new Promise<number>((resolve, reject) => {
			const req = request(url, {method: 'POST', headers: {...headers, host: 'attacker.example:80'}}, (res) => {
				res.resume();
				resolve(res.statusCode ?? 0);
			});
			req.on('error', reject);
			req.end(JSON.stringify(init));
		});
		expect(rebound).toBe(403);
		// A coding agent in a container reaches the host as host.docker.internal: let in.
		const fromContainer = await new Promise<number>((resolve, reject) => {
			const req = request(url, {method: 'POST', headers: {...headers, host: `host.docker.internal:${new URL(url).port}`}}, (res) => {
				res.resume();
				resolve(res.statusCode ?? 0);
			});
			req.on('error', reject);
			req.end(JSON.stringify(init));
		});
		expect(fromContainer).toBe(200);
		expect(stderr).toContain('Streamable HTTP');
		expect(child.exitCode).toBe(null);
	});

	it('with --token, every request needs the bearer token; the SDK client sends it', async () => {
		const guarded = await startHttp(['--token', 'sekrit-token']);
		await expect.poll(() => guarded.stderr()).toContain('bearer token required');
		const anonymous = new Client({name: 'no-token', version: '1.0.0'});
		await expect(anonymous.connect(new StreamableHTTPClientTransport(new URL(guarded.url)))).rejects.toThrow(/Missing or wrong bearer token/);
		const client = new Client({name: 'with-token', version: '1.0.0'});
		await client.connect(new StreamableHTTPClientTransport(new URL(guarded.url), {requestInit: {headers: {authorization: 'Bearer sekrit-token'}}}));
		expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('rlm_runs');
		await client.close();
	});

	it("names a model's id on stderr without its escape sequences (a server's id saved by /model)", async () => {
		const started = await startHttp([], 'evil\x1b]0;PWNED\x07model');
		expect(started.stderr()).toContain('RLM over openai:evilmodel;');
		expect(started.stderr()).not.toMatch(/[\x07\x1b]/);
	});

	it('never tells a client where the upstream server or the log folder is: errors, runs, trajectories', async () => {
		const served = await startHttp([]);
		const client = new Client({name: 'remote-agent', version: '1.0.0'});
		await client.connect(new StreamableHTTPClientTransport(new URL(served.url)));
		// A web UI's page where the API should be: the backend's error names the URL it called.
		llm.setResponder(() => ({raw: '<html><body>Open WebUI</body></html>'}));
		const upstream = new URL(llm.url).host;
		const told = (value: unknown) => {
			const shown = JSON.stringify(value);
			expect(shown).not.toContain(upstream);
			expect(shown).not.toContain(logDir);
			return shown;
		};

		const failed = (await client.callTool({name: 'rlm_query', arguments: {question: 'q', context: 'ctx'}}, CallToolResultSchema, callOptions)) as CallToolResult;
		expect(failed.isError).toBe(true);
		const structured = failed.structuredContent as {status: string; error: string; trajectory_file: string};
		expect(structured.status).toBe('failed');
		// "The OpenAI-compatible server at <URL> answered..." reads "The OpenAI-compatible upstream server answered...".
		expect(structured.error).toContain('OpenAI-compatible upstream server answered');
		expect(told(failed)).toContain('OpenAI-compatible upstream server answered');
		expect(structured.trajectory_file).toMatch(/^rlm_[^/]+_mcp_[^/]+\.jsonl$/);
		// The operator's log keeps the address.
		expect(readFileSync(join(logDir, structured.trajectory_file), 'utf8')).toContain(upstream);

		const runs = await client.callTool({name: 'rlm_runs', arguments: {}}, CallToolResultSchema, callOptions);
		expect(told(runs)).toContain('OpenAI-compatible upstream server answered');
		const full = await client.callTool({name: 'rlm_run', arguments: {run: structured.trajectory_file, detail: 'full'}}, CallToolResultSchema, callOptions);
		expect(told(full)).toContain('upstream server');
		told(await client.readResource({uri: `rlm-tui://runs/${structured.trajectory_file}`}));
		told(await client.callTool({name: 'rlm_run', arguments: {run: 'no-such-run'}}, CallToolResultSchema, callOptions));
		await client.close();
	});

	it('SIGHUP (its terminal closing) stops it as SIGTERM does: it winds down and exits 0, not killed by the signal', async () => {
		const started = await startHttp([]);
		const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => started.child.once('exit', (code, signal) => resolve([code, signal])));
		started.child.kill('SIGHUP');
		expect(await exited).toEqual([0, null]);
	});
});
