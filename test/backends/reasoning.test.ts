// The one place thinking is separated from the answer: <think> tags in streamed text (whole, split
// across deltas, close-only, empty) and reasoning chunks passing through.
import {describe, expect, it} from 'vitest';
import {contentParts, reasoningField, separateReasoning, splitThinkText, ThinkSplitter, type SplitChunk} from '../../source/backends/reasoning.js';
import type {StreamChunk} from '../../source/backends/types.js';

/** Feeds `text` in pieces of `size` characters; returns the answer and reasoning as a consumer sees them. */
function streamed(text: string, size: number) {
	const splitter = new ThinkSplitter();
	let answer = '';
	let reasoning = '';
	let retracted = 0;
	const pieces = [];
	for (let i = 0; i < text.length; i += size) pieces.push(...splitter.push(text.slice(i, i + size)));
	pieces.push(...splitter.end());
	for (const piece of pieces) {
		if (piece.type === 'text') answer += piece.text;
		else if (piece.type === 'reasoning') reasoning += piece.text;
		else {
			expect(answer.startsWith(piece.text)).toBe(true);
			answer = answer.slice(piece.text.length);
			reasoning += piece.text;
			retracted++;
		}
	}
	return {answer, reasoning, retracted};
}

/** The same split whatever the delta size (every size from 1 to 13 characters, and the whole text). */
function split(text: string) {
	const whole = streamed(text, text.length || 1);
	for (let size = 1; size <= 13; size++) {
		const piecewise = streamed(text, size);
		expect({answer: piecewise.answer, reasoning: piecewise.reasoning}).toEqual({answer: whole.answer, reasoning: whole.reasoning});
	}
	expect(splitThinkText(text)).toEqual({text: whole.answer, reasoning: whole.reasoning});
	return whole;
}

