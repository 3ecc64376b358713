// /set, /settings and /unset: run settings changed in the app, checked with the settings file's
// schema, handed to the engine and saved; the settings view says where each value came from.
// (engine.test.tsx shows the next run of the real engine stopped by a /set max-sub-calls.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {findRunSetting, parseRunSetting, RUN_SETTINGS, type RunSettingKey} from '../../source/settings/run-settings.js';
import {resolveConfig, type Flags} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {Rlm} from '../../source/engine/rlm.js';
import type {CommandContext} from '../../source/ui/commands/command.js';
import {applySetting} from '../../source/ui/commands/set.js';
import {startFakeLlmServer} from '../support/fake-llm-server.js';
import {fakeRepls} from '../support/fake-repl.js';
import {repl, scripted, subRequests} from '../support/rlm-script.js';
import {asRlm, renderApp, ScriptedRlm, type Harness} from './harness.js';

let dir: string;
let settings: SettingsStore;
let rlm: ScriptedRlm;
let h: Harness;

const flat = (frame: string) => frame.replace(/[\s│]+/g, ' ');
/** The chat input's line (the one with the prompt mark). */
const inputLine = (frame: string) => frame.split('\n').find((line) => line.includes('› /')) ?? '';

function start(flags: Flags = {}, env: NodeJS.ProcessEnv = {}) {
	// The engine starts as the CLI makes it: from the flags over the settings file.
	const config = resolveConfig({model: 'cogito:14b', backend: 'openai', ...flags}, {}, settings.get());
	const {maxIterations, maxDepth, timeoutSeconds, memoryLimitMb, temperature, limits} = config;
	rlm = new ScriptedRlm({model: config.model, backend: 'openai', maxIterations, maxDepth, timeoutSeconds, ...(memoryLimitMb !== undefined ? {memoryLimitMb} : {}), ...(temperature !== undefined ? {temperature} : {}), ...limits});
	h = renderApp({rlm: asRlm(rlm), config, settings, cwd: dir, env, columns: 140, rows: 40, skipStartup: true});
	return h;
}

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ui-set-'));
	settings = openSettings({cwd: path.join(dir, 'config')});
});

afterEach(() => {
	h?.unmount();
	fs.rmSync(dir, {recursive: true, force: true});
});

