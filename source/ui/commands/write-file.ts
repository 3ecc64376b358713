// Writing what /save and /export made: the format the file name's extension asks for, to the
// path given (into it, when it is a folder), else to a new file named after the time in the
// working directory. An existing file is never replaced unless the user said
// `--force`; then the new content goes to a private temporary file renamed over it, so the
// result is 0600 whatever the old file's mode was, and a failed write leaves the old file whole.
// Only a regular file is ever replaced: a device, a pipe, a socket is refused, --force or not (a
// rename would put a file in place of /dev/null). A symbolic link is written through: the file it
// points to is replaced the same way and the link stays (as `>` or cp do; replacing the link
// instead would break what it was made for, a fixed name for a file kept elsewhere).
import type {Stats} from 'node:fs';
import {randomBytes} from 'node:crypto';
import {lstat, realpath, rename, rm, stat, writeFile} from 'node:fs/promises';
import {basename, dirname, extname, join} from 'node:path';
import {firstLine} from '../engine-port.js';
import type {AppState} from '../state/types.js';
import {sessionFileJson, transcriptFileName, transcriptMarkdown} from '../transcript.js';
import {userPath, unquote, type CommandContext} from './command.js';
import {quoted} from '../../protocol/quoted.js';

/** `json`: the session (chat, settings, the whole tree), as /save; `md`: the transcript, as /export. */
export type FileFormat = 'md' | 'json';

export interface FileToWrite {
	content: string;
	format: FileFormat;
	path?: string;
	/** Replace an existing file at `path`. */
	force?: boolean;
	/** As typed (/save or /export), for the line that says how to replace a file. */
	command?: string;
	/** The file name's extension, when it chose a format other than the command's own (said when saved). */
	forExtension?: string;
}

/**
 * What a file name's extension asks for. A user who names `notes.md` (or `.txt`, read as text)
 * expects the readable transcript, and `x.json` the data: the extension decides, whichever of
 * /save and /export was typed; a name without one gets the command's own format.
 */
const FORMAT_OF_EXTENSION: Readonly<Record<string, FileFormat>> = {'.json': 'json', '.md': 'md', '.markdown': 'md', '.txt': 'md'};

/** The extensions each format is written for, as the error and /help say them. */
export const FORMAT_EXTENSIONS = {
	json: Object.keys(FORMAT_OF_EXTENSION).filter((extension) => FORMAT_OF_EXTENSION[extension] === 'json'),
	md: Object.keys(FORMAT_OF_EXTENSION).filter((extension) => FORMAT_OF_EXTENSION[extension] === 'md'),
} as const;

/**
 * The file /save or /export writes for `args` (`[FILE] [--force]`): its format from FILE's
 * extension, else `own`. An extension that is neither JSON nor Markdown is refused with one line
 * saying what each command writes (nothing is written in a format the name does not promise).
 */
export function fileToWrite(state: AppState, args: string, own: FileFormat, command: string): {ok: true; file: FileToWrite} | {ok: false; error: string} {
	const {path, force} = parseFileArgs(args);
	const extension = path ? extname(path).toLowerCase() : '';
	const format = extension ? FORMAT_OF_EXTENSION[extension] : own;
	if (!format) {
		const list = (extensions: readonly string[]) => extensions.join(' or ');
		return {
			ok: false,
			error: `Not saved: ${quoted(extension)} is neither JSON nor Markdown. /save writes the session as JSON (${list(FORMAT_EXTENSIONS.json)}), /export the transcript as Markdown (${list(FORMAT_EXTENSIONS.md)}).`,
		};
	}
	const content = format === 'json' ? sessionFileJson(state.chat, state.config, state.tree.traj) : transcriptMarkdown(state.chat, {model: state.config.model, backend: state.config.backend, date: new Date(), running: state.running !== null});
	return {ok: true, file: {format, content, force, command, ...(path ? {path} : {}), ...(format !== own ? {forExtension: extension} : {})}};
}

/** The option that lets /save and /export replace an existing file. */
export const FORCE_OPTION = '--force';

/** `[FILE] [--force]` (the option before or after the path; a path may be quoted or hold spaces). */
export function parseFileArgs(args: string): {path?: string; force: boolean} {
	let rest = args.trim();
	let force = false;
	const option = new RegExp(`(?:^|\\s)${FORCE_OPTION}(?=\\s|$)`);
	if (option.test(rest)) {
		force = true;
		rest = rest.replace(option, ' ').trim();
	}
	const path = unquote(rest);
	return {...(path ? {path} : {}), force};
}

export async function writeSessionFile({content, format, path, force, command = format === 'md' ? '/export' : '/save', forExtension}: FileToWrite, context: CommandContext): Promise<void> {
	let full = userPath(context.cwd, path ?? transcriptFileName(new Date(), format));
	// A folder named: the file goes into it, under the name it would have had (as cp does).
	if (path && (await stat(full).catch(() => null))?.isDirectory()) full = join(full, transcriptFileName(new Date(), format));
	const what = format === 'md' ? 'the transcript' : 'the session';
	const how = forExtension ? ` as ${format === 'md' ? 'Markdown' : 'JSON'} (for ${forExtension})` : '';
	const existing = await stat(full).catch(() => null);
	if (existing && !existing.isFile()) {
		context.say('error', `Not saved: ${full} is ${kindOf(existing)}, not a regular file: name a file.`);
		return;
	}
	if (!existing && (await lstat(full).catch(() => null))?.isSymbolicLink()) {
		context.say('error', `Not saved: ${full} is a link to a file that does not exist: name a file.`);
		return;
	}
	try {
		// Sessions and transcripts carry the user's documents: readable by the user only.
		if (force && path) await replaceFile(await realpath(full).catch(() => full), content);
		else await writeFile(full, content, {mode: 0o600, flag: 'wx'});
		context.say('info', `Saved ${what}${how} to ${full}`);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
			const typed = path === undefined ? 'FILE' : /\s/.test(path) ? `"${path}"` : path;
			context.say('error', `Not saved: ${full} exists. ${command} ${typed} ${FORCE_OPTION} replaces it.`);
			return;
		}
		context.say('error', `Could not save ${what} to ${full}: ${firstLine(error)}`);
	}
}

const kindOf = (stats: Stats): string =>
	stats.isDirectory() ? 'a folder' : stats.isCharacterDevice() || stats.isBlockDevice() ? 'a device' : stats.isFIFO() ? 'a named pipe' : stats.isSocket() ? 'a socket' : 'an unusual kind of file';

/** Writes `content` to a new 0600 file beside `file`, then renames it over `file`. */
async function replaceFile(file: string, content: string): Promise<void> {
	const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
	try {
		await writeFile(temporary, content, {mode: 0o600, flag: 'wx'});
		await rename(temporary, file);
	} catch (error) {
		await rm(temporary, {force: true});
		throw error;
	}
}
