// Lines for the user on stderr: whatever they quote (errors, variable and model names, file names,
// server messages) passes the one sanitiser, so it cannot drive the terminal.
import {printable} from '../text/printable.js';

/** Writes `line` and a newline to `stream`, with controls, escape sequences and disguising
 * characters removed (text/printable.ts). */
export function tell(stream: NodeJS.WritableStream, line: string): void {
	stream.write(`${printable(line)}\n`);
}
