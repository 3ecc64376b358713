// /save [FILE] [--force]: the session as JSON (the serializer --json uses): chat, settings and the
// whole tree. FILE.md (or .txt) gets the Markdown transcript instead, as /export writes it.
import {addChat} from '../state/updates.js';
import {defineCommand} from './command.js';
import {fileToWrite, writeSessionFile, type FileToWrite} from './write-file.js';

export const saveCommand = defineCommand<FileToWrite>({
	name: 'save',
	usage: '/save [FILE] [--force]',
	help: 'write the session as JSON: chat, settings and the whole tree (as --json); FILE.md or .txt gets the Markdown transcript (as /export); never over an existing file without --force',
	inReplay: true,
	keepsDraftOnError: true,
	run(state, args, queue) {
		const made = fileToWrite(state, args, 'json', '/save');
		return made.ok ? queue(state, made.file) : addChat(state, 'error', made.error);
	},
	perform: writeSessionFile,
});
