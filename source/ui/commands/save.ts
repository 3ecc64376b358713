// /save [FILE] [--force]: the session as JSON (the serializer --json uses): the questions and
// their answers, backend and model, usage and the whole tree (never the app's notes).
// FILE.md (or .txt) gets the Markdown transcript instead, as /export writes it.
import {addChat} from '../state/updates.js';
import {defineCommand} from './command.js';
import {fileToWrite, writeSessionFile, type FileToWrite} from './write-file.js';

export const saveCommand = defineCommand<FileToWrite>({
	name: 'save',
	usage: '/save [FILE] [--force]',
	help: 'write the session as JSON: questions and answers, backend, model, usage and the whole tree (as --json); FILE.md or .txt gets the Markdown transcript (as /export); never over an existing file without --force',
	inReplay: true,
	run(state, args, queue) {
		const made = fileToWrite(state, args, 'json', '/save');
		return made.ok ? queue(state, made.file) : addChat(state, 'error', made.error);
	},
	perform: writeSessionFile,
});
