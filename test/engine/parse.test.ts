import {describe, expect, it} from 'vitest';
import {extractCodeBlocks, extractProseFinal, trimAfterLastBlock} from '../../source/engine/parse.js';

describe('extractCodeBlocks', () => {
	it('finds repl and python blocks in order and ignores other fences', () => {
		const reply = 'Look:\n```repl\nx = 1\n```\ntext\n```js\nnope()\n```\n```python\nprint(x)\n```';
		expect(extractCodeBlocks(reply)).toEqual(['x = 1', 'print(x)']);
	});

	it('returns nothing for prose and skips empty blocks', () => {
		expect(extractCodeBlocks('just words')).toEqual([]);
		expect(extractCodeBlocks('```repl\n\n```')).toEqual([]);
	});
});

describe('extractProseFinal', () => {
	it('keeps nested parentheses and strips quotes', () => {
		expect(extractProseFinal('So FINAL("f(x) = (a + b)") it is')).toBe('f(x) = (a + b)');
		expect(extractProseFinal('FINAL(42)')).toBe('42');
	});

	it('is null without FINAL and takes the rest when unbalanced', () => {
		expect(extractProseFinal('no answer here')).toBeNull();
		expect(extractProseFinal('FINAL(open ended')).toBe('open ended');
	});
});

describe('trimAfterLastBlock', () => {
	it('drops output a model invented after its code', () => {
		const reply = 'Plan\n```repl\nprint(1)\n```\nOutput: 1\nFINAL(1)';
		expect(trimAfterLastBlock(reply)).toBe('Plan\n```repl\nprint(1)\n```');
		expect(trimAfterLastBlock('no code')).toBe('no code');
	});
});
