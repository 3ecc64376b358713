// The demo model is self-contained: a sub-call server saved by a real session (/set sub-url,
// /set sub-backend, with its sub-model) does not take a demo session's sub-calls; --sub-url or
// --sub-backend given on this command line does. Any way into the demo counts: -b demo,
// RLM_BACKEND=demo, a saved demo backend, /backend demo in the app.
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {backendTarget, resolveConfig} from '../../source/settings/resolve.js';
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

describe('backendTarget: /backend to and from the demo', () => {
	const launch = (flags: Parameters<typeof resolveConfig>[0], settings: Settings) => resolveConfig(flags, {}, settings);

	it('from a real backend to the demo: the saved sub server is left; back again: it takes the sub-calls again', () => {
		const settings = saved();
		const launched = launch({backend: 'openai', backendUrl: 'http://127.0.0.1:7/v1', model: 'm'}, settings);
		expect(launched.subBaseURL).toBe(SAVED_SUB);
		const toDemo = backendTarget('demo', {launched, stored: settings, env: {}});
		expect([toDemo.subBackend, toDemo.subBaseURL, toDemo.subApiKey]).toEqual([undefined, undefined, undefined]);
		const back = backendTarget('openai', {launched, stored: settings, env: {}});
		expect(back.subBaseURL).toBe(SAVED_SUB);
	});

	it('a demo launch switched to a real backend: the saved sub server applies there', () => {
		const settings = saved({backend: 'demo'});
		const launched = launch({}, settings);
		expect(launched.subBaseURL).toBeUndefined();
		expect(backendTarget('anthropic', {launched, stored: settings, env: {ANTHROPIC_API_KEY: 'k'}}).subBaseURL).toBe(SAVED_SUB);
	});

	it('--sub-url at launch holds for the session, the demo included', () => {
		const settings = saved();
		const launched = launch({backend: 'openai', backendUrl: 'http://127.0.0.1:7/v1', model: 'm', subUrl: 'http://127.0.0.1:8/v1'}, settings);
		expect(backendTarget('demo', {launched, stored: settings, env: {}}).subBaseURL).toBe('http://127.0.0.1:8/v1');
		// Switched to that very server as the root: sub-calls stay on the root.
		expect(backendTarget('openai', {launched, stored: settings, env: {}, url: 'http://127.0.0.1:8/v1'}).subBaseURL).toBeUndefined();
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
