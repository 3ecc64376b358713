// The full-screen lifecycle shared by the live TUI and the replay viewer: production React, the
// terminal's modes (terminal.ts), Ink mounted with our own Ctrl+C handling, console output held
// back, and the terminal restored on every way out (quit, SIGINT/TERM/HUP/QUIT, the end of input,
// the terminal going away, a crash) before the promise resolves.
// React and Ink are imported only here and only after NODE_ENV is settled: React's development
// build costs several times more per frame.
import {inspect} from 'node:util';
import type {ReactElement} from 'react';
import {isDumbTerminal, Screen, type TerminalControl} from './terminal.js';
import {printable} from '../text/printable.js';

export interface FullScreenOptions {
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	/** Runs after the terminal is restored (dispose engines here). */
	cleanup?: () => Promise<unknown>;
	/** The terminal went away (SIGHUP, its input ended or failed), or the user quit at once (SIGQUIT,
	 * Ctrl+\): runs at once, before the app unmounts and so cancels what it runs. Neither is the user
	 * cancelling: the live TUI ends its engine here, so its log keeps a run cut short as unfinished,
	 * as the headless CLI's and the line mode's do, not as cancelled. */
	onHangUp?: () => void;
	env?: NodeJS.ProcessEnv;
	/** Called just before the app reads stdin: whoever held the keys typed while it started puts
	 * them back in front of it (the command line's typeahead). */
	takeTypeahead?: () => void;
}

/** Ink's options for the app (the benchmark uses them too). Only changed lines reach the terminal:
 * terminal.ts rewrites Ink's full-frame writes (FrameDiff). */
export const INK_OPTIONS = {exitOnCtrlC: false, patchConsole: false} as const;

/** Exit codes for the signals that end the app (128 + the signal's number). */
const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = {SIGHUP: 129, SIGINT: 130, SIGQUIT: 131, SIGTERM: 143};

/** Ink renders nothing interactive when it believes it runs in CI; a real TTY here means a user. */
async function importInk(): Promise<typeof import('ink')> {
	const saved: Record<string, string | undefined> = {};
	for (const name of Object.keys(process.env)) {
		if (name === 'CI' || name === 'CONTINUOUS_INTEGRATION' || name === 'BUILD_NUMBER' || name === 'RUN_ID' || name.startsWith('CI_')) {
			saved[name] = process.env[name];
			delete process.env[name];
		}
	}
	try {
		return await import('ink');
	} finally {
		for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
	}
}

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';
const CONSOLE_METHODS: ConsoleMethod[] = ['log', 'info', 'warn', 'error', 'debug', 'trace'];

/** While the screen is ours, console output would tear it: keep it and print it afterwards. */
function holdConsole(): () => string[] {
	const held: string[] = [];
	const originals = new Map<ConsoleMethod, (...args: unknown[]) => void>();
	for (const method of CONSOLE_METHODS) {
		// eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back on console as it was
		originals.set(method, console[method]);
		console[method] = (...args: unknown[]) => {
			if (held.length < 200) held.push(args.map((arg) => (typeof arg === 'string' ? arg : String(arg))).join(' '));
		};
	}
	return () => {
		for (const [method, original] of originals) console[method] = original;
		return held;
	};
}

/**
 * Mounts `build(onExit)` full screen and resolves with the exit code once the terminal is restored.
 * `build` runs after React is loaded, so callers import their components lazily inside it.
 */
export async function runFullScreen(
	build: (onExit: (code: number) => void, terminal: TerminalControl) => Promise<ReactElement>,
	options: FullScreenOptions = {},
): Promise<number> {
	const stdout = options.stdout ?? process.stdout;
	const stdin = options.stdin ?? process.stdin;
	const env = options.env ?? process.env;
	if (isDumbTerminal(env)) {
		process.stderr.write('rlm-tui: this terminal (TERM=dumb) cannot show the full-screen app. Ask with -p "question" instead, or set TERM (for example TERM=xterm-256color).\n');
		if (options.cleanup) await options.cleanup().catch(() => undefined);
		return 2;
	}
	process.env.NODE_ENV ??= 'production';
	const {render} = await importInk();

	let settle: (code: number) => void = () => {};
	const exitCode = new Promise<number>((resolve) => {
		settle = resolve;
	});
	const screen = new Screen({stdin, stdout, env});
	// Ctrl+\ (the app's quit-at-once key) ends as SIGQUIT does (below).
	const element = await build((code) => {
		if (code === SIGNAL_CODES.SIGQUIT) hangUp();
		settle(code);
	}, screen);

	let restored = false;
	const restore = () => {
		if (restored) return;
		restored = true;
		screen.leave();
		screen.unpatchStreams();
	};
	process.once('exit', restore);
	let hungUp = false;
	const hangUp = () => {
		if (hungUp) return;
		hungUp = true;
		try {
			options.onHangUp?.();
		} catch {
			// The way out goes on.
		}
	};
	const onSignal = (signal: NodeJS.Signals) => {
		if (signal === 'SIGHUP' || signal === 'SIGQUIT') hangUp();
		settle(SIGNAL_CODES[signal] ?? 1);
	};
	const signals = Object.keys(SIGNAL_CODES) as NodeJS.Signals[];
	for (const signal of signals) process.on(signal, onSignal);
	// `kill -TSTP` stops as Ctrl+Z does: the terminal is handed back first.
	const onStop = () => screen.suspend();
	process.on('SIGTSTP', onStop);
	// The terminal went away (end of input, a read or write error after a hangup): leave, do not
	// linger with the sandbox.
	const onGone = () => {
		hangUp();
		settle(129);
	};
	stdin.on('end', onGone);
	stdin.on('error', onGone);
	// These stay: a write to a terminal that is gone must not crash the way out.
	stdout.on('error', onGone);
	if (process.stderr.listenerCount('error') === 0) process.stderr.on('error', () => {});

	screen.patchStreams();
	screen.enter();
	// Raw mode before the first frame: a key pressed once the app shows is never echoed by the
	// terminal onto the screen, and Ctrl+C is a key, not a SIGINT that kills the shell around us.
	try {
		if (stdin.isTTY) stdin.setRawMode?.(true);
	} catch {
		// Not a terminal after all: Ink says so when it mounts.
	}
	const releaseConsole = holdConsole();
	let crashed: unknown;
	let code: number;
	try {
		options.takeTypeahead?.();
		const instance = render(element, {stdin, stdout, ...INK_OPTIONS});
		try {
			code = await Promise.race([
				exitCode,
				instance.waitUntilExit().then(
					() => 0,
					(error: unknown) => {
						crashed = error;
						return 1;
					},
				),
			]);
		} finally {
			try {
				instance.unmount();
			} catch {
				// Already unmounted.
			}
			await instance.waitUntilExit().catch(() => undefined);
		}
	} catch (error) {
		crashed = error;
		code = 1;
	} finally {
		for (const signal of signals) process.off(signal, onSignal);
		process.off('SIGTSTP', onStop);
		stdin.off('end', onGone);
		stdin.off('error', onGone);
		restore();
		process.off('exit', restore);
		for (const line of releaseConsole()) process.stderr.write(`${printable(line)}\n`);
	}
	if (crashed) {
		const text = crashed instanceof Error ? (crashed.stack ?? crashed.message) : inspect(crashed);
		process.stderr.write(`rlm-tui: the interface crashed: ${printable(text)}\n`);
	}
	if (options.cleanup) {
		await Promise.race([options.cleanup().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
	}
	return code;
}
