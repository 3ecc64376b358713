// The settings file's schema. Lenient by design: unknown keys are dropped and every field falls
// back to its default when it is missing or invalid, so a hand-edited file never stops the app.
import {z} from 'zod';

export const BACKENDS = ['openai', 'anthropic', 'demo'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const DEFAULT_MODELS = {openai: 'cogito:14b', anthropic: 'claude-sonnet-4-5', demo: 'demo'} as const;
export const DEFAULT_BASE_URLS = {openai: 'http://localhost:11434/v1', anthropic: 'https://api.anthropic.com'} as const;

export interface Settings {
	backend: BackendName;
	/** Last model used per backend. */
	models: {openai?: string; anthropic?: string; demo?: string};
	baseURLs: {openai?: string; anthropic?: string};
	/** Set only when the user chose one: without it each backend sends its default (0.7 to
	 * OpenAI-compatible servers, none to GPT-5 and the o-series). */
	temperature?: number;
	maxIterations: number;
	maxDepth: number;
	subModel?: string;
	timeoutSeconds: number;
	theme: 'dark' | 'light';
}

export const DEFAULT_SETTINGS: Settings = Object.freeze({
	backend: 'openai',
	models: {},
	baseURLs: {},
	maxIterations: 30,
	maxDepth: 1,
	timeoutSeconds: 30,
	theme: 'dark',
}) as Settings;

const LEGACY_DEFAULT_TEMPERATURE = 0.7;

const optionalName = z.string().trim().min(1).max(500).optional().catch(undefined);
const optionalUrl = z.url().max(2000).optional().catch(undefined);

export const settingsSchema = z
	.object({
		backend: z.enum(BACKENDS).catch(DEFAULT_SETTINGS.backend),
		models: z
			.object({openai: optionalName, anthropic: optionalName, demo: optionalName})
			.catch(() => ({})),
		baseURLs: z.object({openai: optionalUrl, anthropic: optionalUrl}).catch(() => ({})),
		temperature: z.number().min(0).max(2).optional().catch(undefined),
		maxIterations: z.number().int().min(1).max(10_000).catch(DEFAULT_SETTINGS.maxIterations),
		maxDepth: z.number().int().min(1).max(100).catch(DEFAULT_SETTINGS.maxDepth),
		subModel: optionalName,
		timeoutSeconds: z.number().positive().max(86_400).catch(DEFAULT_SETTINGS.timeoutSeconds),
		theme: z.enum(['dark', 'light']).catch(DEFAULT_SETTINGS.theme),
	})
	.catch(() => ({...DEFAULT_SETTINGS, models: {}, baseURLs: {}}));

/** Parses anything into valid settings (never throws); undefined optional fields are removed. */
export function parseSettings(input: unknown): Settings {
	const parsed = settingsSchema.parse(input) as Settings;
	// Earlier versions wrote the default 0.7 into every file they saved: that value reads as "not
	// chosen" (the default is 0.7 anyway, and GPT-5 and the o-series refuse it).
	if (parsed.temperature === LEGACY_DEFAULT_TEMPERATURE) delete parsed.temperature;
	return dropUndefined(parsed);
}

function dropUndefined<T>(value: T): T {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
	const out: Record<string, unknown> = {};
	for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
		if (child !== undefined) out[key] = dropUndefined(child);
	}
	return out as T;
}
