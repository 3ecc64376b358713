// /set, /settings and /unset: run settings changed in the app, checked with the settings file's
// schema, handed to the engine and saved; the settings view says where each value came from.
// (engine.test.tsx shows the next run of the real engine stopped by a /set max-sub-calls.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {findRunSetting, parseRunSetting, RUN_SETTINGS} from '../../source/settings/run-settings.js';
import {resolveConfig, type Flags} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {asRlm, renderApp, ScriptedRlm, type Harness} from './harness.js';

let dir: string;
let settings: SettingsStore;
let rlm: ScriptedRlm;
let h: Harness;

const flat = (frame: string) => frame.replace(/[\s│]+/g, ' ');
/** The chat input's line (the one with the prompt mark). */
const inputLine = (frame: string) => frame.split('\n').find((line) => line.includes('› /')) ?? '';

function start(flags: Flags = {}) {
	// The engine starts as the CLI makes it: from the flags over the settings file.
	const config = resolveConfig({model: 'cogito:14b', backend: 'openai', ...flags}, {}, settings.get());
	const {maxIterations, maxDepth, timeoutSeconds, limits} = config;
	rlm = new ScriptedRlm({model: config.model, backend: 'openai', maxIterations, maxDepth, timeoutSeconds, ...limits});
	h = renderApp({rlm: asRlm(rlm), config, settings, cwd: dir, columns: 140, rows: 40, skipStartup: true});
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
		] as const) {
			const parsed = parseRunSetting(get(name), bad);
			expect(parsed.ok, `${name} ${bad}`).toBe(false);
			if (!parsed.ok) {
				expect(parsed.error).toMatch(new RegExp(`^Invalid ${name} "${bad.replace(/[.$+]/g, '\\$&')}": expected .+\\.$`));
				expect(parsed.error).not.toContain('\n');
			}
		}
	});

	it('covers depth, iterations, sub-model, timeout and every run-wide limit', () => {
		expect(RUN_SETTINGS.map((setting) => setting.key).sort()).toEqual(
			['allowModels', 'maxBudget', 'maxDepth', 'maxErrors', 'maxIterations', 'maxSubCalls', 'maxTimeout', 'maxTokens', 'subModel', 'timeoutSeconds'].sort(),
		);
	});
});

describe('/set in the app', () => {
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
		expect(flat(unknown)).toContain('use one of depth, iterations, sub-model, timeout, max-budget');
		expect(inputLine(unknown)).toContain('/set colour blue');
	});

	it('/set alone and /settings list each value and where it came from; /unset and /set NAME go back to the default', async () => {
		settings.save({timeoutSeconds: 45});
		start({maxSubCalls: 100});
		h.write('/set depth 2\r');
		await h.waitForFrame((f) => f.includes('depth: 2 (saved'));
		h.write('/set\r');
		const view = flat(await h.waitForFrame((f) => f.includes('Run settings')));
		expect(view).toMatch(/depth 2 this session/);
		expect(view).toMatch(/iterations 30 default/);
		expect(view).toMatch(/sub-model \(the root model\) default/);
		expect(view).toMatch(/timeout 45 s settings file/);
		expect(view).toMatch(/max-sub-calls 100 flag/);
		expect(view).toMatch(/max-budget \(no limit\) default/);

		h.write('/unset max-sub-calls\r');
		await h.waitForFrame((f) => f.includes('max-sub-calls: back to its default, 500 (saved).'));
		expect(rlm.options.maxSubCalls).toBeUndefined();
		h.write('/set depth\r');
		await h.waitForFrame((f) => f.includes('depth: back to its default, 1 (saved).'));
		expect(rlm.options.maxDepth).toBeUndefined();
		expect(rlm.configured.at(-1)).toEqual({maxDepth: undefined});
		expect(openSettings({cwd: path.join(dir, 'config')}).get().maxDepth).toBe(1);
		h.write('/settings\r');
		await h.waitForFrame((f) => (f.match(/Run settings/g) ?? []).length === 2);
		const after = flat(h.lastFrame());
		expect(after.slice(after.lastIndexOf('Run settings'))).toMatch(/depth 1 default .*max-sub-calls 500 default/);
	});
});
