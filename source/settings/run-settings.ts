// The run settings a user can change while the app runs (/set NAME VALUE): each one's name as
// typed, its settings-file key and flag, its default, and how a typed value is read and checked
// (with the settings file's own schema). Pure: the TUI's /set and the README's table use it.
import type {ZodType} from 'zod';
import {BACKEND_NAMES} from '../protocol/backends.js';
import {
	DEFAULT_KEEP_WARM_MINUTES,
	DEFAULT_MEMORY_LIMIT_MB,
	DEFAULT_REQUEST_TIMEOUT_SECONDS,
	MAX_KEEP_WARM_MINUTES,
	MAX_MEMORY_LIMIT_MB,
	MAX_REQUEST_TIMEOUT_SECONDS,
	MIN_MEMORY_LIMIT_MB,
} from '../protocol/defaults.js';
import {DEFAULT_MAX_SUB_CALLS} from '../protocol/limits.js';
import {formatCount, parseQuantity, type Quantity} from '../protocol/numbers.js';
import {looksSecret, redactSecrets} from '../protocol/redact.js';
import {quotedClip} from '../protocol/quoted.js';
import {DEFAULT_SETTINGS, runSettingSchemas, type Settings} from './schema.js';

export type RunSettingKey = keyof typeof runSettingSchemas;
export type RunSettingValue = number | string | string[] | boolean;

export interface RunSetting {
	/** As typed after /set: `max-sub-calls`. */
	readonly name: string;
	/** Also accepted: the flag without dashes' other spellings (`max-depth` for `depth`). */
	readonly aliases: readonly string[];
	/** The settings file's key, and the library option's name (but requestTimeoutSeconds, the engine's requestTimeoutMs, and keepWarmMinutes, the app's). */
	readonly key: RunSettingKey;
	readonly flag: string;
	/** `switch`: on or off; `url`: a URL that must carry no credentials (settings never hold a secret). */
	readonly kind: 'number' | 'text' | 'list' | 'switch' | 'url';
	/** What a valid value is, for the one-line error. */
	readonly expected: string;
	/** One line for the settings view and the README. */
	readonly help: string;
	/** Shown after a number: `s`, `USD`. */
	readonly unit?: string;
}

export const RUN_SETTINGS: readonly RunSetting[] = [
	{name: 'depth', aliases: ['max-depth'], key: 'maxDepth', flag: '--max-depth', kind: 'number', expected: 'a whole number from 1 to 100', help: '1: rlm_query is a plain call; 2 or more: child RLMs'},
	{name: 'iterations', aliases: ['max-iterations'], key: 'maxIterations', flag: '--max-iterations', kind: 'number', expected: 'a whole number from 1 to 10000', help: 'turns before one forced final answer'},
	{name: 'temperature', aliases: [], key: 'temperature', flag: '--temperature', kind: 'number', expected: 'a number from 0 to 2', help: "the models' sampling temperature (none set: 0.7 to OpenAI-compatible servers, none to GPT-5 and the o-series)"},
	{name: 'sub-model', aliases: ['submodel'], key: 'subModel', flag: '--sub-model', kind: 'text', expected: 'a model name (up to 500 characters)', help: 'model for llm_query / rlm_query, or an alias'},
	{name: 'timeout', aliases: ['block-timeout'], key: 'timeoutSeconds', flag: '--timeout', kind: 'number', unit: 's', expected: 'a number of seconds above 0, at most 86400', help: 'limit per code block, on Python\'s own time'},
	{name: 'request-timeout', aliases: [], key: 'requestTimeoutSeconds', flag: '--request-timeout', kind: 'number', unit: 's', expected: `a number of seconds above 0, at most ${MAX_REQUEST_TIMEOUT_SECONDS}`, help: 'how long a model request waits for the server to start its reply, and between the parts of a streamed one'},
	{name: 'memory-limit', aliases: ['memory'], key: 'memoryLimitMb', flag: '--memory-limit', kind: 'number', unit: 'MB', expected: `a whole number of MB from ${MIN_MEMORY_LIMIT_MB} to ${MAX_MEMORY_LIMIT_MB}`, help: "memory Python may hold while a block runs (MiB); past it, MemoryError"},
	{name: 'max-budget', aliases: ['budget'], key: 'maxBudget', flag: '--max-budget', kind: 'number', unit: 'USD', expected: 'a number of USD above 0 (e.g. 0.50)', help: 'estimated USD of a whole run'},
	{name: 'max-timeout', aliases: [], key: 'maxTimeout', flag: '--max-timeout', kind: 'number', unit: 's', expected: 'a number of seconds above 0 (at most 31 days)', help: 'wall-clock seconds of a whole run'},
	{name: 'max-tokens', aliases: [], key: 'maxTokens', flag: '--max-tokens', kind: 'number', expected: 'a whole number of tokens of at least 1', help: 'input plus output tokens of a whole run'},
	{name: 'max-errors', aliases: [], key: 'maxErrors', flag: '--max-errors', kind: 'number', expected: 'a whole number from 1 to 10000', help: 'failed code blocks in a row'},
	{name: 'max-sub-calls', aliases: ['sub-calls'], key: 'maxSubCalls', flag: '--max-sub-calls', kind: 'number', expected: 'a whole number from 0 to 10000000', help: 'sub-calls per run (each prompt of a batch one)'},
	{name: 'allow-models', aliases: [], key: 'allowModels', flag: '--allow-models', kind: 'list', expected: 'model names separated by commas', help: 'models model= may name besides the root model and the sub-model'},
	{name: 'instructions', aliases: ['system'], key: 'instructions', flag: '--system', kind: 'text', expected: 'text of up to 20,000 characters', help: 'added to the system prompt of every run'},
	{name: 'compaction', aliases: [], key: 'compaction', flag: '--no-compaction', kind: 'switch', expected: 'on or off', help: "summarise older iterations near the model's window"},
	{name: 'context-window', aliases: [], key: 'contextWindow', flag: '--context-window', kind: 'number', unit: 'tokens', expected: 'a whole number of tokens from 1024 to 100000000', help: "the root model's window, when the server does not say"},
	{name: 'sub-backend', aliases: [], key: 'subBackend', flag: '--sub-backend', kind: 'text', expected: `one of ${BACKEND_NAMES.join(', ')}`, help: 'where sub-calls go (key: RLM_SUB_API_KEY, else its usual variable)'},
	{name: 'sub-url', aliases: ['sub-base-url'], key: 'subBaseURL', flag: '--sub-url', kind: 'url', expected: 'a URL such as http://localhost:11434/v1, without credentials', help: 'base URL of the sub-call backend (alone: an OpenAI-compatible server)'},
	{name: 'keep-warm', aliases: [], key: 'keepWarmMinutes', flag: '--keep-warm', kind: 'number', unit: 'min', expected: `a whole number of minutes from 0 to ${MAX_KEEP_WARM_MINUTES}`, help: 'after a run, keep a sandbox ready this long for the next (0: off)'},
];

