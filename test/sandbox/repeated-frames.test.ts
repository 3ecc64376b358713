// collapseRepeatedFrames on the shapes deep recursion takes (the real sandbox's are in limits.test.ts).
import {describe, expect, it} from 'vitest';
import {collapseRepeatedFrames} from '../../source/sandbox/repeated-frames.js';

const frame = (line: number, name: string) => `  File "<block 1>", line ${line}, in ${name}\n    ${name}(n + 1)\n    ~^^^^^^^`;

describe('collapseRepeatedFrames', () => {
	it('leaves a traceback Python already counted, and text without frames, as they are', () => {
		const counted = ['Traceback (most recent call last):', frame(2, '<module>'), frame(1, 'down'), frame(1, 'down'), frame(1, 'down'), '  [Previous line repeated 995 more times]', 'RecursionError: maximum recursion depth exceeded'].join('\n');
		expect(collapseRepeatedFrames(counted)).toBe(counted);
		expect(collapseRepeatedFrames('a\na\na\na\na\n')).toBe('a\na\na\na\na\n');
		// Three of a cycle are still fewer than the count would take.
		const short = [frame(1, 'a'), frame(2, 'b'), frame(1, 'a'), frame(2, 'b')].join('\n');
		expect(collapseRepeatedFrames(short)).toBe(short);
	});

	it("leaves out the REPL's own frames, and a crash dump's header when they were all it had", () => {
		const printed = ['Traceback (most recent call last):', '  File "<rlm-prelude>", line 801, in run', '    exec(compile(tree, filename, "exec"), ns)', frame(2, '<module>'), 'ValueError: x'].join('\n');
		expect(collapseRepeatedFrames(printed)).toBe(['Traceback (most recent call last):', frame(2, '<module>'), 'ValueError: x'].join('\n'));
		expect(collapseRepeatedFrames('Stack (most recent call first):\n  File "<rlm-prelude>", line 790 in run\n')).toBe('');
		expect(collapseRepeatedFrames('Stack (most recent call first):\n  File "<block 3>", line 1 in <module>\n  File "<rlm-prelude>", line 813 in run\n')).toBe('Stack (most recent call first):\n  File "<block 3>", line 1 in <module>\n');
	});

	it('counts one frame repeated (a crash dump) and a cycle of frames, keeping what surrounds them', () => {
		const dump = `before\nStack (most recent call first):\n${'  File "<block 2>", line 4 in down\n'.repeat(100)}  File "<block 2>", line 5 in <module>\n`;
		expect(collapseRepeatedFrames(dump)).toBe(`before\nStack (most recent call first):\n${'  File "<block 2>", line 4 in down\n'.repeat(3)}  [Previous line repeated 97 more times]\n  File "<block 2>", line 5 in <module>\n`);
		const cycle = ['Traceback (most recent call last):', frame(9, '<module>'), ...Array.from({length: 50}, () => [frame(1, 'a'), frame(2, 'b'), frame(3, 'c')]).flat(), 'RecursionError: maximum recursion depth exceeded'].join('\n');
		expect(collapseRepeatedFrames(cycle)).toBe(['Traceback (most recent call last):', frame(9, '<module>'), frame(1, 'a'), frame(2, 'b'), frame(3, 'c'), '  [Previous 3 frames repeated 49 more times]', 'RecursionError: maximum recursion depth exceeded'].join('\n'));
	});
});
