// Whether text read so far ends inside code (fence-lines.ts CodeTracker): what the stripped harmony
// reader and the end-of-turn reader ask before taking a word or a token as the text's own.
import {describe, expect, it} from 'vitest';
import {CodeTracker} from '../../source/backends/fence-lines.js';

function endsInCode(text: string, pieces = 1): boolean {
	const tracker = new CodeTracker();
	const size = Math.ceil(text.length / pieces);
	for (let at = 0; at < text.length; at += size) tracker.feed(text.slice(at, at + size));
	return tracker.endsInCode();
}

describe('CodeTracker', () => {
	const cases: Array<[string, boolean]> = [
		['plain prose', false],
		['an open `span', true],
		['a closed `span` then', false],
		['``a ` b`` closed by its own run', false],
		['``open with ` inside', true],
		['```repl\nx = 1\n', true],
		['```repl\nx = 1\n```', false],
		['```repl\nx = 1\n```\nafter', false],
		['~~~\ncode\n', true],
		['~~~\ncode\n```', true],
		['````\n```\n', true],
		['    ```\nindented four: not a fence\n', false],
		['```x```\ninline at a line start: no fence\n', false],
		['\u200B```\nan invisible character in the indentation: a fence\n', true],
		['```\na\n  ```  ', false],
		['```\na\n``` b', true],
		['a `span\nends at the line', false],
		['```', true],
	];
	it.each(cases)('%j ends in code: %s', (text, expected) => {
		for (const pieces of [1, 2, 5, text.length]) expect({pieces, code: endsInCode(text, pieces)}).toEqual({pieces, code: expected});
	});

	it('a fork reads on without moving the tracker', () => {
		const tracker = new CodeTracker();
		tracker.feed('```repl\n');
		const fork = tracker.fork();
		fork.feed('x\n```\n');
		expect(fork.endsInCode()).toBe(false);
		expect(tracker.endsInCode()).toBe(true);
	});
});
