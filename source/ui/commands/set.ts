// /set NAME VALUE: a run setting (depth, iterations, sub-model, timeout, the run-wide limits) for
// the next questions, saved to the settings file as gemini-cli's /settings saves (a launch flag
// gives way to it). /unset NAME (or an empty VALUE) returns it to its default. /set NAME alone
// shows that one value in full (/settings shortens long ones) and where it came from; /set alone
// (or /settings) lists each value and where it came from.
import {savedWord} from './saved.js';
import {quoted} from '../../protocol/quoted.js';
import {redactSecrets} from '../../protocol/redact.js';
import {
	defaultMeaning,
	findRunSetting,
	formatRunSetting,
	parseRunSetting,
	RUN_SETTINGS,
	runSettingDefault,
	type RunSetting,
	type RunSettingKey,
	type RunSettingValue,
} from '../../settings/run-settings.js';
import {subBackendTarget} from '../../settings/resolve.js';
import {firstLine} from '../engine-port.js';
import type {AppState, SessionConfig} from '../state/types.js';
import {addChat} from '../state/updates.js';
import {defineCommand, type CommandContext} from './command.js';

export type SetPayload =
	| {show: NonNullable<SessionConfig['setHere']>}
	| {showOne: RunSettingKey; setHere: NonNullable<SessionConfig['setHere']>}
	| {key: RunSettingKey; value: RunSettingValue | undefined};

const NAMES = RUN_SETTINGS.map((setting) => setting.name).join(', ');

/** The line for a name that is not a setting. */
export const unknownSetting = (name: string) => `Unknown setting ${quoted(name)}: use one of ${NAMES}.`;

/** The state after /set or /unset of `setting` (the effect makes the engine and the file follow). */
export function setRunSetting(state: AppState, setting: RunSetting, value: RunSettingValue | undefined, queue: (state: AppState, payload: SetPayload) => AppState): AppState {
	const setHere = {...state.config.setHere, [setting.key]: value === undefined ? 'unset' : 'set'} as const;
	const maxIterations = setting.key === 'maxIterations' ? {maxIterations: (value ?? runSettingDefault('maxIterations')) as number} : {};
	return queue({...state, config: {...state.config, ...maxIterations, setHere}}, {key: setting.key, value});
}

export const setCommand = defineCommand<SetPayload>({
	name: 'set',
	aliases: ['settings'],
	usage: '/set [NAME [VALUE]]',
	help: `change a run setting for the next questions; saved (alone: each value and where it came from; NAME alone: that value in full; /unset NAME: back to its default). NAME: ${NAMES}`,
	run(state, args, queue) {
		const trimmed = args.trim();
		if (!trimmed) return queue(state, {show: state.config.setHere ?? {}});
		const [name = '', ...rest] = trimmed.split(/\s+/);
		const setting = findRunSetting(name);
		if (!setting) return addChat(state, 'error', unknownSetting(name));
		const text = trimmed.slice(name.length).trim();
		// The name alone shows the value: it once reset it, a trap for whoever wanted to read a
		// long value /settings shortens (an empty value, "", or /unset resets).
		if (!text && rest.length === 0) return queue(state, {showOne: setting.key, setHere: state.config.setHere ?? {}});
		const parsed = parseRunSetting(setting, text);
		if (!parsed.ok) return addChat(state, 'error', parsed.error);
		return setRunSetting(state, setting, parsed.value, queue);
	},
	perform(payload, context) {
		if ('show' in payload) showSettings(context, payload.show);
		else if ('showOne' in payload) showSetting(context, payload.showOne, payload.setHere);
		else applySetting(context, payload.key, payload.value);
	},
});

/** The engine takes the value for its next completion; the settings file keeps it. */
export function applySetting(context: CommandContext, key: RunSettingKey, value: RunSettingValue | undefined): void {
	const setting = RUN_SETTINGS.find((candidate) => candidate.key === key)!;
	try {
		// keep-warm is the app's, read when it exits (cli/keep-warm.ts), not the engine's.
		if (key !== 'keepWarmMinutes') context.rlm.configure(key === 'subBackend' || key === 'subBaseURL' ? subCallTarget(context, key, value) : engineOption(key, value));
	} catch (error) {
		context.say('error', `${setting.name} not changed: ${firstLine(error)}`);
		return;
	}
	const saved = savedWord(context.settings.save({[key]: value}));
	const shown = formatRunSetting(setting, value ?? runSettingDefault(key));
	const means = value === undefined ? defaultMeaning(key) : undefined;
	// keep-warm acts when the app quits; every other setting from the next question.
	const when = key === 'keepWarmMinutes' ? 'when the app quits' : 'from the next question';
	context.say('info', value === undefined ? `${setting.name}: back to its default${defaultWords(shown, means)} (${saved}).` : `${setting.name}: ${shown} (${saved}; ${when}).`);
}

/** Settings whose engine option has another name and unit: the settings file's seconds, the engine's ms. */
const ENGINE_OPTION_OF: Partial<Record<RunSettingKey, {option: 'requestTimeoutMs'; perUnit: number}>> = {
	requestTimeoutSeconds: {option: 'requestTimeoutMs', perUnit: 1000},
};

