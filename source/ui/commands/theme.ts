// /theme dark|light: colours for a dark or a light terminal; saved. /theme alone says which is in use.
import {savedWord} from './saved.js';
import {quoted} from '../../protocol/quoted.js';
import {addChat} from '../state/updates.js';
import {defineCommand} from './command.js';

export const themeCommand = defineCommand<'dark' | 'light' | 'show'>({
	name: 'theme',
	usage: '/theme [dark|light]',
	help: 'colours for a dark or a light terminal; saved (alone: the theme in use)',
	run(state, args, queue) {
		const theme = args.trim().toLowerCase();
		if (theme === '') return queue(state, 'show');
		if (theme !== 'dark' && theme !== 'light') return addChat(state, 'error', `Unknown theme ${quoted(args.trim())}: /theme dark or /theme light (/theme alone shows the one in use).`);
		return queue(state, theme);
	},
	perform(theme, context) {
		if (theme === 'show') {
			context.say('info', `Theme: ${context.settings.get().theme}. Change it with /theme dark or /theme light.`);
			return;
		}
		const saved = savedWord(context.settings.save({theme}));
		context.say('info', `Theme: ${theme} (${saved}).`);
	},
});
