// formatCount writes counts as toLocaleString('en-US') does, without loading ICU.
import {describe, expect, it} from 'vitest';
import {formatCount} from '../../source/protocol/numbers.js';

describe('formatCount', () => {
	it('groups digits by three with commas, as en-US does', () => {
		expect(formatCount(0)).toBe('0');
		expect(formatCount(999)).toBe('999');
		expect(formatCount(1000)).toBe('1,000');
		expect(formatCount(1234567)).toBe('1,234,567');
		expect(formatCount(-45210)).toBe('-45,210');
		expect(formatCount(Number.MAX_SAFE_INTEGER)).toBe('9,007,199,254,740,991');
	});

	it('matches toLocaleString for integers of every length and for other numbers', () => {
		const values = [1.5, 1234.5678, -0.25, Infinity, Number.NaN, 1e21];
		for (let digits = 1; digits <= 16; digits++) values.push(Number('7'.repeat(digits)), -Number('1'.padEnd(digits, '0')));
		for (const n of values) expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
	});
});
