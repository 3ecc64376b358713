// The settings file's schema. Lenient by design: unknown keys are dropped and every field falls
// back to its default when it is missing or invalid, so a hand-edited file never stops the app
// (file-problems.ts names each value it drops in the store's notice).
import * as z from 'zod';
import {BACKEND_NAMES, type BackendName} from '../protocol/backends.js';
import {DEFAULT_MAX_DEPTH, DEFAULT_MAX_ITERATIONS, DEFAULT_TIMEOUT_SECONDS, MAX_KEEP_WARM_MINUTES, MAX_MEMORY_LIMIT_MB, MAX_REQUEST_TIMEOUT_SECONDS, MIN_MEMORY_LIMIT_MB} from '../protocol/defaults.js';

export type {BackendName} from '../protocol/backends.js';

/** Request headers for one backend (a gateway's routing headers; key-like names are never kept). */
export type HeaderMap = Record<string, string>;

export interface Settings {
	/** Set once the user chose one (/backend); without it the environment decides (see resolve.ts). */
	backend?: BackendName;
	/** Last model used per backend. */
	models: Partial<Record<BackendName, string>>;
	baseURLs: Partial<Record<BackendName, string>>;
	/** Extra request headers per backend, e.g. {"openai": {"X-Portkey-Provider": "openai"}}. */
	headers: Partial<Record<BackendName, HeaderMap>>;
	/** Set only when the user chose one: without it each backend sends its default (0.7 to
	 * OpenAI-compatible servers, none to GPT-5 and the o-series). */
	temperature?: number;
	/** Set only when the user chose one, as every run setting (absent: DEFAULT_SETTINGS' value). */
	maxIterations?: number;
	maxDepth?: number;
	subModel?: string;
	timeoutSeconds?: number;
	/** How long a model request may wait for the server, in seconds (as --request-timeout). */
	requestTimeoutSeconds?: number;
	/** The REPL's memory ceiling while a block runs, in MiB (as --memory-limit; absent: 1024). */
	memoryLimitMb?: number;
	/** Minutes a warm sandbox waits for the next run (as --keep-warm; absent: 0, none). */
	keepWarmMinutes?: number;
	// Run-wide limits (each absent: no limit; sub-calls default to 500). Names as the library's
	// options and the original RLM's max_budget, max_timeout, max_tokens, max_errors.
	/** Estimated USD of a whole run (root, sub-calls, child runs). */
	maxBudget?: number;
	/** Wall-clock seconds of a whole run, sub-call waiting included. */
	maxTimeout?: number;
	/** Input plus output tokens of a whole run. */
	maxTokens?: number;
	/** Failed code blocks in a row. */
	maxErrors?: number;
	/** Sub-calls per run (each prompt of a batch counts one). */
	maxSubCalls?: number;
	/** Models `model=` may name in sub-calls besides the root model and the sub-model. */
	allowModels?: string[];
	/** Summarise older iterations near the window (false: --no-compaction for good). */
	compaction?: boolean;
	/** The root model's window in tokens, when the server does not say (as --context-window). */
	contextWindow?: number;
	/** Where sub-calls go when they go elsewhere (as --sub-backend / --sub-url). */
	subBackend?: BackendName;
	subBaseURL?: string;
	/** Instructions appended to the system prompt of every run (as -s/--system). */
	instructions?: string;
	theme: 'dark' | 'light';
}

/** The settings of an empty file, and the defaults of the run settings it leaves out. */
export const DEFAULT_SETTINGS = Object.freeze({
	models: {},
	baseURLs: {},
	headers: {},
	maxIterations: DEFAULT_MAX_ITERATIONS,
	maxDepth: DEFAULT_MAX_DEPTH,
	timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
	theme: 'dark',
} as const satisfies Settings);

/** The settings file's format, written in it as `"version"`. Files without one were written by
 * versions that saved the default temperature (0.7), iterations, depth and timeout whether the
 * user chose them or not. */
export const SETTINGS_FILE_VERSION = 2;
const LEGACY_DEFAULT_TEMPERATURE = 0.7;

const optionalName = z.string().trim().min(1).max(500).optional().catch(undefined);
const optionalUrl = z.url().max(2000).optional().catch(undefined);

/**
 * The run settings' values, strict: what /set accepts. The file's schema below uses the same ones
 * but falls back to the default instead of failing (a hand-edited file never stops the app).
 */
export const runSettingSchemas = {
	temperature: z.number().min(0).max(2),
	maxIterations: z.number().int().min(1).max(10_000),
	maxDepth: z.number().int().min(1).max(100),
	subModel: z.string().trim().min(1).max(500),
	timeoutSeconds: z.number().positive().max(86_400),
	requestTimeoutSeconds: z.number().positive().max(MAX_REQUEST_TIMEOUT_SECONDS),
	memoryLimitMb: z.number().int().min(MIN_MEMORY_LIMIT_MB).max(MAX_MEMORY_LIMIT_MB),
	keepWarmMinutes: z.number().int().min(0).max(MAX_KEEP_WARM_MINUTES),
	maxBudget: z.number().positive().max(1_000_000),
	maxTimeout: z.number().positive().max(31 * 86_400),
	maxTokens: z.number().int().min(1),
	maxErrors: z.number().int().min(1).max(10_000),
	maxSubCalls: z.number().int().min(0).max(10_000_000),
	allowModels: z.array(z.string().trim().min(1).max(500)).max(100),
	instructions: z.string().trim().min(1).max(20_000),
	compaction: z.boolean(),
	contextWindow: z.number().int().min(1024).max(100_000_000),
	subBackend: z.enum(BACKEND_NAMES as [BackendName, ...BackendName[]]),
	subBaseURL: z.url().max(2000),
} as const;

