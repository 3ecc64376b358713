// The chat's lines as the pane draws them: a word longer than a line (a URL, a path) starts a line
// of its own and breaks after a slash, never from wherever the line before left off; a command's
// table leaves a column free before the pane's right border.
import {describe, expect, it} from 'vitest';
import {entryLines, proseLines} from '../../source/ui/chat-lines.js';
import {displayWidth} from '../../source/ui/format.js';

const PAGE = 'https://docs.anthropic.com/en/docs/resources/model-deprecations';
const DEPRECATED = `Anthropic has deprecated the model 'claude-3-opus-20240229' (end of life: January 5th, 2026): choose a newer model; see ${PAGE}`;

/** The words of `lines` joined again: what was broken at a space reads as it was written. */
const rejoined = (lines: readonly string[]) => lines.map((line) => line.trim()).join(' ');

describe('a long word in a chat line', () => {
	// The chat pane's widths at 60 to 200 columns, and narrower ones.
	for (const width of [30, 41, 53, 57, 71, 77, 111]) {
		it(`at ${width} columns: the URL whole on a line where it fits, else starting its own line, broken after a slash`, () => {
			const lines = entryLines({id: 1, kind: 'notice', text: DEPRECATED}, width).map((line) => line.text);
			for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
			const start = lines.findIndex((line) => line.includes('https://'));
			if (displayWidth(PAGE) <= width - 2) {
				// It fits a line: whole, on the line it starts on.
				expect(lines[start]).toContain(PAGE);
				expect(rejoined(lines)).toBe(`! ${DEPRECATED}`);
				return;
			}
			// Longer than a line: it begins its own (after the notice's indent), the text before it above.
			expect(lines[start], lines.join('\n')).toMatch(/^ {2}https:\/\//);
			expect(lines.slice(start).map((line) => line.trim()).join('')).toBe(PAGE);
			// Each piece but the last ends at a slash or a dash (never cut mid-word when one is in reach).
			for (const piece of lines.slice(start, -1)) expect(piece).toMatch(/[/-]$/);
			expect(rejoined(lines.slice(0, start))).toBe(`! ${DEPRECATED.slice(0, DEPRECATED.indexOf(PAGE)).trim()}`);
		});
	}

	it('a path in an error keeps its line breaks and the text after it; indentation of other lines stays', () => {
		const path = '/home/someone/projects/a-rather-long-folder-name/src/components/deeply/nested/file.py';
		const lines = proseLines(`Traceback:\n    File "${path}", line 3\n  ValueError: bad`, 40);
		for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
		expect(lines[0]).toBe('Traceback:');
		expect(lines[1]).toBe('    File');
		expect(lines.slice(2, -2).join('')).toBe(`"${path}",`);
		for (const piece of lines.slice(2, -3)) expect(piece).toMatch(/[/-]$/);
		expect(lines.at(-2)).toBe('line 3');
		expect(lines.at(-1)).toBe('  ValueError: bad');
	});

	it('words that fit are wrapped as before: at spaces, none cut', () => {
		const text = 'The sandbox could not start because the memory limit is lower than Pyodide needs to load.';
		const lines = proseLines(text, 20);
		for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(20);
		expect(rejoined(lines)).toBe(text);
	});
});

describe('a command\'s table in the chat', () => {
	const rows = [
		['depth', '1', 'default'],
		['temperature', '(0.7; none for GPT-5, o-series, Anthropic)', 'settings file'],
	];
	for (const width of [40, 53, 57, 77, 111]) {
		it(`at ${width} columns: one column free before the border, every cell whole or wrapped at a space`, () => {
			const lines = entryLines({id: 1, kind: 'info', text: 'Run settings:', table: rows}, width).map((line) => line.text);
			for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(width - 1);
			const words = lines.join(' ').split(/\s+/);
			for (const word of ['temperature', '(0.7;', 'GPT-5,', 'o-series,', 'Anthropic)', 'default', 'settings', 'file']) expect(words).toContain(word);
		});
	}
});
