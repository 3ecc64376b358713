// /unset NAME: a run setting back to its default, for the next questions and in the settings file.
import {findRunSetting, RUN_SETTINGS} from '../../settings/run-settings.js';
import {addChat} from '../state/updates.js';
import {defineCommand} from './command.js';
import {applySetting, setRunSetting, unknownSetting, type SetPayload} from './set.js';

export const unsetCommand = defineCommand<Extract<SetPayload, {key: unknown}>>({
	name: 'unset',
	usage: '/unset NAME',
	help: 'return a run setting to its default; saved (as /set NAME "")',
	run(state, args, queue) {
		const name = args.trim();
		if (!name) return addChat(state, 'error', `Usage: /unset NAME, NAME one of ${RUN_SETTINGS.map((setting) => setting.name).join(', ')}.`);
		const setting = findRunSetting(name);
		if (!setting) return addChat(state, 'error', unknownSetting(name));
		return setRunSetting(state, setting, undefined, (next, payload) => queue(next, payload as Extract<SetPayload, {key: unknown}>));
	},
	perform: ({key, value}, context) => applySetting(context, key, value),
});
