// --resume without -b/-u/-m continues on the session's own backend, URL and model (not the
// defaults), and a turn that failed before any model reply is resumed as a turn without an answer
// but does not choose the backend.
// The built CLI, the fake LLM server and the real sandbox.
import {mkdtempSync, readdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted} from '../support/rlm-script.js';
import {runCli} from '../support/run-cli.js';

let llm: FakeLlmServer;
beforeAll(async () => {
	llm = await startFakeLlmServer({models: ['root-model']});
});
afterAll(async () => {
	await llm?.close();
});

describe('--resume and the session backend', () => {
	it('continues on the logged backend, URL and model of the last turn that reached a model; a turn that never did comes back unanswered', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-resume-backend-'));
		llm.setResponder(scripted({root: () => repl('x = 41\nllm_output("stored")')}));
		const first = await runCli(['-u', llm.openaiBaseURL, '-m', 'root-model', '--log-dir', logDir, '-p', 'store it']);
		expect(first.stdout.trim()).toBe('stored');

		// A resumed turn sent to a server that is not there: it fails before any model reply.
		const failed = await runCli(['--resume', '-u', 'http://127.0.0.1:9/v1', '-m', 'root-model', '--log-dir', logDir, '-p', 'fails']);
		expect(failed.code).not.toBe(0);
		expect(failed.stderr).toContain('resumed 1 turn(s)');
		expect(readdirSync(logDir)).toHaveLength(2);

		llm.setResponder(scripted({root: () => repl('llm_output(str(x + 1))')}));
		llm.requests.length = 0;
		const resumed = await runCli(['--resume', '--log-dir', logDir, '-p', 'use it']);
		expect(resumed.stderr).toContain(`resuming on the session's backend: openai at ${llm.openaiBaseURL}, model root-model`);
		expect(resumed.stderr).toContain('resumed 2 turn(s) of the session of');
		expect(resumed.stderr).toContain('(last asked: "fails")');
		expect(resumed.stderr).toContain('rlm-tui: turn 2 "fails" has no answer: it failed');
		expect(resumed.code).toBe(0);
		expect(resumed.stdout.trim()).toBe('42');
		// The model is told of the one answered turn, and of the question that got no answer.
		const told = rootRequests(llm.requests)[0]!.messages.find((message) => message.role === 'user')!.content;
		expect(told).toContain('This chat has 2 earlier turn(s). 1 was answered');
		expect(told).toContain('1 ended without an answer (cancelled, failed or cut short)');
		expect(told).toContain('You have 3 contexts available');
		expect(rootRequests(llm.requests).map((request) => request.model)).toEqual(['root-model']);
	});

	it('a flag still chooses: -m wins over the logged model', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-resume-backend-'));
		llm.setResponder(scripted({root: () => repl('llm_output("one")')}));
		expect((await runCli(['-u', llm.openaiBaseURL, '-m', 'root-model', '--log-dir', logDir, '-p', 'q'])).code).toBe(0);
		llm.requests.length = 0;
		const again = await runCli(['--resume', '-u', llm.openaiBaseURL, '-m', 'other-model', '--log-dir', logDir, '-p', 'q2']);
		expect(again.stderr).not.toContain("session's backend");
		expect(rootRequests(llm.requests).map((request) => request.model)).toEqual(['other-model']);
	});

	it('says to pass the URL again when the logged one lost its credentials or query', async () => {
		const logDir = mkdtempSync(join(tmpdir(), 'rlm-resume-backend-'));
		llm.setResponder(scripted({root: () => repl('llm_output("one")')}));
		const withQuery = `${llm.openaiBaseURL}?api_key=sk-secret-in-url-123456`;
		expect((await runCli(['-u', withQuery, '-m', 'root-model', '--log-dir', logDir, '-p', 'q'])).code).toBe(0);
		const again = await runCli(['--resume', '--log-dir', logDir, '-p', 'q2']);
		expect(again.stderr).toContain(`the resumed session used openai at ${llm.openaiBaseURL}, model root-model`);
		expect(again.stderr).toContain('pass it again with -u URL');
		expect(again.stderr).not.toContain('sk-secret-in-url');
	});
});