describe('<think> in the answer text', () => {
	it('moves a leading <think>…</think> to the reasoning, whatever the deltas', () => {
		const reply = '<think>\nLet me draft:\n```repl\nllm_output("guess")\n```\n</think>\n\nThe real reply.\n```repl\nprint(1)\n```';
		expect(split(reply)).toMatchObject({answer: 'The real reply.\n```repl\nprint(1)\n```', reasoning: '\nLet me draft:\n```repl\nllm_output("guess")\n```\n'});
	});

	it('also after leading whitespace, and for <thinking>', () => {
		expect(split('\n\n<think>hm</think>answer')).toMatchObject({answer: 'answer', reasoning: 'hm'});
		expect(split('<thinking>plan</thinking>\nanswer')).toMatchObject({answer: 'answer', reasoning: 'plan'});
	});

	it("Qwen3's empty <think>\\n\\n</think> leaves nothing behind", () => {
		expect(split('<think>\n\n</think>\n\nFINAL(42)')).toMatchObject({answer: 'FINAL(42)', reasoning: '\n\n'});
	});

	it('an unclosed <think> is all reasoning (the answer is empty)', () => {
		expect(split('<think>still thinking when it stopped')).toMatchObject({answer: '', reasoning: 'still thinking when it stopped'});
	});

	it('only a closing </think> (the opening tag was in the prompt): what came before is reasoning, retracted once', () => {
		const result = split('The user wants a count.\nI will write code.\n</think>\n\n```repl\nprint(len(context))\n```');
		expect(result).toMatchObject({answer: '```repl\nprint(len(context))\n```', reasoning: 'The user wants a count.\nI will write code.\n'});
		expect(streamed('draft text\n</think>\nanswer', 3).retracted).toBe(1);
	});

	it('a </think> that is a mention (in code, inside a word, after a <think> mid-text) stays in the answer', () => {
		const code = 'Cleaning:\n```repl\nparts = [r.split("</think>")[-1] for r in replies]\n```';
		expect(split(code)).toMatchObject({answer: code, reasoning: ''});
		const fenced = 'Look:\n```\n</think>\n```\ndone';
		expect(split(fenced)).toMatchObject({answer: fenced, reasoning: ''});
		const mention = 'Models write <think> and then </think> around their thoughts.';
		expect(split(mention)).toMatchObject({answer: mention, reasoning: ''});
		expect(split('a<think>b</think>c')).toMatchObject({answer: 'a<think>b</think>c', reasoning: ''});
	});

	it('fences and mentions are told apart on long lines too (only a line\'s start is kept, not the line)', () => {
		const long = 'x'.repeat(5000);
		// A fence opened at the start of a 5,000-character line: the </think> after it is code. (Not a
		// Python fence: a lone </think> line is no Python, and there it ends the thinking.)
		const inCode = `Look:\n   \`\`\`text ${long}\n</think>\n\`\`\`\ndone`;
		for (const size of [1, 7, 64, 5000]) expect(streamed(inCode, size)).toMatchObject({answer: inCode, reasoning: '', retracted: 0});
		// A <think> far back on a long line makes a later </think> a mention.
		const mention = `${long} <think> ${long}\n</think>\nafter`;
		for (const size of [1, 7, 64]) expect(streamed(mention, size)).toMatchObject({answer: mention, reasoning: ''});
		// A fence closed on its own line after a long code line: the next lone </think> closes the thinking.
		const closed = `\`\`\`\n${long}\n\`\`\`\n</think>\nanswer`;
		for (const size of [3, 64]) expect(streamed(closed, size)).toMatchObject({answer: 'answer', reasoning: `\`\`\`\n${long}\n\`\`\`\n`, retracted: 1});
	});

	it('a lone </think> line inside a fence opened by a bare ``` (a stray closer in the thinking) closes the thinking when a new block follows', () => {
		// The thinking mentions ```repl mid-line, then muses about closing a block: the bare ``` line
		// reads as a fence opener, which put the real </think> "inside code".
		const thinking = 'The user wants a count. I will write ```repl blocks.\nA block ends with\n```\nso FINAL("WRONG") is a draft.\n';
		const answer = '```repl\nllm_output(str(len(context)))\n```';
		const reply = `${thinking}</think>\n\n${answer}`;
		expect(split(reply)).toMatchObject({answer, reasoning: thinking});
		expect(streamed(reply, 4).retracted).toBe(1);
		// Tildes, a tag with trailing spaces, a longer stray fence, and an info string on the new block.
		expect(split(`muse\n~~~\nFINAL("WRONG")\n</think>   \n${answer}`)).toMatchObject({answer, reasoning: 'muse\n~~~\nFINAL("WRONG")\n'});
		expect(split(`muse\n\`\`\`\`\n</think>\t\n\n~~~repl\nprint(1)\n~~~`)).toMatchObject({answer: '~~~repl\nprint(1)\n~~~', reasoning: 'muse\n````\n'});
	});

	it('a lone </think> line in a fence still open when the reply ends closes the thinking', () => {
		expect(split('draft:\n```\nFINAL("WRONG")\n</think>\n\nFINAL(right)')).toMatchObject({answer: 'FINAL(right)', reasoning: 'draft:\n```\nFINAL("WRONG")\n'});
		expect(split('draft:\n```repl\nx = 1\n</think>\nFINAL(2)')).toMatchObject({answer: 'FINAL(2)', reasoning: 'draft:\n```repl\nx = 1\n'});
		expect(split('draft:\n```\n</think>')).toMatchObject({answer: '', reasoning: 'draft:\n```\n'});
	});

	it('a </think> in a fence that closes is code: alone on its line, in a string, beside other text', () => {
		const cases = [
			'Look:\n```\n</think>\n```\ndone',
			'Look:\n~~~\n</think>\n~~~\n</think>x',
			'Code:\n```repl\ns = """\n</think>\n"""\n```\nFINAL_VAR(s)',
			// Inside a block a ```repl line right after the tag is the block's text, not a closer or a new block.
			'Code:\n```text\n</think>\n```repl\n```\ndone',
			// A Python fence whose tag is inside a triple-quoted string.
			"Code:\n```python\ns = '''\n</think>\n'''\n```\nFINAL_VAR(s)",
			// A fence closes only with its own character, at least as long.
			'Code:\n````\n</think>\n```\n````\nafter',
			'Prose:\n```\nx </think>\n```repl\nprint(1)\n```',
		];
		for (const reply of cases) expect(split(reply), reply).toMatchObject({answer: reply, reasoning: ''});
		for (const reply of cases) expect(streamed(reply, 3).retracted).toBe(0);
	});

	it('after a held </think> turns out to be code, a later lone </think> outside the fence still closes the thinking', () => {
		const reply = 'Tags look like:\n```\n</think>\n```\nNow the answer.\n</think>\nFINAL(7)';
		expect(split(reply)).toMatchObject({answer: 'FINAL(7)', reasoning: 'Tags look like:\n```\n</think>\n```\nNow the answer.\n'});
		expect(streamed(reply, 5).retracted).toBe(1);
	});

	it('text that only looks like a tag start is answer text', () => {
		expect(split('<thi')).toMatchObject({answer: '<thi', reasoning: ''});
		expect(split('<b>bold</b> text')).toMatchObject({answer: '<b>bold</b> text', reasoning: ''});
		expect(split('   ')).toMatchObject({answer: '   ', reasoning: ''});
		expect(split('')).toMatchObject({answer: '', reasoning: ''});
	});
});

