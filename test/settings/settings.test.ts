import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {DEFAULT_KIND_MODELS as DEFAULT_MODELS} from '../../source/protocol/backends.js';
import {parseSettings, parseSettingsFile, SETTINGS_FILE_VERSION, settingsSchema} from '../../source/settings/schema.js';
import {openSettings} from '../../source/settings/store.js';
import {readSettingsFile, settingsFilePath} from '../../source/settings/settings-file.js';
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
		// Run settings are absent until chosen: their defaults apply where they are read (resolve.ts).
		expect(parseSettings({})).toEqual({
			models: {},
			baseURLs: {},
			headers: {},
			theme: 'dark',
		});
		expect(resolveConfig({}, {}, parseSettings({}))).toMatchObject({maxIterations: 30, maxDepth: 1, timeoutSeconds: 30});
		const parsed = parseSettings({backend: 'demo', bogus: 1, apiKey: 'sk-x', models: {openai: 'llama3', x: 'y'}});
		expect(parsed.backend).toBe('demo');
		expect(parsed.models).toEqual({openai: 'llama3'});
		expect(parsed).not.toHaveProperty('bogus');
		expect(parsed).not.toHaveProperty('apiKey');
	});

	it('keeps a temperature only when the user chose one (the 0.7 versions before the file\'s version wrote is the default)', () => {
		expect(parseSettingsFile({temperature: 0.3}).temperature).toBe(0.3);
		expect(parseSettingsFile({temperature: 0.7})).not.toHaveProperty('temperature');
		expect(resolveConfig({}, {}, parseSettingsFile({temperature: 0.7}))).not.toHaveProperty('temperature');
		expect(parseSettingsFile({temperature: 0.7, version: SETTINGS_FILE_VERSION}).temperature).toBe(0.7);
		// So do the iterations, depth and timeout they wrote at their defaults; another value is the user's.
		expect(parseSettingsFile({maxIterations: 30, maxDepth: 1, timeoutSeconds: 30})).not.toHaveProperty('maxDepth');
		expect(parseSettingsFile({maxIterations: 30, maxDepth: 1, timeoutSeconds: 30})).not.toHaveProperty('maxIterations');
		expect(parseSettingsFile({maxDepth: 2}).maxDepth).toBe(2);
		expect(parseSettingsFile({maxIterations: 30, maxDepth: 1, timeoutSeconds: 30, version: SETTINGS_FILE_VERSION})).toMatchObject({maxIterations: 30, maxDepth: 1, timeoutSeconds: 30});
		expect(resolveConfig({}, {}, parseSettingsFile({temperature: 0.7, version: SETTINGS_FILE_VERSION})).temperature).toBe(0.7);
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
		expect(parsed.backend).toBeUndefined();
		expect(parsed.maxIterations ?? parsed.maxDepth ?? parsed.timeoutSeconds).toBeUndefined();
		expect(parsed).toMatchObject({
			theme: 'dark',
			models: {},
			baseURLs: {anthropic: 'https://example.com'},
			subModel: 'small',
		});
		expect(parseSettings(null).backend).toBeUndefined();
		expect(parseSettings([1, 2])).toEqual(parseSettings({}));
		expect(settingsSchema.safeParse({temperature: 'x'}).success).toBe(true);
	});
});

