// --keep-warm through the built CLI: a run leaves a warm sandbox host behind, the next run claims
// it; command substitution returns; without the setting nothing is left; a directory that is not
// private is refused with one line; a stale or silent socket falls back to a cold start.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {encodeFrame} from '../../source/sandbox/frames.js';
import {warmSocketPath, warmTag} from '../../source/sandbox/warm-dir.js';
import {startFakeLlmServer, type FakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {cleanEnv, cliPath, runCli} from '../support/run-cli.js';

let server: FakeLlmServer;
const roots: string[] = [];
const servers: net.Server[] = [];

beforeAll(async () => {
	server = await startFakeLlmServer({models: ['root-model']});
	server.setResponder(scripted({root: () => repl('llm_output(str(6 * 7))')}));
});
afterAll(async () => {
	await server?.close();
	for (const root of roots) fs.rmSync(root, {recursive: true, force: true});
});

/** A runtime dir of its own for each test: warm hosts live in <it>/rlm-tui. */
function runtimeDir(): string {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-warm-cli-'));
	fs.chmodSync(root, 0o700);
	roots.push(root);
	return root;
}

/** Processes whose command line names `root` (the warm hosts of a test), by pid. */
function hostsUnder(root: string): number[] {
	return fs
		.readdirSync('/proc')
		.filter((name) => /^\d+$/.test(name))
		.filter((name) => {
			try {
				return fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(`--warm-socket=${root}/`);
			} catch {
				return false;
			}
		})
		.map(Number);
}

afterEach(() => {
	for (const server of servers.splice(0)) server.close();
	for (const root of roots) {
		for (const pid of hostsUnder(root)) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// gone already
			}
		}
	}
});

const ask = (runtime: string, extra: string[] = [], env: Record<string, string> = {}) =>
	runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '-p', 'what is six times seven?', ...extra], {env: cleanEnv({XDG_RUNTIME_DIR: runtime, ...env})});

