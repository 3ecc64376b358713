// The live TUI: chat beside the tree of the running engine (see fullscreen.ts for the terminal).
// A terminal that cannot draw it (TERM=dumb) gets the line mode instead.
import {join} from 'node:path';
import envPaths from 'env-paths';
import type {ContextBadge, ContextLoadOptions} from '../context/index.js';
import type {Rlm} from '../engine/rlm.js';
import type {ResolvedConfig} from '../settings/resolve.js';
import type {SettingsStore} from '../settings/store.js';
import {runFullScreen} from './fullscreen.js';
import {runLineMode} from './line-mode.js';
import {isDumbTerminal} from './terminal.js';

export interface RunTuiOptions {
	rlm: Rlm;
	config: ResolvedConfig;
	settings: SettingsStore;
	notices?: string[];
	/** Reopen the last logged session (--resume). */
	resume?: boolean;
	/** What -c loaded (for the status line). */
	contextBadge?: ContextBadge;
	/** How /context reads: --context-format and --max-context-bytes. */
	contextLoad?: Pick<ContextLoadOptions, 'format' | 'maxBytes'>;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	env?: NodeJS.ProcessEnv;
	/** Called just before the app reads stdin: keys typed while it started go back in front of it. */
	takeTypeahead?: () => void;
}

/** Input history across restarts: in the state directory, beside the trajectories
 * (~/.local/state/rlm-tui/input-history.jsonl). None when logging is turned off. */
export function historyFileFor(rlm: Pick<Rlm, 'options'>): string | undefined {
	if (rlm.options.logDir === false) return undefined;
	return join(envPaths('rlm-tui', {suffix: ''}).log, 'input-history.jsonl');
}

/** Resolves with the exit code after the terminal is restored and the engine disposed. */
export async function runTui(options: RunTuiOptions): Promise<number> {
	const env = options.env ?? process.env;
	const stdin = options.stdin ?? process.stdin;
	const stdout = options.stdout ?? process.stdout;
	if (isDumbTerminal(env)) {
		try {
			return await runLineMode({rlm: options.rlm, stdin, stdout, notices: options.notices ?? []});
		} finally {
			await Promise.race([options.rlm.dispose().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
		}
	}
	const historyFile = historyFileFor(options.rlm);
	return runFullScreen(
		async (onExit, terminal) => {
			// React is CommonJS: its default export is the module in Node and in the bundle alike.
			const [{default: React}, {App}] = await Promise.all([import('react'), import('./app.js')]);
			return React.createElement(App, {
				rlm: options.rlm,
				config: options.config,
				settings: options.settings,
				notices: options.notices ?? [],
				resume: Boolean(options.resume),
				...(options.contextBadge ? {contextBadge: options.contextBadge} : {}),
				...(options.contextLoad ? {contextLoad: options.contextLoad} : {}),
				onExit,
				terminal,
				...(historyFile ? {historyFile} : {}),
			});
		},
		{
			stdin,
			stdout,
			env,
			cleanup: () => options.rlm.dispose(),
			// Ended before the app cancels its run: the log keeps that run as unfinished (fullscreen.ts).
			onHangUp: () => void options.rlm.dispose().catch(() => undefined),
			...(options.takeTypeahead ? {takeTypeahead: options.takeTypeahead} : {}),
		},
	);
}
