// --sub-backend / --sub-url: llm_query and child RLMs on another server, with that server's own
// key; the tree and the costs say which backend answered each call.
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import type {RlmEvent} from '../../source/protocol/events.js';
import {emptyTrajectory, getNode, nodeCount, reduceTrajectory, type CallNode} from '../../source/trajectory/tree.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, rootRequests, scripted, subRequests} from '../support/rlm-script.js';
import {cleanEnv, runCli} from '../support/run-cli.js';

let hosted: FakeLlmServer;
let local: FakeLlmServer;
beforeAll(async () => {
	hosted = await startFakeLlmServer({models: ['big-model']});
	local = await startFakeLlmServer({models: ['small-model', 'other-small']});
});
afterAll(async () => {
	await hosted?.close();
	await local?.close();
});

describe('a sub-model on another backend', () => {
	it('headless: the root on one server, llm_query on the --sub-url server with its own key, the exec log splits the tokens', async () => {
		hosted.requests.length = 0;
		local.requests.length = 0;
		hosted.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('r = llm_query_batched(["a", "b"])\nprint(r)') : repl('llm_output("|".join(r))'))}));
		local.setResponder(scripted({root: () => ({text: 'wrong: a root call reached the sub server'}), sub: (prompt) => ({text: `local says ${prompt}`, usage: {inputTokens: 11, outputTokens: 3}})}));
		const env = cleanEnv({OPENAI_API_KEY: 'root-key', RLM_SUB_API_KEY: 'sub-key'});
		const result = await runCli(['-u', hosted.openaiBaseURL, '-m', 'big-model', '--sub-url', local.openaiBaseURL, '--sub-model', 'small-model', '-e', '-p', 'q'], {env});
		expect(result.code).toBe(0);
		expect(result.stdout.trim()).toBe('local says a|local says b');
		expect(subRequests(hosted.requests)).toHaveLength(0);
		expect(rootRequests(local.requests)).toHaveLength(0);
		expect(subRequests(local.requests).map((r) => r.model)).toEqual(['small-model', 'small-model']);
		// Each server got its own key: the hosted key never went to the local server.
		expect(local.requests.every((r) => r.headers.authorization === 'Bearer sub-key')).toBe(true);
		expect(hosted.requests.every((r) => r.headers.authorization === 'Bearer root-key')).toBe(true);
		const hostedHost = new URL(hosted.url).host;
		const localHost = new URL(local.url).host;
		expect(result.stderr).toContain(`by backend: openai@${hostedHost}`);
		expect(result.stderr).toMatch(new RegExp(`openai@${localHost.replace(/[.]/g, '\\.')} 22 in / 6 out`));
	});

	it('library: child RLMs and their own sub-calls run on the sub backend, and the tree rows say so', async () => {
		hosted.requests.length = 0;
		local.requests.length = 0;
		hosted.setResponder(scripted({root: () => repl('llm_output(rlm_query("child task"))')}));
		local.setResponder(
			scripted({
				root: ({turn}) => (turn === 0 ? repl('x = llm_query("leaf")\nprint(x)') : repl('llm_output("child: " + x)')),
				sub: () => ({text: 'leaf answer'}),
			}),
		);
		const rlm = new Rlm({
			model: 'big-model',
			backend: 'openai',
			baseURL: hosted.openaiBaseURL,
			apiKey: 'root-key',
			subBackend: 'anthropic',
			subBaseURL: local.anthropicBaseURL,
			subApiKey: 'sub-key',
			subModel: 'small-model',
			maxDepth: 2,
			maxIterations: 4,
			logDir: false,
		});
		const events: RlmEvent[] = [];
		rlm.on('event', (event) => events.push(event));
		try {
			const result = await rlm.completion('q', {context: 'ctx'});
			expect(result.response).toBe('child: leaf answer');
			expect(rootRequests(hosted.requests)).toHaveLength(1);
			// The child's root calls and its llm_query went to the Anthropic-speaking sub server.
			expect(local.requests.every((r) => r.api === 'anthropic')).toBe(true);
			expect(rootRequests(local.requests).length).toBe(2);
			expect(subRequests(local.requests).map((r) => r.model)).toEqual(['small-model']);
			let tree = emptyTrajectory();
			for (const event of events) tree = reduceTrajectory(tree, event);
			const runs = events.filter((e): e is Extract<RlmEvent, {type: 'run.start'}> => e.type === 'run.start');
			expect(runs.map((run) => run.backend)).toEqual(['openai', 'anthropic']);
			const calls = [...Array(nodeCount(tree)).keys()].map((id) => getNode(tree, id)).filter((node): node is CallNode => node?.kind === 'call');
			// The root's rlm_query is answered elsewhere (marked); the child's llm_query is on its own run's backend.
			expect(calls.map((call) => [call.fn, call.backend])).toEqual([
				['rlm_query', 'anthropic'],
				['llm_query', undefined],
			]);
			expect(Object.keys(tree.usageByBackend).sort()).toEqual(['anthropic', 'openai']);
		} finally {
			await rlm.dispose();
		}
	});

	it('--sub-url without --sub-model: the root model goes there (not a saved sub-model), and the exec log says where the name came from', async () => {
		hosted.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('r = llm_query("a")\nprint(r)') : repl('llm_output(r)'))}));
		local.setResponder(scripted({root: () => ({text: 'wrong: a root call reached the sub server'}), sub: (prompt) => ({text: `local says ${prompt}`})}));
		const env = cleanEnv({OPENAI_API_KEY: 'root-key'});
		// A sub-model saved earlier for the root's server (/set sub-model): not the one to send elsewhere.
		mkdirSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui'), {recursive: true});
		writeFileSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui', 'settings.json'), JSON.stringify({subModel: 'saved-sub'}));
		local.requests.length = 0;
		const elsewhere = await runCli(['-u', hosted.openaiBaseURL, '-m', 'big-model', '--sub-url', local.openaiBaseURL, '-e', '-p', 'q'], {env});
		expect(elsewhere.code).toBe(0);
		expect(subRequests(local.requests).map((r) => r.model)).toEqual(['big-model']);
		expect(elsewhere.stderr).toContain(`! Sub-calls: big-model on openai@${new URL(local.url).host} (the root model, as no sub-model is set).`);
		// On the root's own server the saved sub-model holds, and the log names the settings file.
		hosted.requests.length = 0;
		const saved = await runCli(['-u', hosted.openaiBaseURL, '-m', 'big-model', '-e', '-p', 'q'], {env});
		expect(saved.code).toBe(0);
		expect(subRequests(hosted.requests).map((r) => r.model)).toEqual(['saved-sub']);
		expect(saved.stderr).toContain('! Sub-calls: saved-sub (the settings file).');
		// --sub-model given now: used, and nothing more to say about it.
		local.requests.length = 0;
		const named = await runCli(['-u', hosted.openaiBaseURL, '-m', 'big-model', '--sub-url', local.openaiBaseURL, '--sub-model', 'small-model', '-e', '-p', 'q'], {env});
		expect(subRequests(local.requests).map((r) => r.model)).toEqual(['small-model']);
		expect(named.stderr).toContain('! Sub-calls: small-model on openai@');
		expect(named.stderr).toContain('(--sub-model).');
	});

	it('a bad --sub-backend or --sub-url is one line', async () => {
		const bad = await runCli(['--sub-backend', 'nope', '-b', 'demo', '-p', 'q']);
		expect(bad.code).toBe(2);
		expect(bad.stderr.trim()).toMatch(/^rlm-tui: Unknown backend "nope" \(--sub-backend\)/);
		const url = await runCli(['--sub-url', 'not a url', '-b', 'demo', '-p', 'q']);
		expect(url.code).toBe(2);
		expect(url.stderr.trim()).toMatch(/^rlm-tui: Invalid --sub-url "not a url"/);
	});
});
