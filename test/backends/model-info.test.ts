import {describe, expect, it} from 'vitest';
import {
	DEFAULT_CONTEXT_TOKENS,
	contextWindowTokens,
	estimateCostUsd,
	estimateMessagesTokens,
	estimateTokens,
} from '../../source/backends/model-info.js';

describe('model info', () => {
	it('knows the context window of hosted models, with or without dates and prefixes', () => {
		expect(contextWindowTokens('gpt-4o')).toBe(128_000);
		expect(contextWindowTokens('openai/gpt-4o-mini')).toBe(128_000);
		expect(contextWindowTokens('claude-3-5-haiku-20241022')).toBe(200_000);
		expect(contextWindowTokens('claude-3-5-haiku-latest')).toBe(200_000);
		expect(contextWindowTokens('claude-sonnet-4-5-20250929')).toBe(200_000);
	});

	it('knows nothing about local models, which fall back to the default guess', () => {
		expect(contextWindowTokens('llama3.1:8b')).toBeUndefined();
		expect(estimateCostUsd('llama3.1:8b', {inputTokens: 1000, outputTokens: 1000})).toBeUndefined();
		expect(DEFAULT_CONTEXT_TOKENS).toBe(32_768);
	});

	it('prices usage in USD', () => {
		// gpt-4o: $2.50 in, $10 out per million tokens.
		expect(estimateCostUsd('gpt-4o', {inputTokens: 1_000_000, outputTokens: 100_000})).toBeCloseTo(3.5, 6);
		expect(estimateCostUsd('claude-haiku-4-5', {inputTokens: 2_000_000, outputTokens: 0})).toBeCloseTo(2, 6);
	});

	it('knows the current Claude models (the default is not past its end of life)', () => {
		expect(contextWindowTokens('claude-sonnet-5-5')).toBe(1_000_000);
		expect(estimateCostUsd('anthropic/claude-sonnet-5-5', {inputTokens: 1_000_000, outputTokens: 100_000})).toBeCloseTo(3, 6);
		expect(estimateCostUsd('claude-opus-5-5', {inputTokens: 0, outputTokens: 1_000_000})).toBeCloseTo(20, 6);
		expect(estimateCostUsd('claude-haiku-5-5', {inputTokens: 1_000_000, outputTokens: 0})).toBeCloseTo(0.1, 6);
	});

	it('estimates tokens at about four characters each', () => {
		expect(estimateTokens('')).toBe(0);
		expect(estimateTokens('abcde')).toBe(2);
		expect(estimateMessagesTokens([{role: 'system', content: 'abcd'}, {role: 'user', content: 'efgh'}])).toBe(2);
	});
});
