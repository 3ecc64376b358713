// The live TUI: chat beside the tree of the running engine (see fullscreen.ts for the terminal).
import type {Rlm} from '../engine/rlm.js';
import type {ResolvedConfig} from '../settings/resolve.js';
import type {SettingsStore} from '../settings/store.js';
import {runFullScreen} from './fullscreen.js';

export interface RunTuiOptions {
	rlm: Rlm;
	config: ResolvedConfig;
	settings: SettingsStore;
	notices?: string[];
	/** Reopen the last logged session (--resume). */
	resume?: boolean;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
}

/** Resolves with the exit code after the terminal is restored and the engine disposed. */
export async function runTui(options: RunTuiOptions): Promise<number> {
	return runFullScreen(
		async (onExit) => {
			// React is CommonJS: its default export is the module in Node and in the bundle alike.
			const [{default: React}, {App}] = await Promise.all([import('react'), import('./app.js')]);
			return React.createElement(App, {
				rlm: options.rlm,
				config: options.config,
				settings: options.settings,
				notices: options.notices ?? [],
				resume: Boolean(options.resume),
				onExit,
			});
		},
		{
			...(options.stdin ? {stdin: options.stdin} : {}),
			...(options.stdout ? {stdout: options.stdout} : {}),
			cleanup: () => options.rlm.dispose(),
		},
	);
}
