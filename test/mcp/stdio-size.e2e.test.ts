// Large messages on stdio, with the SDK's own Client: a `context` over the SDK transport's 10 MiB
// (which once closed the server and lost its runs) is read, and a message over the server's limit
// is answered with an error while the session and the run already going carry on.
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {pathToFileURL} from 'node:url';
import {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js';
import {CallToolResultSchema, type CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {cleanEnv, cliPath} from '../support/run-cli.js';

let llm: FakeLlmServer;
const clients: Client[] = [];
const callOptions = {timeout: 300_000, resetTimeoutOnProgress: true};
const text = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

beforeAll(async () => {
	llm = await startFakeLlmServer();
});

afterAll(async () => {
	for (const client of clients) await client.close();
	await llm?.close();
});

async function connect(command: string, args: string[]): Promise<{client: Client; stderr: () => string}> {
	let stderr = '';
	const transport = new StdioClientTransport({command, args, env: cleanEnv() as Record<string, string>, stderr: 'pipe'});
	transport.stderr?.on('data', (chunk) => (stderr += String(chunk)));
	const client = new Client({name: 'size-agent', version: '1.0.0'});
	await client.connect(transport);
	clients.push(client);
	return {client, stderr: () => stderr};
}

describe('rlm-tui mcp on stdio with large messages', () => {
	it('reads a 12 MiB context (over the SDK stdio transport\'s 10 MiB) and answers over it', async () => {
		const {client} = await connect(process.execPath, [cliPath, 'mcp', '-u', llm.openaiBaseURL, '-m', 'fake-model', '--log-dir', mkdtempSync(join(tmpdir(), 'rlm-mcp-size-logs-'))]);
		llm.setResponder(scripted({root: () => repl('llm_output(f"{len(context)} chars, ends {context[-5:]}")')}));
		const context = `${'x'.repeat(12 * 1024 * 1024)}tail!`;
		const result = (await client.callTool({name: 'rlm_query', arguments: {question: 'How long is it?', context}}, CallToolResultSchema, callOptions)) as CallToolResult;
		expect(result.isError).toBeFalsy();
		expect(text(result)).toContain(`${context.length} chars, ends tail!`);
	});

	it('replaces a reply too large for the client (the SDK\'s drops the connection at 10 MiB) with a tool error, and the session goes on', async () => {
		const {client, stderr} = await connect(process.execPath, [cliPath, 'mcp', '-u', llm.openaiBaseURL, '-m', 'fake-model', '--log-dir', mkdtempSync(join(tmpdir(), 'rlm-mcp-size-logs-'))]);
		// The answer is the whole 6 MiB context: the reply carries it twice (text and structured).
		llm.setResponder(scripted({root: ({lastUser}) => repl(lastUser.includes('echo') ? 'llm_output(context)' : 'llm_output("small: " + context[:5])')}));
		const big = (await client.callTool({name: 'rlm_query', arguments: {question: 'echo it', context: 'e'.repeat(6 * 1024 * 1024)}}, CallToolResultSchema, callOptions)) as CallToolResult;
		expect(big.isError).toBe(true);
		expect(text(big)).toMatch(/^The reply is 12\.\d MiB, over the 8 MiB that rlm-tui mcp sends in one message on stdio \(MCP clients drop the connection at 10 MiB\)\. Run run_\w+ ended and is logged: rlm_run shows its trajectory/);
		const after = (await client.callTool({name: 'rlm_query', arguments: {question: 'q', context: 'abcdefgh'}}, CallToolResultSchema, callOptions)) as CallToolResult;
		expect(text(after).trim()).toBe('small: abcde');
		expect(stderr()).toMatch(/rlm-tui mcp: A reply of \d+ bytes is over the 8388608-byte limit: sent an error instead/);
	});

	it('answers a message over its limit with an error naming the limit, and the session and a run in progress carry on', async () => {
		// The server's own stdio entry (serveStdio), with a 1 MiB limit instead of 256 MiB.
		const dir = mkdtempSync(join(tmpdir(), 'rlm-mcp-size-'));
		const dist = (file: string) => pathToFileURL(resolve(import.meta.dirname, '../../dist', file)).href;
		const script = join(dir, 'serve-small.mjs');
		writeFileSync(
			script,
			`import {McpRuntime} from ${JSON.stringify(dist('mcp/runtime.js'))};
import {serveStdio} from ${JSON.stringify(dist('mcp/transports.js'))};
const runtime = new McpRuntime({rlm: {model: 'fake-model', backend: 'openai', baseURL: ${JSON.stringify(llm.openaiBaseURL)}, apiKey: 'test'}, logDir: ${JSON.stringify(join(dir, 'logs'))}, allowDirs: [], callLimits: {maxIterations: 5, maxDepth: 1}, lifetime: {}});
await serveStdio(runtime, 'test', 1024 * 1024);
await runtime.close();
`,
		);
		const {client, stderr} = await connect(process.execPath, [script]);
		let release!: () => void;
		const gate = new Promise<void>((done) => (release = done));
		llm.setResponder(
			scripted({
				root: async ({lastUser}) => {
					if (lastUser.includes('held question')) await gate;
					return repl('llm_output("done: " + context)');
				},
			}),
		);
		const roots = rootRequests(llm.requests).length;
		const held = client.callTool({name: 'rlm_query', arguments: {question: 'held question', context: 'first'}}, CallToolResultSchema, callOptions);
		await expect.poll(() => rootRequests(llm.requests).length).toBeGreaterThan(roots);

		const big = (await client.callTool({name: 'rlm_query', arguments: {question: 'q', context: 'y'.repeat(2 * 1024 * 1024)}}, CallToolResultSchema, callOptions)) as CallToolResult;
		expect(big.isError).toBe(true);
		expect(text(big)).toMatch(/^This request is 2\.0 MiB, over the 1 MiB that rlm-tui mcp accepts in one message\. Pass large material as `paths`/);
		// Any other request too large gets a JSON-RPC error.
		await expect(client.readResource({uri: `rlm-tui://runs/${'z'.repeat(1024 * 1024)}.jsonl`})).rejects.toThrow(/over the 1 MiB that rlm-tui mcp accepts/);

		const after = (await client.callTool({name: 'rlm_query', arguments: {question: 'q', context: 'after'}}, CallToolResultSchema, callOptions)) as CallToolResult;
		expect(text(after).trim()).toBe('done: after');
		release();
		const first = (await held) as CallToolResult;
		expect((first.structuredContent as {status: string}).status).toBe('answered');
		expect(text(first).trim()).toBe('done: first');
		expect(stderr()).toContain('rlm-tui mcp: Skipped a message of');
	});
});
