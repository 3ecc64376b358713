// Deep recursion as the model reads it: a traceback or a crash's stack dump (faulthandler's
// "Stack (most recent call first)") of thousands of frames cut to its useful part, the way
// Python itself writes one frame repeated: three copies, then "[Previous line repeated N more
// times]". Python does that for one frame only; a cycle (a calls b calls a) and the crash dump
// are written out in full, kilobytes of the same lines. Here a cycle is written once. The REPL's
// own frames (the prelude's, `<rlm-prelude>`) are left out: they are not the model's code, and a
// crash dump whose only frame was one of them says nothing.

/** A frame's first line, in a traceback (`line 3, in f`) or a faulthandler dump (`line 3 in f`). */
const FRAME = /^(\s*)File "[^"\n]*", line \d+,? in \S/;

/** A frame of the REPL's own code (sandbox/prelude.py, compiled as `<rlm-prelude>`). */
const INTERNAL_FRAME = /^\s*File "<rlm-prelude>", line \d+/;

/** A crash dump's header (faulthandler), which has nothing under it once internal frames are gone. */
const DUMP_HEADER = /^(?:Current thread 0x[0-9a-f]+ \(most recent call first\)|Stack \(most recent call first\)):$/;

/** The longest cycle of frames looked for (mutual recursion through up to this many functions). */
const LONGEST_CYCLE = 8;

/** Copies a repeat keeps before it is counted: three of one frame (as Python), one of a cycle. */
const kept = (period: number) => (period === 1 ? 3 : 1);

/** Lines grouped as frames (a File line and the deeper-indented lines under it) and other lines. */
function units(lines: readonly string[]): string[][] {
	const out: string[][] = [];
	for (let i = 0; i < lines.length; ) {
		const frame = FRAME.exec(lines[i]!);
		const unit = [lines[i++]!];
		if (frame) {
			const indent = frame[1]!.length;
			while (i < lines.length && !FRAME.test(lines[i]!) && lines[i]!.trim() !== '' && !lines[i]!.trimStart().startsWith('[Previous') && /^\s*/.exec(lines[i]!)![0].length > indent) unit.push(lines[i++]!);
		}
		out.push(unit);
	}
	return out;
}

/**
 * `text` with every run of a frame repeated more than three times, and every cycle of up to
 * LONGEST_CYCLE frames repeated more than twice, written once (three times for one frame) and
 * then counted: `[Previous line repeated 97 more times]`, `[Previous 2 frames repeated 6664 more
 * times]`. The REPL's own frames are dropped, and a crash dump's header with no other frame under
 * it. Text without frames is returned as it is.
 */
export function collapseRepeatedFrames(text: string): string {
	if (!text.includes('File "')) return text;
	const all = units(text.split('\n'));
	/** Whether the frames right after unit `at` are all the REPL's own (or there are none). */
	const onlyInternalAfter = (at: number) => {
		for (let next = at + 1; next < all.length && FRAME.test(all[next]![0]!); next++) if (!INTERNAL_FRAME.test(all[next]![0]!)) return false;
		return true;
	};
	const groups = all.filter((unit, at) => !INTERNAL_FRAME.test(unit[0]!) && !(DUMP_HEADER.test(unit[0]!) && onlyInternalAfter(at)));
	const keys = groups.map((unit) => unit.join('\n'));
	const isFrame = groups.map((unit) => FRAME.test(unit[0]!));
	const out: string[] = [];
	let i = 0;
	while (i < groups.length) {
		let done = false;
		for (let period = 1; isFrame[i] && period <= LONGEST_CYCLE && i + (kept(period) + 1) * period <= groups.length; period++) {
			const cycle = Array.from({length: period}, (_, j) => i + j);
			if (!cycle.every((at) => isFrame[at])) break;
			let repeats = 1;
			while (i + (repeats + 1) * period <= groups.length && cycle.every((at) => keys[at + repeats * period] === keys[at])) repeats++;
			const more = repeats - kept(period);
			if (more < (period === 1 ? 1 : 2)) continue;
			for (let copy = 0; copy < kept(period); copy++) for (const at of cycle) out.push(...groups[at + copy * period]!);
			const indent = /^\s*/.exec(groups[i]![0]!)![0];
			out.push(`${indent}[Previous ${period === 1 ? 'line' : `${period} frames`} repeated ${more} more time${more === 1 ? '' : 's'}]`);
			i += repeats * period;
			done = true;
			break;
		}
		if (!done) out.push(...groups[i++]!);
	}
	return out.join('\n');
}