/** An HTTP header name (RFC 9110 token) and a value on one line. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const headerMap = z
	.unknown()
	.transform((value): HeaderMap | undefined => {
		if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
		const out: HeaderMap = {};
		for (const [name, text] of Object.entries(value)) {
			if (HEADER_NAME.test(name) && typeof text === 'string' && text.length <= 4000 && !/[\r\n\0]/.test(text)) out[name] = text;
		}
		return Object.keys(out).length > 0 ? out : undefined;
	});

/** One optional field per backend name. */
function perBackend<T extends z.ZodType>(field: T) {
	return z.object(Object.fromEntries(BACKEND_NAMES.map((name) => [name, field])) as Record<BackendName, T>).catch(() => ({}) as never);
}

export const settingsSchema = z
	.object({
		backend: z.enum(BACKEND_NAMES as [BackendName, ...BackendName[]]).optional().catch(undefined),
		models: perBackend(optionalName),
		baseURLs: perBackend(optionalUrl),
		headers: perBackend(headerMap.optional()),
		temperature: runSettingSchemas.temperature.optional().catch(undefined),
		maxIterations: runSettingSchemas.maxIterations.optional().catch(undefined),
		maxDepth: runSettingSchemas.maxDepth.optional().catch(undefined),
		subModel: runSettingSchemas.subModel.optional().catch(undefined),
		timeoutSeconds: runSettingSchemas.timeoutSeconds.optional().catch(undefined),
		requestTimeoutSeconds: runSettingSchemas.requestTimeoutSeconds.optional().catch(undefined),
		memoryLimitMb: runSettingSchemas.memoryLimitMb.optional().catch(undefined),
		keepWarmMinutes: runSettingSchemas.keepWarmMinutes.optional().catch(undefined),
		maxBudget: runSettingSchemas.maxBudget.optional().catch(undefined),
		maxTimeout: runSettingSchemas.maxTimeout.optional().catch(undefined),
		maxTokens: runSettingSchemas.maxTokens.optional().catch(undefined),
		maxErrors: runSettingSchemas.maxErrors.optional().catch(undefined),
		maxSubCalls: runSettingSchemas.maxSubCalls.optional().catch(undefined),
		allowModels: runSettingSchemas.allowModels.optional().catch(undefined),
		compaction: runSettingSchemas.compaction.optional().catch(undefined),
		contextWindow: runSettingSchemas.contextWindow.optional().catch(undefined),
		subBackend: runSettingSchemas.subBackend.optional().catch(undefined),
		subBaseURL: optionalUrl,
		instructions: runSettingSchemas.instructions.optional().catch(undefined),
		theme: z.enum(['dark', 'light']).catch(DEFAULT_SETTINGS.theme),
	})
	.catch(() => ({models: {}, baseURLs: {}, headers: {}, theme: DEFAULT_SETTINGS.theme}));

/** Parses anything into valid settings (never throws); undefined optional fields are removed. */
export function parseSettings(input: unknown): Settings {
	return dropUndefined(settingsSchema.parse(input));
}

/** What versions before SETTINGS_FILE_VERSION wrote into every file, chosen or not. */
const LEGACY_DEFAULTS = {temperature: LEGACY_DEFAULT_TEMPERATURE, maxIterations: DEFAULT_SETTINGS.maxIterations, maxDepth: DEFAULT_SETTINGS.maxDepth, timeoutSeconds: DEFAULT_SETTINGS.timeoutSeconds} as const;

/** The settings file's content as settings: parseSettings, but in a file older than
 * SETTINGS_FILE_VERSION a value those versions wrote into every file (a temperature of 0.7, 30
 * iterations, depth 1, a 30 s timeout) reads as "not chosen" (GPT-5 and the o-series refuse a
 * temperature). In a current file every value is the user's. */
export function parseSettingsFile(input: unknown): Settings {
	const parsed = parseSettings(input);
	const version = input !== null && typeof input === 'object' ? (input as {version?: unknown}).version : undefined;
	if (typeof version === 'number' && version >= SETTINGS_FILE_VERSION) return parsed;
	for (const [key, value] of Object.entries(LEGACY_DEFAULTS) as Array<[keyof typeof LEGACY_DEFAULTS, number]>) {
		if (parsed[key] === value) delete parsed[key];
	}
	return parsed;
}

function dropUndefined<T>(value: T): T {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
	const out: Record<string, unknown> = {};
	for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
		if (child !== undefined) out[key] = dropUndefined(child);
	}
	return out as T;
}
