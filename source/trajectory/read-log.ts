// Reading JSONL trajectories (ours, or the original RLM's): line by line, tolerant of a last
// line cut short by a killed process, validated with zod since the file comes from outside.
import {readdirSync, statSync} from 'node:fs';
import {basename, join} from 'node:path';
import * as z from 'zod';
import {InputReadError, MAX_INPUT_BYTES, readInputFileHeadFirstSync, type HeadFirst, type InputSpec} from '../protocol/bounded-read.js';
import {parseLogFileName, type SessionOrigin} from './log-names.js';
import {notATrajectory} from './not-a-log.js';
import {canStartTrajectory, isTrajectoryRecord, LOG_START_BYTES} from './log-start.js';
import type {OriginalIteration, OriginalMetadata} from './original-schema.js';

const messageSchema = z.object({role: z.string(), content: z.unknown()}).transform((m) => ({
	role: (['system', 'user', 'assistant'].includes(m.role) ? m.role : 'user') as 'system' | 'user' | 'assistant',
	content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''),
}));

/** The original's final_answer was once a [kind, text] pair. */
const finalSchema = z
	.union([z.string(), z.tuple([z.string(), z.string()]), z.null(), z.undefined()])
	.transform((value) => (Array.isArray(value) ? value[1] : (value ?? null)));

const str = z.unknown().transform((value) => (typeof value === 'string' ? value : value == null ? '' : JSON.stringify(value)));
const num = z.unknown().transform((value) => (typeof value === 'number' && Number.isFinite(value) ? value : 0));

type Call = OriginalIteration['code_blocks'][number]['result']['rlm_calls'][number];

const callSchema: z.ZodType<Call> = z.lazy(() =>
	z.looseObject({
		root_model: str,
		prompt: str,
		response: str,
		usage_summary: z.unknown().optional(),
		prompt_tokens: num.optional(),
		completion_tokens: num.optional(),
		execution_time: num,
		metadata: z.unknown().optional(),
		rlm_tui: z.unknown().optional(),
	}),
) as unknown as z.ZodType<Call>;

export const iterationSchema = z.looseObject({
	type: z.literal('iteration').optional(),
	iteration: num,
	timestamp: str,
	prompt: z.union([z.array(messageSchema), z.string().transform((text) => [{role: 'user' as const, content: text}])]).catch([]),
	response: str,
	code_blocks: z
		.array(
			z.looseObject({
				code: str,
				result: z.looseObject({
					stdout: str,
					stderr: str,
					locals: z.record(z.string(), z.unknown()).catch({}),
					execution_time: num,
					rlm_calls: z.array(callSchema).catch([]),
					final_answer: finalSchema.catch(null),
					rlm_tui: z.unknown().optional(),
				}),
			}),
		)
		.catch([]),
	final_answer: finalSchema.catch(null),
	iteration_time: num,
	rlm_tui: z.unknown().optional(),
});

export const metadataSchema = z.looseObject({
	type: z.literal('metadata'),
	timestamp: str,
	root_model: str,
	max_depth: num,
	max_iterations: num,
	backend: str,
	backend_kwargs: z.record(z.string(), z.unknown()).catch({}),
	environment_type: str,
	environment_kwargs: z.record(z.string(), z.unknown()).catch({}),
	other_backends: z.unknown().optional(),
	rlm_tui: z.unknown().optional(),
});

export interface TrajectoryLog {
	path: string;
	metadata: OriginalMetadata;
	iterations: OriginalIteration[];
	/** Lines that could not be read (a cut last line, or junk). */
	skippedLines: number;
}

export class LogReadError extends Error {}

/** How deep a line's arrays and objects may nest: far past any log's, far short of the stack
 * (a line of 100k `[` overflowed it in JSON.stringify, and the message named no file). */
const maxNesting = 1000;

/** Whether the JSON text nests arrays and objects deeper than maxNesting (brackets in strings aside). */
export function nestedTooDeep(line: string): boolean {
	let depth = 0;
	let inString = false;
	for (let index = 0; index < line.length; index++) {
		const code = line.charCodeAt(index);
		if (inString) {
			if (code === 92) index++; // a backslash escapes the next character
			else if (code === 34) inString = false;
		} else if (code === 34) inString = true;
		else if (code === 91 || code === 123) {
			if (++depth > maxNesting) return true;
		} else if (code === 93 || code === 125) depth--;
	}
	return false;
}

export function parseTrajectoryLog(text: string, path = '(log)'): TrajectoryLog {
	let metadata: OriginalMetadata | undefined;
	const iterations: OriginalIteration[] = [];
	let skippedLines = 0;
	for (const line of text.split('\n')) {
		if (!line.trim()) continue;
		let json: unknown;
		try {
			if (nestedTooDeep(line)) throw new RangeError('nested too deep');
			json = JSON.parse(line);
		} catch {
			skippedLines++;
			continue;
		}
		const type = (json as {type?: unknown})?.type;
		if (type === 'metadata' && !metadata) {
			const parsed = metadataSchema.safeParse(json);
			if (parsed.success) metadata = parsed.data as unknown as OriginalMetadata;
			else skippedLines++;
		} else if (type !== 'metadata' && isTrajectoryRecord(json)) {
			const parsed = iterationSchema.safeParse(json);
			if (parsed.success) iterations.push({...(parsed.data as unknown as OriginalIteration), type: 'iteration'});
			else skippedLines++;
		} else skippedLines++;
	}
	if (!metadata) {
		if (iterations.length === 0) throw new LogReadError(notATrajectory(text, path));
		metadata = {type: 'metadata', timestamp: iterations[0]!.timestamp, root_model: 'unknown', max_depth: 1, max_iterations: iterations.length, backend: 'unknown', backend_kwargs: {}, environment_type: 'unknown', environment_kwargs: {}, other_backends: null};
	}
	return {path, metadata, iterations, skippedLines};
}

