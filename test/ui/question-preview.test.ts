// How the chat shows a long question (a large paste): its first and last lines and the count between.
import {describe, expect, it} from 'vitest';
import {questionPreview} from '../../source/ui/question-preview.js';

describe('questionPreview', () => {
	it('leaves a short one-line question as it is', () => {
		expect(questionPreview('what is in the file?')).toBe('what is in the file?');
	});

	it('gives the first line, the count of lines between and the last line (where a typed instruction after a paste is)', () => {
		const text = `summarise:\n${Array.from({length: 20}, (_, i) => `row ${i}`).join('\n')}\nin one line please`;
		expect(questionPreview(text)).toBe('summarise: … (+20 lines) … in one line please');
		expect(questionPreview('a\nb')).toBe('a … b');
		expect(questionPreview('a\nb\nc')).toBe('a … (+1 line) … c');
	});

	it('counts a trailing line break and CRLF line ends as a paste has them', () => {
		expect(questionPreview('one\r\ntwo\r\nthree\r\n')).toBe('one … (+1 line) … three');
	});

	it('cuts one long line and says how many characters are left out, never splitting an emoji', () => {
		expect(questionPreview(`${'x'.repeat(5)}${'y'.repeat(95)}`, 5)).toBe('xxxxx … (+95 characters)');
		expect(questionPreview(`ab😀cd`, 3)).toBe('ab😀 … (+2 characters)');
		const long = `${'w'.repeat(300)}\nend`;
		expect(questionPreview(long, 10)).toBe('wwwwwwwwww… … end');
	});
});