describe('--keep-warm', () => {
	it('leaves a warm host the next run claims, and that run leaves a fresh one', async () => {
		const runtime = runtimeDir();
		const socket = warmSocketPath(path.join(runtime, 'rlm-tui'))!;
		const first = await ask(runtime, ['--keep-warm', '5']);
		expect(first.stderr).toBe('');
		expect(first.stdout.trim()).toBe('42');
		await expect.poll(() => fs.existsSync(socket) && hostsUnder(runtime).length === 1).toBe(true);
		const [spare] = hostsUnder(runtime);
		expect(fs.statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);

		const second = await ask(runtime, ['--keep-warm', '5']);
		expect(second.stdout.trim()).toBe('42');
		// The spare waits 5 minutes unclaimed: it is gone because the second run claimed it and left.
		await expect.poll(() => hostsUnder(runtime).includes(spare)).toBe(false);
		await expect.poll(() => fs.existsSync(socket) && hostsUnder(runtime).length === 1).toBe(true);
	});

	it('says why it keeps none: the cache folder is refused, or a file (not ours to remove) is in the socket\'s place', async () => {
		const runtime = runtimeDir();
		const cache = path.join(runtime, 'cache');
		fs.mkdirSync(path.join(cache, 'rlm-tui'), {recursive: true});
		fs.chmodSync(path.join(cache, 'rlm-tui'), 0o777);
		const refused = await ask(runtime, ['--keep-warm', '1'], {XDG_CACHE_HOME: cache});
		expect(refused.code).toBe(0);
		expect(refused.stdout.trim()).toBe('42');
		expect(refused.stderr).toMatch(/warning: the sandbox's snapshot cache is not used: .*Every start is a cold one \(2 s or more\), and --keep-warm keeps no warm sandbox\.\n/);
		expect(hostsUnder(runtime)).toEqual([]);
		const socket = warmSocketPath(path.join(runtime, 'rlm-tui'))!;
		fs.mkdirSync(path.dirname(socket), {recursive: true, mode: 0o700});
		fs.writeFileSync(socket, 'not a socket');
		const blocked = await ask(runtime, ['--keep-warm', '1']);
		expect(blocked.code).toBe(0);
		expect(blocked.stderr).toContain(`rlm-tui: not keeping a warm sandbox: ${socket} is in the way (not a socket; remove it)`);
		expect(fs.readFileSync(socket, 'utf8')).toBe('not a socket');
	});

	it('a run that ends on a usage error leaves a spare in place of the one it claimed, with the same idle time', async () => {
		const runtime = runtimeDir();
		const socket = warmSocketPath(path.join(runtime, 'rlm-tui'))!;
		const idleOf = (pid: number) => /--warm-idle-ms=(\d+)/.exec(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1];
		await ask(runtime, ['--keep-warm', '7']);
		await expect.poll(() => fs.existsSync(socket) && hostsUnder(runtime).length === 1).toBe(true);
		let [spare] = hostsUnder(runtime);
		const replaced: string[] = [];
		for (const words of [['frob'], ['-t', 'hot', '-p', 'q'], ['--max-dept', '3', '-p', 'q'], ['-b', 'nosuch', '-p', 'q'], ['serve', '--port', 'abc']]) {
			const result = await runCli(words, {env: cleanEnv({XDG_RUNTIME_DIR: runtime})});
			expect(result.code, words.join(' ')).toBe(2);
			// One spare waits, as long as the first was left for: the one found, or (it was claimed: the
			// early sandbox claims one before the flags are read) a new one in its place.
			await expect.poll(() => fs.existsSync(socket) && hostsUnder(runtime).length === 1).toBe(true);
			const now = hostsUnder(runtime)[0]!;
			expect(idleOf(now), words.join(' ')).toBe(String(7 * 60_000));
			if (now !== spare) replaced.push(words.join(' '));
			spare = now;
		}
		// The case this is about happened: runs claimed the spare before their usage error.
		expect(replaced.length).toBeGreaterThan(0);
	});

	it('a run a signal (Ctrl+C, SIGTERM) ends before its mode starts leaves a spare in place of the one it claimed', async () => {
		const runtime = runtimeDir();
		const socket = warmSocketPath(path.join(runtime, 'rlm-tui'))!;
		const idleOf = (pid: number) => /--warm-idle-ms=(\d+)/.exec(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1];
		// Bounds for polls on a loaded machine (a spare's start, a process's exit), not timings.
		const loaded = {timeout: 15_000};
		await ask(runtime, ['--keep-warm', '7']);
		await expect.poll(() => fs.existsSync(socket) && hostsUnder(runtime).length === 1, loaded).toBe(true);
		for (const [signal, code] of [
			['SIGINT', 130],
			['SIGTERM', 143],
		] as const) {
			const [spare] = hostsUnder(runtime);
			// `-c -` waits for stdin's end: the run stays before its mode (reading its context) until the signal.
			const child = spawn(process.execPath, [cliPath, '-u', server.openaiBaseURL, '-m', 'root-model', '-c', '-', '-p', 'q'], {env: cleanEnv({XDG_RUNTIME_DIR: runtime}), stdio: ['pipe', 'ignore', 'ignore']});
			const exited = new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)));
			// Claimed: the socket's name goes as the host is taken.
			await expect.poll(() => fs.existsSync(socket), loaded).toBe(false);
			child.kill(signal);
			expect(await exited, signal).toBe(code);
			await expect.poll(() => fs.existsSync(socket) && hostsUnder(runtime).length === 1, loaded).toBe(true);
			const now = hostsUnder(runtime)[0]!;
			expect(now, signal).not.toBe(spare);
			expect(idleOf(now), signal).toBe(String(7 * 60_000));
		}
	});

	it('returns at once from command substitution: the host left behind holds no descriptor of the run', async () => {
		const runtime = runtimeDir();
		const script = `out=$("${process.execPath}" "${cliPath}" -u "${server.openaiBaseURL}" -m root-model -p 'six times seven?' --keep-warm 5); printf 'got %s' "$out"`;
		const result = await new Promise<{stdout: string; code: number | null}>((resolve) => {
			const child = spawn('sh', ['-c', script], {env: cleanEnv({XDG_RUNTIME_DIR: runtime}), stdio: ['ignore', 'pipe', 'ignore']});
			let stdout = '';
			child.stdout.on('data', (chunk) => (stdout += chunk));
			child.on('close', (code) => resolve({stdout, code}));
		});
		expect(result).toEqual({stdout: 'got 42', code: 0});
		await expect.poll(() => hostsUnder(runtime).length).toBe(1);
	});

	it('leaves nothing behind when it is off, and a spare it left exits after its idle time', async () => {
		const runtime = runtimeDir();
		const off = await ask(runtime);
		expect(off.stdout.trim()).toBe('42');
		expect(fs.existsSync(path.join(runtime, 'rlm-tui'))).toBe(false);
		expect(hostsUnder(runtime)).toEqual([]);

		// The idle time shortened for the test (the variable can only shorten the minutes given).
		const on = await ask(runtime, ['--keep-warm', '1'], {RLM_TUI_WARM_IDLE_MS: '1500'});
		expect(on.stdout.trim()).toBe('42');
		await expect.poll(() => hostsUnder(runtime).length).toBe(1);
		await expect.poll(() => hostsUnder(runtime).length).toBe(0);
		// What it leaves is a name nobody listens on, which the next spare replaces (test/sandbox/warm.test.ts).
		expect(fs.readdirSync(path.join(runtime, 'rlm-tui'))).toEqual([path.basename(warmSocketPath(path.join(runtime, 'rlm-tui'))!)]);
	});

	it('refuses a directory open to others, or a symbolic link, in one line, and answers anyway', async () => {
		const runtime = runtimeDir();
		fs.mkdirSync(path.join(runtime, 'rlm-tui'), {mode: 0o755});
		fs.chmodSync(path.join(runtime, 'rlm-tui'), 0o755);
		const open = await ask(runtime, ['--keep-warm', '5']);
		expect(open.code).toBe(0);
		expect(open.stdout.trim()).toBe('42');
		expect(open.stderr).toMatch(/^rlm-tui: not keeping a warm sandbox: \S+ is open to its group or others \(mode 755; chmod 700 it\)\n$/);
		expect(fs.readdirSync(path.join(runtime, 'rlm-tui'))).toEqual([]);
		expect(hostsUnder(runtime)).toEqual([]);

		const linked = runtimeDir();
		const target = runtimeDir();
		fs.symlinkSync(target, path.join(linked, 'rlm-tui'));
		const link = await ask(linked, ['--keep-warm', '5']);
		expect(link.stdout.trim()).toBe('42');
		expect(link.stderr).toMatch(/^rlm-tui: not keeping a warm sandbox: \S+ is a symbolic link\n$/);
		expect(fs.readdirSync(target)).toEqual([]);
	});

	it("falls back to a cold start, and still answers, on another build's socket or a listener that never says hello", async () => {
		const runtime = runtimeDir();
		const dir = path.join(runtime, 'rlm-tui');
		fs.mkdirSync(dir, {mode: 0o700});
		const socket = warmSocketPath(dir)!;
		const connected: string[] = [];
		const stale = net.createServer((client) => {
			connected.push('stale');
			client.write(encodeFrame({t: 'hello', tag: 'an-older-build', pid: process.pid, contextSocket: 'x.ctx', idleMs: 60_000}));
		});
		servers.push(stale);
		await new Promise<void>((resolve) => stale.listen(socket, resolve));
		const first = await ask(runtime);
		expect(first.code).toBe(0);
		expect(first.stdout.trim()).toBe('42');
		expect(connected).toEqual(['stale']);
		await new Promise((resolve) => stale.close(resolve));

		const silent = net.createServer(() => connected.push('silent'));
		servers.push(silent);
		await new Promise<void>((resolve) => silent.listen(socket, resolve));
		const second = await ask(runtime);
		expect(second.stdout.trim()).toBe('42');
		expect(connected).toEqual(['stale', 'silent']);
		expect(warmTag()).not.toBe('an-older-build');
	});
});
