// The CLI's way to refuse bad input: one line on stderr, `rlm-tui: ` and what is wrong.
import {expect} from 'vitest';

/** `stderr` is one line, `rlm-tui: ...`, matching `pattern`. */
export function expectOneLineError(stderr: string, pattern: RegExp): void {
	const lines = stderr.trim().split('\n');
	expect(lines).toHaveLength(1);
	expect(lines[0]).toMatch(/^rlm-tui: /);
	expect(lines[0]).toMatch(pattern);
}
