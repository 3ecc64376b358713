// Precedence: flags > environment > settings file > defaults. Flags apply to the session only.
// Where requests go when the user named no backend or URL is protocol/backends.ts's rule.
import {InputReadError, readInputFileSync} from '../protocol/bounded-read.js';
import {resolveModelAlias} from '../backends/model-aliases.js';
import {
	BACKEND_KINDS,
	BACKEND_NAMES,
	defaultApiKey,
	defaultBaseURL,
	defaultModelOf,
	inferBackend,
	isBackendName as isName,
	ollamaBaseURL,
	type BackendKind,
	type BackendName,
} from '../protocol/backends.js';
import {DEFAULT_SETTINGS, type HeaderMap, type Settings} from './schema.js';
import type {LimitCaps} from '../protocol/limits.js';
import {RUN_SETTINGS, type RunSettingKey} from './run-settings.js';
import {MAX_KEEP_WARM_MINUTES, MAX_MEMORY_LIMIT_MB, MAX_REQUEST_TIMEOUT_SECONDS, MIN_MEMORY_LIMIT_MB} from '../protocol/defaults.js';
import {quoted} from '../protocol/quoted.js';
import {redactHeader} from '../protocol/redact.js';

export interface Flags {
	model?: string;
	backend?: string;
	backendUrl?: string;
	backendKey?: string;
	/** `--header 'Name: value'`, repeatable. */
	header?: string[];
	temperature?: number;
	maxIterations?: number;
	maxDepth?: number;
	subModel?: string;
	timeout?: number;
	/** --request-timeout SECONDS: how long a model request waits for the server. */
	requestTimeout?: number;
	/** --memory-limit MB: the REPL's memory ceiling while a block runs, in MiB. */
	memoryLimit?: number;
	/** --keep-warm MINUTES: after the run, a sandbox waits this long for the next one. */
	keepWarm?: number;
	maxBudget?: number;
	maxTimeout?: number;
	maxTokens?: number;
	maxErrors?: number;
	maxSubCalls?: number;
	/** `--allow-models a,b`, repeatable. */
	allowModels?: string[];
	/** --tools / --sub-tools, already read: Python files run in the REPLs. */
	tools?: {text: string; path: string};
	subTools?: {text: string; path: string};
	/** --no-compaction gives false. */
	compaction?: boolean;
	/** --context-window N, in tokens. */
	contextWindow?: number;
	/** --sub-backend and --sub-url: where llm_query and child RLMs go. */
	subBackend?: string;
	subUrl?: string;
	/** -s/--system: instructions appended to the system prompt. */
	system?: string;
	/** --system-file, already read: the replacement system prompt and its path. */
	systemFile?: {text: string; path: string};
	/** The number flags as the user typed them (`"90s" (1.5 minutes)`), for their errors. */
	typed?: Partial<Record<NumberFlagKey, string>>;
}

type NumberFlagKey = 'temperature' | 'maxIterations' | 'maxDepth' | 'timeout' | 'requestTimeout' | 'memoryLimit' | 'keepWarm' | 'maxBudget' | 'maxTimeout' | 'maxTokens' | 'maxErrors' | 'maxSubCalls' | 'contextWindow';

/** The run-wide limits a session runs under: the protocol's caps (absent: no limit) and the
 * models `model=` may name in sub-calls besides the root model and the sub-model. */
export interface LimitConfig extends LimitCaps {
	allowModels?: string[];
}

