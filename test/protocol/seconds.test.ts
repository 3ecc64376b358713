// One seconds formatter for every room's messages (backends' retry and timeout notices, the
// sandbox's, the engine's cut-off notices): a tenth of a second, no trailing ".0".
import {expect, it} from 'vitest';
import {formatSeconds} from '../../source/protocol/seconds.js';
import {interruptedNotice, restartNotice} from '../../source/sandbox/notices.js';
import {cutReplyMarker} from '../../source/engine/truncation.js';

it('rounds to the nearest tenth of a second, a half up, and drops a trailing ".0"', () => {
	expect(formatSeconds(1500)).toBe('1.5 s');
	expect(formatSeconds(2000)).toBe('2 s');
	// The sandbox's own formatter said "2.0 s" here, and "2 s" a hundredth later.
	expect(formatSeconds(1990)).toBe('2 s');
	expect(formatSeconds(1234)).toBe('1.2 s');
	expect(formatSeconds(1250)).toBe('1.3 s');
	expect(formatSeconds(60_000)).toBe('60 s');
	expect(formatSeconds(300)).toBe('0.3 s');
	expect(formatSeconds(40)).toBe('0 s');
});

it('the sandbox and the engine say a duration as the backends do', () => {
	expect(interruptedNotice.timeout(29_990)).toMatch(/^Timed out after 30 s of Python time/);
	expect(restartNotice({kind: 'timeout', timeoutMs: 1_990})).toMatch(/^Timed out after 2 s, and Python did not stop/);
	expect(cutReplyMarker('dropped', 60_000)).toContain('the server sent nothing for 60 s');
});
