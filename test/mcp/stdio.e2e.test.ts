// `rlm-tui mcp` as a coding agent meets it: the built CLI started as a child process on stdio,
// driven by the SDK's own Client, against the fake LLM server and the real sandbox.
import {existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pathToFileURL} from 'node:url';
import {Client} from '@modelcontextprotocol/sdk/client/index.js';
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js';
import {CallToolResultSchema, ListRootsRequestSchema, type CallToolResult, type Progress} from '@modelcontextprotocol/sdk/types.js';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {cleanEnv, cliPath, runCli} from '../support/run-cli.js';

let llm: FakeLlmServer;
let client: Client;
let transport: StdioClientTransport;
let stderr = '';
const root = mkdtempSync(join(tmpdir(), 'rlm-mcp-root-'));
const outside = mkdtempSync(join(tmpdir(), 'rlm-mcp-outside-'));
const logDir = mkdtempSync(join(tmpdir(), 'rlm-mcp-logs-'));
/** A call may run for minutes on a loaded machine; progress resets the client's clock. */
const callOptions = {timeout: 300_000, resetTimeoutOnProgress: true};

beforeAll(async () => {
	llm = await startFakeLlmServer();
	mkdirSync(join(root, 'logs'));
	writeFileSync(join(root, 'logs', 'app.log'), `boot ok\nerror: disk full on /var (code 4217)\nshutdown\n`);
	writeFileSync(join(outside, 'secret.txt'), 'not for agents');
	transport = new StdioClientTransport({
		command: process.execPath,
		args: [cliPath, 'mcp', '-u', llm.openaiBaseURL, '-m', 'fake-model', '--log-dir', logDir, '--total-tokens', '1000000'],
		env: cleanEnv() as Record<string, string>,
		stderr: 'pipe',
	});
	transport.stderr?.on('data', (chunk) => (stderr += String(chunk)));
	client = new Client({name: 'test-agent', version: '1.0.0'}, {capabilities: {roots: {listChanged: true}}});
	client.setRequestHandler(ListRootsRequestSchema, async () => ({roots: [{uri: pathToFileURL(root).href, name: 'project'}]}));
	await client.connect(transport);
});

afterAll(async () => {
	await client?.close();
	await llm?.close();
});

const text = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