export interface ResolvedConfig {
	backend: BackendName;
	model: string;
	baseURL?: string;
	apiKey?: string;
	/** Extra request headers: the settings' for this backend, then --header flags. */
	headers?: HeaderMap;
	/** Only when the user chose one (flag or settings file). */
	temperature?: number;
	maxIterations: number;
	maxDepth: number;
	subModel?: string;
	/** Where subModel came from, as a run names it: `--sub-model`, `the settings file`, `the root model`. */
	subModelSource?: string;
	timeoutSeconds: number;
	/** How long a model request may wait for the server (--request-timeout, else the settings'). */
	requestTimeoutSeconds?: number;
	/** The REPL's memory ceiling in MiB, when a flag or the settings file chose one. */
	memoryLimitMb?: number;
	/** Minutes a warm sandbox waits for the next run once this one ends (0 or absent: none). */
	keepWarmMinutes?: number;
	/** The run-wide limits, from flags then the settings file (resolveConfig always sets it). */
	limits?: LimitConfig;
	/** The run settings a launch flag chose (the settings view says where each value came from). */
	fromFlags?: RunSettingKey[];
	/** Python run in the REPL before the first block (--tools) and in child RLMs' (--sub-tools). */
	toolsCode?: string;
	toolsSource?: string;
	subToolsCode?: string;
	subToolsSource?: string;
	/** False when compaction is off (--no-compaction, or the settings'); absent means on. */
	compaction?: boolean;
	/** The root model's window in tokens (--context-window, else the settings'). */
	contextWindow?: number;
	/** Sub-calls on another backend (--sub-backend / --sub-url, else the settings'). */
	subBackend?: BackendName;
	subBaseURL?: string;
	subApiKey?: string;
	/** Appended to the system prompt: -s/--system, else the settings' `instructions`. */
	instructions?: string;
	/** Replaces the system prompt whole (--system-file; never saved). */
	systemPrompt?: string;
	systemPromptSource?: string;
}

/** A configuration problem with a one-line message fit for a user. */
export class ConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ConfigError';
	}
}

const nonEmpty = (value: string | undefined): string | undefined => {
	const trimmed = value?.trim();
	return trimmed ? trimmed : undefined;
};

export function isBackendName(value: string): value is BackendName {
	return isName(value);
}

export function parseBackend(value: string, source: string): BackendName {
	const name = value.trim().toLowerCase();
	if (!isBackendName(name)) {
		throw new ConfigError(`Unknown backend ${quoted(value)} (${source}): use one of ${BACKEND_NAMES.join(', ')}.`);
	}
	return name;
}

/** `Name: value` from a --header flag, as [name, value]; a ConfigError for anything else. */
export function parseHeader(text: string): [string, string] {
	const match = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s?([\s\S]*)$/.exec(text);
	// The header is quoted without a secret it may carry (an Authorization value, a key typed without its colon).
	const shown = quoted(redactHeader(text));
	if (!match) throw new ConfigError(`Invalid --header ${shown}: expected 'Name: value' (e.g. --header 'X-Portkey-Provider: openai').`);
	if (/[\r\n\0]/.test(match[2]!)) throw new ConfigError(`Invalid --header ${shown}: a header's value must be one line, without a line break or NUL.`);
	return [match[1]!, match[2]!.trim()];
}

/** Aliases (`sonnet`, `4o`) belong to a kind; a preset's models are passed on as typed. */
const aliasFor = (backend: BackendName, model: string) =>
	(BACKEND_KINDS as readonly string[]).includes(backend) ? resolveModelAlias(backend as BackendKind, model) : model;

/** @param typed the value as the user typed it, when a flag gave it: the error quotes that, not the number read from it. */
function checkNumber(
	name: string,
	value: number,
	valid: (n: number) => boolean,
	expected: string,
	typed?: string,
): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || !valid(value)) {
		throw new ConfigError(`Invalid ${name} ${typed ?? String(value)}: expected ${expected}.`);
	}
	return value;
}

/** checkNumber for a value a flag or the settings may leave unset: undefined stays undefined. */
function checkOptionalNumber(name: string, value: number | undefined, valid: (n: number) => boolean, expected: string, typed?: string): number | undefined {
	return value === undefined ? undefined : checkNumber(name, value, valid, expected, typed);
}

/** How flag `key`'s value was typed, when the flag gave the value (else the settings file did). */
const typedFlag = (flags: Flags, key: NumberFlagKey): string | undefined => (flags[key] === undefined ? undefined : flags.typed?.[key]);

/** A backend's base URL when no flag names one: its own variable's (OPENAI_BASE_URL,
 * ANTHROPIC_BASE_URL, OLLAMA_HOST for `ollama`: backendURLVariable), then the one saved for it,
 * then the default rule (protocol/backends.ts). */
