// /export [FILE] [--force]: the conversation as Markdown (transcript.ts: questions, answers, how a
// question failed or was cancelled; not the app's own notes). FILE.json gets the session as JSON
// instead, as /save writes it.
import {addChat} from '../state/updates.js';
import {defineCommand} from './command.js';
import {fileToWrite, writeSessionFile, type FileToWrite} from './write-file.js';

export const exportCommand = defineCommand<FileToWrite>({
	name: 'export',
	usage: '/export [FILE] [--force]',
	help: 'write the conversation as Markdown: questions, answers, failures, cancellations and unfinished questions, not the app\'s notes; FILE.json gets the session as JSON (as /save); never over an existing file without --force',
	inReplay: true,
	run(state, args, queue) {
		const made = fileToWrite(state, args, 'md', '/export');
		return made.ok ? queue(state, made.file) : addChat(state, 'error', made.error);
	},
	perform: writeSessionFile,
});
