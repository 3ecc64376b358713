// The status line's hints in the room they have: a form that fits whole, else whole hints and a
// mark for the rest, never a word cut without one.
import {describe, expect, it} from 'vitest';
import {fitHints} from '../../source/ui/components/fit-hints.js';

const FULL = 'refused: type to replace the line · ←/Backspace edit it · Enter send it again';
const SHORT = 'refused: type to replace · ← edit · Enter again';

describe('fitHints', () => {
	it('takes the longest form that fits whole', () => {
		expect(fitHints([FULL, SHORT], 200)).toBe(FULL);
		expect(fitHints([FULL, SHORT], FULL.length)).toBe(FULL);
		expect(fitHints([FULL, SHORT], FULL.length - 1)).toBe(SHORT);
		expect(fitHints([FULL, SHORT], SHORT.length)).toBe(SHORT);
	});

	it('short of room for every form: the first whole hints of the shortest, then " …"', () => {
		expect(fitHints([FULL, SHORT], SHORT.length - 1)).toBe('refused: type to replace · ← edit …');
		expect(fitHints([FULL, SHORT], 27)).toBe('refused: type to replace …');
	});

	it('short of room for one hint: cut after a whole word, with "…"; one long word is cut inside, marked', () => {
		expect(fitHints([FULL, SHORT], 24)).toBe('refused: type to replace');
		expect(fitHints([FULL, SHORT], 23)).toBe('refused: type to…');
		expect(fitHints([FULL, SHORT], 12)).toBe('refused:…');
		expect(fitHints(['Backspacebackspace edit'], 6)).toBe('Backs…');
		expect(fitHints([FULL], 0)).toBe('');
	});

	it('never ends inside a word without a mark, at any width', () => {
		const words = new Set([...FULL.split(/\s+/), ...SHORT.split(/\s+/)]);
		for (let room = 1; room <= 90; room++) {
			const shown = fitHints([FULL, SHORT], room);
			expect(shown.length).toBeLessThanOrEqual(room);
			const last = shown.split(/\s+/).at(-1)!;
			if (!shown.endsWith('…')) expect(words.has(last), `${room}: ${shown}`).toBe(true);
		}
	});
});
