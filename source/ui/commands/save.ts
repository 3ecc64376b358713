// /save [FILE] [--force]: the session as JSON (the serializer --json uses): chat, settings and the whole tree.
import {sessionFileJson} from '../transcript.js';
import {defineCommand} from './command.js';
import {parseFileArgs, writeSessionFile, type FileToWrite} from './write-file.js';

export const saveCommand = defineCommand<FileToWrite>({
	name: 'save',
	usage: '/save [FILE] [--force]',
	help: 'write the session as JSON: chat, settings and the whole tree (as --json); never over an existing file without --force',
	inReplay: true,
	run(state, args, queue) {
		const {path, force} = parseFileArgs(args);
		const content = sessionFileJson(state.chat, state.config, state.tree.traj);
		return queue(state, {format: 'json', content, force, ...(path ? {path} : {})});
	},
	perform: writeSessionFile,
});
