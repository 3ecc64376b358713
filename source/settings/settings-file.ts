// Reading the settings file without conf: a run that only reads its settings (headless, serve, mcp,
// replay) never loads conf and its JSON-schema validator (ajv, semver, ...), about 440 KB of code
// and 20 ms of every start. It reads the file where conf keeps it and as conf reads it:
// <config dir>/settings.json, the config dir from env-paths('rlm-tui', {suffix: ''}) (so
// XDG_CONFIG_HOME moves it) unless `cwd`; a missing file is an empty one, and its directory is
// made (conf makes it on a read). Writes go through conf (store.ts).
import fs from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import {InputReadError, readInputFileSync} from '../protocol/bounded-read.js';
import {makeDirectory} from '../protocol/make-dir.js';
import {quotedClip} from '../protocol/quoted.js';
import {isSecretHeaderName, looksSecret} from '../protocol/redact.js';
import {droppedSettingKeys, droppedSettingsNotice} from './file-problems.js';
import {parseSettings, parseSettingsFile, type Settings} from './schema.js';

export interface SettingsFileOptions {
	/** Directory of settings.json (overrides the platform config dir; for tests). */
	cwd?: string;
}

/** What one read of the settings file found. */
export interface SettingsFileRead {
	/** Where the file is (or would be). */
	readonly path: string;
	/** The settings: the file's, parsed (defaults where a value is missing or invalid). */
	readonly settings: Settings;
	/** Set when something about the file needed attention, in one line. */
	readonly notice?: string;
	/** False when the file could not be opened: the session keeps changes in memory only. */
	readonly writable: boolean;
	/** The file's keys whose values were not valid and were dropped (the defaults used instead). */
	readonly droppedKeys?: readonly string[];
}

/** The conf options the settings file is kept with (store.ts writes through them). */
export const SETTINGS_FILE = {projectName: 'rlm-tui', projectSuffix: '', configName: 'settings'} as const;

/** The path of settings.json: conf's (path.resolve(cwd, configName + '.json')). */
export function settingsFilePath(options: SettingsFileOptions = {}): string {
	const dir = options.cwd ?? envPaths(SETTINGS_FILE.projectName, {suffix: SETTINGS_FILE.projectSuffix}).config;
	return path.resolve(dir, `${SETTINGS_FILE.configName}.json`);
}

// `token` but not `tokens`: maxTokens and maxOutputTokens are counts, not secrets (they were
// silently dropped from the file, so `/set max-tokens` did not outlive the session).
const KEY_LIKE = /(api[-_]?key|secret|token(?!s)|password|authorization|credential)/i;

/** Settings without their secrets, and where each dropped one was (`headers.openai.Authorization`),
 * never its value. */
export interface WithoutSecrets<T> {
	value: T;
	dropped: string[];
}

/**
 * `value` without secrets, in one walk at any depth: fields whose names are key-like (KEY_LIKE;
 * belt and braces, as the schema drops unknown keys too), headers in a per-backend `headers` map
 * whose names say they carry a credential (the names --header errors redact: Cookie, X-Auth-…,
 * …-Token, which KEY_LIKE alone lets through), and with `values` any text that looks like a
 * secret (a key's shape, a URL's credentials) whatever its key: what is written never holds one
 * (the commands refuse such values before they save).
 */
export function withoutSecrets<T>(value: T, options: {values?: boolean} = {}): WithoutSecrets<T> {
	const dropped: string[] = [];
	const secretText = (child: unknown) => options.values === true && typeof child === 'string' && looksSecret(child);
	// What a node's keys are: fields, the backends of a `headers` map, or one backend's header names.
	const walk = (node: unknown, where: string, keys: 'fields' | 'backends' | 'header names'): unknown => {
		if (Array.isArray(node)) {
			const kept: unknown[] = [];
			for (const [index, item] of node.entries()) {
				if (secretText(item)) dropped.push(`${where}[${index}]`);
				else kept.push(walk(item, `${where}[${index}]`, 'fields'));
			}
			return kept;
		}
		if (node === null || typeof node !== 'object') return node;
		const out: Record<string, unknown> = {};
		for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
			const path = where ? `${where}.${key}` : key;
			if (KEY_LIKE.test(key) || (keys === 'header names' && isSecretHeaderName(key)) || secretText(child)) {
				dropped.push(path);
				continue;
			}
			out[key] = walk(child, path, keys === 'backends' ? 'header names' : key === 'headers' && keys === 'fields' ? 'backends' : 'fields');
		}
		return out;
	};
	return {value: walk(value, '', 'fields') as T, dropped};
}

/** The read's one line on the secrets withoutSecrets dropped from the file (by name, never a value),
 * or undefined when none was: where they go instead. The next save leaves them out of the file. */
function secretsNotice(file: string, dropped: readonly string[]): string | undefined {
	if (dropped.length === 0) return undefined;
	const names = dropped.map((name) => quotedClip(name)).join(', ');
	return `Settings file ${file}: ${names} ${dropped.length === 1 ? 'was' : 'were'} ignored, as settings never hold a secret: give a key with -k @FILE or its environment variable, a secret header with --header.`;
}

