// /mouse on|off: on, the wheel scrolls panes (Shift+drag selects); off, the terminal selects and
// copies text. Without a word it toggles.
import {CHAT_KEYS, hint} from '../state/keys.js';
import {addChat} from '../state/updates.js';
import {defineCommand} from './command.js';

export const mouseCommand = defineCommand<boolean>({
	name: 'mouse',
	usage: '/mouse on|off',
	help: 'on: the wheel scrolls the pane under the pointer (Shift+drag selects); off: the terminal selects and copies',
	run(state, args, queue) {
		const setting = args.toLowerCase();
		const on = setting === '' ? !state.mouse : setting === 'on' ? true : setting === 'off' ? false : undefined;
		if (on === undefined) return addChat(state, 'error', 'Usage: /mouse on or /mouse off.');
		const said = addChat(
			{...state, mouse: on},
			'info',
			on ? 'Mouse: on. The wheel scrolls the pane under the pointer; Shift+drag selects text.' : `Mouse: off. The terminal selects and copies text; ${hint(CHAT_KEYS, ['scroll-up', 'scroll-down'], 'scroll')}.`,
		);
		return queue(said, on);
	},
	perform(on, context) {
		context.terminal?.setMouse(on);
	},
});
