// The detail view's line for what stopped a block names the flag a user changes it with.
import {describe, expect, it} from 'vitest';
import {blockLimitLine} from '../../source/ui/detail.js';

describe('blockLimitLine', () => {
	it('names the flag of the block timeout, the memory limit and a run-wide limit', () => {
		expect(blockLimitLine('timeout')).toBe('stopped by: the block timeout (--timeout)');
		expect(blockLimitLine('memory')).toBe('stopped by: the memory limit (--memory-limit)');
		expect(blockLimitLine('maxSubCalls')).toBe("stopped by: max_sub_calls, the run's limit (--max-sub-calls)");
	});
});
