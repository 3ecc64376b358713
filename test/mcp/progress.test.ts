// Progress while a model reply takes long: heartbeats keep a client's progress-reset timeout from
// firing, and every notification stays above the one before (the spec requires it). The SDK's
// Client over its in-memory transport, the fake LLM server and the real sandbox.
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {InMemoryTransport} from '@modelcontextprotocol/sdk/inMemory.js';
import {CallToolResultSchema, type CallToolResult, type Progress} from '@modelcontextprotocol/sdk/types.js';
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

it('a slow reply gets heartbeats; the progress values only go up, across heartbeats and batches', async () => {
	const shared = new McpRuntime({
		rlm: {model: 'fake-model', backend: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'test'},
		logDir: mkdtempSync(join(tmpdir(), 'rlm-mcp-progress-logs-')),
		allowDirs: [],
		callLimits: {maxIterations: 5, maxDepth: 1},
		lifetime: {},
		heartbeatMs: 20,
	});
	const progress: Progress[] = [];
	let sawHeartbeat!: () => void;
	const heartbeat = new Promise<void>((resolve) => (sawHeartbeat = resolve));
	// Each reply comes only once a heartbeat has been seen during the wait for it.
	const heartbeatsSeen = () => progress.filter((step) => step.message?.includes('waiting for the model')).length;
	llm.setResponder(
		scripted({
			root: async ({turn}) => {
				const before = heartbeatsSeen();
				await expect.poll(heartbeatsSeen).toBeGreaterThan(before);
				sawHeartbeat();
				return turn === 0 ? repl('print(llm_query_batched(["a", "b"]))') : repl('llm_output("done")');
			},
		}),
	);
	const client = new Client({name: 'progress-agent', version: '1.0.0'});
	const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
	await createMcpServer(shared, 'test').connect(serverSide);
	await client.connect(clientSide);
	const result = (await client.callTool({name: 'rlm_query', arguments: {question: 'q', context: 'c'}}, CallToolResultSchema, {
		timeout: 300_000,
		onprogress: (step) => progress.push(step),
	})) as CallToolResult;
	await heartbeat;
	expect(result.structuredContent).toMatchObject({status: 'answered', answer: 'done', iterations: 2});
	expect(progress.map((step) => step.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^iteration 1\/5: waiting for the model · /), expect.stringMatching(/^iteration 2\/5: waiting for the model · /)]));
	expect(progress.some((step) => /^iteration 1\/5: llm_query_batched × 2 done/.test(step.message ?? ''))).toBe(true);
	for (let index = 1; index < progress.length; index++) expect(progress[index]!.progress).toBeGreaterThan(progress[index - 1]!.progress);
	expect(progress.every((step) => step.progress < 3)).toBe(true);
	await client.close();
	await shared.close();
});