export function baseURLFor(backend: BackendName, settings: Settings, env: NodeJS.ProcessEnv = {}, model?: string): string | undefined {
	if (backend === 'demo') return undefined;
	return backendURLVariable(backend, env)?.url ?? settings.baseURLs[backend] ?? defaultBaseURL(backend, env, model);
}

/** The variable that is `backend`'s own URL, when set, and the base URL it gives: it outranks a URL
 * saved for that backend (environment > settings file). OLLAMA_HOST is `ollama`'s own; for
 * `openai` it is only a fallback, below a saved URL. */
export function backendURLVariable(backend: BackendName, env: NodeJS.ProcessEnv): {name: string; url: string} | undefined {
	const name = backend === 'openai' ? 'OPENAI_BASE_URL' : backend === 'anthropic' ? 'ANTHROPIC_BASE_URL' : backend === 'ollama' ? 'OLLAMA_HOST' : undefined;
	const value = name === undefined ? undefined : nonEmpty(env[name]);
	if (name === undefined || value === undefined) return undefined;
	return {name, url: name === 'OLLAMA_HOST' ? ollamaBaseURL(value) : value};
}

export function apiKeyFor(backend: BackendName, env: NodeJS.ProcessEnv, baseURL?: string): string | undefined {
	return defaultApiKey(backend, env, baseURL);
}

/** The model saved for a backend, else its default ('' for a server whose first model is used). */
export function modelFor(backend: BackendName, settings: Settings): string {
	return settings.models[backend] ?? defaultModelOf(backend);
}

/** The saved headers for a backend (never key-like: those are not kept in the file). */
export function headersFor(backend: BackendName, settings: Settings): HeaderMap | undefined {
	return settings.headers[backend];
}

