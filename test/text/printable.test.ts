// The one sanitiser: what an attacker puts in model text, and ordinary text left alone.
import {describe, expect, it} from 'vitest';
import {printable, printableDeep, printableLine, printableMarked, printableMarkedDeep, printableMarkedLine} from '../../source/text/printable.js';

describe('printable', () => {
	it.each([
		['a window title (OSC 0)', 'a\u001b]0;pwned\u0007b', 'ab'],
		['a clipboard write (OSC 52)', '\u001b]52;c;cm0gLXJm\u001b\\', ''],
		['a hyperlink (OSC 8)', '\u001b]8;;http://evil\u0007text\u001b]8;;\u0007', 'text'],
		['a screen clear (CSI)', 'x\u001b[2J\u001b[H', 'x'],
		['an 8-bit CSI (C1)', 'x\u009b2J', 'x'],
		['a carriage return that overwrites a line', 'safe\rEVIL', 'safeEVIL'],
		['a device control string (DCS), whole', 'a\u001bPq#0\u001b\\b', 'ab'],
		['colours, whole', '\u001b[31mred\u001b[0m and \u001b[1;32mbold green\u001b[m', 'red and bold green'],
		['a bidi override (Trojan Source)', 'file\u202egnp.exe', 'filegnp.exe'],
		['bidi isolates', '\u2066a\u2069\u2067b\u2069\u2068c\u2069', 'abc'],
		['zero-width characters', 'exa\u200bmp\u2060le\ufeff', 'example'],
		['a joiner next to ASCII', 'exa\u200dmple', 'example'],
		['tag characters that smuggle ASCII', 'hi\u{e0041}\u{e0042}', 'hi'],
		['other format characters', 'a\u0600b\u{110bd}c', 'abc'],
	])('drops %s', (_what, text, expected) => {
		expect(printable(text)).toBe(expected);
	});

	it.each(['plain text\n\twith a tab', 'naïve café — “quotes”', '日本語のテキスト', 'emoji 👩‍💻 family 👨‍👩‍👧', 'العربية', 'हिन्दी'])('keeps %s', (text) => {
		expect(printable(text)).toBe(text);
	});

	it('printableLine keeps everything on one line', () => {
		expect(printableLine('m\r\n\r\ndata: {"x":1}\n\n: c\u2028d\re')).toBe('m  data: {"x":1}  : c d e');
		expect(printableLine('a\u001b]0;t\u0007b')).toBe('ab');
	});

	it('printableDeep cleans every string and key at any depth, and keeps clean objects as they are', () => {
		const clean = {type: 'x', list: [{name: 'a'}], n: 1};
		expect(printableDeep(clean)).toBe(clean);
		const dirty = {type: 'call.start', model: 'm\u001b]0;t\u0007', variables: [{name: 'v\u202e', type: 'int'}], usage: {'k\u001b[31m': 1}, n: 2};
		expect(printableDeep(dirty)).toEqual({type: 'call.start', model: 'm', variables: [{name: 'v', type: 'int'}], usage: {k: 1}, n: 2});
		expect(dirty.model).toBe('m\u001b]0;t\u0007');
	});

	describe('printableMarked', () => {
		it.each([
			['a window title (OSC 0): its introducer and end marked, its text shown', 'a\u001b]0;pwned\u0007b', 'a<U+001B>]0;pwned<U+0007>b'],
			['colours, as cat -v shows them', '\u001b[31mred\u001b[0m', '<U+001B>[31mred<U+001B>[0m'],
			['an 8-bit CSI (C1) and DEL', 'x\u009b2J\u007f', 'x<U+009B>2J<U+007F>'],
			['a bidi override (Trojan Source)', 'file\u202egnp.exe', 'file<U+202E>gnp.exe'],
			['zero-width characters', 'exa\u200bmp\u2060le\ufeff', 'exa<U+200B>mp<U+2060>le<U+FEFF>'],
			['a joiner next to ASCII', 'exa\u200dmple', 'exa<U+200D>mple'],
			['tag characters that smuggle ASCII', 'hi\u{e0041}\u{e0042}', 'hi<U+E0041><U+E0042>'],
			['other format characters', 'a\u0600b\u{110bd}c', 'a<U+0600>b<U+110BD>c'],
			['a carriage return, without a mark (it ends lines; it hides no text)', 'a\r\nb\rc', 'a\nbc'],
			['line separators, as line breaks', 'a\u2028b', 'a\nb'],
		])('marks %s', (_what, text, expected) => {
			expect(printableMarked(text)).toBe(expected);
			// Nothing in it that printable would take out: safe to draw.
			expect(printable(printableMarked(text))).toBe(printableMarked(text));
		});

		it.each(['plain text\n\twith a tab', 'naïve café — “quotes”', 'emoji 👩‍💻 family 👨‍👩‍👧', 'العربية', 'हिन्दी'])('keeps %s', (text) => {
			expect(printableMarked(text)).toBe(text);
		});

		it('tells look-alike ids apart, on one line, and in events at any depth', () => {
			expect(printableMarked('gpt-4o\u200b')).not.toBe(printableMarked('gpt-4o'));
			expect(printable('gpt-4o\u200b')).toBe(printable('gpt-4o'));
			expect(printableMarkedLine('m\r\nx\u200b')).toBe('m x<U+200B>');
			expect(printableMarkedDeep({model: 'm\u200b', list: ['ok'], usage: {'k\u001b': 1}})).toEqual({model: 'm<U+200B>', list: ['ok'], usage: {'k<U+001B>': 1}});
		});
	});
});
