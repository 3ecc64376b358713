// A retry notice's facts carry the server's words (its cause): made safe for a terminal as the
// message is, before the TUI draws them.
import {expect, it} from 'vitest';
import type {RlmEvent} from '../../source/protocol/events.js';
import {safeEvent} from '../../source/text/safe-text.js';

it('the cause of a retry notice loses its escape sequences and hidden characters, as its message does', () => {
	const hostile = '503: \x1b]8;;https://evil.example\x07click\x1b]8;;\x07 \u202eesrever\u200b';
	const event: RlmEvent = {type: 'notice', runId: 'r', level: 'info', code: 'stream_retried', message: hostile, retry: {retry: 1, maxRetries: 2, waitMs: 500, cause: hostile}, t: 0};
	const safe = safeEvent(event);
	if (safe.type !== 'notice') throw new Error('not a notice');
	expect(safe.retry!.cause).toBe(safe.message);
	expect(safe.retry!.cause).not.toMatch(/[\x1b\x07\u202e\u200b]/);
	expect(safe.retry!.cause).toContain('<U+202E>');
	expect(safe.retry).toMatchObject({retry: 1, maxRetries: 2, waitMs: 500});
});