/** A close-only </think> (the server stripped <think>) on a line of its own inside a fence the
 * thinking left open, or inside a real block: each shape as models write it, and what it is. */
describe('a lone </think> line inside a fence: the real shapes', () => {
	const ANSWER = 'Let me count.\n```repl\nprint(len(context))\n```';
	const endsThinking: Array<[string, string, string]> = [
		['R1 drafted ```python and never closed it, then prose and a ```repl block', 'The user wants a count.\n```python\nn = len(context)\nHmm, check first.\n', ANSWER],
		['R1 drafted ```python and never closed it, then the block alone', 'Draft:\n```python\nn = len(context)\n', '```repl\nprint(len(context))\n```'],
		['a ```py fence with a closed string before the tag', "Draft:\n```py\ns = '''a'''\n", ANSWER],
		['a drafted ```json never closed, then prose and a block', 'Output shape:\n```json\n{"n": 1\n', ANSWER],
		['a stray bare ``` (musing how a block ends), then prose, a bare block and a FINAL', 'A block ends with\n```\nso FINAL("WRONG") is a draft.\n', 'The count:\n```\n11\n```\nFINAL(11)'],
		['a stray bare ```, then the bare answer block right after the tag', 'muse\n```\ndraft\n', '```\n11\n```\nFINAL(11)'],
		['a stray ~~~, then a ~~~ answer block', 'muse\n~~~\ndraft\n', '~~~\n11\n~~~\nFINAL(11)'],
		['a stray bare ```, then a bare block and a ```repl block', 'muse\n```\ndraft\n', 'Data:\n```\n11\n```\n```repl\nprint(1)\n```'],
	];
	it.each(endsThinking)('ends the thinking: %s', (_name, thinking, answer) => {
		const reply = `${thinking}</think>\n\n${answer}`;
		expect(split(reply)).toMatchObject({answer, reasoning: thinking});
		expect(streamed(reply, 4).retracted).toBe(1);
	});

	const staysCode: Array<[string, string]> = [
		['a bare block quoting a reply, closed, prose after it', 'A transcript:\n```\nhm\n</think>\nHello!\n```\ndone'],
		['a bare block that is only the tag', 'Look:\n```\n</think>\n```\ndone'],
		['a Python block whose triple-quoted string holds the tag', 'Code:\n```python\nreply = """\nhm\n</think>\nHello!\n"""\nprint(reply.split("</think>")[1])\n```'],
		['a Python string holding a whole reply with its block, in a longer fence', '````python\nreply = """\n</think>\nLet me count.\n```repl\nprint(1)\n```\n"""\n````\ndone'],
		['a chat template in a ```jinja block', 'Template:\n```jinja\n{{ reasoning }}\n</think>\n{{ content }}\n```\nDone.'],
		['print("</think>") in a Python block (no lone tag)', 'Code:\n```python\nprint("</think>")\n```'],
		['a ```text block with the tag and a ```repl line right after it', 'Code:\n```text\n</think>\n```repl\n```\ndone'],
	];
	it.each(staysCode)('stays code: %s', (_name, reply) => {
		expect(split(reply)).toMatchObject({answer: reply, reasoning: ''});
		expect(streamed(reply, 3).retracted).toBe(0);
	});

	it('a tag read as code is read on: a later lone </think> outside any fence still ends the thinking', () => {
		const thinking = 'A transcript:\n```\nhm\n</think>\nHello!\n```\nSo the tag is there.\n';
		expect(split(`${thinking}</think>\n${ANSWER}`)).toMatchObject({answer: ANSWER, reasoning: thinking});
	});
});