export function resolveConfig(flags: Flags, env: NodeJS.ProcessEnv, settings: Settings): ResolvedConfig {
	const chosenModel = nonEmpty(flags.model) ?? nonEmpty(env.RLM_MODEL);
	let backend: BackendName;
	if (nonEmpty(flags.backend)) backend = parseBackend(flags.backend!, '--backend');
	else if (nonEmpty(env.RLM_BACKEND)) backend = parseBackend(env.RLM_BACKEND!, 'RLM_BACKEND');
	// The saved demo is a try-out, not a server: a URL or model given now names a real one.
	else if (settings.backend && !(settings.backend === 'demo' && (nonEmpty(flags.backendUrl) || chosenModel !== undefined))) backend = settings.backend;
	else {
		// Nothing chosen: the model and the environment decide (an Anthropic alias counts as Claude).
		const asClaude = chosenModel === undefined ? undefined : resolveModelAlias('anthropic', chosenModel);
		backend = inferBackend({...(asClaude !== undefined ? {model: asClaude} : {}), ...(nonEmpty(flags.backendUrl) ? {url: flags.backendUrl} : {})}, env);
	}

	const model = aliasFor(backend, chosenModel ?? modelFor(backend, settings));

	let baseURL: string | undefined;
	let apiKey: string | undefined;
	if (backend !== 'demo') {
		const flagUrl = nonEmpty(flags.backendUrl);
		if (flagUrl) {
			try {
				new URL(flagUrl);
			} catch {
				throw new ConfigError(`Invalid --backend-url ${quoted(flagUrl)}: expected a URL such as ${defaultBaseURL(backend, {})}.`);
			}
		}
		baseURL = flagUrl ?? baseURLFor(backend, settings, env, model);
		apiKey = keyOfFlag(flags.backendKey) ?? apiKeyFor(backend, env, baseURL);
	}
	const headers: HeaderMap = {...(backend === 'demo' ? {} : headersFor(backend, settings))};
	for (const text of flags.header ?? []) {
		const [name, value] = parseHeader(text);
		headers[name] = value;
	}

	// A bad value names the flag it came from (--max-depth), else the setting (max depth).
	const label = (flag: string, setting: string, given: unknown) => (given === undefined ? setting : flag);
	const chosenTemperature = flags.temperature ?? settings.temperature;
	const temperature =
		chosenTemperature === undefined
			? undefined
			: checkNumber(label('--temperature', 'temperature', flags.temperature), chosenTemperature, n => n >= 0 && n <= 2, 'a number from 0 to 2', typedFlag(flags, 'temperature'));
	const maxIterations = checkNumber(
		label('--max-iterations', 'max iterations', flags.maxIterations),
		flags.maxIterations ?? settings.maxIterations ?? DEFAULT_SETTINGS.maxIterations,
		n => Number.isInteger(n) && n >= 1,
		'a whole number of at least 1',
		typedFlag(flags, 'maxIterations'),
	);
	const maxDepth = checkNumber(
		label('--max-depth', 'max depth', flags.maxDepth),
		flags.maxDepth ?? settings.maxDepth ?? DEFAULT_SETTINGS.maxDepth,
		n => Number.isInteger(n) && n >= 1,
		'a whole number of at least 1',
		typedFlag(flags, 'maxDepth'),
	);
	const timeoutSeconds = checkNumber(
		label('--timeout', 'timeout', flags.timeout),
		flags.timeout ?? settings.timeoutSeconds ?? DEFAULT_SETTINGS.timeoutSeconds,
		n => n > 0 && n <= 86_400,
		'a number of seconds from above 0 up to 86400 (a day)',
		typedFlag(flags, 'timeout'),
	);
	const requestTimeoutSeconds = checkOptionalNumber(
		label('--request-timeout', 'request timeout', flags.requestTimeout),
		flags.requestTimeout ?? settings.requestTimeoutSeconds,
		(n) => n > 0 && n <= MAX_REQUEST_TIMEOUT_SECONDS,
		`a number of seconds from above 0 up to ${MAX_REQUEST_TIMEOUT_SECONDS} (Node's fetch waits no longer for a server's headers, or for the next part of a reply)`,
		typedFlag(flags, 'requestTimeout'),
	);
	const memoryLimitMb = checkOptionalNumber(
		label('--memory-limit', 'memory limit', flags.memoryLimit),
		flags.memoryLimit ?? settings.memoryLimitMb,
		(n) => Number.isInteger(n) && n >= MIN_MEMORY_LIMIT_MB && n <= MAX_MEMORY_LIMIT_MB,
		`a whole number of MB from ${MIN_MEMORY_LIMIT_MB} to ${MAX_MEMORY_LIMIT_MB} (the REPL's Wasm heap ends at 4 GiB)`,
		typedFlag(flags, 'memoryLimit'),
	);
	const keepWarmMinutes = checkOptionalNumber(
		label('--keep-warm', 'keep-warm minutes', flags.keepWarm),
		flags.keepWarm ?? settings.keepWarmMinutes,
		(n) => Number.isInteger(n) && n >= 0 && n <= MAX_KEEP_WARM_MINUTES,
		`a whole number of minutes from 0 to ${MAX_KEEP_WARM_MINUTES}`,
		typedFlag(flags, 'keepWarm'),
	);
	// The saved sub-call settings, as they apply to this backend (none under the demo model).
	const savedSub = savedSubSettings(settings, backend);
	const chosenSubModel = subModelChoice(flags, savedSub);
	const subModel = chosenSubModel && aliasFor(backend, chosenSubModel.name);

	const limits = resolveLimits(flags, settings, (name) => aliasFor(backend, name));

	const flagOf: Record<RunSettingKey, unknown> = {
		temperature: flags.temperature,
		maxDepth: flags.maxDepth,
		maxIterations: flags.maxIterations,
		subModel: nonEmpty(flags.subModel),
		timeoutSeconds: flags.timeout,
		requestTimeoutSeconds: flags.requestTimeout,
		memoryLimitMb: flags.memoryLimit,
		keepWarmMinutes: flags.keepWarm,
		maxBudget: flags.maxBudget,
		maxTimeout: flags.maxTimeout,
		maxTokens: flags.maxTokens,
		maxErrors: flags.maxErrors,
		maxSubCalls: flags.maxSubCalls,
		allowModels: flags.allowModels,
		instructions: nonEmpty(flags.system),
		compaction: flags.compaction,
		contextWindow: flags.contextWindow,
		subBackend: nonEmpty(flags.subBackend),
		subBaseURL: nonEmpty(flags.subUrl),
	};
	const fromFlags = RUN_SETTINGS.map((setting) => setting.key).filter((key) => flagOf[key] !== undefined);
	const compaction = flags.compaction ?? settings.compaction ?? true;
	const chosenWindow = flags.contextWindow ?? settings.contextWindow;
	const contextWindow =
		chosenWindow === undefined
			? undefined
			: checkNumber(label('--context-window', 'context window', flags.contextWindow), chosenWindow, (n) => Number.isInteger(n) && n >= 1024, 'a whole number of tokens, at least 1024', typedFlag(flags, 'contextWindow'));
	const config: ResolvedConfig = {backend, model, maxIterations, maxDepth, timeoutSeconds, limits, ...(fromFlags.length > 0 ? {fromFlags} : {}), ...(compaction ? {} : {compaction: false}), ...(contextWindow ? {contextWindow} : {})};
	if (temperature !== undefined) config.temperature = temperature;
	if (memoryLimitMb !== undefined) config.memoryLimitMb = memoryLimitMb;
	if (keepWarmMinutes) config.keepWarmMinutes = keepWarmMinutes;
	if (requestTimeoutSeconds !== undefined) config.requestTimeoutSeconds = requestTimeoutSeconds;
	if (baseURL) config.baseURL = baseURL;
	if (apiKey) config.apiKey = apiKey;
	if (Object.keys(headers).length > 0) config.headers = headers;
	if (subModel) Object.assign(config, {subModel, subModelSource: chosenSubModel.source});
	Object.assign(config, resolveSubBackend(flags, env, savedSub, config));
	if (flags.tools) Object.assign(config, {toolsCode: flags.tools.text, toolsSource: flags.tools.path});
	if (flags.subTools) Object.assign(config, {subToolsCode: flags.subTools.text, subToolsSource: flags.subTools.path});
	const instructions = nonEmpty(flags.system) ?? settings.instructions;
	if (instructions) config.instructions = instructions;
	if (flags.systemFile) {
		if (!flags.systemFile.text.trim()) throw new ConfigError(`--system-file ${flags.systemFile.path} is empty: a replacement system prompt needs text.`);
		config.systemPrompt = flags.systemFile.text;
		config.systemPromptSource = flags.systemFile.path;
	}
	return config;
}

