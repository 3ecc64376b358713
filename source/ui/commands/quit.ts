// /quit (/exit, /q): leave.
import {GLOBAL_KEYS, keyLabel} from '../state/keys.js';
import {withEffect} from '../state/updates.js';
import {defineCommand} from './command.js';

export const quitCommand = defineCommand({
	name: 'quit',
	aliases: ['exit', 'q'],
	usage: '/quit',
	help: `leave (${keyLabel(GLOBAL_KEYS, 'interrupt')} twice does too)`,
	inReplay: true,
	run: (state) => withEffect(state, {kind: 'exit', code: 0}),
});
