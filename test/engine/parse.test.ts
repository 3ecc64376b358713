// Reading replies as CommonMark does, plus the leniencies real models need; prose FINAL rules.
// Cases marked "original:" restate the original RLM's tests/test_parsing.py for our rules.
import {describe, expect, it} from 'vitest';
import {dedent, readReply, trimAfterLastBlock} from '../../source/engine/parse.js';
import {findProseFinal, unquote} from '../../source/engine/prose-final.js';

const codes = (reply: string) => readReply(reply).blocks.map((block) => block.code);
const final = (reply: string, variables: string[] = []) => findProseFinal(readReply(reply).prose, new Set(variables));

describe('code blocks', () => {
	it('original: one block, several blocks in order, none in plain text, a multi-line block', () => {
		expect(codes("Here's some code:\n```repl\nx = 1 + 2\nprint(x)\n```\nDone.")).toEqual(['x = 1 + 2\nprint(x)']);
		expect(codes('First block:\n```repl\na = 1\n```\nSecond block:\n```repl\nb = 2\n```\nEnd.')).toEqual(['a = 1', 'b = 2']);
		expect(codes('Just plain text without any code blocks.')).toEqual([]);
		const factorial = 'def factorial(n):\n    if n <= 1:\n        return 1\n    return n * factorial(n - 1)\n\nresult = factorial(5)\nprint(result)';
		expect(codes(`\`\`\`repl\n${factorial}\n\`\`\``)).toEqual([factorial]);
	});

	it('accepts repl, python, py and python3 in any case, with spaces before the tag; skips other languages', () => {
		const reply = [
			'```Python\na = 1\n```',
			'``` repl\nb = 2\n```',
			'```PY\nc = 3\n```',
			'```python3\nd = 4\n```',
			'```js\nnope()\n```',
			'```\nuntagged = 1\n```',
			'```pythonic\nnot_python = 1\n```',
		].join('\n\n');
		expect(codes(reply)).toEqual(['a = 1', 'b = 2', 'c = 3', 'd = 4']);
		expect(readReply(reply).blocks.map((block) => block.lang)).toEqual(['python', 'repl', 'py', 'python3']);
	});

	it('accepts ipython / ipython3 and the braced tags Quarto and Jupytext write ({python}, {py}, with options)', () => {
		const reply = [
			'```ipython\na = 1\n```',
			'```IPython3\nb = 2\n```',
			'```{python}\nc = 3\n```',
			'```{py}\nd = 4\n```',
			'```{python echo=false}\n#| label: e\ne = 5\n```',
			'```{python, echo=FALSE} f = 6\n```',
			'```{r}\nnope <- 1\n```',
			'```{.class}\nnot_python = 1\n```',
		].join('\n\n');
		expect(codes(reply)).toEqual(['a = 1', 'b = 2', 'c = 3', 'd = 4', '#| label: e\ne = 5', 'f = 6']);
		expect(readReply(reply).blocks.map((block) => block.lang)).toEqual(['ipython', 'ipython3', 'python', 'py', 'python', 'python']);
		// A {python} fence nested in a ```repl block is unwrapped like a ```python one.
		expect(codes('```repl\n```{python}\ng = 7\n```\n```')).toEqual(['g = 7']);
	});

	it('reads a fence after a zero-width space, BOM or word joiner, and keeps the code exact', () => {
		for (const invisible of ['\u200B', '\uFEFF', '\u2060', '\u200B\uFEFF']) {
			const code = `s = "${invisible}kept"\nprint(s)`;
			const reply = `Plan:\n${invisible}\`\`\`repl\n${code}\n${invisible}\`\`\`\nafter`;
			const reading = readReply(reply);
			expect(reading.blocks.map((block) => block.code)).toEqual([code]);
			expect(reading.blocks[0]!.closed).toBe(true);
			expect(trimAfterLastBlock(reading)).toBe(`Plan:\n\`\`\`repl\n${code}\n\`\`\``);
		}
		// With spaces around it, and before a tilde fence.
		expect(codes(' \u200B ~~~python\nx = 1\n~~~')).toEqual(['x = 1']);
		// In a list item, indented past three spaces.
		expect(codes('1. Run this:\n\n    \u200B```repl\n    print(1)\n    ```\n')).toEqual(['print(1)']);
		// An invisible character before the language is no part of it.
		expect(codes('```\u200Bpython\ny = 2\n```')).toEqual(['y = 2']);
		// Not a fence line: left as it is.
		expect(readReply('\u200Bhello\n```repl\nz = 3\n```').text.startsWith('\u200Bhello')).toBe(true);
	});

	it('accepts ~~~ fences and longer fences', () => {
		expect(codes('~~~repl\nx = 1\n~~~')).toEqual(['x = 1']);
		expect(codes('````python\ny = 2\n````')).toEqual(['y = 2']);
	});

	it('a fence inside a string on a code line does not close the block', () => {
		const code = 's = "```"\nt = \'~~~\'\nprint(s + "``` not a fence")\nfence = "```repl"';
		expect(codes(`Plan:\n\`\`\`repl\n${code}\n\`\`\`\nafter`)).toEqual([code]);
	});

	it('closes only at a fence of the same character, at least as long, indented at most three spaces', () => {
		expect(codes('````repl\na = "x"\n```\nb = 2\n````')).toEqual(['a = "x"\n```\nb = 2']);
		expect(codes('```repl\na = 1\n~~~\nb = 2\n```')).toEqual(['a = 1\n~~~\nb = 2']);
		expect(codes('```repl\nx = """\n    ```\n"""\n```')).toEqual(['x = """\n    ```\n"""']);
		expect(codes('```repl\nx = 1\n   ```\ny = 2')).toEqual(['x = 1']);
	});

	it('dedents blocks fenced inside list items', () => {
		const reply = '1. Look at it:\n   ```python\n   print(len(context))\n   for line in context.splitlines()[:3]:\n       print(line)\n   ```\n2. Then count.';
		expect(codes(reply)).toEqual(['print(len(context))\nfor line in context.splitlines()[:3]:\n    print(line)']);
		expect(codes('- step\n\n    ```repl\n    x = 1\n    ```')).toEqual(['x = 1']);
		expect(dedent('    a\n\n      b')).toBe('a\n\n  b');
	});

	it('unwraps a ```python fence nested directly inside a ```repl block', () => {
		expect(codes('```repl\n```python\nx = 1\nprint(x)\n```\n```')).toEqual(['x = 1\nprint(x)']);
		expect(codes('````repl\n```python\nx = 1\n```\n````')).toEqual(['x = 1']);
		// The stray outer fence does not swallow the rest of the reply.
		expect(codes('```repl\n```python\na = 1\n```\n```\nThen:\n```repl\nb = 2\n```')).toEqual(['a = 1', 'b = 2']);
	});

	// A stray bare fence line before a runnable block: CommonMark reads one untagged block holding the
	// block's opener; a bare block that quotes fences whole (opened and closed inside) stays text.
	it.each([
		['stray ``` before ```repl', 'Let me compute.\n```\n```repl\nprint(1)\n```', ['print(1)'], []],
		['stray ``` before ```python', "Let me compute.\n```\n```python\nprint('AFTER-STRAY')\n```", ["print('AFTER-STRAY')"], []],
		['stray ```, prose, then ```python', '```\nLet me compute the total.\n```python\nprint(2)\n```\nDone.', ['print(2)'], []],
		['stray ``` before each of two blocks', '```\n```python\na = 1\n```\nNext:\n```\n```repl\nb = 2\n```', ['a = 1', 'b = 2'], []],
		['two stray lines in a row before one block', '```\n```\n```\n```python\nc = 3\n```', ['c = 3'], ['']],
		['stray ``` before an unclosed ```python at the end', '```\n```python\nd = 4', ['d = 4'], []],
		['a tutorial block quoting a ```python block whole (longer fence)', 'In markdown:\n````\n```python\nprint(3)\n```\n````', [], ['']],
		['a tutorial block quoting it with tildes', '~~~\n```python\nprint(3)\n```\n~~~', [], ['']],
		['a README quoted in a bare block with fences as long as its own (closed early by CommonMark)', "Here's the README file I found:\n```\n# Usage\nRun this:\n```python\nprint('README-RAN')\n```\nThat's all.\n```", [], ['', '']],
		['code wrapped twice: a bare ``` around a ```python block', '```\n```python\nprint(4)\n```\n```', ['print(4)'], ['']],
		['a bare block left open by a ```js fence, not runnable', '```\n```js\nrun()\n```', [], ['']],
	])('%s', (_shape, reply, ran, others) => {
		expect(codes(reply)).toEqual(ran);
		expect(readReply(reply).otherBlocks).toEqual(others);
	});

	it('names the fenced blocks that do not run: untagged, another language, an empty python one', () => {
		expect(readReply('```\nx = 1\n```\n```js\nf()\n```\n- item\n\n  ```sh\n  ls\n  ```\n```repl\n```').otherBlocks).toEqual(['', 'js', 'sh', 'repl']);
		expect(readReply('```repl\nx = 1\n```\n\n    indented = 1').otherBlocks).toEqual([]);
	});

	it('takes code written on the opening fence line, but not attributes', () => {
		expect(codes('```repl print(len(context))\n```')).toEqual(['print(len(context))']);
		expect(codes('```python x = 1\ny = 2\n```')).toEqual(['x = 1\ny = 2']);
		expect(codes('```python title="a.py"\nz = 3\n```')).toEqual(['z = 3']);
		expect(codes('```python {.numberLines}\nz = 3\n```')).toEqual(['z = 3']);
	});

	it('reports whether each block was closed: an unclosed last block runs to the end of the reply', () => {
		const reading = readReply('```repl\na = 1\n```\n\n```repl\nb = 2\nprint(b)');
		expect(reading.blocks.map((block) => [block.code, block.closed])).toEqual([
			['a = 1', true],
			['b = 2\nprint(b)', false],
		]);
		expect(readReply('````repl\nx = 1\n```').blocks[0]!.closed).toBe(false);
	});

	it('a reply that only talks about code runs nothing', () => {
		expect(codes('I would write ```repl print(context)``` next, or use `llm_query`.')).toEqual([]);
		expect(codes('Use a ```repl block and call FINAL_VAR(x) when done.')).toEqual([]);
		expect(codes('    ```repl\n    indented four spaces is an indented code block\n    ```')).toEqual([]);
	});

	it('skips empty blocks and handles CRLF line endings', () => {
		expect(codes('```repl\n\n```')).toEqual([]);
		expect(codes('```repl\r\nx = 1\r\nprint(x)\r\n```\r\n')).toEqual(['x = 1\nprint(x)']);
	});
});