describe('reading a typed setting', () => {
	it('finds a setting by its name, an alias, its flag or its key', () => {
		expect(findRunSetting('depth')?.key).toBe('maxDepth');
		expect(findRunSetting('--max-depth')?.key).toBe('maxDepth');
		expect(findRunSetting('maxSubCalls')?.key).toBe('maxSubCalls');
		expect(findRunSetting('MAX_SUB_CALLS')?.key).toBe('maxSubCalls');
		expect(findRunSetting('colour')).toBeUndefined();
	});

	it('checks each value with the settings schema and names the setting and the bad value in one line', () => {
		const get = (name: string) => findRunSetting(name)!;
		expect(parseRunSetting(get('depth'), '3')).toEqual({ok: true, value: 3});
		expect(parseRunSetting(get('max-budget'), '$0.50')).toEqual({ok: true, value: 0.5});
		expect(parseRunSetting(get('allow-models'), 'gpt-4o-mini, sonnet,gpt-4o-mini')).toEqual({ok: true, value: ['gpt-4o-mini', 'sonnet']});
		expect(parseRunSetting(get('sub-model'), ' qwen3:1.7b ')).toEqual({ok: true, value: 'qwen3:1.7b'});
		expect(parseRunSetting(get('max-sub-calls'), '0')).toEqual({ok: true, value: 0});
		expect(parseRunSetting(get('memory-limit'), '2048')).toEqual({ok: true, value: 2048});
		expect(findRunSetting('--memory-limit')?.key).toBe('memoryLimitMb');
		for (const [name, bad] of [
			['depth', '0'],
			['depth', '1.5'],
			['depth', '101'],
			['iterations', 'lots'],
			['timeout', '-1'],
			['timeout', '0x10'],
			['max-budget', '0'],
			['max-tokens', ''],
			['max-errors', 'Infinity'],
			['max-sub-calls', '1e9'],
			['memory-limit', '255'],
			['memory-limit', '4097'],
			['memory-limit', '512.5'],
		] as const) {
			const parsed = parseRunSetting(get(name), bad);
			expect(parsed.ok, `${name} ${bad}`).toBe(false);
			if (!parsed.ok) {
				expect(parsed.error).toMatch(new RegExp(`^Invalid ${name} "${bad.replace(/[.$+]/g, '\\$&')}": expected .+\\.$`));
				expect(parsed.error).not.toContain('\n');
			}
		}
	});

	it('reads numbers with the suffixes the flags take: counts in thousands, memory in MiB, times in seconds', () => {
		const get = (name: string) => findRunSetting(name)!;
		expect(parseRunSetting(get('context-window'), '8k')).toEqual({ok: true, value: 8000});
		expect(parseRunSetting(get('context-window'), '128K')).toEqual({ok: true, value: 128_000});
		expect(parseRunSetting(get('context-window'), '1.1k')).toEqual({ok: true, value: 1100});
		expect(parseRunSetting(get('max-tokens'), '2M')).toEqual({ok: true, value: 2_000_000});
		expect(parseRunSetting(get('max-tokens'), '250,000')).toEqual({ok: true, value: 250_000});
		expect(parseRunSetting(get('max-sub-calls'), '1.5k')).toEqual({ok: true, value: 1500});
		expect(parseRunSetting(get('memory-limit'), '2G')).toEqual({ok: true, value: 2048});
		expect(parseRunSetting(get('memory-limit'), '512MiB')).toEqual({ok: true, value: 512});
		expect(parseRunSetting(get('timeout'), '2m')).toEqual({ok: true, value: 120});
		expect(parseRunSetting(get('timeout'), '1500ms')).toEqual({ok: true, value: 1.5});
		expect(parseRunSetting(get('max-timeout'), '1h')).toEqual({ok: true, value: 3600});
		for (const [name, bad] of [
			['context-window', '8q'],
			['context-window', '8 kilo'],
			['max-tokens', '0.5k5'],
			['memory-limit', '2T'],
			['timeout', '5y'],
			['max-budget', '5k'],
			['depth', '2x'],
		] as const) {
			const parsed = parseRunSetting(get(name), bad);
			expect(parsed.ok, `${name} ${bad}`).toBe(false);
			if (!parsed.ok) expect(parsed.error).toMatch(new RegExp(`^Invalid ${name} "${bad}": expected [^\\n]+\\.$`));
		}
	});

	it('reads a quoted value without its quotes, and an empty one as the default again; a list that names none is refused', () => {
		const get = (name: string) => findRunSetting(name)!;
		expect(parseRunSetting(get('allow-models'), '""')).toEqual({ok: true, value: undefined});
		expect(parseRunSetting(get('allow-models'), "''")).toEqual({ok: true, value: undefined});
		// For serve no list means every model: `,` is not a way to the default (tryout 2).
		for (const none of ['"", ""', ',', ' , ', ',,'])
			expect(parseRunSetting(get('allow-models'), none)).toEqual({ok: false, error: expect.stringMatching(/^Invalid allow-models ".*": it names none: expected model names separated by commas \(or \/unset allow-models for the default\)\.$/)});
		expect(parseRunSetting(get('allow-models'), '"gpt-4o", \'sonnet\'')).toEqual({ok: true, value: ['gpt-4o', 'sonnet']});
		expect(parseRunSetting(get('sub-model'), '""')).toEqual({ok: true, value: undefined});
		expect(parseRunSetting(get('sub-model'), '"qwen3:8b"')).toEqual({ok: true, value: 'qwen3:8b'});
		expect(parseRunSetting(get('instructions'), '"Answer in French."')).toEqual({ok: true, value: 'Answer in French.'});
		expect(parseRunSetting(get('context-window'), '"8k"')).toEqual({ok: true, value: 8000});
		expect(parseRunSetting(get('max-tokens'), '""')).toEqual({ok: true, value: undefined});
	});

	it('covers depth, iterations, sub-model, timeout, every run-wide limit and the long-context settings', () => {
		expect(RUN_SETTINGS.map((setting) => setting.key).sort()).toEqual(
			[
				'allowModels',
				'maxBudget',
				'maxDepth',
				'maxErrors',
				'maxIterations',
				'maxSubCalls',
				'maxTimeout',
				'maxTokens',
				'temperature',
				'subModel',
				'timeoutSeconds',
				'requestTimeoutSeconds',
				'memoryLimitMb',
				'instructions',
				'compaction',
				'contextWindow',
				'subBackend',
				'subBaseURL',
				'keepWarmMinutes',
			].sort(),
		);
	});

	it('reads keep-warm as whole minutes from 0 (off) to 120', () => {
		const keepWarm = findRunSetting('--keep-warm')!;
		expect(keepWarm.key).toBe('keepWarmMinutes');
		expect(parseRunSetting(keepWarm, '15')).toEqual({ok: true, value: 15});
		expect(parseRunSetting(keepWarm, '0')).toEqual({ok: true, value: 0});
		// Time suffixes as every number setting takes them; a part of a minute is refused, not rounded.
		expect(parseRunSetting(keepWarm, '5m')).toEqual({ok: true, value: 5});
		expect(parseRunSetting(keepWarm, '1h')).toEqual({ok: true, value: 60});
		expect(parseRunSetting(keepWarm, '120s')).toEqual({ok: true, value: 2});
		for (const bad of ['121', '1.5', 'soon', '90s', '3h', '500ms']) expect(parseRunSetting(keepWarm, bad)).toEqual({ok: false, error: `Invalid keep-warm "${bad}": expected a whole number of minutes from 0 to 120.`});
	});

	it('reads the long-context settings: on/off, a window, a backend name, a URL without credentials', () => {
		const get = (name: string) => findRunSetting(name)!;
		expect(findRunSetting('--context-window')?.key).toBe('contextWindow');
		expect(findRunSetting('--sub-url')?.key).toBe('subBaseURL');
		expect(findRunSetting('system')?.key).toBe('instructions');
		expect(parseRunSetting(get('compaction'), 'off')).toEqual({ok: true, value: false});
		expect(parseRunSetting(get('compaction'), 'ON')).toEqual({ok: true, value: true});
		expect(parseRunSetting(get('context-window'), '32768')).toEqual({ok: true, value: 32_768});
		expect(parseRunSetting(get('sub-backend'), 'Ollama')).toEqual({ok: true, value: 'ollama'});
		expect(parseRunSetting(get('sub-url'), 'http://localhost:11434/v1')).toEqual({ok: true, value: 'http://localhost:11434/v1'});
		expect(parseRunSetting(get('instructions'), ' Answer in French. ')).toEqual({ok: true, value: 'Answer in French.'});
		for (const [name, bad] of [
			['compaction', 'maybe'],
			['context-window', '512'],
			['sub-backend', 'nope'],
			['sub-url', 'not a url'],
		] as const) {
			const parsed = parseRunSetting(get(name), bad);
			expect(parsed.ok, `${name} ${bad}`).toBe(false);
			if (!parsed.ok) expect(parsed.error).toMatch(new RegExp(`^Invalid ${name} "${bad}": expected .+\\.$`));
		}
		const secret = parseRunSetting(get('sub-url'), 'http://me:hunter2@gateway.example/v1');
		expect(secret.ok).toBe(false);
		if (!secret.ok) {
			expect(secret.error).toContain('carries credentials');
			expect(secret.error).not.toContain('hunter2');
		}
	});
});

