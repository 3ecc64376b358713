// formatCount writes counts as toLocaleString('en-US') does, without loading ICU; parseQuantity
// reads what users type for flags and /set (8k, 2G, 5m, $0.50).
import {describe, expect, it} from 'vitest';
import {parseCli} from '../../source/cli/flags.js';
import {parseByteSize} from '../../source/context/index.js';
import {formatCount, parseQuantity} from '../../source/protocol/numbers.js';

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

describe('parseQuantity', () => {
	it('reads each quantity with its own suffixes', () => {
		expect(parseQuantity('8k', 'count')).toBe(8000);
		expect(parseQuantity(' 1.5M ', 'count')).toBe(1_500_000);
		expect(parseQuantity('128_000', 'count')).toBe(128_000);
		expect(parseQuantity('1,048,576', 'count')).toBe(1_048_576);
		expect(parseQuantity('0.3k', 'count')).toBe(300);
		expect(parseQuantity('2G', 'megabytes')).toBe(2048);
		expect(parseQuantity('512', 'megabytes')).toBe(512);
		expect(parseQuantity('1024k', 'megabytes')).toBe(1);
		expect(parseQuantity('64KiB', 'bytes')).toBe(65_536);
		expect(parseQuantity('5m', 'seconds')).toBe(300);
		expect(parseQuantity('250ms', 'seconds')).toBe(0.25);
		expect(parseQuantity('1d', 'seconds')).toBe(86_400);
		expect(parseQuantity('5', 'minutes')).toBe(5);
		expect(parseQuantity('5m', 'minutes')).toBe(5);
		expect(parseQuantity('1h', 'minutes')).toBe(60);
		expect(parseQuantity('120s', 'minutes')).toBe(2);
		expect(parseQuantity('90s', 'minutes')).toBe(1.5);
		expect(parseQuantity('$0.50', 'usd')).toBe(0.5);
		expect(parseQuantity('-3', 'count')).toBe(-3);
	});

	it('refuses what is not a number of that quantity', () => {
		for (const [text, quantity] of [
			['', 'count'],
			['lots', 'count'],
			['0x10', 'count'],
			['Infinity', 'count'],
			['8kb', 'count'],
			['5k', 'usd'],
			['0.7k', 'plain'],
			['2T', 'megabytes'],
			['5y', 'seconds'],
			['500ms', 'minutes'],
			['5y', 'minutes'],
			['1,00', 'count'],
			['1e999', 'count'],
		] as const) expect(parseQuantity(text, quantity), `${text} as ${quantity}`).toBeUndefined();
	});

	it('is the parser of the number flags and of --max-context-bytes', () => {
		const {flags} = parseCli(['--context-window', '128k', '--max-tokens', '2M', '--memory-limit', '2G', '--timeout', '2m', '--max-budget', '$1.5', '-t', '0.2', '--keep-warm', '1h']);
		expect(flags).toMatchObject({contextWindow: 128_000, maxTokens: 2_000_000, memoryLimit: 2048, timeout: 120, maxBudget: 1.5, temperature: 0.2, keepWarm: 60});
		expect(parseCli(['--keep-warm', '2m']).flags.keepWarm).toBe(2);
		expect(() => parseCli(['--context-window', '8q'])).toThrow('--context-window needs a number, not "8q"');
		expect(() => parseCli(['-t', '1k'])).toThrow('needs a number, not "1k"');
		expect(parseByteSize('200M')).toBe(200 * 1024 ** 2);
	});
});
