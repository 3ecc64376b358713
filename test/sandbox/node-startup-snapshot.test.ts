// Node's startup snapshot for the host (node-startup-snapshot.ts): built with the worker's V8 flags
// beside the Pyodide snapshot, used by later starts (with the ban on code from strings still in
// force), and never a reason to fail: one Node refuses costs one failed start, then it is not used.
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterAll, describe, expect, it, vi} from 'vitest';
import {Sandbox, prewarmSandbox} from '../../source/sandbox/index.js';
import {startupSnapshotFlags, startupSnapshotPath} from '../../source/sandbox/node-startup-snapshot.js';
import {startFakeLlmServer} from '../support/fake-llm-server.js';
import {repl, scripted} from '../support/rlm-script.js';
import {cleanEnv, cliPath, runCli} from '../support/run-cli.js';
import {snapshotWritesSettled} from '../../source/sandbox/index.js';
import {freshCacheDir} from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
	for (const dir of dirs) fs.rmSync(dir, {recursive: true, force: true});
});

const blobs = (dir: string) => fs.readdirSync(dir).filter((name) => name.includes('.blob'));

/** A start and a block run in it. The worker checks the ban on code from strings as it starts (a
 * context that allows eval fails the start), so a start that worked had it in force. */
async function startAndRun(cacheDir: string): Promise<{startupSnapshot: boolean | undefined; fromSnapshot: boolean | undefined; stdout: string}> {
	const sandbox = await Sandbox.start({cacheDir});
	try {
		const result = await sandbox.run('print(sum(range(10)))');
		return {startupSnapshot: sandbox.startInfo?.startupSnapshot, fromSnapshot: sandbox.startInfo?.fromSnapshot, stdout: result.stdout};
	} finally {
		await sandbox.dispose();
	}
}

/** What another Node, or the same one with other flags, leaves: Node exits 14 on it. */
function foreignBlob(blob: string): void {
	fs.rmSync(blob, {force: true});
	const built = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', '/dev/null'], {env: {}});
	expect(built.status).toBe(0);
	fs.chmodSync(blob, 0o600);
}