describe('rlm-tui mcp on stdio', () => {
	it('lists its tools with their schemas', async () => {
		const {tools} = await client.listTools();
		expect(tools.map((tool) => tool.name).sort()).toEqual(['rlm_query', 'rlm_run', 'rlm_runs']);
		const query = tools.find((tool) => tool.name === 'rlm_query')!;
		expect(query.inputSchema.required).toEqual(['question']);
		expect(Object.keys(query.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['paths', 'context', 'model', 'max_iterations']));
		expect(query.outputSchema?.properties).toHaveProperty('trajectory_file');
		expect(stderr).toContain('rlm-tui mcp: serving on stdio');
	});

	it('answers over a file in the roots, with progress per iteration and sub-call batch, and logs a replayable trajectory', async () => {
		llm.setResponder(
			scripted({
				root: ({turn}) =>
					turn === 0
						? repl('parts = llm_query_batched(["a", "b", "c"])\nprint(len(parts), len(context))')
						: repl('import re\nllm_output("code " + re.search(r"code (\\d+)", context).group(1))'),
				sub: (prompt) => ({text: `seen ${prompt}`}),
			}),
		);
		const progress: Progress[] = [];
		const result = (await client.callTool(
			{name: 'rlm_query', arguments: {question: 'What error code explains the outage?', paths: ['logs/app.log']}},
			CallToolResultSchema,
			{...callOptions, onprogress: (step) => progress.push(step)},
		)) as CallToolResult;
		expect(result.isError).toBeFalsy();
		expect(text(result)).toContain('code 4217');
		const structured = result.structuredContent as Record<string, unknown>;
		expect(structured).toMatchObject({status: 'answered', iterations: 2, answer: 'code 4217'});
		expect((structured.usage as {total_tokens: number}).total_tokens).toBeGreaterThan(0);
		// Iteration 1 starts, its batch of three finishes, iteration 2 starts (heartbeats between
		// them, every 15 s, only on a slow machine).
		const heartbeat = /: (waiting for the model|running its code|\w+ × \d+ running) · /;
		expect(progress.map((step) => step.message).filter((message) => !heartbeat.test(message ?? ''))).toEqual([
			expect.stringMatching(/^iteration 1\/30 · /),
			expect.stringMatching(/^iteration 1\/30: llm_query_batched × 3 done \(3 sub-calls so far\) · \d+ tokens/),
			expect.stringMatching(/^iteration 2\/30 · /),
		]);
		expect(progress.every((step, index) => index === 0 || step.progress > progress[index - 1]!.progress)).toBe(true);
		expect(progress[0]!.total).toBe(30);

		const file = structured.trajectory_file as string;
		expect(file.startsWith(logDir)).toBe(true);
		const replay = await runCli(['--replay', file, '--json']);
		expect(replay.code).toBe(0);
		const replayed = JSON.parse(replay.stdout);
		expect(JSON.stringify(replayed)).toContain('code 4217');
		expect(JSON.stringify(replayed)).toContain('llm_query_batched');
	});

	it('refuses a path outside the roots with a tool error, and reads nothing', async () => {
		const requests = llm.requests.length;
		for (const path of [join(outside, 'secret.txt'), '../' + join(outside.split('/').pop()!, 'secret.txt'), join(outside, 'missing.txt')]) {
			const result = (await client.callTool({name: 'rlm_query', arguments: {question: 'q', paths: [path]}}, CallToolResultSchema, callOptions)) as CallToolResult;
			expect(result.isError).toBe(true);
			expect(text(result)).toMatch(/outside/);
			expect(text(result)).not.toContain('not for agents');
		}
		expect(llm.requests.length).toBe(requests);
	});

	it('lowers asks above its limits, and a call limit ends the run', async () => {
		llm.setResponder(scripted({root: () => repl('print("still looking")')}));
		const result = (await client.callTool(
			{name: 'rlm_query', arguments: {question: 'q', context: 'some text', max_iterations: 2, max_depth: 9}},
			CallToolResultSchema,
			callOptions,
		)) as CallToolResult;
		const structured = result.structuredContent as Record<string, unknown>;
		expect(structured.status).toBe('forced');
		expect(structured.limit).toBe('max_iterations');
		expect(structured.iterations).toBe(2);
		expect(structured.limits).toMatchObject({max_iterations: 2, max_depth: 1});
		expect(structured.notes).toEqual(['max_depth 9 lowered to this server\'s 1.']);
		expect(text(result)).toMatch(/out of iterations \(2\)/);
	});

	it('shows only runs made over MCP: the person\'s own sessions in the same log folder are neither listed nor readable', async () => {
		writeFileSync(join(outside, 'private.txt'), 'private material of the person');
		const made = await runCli(['-b', 'demo', '-p', 'a private question', '-c', join(outside, 'private.txt'), '--json', '--log-dir', logDir]);
		expect(made.code).toBe(0);
		const runId = JSON.parse(made.stdout).runId as string;
		const headless = readdirSync(logDir).find((name) => name.includes('_headless_'))!;
		expect(headless).toBeDefined();
		const seen = (value: unknown) => expect(JSON.stringify(value)).not.toMatch(/private|_headless_/);

		const {resources} = await client.listResources();
		expect(resources.length).toBeGreaterThan(0);
		expect(resources.every((resource) => resource.name.includes('_mcp_'))).toBe(true);
		seen(resources);
		const runs = (await client.callTool({name: 'rlm_runs', arguments: {limit: 200}}, CallToolResultSchema, callOptions)) as CallToolResult;
		expect((runs.structuredContent as {runs: unknown[]}).runs.length).toBeGreaterThan(0);
		seen(runs);
		for (const ref of [headless, runId]) {
			for (const detail of ['summary', 'full']) {
				const shown = (await client.callTool({name: 'rlm_run', arguments: {run: ref, detail}}, CallToolResultSchema, callOptions)) as CallToolResult;
				expect(shown.isError).toBe(true);
				expect(text(shown)).toMatch(/^No MCP run ".+": rlm_run shows the runs made over MCP; give a run_id or a file name from rlm_runs\.$/);
				expect(text(shown)).not.toContain('private material');
			}
		}
		await expect(client.readResource({uri: `rlm-tui://runs/${encodeURIComponent(headless)}`})).rejects.toThrow(/No MCP run ".+_headless_.+"/);
	});

	it('cancellation stops the run: it ends cancelled, with no answer but its partial_answer, logged', async () => {
		llm.setResponder(
			scripted({
				// The second reply never comes: the run is cancelled while it waits for it.
				root: ({turn}) => (turn === 0 ? repl('print("first look done")', 'Partial: the disk filled up.') : {hang: true}),
			}),
		);
		const controller = new AbortController();
		const call = client.callTool({name: 'rlm_query', arguments: {question: 'Why the outage?', context: 'logs'}}, CallToolResultSchema, {
			...callOptions,
			signal: controller.signal,
			onprogress: (step) => {
				if (step.message?.startsWith('iteration 2/')) controller.abort('the agent moved on');
			},
		});
		await expect(call).rejects.toThrow();
		// The run winds down after the client has moved on: rlm_runs shows it ending.
		let newest: Record<string, unknown> | undefined;
		await expect
			.poll(async () => {
				const runs = (await client.callTool({name: 'rlm_runs', arguments: {limit: 1}}, CallToolResultSchema, callOptions)) as CallToolResult;
				newest = (runs.structuredContent as {runs: Array<Record<string, unknown>>}).runs[0];
				return newest?.status;
			})
			.toBe('cancelled');
		expect(newest!.question).toBe('Why the outage?');
		// A cancelled run has no answer; what it had found is its partial_answer: its code's last
		// output (no answer dict was written).
		expect(newest).not.toHaveProperty('answer');
		expect(newest!.partial_answer).toContain('first look done');
		const summary = (await client.callTool({name: 'rlm_run', arguments: {run: newest!.run_id}}, CallToolResultSchema, callOptions)) as CallToolResult;
		expect(summary.structuredContent).not.toHaveProperty('answer');
		expect((summary.structuredContent as {partial_answer: string}).partial_answer).toContain('first look done');
		expect(newest!.iterations).toBe(2);
		const detail = (await client.callTool({name: 'rlm_run', arguments: {run: newest!.run_id, detail: 'full'}}, CallToolResultSchema, callOptions)) as CallToolResult;
		expect(text(detail)).toContain('first look done');
		expect(JSON.parse(text(detail)).runs[0].status).toBe('cancelled');
		expect(existsSync(newest!.trajectory_file as string)).toBe(true);
	});
});