describe("gpt-oss's harmony channels left in the answer text", () => {
	const ANALYSIS = 'User wants a count. Draft:\n```repl\nllm_output("guess")\n```\nFINAL("WRONG")';
	const FINAL = 'Counting.\n```repl\nllm_output(str(len(context)))\n```';

	it('the analysis channel is reasoning, the final channel the answer, the tokens gone, whatever the deltas', () => {
		const reply = `<|channel|>analysis<|message|>${ANALYSIS}<|end|><|start|>assistant<|channel|>final<|message|>${FINAL}<|return|>`;
		expect(split(reply)).toMatchObject({answer: FINAL, reasoning: ANALYSIS});
		// Without <|return|> (a server that stops on it), and with the spec's line break between messages.
		expect(split(`<|channel|>analysis<|message|>${ANALYSIS}<|end|>\n<|start|>assistant<|channel|>final<|message|>${FINAL}`)).toMatchObject({answer: FINAL, reasoning: ANALYSIS});
		// Decoded strings that drop <|start|>assistant after <|end|>; a reply that opens with <|start|>.
		expect(split(`<|channel|>analysis<|message|>hm<|end|><|channel|>final<|message|>42`)).toMatchObject({answer: '42', reasoning: 'hm'});
		expect(split(`\n<|start|>assistant<|channel|>analysis<|message|>hm<|end|><|start|>assistant<|channel|>final<|message|>42<|return|>`)).toMatchObject({answer: '42', reasoning: 'hm'});
	});

	it('commentary (a tool call or a preamble) is thinking; several thinking messages are lines apart', () => {
		const call = '<|channel|>analysis<|message|>Need the weather.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"location":"SF"}<|call|>';
		expect(split(call)).toMatchObject({answer: '', reasoning: 'Need the weather.\n{"location":"SF"}'});
		const preamble = '<|channel|>analysis<|message|>Plan.<|end|><|start|>assistant<|channel|>commentary<|message|>Step 1.<|end|><|start|>assistant<|channel|>final<|message|>Done.<|return|>';
		expect(split(preamble)).toMatchObject({answer: 'Done.', reasoning: 'Plan.\nStep 1.'});
	});

	it('a final channel alone, one cut in its analysis, and one without <|message|> (its header text is the body)', () => {
		expect(split('<|channel|>final<|message|>{"issues":[]}<|return|>')).toMatchObject({answer: '{"issues":[]}', reasoning: ''});
		expect(split('<|channel|>analysis<|message|>Still thinking when it st')).toMatchObject({answer: '', reasoning: 'Still thinking when it st'});
		// Cut inside a token: the start of the token goes, in a body and where a header goes.
		expect(split('<|channel|>analysis<|message|>hm<|en')).toMatchObject({answer: '', reasoning: 'hm'});
		expect(split('<|channel|>analysis<|message|>hm<|end|><|start|>assistant<|chan')).toMatchObject({answer: '', reasoning: 'hm'});
		expect(split('<|channel|>analysis<|message|>hm<|end|><|channel|>final<|message|>x <|ret')).toMatchObject({answer: 'x ', reasoning: 'hm'});
		expect(split('<|channel|>analysis<|message|>hm<|end|><|channel|>final<|message|>x <|')).toMatchObject({answer: 'x ', reasoning: 'hm'});
		// A lone < at a clean end (no <|return|>) is the answer's last character, not a token's start.
		expect(split('<|channel|>analysis<|message|>hm<|end|><|channel|>final<|message|>x <')).toMatchObject({answer: 'x <', reasoning: 'hm'});
		expect(split('<|channel|>final<|message|>1 < 2 and 3 <')).toMatchObject({answer: '1 < 2 and 3 <', reasoning: ''});
		expect(split('<|channel|>analysis<|message|>ok<|end|><|start|>assistant<|channel|>final {"answer": 1}<|return|>')).toMatchObject({answer: '{"answer": 1}', reasoning: 'ok'});
		const long = 'word '.repeat(60);
		expect(split(`<|channel|>analysis<|message|>ok<|end|><|start|>assistant<|channel|>final ${long}`)).toMatchObject({answer: long, reasoning: 'ok'});
	});

	it('with its tokens stripped (skip_special_tokens): what follows assistantfinal is the answer, the rest thinking', () => {
		expect(split(`analysis${ANALYSIS}assistantfinal${FINAL}`)).toMatchObject({answer: FINAL, reasoning: ANALYSIS});
		expect(split('analysisWe need to answer in one word. The answer is "four".assistantfinalfour')).toMatchObject({answer: 'four', reasoning: 'We need to answer in one word. The answer is "four".'});
		// Its first words as gpt-oss writes them.
		for (const thinking of ["I'm asked for a count.", 'User: wants a count.', 'Hmm. Count them.', 'Okay, count them.', 'The user asks "how many".']) {
			expect(split(`analysis${thinking}assistantfinal4`)).toMatchObject({answer: '4', reasoning: thinking});
		}
		// The variants: its <|start|>assistant echoed first, no <|start|>assistant between messages (the
		// final channel's name glued to the thinking's end), a final header constrained to json.
		expect(split(`assistantanalysis${ANALYSIS}assistantfinal${FINAL}`)).toMatchObject({answer: FINAL, reasoning: ANALYSIS});
		expect(split(`analysis${ANALYSIS}final${FINAL}`)).toMatchObject({answer: FINAL, reasoning: ANALYSIS});
		expect(split(`analysis${ANALYSIS}assistantfinal json{"n": 4}`)).toMatchObject({answer: '{"n": 4}', reasoning: ANALYSIS});
		expect(split('analysisWe need four.final json```repl\nFINAL("4")\n```')).toMatchObject({answer: '```repl\nFINAL("4")\n```', reasoning: 'We need four.'});
		for (const answer of ['Four.', '4', '{"n": 4}', 'The count is 4.', 'Four']) {
			expect(split(`analysisWe need a count.final${answer}`)).toMatchObject({answer, reasoning: 'We need a count.'});
		}
		// `final` in the thinking's prose or code, glued or not, is thinking.
		const musing = 'We need the "final" one. The final count: x.finalize(), obj.final_value, r.finalResult.sort(), (final) and semifinal.';
		expect(split(`analysis${musing}`)).toMatchObject({answer: '', reasoning: musing});
		expect(split(`analysis${musing}final4`)).toMatchObject({answer: '4', reasoning: musing});
		// Cut before the final channel: all thinking, no answer.
		expect(split('analysisWe need the count. Still thinking when it st')).toMatchObject({answer: '', reasoning: 'We need the count. Still thinking when it st'});
		// An answer that begins with the word is an answer.
		for (const answer of ['analysis: the counts differ.', 'analysis of the data shows 4', 'Analysis: 4', 'analysisfinal', 'an', 'analysis']) {
			expect(split(answer)).toMatchObject({answer, reasoning: ''});
		}
		// Code that opens with a camelCase name (a sub-model asked for code) is an answer, not thinking:
		// gpt-oss's thinking opens with a word and a space after `analysis`, then more prose.
		for (const answer of ['analysisResult = compute(context)\nprint(analysisResult)', 'analysisResultSet.sort()', 'analysisData:\n```repl\nx = 1\n```', 'analysisId(42)']) {
			expect(split(answer)).toMatchObject({answer, reasoning: ''});
		}
	});

	it('harmony tokens that do not open the reply are answer text', () => {
		const mention = 'gpt-oss writes <|channel|>analysis<|message|> before its thinking.';
		expect(split(mention)).toMatchObject({answer: mention, reasoning: ''});
		expect(split('<|')).toMatchObject({answer: '<|', reasoning: ''});
		expect(split('<|chan')).toMatchObject({answer: '<|chan', reasoning: ''});
		// A reply that opens with prose about a token: harmony opens with a token and a channel's name.
		for (const prose of ['<|channel|> is a harmony token. It names the channel.', '<|start|> begins a message.', '<|channel|>analysisX', '<|start|>user<|message|>hi']) {
			expect(split(prose)).toMatchObject({answer: prose, reasoning: ''});
		}
	});
});