const spelling = (text: string) => text.trim().toLowerCase().replace(/^--/, '').replace(/_/g, '-');
const byName = new Map<string, RunSetting>(
	RUN_SETTINGS.flatMap((setting) => [setting.name, ...setting.aliases, setting.key.toLowerCase(), ...(setting.flag.startsWith('--no-') ? [] : [spelling(setting.flag)])].map((name) => [name, setting] as const)),
);

/** The setting a typed name means: its name, an alias, its flag (`--max-depth`) or its key (`maxDepth`), any case. */
export const findRunSetting = (name: string): RunSetting | undefined => byName.get(spelling(name)) ?? byName.get(name.trim().toLowerCase());

/** The value a setting has when nobody set it (undefined: none, no limit, or the root model). */
export function runSettingDefault(key: RunSettingKey): RunSettingValue | undefined {
	if (key === 'maxSubCalls') return DEFAULT_MAX_SUB_CALLS;
	if (key === 'memoryLimitMb') return DEFAULT_MEMORY_LIMIT_MB;
	if (key === 'keepWarmMinutes') return DEFAULT_KEEP_WARM_MINUTES;
	if (key === 'requestTimeoutSeconds') return DEFAULT_REQUEST_TIMEOUT_SECONDS;
	if (key === 'compaction') return true;
	return (DEFAULT_SETTINGS as Partial<Settings>)[key];
}

/** `value` undefined: the value was empty (`""`), which returns the setting to its default. */
export type ParsedRunSetting = {ok: true; value: RunSettingValue | undefined} | {ok: false; error: string};

/** What a number setting's value stands for, by its unit: the suffixes it takes (protocol/numbers.ts). */
export function quantityOf(setting: RunSetting): Quantity {
	return setting.unit === 's' ? 'seconds' : setting.unit === 'min' ? 'minutes' : setting.unit === 'MB' ? 'megabytes' : setting.unit === 'USD' ? 'usd' : 'count';
}

