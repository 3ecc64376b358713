// The settings store: conf-backed (projectName 'rlm-tui', so XDG_CONFIG_HOME moves it), validated by
// the schema on every read and write. A corrupt file is moved aside with a notice, never a crash.
// API keys are never written: only schema fields are kept, and key-like fields are stripped.
import fs from 'node:fs';
import Conf from 'conf';
import {looksSecret} from '../protocol/redact.js';
import {droppedSettingsNotice} from './file-problems.js';
import {parseSettings, type Settings} from './schema.js';

export interface SettingsStore {
	readonly path: string;
	/** Set when something about the file needed attention (moved aside, unreadable, values out of
	 * range or of the wrong type ignored), in one line. */
	readonly notice?: string;
	get(): Settings;
	save(patch: Partial<Settings>): void;
	subscribe(fn: () => void): () => void;
}

export interface OpenSettingsOptions {
	/** Directory of settings.json (overrides the platform config dir; for tests). */
	cwd?: string;
}

// `token` but not `tokens`: maxTokens and maxOutputTokens are counts, not secrets (they were
// silently dropped from the file, so `/set max-tokens` did not outlive the session).
const KEY_LIKE = /(api[-_]?key|secret|token(?!s)|password|authorization|credential)/i;

/** Removes key-like fields at any depth (belt and braces: the schema drops unknown keys too). */
export function stripSecrets<T>(value: T): T {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
	const out: Record<string, unknown> = {};
	for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
		if (KEY_LIKE.test(key)) continue;
		out[key] = stripSecrets(child);
	}
	return out as T;
}

function mergeSettings(base: Settings, patch: Partial<Settings>): Settings {
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
	return parseSettings(stripSecrets(merged));
}

function timeStamp(): string {
	return new Date().toISOString().replace(/[:.]/g, '-');
}

class MemoryBackedStore implements SettingsStore {
	readonly #listeners = new Set<() => void>();
	#settings: Settings;

	constructor(
		readonly path: string,
		initial: unknown,
		readonly notice: string | undefined,
		readonly write: ((settings: Settings) => void) | undefined,
		/** Reads the file as it is now, so a save merges into what another instance wrote. */
		readonly read?: () => unknown,
	) {
		this.#settings = parseSettings(stripSecrets(initial));
	}

	get(): Settings {
		return this.#settings;
	}

	save(patch: Partial<Settings>): void {
		let base = this.#settings;
		try {
			const current = this.read?.();
			if (current && typeof current === 'object' && Object.keys(current).length > 0) base = parseSettings(stripSecrets(current));
		} catch {
			// Unreadable now: merge into what we have.
		}
		this.#settings = mergeSettings(base, patch);
		try {
			this.write?.(this.#settings);
		} catch {
			// An unwritable settings file must not break the session; the change holds in memory.
		}
		for (const fn of [...this.#listeners]) fn();
	}

	subscribe(fn: () => void): () => void {
		this.#listeners.add(fn);
		return () => {
			this.#listeners.delete(fn);
		};
	}
}

export function openSettings(options: OpenSettingsOptions = {}): SettingsStore {
	let corrupt: string | undefined;
	let conf: Conf<Record<string, unknown>>;
	try {
		conf = new Conf<Record<string, unknown>>({
			projectName: 'rlm-tui',
			projectSuffix: '',
			configName: 'settings',
			// It may hold API keys and headers: readable by its owner only.
			configFileMode: 0o600,
			...(options.cwd ? {cwd: options.cwd} : {}),
			deserialize(text: string) {
				try {
					const value: unknown = JSON.parse(text);
					if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
						return value as Record<string, unknown>;
					}
					corrupt = 'is not a JSON object';
				} catch (error) {
					corrupt = `is not valid JSON (${(error as Error).message.split('\n')[0]})`;
				}
				return {};
			},
		});
	} catch (error) {
		const where = options.cwd ?? 'the config directory';
		return new MemoryBackedStore(
			`${where}/settings.json`,
			{},
			`Settings could not be opened (${(error as Error).message.split('\n')[0]}); using defaults for this session.`,
			undefined,
		);
	}

	let notice: string | undefined;
	let initial: unknown = {};
	if (corrupt) {
		const aside = `${conf.path}.corrupt-${timeStamp()}`;
		try {
			fs.renameSync(conf.path, aside);
			notice = `Settings file ${conf.path} ${corrupt}; moved it to ${aside} and started from defaults.`;
		} catch {
			notice = `Settings file ${conf.path} ${corrupt}; using defaults for this session.`;
		}
	} else {
		try {
			initial = conf.store;
			notice = droppedSettingsNotice(conf.path, stripSecrets(initial));
		} catch (error) {
			notice = `Settings file ${conf.path} could not be read (${(error as Error).message.split('\n')[0]}); using defaults.`;
		}
	}

	return new MemoryBackedStore(
		conf.path,
		initial,
		notice,
		settings => {
			conf.store = settings as unknown as Record<string, unknown>;
		},
		() => conf.store,
	);
}
