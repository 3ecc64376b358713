// /model [NAME]: the picker over the backend's list, or a name straight away (warned about when
// the server does not list it; kept anyway: servers serve models they do not list).
import {savedWord} from './saved.js';
import {quoted} from '../../protocol/quoted.js';
import {listsModel} from '../../protocol/listed-model.js';
import {printableMarkedLine} from '../../text/printable.js';
import {looksSecret} from '../../protocol/redact.js';
import {secretRefusal} from '../../settings/run-settings.js';
import {addChat} from '../state/updates.js';
import {emptyInput} from '../state/line-input.js';
import type {AppState, ModelPickerDialog} from '../state/types.js';
import {firstLine} from '../engine-port.js';
import {defineCommand, queueCommand, type CommandContext} from './command.js';

type ModelPayload = {list: true} | {set: string; verify?: boolean};

export const modelCommand = defineCommand<ModelPayload>({
	name: 'model',
	aliases: ['models'],
	usage: '/model [NAME]',
	help: "pick the model from the backend's list and its short names (sonnet, 4o; type to filter), or name it; saved for the backend",
	run(state, args, queue) {
		if (args) return looksSecret(args) ? addChat(state, 'error', secretRefusal('model', args)) : queue(state, {set: args, verify: true});
		const dialog: ModelPickerDialog = {
			type: 'models',
			backend: state.config.backend,
			status: 'loading',
			models: [],
			filter: emptyInput(),
			cursor: 0,
			current: state.config.model,
		};
		return queue({...state, dialog}, {list: true});
	},
	async perform(payload, context) {
		if ('list' in payload) return loadModels(context);
		setModel(context, payload.set);
		if (payload.verify) await verifyModel(context, payload.set);
	},
});

/** The picker's choice: `verify` when it is a typed name the server's list does not have. */
export const pickModel = (state: AppState, model: string, verify: boolean): AppState =>
	looksSecret(model) ? addChat(state, 'error', secretRefusal('model', model)) : queueCommand(state, modelCommand, {set: model, ...(verify ? {verify: true} : {})});

async function loadModels(context: CommandContext): Promise<void> {
	const backend = context.backend;
	// The aliases come from the engine: on the provider's own server all of them (even when its list
	// cannot be had); on any other, those whose model the server lists.
	try {
		const models = await context.rlm.listModels(AbortSignal.timeout(15_000));
		context.dispatch({type: 'models-loaded', models, aliases: context.rlm.modelAliases(models), backend});
	} catch (error) {
		context.dispatch({type: 'models-failed', error: firstLine(error), aliases: context.rlm.modelAliases(), backend});
	}
}

function setModel(context: CommandContext, model: string): void {
	const backend = context.backend;
	try {
		context.rlm.configure({model});
	} catch (error) {
		context.say('error', `Could not switch the model: ${firstLine(error)}`);
		return;
	}
	const problem = context.settings.save({models: {[backend]: model}});
	context.dispatch({type: 'config', config: {model}});
	context.say('info', `Model: ${printableMarkedLine(model)} (from the next question; ${problem === null ? `saved for ${backend}` : savedWord(problem)}).`);
}

/** No warning when the list cannot be had, or the backend changed meanwhile. */
async function verifyModel(context: CommandContext, model: string): Promise<void> {
	const backend = context.backend;
	let models: string[];
	try {
		models = await context.rlm.listModels(AbortSignal.timeout(15_000));
	} catch {
		return;
	}
	if (models.length === 0 || listsModel(models, model) || context.backend !== backend) return;
	const lower = model.toLowerCase();
	const near = models.filter((name) => name.toLowerCase().includes(lower) || lower.includes(name.toLowerCase())).slice(0, 3);
	const hint = near.length > 0 ? ` Did you mean ${near.map(printableMarkedLine).join(', ')}?` : '';
	context.say('notice', `The ${backend} server does not list ${quoted(printableMarkedLine(model))} (it lists ${models.length} model${models.length === 1 ? '' : 's'}: /model shows them).${hint} Kept anyway.`);
}
