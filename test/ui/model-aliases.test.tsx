// /model lists the backend's short model names (sonnet, 4o, ...) beside the server's models. The
// UI gets them from the engine (Rlm.modelAliases, from backends/model-aliases.ts; on a server other
// than the provider's own, only those whose model the server lists), never from a
// backend: the real Rlm against the fake OpenAI-compatible server, and a scripted engine for the
// filtering and picking.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {Rlm} from '../../source/engine/rlm.js';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {asRlm, KEYS, renderApp, ScriptedRlm, type Harness} from './harness.js';

let dir: string;
let settings: SettingsStore;
let h: Harness | undefined;
let rlm: Rlm | undefined;
let server: FakeLlmServer | undefined;

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ui-aliases-'));
	settings = openSettings({cwd: path.join(dir, 'config')});
});

afterEach(async () => {
	h?.unmount();
	h = undefined;
	await rlm?.dispose();
	rlm = undefined;
	await server?.close();
	server = undefined;
	fs.rmSync(dir, {recursive: true, force: true});
});

describe('the engine names the aliases of the backend in use', () => {
	it('anthropic: sonnet, opus, haiku; openai: 4o and the rest; demo: none', async () => {
		const of = async (backend: 'anthropic' | 'openai' | 'demo') => {
			const engine = new Rlm({backend, model: 'm', apiKey: 'k', logDir: false});
			try {
				return engine.modelAliases();
			} finally {
				await engine.dispose();
			}
		};
		expect(Object.keys(await of('anthropic'))).toEqual(expect.arrayContaining(['sonnet', 'opus', 'haiku']));
		expect(await of('demo')).toEqual({});
	});

	it("on the provider's own server all of them; on any other, only those whose model the server lists", async () => {
		const of = async (backend: 'anthropic' | 'openai', baseURL: string, listed?: string[]) => {
			const engine = new Rlm({backend, model: 'm', apiKey: 'k', baseURL, logDir: false});
			try {
				return engine.modelAliases(listed);
			} finally {
				await engine.dispose();
			}
		};
		expect((await of('openai', 'https://api.openai.com/v1'))['4o']).toBe('gpt-4o');
		expect(Object.keys(await of('anthropic', 'https://api.anthropic.com'))).toEqual(expect.arrayContaining(['sonnet', 'opus', 'haiku']));
		// A local server: its list decides (a dated snapshot counts); with no list, none.
		expect(await of('openai', 'http://127.0.0.1:1234/v1', ['qwen3-8b', 'gpt-4o-2024-08-06', 'gpt-4.1-mini'])).toEqual({'4o': 'gpt-4o', '4.1-mini': 'gpt-4.1-mini'});
		expect(await of('openai', 'http://127.0.0.1:1234/v1', ['qwen3-8b'])).toEqual({});
		expect(await of('openai', 'http://127.0.0.1:1234/v1')).toEqual({});
		// An Anthropic-compatible proxy, the same.
		expect(await of('anthropic', 'http://127.0.0.1:4000', ['claude-haiku-5-5'])).toEqual({haiku: 'claude-haiku-5-5'});
	});
});

describe('/model with aliases', () => {
	it("lists the server's models and the aliases of models it lists, not OpenAI's others (real engine, fake server)", async () => {
		server = await startFakeLlmServer({models: ['fake-model', 'gpt-4o']});
		const config = resolveConfig({backend: 'openai', backendUrl: server.openaiBaseURL, model: 'fake-model'}, {}, settings.get());
		rlm = new Rlm({model: config.model, backend: 'openai', baseURL: config.baseURL!, apiKey: 'test-key', logDir: false});
		h = renderApp({rlm, config, settings, cwd: dir, columns: 140, rows: 40, skipStartup: true});
		h.write('/model\r');
		const frame = await h.waitForFrame((f) => f.includes('Model · openai') && f.includes('fake-model (current)') && f.includes('(alias)'));
		expect(frame).toContain('4o → gpt-4o (alias)');
		// This local server has no gpt-4.1-mini: picking 4.1-mini would send a model it does not have.
		expect(frame).not.toContain('4.1-mini');
		expect(frame).not.toContain('gpt5');
		h.write(KEYS.esc);
	});

	it('filters aliases by name or model id, and picking one sets its model id', async () => {
		const engine = new ScriptedRlm({model: 'claude-haiku-5-5', backend: 'anthropic'});
		engine.models = ['claude-haiku-5-5', 'claude-opus-5-5'];
		engine.aliases = {sonnet: 'claude-sonnet-5-5', opus: 'claude-opus-5-5', haiku: 'claude-haiku-5-5'};
		h = renderApp({rlm: asRlm(engine), config: resolveConfig({backend: 'anthropic', model: 'claude-haiku-5-5'}, {}, settings.get()), settings, cwd: dir, columns: 140, rows: 40, skipStartup: true});
		h.write('/model\r');
		let frame = await h.waitForFrame((f) => f.includes('Model · anthropic') && f.includes('sonnet → claude-sonnet-5-5 (alias)'));
		expect(frame).toContain('5 of 5');
		// The alias of the current model is marked current too.
		expect(frame).toMatch(/haiku → claude-haiku-5-5 \(alias\) \(current\)/);
		h.write('sonnet');
		frame = await h.waitForFrame((f) => f.includes('filter › sonnet') && f.includes('1 of 5'));
		expect(frame).not.toContain('claude-opus-5-5 ');
		expect(frame).not.toContain('(use this name)');
		h.write(KEYS.enter);
		await h.waitForFrame((f) => f.includes('Model: claude-sonnet-5-5'));
		expect(engine.configured).toContainEqual({model: 'claude-sonnet-5-5'});
		// By the model id: "opus-5" finds the listed model and its alias.
		h.write('/model\r');
		await h.waitForFrame((f) => f.includes('Model · anthropic') && f.includes('(alias)'));
		h.write('opus-5');
		frame = await h.waitForFrame((f) => f.includes('filter › opus-5') && f.includes('2 of 5'));
		expect(frame).toContain('opus → claude-opus-5-5 (alias)');
		h.write(KEYS.esc);
	});
});