describe("Node's startup snapshot for the host", () => {
	it('prewarm builds it beside the Pyodide snapshot, private to the user; later starts use it and Python works', async () => {
		const dir = freshCacheDir();
		dirs.push(dir);
		await prewarmSandbox({cacheDir: dir});
		const blob = startupSnapshotPath(dir);
		expect(blobs(dir)).toEqual([path.basename(blob)]);
		expect(path.basename(blob)).toMatch(new RegExp(`^node-${process.versions.node.replaceAll('.', '\\.')}-${process.platform}-${process.arch}-[0-9a-f]{12}\\.blob$`));
		expect(fs.statSync(blob).mode & 0o777).toBe(0o600);
		// A Node started from it refuses code from strings without the flag on its command line.
		const probe = spawnSync(process.execPath, ['--snapshot-blob', blob, ...startupSnapshotFlags, '-e', "try { eval('0'); console.log('eval ran') } catch (e) { console.log(e.name) }"], {env: {}, encoding: 'utf8'});
		expect(probe.stdout.trim()).toBe('EvalError');

		const run = await startAndRun(dir);
		expect(run).toEqual({startupSnapshot: true, fromSnapshot: true, stdout: '45\n'});
	});

	it('one Node refuses (built with other flags) is marked refused after one failed start; the Pyodide snapshot stays and is used; no other is built', async () => {
		const dir = freshCacheDir();
		dirs.push(dir);
		await prewarmSandbox({cacheDir: dir});
		const blob = startupSnapshotPath(dir);
		foreignBlob(blob);

		const run = await startAndRun(dir);
		expect(run).toEqual({startupSnapshot: false, fromSnapshot: true, stdout: '45\n'});
		expect(blobs(dir)).toEqual([`${path.basename(blob)}.refused`]);
		expect(fs.readdirSync(dir).filter((name) => name.endsWith('.snapshot'))).toHaveLength(1);

		await prewarmSandbox({cacheDir: dir});
		expect(blobs(dir)).toEqual([`${path.basename(blob)}.refused`]);
	});

	it('a damaged one (not a blob at all) makes Node abort: the start goes on without it', async () => {
		const dir = freshCacheDir();
		dirs.push(dir);
		await prewarmSandbox({cacheDir: dir});
		const blob = startupSnapshotPath(dir);
		fs.writeFileSync(blob, 'not a blob', {mode: 0o600});

		const run = await startAndRun(dir);
		expect(run).toEqual({startupSnapshot: false, fromSnapshot: true, stdout: '45\n'});
		expect(fs.existsSync(blob)).toBe(false);
	});

	it('a start that times out blames the Pyodide snapshot as before, never the startup snapshot', async () => {
		const dir = freshCacheDir();
		dirs.push(dir);
		await prewarmSandbox({cacheDir: dir});
		await expect(Sandbox.start({cacheDir: dir, startTimeoutMs: 1})).rejects.toThrow(/did not start within/);
		expect(blobs(dir)).toEqual([path.basename(startupSnapshotPath(dir))]);
	});

	it('the command line, whose host is spawned the moment it starts, answers past a foreign one and marks it refused', async () => {
		const base = freshCacheDir();
		dirs.push(base);
		const cacheDir = path.join(base, 'rlm-tui');
		await prewarmSandbox({cacheDir});
		foreignBlob(startupSnapshotPath(cacheDir));
		const server = await startFakeLlmServer({models: ['root-model']});
		try {
			server.setResponder(scripted({root: () => repl('FINAL(str(sum(range(10))))')}));
			const run = await runCli(['-u', server.openaiBaseURL, '-m', 'root-model', '-p', 'sum'], {env: cleanEnv({XDG_CACHE_HOME: base})});
			expect(run.stderr).toBe('');
			expect(run.stdout.trim()).toBe('45');
			expect(blobs(cacheDir)).toEqual([`${path.basename(startupSnapshotPath(cacheDir))}.refused`]);
			expect(fs.readdirSync(cacheDir).filter((name) => name.endsWith('.snapshot'))).toHaveLength(1);
		} finally {
			await server.close();
		}
	});

	it('a run stopped while it waits for the build leaves no temp file; prewarm sweeps an hour-old one a killed build left', async () => {
		const base = freshCacheDir();
		dirs.push(base);
		const cacheDir = path.join(base, 'rlm-tui');
		await prewarmSandbox({cacheDir});
		const blob = startupSnapshotPath(cacheDir);
		fs.rmSync(blob);
		const temps = () => fs.readdirSync(cacheDir).filter((name) => name.endsWith('.tmp'));
		const server = await startFakeLlmServer({models: ['root-model']});
		try {
			server.setResponder(scripted({root: () => repl('FINAL("done")')}));
			const child = spawn(process.execPath, [cliPath, '-u', server.openaiBaseURL, '-m', 'root-model', '-p', 'q'], {env: cleanEnv({XDG_CACHE_HOME: base}), stdio: ['ignore', 'pipe', 'pipe']});
			const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
			let stdout = '';
			child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
			// The answer is out and the build under way: the run waits for it before it exits.
			await vi.waitFor(() => expect({stdout, temps: temps().length}).toEqual({stdout: 'done\n', temps: 1}), {timeout: 60_000, interval: 5});
			child.kill('SIGTERM');
			expect(await exited).toBe(143);
			expect(temps()).toEqual([]);
			expect(fs.existsSync(blob)).toBe(false);
		} finally {
			await server.close();
		}
		const old = `${blob}.4242.deadbeef.tmp`;
		const fresh = `${blob}.4243.deadbeef.tmp`;
		fs.writeFileSync(old, 'half a blob');
		fs.writeFileSync(fresh, 'half a blob');
		const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
		fs.utimesSync(old, twoHoursAgo, twoHoursAgo);
		await prewarmSandbox({cacheDir});
		expect(temps()).toEqual([path.basename(fresh)]);
		expect(fs.existsSync(blob)).toBe(true);
	});

	it('a start from the Pyodide snapshot alone builds it for the next start', async () => {
		const dir = freshCacheDir();
		dirs.push(dir);
		await prewarmSandbox({cacheDir: dir});
		fs.rmSync(startupSnapshotPath(dir));

		const first = await startAndRun(dir);
		expect(first.startupSnapshot).toBe(false);
		await snapshotWritesSettled();
		expect(blobs(dir)).toEqual([path.basename(startupSnapshotPath(dir))]);
		expect((await startAndRun(dir)).startupSnapshot).toBe(true);
	});
});