describe('/set in the app', () => {
	it('says when the settings file could not be written: the change holds for this session only', async () => {
		// The folder the file goes in is a file now (a failure even for root), after the read at start.
		fs.rmSync(path.join(dir, 'config'), {recursive: true, force: true});
		fs.writeFileSync(path.join(dir, 'config'), 'not a folder');
		start();
		h.write('/set iterations 12\r');
		const frame = await h.waitForFrame((f) => f.includes('iterations: 12 (not saved:'));
		expect(frame).toContain('could not be');
		expect(frame).toContain('ENOTDIR');
		expect(frame).toContain('this session only; from the next question).');
		expect(rlm.options.maxIterations).toBe(12);
		h.write('/theme light\r');
		await h.waitForFrame((f) => f.includes('Theme: light (not saved:'));
	});

	it('hands the value to the engine for the next question and saves it', async () => {
		start();
		h.write('/set iterations 12\r');
		await h.waitForFrame((f) => f.includes('iterations: 12 (saved; from the next question)'));
		expect(rlm.options.maxIterations).toBe(12);
		expect(openSettings({cwd: path.join(dir, 'config')}).get().maxIterations).toBe(12);
		h.write('/set max-sub-calls 40\r');
		await h.waitForFrame((f) => f.includes('max-sub-calls: 40 (saved'));
		expect(rlm.options.maxSubCalls).toBe(40);
		h.write('/set allow-models gpt-4o-mini,sonnet\r');
		await h.waitForFrame((f) => f.includes('allow-models: gpt-4o-mini, sonnet (saved'));
		expect(rlm.options.allowModels).toEqual(['gpt-4o-mini', 'sonnet']);
		expect(openSettings({cwd: path.join(dir, 'config')}).get().allowModels).toEqual(['gpt-4o-mini', 'sonnet']);
	});

	it('/set allow-models "" clears the list and says what that means; /set sub-model "" is the root model again', async () => {
		start();
		const saved = () => openSettings({cwd: path.join(dir, 'config')}).get();
		h.write('/set allow-models gpt-4o-mini\r');
		await h.waitForFrame((f) => f.includes('allow-models: gpt-4o-mini (saved'));
		h.write('/set allow-models ""\r');
		await h.waitForFrame((f) => flat(f).includes('allow-models: back to its default: none, so model= may name only the root model and the sub-model (saved).'));
		expect(rlm.options.allowModels).toBeUndefined();
		expect(saved()).not.toHaveProperty('allowModels');
		h.write('/set sub-model "qwen3:8b"\r');
		await h.waitForFrame((f) => f.includes('sub-model: qwen3:8b (saved'));
		expect(rlm.options.subModel).toBe('qwen3:8b');
		h.write("/set sub-model ''\r");
		await h.waitForFrame((f) => flat(f).includes('sub-model: back to its default: the root model (saved).'));
		expect(rlm.options.subModel).toBeUndefined();
		h.write('/set context-window 8k\r');
		await h.waitForFrame((f) => f.includes('context-window: 8000 tokens (saved'));
		expect(rlm.options.contextWindow).toBe(8000);
		// Back to the default: what having none means, without a stray comma before a parenthesis.
		h.write('/unset context-window\r');
		await h.waitForFrame((f) => flat(f).includes('context-window: back to its default: from the server (saved).'));
		expect(rlm.options.contextWindow).toBeUndefined();
		h.write('/set max-budget 2\r');
		await h.waitForFrame((f) => f.includes('max-budget: $2 (saved'));
		h.write('/set max-budget ""\r');
		await h.waitForFrame((f) => flat(f).includes('max-budget: back to its default: no limit (saved).'));
		expect(flat(h.lastFrame())).not.toMatch(/default, \(/);
	});

	it('refuses a key typed into /set instructions, /set sub-model or /model in one line: not saved, not used, never shown in full', async () => {
		start();
		const file = path.join(dir, 'config', 'settings.json');
		const onDisk = () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
		const github = 'ghp_abcdefABCDEF1234567890abcdefABCDEF12';
		const openai = 'sk-proj-ABCDEFGHIJKLMNOPQRSTUV123456';
		const shown = () => h.lastFrame().split('\n').filter((line) => !line.includes('› /')).join('\n');
		h.write(`/set instructions token ${github} here\r`);
		await h.waitForFrame((f) => f.includes('Invalid instructions "token [redacted] here": it carries') && f.includes('so it was not'));
		h.write('\x15');
		h.write(`/set sub-model ${openai}\r`);
		await h.waitForFrame((f) => f.includes('Invalid sub-model "[redacted]": it carries'));
		h.write('\x15');
		h.write(`/model ${openai}\r`);
		await h.waitForFrame((f) => f.includes('Invalid model "[redacted]": it carries'));
		expect(shown()).not.toMatch(/ghp_abc|sk-proj-ABC/);
		expect(rlm.configured).toEqual([]);
		expect(rlm.options.model).toBe('cogito:14b');
		expect(onDisk()).not.toMatch(/ghp_abc|sk-proj-ABC/);
		// A value that only mentions a token is still saved.
		h.write('\x15/set instructions keep the token counts low\r');
		await h.waitForFrame((f) => f.includes('instructions: keep the token counts low (saved'));
		expect(onDisk()).toContain('keep the token counts low');
	});

	it('changes the long-context settings in the app: the engine takes them, the file keeps them, /settings shows them, /unset clears them; no secret shown or saved', async () => {
		const key = 'sk-sub-key-for-the-test-0123456789';
		start({}, {RLM_SUB_API_KEY: key});
		const saved = () => openSettings({cwd: path.join(dir, 'config')}).get();
		h.write('/set instructions Answer in French, briefly.\r');
		await h.waitForFrame((f) => f.includes('instructions: Answer in French, briefly. (saved'));
		expect(rlm.options.instructions).toBe('Answer in French, briefly.');
		expect(saved().instructions).toBe('Answer in French, briefly.');
		h.write('/set compaction off\r');
		await h.waitForFrame((f) => f.includes('compaction: off (saved'));
		expect(rlm.options.compaction).toBe(false);
		expect(saved().compaction).toBe(false);
		h.write('/set context-window 32768\r');
		await h.waitForFrame((f) => f.includes('context-window: 32768 tokens (saved'));
		expect(rlm.options.contextWindow).toBe(32_768);
		h.write('/set sub-backend ollama\r');
		await h.waitForFrame((f) => f.includes('sub-backend: ollama (saved'));
		expect(rlm.options).toMatchObject({subBackend: 'ollama', subBaseURL: 'http://localhost:11434/v1', subApiKey: key});
		h.write('/set sub-url http://gpu-box:8000/v1\r');
		await h.waitForFrame((f) => f.includes('sub-url: http://gpu-box:8000/v1 (saved'));
		expect(rlm.options).toMatchObject({subBackend: 'ollama', subBaseURL: 'http://gpu-box:8000/v1'});
		expect(saved()).toMatchObject({subBackend: 'ollama', subBaseURL: 'http://gpu-box:8000/v1'});
		// A URL with a key in it: refused in one line, the secret neither shown nor saved nor used.
		h.write('/set sub-url http://me:hunter2@gpu-box:8000/v1\r');
		await h.waitForFrame((f) => f.includes('carries credentials'));
		expect(h.lastFrame().split('\n').filter((line) => !line.includes('› /set')).join('\n')).not.toContain('hunter2');
		expect(rlm.options.subBaseURL).toBe('http://gpu-box:8000/v1');
		h.write('\x15/settings\r');
		const view = flat(await h.waitForFrame((f) => f.includes('Run settings')));
		expect(view).toMatch(/instructions Answer in French, briefly\. settings file/);
		expect(view).toMatch(/compaction off settings file/);
		expect(view).toMatch(/context-window 32768 tokens settings file/);
		expect(view).toMatch(/sub-backend ollama settings file/);
		expect(view).toMatch(/sub-url http:\/\/gpu-box:8000\/v1 settings file/);
		expect(view).not.toContain(key);
		h.write('/unset sub-backend\r');
		await h.waitForFrame((f) => flat(f).includes("sub-backend: back to its default: the root's backend (saved)."));
		h.write('/unset sub-url\r');
		await h.waitForFrame((f) => flat(f).includes('sub-url: back to its default: its default URL (saved).'));
		expect(rlm.options.subBackend).toBeUndefined();
		expect(rlm.options.subApiKey).toBeUndefined();
		h.write('/unset compaction\r');
		await h.waitForFrame((f) => flat(f).includes('compaction: back to its default, on (saved).'));
		expect(rlm.options.compaction).toBeUndefined();
		expect(saved()).not.toHaveProperty('subBackend');
		expect(saved()).not.toHaveProperty('compaction');
		expect(fs.readFileSync(path.join(dir, 'config', 'settings.json'), 'utf8')).not.toContain(key);
	});

	it('/set memory-limit: the engine takes it, the file keeps it, /settings shows it in MB, a value out of range is one line naming the range, /unset goes back to 1024', async () => {
		start();
		const saved = () => openSettings({cwd: path.join(dir, 'config')}).get();
		h.write('/set memory-limit 2048\r');
		await h.waitForFrame((f) => f.includes('memory-limit: 2048 MB (saved; from the next question)'));
		expect(rlm.options.memoryLimitMb).toBe(2048);
		expect(saved().memoryLimitMb).toBe(2048);
		h.write('/settings\r');
		expect(flat(await h.waitForFrame((f) => f.includes('Run settings')))).toMatch(/memory-limit 2048 MB settings file/);
		h.write('/set memory-limit 100\r');
		const refused = await h.waitForFrame((f) => flat(f).includes('Invalid memory-limit "100": expected a whole number of MB from 256 to 4096.'));
		expect(inputLine(refused)).toContain('/set memory-limit 100');
		expect(rlm.options.memoryLimitMb).toBe(2048);
		h.write('\x15/unset memory-limit\r');
		await h.waitForFrame((f) => flat(f).includes('memory-limit: back to its default, 1024 MB (saved).'));
		expect(rlm.options.memoryLimitMb).toBeUndefined();
		expect(saved()).not.toHaveProperty('memoryLimitMb');
	});

	it('a memory limit from the settings file or a flag shows where it came from', async () => {
		settings.save({memoryLimitMb: 512});
		start();
		h.write('/settings\r');
		expect(flat(await h.waitForFrame((f) => f.includes('Run settings')))).toMatch(/memory-limit 512 MB settings file/);
		h.unmount();
		start({memoryLimit: 3000});
		h.write('/settings\r');
		expect(flat(await h.waitForFrame((f) => f.includes('Run settings')))).toMatch(/memory-limit 3000 MB flag/);
	});

	it('a number saved at its default value reads back as the settings file\'s in the next session (each number /set takes but temperature, below)', async () => {
		const defaults = {maxDepth: '1', maxIterations: '30', timeoutSeconds: '30', requestTimeoutSeconds: '300', memoryLimitMb: '1024', maxSubCalls: '500', keepWarmMinutes: '0'} as const;
		start();
		for (const [key, value] of Object.entries(defaults)) {
			const name = RUN_SETTINGS.find((setting) => setting.key === key)!.name;
			h.write(`/set ${name} ${value}\r`);
			await h.waitForFrame((f) => flat(f).includes(`${name}: `) && flat(f).includes('(saved'));
		}
		h.unmount();
		settings = openSettings({cwd: path.join(dir, 'config')});
		start();
		h.write('/settings\r');
		const view = flat(await h.waitForFrame((f) => f.includes('Run settings')));
		for (const key of Object.keys(defaults)) {
			const name = RUN_SETTINGS.find((setting) => setting.key === key)!.name;
			expect(view).toMatch(new RegExp(`${name} \\S+( \\S+)? settings file`));
		}
	});

	it('refuses a bad value in one line and keeps the typed line in the input to correct', async () => {
		start();
		h.write('/set depth zero\r');
		const frame = await h.waitForFrame((f) => f.includes('Invalid depth "zero": expected a whole number from 1 to 100.'));
		expect(inputLine(frame)).toContain('/set depth zero');
		expect(rlm.configured).toEqual([]);
		// Corrected in place: the word replaced, Enter again.
		h.write('\x7f'.repeat(4) + '4\r');
		await h.waitForFrame((f) => f.includes('depth: 4 (saved'));
		expect(rlm.options.maxDepth).toBe(4);
		h.write('/set colour blue\r');
		const unknown = await h.waitForFrame((f) => f.includes('Unknown setting "colour"'));
		expect(flat(unknown)).toContain('use one of depth, iterations, temperature, sub-model, timeout, request-timeout, memory-limit, max-budget');
		expect(inputLine(unknown)).toContain('/set colour blue');
	});

	it('/set NAME alone shows that value in full and where it came from, and changes nothing (it once reset it)', async () => {
		const long = 'Always answer in French and keep each reply under three short paragraphs, quoting the document where you can; never guess a number.';
		settings.save({instructions: long, maxDepth: 2});
		start({maxSubCalls: 100});
		rlm.configure({instructions: long, maxDepth: 2});
		h.write('/settings\r');
		// The table shortens the instructions; /set instructions is how to read them whole.
		expect(flat(await h.waitForFrame((f) => f.includes('Run settings')))).toContain(`(${long.length} chars)`);
		h.write('/set instructions\r');
		const shown = flat(await h.waitForFrame((f) => flat(f).includes('returns it to its default.')));
		expect(shown).toContain(`instructions, from the settings file (${long.length} chars): ${long} /set instructions VALUE changes it; /unset instructions returns it to its default.`);
		h.write('/set depth\r');
		await h.waitForFrame((f) => flat(f).includes('depth: 2 (from the settings file).'));
		h.write('/set max-sub-calls\r');
		await h.waitForFrame((f) => flat(f).includes('max-sub-calls: 100 (from a launch flag, for this session).'));
		h.write('/set sub-model\r');
		await h.waitForFrame((f) => flat(f).includes('sub-model: the root model (the default).'));
		h.write('/set allow-models\r');
		await h.waitForFrame((f) => flat(f).includes('allow-models: none (the default), so model= may name only the root model and the sub-model.'));
		// Nothing was changed, saved or handed to the engine.
		expect(settings.get().instructions).toBe(long);
		expect(openSettings({cwd: path.join(dir, 'config')}).get()).toMatchObject({instructions: long, maxDepth: 2});
		expect(rlm.options.instructions).toBe(long);
		expect(rlm.options.maxDepth).toBe(2);
		expect(rlm.configured).toEqual([{instructions: long, maxDepth: 2}]);
		expect(flat(h.lastFrame())).not.toContain('back to its default');
	});

	it('/set alone and /settings list each value and where it came from; /unset and /set NAME "" go back to the default', async () => {
		settings.save({timeoutSeconds: 45});
		start({maxSubCalls: 100});
		h.write('/set depth 2\r');
		await h.waitForFrame((f) => f.includes('depth: 2 (saved'));
		h.write('/set\r');
		const view = flat(await h.waitForFrame((f) => f.includes('Run settings')));
		expect(view).toMatch(/depth 2 settings file/);
		expect(view).toMatch(/iterations 30 default/);
		expect(view).toMatch(/sub-model \(the root model\) default/);
		expect(view).toMatch(/timeout 45 s settings file/);
		expect(view).toMatch(/max-sub-calls 100 flag/);
		expect(view).toMatch(/max-budget \(no limit\) default/);

		h.write('/unset max-sub-calls\r');
		await h.waitForFrame((f) => f.includes('max-sub-calls: back to its default, 500 (saved).'));
		expect(rlm.options.maxSubCalls).toBeUndefined();
		h.write("/set depth ''\r");
		await h.waitForFrame((f) => f.includes('depth: back to its default, 1 (saved).'));
		expect(rlm.options.maxDepth).toBeUndefined();
		expect(rlm.configured.at(-1)).toEqual({maxDepth: undefined});
		expect(openSettings({cwd: path.join(dir, 'config')}).get().maxDepth).toBeUndefined();
		h.write('/settings\r');
		// The first view has scrolled away by now: the second one is the one after the last line said.
		await h.waitForFrame((f) => flat(f).indexOf('Run settings', flat(f).lastIndexOf('depth: back to its default')) > 0);
		const after = flat(h.lastFrame());
		expect(after.slice(after.lastIndexOf('Run settings'))).toMatch(/depth 1 default .*max-sub-calls 500 default/);
	});
});

/** A value /set takes for each setting (a new setting must be given one here). */
const SAMPLE_VALUES: Record<RunSettingKey, string> = {
	allowModels: 'gpt-4o-mini',
	maxBudget: '0.5',
	maxDepth: '2',
	maxErrors: '3',
	maxIterations: '12',
	maxSubCalls: '100',
	maxTimeout: '60',
	maxTokens: '5000',
	temperature: '0.7',
	subModel: 'small-model',
	timeoutSeconds: '45',
	requestTimeoutSeconds: '120',
	memoryLimitMb: '2048',
	instructions: 'Be brief.',
	compaction: 'off',
	contextWindow: '32768',
	subBackend: 'ollama',
	subBaseURL: 'http://gpu-box:8000/v1',
	keepWarmMinutes: '5',
};

/** The settings view's row of each setting, by name: its last column says where the value came from. */
async function settingsRows(after: string): Promise<Map<string, string>> {
	h.write('/settings\r');
	const frame = await h.waitForFrame((f) => f.lastIndexOf('Run settings') > f.lastIndexOf(after) && f.includes('keep-warm '));
	const chat = frame.slice(frame.lastIndexOf('Run settings')).split('\n').map((line) => (line.split('│')[1] ?? '').trim());
	return new Map(RUN_SETTINGS.map((setting) => [setting.name, chat.find((line) => line.startsWith(`${setting.name} `)) ?? '']));
}

describe('/settings after /set: saved or this session only', () => {
	it('a value set and saved reads as the settings file\'s, for every setting', async () => {
		start({}, {RLM_SUB_API_KEY: 'sk-sub-key-for-the-test-0123456789'});
		h.resize(220, 80);
		for (const setting of RUN_SETTINGS) {
			h.write(`/set ${setting.name} ${SAMPLE_VALUES[setting.key]}\r`);
			await h.waitForFrame((f) => flat(f).includes(`${setting.name}: `) && /\(saved[;)]/.test(flat(f).slice(flat(f).lastIndexOf(`${setting.name}: `))));
		}
		const rows = await settingsRows(`${RUN_SETTINGS.at(-1)!.name}: `);
		for (const setting of RUN_SETTINGS) expect(rows.get(setting.name), setting.name).toMatch(/ settings file$/);
		expect(openSettings({cwd: path.join(dir, 'config')}).get().temperature).toBe(0.7);
	});

	it('a value the file could not keep reads as this session\'s, until a later save writes the file', async () => {
		const folder = path.join(dir, 'config');
		start({}, {RLM_SUB_API_KEY: 'sk-sub-key-for-the-test-0123456789'});
		h.resize(220, 80);
		h.write('/set depth 2\r');
		await h.waitForFrame((f) => f.includes('depth: 2 (saved'));
		// The folder the file goes in is a file now (a failure even for root).
		fs.rmSync(folder, {recursive: true, force: true});
		fs.writeFileSync(folder, 'not a folder');
		for (const setting of RUN_SETTINGS.filter((candidate) => candidate.key !== 'maxDepth')) {
			h.write(`/set ${setting.name} ${SAMPLE_VALUES[setting.key]}\r`);
			await h.waitForFrame((f) => flat(f).includes(`${setting.name}: `) && flat(f).slice(flat(f).lastIndexOf(`${setting.name}: `)).includes('(not saved:'));
		}
		h.write('/unset depth\r');
		await h.waitForFrame((f) => flat(f).includes('depth: back to its default, 1 (not saved:'));
		let rows = await settingsRows('depth: back to its default');
		expect(rows.get('depth')).toMatch(/^depth +1 +default, this session$/);
		for (const setting of RUN_SETTINGS.filter((candidate) => candidate.key !== 'maxDepth')) expect(rows.get(setting.name), setting.name).toMatch(/ this session$/);
		// The folder back: the next save writes every value held, so all read as saved again.
		fs.rmSync(folder);
		fs.mkdirSync(folder);
		h.write('/set iterations 13\r');
		await h.waitForFrame((f) => f.includes('iterations: 13 (saved'));
		rows = await settingsRows('iterations: 13 (saved');
		expect(rows.get('depth')).toMatch(/^depth +1 +default$/);
		expect(rows.get('temperature')).toMatch(/^temperature +0\.7 +settings file$/);
		expect(openSettings({cwd: folder}).get().temperature).toBe(0.7);
	});
});

describe('/set temperature', () => {
	it('reads a number from 0 to 2, as -t does', () => {
		const setting = findRunSetting('temperature')!;
		expect(findRunSetting('--temperature')).toBe(setting);
		expect(parseRunSetting(setting, '0.2')).toEqual({ok: true, value: 0.2});
		expect(parseRunSetting(setting, '0')).toEqual({ok: true, value: 0});
		expect(parseRunSetting(setting, '2')).toEqual({ok: true, value: 2});
		for (const bad of ['2.5', '-1', 'warm']) expect(parseRunSetting(setting, bad)).toEqual({ok: false, error: `Invalid temperature "${bad}": expected a number from 0 to 2.`});
	});

	it('in the app: the engine takes it, the file keeps it, /settings shows where it came from, a bad value is refused, /unset clears it', async () => {
		start({temperature: 0.5});
		h.write('/settings\r');
		expect(flat(await h.waitForFrame((f) => f.includes('Run settings')))).toMatch(/temperature 0\.5 flag/);
		h.write('/set temperature 3\r');
		await h.waitForFrame((f) => f.includes('Invalid temperature "3": expected a number from 0 to 2.'));
		expect(rlm.configured).toEqual([]);
		// The refused line stays in the input: cleared before the next one.
		h.write('\x15/set temperature 0.2\r');
		await h.waitForFrame((f) => f.includes('temperature: 0.2 (saved; from the next question).'));
		expect(rlm.configured).toEqual([{temperature: 0.2}]);
		expect(rlm.options.temperature).toBe(0.2);
		expect(openSettings({cwd: path.join(dir, 'config')}).get().temperature).toBe(0.2);
		h.write('/unset temperature\r');
		await h.waitForFrame((f) => flat(f).includes('temperature: back to its default: 0.7; none for GPT-5, o-series, Anthropic (saved).'));
		expect(rlm.options.temperature).toBeUndefined();
		expect(openSettings({cwd: path.join(dir, 'config')}).get().temperature).toBeUndefined();
	});

	it('/set temperature 0.7 reads back as chosen: kept in the file, and /settings says so in the next session', async () => {
		start();
		h.write('/set temperature 0.7\r');
		await h.waitForFrame((f) => f.includes('temperature: 0.7 (saved; from the next question).'));
		// Another setting saved after it keeps it (a save re-reads the file).
		h.write('/set depth 2\r');
		await h.waitForFrame((f) => f.includes('depth: 2 (saved'));
		expect(openSettings({cwd: path.join(dir, 'config')}).get().temperature).toBe(0.7);
		h.unmount();
		settings = openSettings({cwd: path.join(dir, 'config')});
		start();
		expect(rlm.options.temperature).toBe(0.7);
		h.write('/settings\r');
		expect(flat(await h.waitForFrame((f) => f.includes('Run settings')))).toMatch(/temperature 0\.7 settings file/);
	});

	it('an older settings file, written without a format version, still reads its saved 0.7 as the default it was', () => {
		const config = path.join(dir, 'config');
		fs.mkdirSync(config, {recursive: true});
		fs.writeFileSync(path.join(config, 'settings.json'), JSON.stringify({temperature: 0.7, maxDepth: 1}));
		expect(openSettings({cwd: config}).get()).not.toHaveProperty('temperature');
		fs.writeFileSync(path.join(config, 'settings.json'), JSON.stringify({temperature: 0.3}));
		expect(openSettings({cwd: config}).get().temperature).toBe(0.3);
	});

	it('with the real engine: the next request carries it; unset, the backend sends its default again', async () => {
		const server = await startFakeLlmServer({models: ['root-model']});
		server.setResponder(() => ({text: 'FINAL(done)'}));
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, logDir: false, replFactory: fakeRepls({blocks: {}})});
		const said: string[] = [];
		const context = {rlm, settings, env: {}, backend: 'openai', cwd: dir, say: (_kind: string, text: string) => said.push(text)} as unknown as CommandContext;
		const sentTemperature = () => (server.requests.at(-1)!.body as {temperature?: number}).temperature;
		try {
			applySetting(context, 'temperature', 0.2);
			await rlm.completion('q', {context: 'c'});
			expect(sentTemperature()).toBe(0.2);
			applySetting(context, 'temperature', undefined);
			await rlm.completion('q', {context: 'c'});
			expect(sentTemperature()).toBe(0.7);
		} finally {
			await rlm.dispose();
			await server.close();
		}
	});
});

