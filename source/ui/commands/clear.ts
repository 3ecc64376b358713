// /clear (/new): a fresh session: new REPL, empty history, chat and tree.
import {firstLine} from '../engine-port.js';
import {defineCommand} from './command.js';

export const clearCommand = defineCommand<null>({
	name: 'clear',
	aliases: ['new'],
	usage: '/clear',
	help: 'start a fresh session: new REPL, empty chat and tree',
	idleOnly: true,
	run: (state, _args, queue) => queue(state, null),
	async perform(_payload, context) {
		try {
			await context.rlm.resetSession();
		} catch (error) {
			context.say('error', `Could not reset the session: ${firstLine(error)}`);
			return;
		}
		context.dispatch({type: 'cleared'});
		context.say('info', 'New session: fresh REPL, empty history and tree.');
	},
});
