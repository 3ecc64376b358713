// /settings in the chat pane at any terminal width from 80 to 200 columns: each setting's row
// keeps its name, value and source together (at 110-120 columns the chat pane is about 49 columns
// wide, and the view padded for a wider one wrapped every row), and a resize lays it out again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {RUN_SETTINGS} from '../../source/settings/run-settings.js';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings} from '../../source/settings/store.js';
import {computeLayout} from '../../source/ui/state/layout.js';
import {asRlm, renderApp, ScriptedRlm, type Harness} from './harness.js';

let dir: string;
let h: Harness | undefined;

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ui-settings-width-'));
});

afterEach(() => {
	h?.unmount();
	h = undefined;
	fs.rmSync(dir, {recursive: true, force: true});
});

function start(columns: number): Harness {
	const settings = openSettings({cwd: path.join(dir, 'config')});
	const config = resolveConfig({model: 'cogito:14b', backend: 'openai'}, {}, settings.get());
	h = renderApp({rlm: asRlm(new ScriptedRlm({model: config.model, backend: 'openai'})), config, settings, cwd: dir, env: {}, columns, rows: 60, skipStartup: true});
	return h;
}

/** The chat pane's text lines (between its borders), from the settings view's title down. */
function settingsLines(frame: string): string[] {
	const chat = frame.split('\n').map((line) => line.split('│')[1] ?? '');
	return chat.slice(chat.findIndex((line) => line.includes('Run settings'))).map((line) => line.trimEnd());
}

/** Each setting's first line: its name, then its value, its source ("default") on the same line. */
function expectWholeRows(lines: readonly string[], paneText: number): void {
	for (const line of lines) expect(line.length).toBeLessThanOrEqual(paneText);
	for (const setting of RUN_SETTINGS) {
		const row = lines.find((line) => line.trimStart().startsWith(`${setting.name} `));
		expect(row, setting.name).toMatch(new RegExp(`^ {3}${setting.name} +\\S.* default$`));
	}
}

describe('/settings fits the chat pane', () => {
	for (const columns of [80, 100, 110, 115, 120, 160, 200]) {
		it(`at ${columns} columns`, async () => {
			const harness = start(columns);
			harness.write('/settings\r');
			const frame = await harness.waitForFrame((f) => f.includes('Run settings') && f.includes('keep-warm '));
			expectWholeRows(settingsLines(frame), computeLayout({columns, rows: 60}).chat.innerWidth);
		});
	}

	it('is laid out again for the new width after a resize', async () => {
		const harness = start(115);
		harness.write('/settings\r');
		const narrow = settingsLines(await harness.waitForFrame((f) => f.includes('Run settings') && f.includes('keep-warm ')));
		// 115 columns: the long value wraps inside its column.
		expect(narrow.some((line) => line.startsWith('   temperature ') && !line.includes('Anthropic)'))).toBe(true);
		harness.resize(200, 60);
		const wide = settingsLines(await harness.waitForFrame((f) => /temperature +\(0\.7; none for GPT-5, o-series, Anthropic\) +default/.test(f)));
		expectWholeRows(wide, computeLayout({columns: 200, rows: 60}).chat.innerWidth);
	});
});
