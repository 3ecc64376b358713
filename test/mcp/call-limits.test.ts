// A call's run-wide limits stop it (status limited, the limit named, the best answer kept), and
// the server's lifetime share caps a call that asked for more. The SDK's Client over its in-memory
// transport, the fake LLM server and the real sandbox.
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {InMemoryTransport} from '@modelcontextprotocol/sdk/inMemory.js';
import {CallToolResultSchema, type CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {McpRuntime} from '../../source/mcp/runtime.js';
import {createMcpServer} from '../../source/mcp/tools.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';

let llm: FakeLlmServer;
beforeAll(async () => {
	llm = await startFakeLlmServer();
	// Every reply reports 600 input + 20 output tokens and never submits an answer.
	llm.setResponder(scripted({root: ({turn}) => ({...repl(`answer["content"] = "draft ${turn}"\nprint("looking")`), usage: {inputTokens: 600, outputTokens: 20}})}));
});
afterAll(async () => {
	await llm?.close();
});

async function connect(lifetime: {totalTokens?: number}) {
	const shared = new McpRuntime({
		rlm: {model: 'fake-model', backend: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'test'},
		logDir: mkdtempSync(join(tmpdir(), 'rlm-mcp-limits-logs-')),
		allowDirs: [],
		callLimits: {maxIterations: 10, maxDepth: 1, maxTokens: 100_000},
		lifetime,
	});
	const client = new Client({name: 'limits-agent', version: '1.0.0'});
	const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
	await createMcpServer(shared, 'test').connect(serverSide);
	await client.connect(clientSide);
	return {client, shared};
}

const text = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
const ask = async (client: Client, args: Record<string, unknown>) =>
	(await client.callTool({name: 'rlm_query', arguments: {question: 'q', context: 'c', ...args}}, CallToolResultSchema, {timeout: 300_000})) as CallToolResult;

it('max_tokens stops the call: limited, the limit named, the best answer it had', async () => {
	// A lifetime total above the call's own cap leaves the call's cap the one named.
	const {client, shared} = await connect({totalTokens: 1_000_000});
	const result = await ask(client, {max_tokens: 1500});
	const structured = result.structuredContent as Record<string, unknown>;
	// Two iterations spend 1,240; a third request would pass 1,500.
	expect(structured).toMatchObject({status: 'limited', limit: 'max_tokens', error_code: 'limit_reached', limits: {max_tokens: 1500}, iterations: 2, answer: 'draft 1', usage: {total_tokens: 1240}});
	expect(text(result)).toMatch(/^\[rlm-tui: a limit stopped the run: .*limit of 1,500 tokens \(--max-tokens\).*; below, the best answer it had\]\n\ndraft 1\s*$/s);
	expect(structured.notes).toEqual([]);
	await client.close();
	await shared.close();
});

it('the lifetime share lowers a call\'s token cap to what is left, and a call that cannot start spends nothing', async () => {
	const {client, shared} = await connect({totalTokens: 1300});
	// The share of --total-tokens stops it, and is named as such: not as the call's own max_tokens.
	const first = await ask(client, {});
	expect(first.structuredContent).toMatchObject({status: 'limited', limit: 'total_tokens', limits: {max_tokens: 1300}, usage: {total_tokens: 1240}});
	expect((first.structuredContent as {notes: string[]}).notes).toEqual(['max_tokens 100,000 lowered to 1,300: what was left of this server\'s --total-tokens 1,300.']);
	expect((first.structuredContent as {error: string}).error).toMatch(
		/^The run's share of this server's total tokens \(1,300 of --total-tokens 1,300 were left when it started\) is reached: 1,240 used, and the next request is about [\d,]+ more\.$/,
	);
	expect(text(first)).not.toContain('--max-tokens');
	const starved = await ask(client, {});
	expect(starved.structuredContent).toMatchObject({status: 'limited', limit: 'total_tokens', limits: {max_tokens: 60}, iterations: 0, usage: {total_tokens: 0}});
	expect(text(starved)).toMatch(/share of this server's total tokens \(60 of --total-tokens 1,300 were left when it started\).*before any answer/);
	expect(text(starved)).not.toContain('--max-tokens');
	await client.close();
	await shared.close();
});
