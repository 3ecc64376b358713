// A backend saved in the app (/backend, in settings.json) keeps its place above the environment,
// through the built CLI and the fake server (which speaks both wire formats): when the environment
// names another server, a headless run says in one stderr line which server it used, why, and how
// to use the other; when nothing conflicts it says nothing.
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeEach, describe, expect, it} from 'vitest';
import type {FakeLlmServer} from '../support/fake-llm-server.js';
import {fakeLlmServerForFile} from '../support/fake-llm-for-file.js';
import {repl, scripted} from '../support/rlm-script.js';
import {cleanEnv, runCli} from '../support/run-cli.js';
import {expectOneLineError} from '../support/one-line-error.js';

const fake = fakeLlmServerForFile();
// A second server on another port: the one OLLAMA_HOST names.
const fakeOllama = fakeLlmServerForFile();
let server: FakeLlmServer;
let ollama: FakeLlmServer;
beforeEach(() => {
	server = fake();
	ollama = fakeOllama();
	for (const each of [server, ollama]) {
		each.requests.length = 0;
		each.setResponder(scripted({root: () => repl('llm_output("answered")')}));
	}
});

/** `127.0.0.1:PORT`, as OLLAMA_HOST is set. */
const hostOf = (each: FakeLlmServer) => new URL(each.openaiBaseURL).host;

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** An environment whose settings.json holds what /backend saved, plus `extra` variables. */
function savedEnv(saved: object, extra: Record<string, string> = {}): {env: NodeJS.ProcessEnv; settingsPath: string} {
	const env = cleanEnv(extra);
	const folder = join(env.XDG_CONFIG_HOME!, 'rlm-tui');
	mkdirSync(folder, {recursive: true});
	const settingsPath = join(folder, 'settings.json');
	writeFileSync(settingsPath, JSON.stringify(saved));
	return {env, settingsPath};
}

