// The context's bytes as they go to the sandbox: chunked without ever splitting a character, laid
// end to end exactly as Buffer.from would encode each part.
import {describe, expect, it} from 'vitest';
import {contextChunks, partHeaders, planContext} from '../../source/sandbox/context-encoding.js';

const joined = (chunks: Iterable<Uint8Array>) => Buffer.concat([...chunks].map((c) => Buffer.from(c)));
const tricky = 'a😀bé€\u{10FFFF}x'.repeat(50) + '\uD800' + 'tail' + '\uDC00';

describe('planContext', () => {
	it('counts UTF-8 bytes and knows ASCII parts', () => {
		expect(partHeaders(planContext('plain text'))).toEqual([['', 10, true]]);
		expect(partHeaders(planContext({'a.txt': 'héllo', 'b.txt': 'ok', empty: ''}))).toEqual([
			['a.txt', 6, false],
			['b.txt', 2, true],
			['empty', 0, true],
		]);
		expect(planContext({n: 1}).kind).toBe('json');
		expect(partHeaders(planContext([1, 'é']))).toEqual([['', Buffer.byteLength('[1,"é"]'), false]]);
		expect(planContext(null)).toEqual({kind: 'none', parts: []});
	});
});

describe('contextChunks', () => {
	for (const size of [4, 5, 7, 8, 16, 1024]) {
		it(`gives every byte once, in order, in chunks of at most ${size} bytes that each decode whole`, () => {
			const plan = planContext({one: tricky, two: 'plain', three: '', four: '😀'.repeat(7)});
			const chunks = [...contextChunks(plan, size)];
			for (const chunk of chunks) {
				expect(chunk.length).toBeLessThanOrEqual(size);
				expect(chunk.length).toBeGreaterThan(0);
				// A split character would decode to U+FFFD, whose bytes differ from the piece's.
				expect(Buffer.from(Buffer.from(chunk).toString('utf8'), 'utf8').equals(Buffer.from(chunk))).toBe(true);
			}
			const expected = Buffer.concat(plan.parts.map((p) => Buffer.from(p.text, 'utf8')));
			expect(joined(chunks).equals(expected)).toBe(true);
			expect(expected.length).toBe(plan.parts.reduce((sum, p) => sum + p.bytes, 0));
		});
	}

	it('never splits a surrogate pair at a chunk edge', () => {
		for (let pad = 0; pad < 12; pad++) {
			const text = 'x'.repeat(pad) + '😀'.repeat(20);
			const chunks = [...contextChunks(planContext(text), 8)];
			for (const chunk of chunks) expect(Buffer.from(chunk).toString('utf8')).not.toContain('\uFFFD');
			expect(joined(chunks).toString('utf8')).toBe(text);
		}
	});
});
