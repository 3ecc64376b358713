// /theme dark|light: colours for a dark or a light terminal; saved.
import {addChat} from '../state/updates.js';
import {defineCommand} from './command.js';

export const themeCommand = defineCommand<'dark' | 'light'>({
	name: 'theme',
	usage: '/theme dark|light',
	help: 'colours for a dark or a light terminal; saved',
	run(state, args, queue) {
		const theme = args.toLowerCase();
		if (theme !== 'dark' && theme !== 'light') return addChat(state, 'info', 'Usage: /theme dark or /theme light.');
		return queue(state, theme);
	},
	perform(theme, context) {
		context.settings.save({theme});
		context.say('info', `Theme: ${theme} (saved).`);
	},
});