describe('settings store', () => {
	it('never writes a value that looks like a secret, under any key (belt and braces behind the commands)', () => {
		const store = openSettings({cwd: dir});
		const github = 'ghp_abcdefABCDEF1234567890abcdefABCDEF12';
		const openai = 'sk-proj-ABCDEFGHIJKLMNOPQRSTUV123456';
		store.save({
			instructions: `token ${github} here`,
			subModel: openai,
			models: {openai, anthropic: 'claude-x'},
			allowModels: ['gpt-4o', openai],
			headers: {openai: {'X-Trace': `Bearer ${openai}`, 'X-Team': 'blue'}},
			subBaseURL: 'http://me:hunter2@gateway.example/v1',
		});
		const text = fs.readFileSync(store.path, 'utf8');
		expect(text).not.toMatch(/ghp_abc|sk-proj-ABC|hunter2/);
		expect(openSettings({cwd: dir}).get()).toMatchObject({models: {anthropic: 'claude-x'}, allowModels: ['gpt-4o'], headers: {openai: {'X-Team': 'blue'}}});
		expect(openSettings({cwd: dir}).get().instructions).toBeUndefined();
	});

	it('writes a model id holding C1 controls or bidi characters escaped (cat settings.json stays inert), and reads it back exactly', () => {
		const store = openSettings({cwd: dir});
		const id = 'evil\u009b31m\u202eledom\u200b';
		store.save({models: {openai: id}});
		const text = fs.readFileSync(store.path, 'utf8');
		expect(text).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u200b]/);
		expect(text).toContain('evil\\u009b31m\\u202eledom\\u200b');
		expect(openSettings({cwd: dir}).get().models.openai).toBe(id);
	});

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

	it('keeps token counts (maxTokens, the run-wide cap) while it strips tokens that are secrets', () => {
		fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({maxTokens: 200_000, accessToken: 'at-1', github_token: 'gt-1'}));
		const store = openSettings({cwd: dir});
		expect(store.get().maxTokens).toBe(200_000);
		store.save({maxTokens: 150_000});
		const text = fs.readFileSync(store.path, 'utf8');
		expect(JSON.parse(text)).toMatchObject({maxTokens: 150_000});
		expect(text).not.toMatch(/at-1|gt-1/);
		expect(openSettings({cwd: dir}).get().maxTokens).toBe(150_000);
	});

	it('moves a corrupt file aside with a notice instead of throwing', () => {
		const file = path.join(dir, 'settings.json');
		fs.writeFileSync(file, '{"backend": "demo",,, oops');
		const store = openSettings({cwd: dir});
		expect(store.notice).toMatch(/moved it to .*settings\.json\.corrupt-/);
		expect(store.get().backend).toBeUndefined();
		const aside = fs.readdirSync(dir).filter(name => name.startsWith('settings.json.corrupt-'));
		expect(aside).toHaveLength(1);
		expect(fs.readFileSync(path.join(dir, aside[0]!), 'utf8')).toContain('oops');
		store.save({backend: 'demo'});
		expect(openSettings({cwd: dir}).get().backend).toBe('demo');
	});

	it('reads a file that starts with a byte order mark (Windows editors write one) and writes it back as plain JSON', () => {
		const file = path.join(dir, 'settings.json');
		fs.writeFileSync(file, '\uFEFF' + JSON.stringify({maxDepth: 3, theme: 'light'}, null, 2), 'utf8');
		const store = openSettings({cwd: dir});
		expect(store.notice).toBeUndefined();
		expect(store.get()).toMatchObject({maxDepth: 3, theme: 'light'});
		expect(fs.readdirSync(dir).filter(name => name.includes('corrupt'))).toEqual([]);
		expect(store.save({maxIterations: 12})).toBeNull();
		const text = fs.readFileSync(file, 'utf8');
		expect(JSON.parse(text)).toMatchObject({maxDepth: 3, theme: 'light', maxIterations: 12});
		expect(fs.statSync(file).mode & 0o777).toBe(0o600);
	});

	it('reads UTF-16 files (Windows PowerShell 5 writes them) and merges a save into what the file holds now', () => {
		const file = path.join(dir, 'settings.json');
		const store = openSettings({cwd: dir});
		// Edited by hand while the session runs: UTF-16LE with its mark, then big-endian.
		fs.writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify({maxDepth: 4}), 'utf16le')]));
		expect(openSettings({cwd: dir}).get().maxDepth).toBe(4);
		expect(store.save({theme: 'light'})).toBeNull();
		expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({maxDepth: 4, theme: 'light'});
		const bigEndian = Buffer.from(JSON.stringify({maxDepth: 5}), 'utf16le').swap16();
		fs.writeFileSync(file, Buffer.concat([Buffer.from([0xfe, 0xff]), bigEndian]));
		expect(openSettings({cwd: dir}).get().maxDepth).toBe(5);
		expect(store.save({maxIterations: 9})).toBeNull();
		expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({maxDepth: 5, maxIterations: 9});
	});

	it('treats a non-object JSON file as corrupt', () => {
		fs.writeFileSync(path.join(dir, 'settings.json'), '[1,2,3]');
		const store = openSettings({cwd: dir});
		expect(store.notice).toMatch(/not a JSON object/);
		expect(store.get().maxIterations).toBeUndefined();
		expect(resolveConfig({}, {}, store.get()).maxIterations).toBe(30);
	});

	it('keeps invalid fields from breaking valid ones in the file', () => {
		fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({maxIterations: -4, maxDepth: 3}));
		const store = openSettings({cwd: dir});
		expect(store.notice).toBe(`Settings file ${store.path}: "maxIterations": -4 is not a whole number from 1 to 10000. It was ignored and the default is used.`);
		expect(store.get()).toMatchObject({maxDepth: 3});
		expect(resolveConfig({}, {}, store.get()).maxIterations).toBe(30);
	});

	it('names an ignored value without a secret it holds (a URL\'s credentials, a key)', () => {
		const file = {
			subBaseURL: 'http://alice:hunter2-secret@[bad/v1',
			subModel: `${'x'.repeat(50)} sk-proj-abcdefghijklmnop1234 ${'y'.repeat(500)}`,
		};
		fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(file));
		const notice = openSettings({cwd: dir}).notice!;
		expect(notice).toContain('"subBaseURL": "http://[redacted]@[bad/v1" is not a URL');
		expect(notice).toMatch(/"subModel": "x{50} \[redacte… is not text/);
		expect(notice).not.toMatch(/hunter2|sk-proj|abcdefgh/);
	});

	it('names every value out of range or of the wrong type it ignores, in one line, and goes on with the defaults', () => {
		const file = {
			keepWarmMinutes: 500,
			requestTimeoutSeconds: 400,
			maxDepth: 'deep',
			theme: 'blue',
			compaction: 'yes',
			maxTokens: 0,
			models: {openai: ''},
			subBaseURL: 'not a url',
			maxIterations: 12,
			subModel: null,
		};
		fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(file));
		const store = openSettings({cwd: dir});
		const notice = store.notice!;
		expect(notice).not.toContain('\n');
		expect(notice.startsWith(`Settings file ${store.path}: `)).toBe(true);
		for (const phrase of [
			'"keepWarmMinutes": 500 is not a whole number from 0 to',
			'"requestTimeoutSeconds": 400 is not a number above 0, at most 300',
			'"maxDepth": "deep" is not a whole number from 1 to 100',
			'"theme": "blue" is not one of "dark", "light"',
			'"compaction": "yes" is not true or false',
			'"maxTokens": 0 is not a whole number at least 1',
			'"models.openai": "" is not text of 1 to 500 characters',
			'"subBaseURL": "not a url" is not a URL',
		])
			expect(notice).toContain(phrase);
		expect(notice).toMatch(/They were ignored and the defaults are used\.$/);
		// A valid value and a null (not set) are not named; the run goes on with the defaults.
		expect(notice).not.toMatch(/maxIterations|subModel/);
		const settings = store.get();
		expect(settings).toMatchObject({maxIterations: 12, theme: 'dark', models: {}});
		expect(settings.maxDepth).toBeUndefined();
		expect(resolveConfig({}, {}, settings).maxDepth).toBe(1);
		expect(settings.keepWarmMinutes).toBeUndefined();
		expect(settings.requestTimeoutSeconds).toBeUndefined();
	});

	it('says nothing of a file whose values are all accepted', () => {
		fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({maxIterations: 12, keepWarmMinutes: 5, requestTimeoutSeconds: 300, backend: 'demo', models: {openai: 'qwen'}, allowModels: ['a']}));
		expect(openSettings({cwd: dir}).notice).toBeUndefined();
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

describe('reading the settings file without conf (every mode but the app)', () => {
	it('finds the file where the conf store keeps it and reads what it saved', () => {
		const store = openSettings({cwd: dir});
		store.save({backend: 'demo', models: {demo: 'demo'}, maxIterations: 12});
		const read = readSettingsFile({cwd: dir});
		expect(read.path).toBe(store.path);
		expect(settingsFilePath({cwd: dir})).toBe(store.path);
		expect(read).toMatchObject({writable: true, settings: store.get()});
		expect(read.notice).toBeUndefined();
	});

	it('makes the config directory when there is no file yet, as conf does, and writes no file', () => {
		const config = path.join(dir, 'nested', 'rlm-tui');
		const read = readSettingsFile({cwd: config});
		expect(fs.statSync(config).isDirectory()).toBe(true);
		expect(fs.readdirSync(config)).toEqual([]);
		expect(read.settings).toEqual(openSettings({cwd: path.join(dir, 'other')}).get());
	});

	it('gives the defaults, one line and no writes when the file cannot be read', () => {
		fs.mkdirSync(path.join(dir, 'settings.json'));
		const read = readSettingsFile({cwd: dir});
		expect(read.writable).toBe(false);
		expect(read.notice).toMatch(/^Settings file \S+settings\.json is a folder, not a file; using defaults for this session \(changes made in the app, with \/set, \/model or \/backend, are not saved\)\.$/);
		const store = openSettings({cwd: dir});
		expect(store.save({maxDepth: 2})).toBe(`${path.join(dir, 'settings.json')} could not be opened at the start, so it is not written`);
		expect(store.get().maxDepth).toBe(2);
		expect(fs.statSync(path.join(dir, 'settings.json')).isDirectory()).toBe(true);
	});

	it('writes the first save through conf on the file it read', () => {
		fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({backend: 'demo'}));
		const store = openSettings({cwd: dir});
		fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({backend: 'demo', theme: 'light'}));
		store.save({maxDepth: 2});
		expect(JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8'))).toMatchObject({backend: 'demo', theme: 'light', maxDepth: 2});
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
			limits: {},
		});
	});

	it('takes the run-wide limits from flags over the settings file, and drops bad entries in the file', () => {
		const stored = parseSettings({maxBudget: 2, maxTimeout: 600, maxTokens: 50_000, maxErrors: 3, maxSubCalls: 40, allowModels: ['gpt-4o-mini'], bogus: 1});
		expect(resolveConfig({}, {}, stored).limits).toEqual({maxBudget: 2, maxTimeout: 600, maxTokens: 50_000, maxErrors: 3, maxSubCalls: 40, allowModels: ['gpt-4o-mini']});
		expect(resolveConfig({maxBudget: 0.5, maxSubCalls: 0, allowModels: ['a,b', ' c ']}, {}, stored).limits).toEqual({
			maxBudget: 0.5,
			maxTimeout: 600,
			maxTokens: 50_000,
			maxErrors: 3,
			maxSubCalls: 0,
			allowModels: ['a', 'b', 'c'],
		});
		// A hand-edited file with nonsense keeps the app running: the bad entries are no limit.
		const broken = parseSettings({maxBudget: -1, maxTimeout: 'soon', maxTokens: 1.5, maxErrors: 0, maxSubCalls: -2, allowModels: 'gpt-4o'});
		expect(resolveConfig({}, {}, broken).limits).toEqual({});
		expect(() => resolveConfig({maxTokens: 0}, {}, settings)).toThrow(/^Invalid --max-tokens 0: expected a whole number of tokens of at least 1\.$/);
		expect(() => resolveConfig({maxTimeout: 40 * 86_400}, {}, settings)).toThrow(/Invalid --max-timeout/);
	});

	it('takes the memory limit from --memory-limit over the settings file; out of range in the file is the default, from a flag one line naming it', () => {
		expect(resolveConfig({}, {}, settings).memoryLimitMb).toBeUndefined();
		const stored = parseSettings({memoryLimitMb: 2048});
		expect(resolveConfig({}, {}, stored)).toMatchObject({memoryLimitMb: 2048});
		expect(resolveConfig({memoryLimit: 512}, {}, stored)).toMatchObject({memoryLimitMb: 512, fromFlags: ['memoryLimitMb']});
		for (const bad of [100, 8192, 300.5, 'lots']) expect(parseSettings({memoryLimitMb: bad}).memoryLimitMb).toBeUndefined();
		expect(() => resolveConfig({memoryLimit: 255}, {}, stored)).toThrow(/^Invalid --memory-limit 255: expected a whole number of MB from 256 to 4096 \(the REPL's Wasm heap ends at 4 GiB\)\.$/);
		expect(() => resolveConfig({memoryLimit: 4097}, {}, stored)).toThrow(ConfigError);
		expect(resolveConfig({memoryLimit: 4096}, {}, settings).memoryLimitMb).toBe(4096);
		expect(resolveConfig({memoryLimit: 256}, {}, settings).memoryLimitMb).toBe(256);
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

	it('a saved demo backend gives way to a URL or model given now (flags, RLM_MODEL), as no saved backend would', () => {
		const saved = parseSettings({backend: 'demo'});
		expect(resolveConfig({}, {}, saved)).toMatchObject({backend: 'demo'});
		expect(resolveConfig({backendUrl: 'http://127.0.0.1:9/v1', model: 'fake-a'}, {}, saved)).toMatchObject({backend: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'fake-a'});
		expect(resolveConfig({model: 'claude-sonnet-4-5'}, {}, saved)).toMatchObject({backend: 'anthropic', model: 'claude-sonnet-4-5'});
		expect(resolveConfig({}, {RLM_MODEL: 'gpt-4o'}, saved)).toMatchObject({backend: 'openai', model: 'gpt-4o'});
		// Another saved backend takes the URL given now, as the README says.
		expect(resolveConfig({backendUrl: 'http://127.0.0.1:9'}, {}, parseSettings({backend: 'anthropic'}))).toMatchObject({backend: 'anthropic', baseURL: 'http://127.0.0.1:9'});
	});

	it('gives the demo backend no URL or key', () => {
		const config = resolveConfig({backend: 'demo', backendUrl: 'http://x', backendKey: 'k'}, {OPENAI_API_KEY: 'x'}, settings);
		expect(config).toMatchObject({backend: 'demo', model: 'demo'});
		expect(config.baseURL).toBeUndefined();
		expect(config.apiKey).toBeUndefined();
	});

	it('throws one-line ConfigErrors for bad input', () => {
		const bad: Array<[Parameters<typeof resolveConfig>[0], RegExp]> = [
			[{backend: 'olama'}, /Unknown backend "olama" \(--backend\): use one of openai, anthropic, demo, ollama, lmstudio/],
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

describe('which server, when the user named none', () => {
	const none = parseSettings({});

	it('only OPENAI_API_KEY and an OpenAI model: OpenAI itself, not a refused connection to Ollama', () => {
		expect(resolveConfig({model: 'gpt-4o'}, {OPENAI_API_KEY: 'sk-x'}, none)).toMatchObject({backend: 'openai', baseURL: 'https://api.openai.com/v1', apiKey: 'sk-x', model: 'gpt-4o'});
		expect(resolveConfig({model: '4o'}, {OPENAI_API_KEY: 'sk-x'}, none)).toMatchObject({baseURL: 'https://api.openai.com/v1', model: 'gpt-4o'});
		// A key in the shell does not send local models (or no model at all) away from Ollama.
		expect(resolveConfig({}, {OPENAI_API_KEY: 'sk-x'}, none)).toMatchObject({backend: 'openai', baseURL: 'http://localhost:11434/v1'});
		expect(resolveConfig({model: 'gpt-oss:20b'}, {OPENAI_API_KEY: 'sk-x'}, none).baseURL).toBe('http://localhost:11434/v1');
	});

	it('only ANTHROPIC_API_KEY and no other choice: Anthropic', () => {
		expect(resolveConfig({}, {ANTHROPIC_API_KEY: 'ak'}, none)).toMatchObject({backend: 'anthropic', model: 'claude-sonnet-5-5', apiKey: 'ak', baseURL: 'https://api.anthropic.com'});
		// Any other choice wins: an OpenAI key, a model, a URL, a saved backend.
		expect(resolveConfig({}, {ANTHROPIC_API_KEY: 'ak', OPENAI_API_KEY: 'sk'}, none).backend).toBe('openai');
		expect(resolveConfig({model: 'qwen3:8b'}, {ANTHROPIC_API_KEY: 'ak'}, none).backend).toBe('openai');
		expect(resolveConfig({backendUrl: 'http://box:8000/v1'}, {ANTHROPIC_API_KEY: 'ak'}, none).backend).toBe('openai');
		expect(resolveConfig({}, {ANTHROPIC_API_KEY: 'ak'}, parseSettings({backend: 'demo'})).backend).toBe('demo');
	});

	it('a Claude model (or an Anthropic alias) means Anthropic', () => {
		expect(resolveConfig({model: 'claude-haiku-4-5'}, {}, none).backend).toBe('anthropic');
		expect(resolveConfig({model: 'sonnet'}, {}, none)).toMatchObject({backend: 'anthropic', model: expect.stringMatching(/^claude-sonnet/)});
	});

	it('OLLAMA_HOST moves the default server', () => {
		expect(resolveConfig({}, {OLLAMA_HOST: '0.0.0.0:11435'}, none).baseURL).toBe('http://127.0.0.1:11435/v1');
		expect(resolveConfig({backend: 'ollama'}, {OLLAMA_HOST: 'gpu-box'}, none)).toMatchObject({backend: 'ollama', baseURL: 'http://gpu-box:11434/v1', model: 'cogito:14b'});
		// A URL the user saved wins over it.
		expect(resolveConfig({}, {OLLAMA_HOST: 'gpu-box'}, parseSettings({baseURLs: {openai: 'http://saved:1/v1'}})).baseURL).toBe('http://saved:1/v1');
	});

	it('a preset brings its URL, its key variable and its model; a local one without a model uses the server’s first', () => {
		expect(resolveConfig({backend: 'groq'}, {GROQ_API_KEY: 'gsk', OPENAI_API_KEY: 'sk'}, none)).toMatchObject({
			backend: 'groq',
			baseURL: 'https://api.groq.com/openai/v1',
			apiKey: 'gsk',
			model: 'llama-3.3-70b-versatile',
		});
		expect(resolveConfig({backend: 'groq'}, {OPENAI_API_KEY: 'sk'}, none).apiKey).toBeUndefined();
		expect(resolveConfig({backend: 'vllm'}, {}, none)).toMatchObject({backend: 'vllm', baseURL: 'http://localhost:8000/v1', model: ''});
		expect(resolveConfig({backend: 'LMStudio'}, {}, parseSettings({models: {lmstudio: 'qwen2.5-7b-instruct'}})).model).toBe('qwen2.5-7b-instruct');
	});
});

describe('headers', () => {
	it('merges the saved headers of the backend with --header flags', () => {
		const stored = parseSettings({headers: {openai: {'X-Portkey-Provider': 'openai', 'X-Team': 'a'}, groq: {'X-Other': '1'}}});
		expect(resolveConfig({header: ['X-Team: b', 'X-Trace:  t 1 ']}, {}, stored).headers).toEqual({'X-Portkey-Provider': 'openai', 'X-Team': 'b', 'X-Trace': 't 1'});
		expect(resolveConfig({backend: 'demo'}, {}, stored).headers).toBeUndefined();
	});

	it('refuses a malformed --header with one line', () => {
		expect(() => resolveConfig({header: ['no colon here']}, {}, parseSettings({}))).toThrow(/^Invalid --header "no colon here": expected 'Name: value'/);
		expect(() => resolveConfig({header: ['Bad Name: x']}, {}, parseSettings({}))).toThrow(ConfigError);
	});

	it.each([
		['without its colon', 'Authorization Bearer sk-live-123', /^Invalid --header "Authorization \[redacted\]": expected 'Name: value'/],
		['a key header without its colon', 'x-api-key plainkey-4f9c2e7a1b', /^Invalid --header "x-api-key \[redacted\]": expected 'Name: value'/],
		['a lone key', 'sk-live-123', /^Invalid --header "\[redacted\]": expected 'Name: value'/],
		['a value on two lines', 'Proxy-Authorization: Basic sk-live-123\r\nX-Evil: 1', /^Invalid --header "Proxy-Authorization: \[redacted\]": a header's value must be one line/],
		['a cookie with a line break', 'Cookie: session=plainkey-4f9c2e7a1b\n', /^Invalid --header "Cookie: \[redacted\]": a header's value must be one line/],
	])('a malformed secret header (%s) is refused without its value', (_, text, message) => {
		let thrown: unknown;
		try {
			resolveConfig({header: [text]}, {}, parseSettings({}));
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(ConfigError);
		expect((thrown as Error).message).toMatch(message);
		expect((thrown as Error).message).not.toMatch(/sk-live|plainkey/);
		expect((thrown as Error).message).not.toContain('\n');
	});

	it('never keeps a secret header in the settings file', () => {
		const store = openSettings({cwd: dir});
		store.save({headers: {openai: {Authorization: 'Bearer sk-secret', 'x-api-key': 'k', 'X-Portkey-Api-Key': 'pk', 'X-Portkey-Provider': 'openai', Cookie: 'session=c00kie', 'X-Auth': 'xauth-value', 'X-Session-Token': 'tok-value'}}});
		const text = fs.readFileSync(store.path, 'utf8');
		expect(text).not.toMatch(/sk-secret|"k"|"pk"|c00kie|xauth-value|tok-value/);
		expect(openSettings({cwd: dir}).get().headers).toEqual({openai: {'X-Portkey-Provider': 'openai'}});
	});

	it('says once, in one line, which secret fields and headers of a hand-edited file it ignores, never their values', () => {
		const key = 'sk-proj-handEditedKey1234567890';
		const file = {backend: 'openai', apiKey: key, headers: {openai: {Authorization: `Bearer ${key}`, Cookie: 'session=c00kie', 'X-Portkey-Provider': 'openai'}}};
		fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(file));
		const store = openSettings({cwd: dir});
		expect(store.notice).toBe(
			`Settings file ${store.path}: "apiKey", "headers.openai.Authorization", "headers.openai.Cookie" were ignored, as settings never hold a secret: give a key with -k @FILE or its environment variable, a secret header with --header.`,
		);
		expect(store.notice).not.toMatch(/handEdited|c00kie/);
		expect(store.get().headers).toEqual({openai: {'X-Portkey-Provider': 'openai'}});
		// The next save leaves them out of the file, without a second word.
		expect(store.save({theme: 'light'})).toBeNull();
		expect(fs.readFileSync(store.path, 'utf8')).not.toMatch(/handEdited|c00kie|Authorization/);
		expect(openSettings({cwd: dir}).notice).toBeUndefined();
	});

	it('names an ignored secret header beside the values it ignores, in one line', () => {
		fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({maxIterations: -4, headers: {groq: {'X-Api-Key': 'gateway-secret'}}}));
		const notice = openSettings({cwd: dir}).notice!;
		expect(notice).toMatch(/^Settings file \S+: "headers\.groq\.X-Api-Key" was ignored, as settings never hold a secret: .+ Settings file \S+: "maxIterations": -4 is not a whole number/);
		expect(notice).not.toMatch(/gateway-secret|\n/);
	});

	it('never keeps a base URL with credentials in it (userinfo, a key parameter)', () => {
		const store = openSettings({cwd: dir});
		store.save({baseURLs: {openai: 'http://127.0.0.1:9/v1'}});
		store.save({baseURLs: {openai: 'http://u:pw@127.0.0.1:1/v1', gemini: 'https://host.test/v1?key=AIzaSyShort', vllm: 'http://box:8000/v1?api-version=1'}});
		const text = fs.readFileSync(store.path, 'utf8');
		expect(text).not.toMatch(/u:pw|AIzaSy/);
		expect(openSettings({cwd: dir}).get().baseURLs).toEqual({openai: 'http://127.0.0.1:9/v1', vllm: 'http://box:8000/v1?api-version=1'});
	});
});

describe('files other users cannot read', () => {
	it('settings.json is written 0600, also when it was world-readable before', () => {
		fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({backend: 'demo'}), {mode: 0o644});
		fs.chmodSync(path.join(dir, 'settings.json'), 0o644);
		const store = openSettings({cwd: dir});
		store.save({headers: {'X-Api-Key': 'gateway-secret'}} as never);
		expect(fs.statSync(store.path).mode & 0o777).toBe(0o600);
	});
});

describe('-k @FILE', () => {
	it('reads the key from the file, without its line break', () => {
		const file = path.join(dir, 'key');
		fs.writeFileSync(file, 'sk-from-a-file-1234\n', {mode: 0o600});
		expect(resolveConfig({backend: 'openai', backendKey: `@${file}`}, {}, parseSettings({})).apiKey).toBe('sk-from-a-file-1234');
		expect(resolveConfig({backend: 'openai', backendKey: 'sk-literal'}, {}, parseSettings({})).apiKey).toBe('sk-literal');
	});

	it('says in one line when the file is missing or holds no key', () => {
		expect(() => resolveConfig({backend: 'openai', backendKey: `@${path.join(dir, 'nope')}`}, {}, parseSettings({}))).toThrow(/^The key file for -k @.*nope was not found\.$/);
		fs.writeFileSync(path.join(dir, 'empty'), '\n');
		expect(() => resolveConfig({backend: 'openai', backendKey: `@${path.join(dir, 'empty')}`}, {}, parseSettings({}))).toThrow(ConfigError);
	});
});
