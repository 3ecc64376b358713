// Writing what /save and /export made: to the path given, else to a new file named after the
// time in the working directory. An existing file is never replaced unless the user said
// `--force`; then the new content goes to a private temporary file renamed over it, so the
// result is 0600 whatever the old file's mode was, and a failed write leaves the old file whole.
import {randomBytes} from 'node:crypto';
import {rename, rm, writeFile} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import {firstLine} from '../engine-port.js';
import {transcriptFileName} from '../transcript.js';
import {userPath, unquote, type CommandContext} from './command.js';

export interface FileToWrite {
	content: string;
	format: 'md' | 'json';
	path?: string;
	/** Replace an existing file at `path`. */
	force?: boolean;
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

export async function writeSessionFile({content, format, path, force}: FileToWrite, context: CommandContext): Promise<void> {
	const full = userPath(context.cwd, path ?? transcriptFileName(new Date(), format));
	const what = format === 'md' ? 'the transcript' : 'the session';
	const command = format === 'md' ? '/export' : '/save';
	try {
		// Sessions and transcripts carry the user's documents: readable by the user only.
		if (force && path) await replaceFile(full, content);
		else await writeFile(full, content, {mode: 0o600, flag: 'wx'});
		context.say('info', `Saved ${what} to ${full}`);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
			const typed = path === undefined ? 'FILE' : /\s/.test(path) ? `"${path}"` : path;
			context.say('error', `Not saved: ${full} exists. ${command} ${typed} ${FORCE_OPTION} replaces it.`);
			return;
		}
		context.say('error', `Could not save ${what} to ${full}: ${firstLine(error)}`);
	}
}

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