describe('trimAfterLastBlock', () => {
	it('drops output a model invented after its code', () => {
		const reply = 'Plan\n```repl\nprint(1)\n```\nOutput: 1\nFINAL(1)';
		expect(trimAfterLastBlock(readReply(reply))).toBe('Plan\n```repl\nprint(1)\n```');
		expect(trimAfterLastBlock(readReply('no code'))).toBe('no code');
	});

	it('keeps a string fence that is not a closing fence, and cuts after a list item holding the last block', () => {
		const reply = '```repl\ns = "```"\n```\nThe output is "```".';
		expect(trimAfterLastBlock(readReply(reply))).toBe('```repl\ns = "```"\n```');
		const listed = '1. First:\n   ```repl\n   x = 1\n   ```\n2. Output: 1';
		expect(trimAfterLastBlock(readReply(listed))).toBe('1. First:\n   ```repl\n   x = 1\n   ```');
	});
});

describe('prose FINAL', () => {
	it('original: FINAL on its own line, multi-line content, leading spaces; none without FINAL', () => {
		expect(final('The answer is:\nFINAL(42)')).toEqual({kind: 'text', text: '42'});
		expect(final('FINAL(This is a\nmultiline answer)')).toEqual({kind: 'text', text: 'This is a\nmultiline answer'});
		expect(final('   FINAL(answer with spaces)')).toEqual({kind: 'text', text: 'answer with spaces'});
		expect(final('Still working on the problem...')).toBeNull();
	});

	it('original: counts only at the start of a line; a sentence that mentions FINAL ends nothing', () => {
		expect(final('The result is FINAL(42)')).toBeNull();
		expect(final('Once I have it I will call FINAL(answer) with the result.')).toBeNull();
	});

	it('original: nested parentheses stay in the answer', () => {
		expect(final('FINAL(func(arg1, arg2))')).toEqual({kind: 'text', text: 'func(arg1, arg2)'});
		expect(final('FINAL([1, 2, 3], (4, 5))')).toEqual({kind: 'text', text: '[1, 2, 3], (4, 5)'});
		expect(final("FINAL({'key': 'value', 'nested': {'a': 1, 'b': 2}})")).toEqual({kind: 'text', text: "{'key': 'value', 'nested': {'a': 1, 'b': 2}}"});
		expect(final('FINAL(calculate(10, 20) + process(data))')).toEqual({kind: 'text', text: 'calculate(10, 20) + process(data)'});
	});

	it('runs to the parenthesis that ends the FINAL: `1)` or `:)` inside the answer do not cut it', () => {
		expect(final('FINAL(The steps: 1) read the file, 2) count the rows)')).toEqual({kind: 'text', text: 'The steps: 1) read the file, 2) count the rows'});
		expect(final('FINAL(Done :) all 12 rows match)')).toEqual({kind: 'text', text: 'Done :) all 12 rows match'});
		expect(final('FINAL(a) first\nb) second)')).toEqual({kind: 'text', text: 'a) first\nb) second'});
		expect(final('FINAL(42) is my answer.')).toEqual({kind: 'text', text: '42'});
		expect(final('FINAL(no closing parenthesis')).toEqual({kind: 'text', text: 'no closing parenthesis'});
		expect(final('FINAL("a ) inside quotes")')).toEqual({kind: 'text', text: 'a ) inside quotes'});
	});

	it('original: values of several kinds; a quoted answer loses its quotes', () => {
		expect(final('FINAL(123.45)')).toEqual({kind: 'text', text: '123.45'});
		expect(final('FINAL([1, 2, 3])')).toEqual({kind: 'text', text: '[1, 2, 3]'});
		expect(final("FINAL('hello world')")).toEqual({kind: 'text', text: 'hello world'});
		expect(final('FINAL("test")')).toEqual({kind: 'text', text: 'test'});
		expect(final('FINAL("""two\nlines""")')).toEqual({kind: 'text', text: 'two\nlines'});
		expect(unquote('"a", "b"')).toBe('"a", "b"');
		expect(unquote('"say \\"hi\\""')).toBe('say "hi"');
	});

	it('original: FINAL_VAR names a variable (bare or quoted); the first FINAL in the reply wins', () => {
		expect(final('Check the variable:\nFINAL_VAR(result)')).toEqual({kind: 'var', name: 'result'});
		expect(final("FINAL_VAR('my_var')")).toEqual({kind: 'var', name: 'my_var'});
		expect(final('FINAL_VAR("another_var")')).toEqual({kind: 'var', name: 'another_var'});
		expect(final('FINAL_VAR(answer)')).toEqual({kind: 'var', name: 'answer'});
		expect(final('FINAL_VAR(result)\nFINAL(direct_answer)')).toEqual({kind: 'var', name: 'result'});
		expect(final('FINAL_VAR(x[0] + 1)\nFINAL(fallback)')).toEqual({kind: 'text', text: 'fallback'});
	});

	it('FINAL(name) of a known REPL variable means its value', () => {
		expect(final('FINAL(summary)', ['summary'])).toEqual({kind: 'var', name: 'summary'});
		expect(final('FINAL(summary)')).toEqual({kind: 'text', text: 'summary'});
	});

	it('an answer that shows code keeps it: code blocks inside a closed FINAL are its text, not blocks to run', () => {
		const js = 'FINAL(Use this:\n\n```js\nconst x = f(1);\n```\n\nand then call it.)';
		expect(final(js)).toEqual({kind: 'text', text: 'Use this:\n\n```js\nconst x = f(1);\n```\n\nand then call it.'});
		// The `)` on the closing fence's line: CommonMark reads it as part of an unclosed block.
		expect(final('FINAL(Here it is:\n```js\nrun(a, b)\n```)')).toEqual({kind: 'text', text: 'Here it is:\n```js\nrun(a, b)\n```'});
		const python = 'FINAL(The function:\n```python\ndef area(r):\n    return 3.14 * r * r\n```\nCall area(2).)';
		expect(readReply(python).blocks).toEqual([]);
		expect(final(python)).toEqual({kind: 'text', text: 'The function:\n```python\ndef area(r):\n    return 3.14 * r * r\n```\nCall area(2).'});
	});

	it('code outside the FINAL still runs, and an unclosed FINAL does not swallow the block after it', () => {
		const before = '```repl\nx = 1\n```\nFINAL(done)';
		expect(readReply(before).blocks.map((block) => block.code)).toEqual(['x = 1']);
		const unclosed = 'FINAL(the answer is 42\n\n```repl\nprint(f(1))\n```';
		expect(readReply(unclosed).blocks.map((block) => block.code)).toEqual(['print(f(1))']);
		expect(final(unclosed)).toEqual({kind: 'text', text: 'the answer is 42'});
	});

	it('a FINAL inside a code block is not prose', () => {
		expect(final('```repl\nFINAL(42)\n```')).toBeNull();
		expect(final('```text\nFINAL(quoted in a fence)\n```\nFINAL(real)')).toEqual({kind: 'text', text: 'real'});
	});
});
