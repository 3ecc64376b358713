// Precedence: flags > environment > settings file > defaults. Flags apply to the session only.
import {resolveModelAlias} from '../backends/model-aliases.js';
import {BACKENDS, DEFAULT_BASE_URLS, DEFAULT_MODELS, type BackendName, type Settings} from './schema.js';

export interface Flags {
	model?: string;
	backend?: string;
	backendUrl?: string;
	backendKey?: string;
	temperature?: number;
	maxIterations?: number;
	maxDepth?: number;
	subModel?: string;
	timeout?: number;
}

export interface ResolvedConfig {
	backend: BackendName;
	model: string;
	baseURL?: string;
	apiKey?: string;
	/** Only when the user chose one (flag or settings file). */
	temperature?: number;
	maxIterations: number;
	maxDepth: number;
	subModel?: string;
	timeoutSeconds: number;
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
	return (BACKENDS as readonly string[]).includes(value);
}

export function parseBackend(value: string, source: string): BackendName {
	const name = value.trim().toLowerCase();
	if (!isBackendName(name)) {
		throw new ConfigError(`Unknown backend "${value}" (${source}): use one of ${BACKENDS.join(', ')}.`);
	}
	return name;
}

function checkNumber(
	name: string,
	value: number,
	valid: (n: number) => boolean,
	expected: string,
): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || !valid(value)) {
		throw new ConfigError(`Invalid ${name} ${String(value)}: expected ${expected}.`);
	}
	return value;
}

/** Default base URL for a backend, with the settings' remembered one taking precedence. */
export function baseURLFor(backend: BackendName, settings: Settings, env: NodeJS.ProcessEnv = {}): string | undefined {
	if (backend === 'demo') return undefined;
	const envUrl = nonEmpty(backend === 'openai' ? env.OPENAI_BASE_URL : env.ANTHROPIC_BASE_URL);
	return envUrl ?? settings.baseURLs[backend] ?? DEFAULT_BASE_URLS[backend];
}

export function apiKeyFor(backend: BackendName, env: NodeJS.ProcessEnv): string | undefined {
	if (backend === 'demo') return undefined;
	return nonEmpty(backend === 'openai' ? env.OPENAI_API_KEY : env.ANTHROPIC_API_KEY);
}

export function modelFor(backend: BackendName, settings: Settings): string {
	return settings.models[backend] ?? DEFAULT_MODELS[backend];
}

export function resolveConfig(flags: Flags, env: NodeJS.ProcessEnv, settings: Settings): ResolvedConfig {
	let backend: BackendName;
	if (nonEmpty(flags.backend)) backend = parseBackend(flags.backend!, '--backend');
	else if (nonEmpty(env.RLM_BACKEND)) backend = parseBackend(env.RLM_BACKEND!, 'RLM_BACKEND');
	else backend = settings.backend;

	const model = resolveModelAlias(backend, nonEmpty(flags.model) ?? nonEmpty(env.RLM_MODEL) ?? modelFor(backend, settings));

	let baseURL: string | undefined;
	let apiKey: string | undefined;
	if (backend !== 'demo') {
		const flagUrl = nonEmpty(flags.backendUrl);
		if (flagUrl) {
			try {
				new URL(flagUrl);
			} catch {
				throw new ConfigError(`Invalid --backend-url "${flagUrl}": expected a URL such as ${DEFAULT_BASE_URLS[backend]}.`);
			}
		}
		baseURL = flagUrl ?? baseURLFor(backend, settings, env);
		apiKey = nonEmpty(flags.backendKey) ?? apiKeyFor(backend, env);
	}

	// A bad value names the flag it came from (--max-depth), else the setting (max depth).
	const label = (flag: string, setting: string, given: unknown) => (given === undefined ? setting : flag);
	const chosenTemperature = flags.temperature ?? settings.temperature;
	const temperature =
		chosenTemperature === undefined
			? undefined
			: checkNumber(label('--temperature', 'temperature', flags.temperature), chosenTemperature, n => n >= 0 && n <= 2, 'a number from 0 to 2');
	const maxIterations = checkNumber(
		label('--max-iterations', 'max iterations', flags.maxIterations),
		flags.maxIterations ?? settings.maxIterations,
		n => Number.isInteger(n) && n >= 1,
		'a whole number of at least 1',
	);
	const maxDepth = checkNumber(
		label('--max-depth', 'max depth', flags.maxDepth),
		flags.maxDepth ?? settings.maxDepth,
		n => Number.isInteger(n) && n >= 1,
		'a whole number of at least 1',
	);
	const timeoutSeconds = checkNumber(
		label('--timeout', 'timeout', flags.timeout),
		flags.timeout ?? settings.timeoutSeconds,
		n => n > 0 && n <= 86_400,
		'a number of seconds from above 0 up to 86400 (a day)',
	);
	const chosenSubModel = nonEmpty(flags.subModel) ?? settings.subModel;
	const subModel = chosenSubModel && resolveModelAlias(backend, chosenSubModel);

	const config: ResolvedConfig = {backend, model, maxIterations, maxDepth, timeoutSeconds};
	if (temperature !== undefined) config.temperature = temperature;
	if (baseURL) config.baseURL = baseURL;
	if (apiKey) config.apiKey = apiKey;
	if (subModel) config.subModel = subModel;
	return config;
}