/** The engine's option for a setting's value (undefined: back to the engine's default). */
function engineOption(key: RunSettingKey, value: RunSettingValue | undefined): Record<string, RunSettingValue | undefined> {
	const other = ENGINE_OPTION_OF[key];
	if (key === 'contextWindow') return {contextWindow: value, contextWindowName: '/set context-window'};
	if (!other) return {[key]: value};
	return {[other.option]: typeof value === 'number' ? value * other.perUnit : undefined};
}

/** The engine's value of a setting, in the setting's unit. */
function engineValue(key: RunSettingKey, options: Readonly<Record<string, unknown>>): RunSettingValue | undefined {
	const other = ENGINE_OPTION_OF[key];
	if (!other) return options[key] as RunSettingValue | undefined;
	const value = options[other.option];
	return typeof value === 'number' ? value / other.perUnit : undefined;
}

/** `, 1 MB` for a value; `: from the server` for what having none means (the settings view's
 * "(from the server)" without its parentheses, which read as a stray aside after a comma). */
function defaultWords(shown: string, means: string | undefined): string {
	const none = /^\((.*)\)$/.exec(shown);
	const words = none ? `: ${none[1]!}` : `, ${shown}`;
	return means ? `${words}, so ${means}` : words;
}

/**
 * The sub-call backend after /set sub-backend or sub-url: both settings as they will be saved, read
 * as --sub-backend and --sub-url are (its key from the environment, never from settings).
 */
function subCallTarget(context: CommandContext, key: 'subBackend' | 'subBaseURL', value: RunSettingValue | undefined) {
	const stored = context.settings.get();
	const chosen = {subBackend: stored.subBackend, subBaseURL: stored.subBaseURL, [key]: value as string | undefined};
	return subBackendTarget(chosen, context.env, {...stored, ...chosen}, {backend: context.backend, baseURL: context.rlm.options.baseURL});
}

/** Where a value came from, as the settings view names it. */
function sourceOf(key: RunSettingKey, context: CommandContext, setHere: NonNullable<SessionConfig['setHere']>): string {
	const here = setHere[key];
	// Set (or unset) here and saved: the file holds it, as it will at the next start.
	const saved = context.settings.isSaved(key);
	if (here === 'set') return saved ? 'settings file' : 'this session';
	if (here === 'unset') return saved ? 'default' : 'default, this session';
	if (context.config.fromFlags?.includes(key)) return 'flag';
	// The file holds a setting only when it was set (schema.ts parseSettingsFile).
	return context.settings.get()[key] === undefined ? 'default' : 'settings file';
}

/** A setting's value now: the engine's, or the app's for keep-warm (undefined: none). */
function currentValue(key: RunSettingKey, context: CommandContext, setHere: NonNullable<SessionConfig['setHere']>): RunSettingValue | undefined {
	if (key === 'keepWarmMinutes') return setHere.keepWarmMinutes ? context.settings.get().keepWarmMinutes : context.config.keepWarmMinutes;
	return engineValue(key, context.rlm.options);
}

/** Where a value came from, as a sentence says it. */
const SOURCE_WORDS: Record<string, string> = {
	'settings file': 'from the settings file',
	'this session': 'set in this session (the settings file could not keep it)',
	flag: 'from a launch flag, for this session',
	default: 'the default',
	'default, this session': 'the default, in this session (the settings file could not keep that)',
};

/** /set NAME: one value in full (instructions with their line breaks), where it came from, and how
 * to change or reset it. */
function showSetting(context: CommandContext, key: RunSettingKey, setHere: NonNullable<SessionConfig['setHere']>): void {
	const setting = RUN_SETTINGS.find((candidate) => candidate.key === key)!;
	const value = currentValue(key, context, setHere) ?? runSettingDefault(key);
	const source = SOURCE_WORDS[sourceOf(key, context, setHere)] ?? sourceOf(key, context, setHere);
	const how = `/set ${setting.name} VALUE changes it; /unset ${setting.name} returns it to its default.`;
	if (key === 'instructions' && typeof value === 'string') {
		context.say('info', `${setting.name}, ${source} (${value.length} chars):\n${redactSecrets(value).trim()}\n${how}`);
		return;
	}
	const shown = formatRunSetting(setting, value);
	const none = /^\((.*)\)$/.exec(shown);
	const means = none ? defaultMeaning(key) : undefined;
	context.say('info', `${setting.name}: ${none ? none[1]! : shown} (${source})${means ? `, so ${means}` : ''}.\n${how}`);
}

function showSettings(context: CommandContext, setHere: NonNullable<SessionConfig['setHere']>): void {
	const rows = RUN_SETTINGS.map((setting) => {
		const value = formatRunSetting(setting, currentValue(setting.key, context, setHere) ?? runSettingDefault(setting.key));
		return [setting.name, value, sourceOf(setting.key, context, setHere)] as const;
	});
	context.say('info', 'Run settings (/set NAME shows one in full; /set NAME VALUE changes one and saves it; /unset NAME returns it to its default):', rows);
}
