// A server lists a model under more names than users send: the same id, Ollama's `:latest` tag,
// and the dated snapshots OpenAI and Anthropic list.
import {describe, expect, it} from 'vitest';
import {listsModel} from '../../source/protocol/listed-model.js';

describe('listsModel', () => {
	it('finds the same id, its :latest tag and a dated snapshot', () => {
		expect(listsModel(['cogito:14b'], 'cogito:14b')).toBe(true);
		expect(listsModel(['llama3:latest'], 'llama3')).toBe(true);
		expect(listsModel(['gpt-4o-2024-08-06'], 'gpt-4o')).toBe(true);
		expect(listsModel(['claude-sonnet-4-5-20250929'], 'claude-sonnet-4-5')).toBe(true);
		// Anthropic's `-latest` aliases point at the newest dated snapshot.
		expect(listsModel(['claude-3-5-sonnet-20241022'], 'claude-3-5-sonnet-latest')).toBe(true);
	});

	it('does not take a longer name, another tag or an empty name for the model', () => {
		expect(listsModel(['gpt-4o-mini'], 'gpt-4o')).toBe(false);
		expect(listsModel(['gpt-4o-mini-2024-07-18'], 'gpt-4o')).toBe(false);
		expect(listsModel(['llama3:70b'], 'llama3')).toBe(false);
		expect(listsModel(['qwen3-8b'], 'cogito:14b')).toBe(false);
		expect(listsModel(['a'], '  ')).toBe(false);
		expect(listsModel(['claude-3-5-haiku-20241022'], 'claude-3-5-sonnet-latest')).toBe(false);
	});
});
