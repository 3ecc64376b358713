// The run settings a user can change while the app runs (/set NAME VALUE): each one's name as
// typed, its settings-file key and flag, its default, and how a typed value is read and checked
// (with the settings file's own schema). Pure: the TUI's /set and the README's table use it.
import {DEFAULT_MAX_SUB_CALLS} from '../protocol/limits.js';
import {DEFAULT_SETTINGS, runSettingSchemas, type Settings} from './schema.js';

export type RunSettingKey = keyof typeof runSettingSchemas;
export type RunSettingValue = number | string | string[];

export interface RunSetting {
	/** As typed after /set: `max-sub-calls`. */
	readonly name: string;
	/** Also accepted: the flag without dashes' other spellings (`max-depth` for `depth`). */
	readonly aliases: readonly string[];
	/** The settings file's key, the library option's name, and the Flags field. */
	readonly key: RunSettingKey;
	readonly flag: string;
	readonly kind: 'number' | 'text' | 'list';
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
	{name: 'sub-model', aliases: ['submodel'], key: 'subModel', flag: '--sub-model', kind: 'text', expected: 'a model name (up to 500 characters)', help: 'model for llm_query / rlm_query, or an alias'},
	{name: 'timeout', aliases: ['block-timeout'], key: 'timeoutSeconds', flag: '--timeout', kind: 'number', unit: 's', expected: 'a number of seconds above 0, at most 86400', help: 'limit per code block, on Python\'s own time'},
	{name: 'max-budget', aliases: ['budget'], key: 'maxBudget', flag: '--max-budget', kind: 'number', unit: 'USD', expected: 'a number of USD above 0 (e.g. 0.50)', help: 'estimated USD of a whole run'},
	{name: 'max-timeout', aliases: [], key: 'maxTimeout', flag: '--max-timeout', kind: 'number', unit: 's', expected: 'a number of seconds above 0 (at most 31 days)', help: 'wall-clock seconds of a whole run'},
	{name: 'max-tokens', aliases: [], key: 'maxTokens', flag: '--max-tokens', kind: 'number', expected: 'a whole number of tokens of at least 1', help: 'input plus output tokens of a whole run'},
	{name: 'max-errors', aliases: [], key: 'maxErrors', flag: '--max-errors', kind: 'number', expected: 'a whole number from 1 to 10000', help: 'failed code blocks in a row'},
	{name: 'max-sub-calls', aliases: ['sub-calls'], key: 'maxSubCalls', flag: '--max-sub-calls', kind: 'number', expected: 'a whole number from 0 to 10000000', help: 'sub-calls per run (each prompt of a batch one)'},
	{name: 'allow-models', aliases: [], key: 'allowModels', flag: '--allow-models', kind: 'list', expected: 'model names separated by commas', help: 'models model= may name besides the root model and the sub-model'},
];

const spelling = (text: string) => text.trim().toLowerCase().replace(/^--/, '').replace(/_/g, '-');
const byName = new Map<string, RunSetting>(
	RUN_SETTINGS.flatMap((setting) => [setting.name, ...setting.aliases, setting.key.toLowerCase(), spelling(setting.flag)].map((name) => [name, setting] as const)),
);

/** The setting a typed name means: its name, an alias, its flag (`--max-depth`) or its key (`maxDepth`), any case. */
export const findRunSetting = (name: string): RunSetting | undefined => byName.get(spelling(name)) ?? byName.get(name.trim().toLowerCase());

/** The value a setting has when nobody set it (undefined: none, no limit, or the root model). */
export function runSettingDefault(key: RunSettingKey): RunSettingValue | undefined {
	if (key === 'maxSubCalls') return DEFAULT_MAX_SUB_CALLS;
	return (DEFAULT_SETTINGS as Partial<Settings>)[key];
}

export type ParsedRunSetting = {ok: true; value: RunSettingValue} | {ok: false; error: string};

/**
 * A typed value read as the setting's type and checked with the settings file's schema. The
 * error is one line naming the setting and the bad value: `Invalid max-depth "0": expected a
 * whole number from 1 to 100.`
 */
export function parseRunSetting(setting: RunSetting, text: string): ParsedRunSetting {
	const typed = text.trim();
	const invalid = (): ParsedRunSetting => ({ok: false, error: `Invalid ${setting.name} "${typed.length > 60 ? `${typed.slice(0, 60)}…` : typed}": expected ${setting.expected}.`});
	let candidate: unknown;
	if (setting.kind === 'number') {
		// Number('') is 0 and Number('0x10') is 16: only plain decimals are numbers here.
		const plain = typed.replace(/^\$/, '').replace(/_/g, '');
		if (!/^[+]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(plain)) return invalid();
		candidate = Number(plain);
	} else if (setting.kind === 'list') {
		const names = typed.split(/[\s,]+/).filter(Boolean);
		if (names.length === 0) return invalid();
		candidate = [...new Set(names)];
	} else {
		candidate = typed;
	}
	const checked = runSettingSchemas[setting.key].safeParse(candidate);
	return checked.success ? {ok: true, value: checked.data} : invalid();
}

/** A value as the settings view shows it: `30 s`, `$0.50`, `a, b`, or what having none means. */
export function formatRunSetting(setting: RunSetting, value: RunSettingValue | undefined): string {
	if (value === undefined || (Array.isArray(value) && value.length === 0)) {
		if (setting.key === 'subModel') return '(the root model)';
		if (setting.key === 'allowModels') return '(none)';
		return '(no limit)';
	}
	if (Array.isArray(value)) return value.join(', ');
	if (setting.unit === 'USD' && typeof value === 'number') return `$${value < 1 && Number.isInteger(value * 100) ? value.toFixed(2) : String(value)}`;
	return setting.unit ? `${value} ${setting.unit}` : String(value);
}