const trajectoryInput: InputSpec = {
	what: 'Trajectory file',
	limit: MAX_INPUT_BYTES,
	tooLarge: 'a log rlm-tui writes is far smaller; give one of the .jsonl logs of a run',
};

/** A file that is no trajectory is named as one of ours (notATrajectory) from its whole text up to this size, in bytes; a bigger one from its start. */
const SHAPE_READ_BYTES = 8 * 1024 * 1024;

/**
 * Reads a trajectory file. One that is not one (a binary, a big text or JSON file) is refused
 * from its first LOG_START_BYTES, not read whole (log-start.ts).
 * @throws LogReadError with one line saying what the file is and what --replay takes.
 */
export function readTrajectoryLog(path: string): TrajectoryLog {
	// Set when a start that is no trajectory's looks like JSON: such a file is named from its whole text.
	let namedWhole = false;
	let read: HeadFirst<Buffer>;
	try {
		// Judged by its start before it is read whole: a 3 GB log was read (35 s, 4.25 GB) to fail as one string.
		read = readInputFileHeadFirstSync(path, trajectoryInput, {
			bytes: LOG_START_BYTES,
			judge: (start, size) => {
				if (canStartTrajectory(start, start.length >= size)) return undefined;
				namedWhole = /^\s*[[{]/.test(start.toString('utf8', 0, Math.min(start.length, 64))) && size <= SHAPE_READ_BYTES;
				return namedWhole ? undefined : start;
			},
		});
	} catch (error) {
		throw error instanceof InputReadError ? new LogReadError(logReadMessage(path, error)) : error;
	}
	if ('stopped' in read || namedWhole) throw new LogReadError(notATrajectory(('stopped' in read ? read.stopped : read.bytes).toString('utf8'), path));
	return parseTrajectoryLog(read.bytes.toString('utf8'), path);
}

/** Why a trajectory file could not be read, in --replay's words. */
function logReadMessage(path: string, error: InputReadError): string {
	switch (error.reason) {
		case 'folder':
			return `${path} is a directory, not a trajectory file: --replay takes one of the .jsonl logs in it`;
		// A device or a FIFO may never end (/dev/zero filled memory without bound).
		case 'not a file':
			return `${path} is not a regular file, so not a trajectory: give one of the .jsonl logs rlm-tui writes`;
		case 'missing':
			return `Trajectory file not found: ${path}`;
		case 'denied':
			return `Cannot read ${path}: permission denied`;
		default:
			return error.message;
	}
}

/** One log file of a session, as listing the log dir found it (its size then). */
export interface SessionLog {
	path: string;
	size: number;
}

/** The sessions in `dir` written by one of `origins` (other than `exceptSession`, and without the file `exceptFile`), newest first
 * (by their newest file), each as its files, oldest turn first; [] when there is none. A file
 * whose name records no origin (written before it was recorded) is never listed: it may hold a
 * serve or mcp client's session. */
export function sessionLogs(dir: string, origins: readonly SessionOrigin[], exceptSession?: string, exceptFile?: string): SessionLog[][] {
	// A question the asking run logged before it resumed (cli/main.ts) is its own, not the session's yet.
	const exceptName = exceptFile === undefined ? undefined : basename(exceptFile);
	let names: string[];
	try {
		names = readdirSync(dir);
	} catch {
		return [];
	}
	const ours = names
		.map((name) => ({name, parsed: parseLogFileName(name)}))
		.filter((entry) => entry.parsed && entry.parsed.sessionId !== exceptSession && entry.name !== exceptName && entry.parsed.origin !== undefined && origins.includes(entry.parsed.origin))
		.flatMap((entry) => {
			// A name like a log's that is no file (a dangling link, gone meanwhile) is not a session's.
			let info;
			try {
				info = statSync(join(dir, entry.name));
			} catch {
				return [];
			}
			return info.isFile() ? [{path: join(dir, entry.name), size: info.size, session: entry.parsed!.sessionId, turn: entry.parsed!.turn, mtime: info.mtimeMs}] : [];
		});
	const sessions = new Map<string, typeof ours>();
	for (const entry of ours) sessions.set(entry.session, [...(sessions.get(entry.session) ?? []), entry]);
	const newestOf = (entries: typeof ours) => Math.max(...entries.map((entry) => entry.mtime));
	return [...sessions.values()]
		.sort((a, b) => newestOf(b) - newestOf(a))
		.map((entries) => entries.sort((a, b) => a.turn - b.turn || a.mtime - b.mtime).map(({path, size}) => ({path, size})));
}

/** sessionLogs' sessions as their files' paths. */
export function sessionFiles(dir: string, origins: readonly SessionOrigin[], exceptSession?: string): string[][] {
	return sessionLogs(dir, origins, exceptSession).map((logs) => logs.map((log) => log.path));
}

/** The files of the most recent session in `dir` written by one of `origins` (other than
 * `exceptSession`), oldest turn first; [] when there is none (see sessionFiles). */
export function lastSessionFiles(dir: string, origins: readonly SessionOrigin[], exceptSession?: string): string[] {
	return sessionFiles(dir, origins, exceptSession)[0] ?? [];
}