/** Text without one pair of quotes around it: the shell habit `/set sub-model "gpt-4o"`. */
const unquote = (text: string) => text.replace(/^(["'])(.*)\1$/s, '$2').trim();

/**
 * A typed value read as the setting's type and checked with the settings file's schema. Numbers
 * take their quantity's suffixes (`8k` tokens, `2G` of memory, `5m`). A value in quotes is read
 * without them, and an empty one (`""`) is the default again; a list that names none (`,`) is
 * refused. The
 * error is one line naming the setting and the bad value: `Invalid max-depth "0": expected a
 * whole number from 1 to 100.`
 */
export function parseRunSetting(setting: RunSetting, text: string): ParsedRunSetting {
	const typed = unquote(text.trim());
	if (typed === '' && text.trim() !== '') return {ok: true, value: undefined};
	// A key typed into any text setting would be written to the settings file in clear: refused.
	if (setting.kind !== 'number' && setting.kind !== 'switch' && looksSecret(text)) return {ok: false, error: secretRefusal(setting.name, typed)};
	const invalid = (): ParsedRunSetting => ({ok: false, error: `Invalid ${setting.name} ${quotedClip(typed)}: expected ${setting.expected}.`});
	let candidate: unknown;
	if (setting.kind === 'number') {
		// Number('') is 0 and Number('0x10') is 16: only decimals (with a suffix) are numbers here.
		candidate = parseQuantity(typed, quantityOf(setting));
		if (candidate === undefined) return invalid();
	} else if (setting.kind === 'list') {
		// Quotes around the whole list or around each name (`"a", "b"`) are not part of a name.
		const names = text.split(/[\s,]+/).map((name) => name.replace(/^["']+|["']+$/g, '')).filter(Boolean);
		// `,` or `"", ""` names none: for serve no list means every model, so it is not read as the default.
		if (names.length === 0) return {ok: false, error: `Invalid ${setting.name} ${quotedClip(typed)}: it names none: expected ${setting.expected} (or /unset ${setting.name} for the default).`};
		candidate = [...new Set(names)];
	} else if (setting.kind === 'switch') {
		const word = typed.toLowerCase();
		candidate = SWITCH_ON.includes(word) ? true : SWITCH_OFF.includes(word) ? false : undefined;
	} else if (setting.kind === 'url') {
		candidate = typed;
	} else if (setting.key === 'subBackend') {
		candidate = typed.toLowerCase();
	} else {
		candidate = typed;
	}
	const checked = (runSettingSchemas[setting.key] as ZodType<RunSettingValue>).safeParse(candidate);
	return checked.success ? {ok: true, value: checked.data} : invalid();
}

/**
 * The one line that refuses a typed value holding a secret (a key's shape, a URL's credentials):
 * not saved, as settings never hold a secret, and where a key goes instead. The value is quoted
 * with the secret redacted.
 */
export function secretRefusal(name: string, typed: string): string {
	return `Invalid ${name} ${quotedClip(typed)}: it carries credentials, and settings never hold a secret, so it was not saved. Give the key with -k or its environment variable (RLM_SUB_API_KEY for sub-calls)${name === 'sub-url' ? ' and the URL without it' : ''}.`;
}

const SWITCH_ON = ['on', 'true', 'yes', '1'];
const SWITCH_OFF = ['off', 'false', 'no', '0'];

/** Characters of the instructions the settings view shows (the rest is in the settings file). */
const SHOWN_TEXT = 28;

/** What a setting without a value means, as the settings view says it. */
const NONE: Partial<Record<RunSettingKey, string>> = {
	temperature: '(0.7; none for GPT-5, o-series, Anthropic)',
	subModel: '(the root model)',
	allowModels: '(none)',
	instructions: '(none)',
	contextWindow: '(from the server)',
	subBackend: "(the root's backend)",
	subBaseURL: '(its default URL)',
};

/** What the default of a setting with none means, where its name does not say it. */
const DEFAULT_MEANS: Partial<Record<RunSettingKey, string>> = {
	allowModels: 'model= may name only the root model and the sub-model',
};

/** `allow-models: back to its default: none, so model= may name only …` when that needs saying. */
export const defaultMeaning = (key: RunSettingKey): string | undefined => DEFAULT_MEANS[key];

/** A value as the settings view shows it: `30 s`, `$0.50`, `a, b`, `on`, or what having none
 * means. A URL is shown without credentials; long instructions by their start and length. */
export function formatRunSetting(setting: RunSetting, value: RunSettingValue | undefined): string {
	if (value === undefined || (Array.isArray(value) && value.length === 0)) return NONE[setting.key] ?? '(no limit)';
	if (Array.isArray(value)) return value.join(', ');
	if (typeof value === 'boolean') return value ? 'on' : 'off';
	if (setting.kind === 'url' && typeof value === 'string') return redactSecrets(value);
	if (setting.key === 'instructions' && typeof value === 'string') {
		const line = redactSecrets(value).replace(/\s+/g, ' ').trim();
		return line.length > SHOWN_TEXT ? `${line.slice(0, SHOWN_TEXT)}… (${formatCount(value.length)} chars)` : line;
	}
	if (setting.unit === 'USD' && typeof value === 'number') return `$${value < 1 && Number.isInteger(value * 100) ? value.toFixed(2) : String(value)}`;
	return setting.unit ? `${value} ${setting.unit}` : redactSecrets(String(value));
}
