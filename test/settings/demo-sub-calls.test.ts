// The demo model is self-contained: a sub-call server saved by a real session (/set sub-url,
// /set sub-backend, with its sub-model) does not take a demo session's sub-calls; --sub-url or
// --sub-backend given on this command line does. Any way into the demo counts: -b demo,
// RLM_BACKEND=demo, a saved demo backend.
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {resolveConfig} from '../../source/settings/resolve.js';
import {DEFAULT_SETTINGS, type Settings} from '../../source/settings/schema.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {subRequests} from '../support/rlm-script.js';
import {cleanEnv, runCli} from '../support/run-cli.js';

const SAVED_SUB = 'http://127.0.0.1:9/v1';
const saved = (more: Partial<Settings> = {}): Settings => ({...DEFAULT_SETTINGS, subBaseURL: SAVED_SUB, subModel: 'saved-sub', ...more});

describe('resolveConfig: saved sub-call settings under the demo model', () => {
	it.each([
		['-b demo', {backend: 'demo'}, {}, saved()],
		['RLM_BACKEND=demo', {}, {RLM_BACKEND: 'demo'}, saved()],
		['the saved demo backend', {}, {}, saved({backend: 'demo'})],
		['a saved sub-backend', {backend: 'demo'}, {}, saved({subBackend: 'anthropic', subBaseURL: undefined})],
	] as const)('%s: sub-calls stay on the demo model, with no saved sub-model', (_how, flags, env, settings) => {
		const config = resolveConfig(flags, env, settings);
		expect(config.backend).toBe('demo');
		expect(config.subBackend).toBeUndefined();
		expect(config.subBaseURL).toBeUndefined();
		expect(config.subApiKey).toBeUndefined();
		expect(config.subModel).toBeUndefined();
	});

	it('--sub-url or --sub-backend given now takes them elsewhere, as on any backend', () => {
		const url = resolveConfig({backend: 'demo', subUrl: 'http://127.0.0.1:8/v1'}, {}, saved());
		expect(url.subBaseURL).toBe('http://127.0.0.1:8/v1');
		const named = resolveConfig({backend: 'demo', subBackend: 'anthropic'}, {ANTHROPIC_API_KEY: 'k'}, saved());
		expect(named.subBackend).toBe('anthropic');
		expect(named.subApiKey).toBe('k');
	});

	it('a real backend still takes the saved sub-url and sub-model', () => {
		const config = resolveConfig({backend: 'openai', backendUrl: 'http://127.0.0.1:7/v1', model: 'm'}, {}, saved());
		expect(config.subBaseURL).toBe(SAVED_SUB);
		expect(config.subModel).toBe('saved-sub');
	});
});

describe('a demo run with a saved sub-url (the command line)', () => {
	let sub: FakeLlmServer;
	beforeAll(async () => {
		sub = await startFakeLlmServer({models: ['saved-sub']});
		sub.setResponder(() => ({text: 'from the saved sub server'}));
	});
	afterAll(async () => {
		await sub?.close();
	});

	const settingsFile = (env: NodeJS.ProcessEnv, settings: Record<string, unknown>) => {
		mkdirSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui'), {recursive: true});
		writeFileSync(join(env.XDG_CONFIG_HOME!, 'rlm-tui', 'settings.json'), JSON.stringify(settings));
	};

	it('sends nothing to the saved server; the demo sub-model answers', async () => {
		const env = cleanEnv();
		settingsFile(env, {subBaseURL: sub.openaiBaseURL, subModel: 'saved-sub'});
		sub.requests.length = 0;
		const result = await runCli(['-b', 'demo', '-c', '-', '-p', 'count the words'], {env, input: 'one two three four'});
		expect(result.code, result.stderr).toBe(0);
		expect(sub.requests).toEqual([]);
		expect(result.stdout).toContain('Demo sub-model:');
	});

	it('--sub-url on this command line sends the demo\'s sub-calls there', async () => {
		const env = cleanEnv();
		settingsFile(env, {subModel: 'saved-sub'});
		sub.requests.length = 0;
		const result = await runCli(['-b', 'demo', '--sub-url', sub.openaiBaseURL, '-c', '-', '-p', 'count the words'], {env, input: 'one two three four'});
		expect(result.code, result.stderr).toBe(0);
		expect(subRequests(sub.requests).length).toBeGreaterThan(0);
		expect(result.stdout).toContain('from the saved sub server');
	});
});
