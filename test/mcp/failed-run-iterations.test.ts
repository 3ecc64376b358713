// A failed run's iterations, as rlm_query returns them and as rlm_runs and rlm_run list the run:
// one count (the iterations whose request went out, the failed one included), from the run's
// tree. The SDK's Client over its in-memory transport, the fake LLM server and the real sandbox.
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
});
afterAll(async () => {
	await llm?.close();
});

it.each([
	['its first model call', 0, 1],
	['its second model call, after a block ran', 1, 2],
])('a run that fails at %s: rlm_query, rlm_runs and rlm_run say the same iterations', async (_when, failingTurn, iterations) => {
	const runtime = new McpRuntime({
		rlm: {model: 'fake-model', backend: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'test'},
		logDir: mkdtempSync(join(tmpdir(), 'rlm-mcp-failed-logs-')),
		allowDirs: [],
		callLimits: {maxIterations: 5, maxDepth: 1},
		lifetime: {},
	});
	llm.setResponder(scripted({root: ({turn}) => (turn < failingTurn ? repl('print(len(context))') : {status: 400, message: 'This model does not exist.'})}));
	const client = new Client({name: 'count-agent', version: '1.0.0'});
	const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
	await createMcpServer(runtime, 'test').connect(serverSide);
	await client.connect(clientSide);
	try {
		const call = (name: string, args: Record<string, unknown>) => client.callTool({name, arguments: args}, CallToolResultSchema, {timeout: 120_000}) as Promise<CallToolResult>;
		const query = await call('rlm_query', {question: 'q', context: 'c'});
		expect(query.structuredContent).toMatchObject({status: 'failed', iterations});
		const {run_id: runId} = query.structuredContent as {run_id: string};
		const runs = (await call('rlm_runs', {})).structuredContent as {runs: Array<{run_id: string; iterations: number}>};
		expect(runs.runs.find((run) => run.run_id === runId)).toMatchObject({iterations});
		expect((await call('rlm_run', {run: runId})).structuredContent).toMatchObject({run_id: runId, iterations});
	} finally {
		await client.close();
		await runtime.close();
	}
});
