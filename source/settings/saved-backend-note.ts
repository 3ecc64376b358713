// A backend saved in the app (/backend) outranks what the environment says (README, "Pointing it
// at a server"), so `ANTHROPIC_API_KEY=… rlm-tui -m claude-x -p q` goes to the saved server. The
// rule stays; a headless run says so in one line when the environment names another server, and
// says nothing when it does not.
import {resolveModelAlias} from '../backends/model-aliases.js';
import {defaultBaseURL, isClaudeModel, isOpenAIModel, kindOf, OPENAI_API_BASE_URL, DEFAULT_ANTHROPIC_BASE_URL} from '../protocol/backends.js';
import {backendURLVariable, baseURLFor, type Flags, type ResolvedConfig} from './resolve.js';
import type {Settings} from './schema.js';

const set = (env: NodeJS.ProcessEnv, name: string): string | undefined => env[name]?.trim() || undefined;
const sameURL = (a: string | undefined, b: string | undefined) => a?.replace(/\/+$/, '') === b?.replace(/\/+$/, '');

/** A server the environment names, and the words that say how. */
interface EnvironmentServer {
	kind: 'openai' | 'anthropic';
	url: string;
	/** "ANTHROPIC_BASE_URL names", "ANTHROPIC_API_KEY and the model claude-x name". */
	named: string;
}

/** The server the environment alone would pick for `model` (README's rules 1-3), when a variable
 * names one: a base URL, or a key beside a model that is clearly its backend's. */
function environmentServer(env: NodeJS.ProcessEnv, model: string, modelChosen: boolean): EnvironmentServer | undefined {
	const anthropicURL = set(env, 'ANTHROPIC_BASE_URL');
	const anthropicKey = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'].find((name) => set(env, name));
	if (isClaudeModel(resolveModelAlias('anthropic', model))) {
		if (anthropicURL) return {kind: 'anthropic', url: anthropicURL, named: 'ANTHROPIC_BASE_URL names'};
		if (anthropicKey) return {kind: 'anthropic', url: DEFAULT_ANTHROPIC_BASE_URL, named: `${anthropicKey} and the model ${model} name`};
		return undefined;
	}
	const openaiURL = set(env, 'OPENAI_BASE_URL');
	if (openaiURL) return {kind: 'openai', url: openaiURL, named: 'OPENAI_BASE_URL names'};
	if (set(env, 'OPENAI_API_KEY') && isOpenAIModel(model)) return {kind: 'openai', url: OPENAI_API_BASE_URL, named: `OPENAI_API_KEY and the model ${model} name`};
	// No model given: only Anthropic configured picks Anthropic (rule 3).
	const otherConfigured = ['OPENAI_API_KEY', 'OLLAMA_HOST'].some((name) => set(env, name));
	if (!modelChosen && anthropicURL && !otherConfigured) return {kind: 'anthropic', url: anthropicURL, named: 'ANTHROPIC_BASE_URL names'};
	return undefined;
}

/**
 * One line for stderr when the backend saved in `settingsPath` decided where this run goes although
 * the environment names another server: the server used, where it came from, and how to use the
 * other. Undefined when a flag or RLM_BACKEND chose the backend, or when there is no conflict.
 */
export function savedBackendNote(flags: Flags, env: NodeJS.ProcessEnv, settings: Settings, config: ResolvedConfig, settingsPath: string): string | undefined {
	if (flags.backendUrl?.trim()) return undefined;
	const overridden = savedURLOverridden(env, settings, config, settingsPath) ?? savedURLOverFallback(env, settings, config, settingsPath);
	if (overridden) return overridden;
	if (flags.backend?.trim() || set(env, 'RLM_BACKEND')) return undefined;
	if (settings.backend === undefined || config.backend !== settings.backend) return undefined;
	const modelChosen = Boolean(flags.model?.trim() || set(env, 'RLM_MODEL'));
	const other = environmentServer(env, config.model, modelChosen);
	if (!other) return undefined;
	const kind = kindOf(config.backend);
	if (other.kind === kind && sameURL(other.url, config.baseURL)) return undefined;
	const used = kind === 'demo' ? 'answers with the offline demo' : `sends ${config.model ? `${config.model} to ` : ''}${config.backend} at ${config.baseURL}`;
	// -b alone reaches the other server unless a URL saved for that backend would be used instead.
	const flag = `-b ${other.kind}${sameURL(baseURLFor(other.kind, settings, env, config.model), other.url) ? '' : ` -u ${other.url}`}`;
	return `note: this run ${used}, the backend saved by /backend in ${settingsPath}, though ${other.named} ${other.url}: pass ${flag} to use that, or /backend ${other.kind} in the app to change the saved one`;
}

/** A backend's own URL variable (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, OLLAMA_HOST for `ollama`)
 * wins over the URL saved by `/backend NAME URL` (flags > environment > settings file): a saved URL
 * that silently stops counting is told in one line. */
function savedURLOverridden(env: NodeJS.ProcessEnv, settings: Settings, config: ResolvedConfig, settingsPath: string): string | undefined {
	const variable = backendURLVariable(config.backend, env);
	const saved = settings.baseURLs[config.backend];
	if (!variable || !saved || sameURL(variable.url, saved) || !sameURL(config.baseURL, variable.url)) return undefined;
	return `note: this run sends ${config.model ? `${config.model} ` : ''}to ${variable.url} (${variable.name}), not to ${saved}, the URL saved by /backend in ${settingsPath}: pass -u ${saved} or unset ${variable.name} to use that`;
}

/** For `openai`, OLLAMA_HOST and OPENAI_API_KEY beside an OpenAI model name a server only as
 * fallbacks (README, "Pointing it at a server", rule 2): the URL saved by `/backend openai URL`
 * outranks them. When it does, and they name another server, one line says so. */
function savedURLOverFallback(env: NodeJS.ProcessEnv, settings: Settings, config: ResolvedConfig, settingsPath: string): string | undefined {
	if (config.backend !== 'openai' || backendURLVariable('openai', env)) return undefined;
	const saved = settings.baseURLs.openai;
	if (!saved || !sameURL(config.baseURL, saved)) return undefined;
	const fallback = defaultBaseURL('openai', env, config.model);
	const named = sameURL(fallback, OPENAI_API_BASE_URL) && set(env, 'OPENAI_API_KEY')
		? `OPENAI_API_KEY and the model ${config.model} name`
		: set(env, 'OLLAMA_HOST') ? `OLLAMA_HOST names` : undefined;
	if (!named || !fallback || sameURL(fallback, saved)) return undefined;
	return `note: this run sends ${config.model ? `${config.model} ` : ''}to ${saved}, the URL saved by /backend openai in ${settingsPath}, though ${named} ${fallback} (a saved URL outranks it): pass -u ${fallback} to use that`;
}
