import {describe, expect, it} from 'vitest';
import {fenceFor} from '../../source/engine/fence.js';
import {feedbackMessage, firstUserMessage, sizeClass, systemPrompt, turnReminder} from '../../source/engine/prompts.js';

describe('prompts', () => {
	it('classifies context sizes by the seed thresholds', () => {
		expect(sizeClass(2000)).toBe('small');
		expect(sizeClass(2001)).toBe('medium');
		expect(sizeClass(6001)).toBe('large');
		expect(sizeClass(3_000_000)).toBe('huge');
	});

	it('shows the context size and question, never the context', () => {
		const message = firstUserMessage({question: 'How many?', context: {type: 'str', chars: 3_000_000}, historyTurns: 0, variables: []});
		expect(message).toContain('3,000,000 characters');
		expect(message).toContain('How many?');
		expect(message).toMatch(/HUGE/);
	});

	it('mentions history and surviving variables on later turns', () => {
		const message = firstUserMessage({question: 'q', context: {type: 'str', chars: 10}, historyTurns: 2, variables: [{name: 'total', type: 'int'}]});
		expect(message).toContain('2 earlier turn(s)');
		expect(message).toContain('total');
	});

	it('counts the turns that ended without an answer: they have a context_N but no history entry, as in the original', () => {
		const message = firstUserMessage({question: 'q', context: {type: 'str', chars: 10}, historyTurns: 1, contextCount: 4, variables: []});
		expect(message).toContain('This chat has 3 earlier turn(s). 1 was answered: its question and answer are in `history`, and its messages in `history_0`. 2 ended without an answer (cancelled, failed or cut short), so they are not in `history`');
		expect(message).toContain('You have 4 contexts available (`context_0` through `context_3`, one per turn of this chat, answered or not)');
		const none = firstUserMessage({question: 'q', context: {type: 'str', chars: 10}, historyTurns: 0, contextCount: 2, variables: []});
		expect(none).toContain('This chat has 1 earlier turn(s). None was answered, so `history` is empty. 1 ended without an answer');
		expect(none).not.toContain('Your variables');
	});

	it('grows urgent as turns run out', () => {
		expect(turnReminder(2, 10)).not.toMatch(/URGENT/);
		expect(turnReminder(6, 10)).toMatch(/halfway/);
		expect(turnReminder(9, 10)).toMatch(/URGENT: 2 turn/);
	});

	it('says whether rlm_query recurses at this depth', () => {
		expect(systemPrompt({depth: 0, maxDepth: 2, maxIterations: 5})).toMatch(/child RLM/);
		expect(systemPrompt({depth: 0, maxDepth: 1, maxIterations: 5})).toMatch(/plain sub-model call/);
	});

	it('feeds back output, errors, truncation and variables', () => {
		const message = feedbackMessage(
			[
				{code: 'print(1)', ok: true, stdout: '1\n', stderr: '', truncatedChars: 0, restarted: false},
				{code: 'x', ok: false, stdout: '', stderr: '', error: "NameError: name 'x' is not defined", truncatedChars: 0, restarted: false},
				{code: 'print(big)', ok: true, stdout: 'head', stderr: '', truncatedChars: 5000, restarted: true},
			],
			[{name: 'big', type: 'str'}],
		);
		expect(message).toContain('Block 1:\n```result\n1\n```');
		expect(message).toContain("```error\nNameError: name 'x' is not defined\n```");
		expect(message).toContain('5,000 characters of output omitted');
		expect(message).toMatch(/every variable you defined is gone/);
		expect(message).toContain('REPL variables: big (str)');
	});

	it('lists at most 100 variables, names and types cut, and states how many there are', () => {
		const variables = Array.from({length: 1000}, (_, i) => ({name: `${'v'.repeat(5000)}${i}`, type: `${'T'.repeat(5000)}`}));
		const message = feedbackMessage([{code: 'x', ok: true, stdout: '', stderr: '', truncatedChars: 0, restarted: false}], variables, 100_000);
		expect(message.length).toBeLessThan(12_000);
		expect(message).toMatch(/, and 99,900 more \(SHOW_VARS\(\) lists them all\)$/);
		expect(message.match(/ \(T+…\)/g)).toHaveLength(100);
		const later = firstUserMessage({question: 'q', context: {type: 'str', chars: 10}, historyTurns: 1, variables, variableCount: 100_000});
		expect(later.length).toBeLessThan(3000);
		expect(later).toContain('and 99,970 more');
	});

	it('fences output with a fence no line of it can close: longer than its longest leading run, tildes when shorter', () => {
		expect(fenceFor('plain')).toBe('```');
		expect(fenceFor('a\n```\nb')).toBe('~~~');
		expect(fenceFor('a\n```\n~~~\nb')).toBe('````');
		expect(fenceFor('a\n   `````\n~~~~~~~\nb')).toBe('``````');
		expect(fenceFor('a\r```\r~~~~\r')).toBe('````');
		// Backticks inside a line cannot close a fence.
		expect(fenceFor('x = "```````"')).toBe('```');
	});
});
