// The one line that says why a code block failed, for the places that show a failed block in a
// line (the -e log, the TUI's tree and line mode).

const TRACEBACK_HEADER = /^Traceback \(most recent call last\):$/;
/** The exception line of an interrupt: the sandbox interrupts Python so for a timeout, a cancel or a
 * run-wide limit, and writes why on a line of its own before the traceback. */
const INTERRUPT = /^KeyboardInterrupt\b/;

/**
 * The line of a failed block's `error` (the sandbox's notices and Python's traceback, as
 * ExecResult.error holds them) that says what happened: the traceback's last line (the exception,
 * or the memory-limit notice the sandbox puts after it), unless that is a bare KeyboardInterrupt:
 * then the notice written before the traceback ("Timed out after 5 s of Python time …", a run-wide
 * limit's message). '' for an empty error.
 */
export function blockErrorLine(error: string): string {
	const lines = error.split('\n').map((line) => line.trimEnd()).filter((line) => line.trim());
	const last = lines.at(-1)?.trim() ?? '';
	if (!INTERRUPT.test(last)) return last;
	const header = lines.findIndex((line) => TRACEBACK_HEADER.test(line.trim()));
	const before = header === -1 ? lines.slice(0, -1) : lines.slice(0, header);
	return before.at(-1)?.trim() ?? last;
}