/** The connection /backend NAME [URL] switches to (what the engine is then configured with). */
export interface BackendTarget {
	backend: BackendName;
	baseURL: string | undefined;
	apiKey: string | undefined;
	model: string;
	headers: HeaderMap | undefined;
	/** Where sub-calls go after the switch: all undefined when they stay on the root's backend. */
	subBackend: BackendName | undefined;
	subBaseURL: string | undefined;
	subApiKey: string | undefined;
}

/**
 * Where a switch to `backend` goes. Back to the backend the app was launched with, its flags (-u,
 * -m, -k, --header) hold for the session; another backend takes the settings file and the
 * environment. The model this session last used on the backend (`sessionModel`: one picked with
 * /model, or the launch model) wins over both, and
 * a URL given with the switch over every other. The demo backend has no URL.
 */
export function backendTarget(
	backend: BackendName,
	from: {launched: ResolvedConfig; stored: Settings; env: NodeJS.ProcessEnv; url?: string; sessionModel?: string},
): BackendTarget {
	const {launched: config, stored, env, url} = from;
	const launched = backend === config.backend;
	const model = from.sessionModel ?? (launched ? config.model : modelFor(backend, stored));
	const baseURL = backend === 'demo' ? undefined : (url ?? (launched ? config.baseURL : undefined) ?? baseURLFor(backend, stored, env, model));
	const apiKey = launched && config.apiKey ? config.apiKey : apiKeyFor(backend, env, baseURL);
	const headers = launched ? config.headers : headersFor(backend, stored);
	return {backend, baseURL, apiKey, model, headers, ...subCallsAfterSwitch(backend, baseURL, from)};
}

/**
 * Where sub-calls go after a switch to `backend`: where --sub-backend / --sub-url sent them at
 * launch, for the whole session; else where the saved settings send them from `backend`, as a
 * launch on it would (resolveConfig): nowhere else under the demo model, which is self-contained.
 */
