// /help (/?): the keys and commands.
import {openHelp} from '../state/updates.js';
import {defineCommand} from './command.js';

export const helpCommand = defineCommand({
	name: 'help',
	aliases: ['?'],
	usage: '/help',
	help: 'keys and commands',
	inReplay: true,
	run: (state) => openHelp(state),
});