/** `base` with `patch` over it, as saved: maps merged by key, any text that looks like a secret dropped. */
export function mergeSettings(base: Settings, patch: Partial<Settings>): Settings {
	const merged: Record<string, unknown> = {...base};
	for (const [key, value] of Object.entries(patch)) {
		if (key === 'baseURLs') {
			// A URL with credentials in it (userinfo, `?key=`) is never written.
			const clean = Object.entries(value as Record<string, string>).filter(([, url]) => !looksSecret(url));
			merged[key] = {...(base[key] as object), ...Object.fromEntries(clean)};
		} else if (key === 'models' || key === 'headers') {
			merged[key] = {...(base[key] as object), ...(value as object)};
		} else {
			merged[key] = value;
		}
	}
	return parseSettings(withoutSecrets(merged, {values: true}).value);
}

/**
 * Settings text as JSON: a leading byte order mark (Windows editors such as Notepad write one;
 * JSON.parse rejects it, RFC 8259 §8.1 lets a reader ignore it) is dropped first.
 * @throws SyntaxError for text that is not JSON.
 */
export function parseSettingsJson(text: string): unknown {
	return JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as unknown;
}

/** The file's bytes as text, by its byte order mark: UTF-16 (Windows PowerShell 5's `>` and
 * `Out-File` write UTF-16LE) or UTF-8, the default. */
function decodeSettings(bytes: Buffer): string {
	if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
	if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
	return bytes.toString('utf8');
}

/** Settings are a few KiB; 4 MiB is far past any real file. */
const settingsInput = {what: 'Settings file', limit: 4 * 1024 * 1024, tooLarge: 'it is not a settings file; move it away'};

/**
 * The file's content as conf's reader gives it: an object, or `{}` when the file is missing (its
 * directory is then made). @throws the fs error when the file (or its directory) cannot be read or
 * made, and SyntaxError for text that is not JSON.
 */
export function readSettingsText(file: string): unknown {
	let bytes: Buffer;
	try {
		// Only a regular file of sane size: a FIFO there hung every run, a link to /dev/zero read 5 GB.
		bytes = readInputFileSync(file, settingsInput);
	} catch (error) {
		if (!(error instanceof InputReadError && error.reason === 'missing')) throw error;
		// Not Node's recursive mkdir: it never returns for a missing folder under /proc.
		makeDirectory(path.dirname(file), 0o700);
		return {};
	}
	return parseSettingsJson(decodeSettings(bytes));
}

/** The file's content when it is a JSON object, else why it is not settings at all. */
function corruption(read: () => unknown): {value: Record<string, unknown>} | {corrupt: string} {
	let value: unknown;
	try {
		value = read();
	} catch (error) {
		if (!(error instanceof SyntaxError)) throw error;
		return {corrupt: `is not valid JSON (${error.message.split('\n')[0]})`};
	}
	if (value !== null && typeof value === 'object' && !Array.isArray(value)) return {value: value as Record<string, unknown>};
	return {corrupt: 'is not a JSON object'};
}

function timeStamp(): string {
	return new Date().toISOString().replace(/[:.]/g, '-');
}

/**
 * Reads the settings file. Never throws: a file that is not a JSON object is moved aside
 * (settings.json.corrupt-<time>) with a notice and the defaults are used; one that cannot be read
 * leaves the defaults, a notice and `writable: false`; values the schema drops are named in the notice.
 */
export function readSettingsFile(options: SettingsFileOptions = {}): SettingsFileRead {
	const file = settingsFilePath(options);
	let found: ReturnType<typeof corruption>;
	try {
		found = corruption(() => readSettingsText(file));
	} catch (error) {
		// The refusals of a device, a pipe or a huge file name the file themselves.
		const why = error instanceof InputReadError ? error.message : `Settings file ${file} could not be opened (${(error as Error).message.split('\n')[0]})`;
		return {
			path: file,
			settings: parseSettings({}),
			notice: `${why}; using defaults for this session (changes made in the app, with /set, /model or /backend, are not saved).`,
			writable: false,
		};
	}
	if ('corrupt' in found) {
		const aside = `${file}.corrupt-${timeStamp()}`;
		let notice: string;
		try {
			fs.renameSync(file, aside);
			notice = `Settings file ${file} ${found.corrupt}; moved it to ${aside} and started from defaults.`;
		} catch {
			notice = `Settings file ${file} ${found.corrupt}; using defaults for this session.`;
		}
		return {path: file, settings: parseSettings({}), notice, writable: true};
	}
	const {value: initial, dropped} = withoutSecrets(found.value);
	const notice = [secretsNotice(file, dropped), droppedSettingsNotice(file, initial)].filter(Boolean).join(' ') || undefined;
	const droppedKeys = droppedSettingKeys(initial);
	return {path: file, settings: parseSettingsFile(initial), ...(notice ? {notice} : {}), writable: true, ...(droppedKeys.length ? {droppedKeys} : {})};
}
