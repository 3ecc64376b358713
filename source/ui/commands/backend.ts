// /backend NAME [URL]: switch backend (and its base URL), saved; without a name, say which is in use.
// A URL with credentials in it (`http://user:pass@host`, `?key=...`) is used for this session
// only: the user typed it to talk to that server now, but settings never hold a secret, and a
// saved URL stripped of its credentials would fail on the next launch for no visible reason.
import {savedWord} from './saved.js';
import {BACKEND_NAMES, isBackendName, keyEnvOf, type BackendName} from '../../protocol/backends.js';
import {looksSecret, redactSecrets} from '../../protocol/redact.js';
import {printableMarkedLine} from '../../text/printable.js';
import {quoted} from '../../protocol/quoted.js';
import {backendTarget} from '../../settings/resolve.js';
import {sentence, unreachableHint} from '../advice.js';
import {runErrorOf} from '../../protocol/errors.js';
import {firstLine} from '../engine-port.js';
import {addChat} from '../state/updates.js';
import {defineCommand, type CommandContext} from './command.js';

export const backendCommand = defineCommand<{backend: BackendName; url?: string}>({
	name: 'backend',
	usage: '/backend NAME [URL]',
	help: `switch backend (and its base URL); saved. NAME: ${BACKEND_NAMES.join(', ')}`,
	run(state, args, queue) {
		const [name, url] = args.split(/\s+/).filter(Boolean);
		if (!name) {
			const where = state.config.baseURL ? ` at ${redactSecrets(state.config.baseURL)}` : '';
			return addChat(
				state,
				'info',
				`Backend: ${state.config.backend}${where} · model ${printableMarkedLine(state.config.model)}. Switch with /backend NAME [URL], NAME one of ${BACKEND_NAMES.join(', ')}.`,
			);
		}
		const backend = name.toLowerCase();
		if (!isBackendName(backend)) return addChat(state, 'error', `Unknown backend ${quoted(name)}: use one of ${BACKEND_NAMES.join(', ')}.`);
		if (url) {
			try {
				new URL(url);
			} catch {
				return addChat(state, 'error', `Not a URL: ${quoted(url)} (for example http://localhost:11434/v1).`);
			}
		}
		return queue(state, {backend, ...(url ? {url} : {})});
	},
	perform: ({backend, url}, context) => setBackend(context, backend, url),
});

async function setBackend(context: CommandContext, backend: BackendName, url?: string): Promise<void> {
	const {rlm, settings} = context;
	const target = backendTarget(backend, {launched: context.config, stored: settings.get(), env: context.env, ...(url ? {url} : {}), ...sessionModelFor(context, backend)});
	const {model, baseURL} = target;
	try {
		rlm.configure(target);
	} catch (error) {
		// A missing key is said with what the app offers (its message's own advice is about flags).
		context.say('error', runErrorOf(error).code === 'missing_key' ? `Could not switch to ${backend}: ${unreachableHint(backend, baseURL, error)}` : `Could not switch to ${backend}: ${firstLine(error)}`);
		return;
	}
	const sessionOnly = url !== undefined && looksSecret(url);
	const problem = settings.save({backend, ...(url && backend !== 'demo' && !sessionOnly ? {baseURLs: {[backend]: url}} : {})});
	context.dispatch({type: 'config', config: {backend, model, baseURL}});
	const saved = problem !== null
		? `(${savedWord(problem)})`
		: sessionOnly
		? `(the backend is saved; its URL carries credentials, so the URL is kept for this session only: for next time, give the key with ${keyEnvOf(backend, baseURL)} or -k)`
		: '(saved)';
	// A preset without a model (LM Studio, vLLM, llama.cpp) takes the server's first once it answers.
	const modelText = model.trim() ? `model ${printableMarkedLine(model)}` : 'model: the first the server lists';
	context.say('info', `Backend: ${backend}${baseURL ? ` at ${redactSecrets(baseURL)}` : ''} · ${modelText} ${saved}.`);
	const choice = await rlm.modelForServer(AbortSignal.timeout(15_000));
	if (context.backend !== backend) return;
	if (choice.status === 'unchecked') {
		const kept = model.trim() ? ` Kept model ${printableMarkedLine(model)}: its list of models could not be read to check it.` : '';
		context.say('error', `${sentence(unreachableHint(backend, baseURL, choice.error))}${kept}`);
		return;
	}
	if (choice.status === 'kept') return;
	if (choice.status === 'unlisted') {
		context.say('notice', `The ${backend} server does not list ${quoted(printableMarkedLine(choice.model))} (it lists ${choice.listed} model${choice.listed === 1 ? '' : 's'}: /model shows them). Kept anyway.`);
		return;
	}
	// The server does not list the model (a vLLM, LM Studio or llama.cpp answers 404 to it), or none
	// was set: its first, saved for the backend as /model would.
	context.dispatch({type: 'config', config: {model: choice.model}});
	if (!choice.replaced) {
		context.say('info', `Model: ${printableMarkedLine(choice.model)}, the first the server lists (/model to choose another).`);
		return;
	}
	const modelProblem = settings.save({models: {[backend]: choice.model}});
	const savedText = modelProblem === null ? `saved for ${backend}` : savedWord(modelProblem);
	context.say(
		'notice',
		`Model changed to ${printableMarkedLine(choice.model)}, the first the server lists: it does not list ${quoted(printableMarkedLine(choice.replaced))} (it lists ${choice.listed} model${choice.listed === 1 ? '' : 's'}; ${savedText}; /model to choose another).`,
	);
}

/** The model this session last used on the backend (the engine remembers it). */
function sessionModelFor(context: CommandContext, backend: BackendName): {sessionModel?: string} {
	const model = context.rlm.sessionModel(backend);
	return model ? {sessionModel: model} : {};
}

