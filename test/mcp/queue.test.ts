// A rlm_query call cancelled while it waits for a run slot leaves the queue at once: it rejects
// straight away and its place goes to the next call, not refused as "too many". The real runtime,
// the fake LLM server and the real sandbox.
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {McpRuntime} from '../../source/mcp/runtime.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests} from '../support/rlm-script.js';

let llm: FakeLlmServer;
beforeAll(async () => {
	llm = await startFakeLlmServer();
});
afterAll(async () => {
	await llm?.close();
});

it('a call cancelled in the queue rejects at once and frees its place while the running call goes on', async () => {
	let release!: () => void;
	const gate = new Promise<void>((resolve) => {
		release = resolve;
	});
	llm.setResponder(async () => {
		await gate;
		return repl('answer["content"] = "done"\nanswer["ready"] = True');
	});
	const runtime = new McpRuntime({
		rlm: {model: 'fake-model', backend: 'openai', baseURL: llm.openaiBaseURL, apiKey: 'test'},
		logDir: mkdtempSync(join(tmpdir(), 'rlm-mcp-queue-logs-')),
		allowDirs: [],
		callLimits: {maxIterations: 3, maxDepth: 1},
		lifetime: {},
		maxConcurrent: 1,
		maxQueued: 1,
	});
	const call = (signal = new AbortController().signal) => ({folders: async () => [], signal});
	try {
		const running = runtime.query({question: 'first', context: 'c', limits: {}}, call());
		await expect.poll(() => rootRequests(llm.requests).length, {timeout: 20_000}).toBe(1);

		const cancel = new AbortController();
		const waiting = runtime.query({question: 'second', context: 'c', limits: {}}, call(cancel.signal));
		cancel.abort(new Error('the client cancelled'));
		// The running call still holds the gate: the cancelled one does not wait for its slot.
		await expect(waiting).rejects.toThrow('the client cancelled');

		// Its place is free: a third call queues instead of being refused.
		const third = runtime.query({question: 'third', context: 'c', limits: {}}, call());
		release();
		expect((await running).result).toMatchObject({status: 'answered', response: 'done'});
		expect((await third).result).toMatchObject({status: 'answered', response: 'done'});
		// The cancelled call never reached the model.
		expect(rootRequests(llm.requests).map((request) => JSON.stringify(request.messages)).filter((text) => text.includes('second'))).toEqual([]);
	} finally {
		release();
		await runtime.close();
	}
});
