// A command's rows in the chat (the /settings view) laid out for the pane's width: aligned columns
// when they fit, the names kept whole and the other cells wrapped in their column when narrower,
// one block per row when even that cannot fit. Never a line wider than the width.
import stringWidth from 'string-width';
import {describe, expect, it} from 'vitest';
import {columnLines} from '../../source/ui/chat-columns.js';

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
		expect(columnLines(ROWS, 50)).toEqual([
			'depth            1                  default',
			'temperature      (0.7; none for     settings file',
			'                 GPT-5, o-series,',
			'                 Anthropic)',
			'request-timeout  300 s              default, this',
			'                                    session',
		]);
	});

	it('too narrow for the names beside the rest: one block per row, the other cells under the name', () => {
		const lines = columnLines(ROWS, 20);
		for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(20);
		expect(lines[0]).toBe('depth');
		expect(lines[1]).toBe('  1 · default');
		expect(lines).toContain('request-timeout');
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