describe('separateReasoning', () => {
	async function collect(chunks: StreamChunk[]): Promise<SplitChunk[]> {
		async function* source() {
			yield* chunks;
		}
		const out: SplitChunk[] = [];
		for await (const chunk of separateReasoning(source())) out.push(chunk);
		return out;
	}

	it('passes reasoning chunks through, splits text, and flushes before the usage chunk', async () => {
		const usage: StreamChunk = {type: 'usage', usage: {inputTokens: 1, outputTokens: 2}, finishReason: 'stop'};
		const out = await collect([{type: 'reasoning', text: 'field thinking'}, {type: 'text', text: '<think>tag '}, {type: 'text', text: 'thinking</thi'}, usage]);
		// A reasoning channel's chunk passes as it came; what the tags held is marked as found in the text.
		expect(out).toEqual([
			{type: 'reasoning', text: 'field thinking'},
			{type: 'reasoning', text: 'tag ', inText: true},
			{type: 'reasoning', text: 'thinking', inText: true},
			{type: 'reasoning', text: '</thi', inText: true},
			usage,
		]);
		expect(await collect([{type: 'text', text: 'draft\n'}, {type: 'text', text: '</think>'}, {type: 'text', text: '\nreal'}, usage])).toEqual([
			{type: 'text', text: 'draft\n'},
			{type: 'retract', text: 'draft\n'},
			{type: 'text', text: 'real'},
			usage,
		]);
	});
});

