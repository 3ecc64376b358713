// A command's rows in the chat (the /settings view) laid out for the pane's width: aligned columns
// when they fit, the names kept whole and the other cells wrapped in their column when narrower,
// one block per row when even that cannot fit or leaves a column under 24 wide; long words broken
// at commas and slashes. Never a line wider than the width.
import stringWidth from 'string-width';
import {describe, expect, it} from 'vitest';
import {columnLines, wrapCell} from '../../source/ui/chat-columns.js';

const ROWS = [
	['depth', '1', 'default'],
	['temperature', '(0.7; none for GPT-5, o-series, Anthropic)', 'settings file'],
	['request-timeout', '300 s', 'default, this session'],
];

describe('columnLines', () => {
	it('aligns the columns at their natural width when they fit', () => {
		expect(columnLines(ROWS, 100)).toEqual([
			'depth            1                                           default',
			'temperature      (0.7; none for GPT-5, o-series, Anthropic)  settings file',
			'request-timeout  300 s                                       default, this session',
		]);
	});

	it('narrower: keeps the names whole and wraps the other cells inside their own column', () => {
		expect(columnLines(ROWS, 64)).toEqual([
			'depth            1                         default',
			'temperature      (0.7; none for GPT-5,     settings file',
			'                 o-series, Anthropic)',
			'request-timeout  300 s                     default, this session',
		]);
	});

	it('a column narrowed below 24 columns gives way to one block per row (was a 13-wide value column)', () => {
		const lines = columnLines(ROWS, 50);
		expect(lines).toEqual([
			'depth',
			'  1 · default',
			'temperature',
			'  (0.7; none for GPT-5, o-series, Anthropic)',
			'  · settings file',
			'request-timeout',
			'  300 s · default, this session',
		]);
	});

	it('too narrow for the names beside the rest: one block per row, the other cells under the name', () => {
		const lines = columnLines(ROWS, 20);
		for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(20);
		expect(lines[0]).toBe('depth');
		expect(lines[1]).toBe('  1 · default');
		expect(lines).toContain('request-timeout');
	});

	it('breaks a model list at its commas and a URL after a slash, not every few columns mid-word', () => {
		const rows = [
			['allow-models', 'llama3.1:70b-instruct-q4_K_M, qwen2.5-coder:32b, gpt-4o-mini', 'settings file'],
			['sub-url', 'https://openrouter.ai/api/v1/chat/completions-proxy', 'settings file'],
		];
		// The chat pane at 100 columns.
		expect(columnLines(rows, 42)).toEqual([
			'allow-models',
			'  llama3.1:70b-instruct-q4_K_M,',
			'  qwen2.5-coder:32b, gpt-4o-mini',
			'  · settings file',
			'sub-url',
			'  https://openrouter.ai/api/v1/chat/',
			'  completions-proxy',
			'  · settings file',
		]);
		expect(wrapCell('llama3.1:70b-instruct-q4_K_M', 16)).toEqual(['llama3.1:70b-', 'instruct-q4_K_M']);
		// No break character in reach: cut at the width.
		expect(wrapCell('abcdefghijklmnopqrstuvwxyz', 10)).toEqual(['abcdefghij', 'klmnopqrst', 'uvwxyz']);
		expect(wrapCell('short words stay whole', 11)).toEqual(['short words', 'stay whole']);
	});

	it('counts wide characters by the columns they take', () => {
		const lines = columnLines([['名前', '値'], ['a', 'b']], 40);
		expect(lines).toEqual(['名前  値', 'a     b']);
	});

	it('draws nothing for no rows or no room', () => {
		expect(columnLines([], 40)).toEqual([]);
		expect(columnLines(ROWS, 0)).toEqual([]);
	});
});
