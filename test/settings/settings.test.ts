import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {DEFAULT_MODELS, parseSettings, settingsSchema} from '../../source/settings/schema.js';
import {openSettings} from '../../source/settings/store.js';
import {ConfigError, resolveConfig} from '../../source/settings/resolve.js';

let dir: string;
beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-settings-'));
});
afterEach(() => {
	fs.rmSync(dir, {recursive: true, force: true});
});

describe('settings schema', () => {
	it('fills defaults and drops unknown keys', () => {
		expect(parseSettings({})).toEqual({
			backend: 'openai',
			models: {},
			baseURLs: {},
			maxIterations: 30,
			maxDepth: 1,
			timeoutSeconds: 30,
			theme: 'dark',
		});
		const parsed = parseSettings({backend: 'demo', bogus: 1, apiKey: 'sk-x', models: {openai: 'llama3', x: 'y'}});
		expect(parsed.backend).toBe('demo');
		expect(parsed.models).toEqual({openai: 'llama3'});
		expect(parsed).not.toHaveProperty('bogus');
		expect(parsed).not.toHaveProperty('apiKey');
	});

	it('keeps a temperature only when the user chose one (the 0.7 older versions wrote is the default)', () => {
		expect(parseSettings({temperature: 0.3}).temperature).toBe(0.3);
		expect(parseSettings({temperature: 0.7})).not.toHaveProperty('temperature');
		expect(resolveConfig({}, {}, parseSettings({temperature: 0.7}))).not.toHaveProperty('temperature');
		expect(resolveConfig({temperature: 0.7}, {}, parseSettings({})).temperature).toBe(0.7);
	});

	it('falls back per field when a value is invalid', () => {
		const parsed = parseSettings({
			backend: 'nope',
			temperature: 9,
			maxIterations: 0,
			maxDepth: 'two',
			timeoutSeconds: -1,
			theme: 'blue',
			models: 'x',
			baseURLs: {openai: 'not a url', anthropic: 'https://example.com'},
			subModel: 'small',
		});
		expect(parsed.temperature).toBeUndefined();
		expect(parsed).toMatchObject({
			backend: 'openai',
			maxIterations: 30,
			maxDepth: 1,
			timeoutSeconds: 30,
			theme: 'dark',
			models: {},
			baseURLs: {anthropic: 'https://example.com'},
			subModel: 'small',
		});
		expect(parseSettings(null).backend).toBe('openai');
		expect(parseSettings([1, 2]).maxDepth).toBe(1);
		expect(settingsSchema.safeParse({temperature: 'x'}).success).toBe(true);
	});
});

describe('settings store', () => {
	it('persists across opens, never writes keys, notifies subscribers', () => {
		const store = openSettings({cwd: dir});
		expect(store.path).toBe(path.join(dir, 'settings.json'));
		expect(store.notice).toBeUndefined();
		let calls = 0;
		const off = store.subscribe(() => calls++);
		store.save({backend: 'anthropic', models: {anthropic: 'claude-x'}});
		store.save({models: {openai: 'qwen'}, apiKey: 'sk-secret'} as never);
		off();
		store.save({temperature: 0.1});
		expect(calls).toBe(2);
		const text = fs.readFileSync(store.path, 'utf8');
		expect(text).not.toContain('sk-secret');
		expect(text).not.toMatch(/apiKey/i);
		const again = openSettings({cwd: dir});
		expect(again.get()).toMatchObject({
			backend: 'anthropic',
			models: {anthropic: 'claude-x', openai: 'qwen'},
			temperature: 0.1,
		});
	});

	it('strips key-like fields already present in the file on the next save', () => {
		fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({backend: 'demo', openaiApiKey: 'sk-1', token: 't'}));
		const store = openSettings({cwd: dir});
		expect(store.get().backend).toBe('demo');
		store.save({theme: 'light'});
		const text = fs.readFileSync(store.path, 'utf8');
		expect(text).not.toContain('sk-1');
		expect(JSON.parse(text)).toMatchObject({backend: 'demo', theme: 'light'});
	});

	it('moves a corrupt file aside with a notice instead of throwing', () => {
		const file = path.join(dir, 'settings.json');
		fs.writeFileSync(file, '{"backend": "demo",,, oops');
		const store = openSettings({cwd: dir});
		expect(store.notice).toMatch(/moved it to .*settings\.json\.corrupt-/);
		expect(store.get().backend).toBe('openai');
		const aside = fs.readdirSync(dir).filter(name => name.startsWith('settings.json.corrupt-'));
		expect(aside).toHaveLength(1);
		expect(fs.readFileSync(path.join(dir, aside[0]!), 'utf8')).toContain('oops');
		store.save({backend: 'demo'});
		expect(openSettings({cwd: dir}).get().backend).toBe('demo');
	});

	it('treats a non-object JSON file as corrupt', () => {
		fs.writeFileSync(path.join(dir, 'settings.json'), '[1,2,3]');
		const store = openSettings({cwd: dir});
		expect(store.notice).toMatch(/not a JSON object/);
		expect(store.get().maxIterations).toBe(30);
	});

	it('keeps invalid fields from breaking valid ones in the file', () => {
		fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({maxIterations: -4, maxDepth: 3}));
		const store = openSettings({cwd: dir});
		expect(store.notice).toBeUndefined();
		expect(store.get()).toMatchObject({maxIterations: 30, maxDepth: 3});
	});

	it('honours XDG_CONFIG_HOME when no cwd is given', () => {
		const saved = process.env.XDG_CONFIG_HOME;
		process.env.XDG_CONFIG_HOME = dir;
		try {
			const store = openSettings();
			if (process.platform === 'linux') expect(store.path).toBe(path.join(dir, 'rlm-tui', 'settings.json'));
			store.save({maxDepth: 2});
			expect(fs.existsSync(store.path)).toBe(true);
		} finally {
			if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
			else process.env.XDG_CONFIG_HOME = saved;
		}
	});
});