describe('/set keep-warm', () => {
	it('is saved and says it acts when the app quits, not from the next question (the engine never sees it)', () => {
		const configured: unknown[] = [];
		const said: string[] = [];
		const context = {rlm: {configure: (patch: unknown) => configured.push(patch)}, settings, env: {}, backend: 'openai', cwd: dir, say: (_kind: string, text: string) => said.push(text)} as unknown as CommandContext;
		applySetting(context, 'keepWarmMinutes', 5);
		expect(said.at(-1)).toBe('keep-warm: 5 min (saved; when the app quits).');
		expect(configured).toEqual([]);
		expect(openSettings({cwd: path.join(dir, 'config')}).get().keepWarmMinutes).toBe(5);
	});
});

describe('/set request-timeout with the real engine', () => {
	it('reads seconds up to 300 as --request-timeout does', () => {
		const setting = findRunSetting('request-timeout')!;
		expect(findRunSetting('--request-timeout')).toBe(setting);
		expect(findRunSetting('requestTimeoutSeconds')).toBe(setting);
		expect(parseRunSetting(setting, '90')).toEqual({ok: true, value: 90});
		expect(parseRunSetting(setting, '2m')).toEqual({ok: true, value: 120});
		expect(parseRunSetting(setting, '0.5')).toEqual({ok: true, value: 0.5});
		for (const bad of ['0', '301', '10m', 'soon']) expect(parseRunSetting(setting, bad)).toEqual({ok: false, error: `Invalid request-timeout "${bad}": expected a number of seconds above 0, at most 300.`});
	});

	it('bounds the next sub-calls at once (a hanging server fails the call), is saved, and /unset gives back the default', async () => {
		const server = await startFakeLlmServer({models: ['root-model']});
		server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('ask') : {text: 'FINAL(done)'}), sub: () => ({hang: true})}));
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, logDir: false, replFactory: fakeRepls({blocks: {ask: async ({llm_query, print}) => print(await llm_query('part'))}})});
		const said: string[] = [];
		const errors: string[] = [];
		rlm.on('event', (event) => {
			if (event.type === 'call.done' && event.error) errors.push(event.error);
		});
		const context = {rlm, settings, env: {}, backend: 'openai', cwd: dir, say: (_kind: string, text: string) => said.push(text)} as unknown as CommandContext;
		try {
			applySetting(context, 'requestTimeoutSeconds', 0.3);
			expect(said.at(-1)).toBe('request-timeout: 0.3 s (saved; from the next question).');
			expect(rlm.options.requestTimeoutMs).toBe(300);
			expect(openSettings({cwd: path.join(dir, 'config')}).get().requestTimeoutSeconds).toBe(0.3);
			await rlm.completion('q', {context: 'c'});
			expect(errors).toHaveLength(1);
			expect(errors[0]).toMatch(/Timed out after 0\.3 s/);
			applySetting(context, 'requestTimeoutSeconds', undefined);
			expect(said.at(-1)).toBe('request-timeout: back to its default, 300 s (saved).');
			expect(rlm.options.requestTimeoutMs).toBeUndefined();
		} finally {
			await rlm.dispose();
			await server.close();
		}
	});
});

