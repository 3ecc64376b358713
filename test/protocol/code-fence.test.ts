// The one rule for what opens and closes a code fence (CommonMark's), shared by the reply reader and
// the thinking splitter: each line shape as models write it, read whole and a piece at a time.
import {Lexer} from 'marked';
import {describe, expect, it} from 'vitest';
import {closesFence, fenceLanguage, fenceLine, FenceLineReader, opensFence, type FenceLine} from '../../source/protocol/code-fence.js';

/** The line read in pieces of `size` characters. */
function inPieces(text: string, size: number, infoChars = Infinity): FenceLine | null {
	const reader = new FenceLineReader(infoChars);
	for (let at = 0; at < text.length; at += size) reader.add(text.slice(at, at + size));
	return reader.line();
}

const opening: Array<[string, string, Partial<FenceLine> | null]> = [
	['a ```repl opener', '```repl', {char: '`', length: 3, info: 'repl', bare: false}],
	['a bare ``` line', '```', {char: '`', length: 3, info: '', bare: true}],
	['a ~~~python opener', '~~~python', {char: '~', length: 3, info: 'python'}],
	['a longer run (a block that holds ``` lines)', '`````markdown', {char: '`', length: 5, info: 'markdown'}],
	['three spaces of indentation', '   ```py', {length: 3, info: 'py'}],
	['an info string after spaces, trimmed', '```   python  ', {info: 'python'}],
	['code written on the opening line', '```repl x = 1', {info: 'repl x = 1'}],
	['Quarto braces', '```{python echo=false}', {info: '{python echo=false}'}],
	['a zero-width space before the fence (copied text)', '\u200B```repl', {info: 'repl'}],
	['a BOM and spaces before the fence', ' \uFEFF ```repl', {info: 'repl'}],
	['a CRLF line ending after a bare fence', '```\r', {bare: true, closer: true}],
	['a tab after the run: no info string, but no closer either', '```\t', {bare: true, closer: false}],
	['a tilde fence may hold backticks in its info string', '~~~ a`b', {char: '~', info: 'a`b'}],
	['four spaces: indented code, not a fence', '    ```repl', null],
	['a tab: indented code, not a fence', '\t```repl', null],
	['two backticks are too few', '``repl', null],
	['text before the run', 'Use ```repl blocks', null],
	['an invisible character after the indentation limit', '   \u200B ```', null],
];

describe('a fence line', () => {
	it.each(opening)('%s', (_name, text, expected) => {
		const whole = fenceLine(text);
		if (expected === null) expect(whole).toBeNull();
		else expect(whole).toMatchObject(expected);
		for (let size = 1; size <= 13; size++) expect(inPieces(text, size), `pieces of ${size}`).toEqual(whole);
	});

	it('a backtick run with a backtick in its info string is inline code: no fence opens (marked agrees)', () => {
		for (const text of ['```x```', '```repl `x`', '```python print(`1`)']) {
			expect(opensFence(fenceLine(text)), text).toBe(false);
			expect(new Lexer({gfm: true}).blockTokens(`${text}\nmore\n`)[0]!.type, text).not.toBe('code');
		}
		expect(opensFence(fenceLine('~~~x`'))).toBe(true);
	});

	it('keeps only the info string’s first characters, but still sees a backtick or text far past them', () => {
		const long = `\`\`\`python ${'x'.repeat(5000)}`;
		for (const size of [1, 7, 64, 5000]) {
			expect(inPieces(long, size, 16)).toMatchObject({info: 'python xxxxxxxxx', bare: false, backtickInInfo: false});
			expect(inPieces(`${long}\``, size, 16)).toMatchObject({backtickInInfo: true});
			expect(inPieces(`\`\`\`${' '.repeat(40)}x`, size, 16)).toMatchObject({bare: false});
			expect(inPieces(`\`\`\`${' '.repeat(40)}`, size, 16)).toMatchObject({bare: true});
		}
	});
});

const closing: Array<[string, string, string, boolean]> = [
	['the same run', '```', '```', true],
	['a longer run of the same character', '```', '`````', true],
	['spaces after it', '```', '```   ', true],
	['a tab after it (marked reads on; CommonMark would close)', '```', '```\t', false],
	['three spaces of indentation', '```', '   ```', true],
	['a shorter run', '````', '```', false],
	['the other character', '```', '~~~', false],
	['an info string (a new block, or text)', '```', '```repl', false],
	['text after the run', '~~~', '~~~ end', false],
	['four spaces of indentation', '```', '    ```', false],
	['a run with a backtick after it', '```', '``` `', false],
];

describe('a closing fence', () => {
	it.each(closing)('%s', (_name, opener, line, closes) => {
		const fence = fenceLine(opener)!;
		expect(closesFence(fenceLine(line), fence)).toBe(closes);
		// marked, which reads the reply's structure, agrees: the block ends at that line or runs on.
		const tokens = new Lexer({gfm: true}).blockTokens(`${opener}\ncode\n${line}\nafter\n`);
		expect(tokens[0]!.raw.includes('after'), 'marked runs the block on').toBe(!closes);
	});
});

describe('the language an info string names', () => {
	it.each([
		['repl', 'repl', ''],
		['Python', 'python', ''],
		['python3 x = 1', 'python3', 'x = 1'],
		['{python}', 'python', ''],
		['{.py echo=false} x', 'py', 'x'],
		['\u200Brepl', 'repl', ''],
		['', '', ''],
	])('%j', (info, lang, rest) => {
		expect(fenceLanguage(info)).toEqual({lang, rest});
	});
});