describe('resolveConfig', () => {
	const settings = parseSettings({});

	it('uses defaults', () => {
		expect(resolveConfig({}, {}, settings)).toEqual({
			backend: 'openai',
			model: DEFAULT_MODELS.openai,
			baseURL: 'http://localhost:11434/v1',
			maxIterations: 30,
			maxDepth: 1,
			timeoutSeconds: 30,
		});
	});

	it('applies flags > env > settings > defaults', () => {
		const stored = parseSettings({
			backend: 'anthropic',
			models: {anthropic: 'claude-stored', openai: 'stored-openai'},
			baseURLs: {openai: 'http://stored:1/v1'},
			temperature: 0.3,
		});
		expect(resolveConfig({}, {}, stored)).toMatchObject({
			backend: 'anthropic',
			model: 'claude-stored',
			baseURL: 'https://api.anthropic.com',
		});
		const env = {RLM_BACKEND: 'openai', OPENAI_BASE_URL: 'http://env:2/v1', OPENAI_API_KEY: 'sk-env', ANTHROPIC_API_KEY: 'ak'};
		expect(resolveConfig({}, env, stored)).toMatchObject({
			backend: 'openai',
			model: 'stored-openai',
			baseURL: 'http://env:2/v1',
			apiKey: 'sk-env',
			temperature: 0.3,
		});
		expect(resolveConfig({model: 'm', backendUrl: 'http://flag:3/v1', backendKey: 'sk-flag', temperature: 1.5}, {...env, RLM_MODEL: 'envmodel'}, stored)).toMatchObject({
			model: 'm',
			baseURL: 'http://flag:3/v1',
			apiKey: 'sk-flag',
			temperature: 1.5,
		});
		expect(resolveConfig({}, {...env, RLM_MODEL: 'envmodel'}, stored).model).toBe('envmodel');
		expect(resolveConfig({backend: 'anthropic'}, env, stored)).toMatchObject({backend: 'anthropic', apiKey: 'ak'});
	});

	it('gives the demo backend no URL or key', () => {
		const config = resolveConfig({backend: 'demo', backendUrl: 'http://x', backendKey: 'k'}, {OPENAI_API_KEY: 'x'}, settings);
		expect(config).toMatchObject({backend: 'demo', model: 'demo'});
		expect(config.baseURL).toBeUndefined();
		expect(config.apiKey).toBeUndefined();
	});

	it('throws one-line ConfigErrors for bad input', () => {
		const bad: Array<[Parameters<typeof resolveConfig>[0], RegExp]> = [
			[{backend: 'ollama'}, /Unknown backend "ollama"/],
			[{temperature: 3}, /temperature/],
			[{temperature: Number.NaN}, /temperature/],
			[{maxIterations: 0}, /iterations/],
			[{maxIterations: 1.5}, /iterations/],
			[{maxDepth: 0}, /depth/],
			[{timeout: 0}, /timeout/],
			[{backendUrl: 'not a url'}, /backend-url/],
		];
		for (const [flags, message] of bad) {
			let error: unknown;
			try {
				resolveConfig(flags, {}, settings);
			} catch (caught) {
				error = caught;
			}
			expect(error).toBeInstanceOf(ConfigError);
			expect((error as Error).message).toMatch(message);
			expect((error as Error).message).not.toContain('\n');
		}
		expect(() => resolveConfig({}, {RLM_BACKEND: 'x'}, settings)).toThrow(/RLM_BACKEND/);
	});
});

describe('two instances', () => {
	it('a save merges into what the other instance wrote meanwhile', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-settings-two-'));
		const a = openSettings({cwd: dir});
		const b = openSettings({cwd: dir});
		a.save({models: {demo: 'aaa'}});
		b.save({backend: 'demo'});
		const after = openSettings({cwd: dir}).get();
		expect(after.backend).toBe('demo');
		expect(after.models.demo).toBe('aaa');
		fs.rmSync(dir, {recursive: true, force: true});
	});
});