describe('/set memory-limit with the real engine', () => {
	it("reaches the session's REPL already running: its next block runs under the new limit; /unset brings back 1024", async () => {
		const server = await startFakeLlmServer({models: ['root-model']});
		server.setResponder(scripted({root: ({turn}) => (turn === 0 ? repl('work') : {text: 'FINAL(done)'})}));
		const repls = fakeRepls({blocks: {work: ({print}) => print('ok')}});
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: server.openaiBaseURL, logDir: false, replFactory: repls});
		const said: string[] = [];
		const context = {rlm, settings, env: {}, backend: 'openai', cwd: dir, say: (_kind: string, text: string) => said.push(text)} as unknown as CommandContext;
		try {
			await rlm.completion('q', {context: 'c'});
			applySetting(context, 'memoryLimitMb', 512);
			expect(said.at(-1)).toBe('memory-limit: 512 MB (saved; from the next question).');
			await rlm.completion('q', {context: 'c'});
			applySetting(context, 'memoryLimitMb', undefined);
			await rlm.completion('q', {context: 'c'});
			expect(repls.started).toHaveLength(1);
			expect(repls.started[0]!.runOptions.map((options) => options.memoryLimitMb)).toEqual([1024, 512, 1024]);
		} finally {
			await rlm.dispose();
			await server.close();
		}
	});
});

