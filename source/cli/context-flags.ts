// -c/--context-file, --context-format and --max-context-bytes: the context the command line asks
// for, loaded by the context room (source/context), with `-c -` read through the robust stdin reader.
// The loader (with its folder walk, globs and .gitignore rules) loads only when -c is given.
import {contextFormats, type ContextFormat} from '../context/json.js';
import type {ContextLoadOptions, LoadedContext} from '../context/load.js';
import {parseByteSize} from '../context/size.js';
import {skippedLine} from '../context/skipped-line.js';
import {readStdin} from './stdin.js';
import {UsageError} from './usage-error.js';
import {tell} from './tell.js';
import {quoted} from '../protocol/quoted.js';

export interface ContextFlags {
	contextFile?: string[];
	contextFormat?: string;
	maxContextBytes?: string;
	prompt?: string;
}

export interface CliContext {
	/** Undefined when no -c was given. */
	loaded?: LoadedContext;
	/** How later loads (the TUI's /context) read: the same format and cap. */
	options: Pick<ContextLoadOptions, 'format' | 'maxBytes'>;
	/** `-c -` took stdin: it is not the prompt. */
	fromStdin: boolean;
}

/** The names a shell gives stdin: `-c /dev/stdin` is `-c -` (read once, keyed "stdin"), not a
 * file read beside the stdin the app also reads. */
const STDIN_PATHS = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/**
 * Checks the context flags and loads what -c names; a skipped-files line goes to `stderr`.
 * @throws UsageError for a bad --context-format or --max-context-bytes, `-c -` with stdin a
 * terminal or without -p; ContextLoadError for what cannot be loaded.
 */
export async function contextFromFlags(flags: ContextFlags, stderr: NodeJS.WritableStream, stdin: NodeJS.ReadStream = process.stdin): Promise<CliContext> {
	const format = flags.contextFormat?.trim().toLowerCase();
	if (format !== undefined && !(contextFormats as readonly string[]).includes(format))
		throw new UsageError(`--context-format needs ${contextFormats.join(' or ')}, not ${quoted(String(flags.contextFormat))}`);
	const options: CliContext['options'] = {
		...(format ? {format: format as ContextFormat} : {}),
		...(flags.maxContextBytes !== undefined ? {maxBytes: parseByteSize(flags.maxContextBytes)} : {}),
	};
	let specs = (flags.contextFile ?? []).map((spec) => (STDIN_PATHS.has(spec) ? '-' : spec));
	let fromStdin = specs.includes('-');
	if (fromStdin && stdin.isTTY) throw new UsageError('-c - reads the context from stdin, but stdin is a terminal: pipe it in, e.g. cat notes.txt | rlm-tui -c - -p "..."');
	if (fromStdin && !flags.prompt?.trim()) throw new UsageError('-c - takes the context from stdin, so the question goes in -p "..."');
	if (specs.filter((spec) => spec === '-').length > 1) throw new UsageError('-c - can be given once: stdin is read once');
	if (specs.length === 0) return {options, fromStdin};
	const onNote = (note: string) => tell(stderr, `rlm-tui: note: ${note}`);
	let read = () => readStdin({optional: false, stdin, onNote});
	// Text piped in beside -c and -p is context too, as `-c -` takes it: never dropped without a word.
	// Read as when it is the only context: a silent open socket is passed over (see stdin.ts).
	if (!fromStdin && !stdin.isTTY && flags.prompt?.trim()) {
		const piped = await readStdin({optional: true, stdin, onNote, onSilent: (message) => tell(stderr, `rlm-tui: note: ${message}`)});
		if (piped?.trim()) {
			specs = [...specs, '-'];
			fromStdin = true;
			read = async () => piped;
			tell(stderr, 'rlm-tui: note: the piped stdin is in the context too, as "stdin" (as -c - takes it; give </dev/null to leave it out)');
		}
	}
	const {loadContext} = await import('../context/load.js');
	const loaded = await loadContext(specs, {...options, readStdin: read});
	for (const note of loaded.notes) onNote(note);
	const skipped = skippedLine(loaded.skipped);
	if (skipped) tell(stderr, `rlm-tui: context: ${skipped}`);
	return {loaded, options, fromStdin};
}
