// Drives the built CLI in a real terminal: a private tmux server (its own socket), sessions started
// with a command, keys and raw bytes sent as a terminal would, the screen read back with
// capture-pane. Every wait polls; nothing sleeps a fixed time to let the app catch up.
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cli = path.join(root, 'dist', 'cli.js');

export const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export class Tmux {
	readonly socket = `rlm-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
	readonly dir: string;
	#sessions = 0;

	constructor() {
		const probe = spawnSync('tmux', ['-V'], {encoding: 'utf8'});
		if (probe.error || probe.status !== 0) throw new Error('tmux is not installed: the end-to-end TUI tests need it (apt-get install tmux).');
		if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" before this test.`);
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-e2e-'));
		// A session that outlives the tests' own: the server never exits between two of them (a
		// new session on a server that is shutting down fails with "server exited unexpectedly").
		this.run('new-session', '-d', '-s', 'keeper', 'sleep 86400');
	}

	run(...args: string[]): string {
		return execFileSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8'});
	}

	/** The environment every launch gets: config and state inside the test's directory. */
	get env(): Record<string, string> {
		return {
			HOME: this.dir,
			XDG_CONFIG_HOME: path.join(this.dir, 'config'),
			XDG_STATE_HOME: path.join(this.dir, 'state'),
			XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'),
			TERM: 'xterm-256color',
		};
	}

	/** Starts a session running `command` (a shell command line); returns its name. */
	start(command: string, size: {columns: number; rows: number} = {columns: 120, rows: 36}): string {
		const name = `s${++this.#sessions}`;
		this.run('new-session', '-d', '-x', String(size.columns), '-y', String(size.rows), '-s', name, '-c', this.dir, command);
		// Keep panes around after their command ends (the exit line stays readable).
		this.run('set-option', '-t', name, 'remain-on-exit', 'on');
		return name;
	}

	/** A command line that runs the CLI with `args` and `env`, then prints its exit status. */
	cliCommand(args: string[], env: Record<string, string> = {}): string {
		const vars = Object.entries({...this.env, ...env}).map(([key, value]) => `${key}=${quote(value)}`);
		return ['echo BEFORE-THE-TUI;', ...vars, quote(process.execPath), quote(cli), ...args.map(quote), '; echo "EXIT:$?"; sleep 600'].join(' ');
	}

	screen(session: string): string {
		return this.run('capture-pane', '-p', '-t', session);
	}

	/** The screen and the scrollback above it. */
	history(session: string): string {
		return this.run('capture-pane', '-p', '-S', '-', '-t', session);
	}

	display(session: string, format: string): string {
		return this.run('display', '-p', '-t', session, format).trim();
	}

	keys(session: string, ...names: string[]): void {
		this.run('send-keys', '-t', session, ...names);
	}

	type(session: string, text: string): void {
		this.run('send-keys', '-t', session, '-l', text);
	}

	/** Raw bytes, as a terminal would write them (escape sequences, mouse reports). */
	bytes(session: string, data: string): void {
		const hex = [...Buffer.from(data, 'utf8')].map((byte) => byte.toString(16).padStart(2, '0'));
		this.run('send-keys', '-t', session, '-H', ...hex);
	}

	/** Two writes to the terminal with a pause between them (a sequence split across reads). */
	bytesSplit(session: string, first: string, second: string, pauseSeconds: number): void {
		const hex = (data: string) => [...Buffer.from(data, 'utf8')].map((byte) => byte.toString(16).padStart(2, '0'));
		this.run('send-keys', '-t', session, '-H', ...hex(first), ';', 'run-shell', `sleep ${pauseSeconds}`, ';', 'send-keys', '-t', session, '-H', ...hex(second));
	}

	/** Pastes `text` as a terminal does: bracketed when the app asked for it (`bracketed`), or not. */
	paste(session: string, text: string, bracketed: boolean): void {
		const file = path.join(this.dir, `paste-${Date.now()}.txt`);
		fs.writeFileSync(file, text);
		this.run('load-buffer', '-b', 'p', file);
		this.run('paste-buffer', '-b', 'p', '-t', session, ...(bracketed ? ['-p'] : []));
	}

	async waitFor(session: string, predicate: (screen: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		let text: string;
		for (;;) {
			text = this.screen(session);
			if (predicate(text)) return text;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${text}`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}

	/** The pid of the CLI (the node process under the pane's shell). */
	async cliPid(session: string): Promise<number> {
		const shell = this.display(session, '#{pane_pid}');
		const deadline = Date.now() + 30_000;
		for (;;) {
			// The shell's child that is not the final sleep (the CLI renames itself, so its name
			// is not a reliable handle).
			const found = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', shell], {encoding: 'utf8'})
				.stdout.split('\n')
				.map((line) => line.trim().split(/\s+/))
				.filter(([pid, comm]) => pid && comm !== 'sleep');
			if (found.length > 0) return Number(found[0]![0]);
			if (Date.now() > deadline) throw new Error('the CLI process did not appear');
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}

	kill(session: string): void {
		spawnSync('tmux', ['-L', this.socket, 'kill-session', '-t', session]);
	}

	close(): void {
		spawnSync('tmux', ['-L', this.socket, 'kill-server']);
		fs.rmSync(this.dir, {recursive: true, force: true});
	}
}

export const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

export const childrenOf = (pid: number) =>
	spawnSync('pgrep', ['-P', String(pid)], {encoding: 'utf8'})
		.stdout.trim()
		.split('\n')
		.filter(Boolean)
		.map(Number);
