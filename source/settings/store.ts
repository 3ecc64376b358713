// The settings store: read by settings-file.ts (projectName 'rlm-tui', so XDG_CONFIG_HOME moves it),
// written through conf, validated by the schema on every read and write. A corrupt file is moved
// aside with a notice, never a crash. API keys are never written: only schema fields are kept, and
// key-like fields are stripped.
import {escapeUnsafeInJson} from '../protocol/json-escape.js';
import path from 'node:path';
import Conf from 'conf';
import {mergeSettings, parseSettingsJson, readSettingsFile, readSettingsText, SETTINGS_FILE, withoutSecrets, type SettingsFileOptions, type SettingsFileRead} from './settings-file.js';
import {parseSettingsFile, SETTINGS_FILE_VERSION, type Settings} from './schema.js';

export interface SettingsStore {
	readonly path: string;
	/** Set when something about the file needed attention (moved aside, unreadable, values out of
	 * range or of the wrong type ignored), in one line. */
	readonly notice?: string;
	get(): Settings;
	/** Merges `patch` in and writes the file. Returns null when it was written, else why not, in a
	 * few words (the change then holds for this session only). Never throws. */
	save(patch: Partial<Settings>): string | null;
	/** Whether the file holds `key` as get() has it: false once a change to it was not written,
	 * until a later save writes the file (every save writes all of it). */
	isSaved(key: keyof Settings): boolean;
	subscribe(fn: () => void): () => void;
}

export type OpenSettingsOptions = SettingsFileOptions;

class MemoryBackedStore implements SettingsStore {
	readonly #listeners = new Set<() => void>();
	#settings: Settings;
	/** Keys changed by saves that could not write the file. */
	readonly #unsaved = new Set<keyof Settings>();

	constructor(
		readonly path: string,
		initial: Settings,
		readonly notice: string | undefined,
		readonly write: ((settings: Settings) => void) | undefined,
		/** Reads the file as it is now, so a save merges into what another instance wrote. */
		readonly read?: () => unknown,
	) {
		this.#settings = initial;
	}

	get(): Settings {
		return this.#settings;
	}

	save(patch: Partial<Settings>): string | null {
		let base = this.#settings;
		try {
			const current = this.read?.();
			if (current && typeof current === 'object' && Object.keys(current).length > 0) base = parseSettingsFile(withoutSecrets(current).value);
		} catch {
			// Unreadable now: merge into what we have.
		}
		this.#settings = mergeSettings(base, patch);
		// An unwritable settings file must not break the session; the change holds in memory.
		let problem: string | null = this.write ? null : `${this.path} could not be opened at the start, so it is not written`;
		try {
			this.write?.(this.#settings);
		} catch (error) {
			problem = `${this.path} could not be written (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`;
		}
		if (problem === null) this.#unsaved.clear();
		else for (const key of Object.keys(patch) as Array<keyof Settings>) this.#unsaved.add(key);
		for (const fn of [...this.#listeners]) fn();
		return problem;
	}

	isSaved(key: keyof Settings): boolean {
		return !this.#unsaved.has(key);
	}

	subscribe(fn: () => void): () => void {
		this.#listeners.add(fn);
		return () => {
			this.#listeners.delete(fn);
		};
	}
}

/** Reads the settings file (settings-file.ts) and keeps it, writing through conf. Never throws. */
export function openSettings(options: OpenSettingsOptions = {}): SettingsStore {
	return settingsStore(readSettingsFile(options));
}

/**
 * The store over a read already made (the command line reads the file before it knows whether the
 * app, the one mode that writes, runs). conf is set up at the first save, on the same file.
 */
export function settingsStore(read: SettingsFileRead): SettingsStore {
	if (!read.writable) return new MemoryBackedStore(read.path, read.settings, read.notice, undefined);
	let conf: Conf<Record<string, unknown>> | undefined;
	const opened = () =>
		(conf ??= new Conf<Record<string, unknown>>({
			...SETTINGS_FILE,
			cwd: path.dirname(read.path),
			// It may hold API keys and headers: readable by its owner only.
			configFileMode: 0o600,
			// What is not a JSON object reads as empty (the first read moved such a file aside). A
			// leading byte order mark is read past; conf writes the file back without one.
			// Written as conf does (tab-indented JSON), with DEL, the C1 controls and disguising
			// characters escaped: a model id saved as a server listed it may hold them, and the file is
			// read with cat. The same values parse back.
			serialize: (value: Record<string, unknown>) => escapeUnsafeInJson(JSON.stringify(value, undefined, '\t')),
			deserialize(text: string) {
				try {
					const value = parseSettingsJson(text);
					if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
				} catch {
					// Not JSON.
				}
				return {};
			},
		}));
	return new MemoryBackedStore(
		read.path,
		read.settings,
		read.notice,
		(settings) => {
			// The version says every value in it was chosen, a temperature of 0.7 too (schema.ts parseSettingsFile).
			opened().store = {...settings, version: SETTINGS_FILE_VERSION};
		},
		// Read as the first read was (a byte order mark, UTF-16), not through conf's UTF-8 reader.
		() => readSettingsText(read.path),
	);
}
