// The full-screen lifecycle shared by the live TUI and the replay viewer: production React, the
// alternate screen, Ink mounted with our own Ctrl+C handling, console output held back, and the
// terminal restored on every way out (quit, signal, crash) before the promise resolves.
// React and Ink are imported only here and only after NODE_ENV is settled: React's development
// build costs several times more per frame.
import type {ReactElement} from 'react';

export interface FullScreenOptions {
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	/** Runs after the terminal is restored (dispose engines here). */
	cleanup?: () => Promise<unknown>;
}

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H\x1b[2J';
const LEAVE_ALT_SCREEN = '\x1b[?25h\x1b[?1049l';

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
	build: (onExit: (code: number) => void) => Promise<ReactElement>,
	options: FullScreenOptions = {},
): Promise<number> {
	const stdout = options.stdout ?? process.stdout;
	const stdin = options.stdin ?? process.stdin;
	process.env.NODE_ENV ??= 'production';
	const {render} = await importInk();

	let settle: (code: number) => void = () => {};
	const exitCode = new Promise<number>((resolve) => {
		settle = resolve;
	});
	const element = await build((code) => settle(code));

	let restored = false;
	const restore = () => {
		if (restored) return;
		restored = true;
		try {
			if (stdin.isTTY) stdin.setRawMode?.(false);
		} catch {
			// The stream may already be closed.
		}
		stdout.write(LEAVE_ALT_SCREEN);
	};
	process.once('exit', restore);
	const onSignal = (signal: NodeJS.Signals) => settle(signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143);
	const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
	for (const signal of signals) process.on(signal, onSignal);

	stdout.write(ENTER_ALT_SCREEN);
	const releaseConsole = holdConsole();
	let crashed: unknown;
	let code = 1;
	try {
		const instance = render(element, {stdin, stdout, exitOnCtrlC: false, patchConsole: false});
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
		restore();
		process.off('exit', restore);
		for (const line of releaseConsole()) process.stderr.write(`${line}\n`);
	}
	if (crashed) {
		const text = crashed instanceof Error ? (crashed.stack ?? crashed.message) : String(crashed);
		process.stderr.write(`rlm-tui: the interface crashed: ${text}\n`);
	}
	if (options.cleanup) {
		await Promise.race([options.cleanup().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
	}
	return code;
}
