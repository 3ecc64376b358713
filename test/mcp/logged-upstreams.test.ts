// A logged run read back for an MCP client names none of the servers it logged (its root's and its
// sub-calls'), even when this process runs with other ones (the transport's filter knows only
// those): a real Rlm logs a run whose sub-calls go to an unreachable --sub-url.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {fullTrajectory, loggedSummary, readLoggedRun} from '../../source/mcp/run-log.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {fakeRepls} from '../support/fake-repl.js';

let server: FakeLlmServer;
beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await server?.close();
});

it('hides the root and sub-call servers a logged run names, in its summary and its full trajectory', async () => {
	const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-mcp-logged-'));
	const subURL = 'http://127.0.0.1:9/v1';
	server.setResponder(scripted({root: () => repl('ask')}));
	const rlm = new Rlm({
		model: 'root-model',
		backend: 'openai',
		baseURL: server.openaiBaseURL,
		apiKey: 'k',
		subBaseURL: subURL,
		subModel: 'sub-model',
		maxIterations: 2,
		logDir,
		origin: 'mcp',
		replFactory: fakeRepls({blocks: {ask: async ({llm_query, llm_output}) => llm_output(await llm_query('hi'))}}),
	});
	try {
		await rlm.completion('q', {context: 'c'});
	} finally {
		await rlm.dispose();
	}
	const file = rlm.logFiles.at(-1)!;
	const raw = fs.readFileSync(file, 'utf8');
	const rootHost = new URL(server.openaiBaseURL).host;
	// The file keeps both for the operator.
	expect(raw).toContain(rootHost);
	expect(raw).toContain('127.0.0.1:9');
	const run = readLoggedRun(file);
	const shown = JSON.stringify([loggedSummary(file, run), fullTrajectory(run)]);
	expect(shown).toContain('the upstream server');
	expect(shown).not.toContain(rootHost);
	expect(shown).not.toContain('127.0.0.1:9/');
	fs.rmSync(logDir, {recursive: true, force: true});
});