describe('reasoningField', () => {
	it('reads reasoning_content or reasoning from a raw delta, never both', () => {
		expect(reasoningField({content: null, reasoning_content: 'a'})).toBe('a');
		expect(reasoningField({content: '', reasoning: 'b'})).toBe('b');
		expect(reasoningField({reasoning_content: 'a', reasoning: 'a'})).toBe('a');
		expect(reasoningField({content: 'x'})).toBe('');
		expect(reasoningField(undefined)).toBe('');
	});
});

describe('contentParts', () => {
	it('a string is text; Mistral’s chunk list is text and thinking; anything else is nothing', () => {
		expect(contentParts('plain')).toEqual({text: 'plain', reasoning: ''});
		expect(
			contentParts([
				{type: 'thinking', thinking: [{type: 'text', text: 'hm, '}, {type: 'text', text: 'yes'}]},
				{type: 'text', text: 'Answer'},
				{type: 'image_url', image_url: 'x'},
				null,
				'stray',
			]),
		).toEqual({text: 'Answer', reasoning: 'hm, yes'});
		expect(contentParts([{type: 'thinking', thinking: 'as a string'}])).toEqual({text: '', reasoning: 'as a string'});
		expect(contentParts(null)).toEqual({text: '', reasoning: ''});
		expect(contentParts({text: 'an object'})).toEqual({text: '', reasoning: ''});
	});
});
