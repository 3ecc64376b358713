// Whether a file's first bytes can start a JSONL trajectory, so that a file that is not one (a
// binary, a big text or JSON file) is refused from its start instead of after reading it whole.
// A trajectory (ours or the original RLM's) is UTF-8 JSON written one object a line: no raw
// control characters, and its first line a metadata or iteration record.

/** How much of a file's start is read to decide, in bytes. */
export const LOG_START_BYTES = 64 * 1024;

/** A first line that has not ended within LOG_START_BYTES must begin as the writers begin one
 * (ours and the original's put `type` first; the original's oldest iterations, `iteration`). */
const longFirstLine = /^\{\s*"(?:type"\s*:\s*"(?:metadata|iteration)"|iteration"\s*:)/;

/** Control bytes JSON never leaves raw in its text (tab, LF and CR may sit between values). */
const controlByte = (byte: number) => byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d;

/** The bytes as UTF-8 text, or undefined when they are not UTF-8 (a character cut at the end of
 * a prefix is not held against it). */
function utf8(bytes: Uint8Array, whole: boolean): string | undefined {
	const decoder = new TextDecoder('utf-8', {fatal: true});
	for (let cut = 0; cut <= (whole ? 0 : Math.min(3, bytes.length)); cut++) {
		try {
			return decoder.decode(bytes.subarray(0, bytes.length - cut));
		} catch {
			// try without the last bytes: a character the prefix cut in two
		}
	}
	return undefined;
}

/** Whether a parsed line is a record a trajectory may start with (read-log.ts's rule). */
export function isTrajectoryRecord(json: unknown): boolean {
	if (!json || typeof json !== 'object' || Array.isArray(json)) return false;
	const {type, iteration} = json as {type?: unknown; iteration?: unknown};
	return type === 'metadata' || type === 'iteration' || (type === undefined && typeof iteration === 'number');
}

/**
 * Whether `start`, the first bytes of a file (`whole`: all of it), can begin a trajectory: its
 * first line (blank lines skipped) is UTF-8 without control bytes and a metadata or iteration
 * record, or, when that line goes on past `start`, begins as one. Only the first line is judged:
 * a log whose end a crash left cut or zero-filled is still read (its bad lines skipped).
 */
export function canStartTrajectory(start: Uint8Array, whole: boolean): boolean {
	let from = start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf ? 3 : 0;
	while (from < start.length && (start[from] === 0x20 || start[from] === 0x09 || start[from] === 0x0a || start[from] === 0x0d)) from++;
	const newline = start.indexOf(0x0a, from);
	const ended = newline !== -1 || whole;
	const line = start.subarray(from, newline === -1 ? start.length : newline);
	if (line[0] !== 0x7b /* { */ || line.some(controlByte)) return false;
	const text = utf8(line, ended);
	if (text === undefined) return false;
	if (!ended) return longFirstLine.test(text);
	try {
		return isTrajectoryRecord(JSON.parse(text));
	} catch {
		return false;
	}
}
