import {describe, expect, it} from 'vitest';
import {printable} from '../../source/text/printable.js';
import {MAX_HELD_CHARS, printableStream} from '../../source/text/printable-stream.js';

/** The text streamed in pieces of `size` characters, joined. */
function streamed(text: string, size: number): string {
	const stream = printableStream();
	let out = '';
	for (let at = 0; at < text.length; at += size) out += stream.push(text.slice(at, at + size));
	return out + stream.end();
}

const hostile = [
	'answer with \u001b]52;c;cHduZWQ=\u0007osc52 and \u001b]0;TITLE2\u0007 title',
	'an OSC ended by ST: \u001b]0;TITLE\u001b\\ done',
	'colour \u001b[1;31mred\u001b[0m and a clear \u001b[2J\u001b[H, a hyperlink \u001b]8;;https://x.example\u001b\\link\u001b]8;;\u001b\\',
	'C1: \u009b31mred\u009bm, \u009d0;T\u009c, DCS \u001bPq#0;2;0;0;0\u001b\\ end',
	'a lone ESC \u001b at the end \u001b',
	'ESC and a letter \u001bx is no sequence; ESC 7 \u001b7 is',
];

describe('printableStream', () => {
	it.each(hostile)('gives the same text as printable of the whole, in pieces of any size: %j', (text) => {
		for (const size of [1, 2, 3, 5, 7, 13, 1000]) expect(streamed(text, size)).toBe(printable(text));
	});

	it('leaves none of a split OSC 52 payload as text', () => {
		const out = streamed('before \u001b]52;c;cHduZWQ=\u0007 after', 4);
		expect(out).toBe('before  after');
	});

	it('holds nothing back from plain text, so it streams as it comes', () => {
		const stream = printableStream();
		expect(stream.push('plain ')).toBe('plain ');
		expect(stream.push('text [1;31m')).toBe('text [1;31m');
		expect(stream.end()).toBe('');
	});

	it('holds an unfinished sequence until its end comes, then drops it whole', () => {
		const stream = printableStream();
		expect(stream.push('a \u001b]0;ti')).toBe('a ');
		expect(stream.push('tle')).toBe('');
		expect(stream.push('\u0007 b')).toBe(' b');
	});

	it('holds no more than its bound: an OSC never ended is let go, its introducer taken out', () => {
		const stream = printableStream();
		let out = stream.push('x \u001b]0;');
		for (let i = 0; i < 3; i++) out += stream.push('y'.repeat(MAX_HELD_CHARS));
		out += stream.end();
		expect(out).not.toContain('\u001b');
		expect(out.length).toBeGreaterThan(2 * MAX_HELD_CHARS);
	});

	it('at its end gives what it held, made printable', () => {
		const stream = printableStream();
		expect(stream.push('cut \u001b[3')).toBe('cut ');
		expect(stream.end()).toBe('[3');
	});
});

describe('printable', () => {
	it('takes out a C1 OSC whole in a text with no ESC (a window title, `\\u009d0;T\\u009c`)', () => {
		expect(printable('a \u009d0;TITLE\u009c b')).toBe('a  b');
		expect(printable('a \u009d52;c;cHduZWQ=\u0007 b')).toBe('a  b');
	});
});