describe('a backend saved by /backend, and an environment that names another server', () => {
	it('the saved OpenAI-compatible server still gets the run; one line names it, where it came from, and how to use Anthropic', async () => {
		const {env, settingsPath} = savedEnv({backend: 'openai', baseURLs: {openai: server.openaiBaseURL}}, {ANTHROPIC_BASE_URL: server.anthropicBaseURL, ANTHROPIC_API_KEY: 'sk-ant-not-shown-1234567890'});
		const result = await runCli(['-m', 'claude-x', '-p', 'q'], {env});
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('answered');
		expect(server.requests[0]).toMatchObject({api: 'openai', model: 'claude-x'});
		expectOneLineError(
			result.stderr,
			new RegExp(
				`^rlm-tui: note: this run sends claude-x to openai at ${escaped(server.openaiBaseURL)}, the backend saved by /backend in ${escaped(settingsPath)}, though ANTHROPIC_BASE_URL names ${escaped(server.anthropicBaseURL)}: pass -b anthropic to use that, or /backend anthropic in the app to change the saved one$`,
			),
		);
		expect(result.stderr).not.toContain('sk-ant-not-shown');

		// Doing what the line says reaches the other server, and the line is gone.
		server.requests.length = 0;
		const chosen = await runCli(['-b', 'anthropic', '-m', 'claude-x', '-p', 'q'], {env});
		expect(chosen.stderr).toBe('');
		expect(server.requests[0]).toMatchObject({api: 'anthropic', model: 'claude-x'});
	});

	it('a key beside a model that is clearly its backend\'s counts too, and the fix names the URL when -b alone would not reach it', async () => {
		const anthropicKey = savedEnv({backend: 'openai', baseURLs: {openai: server.openaiBaseURL}}, {ANTHROPIC_API_KEY: 'sk-ant-not-shown-1234567890'});
		const claude = await runCli(['-m', 'claude-x', '-p', 'q'], {env: anthropicKey.env});
		expect(server.requests[0]).toMatchObject({api: 'openai'});
		expectOneLineError(claude.stderr, /though ANTHROPIC_API_KEY and the model claude-x name https:\/\/api\.anthropic\.com: pass -b anthropic to use that/);

		// Saved: Anthropic at a proxy, and an OpenAI URL for the openai backend. OPENAI_API_KEY with gpt-4o names OpenAI itself.
		server.requests.length = 0;
		const openaiKey = savedEnv({backend: 'anthropic', baseURLs: {anthropic: server.anthropicBaseURL, openai: 'http://127.0.0.1:9/v1'}}, {OPENAI_API_KEY: 'sk-not-shown-1234567890'});
		const gpt = await runCli(['-m', 'gpt-4o', '-p', 'q'], {env: openaiKey.env});
		expect(gpt.code).toBe(0);
		expect(server.requests[0]).toMatchObject({api: 'anthropic', model: 'gpt-4o'});
		expectOneLineError(gpt.stderr, /this run sends gpt-4o to anthropic at .*though OPENAI_API_KEY and the model gpt-4o name https:\/\/api\.openai\.com\/v1: pass -b openai -u https:\/\/api\.openai\.com\/v1 to use that, or \/backend openai in the app/);
	});

	it('OPENAI_BASE_URL outranks the URL saved by /backend openai URL (environment > settings file), and says so in one line', async () => {
		const {env, settingsPath} = savedEnv({backend: 'openai', baseURLs: {openai: 'http://127.0.0.1:9/v1'}}, {OPENAI_BASE_URL: server.openaiBaseURL});
		const result = await runCli(['-m', 'm', '-p', 'q'], {env});
		expect(result.stdout.trim()).toBe('answered');
		expect(server.requests[0]).toMatchObject({api: 'openai'});
		expectOneLineError(
			result.stderr,
			new RegExp(`^rlm-tui: note: this run sends m to ${escaped(server.openaiBaseURL)} \\(OPENAI_BASE_URL\\), not to http://127\\.0\\.0\\.1:9/v1, the URL saved by /backend in ${escaped(settingsPath)}: pass -u http://127\\.0\\.0\\.1:9/v1 or unset OPENAI_BASE_URL to use that$`),
		);
		// The same URL in both: nothing to tell.
		server.requests.length = 0;
		const same = await runCli(['-m', 'm', '-p', 'q'], {env: savedEnv({backend: 'openai', baseURLs: {openai: server.openaiBaseURL}}, {OPENAI_BASE_URL: `${server.openaiBaseURL}/`}).env});
		expect(same.stderr).toBe('');
	});

	it('says nothing when nothing conflicts: no such variable, a flag chose, or the model is the saved backend\'s', async () => {
		const saved = {backend: 'openai', baseURLs: {openai: 'http://127.0.0.1:9/v1'}};
		const runs = [
			// Nothing in the environment: the saved server.
			{args: ['-m', 'm', '-p', 'q'], env: savedEnv({backend: 'openai', baseURLs: {openai: server.openaiBaseURL}}).env},
			// -u names the server.
			{args: ['-u', server.openaiBaseURL, '-m', 'claude-x', '-p', 'q'], env: savedEnv(saved, {ANTHROPIC_API_KEY: 'sk-ant-x'}).env},
			// An Anthropic key beside a model that is not Claude names nothing.
			{args: ['-m', 'm', '-p', 'q'], env: savedEnv({backend: 'openai', baseURLs: {openai: server.openaiBaseURL}}, {ANTHROPIC_API_KEY: 'sk-ant-x'}).env},
		];
		for (const {args, env} of runs) {
			server.requests.length = 0;
			const result = await runCli(args, {env});
			expect(result.stderr).toBe('');
			expect(result.stdout.trim()).toBe('answered');
			expect(server.requests[0]).toMatchObject({api: 'openai'});
		}
	});

	it('OLLAMA_HOST is only a fallback for openai: the URL saved by /backend openai URL outranks it, and one line says so', async () => {
		const {env, settingsPath} = savedEnv({backend: 'openai', baseURLs: {openai: server.openaiBaseURL}}, {OLLAMA_HOST: hostOf(ollama)});
		const result = await runCli(['-m', 'fake-model', '-p', 'q'], {env});
		expect(result.stdout.trim()).toBe('answered');
		expect(server.requests[0]).toMatchObject({api: 'openai', model: 'fake-model'});
		expect(ollama.requests).toHaveLength(0);
		expectOneLineError(
			result.stderr,
			new RegExp(`^rlm-tui: note: this run sends fake-model to ${escaped(server.openaiBaseURL)}, the URL saved by /backend openai in ${escaped(settingsPath)}, though OLLAMA_HOST names ${escaped(ollama.openaiBaseURL)} \\(a saved URL outranks it\\): pass -u ${escaped(ollama.openaiBaseURL)} to use that$`),
		);

		// The same with -b openai: the saved URL still decides, and still says so.
		const flagged = await runCli(['-b', 'openai', '-m', 'fake-model', '-p', 'q'], {env});
		expectOneLineError(flagged.stderr, /the URL saved by \/backend openai in .*though OLLAMA_HOST names/);

		// Doing what the line says reaches the other server, and the line is gone.
		server.requests.length = 0;
		const chosen = await runCli(['-u', ollama.openaiBaseURL, '-m', 'fake-model', '-p', 'q'], {env});
		expect(chosen.stderr).toBe('');
		expect(ollama.requests[0]).toMatchObject({api: 'openai', model: 'fake-model'});
		expect(server.requests).toHaveLength(0);
	});

	it('OLLAMA_HOST is the ollama backend\'s own URL: it outranks the URL saved by /backend ollama URL, as OPENAI_BASE_URL does for openai, and says so', async () => {
		const {env, settingsPath} = savedEnv({backend: 'ollama', baseURLs: {ollama: server.openaiBaseURL}}, {OLLAMA_HOST: hostOf(ollama)});
		const result = await runCli(['-m', 'fake-model', '-p', 'q'], {env});
		expect(result.stdout.trim()).toBe('answered');
		expect(ollama.requests[0]).toMatchObject({api: 'openai', model: 'fake-model'});
		expect(server.requests).toHaveLength(0);
		expectOneLineError(
			result.stderr,
			new RegExp(`^rlm-tui: note: this run sends fake-model to ${escaped(ollama.openaiBaseURL)} \\(OLLAMA_HOST\\), not to ${escaped(server.openaiBaseURL)}, the URL saved by /backend in ${escaped(settingsPath)}: pass -u ${escaped(server.openaiBaseURL)} or unset OLLAMA_HOST to use that$`),
		);
		// OLLAMA_HOST naming the saved server: nothing to tell.
		const same = await runCli(['-m', 'fake-model', '-p', 'q'], {env: savedEnv({backend: 'ollama', baseURLs: {ollama: ollama.openaiBaseURL}}, {OLLAMA_HOST: hostOf(ollama)}).env});
		expect(same.stderr).toBe('');
	});
});