describe('/set sub-url with the real engine', () => {
	it("sends the next question's sub-calls to that server, with the sub key from the environment; /unset brings them back", async () => {
		const root = await startFakeLlmServer({models: ['root-model']});
		const elsewhere = await startFakeLlmServer({models: ['root-model']});
		const script = scripted({root: ({turn}) => (turn === 0 ? repl('ask') : {text: 'FINAL(done)'}), sub: () => ({text: 'sub answer'})});
		root.setResponder(script);
		elsewhere.setResponder(script);
		const rlm = new Rlm({model: 'root-model', backend: 'openai', baseURL: root.openaiBaseURL, apiKey: 'root-key', logDir: false, replFactory: fakeRepls({blocks: {ask: async ({llm_query, print}) => print(await llm_query('part'))}})});
		const said: string[] = [];
		const context = {rlm, settings, env: {RLM_SUB_API_KEY: 'sub-key'}, backend: 'openai', cwd: dir, say: (_kind: string, text: string) => said.push(text)} as unknown as CommandContext;
		try {
			applySetting(context, 'subBaseURL', elsewhere.openaiBaseURL);
			expect(said.at(-1)).toContain('(saved; from the next question)');
			await rlm.completion('q', {context: 'c'});
			expect(subRequests(elsewhere.requests)).toHaveLength(1);
			expect(subRequests(root.requests)).toHaveLength(0);
			expect(subRequests(elsewhere.requests)[0]!.headers.authorization).toBe('Bearer sub-key');
			applySetting(context, 'subBaseURL', undefined);
			await rlm.completion('q', {context: 'c'});
			expect(subRequests(root.requests)).toHaveLength(1);
			expect(subRequests(elsewhere.requests)).toHaveLength(1);
		} finally {
			await rlm.dispose();
			await root.close();
			await elsewhere.close();
		}
	});
});