function subCallsAfterSwitch(backend: BackendName, baseURL: string | undefined, from: {launched: ResolvedConfig; stored: Settings; env: NodeJS.ProcessEnv}): Pick<BackendTarget, 'subBackend' | 'subBaseURL' | 'subApiKey'> {
	const {launched, stored, env} = from;
	const flagged = launched.fromFlags?.some((key) => key === 'subBackend' || key === 'subBaseURL');
	const sub = flagged ? launched : resolveSubBackend({}, env, savedSubSettings(stored, backend), {backend, baseURL});
	// The launch's sub server is the root's own after a switch back to it: sub-calls stay there.
	if (flagged && (sub.subBackend ?? 'openai') === backend && sub.subBaseURL === baseURL) return {subBackend: undefined, subBaseURL: undefined, subApiKey: undefined};
	return {subBackend: sub.subBackend, subBaseURL: sub.subBaseURL, subApiKey: sub.subApiKey};
}

/** The run-wide limits: each flag over its settings entry; a bad value names where it came from.
 * @throws ConfigError for a value out of range. */
function resolveLimits(flags: Flags, settings: Settings, resolveModel: (name: string) => string): LimitConfig {
	const label = (flag: string, setting: string, given: unknown) => (given === undefined ? `${setting} (settings)` : flag);
	const limits: LimitConfig = {};
	const pick = (
		key: 'maxBudget' | 'maxTimeout' | 'maxTokens' | 'maxErrors' | 'maxSubCalls',
		flag: string,
		valid: (n: number) => boolean,
		expected: string,
	) => {
		const value = flags[key] ?? settings[key];
		if (value === undefined) return;
		limits[key] = checkNumber(label(flag, key, flags[key]), value, valid, expected, typedFlag(flags, key));
	};
	const whole = (min: number) => (n: number) => Number.isInteger(n) && n >= min;
	pick('maxBudget', '--max-budget', (n) => n > 0, 'a number above 0 (USD, e.g. 0.50)');
	pick('maxTimeout', '--max-timeout', (n) => n > 0 && n <= 31 * 86_400, 'a number of seconds above 0 (at most 31 days)');
	pick('maxTokens', '--max-tokens', whole(1), 'a whole number of tokens of at least 1');
	pick('maxErrors', '--max-errors', whole(1), 'a whole number of at least 1');
	pick('maxSubCalls', '--max-sub-calls', whole(0), 'a whole number of at least 0');
	const flagModels = (flags.allowModels ?? []).flatMap((text) => text.split(',')).map((name) => name.trim()).filter(Boolean);
	const models = flags.allowModels !== undefined ? flagModels : (settings.allowModels ?? []);
	if (models.length > 0) limits.allowModels = [...new Set(models.map(resolveModel))];
	return limits;
}

/** The most a key file may hold: a key is a line, not a file's worth. */
const keyFileBytes = 64 * 1024;

/**
 * The key `-k` gives: the text itself, or with `-k @FILE` the file's content without surrounding
 * whitespace (a key on the command line is visible to other local users in the process list; a
 * file readable only by its owner is not). @throws ConfigError for a file that cannot be read or
 * holds no key.
 */
export function keyOfFlag(value: string | undefined): string | undefined {
	const given = nonEmpty(value);
	if (given === undefined || !given.startsWith('@')) return given;
	const path = given.slice(1);
	let text: string;
	try {
		// A FIFO (`-k @<(pass show key)`) is read, up to the cap; /dev/zero read 7.5 GB.
		text = readInputFileSync(path, {what: 'The key file for -k', limit: keyFileBytes, tooLarge: 'it should hold one key on one line', streams: true}, `@${path}`).toString('utf8');
	} catch (error) {
		throw new ConfigError(error instanceof InputReadError ? `${error.message}.` : `Cannot read the key file for -k @${path}: ${(error as Error).message}.`);
	}
	const key = text.trim();
	if (key === '' || /\s/.test(key)) throw new ConfigError(`The key file ${path} should hold one key on one line.`);
	return key;
}

