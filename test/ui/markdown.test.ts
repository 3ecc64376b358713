// Markdown answers as terminal lines (markdown.ts over markdown-render.ts and markdown-table.ts):
// shape properties at the widths a chat pane has, from a narrow split to a wide terminal.
import stringWidth from 'string-width';
import stripAnsi from 'strip-ansi';
import {beforeAll, describe, expect, it} from 'vitest';
import {printable, wrapLines} from '../../source/ui/format.js';
import {loadRenderers, markdownLines} from '../../source/ui/markdown.js';
import {fitColumns} from '../../source/ui/markdown-table.js';

const WIDTHS = [40, 80, 120, 200] as const;
const SGR = /\u001b\[[0-9;]*m/g;

beforeAll(async () => {
	await loadRenderers();
});

const styled = (text: string, width: number) => markdownLines(text, width, {ansi: true});
const plain = (text: string, width: number) => markdownLines(text, width, {ansi: false});
const visible = (lines: readonly string[]) => lines.map((line) => stripAnsi(line));

function expectFits(lines: readonly string[], width: number) {
	for (const line of lines) expect(stringWidth(line), JSON.stringify(stripAnsi(line))).toBeLessThanOrEqual(width);
}

/** Wrapped once and greedily: no line could have taken the next line's first word. */
function expectWrappedOnce(lines: readonly string[], width: number) {
	for (let i = 0; i + 1 < lines.length; i++) {
		const here = lines[i]!;
		const next = lines[i + 1]!;
		if (!here.trim() || !next.trim()) continue;
		const word = next.trim().split(' ')[0]!;
		expect(stringWidth(here.trimEnd()) + 1 + stringWidth(word), `${JSON.stringify(here)} could take ${JSON.stringify(word)}`).toBeGreaterThan(width);
	}
}

const WIDE_TABLE = [
	'| Id | Name | Description | Owner | Status | Score | Notes |',
	'|---|:---|---|---|:---:|---:|---|',
	...Array.from({length: 6}, (_, i) => `| ${i} | item-${i} | a fairly long description of item ${i} that runs on for a while | team-${i} | ${i % 2 ? 'open' : 'closed'} | ${i * 7}.5 | see \`notes_${i}\` and the linked report |`),
].join('\n');

/** The columns at which a boxed table's lines have a vertical bar or a rule's junction. */
const junctions = (line: string) => {
	const at: number[] = [];
	let column = 0;
	for (const char of line) {
		if ('│┌┐└┘├┤┬┴┼'.includes(char)) at.push(column);
		column += stringWidth(char);
	}
	return at;
};

describe('tables', () => {
	it('fit the pane with cells wrapped inside their columns, borders aligned, every word kept', () => {
		for (const width of [80, 120, 200]) {
			const lines = visible(styled(WIDE_TABLE, width));
			expectFits(lines, width);
			const boxed = lines.filter((line) => /^[│┌├└]/.test(line));
			expect(boxed.length).toBe(lines.length);
			const top = junctions(boxed[0]!);
			expect(top.length).toBe(8);
			for (const line of boxed) expect(junctions(line), line).toEqual(top);
			const text = lines.join(' ');
			for (const word of WIDE_TABLE.replace(/[|`:-]/g, ' ').split(/\s+/).filter((w) => w.length > 2)) expect(text).toContain(word);
		}
	});

	it('keep their natural size when that fits, without rules between rows', () => {
		const small = '| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |';
		for (const width of WIDTHS) {
			expect(visible(styled(small, width))).toEqual(['┌───┬───┐', '│ a │ b │', '├───┼───┤', '│ 1 │ 2 │', '│ 3 │ 4 │', '└───┴───┘']);
		}
	});

	it('wrapped rows are ruled apart, and alignment is kept per column', () => {
		const lines = visible(styled(WIDE_TABLE, 80));
		const rules = lines.filter((line) => line.startsWith('├'));
		expect(rules.length).toBe(6); // under the header and between the six rows
		const row = lines.find((line) => line.includes(' 7.5 '))!;
		const cells = row.split('│');
		expect(cells[6]).toMatch(/^ +7\.5 $/); // right-aligned
		expect(cells[5]!.trim()).toBe('open');
		expect(cells[5]!.indexOf('open')).toBeGreaterThan(1); // centred
	});

	it('fall back to one block per row when even a narrowed table cannot fit', () => {
		for (const width of [40, 24]) {
			const lines = visible(styled(WIDE_TABLE, width));
			expectFits(lines, width);
			expect(lines.join('')).not.toMatch(/[│┌┬]/);
			expect(lines[0]).toBe('0');
			expect(lines).toContain('  Name: item-0');
			expect(lines.some((line) => line.startsWith('  Description: a'))).toBe(true);
			// Values wrap under their label, indented.
			const index = lines.findIndex((line) => line.startsWith('  Description:'));
			expect(lines[index + 1]).toMatch(/^ {4}\S/);
			expect(lines.filter((line) => line === '').length).toBe(5);
		}
	});

	it('count wide and zero-width characters by the columns they take', () => {
		const table = '| 名前 | 説明 |\n|---|---|\n| 日本語 | とても長い説明文がここに入りますとても長い説明文がここに入ります |\n| 🎉 party | e\u0301t\u00e9 ok |';
		for (const width of WIDTHS) {
			const lines = visible(styled(table, width));
			expectFits(lines, width);
			const top = junctions(lines[0]!);
			for (const line of lines) expect(junctions(line), line).toEqual(top);
		}
	});

	it('break lines at <br> inside a cell', () => {
		const lines = visible(styled('| k | v |\n|---|---|\n| a | one<br>two |', 80));
		expect(lines).toContain('│ a │ one │');
		expect(lines).toContain('│   │ two │');
	});

	it('share the room max-min fair: short columns whole, the rest split', () => {
		const split = fitColumns([3, 50, 50], [3, 12, 12], 60)!;
		expect(split[0]).toBe(3);
		expect(split[1]! + split[2]!).toBe(57);
		expect(Math.abs(split[1]! - split[2]!)).toBeLessThanOrEqual(1);
		expect(fitColumns([3, 10, 50], [3, 10, 12], 40)).toEqual([3, 10, 27]);
		expect(fitColumns([30, 30], [12, 12], 20)).toBeUndefined();
		expect(fitColumns([5, 6], [5, 6], 40)).toEqual([5, 6]);
	});
});

describe('lists', () => {
	const long = '- first item that is very long and will certainly wrap onto a second and third line in a narrow pane\n- second item\n\n1. one\n2. two\n10. ten is long enough to wrap around as well in the narrowest of the panes we try here';

	it('keep the item indent on wrapped lines, for bullets and numbers', () => {
		for (const width of WIDTHS) {
			const lines = visible(styled(long.replace('10.', '3.'), width));
			expectFits(lines, width);
			const first = lines.indexOf(lines.find((line) => line.startsWith('• first'))!);
			for (let i = first + 1; !lines[i]!.startsWith('• second'); i++) expect(lines[i]).toMatch(/^ {2}\S/);
			expectWrappedOnce(lines.slice(first, lines.findIndex((line) => line.startsWith('• second'))), width);
		}
		const ordered = visible(styled('8. eight\n9. nine\n10. ten is long enough to wrap around as well in the narrowest of the panes we try', 40));
		expect(ordered[0]).toBe(' 8. eight');
		expect(ordered[2]!.startsWith('10. ten')).toBe(true);
		expect(ordered[3]).toMatch(/^ {4}\S/);
	});

	it('nest without blank lines in a tight list, and keep the blank lines of a loose one', () => {
		const tight = '- a\n  - b\n    - c\n- d';
		for (const width of WIDTHS) expect(visible(styled(tight, width))).toEqual(['• a', '  ◦ b', '    ▪ c', '• d']);
		expect(visible(styled('- a\n\n- b', 80))).toEqual(['• a', '', '• b']);
	});

	it('render inline code, emphasis and links inside items (no literal backticks)', () => {
		for (const width of WIDTHS) {
			const lines = styled('- run `python main.py` with **care**\n- [x] done `task`', width);
			const text = visible(lines).join('\n');
			expect(text).not.toContain('`');
			expect(text).not.toContain('**');
			expect(lines.join('\n')).toContain('\u001b[36mpython main.py\u001b[39m');
			expect(text).toContain('• [x] done task');
		}
	});
});

describe('inline text', () => {
	it('styles ~~strike~~, and keeps its markers where styles are off', () => {
		for (const width of WIDTHS) {
			expect(styled('was ~~wrong~~ right', width)[0]).toContain('\u001b[9mwrong\u001b[29m');
			expect(plain('was ~~wrong~~ right', width)[0]).toBe('was ~~wrong~~ right');
		}
	});

	it('never leaves punctuation alone on a line after a soft break', () => {
		const text = 'The total is 42\n. The model said so\n, and it checked twice\n; then stopped\n! Done (really\n) now';
		for (let width = 8; width <= 80; width++) {
			const lines = visible(plain(text, width));
			expectFits(lines, width);
			for (const line of lines) expect(line, `width ${width}`).not.toMatch(/^[.,;:!?)]/);
		}
		expect(visible(plain(text, 200))[0]).toBe('The total is 42. The model said so, and it checked twice; then stopped! Done (really) now');
	});

	it("keeps an answer's line breaks: line-shaped answers (logs, CSV, printed lists) stay one item a line", () => {
		expect(visible(plain('tick 0\ntick 1\ntick 2', 80))).toEqual(['tick 0', 'tick 1', 'tick 2']);
		expect(visible(plain('name,count\ncat,3\ndog,5', 80))).toEqual(['name,count', 'cat,3', 'dog,5']);
	});

	it("keeps each line's leading spaces in a paragraph: aligned columns, indented continuations", () => {
		const columns = '  Name     Age\n  Bob       42\n  Alice      7';
		expect(visible(plain(columns, 80))).toEqual(['  Name     Age', '  Bob       42', '  Alice      7']);
		expect(visible(styled('Totals:\n    **north**   12\n\tsouth   3', 80))).toEqual(['Totals:', '    north   12', '    south   3']);
		expect(visible(plain('- first item\n  continues\n     and indents', 80))).toEqual(['• first item', '  continues', '     and indents']);
		expect(visible(plain('> quoted\n>    indented', 80))).toEqual(['│ quoted', '│    indented']);
		// A long indented line wraps at its own indent and keeps within the width.
		const wrapped = visible(plain('Note:\n    an indented line that is long enough to wrap at a narrow width', 30));
		expectFits(wrapped, 30);
		expect(wrapped.slice(1).every((line) => line.startsWith('    ') && line[4] !== ' ')).toBe(true);
		expect(wrapped.slice(1).join(' ').replace(/ +/g, ' ').trim()).toBe('an indented line that is long enough to wrap at a narrow width');
	});

	it('wrap paragraphs once, greedily, at every width', () => {
		const text = 'Some paragraph text that is long enough to wrap across lines, with **bold**, *italic*, `code` and more words after it, to fill several lines at the narrow widths.';
		for (const width of WIDTHS) {
			const lines = visible(styled(text, width));
			expectFits(lines, width);
			expectWrappedOnce(lines, width);
		}
	});

	it('opens and closes its styles on every line', () => {
		const lines = styled('**bold text that goes on and on across several lines of the pane, and _italic inside_ it too**', 20);
		for (const line of lines) {
			const codes = line.match(SGR) ?? [];
			const opens = codes.filter((code) => ['\u001b[1m', '\u001b[3m'].includes(code)).length;
			const closes = codes.filter((code) => ['\u001b[22m', '\u001b[23m'].includes(code)).length;
			expect(opens, JSON.stringify(line)).toBe(closes);
		}
	});
});

describe('block quotes and code', () => {
	it('wrap a block quote once, inside its bar', () => {
		const quote = '> a block quote that is long enough that it will wrap across more than one line in any pane narrower than two hundred columns, and then some more words';
		for (const width of WIDTHS) {
			const lines = visible(styled(quote, width));
			expectFits(lines, width);
			for (const line of lines) expect(line.startsWith('│ ')).toBe(true);
			expectWrappedOnce(lines.map((line) => line.slice(2)), width - 2);
		}
	});

	it('keep a code line\'s indentation when it wraps, and every character', () => {
		const code = '```python\ndef f(records):\n        return some_really_long_function_name(argument_one, argument_two, argument_three, argument_four)\n```';
		for (const width of WIDTHS) {
			const lines = visible(styled(code, width));
			expectFits(lines, width);
			expect(lines[0]).toBe('  def f(records):');
			expect(lines[1]).toMatch(/^ {10}return/);
			for (const line of lines.slice(2)) expect(line).toMatch(/^ {12}\S/);
			expect(lines.join('').replace(/\s/g, '')).toBe('deff(records):returnsome_really_long_function_name(argument_one,argument_two,argument_three,argument_four)');
		}
	});
});

describe('indented lines in an answer', () => {
	const CODE_STYLE = '\u001b[36m';

	it('a line indented for alignment under a paragraph line is text, as CommonMark reads it (a continuation), with its indent', () => {
		for (const width of WIDTHS) {
			const lines = styled('The answer is 42.\n    (computed from 3 files)\nTotals:\n    North:  120\n    South:   95', width);
			expect(lines.join('')).not.toContain(CODE_STYLE);
			expect(visible(lines)).toEqual(['The answer is 42.', '    (computed from 3 files)', 'Totals:', '    North:  120', '    South:   95']);
		}
	});

	it('an answer indented as a whole (written in an indented Python string) is text, its own relative indents kept', () => {
		const answer = '\n        Summary: the files hold 3 functions.\n        Totals:\n            North:  120\n            South:   95\n    ';
		for (const width of WIDTHS) {
			const lines = styled(answer, width);
			expect(lines.join('')).not.toContain(CODE_STYLE);
			expect(visible(lines)).toEqual(['Summary: the files hold 3 functions.', 'Totals:', '    North:  120', '    South:   95']);
		}
	});

	it('an indented block after a blank line is code, as CommonMark says, with nothing after it but the block gap', () => {
		const lines = styled('Totals:\n\n    North:  120\n    South:   95\nDone.', 80);
		expect(visible(lines)).toEqual(['Totals:', '', '  North:  120', '  South:   95', '', 'Done.']);
		expect(lines[2]).toContain(CODE_STYLE);
	});
});

describe('links and escapes from model text', () => {
	it('show the link text and its real target, never an OSC 8 hyperlink', () => {
		for (const width of WIDTHS) {
			const text = visible(styled('See [the docs](https://evil.example/steal?x=1) and <https://ok.example/a>.', width)).join(' ');
			expect(text).toContain('the docs');
			expect(text.replace(/\s+/g, '')).toContain('(https://evil.example/steal?x=1)');
			expect(text.match(/https:\/\/ok\.example\/a/g)).toHaveLength(1);
			expect(styled('[a](https://b.example)', width).join('')).not.toContain('\u001b]8');
		}
		// A look-alike host is shown as the browser would go to it.
		expect(visible(styled('[paypal.com](https://p\u0430ypal.com/login)', 80)).join('')).toContain('https://xn--pypal-4ve.com/login');
	});

	it('emit no escape sequence, control or disguising character that the model wrote', () => {
		const hostile = [
			'raw \u001b]52;c;SGVsbG8=\u0007 clipboard and \u001b[2J clear and \u009b31m C1',
			'entities &#x1b;]0;title&#7; &#27;[2J &#x9b;1m &#155;0m and &#x202e;evil&#x202c; &#8203;zw',
			'bidi \u202egnp.exe\u202c and zero\u200bwidth and exa\u200dmple and tag\u{e0041}s',
			'`code \u001b[31m &#x1b;` and [link \u001b]8;;x\u0007](https://x.example/&#x1b;[2J) ![img &#27;](http://i.example/&#7;)',
			'# heading &#x1b;[5m\n\n> quote &#x1b;[5m\n\n- item &#x1b;[5m\n\n| h &#x1b;[5m |\n|---|\n| c &#x1b;[5m |',
			'```\ncode block \u001b[31m red \u0007 \u202e\n```',
		].join('\n\n');
		for (const width of WIDTHS) {
			for (const ansi of [true, false]) {
				const out = markdownLines(hostile, width, {ansi}).join('\n').replace(SGR, '');
				expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
				expect(out).not.toMatch(/[\u200b\u200d\u202a-\u202e\u2066-\u2069\u{e0000}-\u{e007f}]/u);
				expect(out).toContain('clipboard');
			}
		}
	});

	it('keeps joiners that build emoji and scripts, and drops them between ASCII letters', () => {
		expect(printable('👩\u200d💻 and exa\u200dmple')).toBe('👩\u200d💻 and example');
		expect(printable('a\tb\nc\u0007\u001b[0m')).toBe('a\tb\nc');
	});
});

describe('headings, rules and plain text', () => {
	it('bold headings (markers when styles are off), rules across the width', () => {
		for (const width of WIDTHS) {
			expect(styled('## Title', width)[0]).toBe('\u001b[1mTitle\u001b[22m');
			expect(plain('## Title', width)[0]).toBe('## Title');
			expect(visible(styled('a\n\n---\n\nb', width))[2]).toBe('─'.repeat(width));
		}
	});

	it('decodes the entities models write, and keeps code literal', () => {
		expect(visible(plain('a &amp; b &lt; c &mdash; d &copy; `x &amp; y`', 80))[0]).toBe('a & b < c — d © x &amp; y');
	});
});

describe('plain wrapping (chat entries, detail view)', () => {
	it('keeps indentation and never starts a wrapped row with the break space', () => {
		expect(wrapLines('abc def', 3)).toEqual(['abc', 'def']);
		expect(wrapLines('    indented words here', 12)).toEqual(['    indented', 'words here']);
		expect(wrapLines('\u001b[1mabc def\u001b[22m', 3).map((line) => stripAnsi(line))).toEqual(['abc', 'def']);
		for (const width of WIDTHS) {
			const text = 'try the offline demo model: /backend demo, or fix the URL with /backend openai URL. '.repeat(6);
			for (const row of wrapLines(text, width).slice(1)) expect(row.startsWith(' ')).toBe(false);
		}
	});
});
