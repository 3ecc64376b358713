// Writing what /save and /export made: to the path given (replacing it), else to a new file named
// after the time in the working directory (never over an existing one).
import {writeFile} from 'node:fs/promises';
import {firstLine} from '../engine-port.js';
import {transcriptFileName} from '../transcript.js';
import {userPath, type CommandContext} from './command.js';

export interface FileToWrite {
	content: string;
	format: 'md' | 'json';
	path?: string;
}

export async function writeSessionFile({content, format, path}: FileToWrite, context: CommandContext): Promise<void> {
	const full = userPath(context.cwd, path ?? transcriptFileName(new Date(), format));
	const what = format === 'md' ? 'the transcript' : 'the session';
	try {
		// Sessions and transcripts carry the user's documents: readable by the user only.
		await writeFile(full, content, {mode: 0o600, ...(path ? {} : {flag: 'wx'})});
		context.say('info', `Saved ${what} to ${full}`);
	} catch (error) {
		context.say('error', `Could not save ${what} to ${full}: ${firstLine(error)}`);
	}
}
