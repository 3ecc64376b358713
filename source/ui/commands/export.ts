// /export [FILE] [--force]: the transcript as Markdown.
import {transcriptMarkdown} from '../transcript.js';
import {defineCommand} from './command.js';
import {parseFileArgs, writeSessionFile, type FileToWrite} from './write-file.js';

export const exportCommand = defineCommand<FileToWrite>({
	name: 'export',
	usage: '/export [FILE] [--force]',
	help: 'write the transcript as Markdown; never over an existing file without --force',
	inReplay: true,
	run(state, args, queue) {
		const {path, force} = parseFileArgs(args);
		const content = transcriptMarkdown(state.chat, {model: state.config.model, backend: state.config.backend, date: new Date()});
		return queue(state, {format: 'md', content, force, ...(path ? {path} : {})});
	},
	perform: writeSessionFile,
});
