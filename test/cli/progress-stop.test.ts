// The headless spinner line once stopped (the answer printed, Ctrl+C, Ctrl+\): an event that
// still comes in must not draw it again, or it stays on the screen above the shell's prompt.
import {Writable} from 'node:stream';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {RlmEvent} from '../../source/protocol/events.js';
import {startProgress} from '../../source/cli/progress.js';
import {emptyTrajectory} from '../../source/trajectory/tree.js';

/** A terminal's stderr: what was written, with the cursor moves a tty.WriteStream makes. */
function terminal() {
	let written = '';
	const stream = new Writable({
		write(chunk: Buffer, _encoding, done) {
			written += chunk.toString();
			done();
		},
	});
	const tty = Object.assign(stream, {
		isTTY: true,
		columns: 120,
		rows: 30,
		cursorTo: (x: number) => stream.write(`\u001b[${x + 1}G`),
		moveCursor: (_dx: number, dy: number) => stream.write(dy < 0 ? `\u001b[${-dy}A` : ''),
		clearLine: () => stream.write('\u001b[0K'),
	});
	return {stream: tty as unknown as NodeJS.WriteStream, written: () => written};
}

const saved = process.env.CI;
beforeEach(() => {
	delete process.env.CI;
});
afterEach(() => {
	if (saved !== undefined) process.env.CI = saved;
});

describe('the headless progress line, stopped', () => {
	it('is cleared, and the events that come after do not draw it again', () => {
		const {stream, written} = terminal();
		const progress = startProgress(stream, 30)!;
		expect(progress).toBeDefined();
		const tree = emptyTrajectory();
		progress.onEvent({type: 'run.start', runId: 'r', depth: 0, t: 0} as RlmEvent, tree);
		progress.onEvent({type: 'iter.start', runId: 'r', iteration: 1, maxIterations: 30, t: 0}, tree);
		expect(written()).toContain('iter 1/30');
		progress.stop();
		const atStop = written();
		// Cleared: the line's last write is the clear, after the cursor went back to column 1.
		expect(atStop).toMatch(/\u001b\[1G\u001b\[0K$/);
		progress.onEvent({type: 'iter.start', runId: 'r', iteration: 2, maxIterations: 30, t: 0}, tree);
		progress.stop();
		expect(written()).toBe(atStop);
	});
});
