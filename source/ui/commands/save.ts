// /save [FILE]: the session as JSON (the serializer --json uses): chat, settings and the whole tree.
import {sessionFileJson} from '../transcript.js';
import {defineCommand, unquote} from './command.js';
import {writeSessionFile, type FileToWrite} from './write-file.js';

export const saveCommand = defineCommand<FileToWrite>({
	name: 'save',
	usage: '/save [FILE]',
	help: 'write the session as JSON: chat, settings and the whole tree (as --json)',
	inReplay: true,
	run(state, args, queue) {
		const path = unquote(args);
		const content = sessionFileJson(state.chat, state.config, state.tree.traj);
		return queue(state, {format: 'json', content, ...(path ? {path} : {})});
	},
	perform: writeSessionFile,
});
