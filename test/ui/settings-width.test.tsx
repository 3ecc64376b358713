// /settings in the chat pane at any terminal width from 60 to 200 columns: each setting's row
// keeps its name, value and source together, no word cut, one column free before the border (at
// 110-120 columns the chat pane is about 49 columns wide, and the view padded for a wider one
// wrapped every row; at 60 and 120 the source column touched the border), and a resize lays it out again.
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

/** Each setting's first line: its name, then its value, its source ("default") on the same line;
 * or, `stacked` (a value column would be under 24 wide), its name on a line and under it its value,
 * its source after it. */
function expectWholeRows(lines: readonly string[], paneText: number, stacked = false): void {
	for (const line of lines) expect(line.length).toBeLessThanOrEqual(paneText);
	// The rows leave the pane's last column free: no cell touches its right border.
	const first = lines.findIndex((line) => line.startsWith(`   ${RUN_SETTINGS[0]!.name}`));
	const divider = lines.findIndex((line) => line.startsWith('─'));
	for (const line of lines.slice(first, divider)) expect(line.length, line).toBeLessThan(paneText);
	for (const setting of RUN_SETTINGS) {
		const at = lines.findIndex((line) => line.trimStart() === setting.name || line.trimStart().startsWith(`${setting.name} `));
		if (stacked) {
			expect(lines[at], setting.name).toBe(`   ${setting.name}`);
			const end = lines.findIndex((line, index) => index > at && !line.startsWith('     '));
			const block = lines.slice(at + 1, end < 0 ? undefined : end);
			expect(block.length, setting.name).toBeGreaterThan(0);
			expect(block.at(-1), setting.name).toMatch(/^ {5}(\S.* )?· default$/);
		} else expect(lines[at], setting.name).toMatch(new RegExp(`^ {3}${setting.name} +\\S.* default$`));
	}
}

describe('/settings fits the chat pane', () => {
	// 100-115 columns: a chat pane 44-51 wide would leave the values a column 13-23 wide.
	for (const [columns, stacked] of [[60, false], [80, false], [100, true], [110, true], [115, true], [120, false], [160, false], [200, false]] as const) {
		it(`at ${columns} columns${stacked ? ', one block per setting' : ''}`, async () => {
			const harness = start(columns);
			harness.write('/settings\r');
			const frame = await harness.waitForFrame((f) => f.includes('Run settings') && f.includes('keep-warm'));
			const lines = settingsLines(frame);
			expectWholeRows(lines, computeLayout({columns, rows: 60}).chat.innerWidth, stacked);
			// No word cut: each is one the view holds at 200 columns, where nothing wraps.
			harness.unmount();
			const wide = start(200);
			wide.write('/settings\r');
			const words = new Set(settingsLines(await wide.waitForFrame((f) => f.includes('Run settings') && f.includes('keep-warm'))).flatMap((line) => line.split(/\s+/)));
			const shown = lines.slice(0, lines.findIndex((line) => line.startsWith('─')));
			for (const word of shown.flatMap((line) => line.split(/\s+/))) if (word !== '·') expect(words, word).toContain(word);
		});
	}

	it('is laid out again for the new width after a resize', async () => {
		const harness = start(125);
		harness.write('/settings\r');
		const narrow = settingsLines(await harness.waitForFrame((f) => f.includes('Run settings') && f.includes('keep-warm ')));
		// 125 columns: the long value wraps inside its column.
		expect(narrow.some((line) => line.startsWith('   temperature ') && !line.includes('Anthropic)'))).toBe(true);
		harness.resize(100, 60);
		const stacked = settingsLines(await harness.waitForFrame((f) => /│ {3}temperature *│/.test(f)));
		expectWholeRows(stacked, computeLayout({columns: 100, rows: 60}).chat.innerWidth, true);
		harness.resize(200, 60);
		const wide = settingsLines(await harness.waitForFrame((f) => /temperature +\(0\.7; none for GPT-5, o-series, Anthropic\) +default/.test(f)));
		expectWholeRows(wide, computeLayout({columns: 200, rows: 60}).chat.innerWidth);
	});
});
