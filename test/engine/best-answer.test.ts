// What a stopped run can give from the model's last reply: its words, never its code, and never a
// FINAL_VAR(name) that names a value the run never computed.
import {describe, expect, it} from 'vitest';
import {replyWords} from '../../source/engine/best-answer.js';

describe('replyWords', () => {
	it('keeps the words and drops runnable code and bare FINAL_VAR lines', () => {
		expect(replyWords('I will compute.\n\n```repl\nresult = 45\n```\n\nFINAL_VAR(result)')).toBe('I will compute.');
		expect(replyWords('```repl\n1/0\n```')).toBe('');
		expect(replyWords('The total is 45. Then FINAL_VAR(result) gives it.')).toBe('The total is 45. Then FINAL_VAR(result) gives it.');
	});
});