/**
 * The sub-call backend a /set sub-backend or sub-url asks for, as --sub-backend / --sub-url would
 * (a URL alone: an OpenAI-compatible server), with its key from `env`; `root`: the backend in use.
 * Every field undefined when sub-calls go back to the root's backend (for Rlm.configure).
 * @throws ConfigError for an unknown backend name or a bad URL.
 */
export function subBackendTarget(
	chosen: {subBackend?: string | undefined; subBaseURL?: string | undefined},
	env: NodeJS.ProcessEnv,
	settings: Settings,
	root: Pick<ResolvedConfig, 'backend' | 'baseURL'>,
): Pick<ResolvedConfig, 'subBackend' | 'subBaseURL' | 'subApiKey'> {
	const target = resolveSubBackend({...(chosen.subBackend ? {subBackend: chosen.subBackend} : {}), ...(chosen.subBaseURL ? {subUrl: chosen.subBaseURL} : {})}, env, settings, root);
	return {subBackend: target.subBackend, subBaseURL: target.subBaseURL, subApiKey: target.subApiKey};
}

/** --sub-backend / --sub-url (else the settings'): the sub-call backend, its URL and its key
 * (RLM_SUB_API_KEY, else that backend's usual variable). Nothing when sub-calls stay on the root's. */
/**
 * The sub-model a launch chose, and where from: --sub-model; else, when --sub-url or
 * --sub-backend names the sub-calls' server now, none: the engine's default for that server (a
 * bare --sub-url: the root model, as --help says; a --sub-backend: its default), which the run
 * names; else the saved sub-model, which belongs with the saved sub server or the root's.
 */
function subModelChoice(flags: Flags, settings: Settings): {name: string; source: string} | undefined {
	const flag = nonEmpty(flags.subModel);
	if (flag) return {name: flag, source: '--sub-model'};
	if (nonEmpty(flags.subBackend) || nonEmpty(flags.subUrl)) return undefined;
	return settings.subModel ? {name: settings.subModel, source: 'the settings file'} : undefined;
}

/**
 * The saved sub-call settings as they apply to a launch on `backend`: none under the demo model,
 * which is self-contained (a try-out sends nothing to a server a real session saved); only
 * --sub-backend / --sub-url given now take its sub-calls elsewhere.
 */
function savedSubSettings(settings: Settings, backend: BackendName): Settings {
	if (backend !== 'demo') return settings;
	const {subBackend: _backend, subBaseURL: _url, subModel: _model, ...rest} = settings;
	return rest;
}

function resolveSubBackend(flags: Flags, env: NodeJS.ProcessEnv, settings: Settings, root: Pick<ResolvedConfig, 'backend' | 'baseURL'>): Partial<ResolvedConfig> {
	const flagUrl = nonEmpty(flags.subUrl);
	const named = nonEmpty(flags.subBackend);
	let subBackend: BackendName | undefined;
	if (named) subBackend = parseBackend(named, '--sub-backend');
	else if (!flagUrl && settings.subBackend) subBackend = settings.subBackend;
	// A URL alone (given now, or saved alone by /set sub-url): an OpenAI-compatible server, left
	// unnamed so the engine gives it the root model (--sub-model's default).
	const bareUrl = subBackend ? undefined : (flagUrl ?? settings.subBaseURL);
	if (bareUrl) subBackend = 'openai';
	if (!subBackend) return {};
	if (flagUrl) {
		try {
			new URL(flagUrl);
		} catch {
			throw new ConfigError(`Invalid --sub-url ${quoted(flagUrl)}: expected a URL such as ${defaultBaseURL(subBackend, {}) ?? 'http://localhost:11434/v1'}.`);
		}
	}
	const subBaseURL = subBackend === 'demo' ? undefined : (flagUrl ?? bareUrl ?? (named || !settings.subBaseURL ? baseURLFor(subBackend, settings, env) : settings.subBaseURL));
	if (subBackend === root.backend && subBaseURL === root.baseURL) return {};
	const subApiKey = subBackend === 'demo' ? undefined : (nonEmpty(env.RLM_SUB_API_KEY) ?? apiKeyFor(subBackend, env, subBaseURL));
	return {...(bareUrl ? {} : {subBackend}), ...(subBaseURL ? {subBaseURL} : {}), ...(subApiKey ? {subApiKey} : {})};
}
