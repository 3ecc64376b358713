// /export [FILE]: the transcript as Markdown.
import {transcriptMarkdown} from '../transcript.js';
import {defineCommand, unquote} from './command.js';
import {writeSessionFile, type FileToWrite} from './write-file.js';

export const exportCommand = defineCommand<FileToWrite>({
	name: 'export',
	usage: '/export [FILE]',
	help: 'write the transcript as Markdown',
	inReplay: true,
	run(state, args, queue) {
		const path = unquote(args);
		const content = transcriptMarkdown(state.chat, {model: state.config.model, backend: state.config.backend, date: new Date()});
		return queue(state, {format: 'md', content, ...(path ? {path} : {})});
	},
	perform: writeSessionFile,
});
