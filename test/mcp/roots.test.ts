// Which folders an rlm_query call may read: the client's MCP roots (asked again when they change)
// and the server's --allow-dir folders, nothing else. The SDK's Client over its in-memory
// transport, the server in this process, the fake LLM server and the real sandbox.
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {InMemoryTransport} from '@modelcontextprotocol/sdk/inMemory.js';
import {CallToolResultSchema, ListRootsRequestSchema, type CallToolResult} from '@modelcontextprotocol/sdk/types.js';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {McpRuntime} from '../../source/mcp/runtime.js';
import {createMcpServer} from '../../source/mcp/tools.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';

let llm: FakeLlmServer;
const first = mkdtempSync(join(tmpdir(), 'rlm-mcp-first-'));
const second = mkdtempSync(join(tmpdir(), 'rlm-mcp-second-'));
const allowed = mkdtempSync(join(tmpdir(), 'rlm-mcp-allowed-'));
const callOptions = {timeout: 300_000, resetTimeoutOnProgress: true};

beforeAll(async () => {
	llm = await startFakeLlmServer();
	llm.setResponder(scripted({root: () => repl('llm_output(context if isinstance(context, str) else " + ".join(sorted(context.values())))')}));
	writeFileSync(join(first, 'a.txt'), 'from the first root');
	writeFileSync(join(second, 'b.txt'), 'from the second root');
	writeFileSync(join(allowed, 'c.txt'), 'from --allow-dir');
});
afterAll(async () => {
	await llm?.close();
});

function runtime(allowDirs: string[] = []) {
	return new McpRuntime({
		rlm: {model: 'fake-model', backend: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'test'},
		logDir: mkdtempSync(join(tmpdir(), 'rlm-mcp-roots-logs-')),
		allowDirs,
		callLimits: {maxIterations: 3, maxDepth: 1},
		lifetime: {},
	});
}

async function connect(shared: McpRuntime, roots?: () => string[]) {
	const client = new Client({name: 'roots-agent', version: '1.0.0'}, roots ? {capabilities: {roots: {listChanged: true}}} : {});
	if (roots) client.setRequestHandler(ListRootsRequestSchema, async () => ({roots: roots().map((dir) => ({uri: pathToFileURL(dir).href}))}));
	const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
	await createMcpServer(shared, 'test').connect(serverSide);
	await client.connect(clientSide);
	return client;
}

const ask = async (client: Client, paths: string[]) => (await client.callTool({name: 'rlm_query', arguments: {question: 'What does it say?', paths}}, CallToolResultSchema, callOptions)) as CallToolResult;
const text = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

describe('rlm_query paths', () => {
	it('a client without roots and a server without --allow-dir: paths are refused, text still works', async () => {
		const shared = runtime();
		const client = await connect(shared);
		const refused = await ask(client, [join(first, 'a.txt')]);
		expect(refused.isError).toBe(true);
		expect(text(refused)).toMatch(/^No folder may be read: the client declared no roots and the server has no --allow-dir/);
		const answered = (await client.callTool({name: 'rlm_query', arguments: {question: 'q', context: 'plain text'}}, CallToolResultSchema, callOptions)) as CallToolResult;
		expect(answered.structuredContent).toMatchObject({status: 'answered', answer: 'plain text'});
		await client.close();
		await shared.close();
	});

	it('reads inside the roots and --allow-dir, follows the roots as they change, and refuses the rest', async () => {
		const shared = runtime([allowed]);
		let roots = [first];
		const client = await connect(shared, () => roots);
		// Relative paths start at the first root.
		expect((await ask(client, ['a.txt', join(allowed, 'c.txt')])).structuredContent).toMatchObject({answer: 'from --allow-dir + from the first root'});
		const outside = await ask(client, [join(second, 'b.txt')]);
		expect(outside.isError).toBe(true);
		expect(text(outside)).toMatch(/outside/);

		roots = [second];
		await client.sendRootsListChanged();
		await expect.poll(async () => (await ask(client, ['b.txt'])).structuredContent?.answer).toBe('from the second root');
		expect((await ask(client, [join(first, 'a.txt')])).isError).toBe(true);
		await client.close();
		await shared.close();
	});

	it('refuses a device inside an allowed folder in one line, and the server goes on', async () => {
		// /dev/zero was read without end (5.5 GB) when --allow-dir /dev let it be named.
		const shared = runtime(['/dev', allowed]);
		const client = await connect(shared);
		const refused = await ask(client, ['/dev/zero']);
		expect(refused.isError).toBe(true);
		expect(text(refused)).toMatch(/Context file \/dev\/zero is a device, not a regular file: give a file/);
		expect((await ask(client, [join(allowed, 'c.txt')])).structuredContent).toMatchObject({answer: 'from --allow-dir'});
		await client.close();
		await shared.close();
	});
});
