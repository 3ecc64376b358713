// The chat pane on a wide terminal: an answer with a table wider than the pane is drawn as one
// table fitted to the pane (cells wrapped inside it), using the width a 220-column terminal has.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {resolveConfig} from '../../source/settings/resolve.js';
import {openSettings, type SettingsStore} from '../../source/settings/store.js';
import {displayWidth} from '../../source/ui/format.js';
import {computeLayout} from '../../source/ui/state/layout.js';
import {asRlm, renderApp, ScriptedRlm, waitFor, type Harness} from './harness.js';

let dir: string;
let settings: SettingsStore;
let h: Harness | undefined;

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-chat-table-'));
	settings = openSettings({cwd: path.join(dir, 'config')});
});

afterEach(() => {
	h?.unmount();
	fs.rmSync(dir, {recursive: true, force: true});
});

const ROWS = ['alpha', 'bravo', 'charlie', 'delta'];
const TABLE = [
	'Here is the comparison:',
	'',
	'| Name | Summary | Evidence | Verdict |',
	'|---|---|---|---|',
	...ROWS.map((name, i) => `| ${name} | ${`the ${name} record mentions the budget twice and the deadline once `.repeat(2)}| line ${i * 10} of \`context_0\`, quoted in full in the notes | **kept** |`),
	'',
	'That is all.',
].join('\n');

/** Display columns (not UTF-16 units) at which a line has a table border character. */
function junctions(line: string): number[] {
	const at: number[] = [];
	let column = 0;
	for (const char of line) {
		if ('│┌┐└┘├┤┬┴┼'.includes(char)) at.push(column);
		column += displayWidth(char);
	}
	return at;
}

it('draws a table wider than the chat pane as one fitted table at 220 columns', async () => {
	const rlm = new ScriptedRlm();
	h = renderApp({rlm: asRlm(rlm), config: resolveConfig({}, {}, settings.get()), settings, cwd: dir, columns: 220, rows: 60, skipStartup: true});
	h.write('compare them\r');
	await waitFor(() => rlm.prompts.includes('compare them'), 5000, 'the prompt to reach the engine');
	rlm.finish(TABLE);
	const frame = await h.waitForFrame((f) => f.includes('That is all.'));
	const layout = computeLayout({columns: 220, rows: 60});
	const lines = frame.split('\n');
	for (const line of lines) expect(displayWidth(line)).toBe(220);

	// The chat pane's own columns: inside its border and its one-column padding.
	const inner = (line: string) => line.slice(2, layout.chat.width - 1);
	const table = lines.map(inner).filter((line) => /^[┌│├└]/.test(line.trimStart()) && /[┐┤┘│]\s*$/.test(line));
	expect(table[0]!.trimStart().startsWith('┌')).toBe(true);
	expect(table.at(-1)!.trimStart().startsWith('└')).toBe(true);
	const top = junctions(table[0]!);
	expect(top).toHaveLength(5);
	for (const line of table) expect(junctions(line), line).toEqual(top);
	// It uses the width: wider than the whole chat pane used to be on this terminal (101 columns).
	expect(top.at(-1)! - top[0]!).toBeGreaterThan(110);
	expect(top.at(-1)!).toBeLessThan(layout.chat.innerWidth - 1);
	// Wrapped inside its cells, with every row there and nothing spilled outside the box.
	expect(table.length).toBeGreaterThan(3 + ROWS.length * 2);
	const text = table.join('\n');
	for (const name of ROWS) expect(text).toContain(` ${name} `);
	expect(text).not.toContain('**');
	expect(text).not.toContain('`');
	// The tree pane's border stays in its column on every line of the frame.
	const treeLeft = lines.slice(1, -2).map((line) => [...line][layout.chat.width]);
	expect(new Set(treeLeft)).toEqual(new Set(['│']));
});

describe('chat width', () => {
	it('gives a wide terminal\'s extra columns to the chat, keeping the tree useful', () => {
		const wide = computeLayout({columns: 220, rows: 60});
		expect(wide.chat.width).toBeGreaterThanOrEqual(130);
		expect(wide.tree.width).toBeGreaterThanOrEqual(80);
		expect(wide.chat.width + wide.tree.width).toBe(220);
		for (const columns of [100, 120, 140, 160, 300]) {
			const layout = computeLayout({columns, rows: 40});
			expect(layout.tree.width).toBeGreaterThanOrEqual(54);
			expect(layout.chat.width).toBeGreaterThanOrEqual(46);
			expect(layout.chat.width + layout.tree.width).toBe(columns);
		}
		expect(computeLayout({columns: 300, rows: 40}).chat.width).toBeGreaterThan(200);
	});
});
