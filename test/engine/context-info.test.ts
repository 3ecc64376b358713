// What the root model is told about each kind of context: its Python type and size, never the text.
import {describe, expect, it} from 'vitest';
import {contextInfo, matchesLoggedShape} from '../../source/engine/context-info.js';
import {describeContext} from '../../source/engine/prompts.js';
import type {ContextInfo} from '../../source/protocol/events.js';

describe('the context as the root model sees it', () => {
	it('a str and a dict of text: as before', () => {
		expect(contextInfo('hello')).toEqual({type: 'str', chars: 5});
		expect(describeContext(contextInfo('hello'))).toBe('Your context is a str of 5 characters.');
		const files = contextInfo({'a.md': 'aaa', 'b.md': 'bb'});
		expect(files).toEqual({type: 'dict', chars: 5, keys: ['a.md', 'b.md']});
		expect(describeContext(files)).toBe('Your context is a dict of 2 documents (5 characters in all), keyed by "a.md", "b.md".');
	});

	it('counts characters as Python\'s len() does: an emoji (a surrogate pair) is one; a lone surrogate is one too', () => {
		const text = 'I 😀 Python 🐍 and 👍🏽 skin tones: 中文 ok';
		expect(contextInfo(text)).toEqual({type: 'str', chars: [...text].length});
		expect([...text].length).toBeLessThan(text.length);
		expect(contextInfo({'a.md': '😀😀', 'b.md': '\uD800x'})).toMatchObject({chars: 2 + 2});
	});

	it('a logged size matches in the unit the log names; in either count when it names none (logs before 2026-12-02 counted UTF-16 units)', () => {
		const files = {'a.md': '😀😀', 'b.md': 'ab'};
		const codePoints: ContextInfo = {type: 'dict', chars: 4, keys: ['a.md', 'b.md']};
		const units = {...codePoints, chars: 6};
		expect(matchesLoggedShape(files, codePoints, 'code_point')).toBe(true);
		expect(matchesLoggedShape(files, units, 'code_point')).toBe(false);
		expect(matchesLoggedShape(files, units, 'utf16_unit')).toBe(true);
		expect(matchesLoggedShape(files, codePoints, 'utf16_unit')).toBe(false);
		expect(matchesLoggedShape(files, units, undefined)).toBe(true);
		expect(matchesLoggedShape(files, codePoints, undefined)).toBe(true);
		expect(matchesLoggedShape(files, {...units, chars: 5}, undefined)).toBe(false);
		expect(matchesLoggedShape(files, {...units, keys: ['a.md', 'c.md']}, undefined)).toBe(false);
		expect(matchesLoggedShape(files, undefined, undefined)).toBe(false);
	});

	it('parsed JSON: a list with its item count, a dict of values, a number, a bool', () => {
		const list = contextInfo([{n: 1}, 'ab', 3]);
		expect(list).toEqual({type: 'list', chars: 7 + 2 + 1, items: 3});
		expect(describeContext(list)).toMatch(/^Your context is a list of 3 items parsed from JSON \(10 characters in all as text\)\./);
		const data = contextInfo({rows: [1, 2], title: 'T'});
		expect(data).toEqual({type: 'dict', chars: 5 + 1, keys: ['rows', 'title'], values: 'json'});
		expect(describeContext(data)).toMatch(/^Your context is a dict of 2 entries parsed from JSON .* keyed by "rows", "title"\. Values may be/);
		expect(contextInfo(42)).toEqual({type: 'int', chars: 2});
		expect(contextInfo(2.5)).toEqual({type: 'float', chars: 3});
		expect(contextInfo(false)).toEqual({type: 'bool', chars: 5});
		expect(describeContext(contextInfo(42))).toBe('Your context is an int parsed from JSON (2 characters as text).');
	});
});
